"""Incremental story clustering: each arriving article joins an open story or starts a new one.

An article is described by `ArticleFeatures`: a static embedding of its title and lead, a MinHash
signature of its opening word shingles (syndicated copies), its title/lead content terms and its
capitalised names (cheap entities), and its date. `StreamClusterer.add` then

1. attaches a syndicated copy (MinHash LSH hit, estimated Jaccard >= `duplicate_jaccard`) to the
   story of the article it copies, at once;
2. otherwise ranks the open stories by the cosine of the article to each story's centroid (one
   matrix-vector product over open stories only; no all-pairs step), rescores the best few with
   the nearest of their recent articles, shared names, shared title/lead terms and the gap in days,
   and joins the best story whose score clears `join_score`, or starts a new one.

Stories close when the newest date seen is more than `close_days` past their last article; a
closed story leaves the candidate index and the LSH. Story ids derive from the first article's id,
so the same input order gives the same stories whether articles arrive one by one or in a batch.
"""
from __future__ import annotations

import datetime as dt
import functools
import hashlib
import math
import re
import struct
import zlib
from dataclasses import dataclass, field
from typing import Iterable, Sequence

import numpy as np

from .model import Article
from .terms import STOP_WORDS, content_terms, stem


@dataclass(frozen=True)
class ClusterOptions:
    lead_words: int = 60  # words of the body that, with the title, make the embedded text
    shingle_words: int = 4  # MinHash shingles: runs of this many words...
    shingle_span: int = 150  # ...from this many opening words of the body
    num_perm: int = 64
    duplicate_jaccard: float = 0.6  # estimated shingle Jaccard above which an article is a copy
    candidates: int = 12  # open stories rescored in full, by centroid cosine
    recent: int = 5  # a story's latest articles kept for nearest-article similarity
    close_days: int = 30  # a story closes when the newest date seen is this far past its last article
    # one linear score over (centroid cosine, nearest recent article cosine, shared names,
    # shared terms, log(1 + days apart)); an article joins the best story scoring above join_score
    weights: tuple[float, float, float, float, float] = (4.0, 4.0, 2.0, 2.0, -0.8)
    join_score: float = 4.6


ENTITY_NOISE = frozenset("ap afp reuters xinhua upi nyt dpa ansa efe cnn bbc associated press news".split())
_WORD = re.compile(r"\w+(?:['’.-]\w+)*")
_SENTENCE_BREAK = re.compile(r"(?<=[.!?:;\"“”])\s+|\n")
_PUNCTUATION = "\"'“”‘’()[]{},.;:!?-–—_*"
_FEATURES_VERSION = 1


@dataclass
class ArticleFeatures:
    """What the clusterer knows of one article; `to_bytes` stores it in a BLOB."""

    vector: np.ndarray  # float32, L2-normalised, values exactly representable in float16
    minhash: np.ndarray  # uint32 signature; empty when the text is too short to shingle
    terms: frozenset[str]  # stemmed content terms of title and lead
    entities: frozenset[str]  # capitalised names of title and lead, lowercased
    date: dt.date | None = None

    def to_bytes(self) -> bytes:
        date = self.date.toordinal() if self.date else 0
        words = "\n".join(sorted(self.terms)) + "\0" + "\n".join(sorted(self.entities))
        return (
            struct.pack("<BHHi", _FEATURES_VERSION, len(self.vector), len(self.minhash), date)
            + self.vector.astype(np.float16).tobytes()
            + self.minhash.astype("<u4").tobytes()
            + words.encode("utf-8")
        )

    @classmethod
    def from_bytes(cls, data: bytes) -> "ArticleFeatures":
        version, dim, perms, date = struct.unpack_from("<BHHi", data)
        if version != _FEATURES_VERSION:
            raise ValueError(f"article features version {version}; this newsfuse reads version {_FEATURES_VERSION}")
        offset = struct.calcsize("<BHHi")
        vector = np.frombuffer(data, dtype=np.float16, count=dim, offset=offset).astype(np.float32)
        offset += 2 * dim
        minhash = np.frombuffer(data, dtype="<u4", count=perms, offset=offset).astype(np.uint32)
        terms, _, entities = data[offset + 4 * perms:].decode("utf-8").partition("\0")
        return cls(
            vector=vector,
            minhash=minhash,
            terms=frozenset(terms.split("\n")) - {""},
            entities=frozenset(entities.split("\n")) - {""},
            date=dt.date.fromordinal(date) if date else None,
        )


def features(articles: Sequence[Article], embedder, options: ClusterOptions = ClusterOptions()) -> list[ArticleFeatures]:
    """Features of each article, in order. `embedder` is an `embed.Embedder` (the fast "static" one)."""
    leads = [_lead(a, options.lead_words) for a in articles]
    texts = [f"{a.title}. {lead}" if a.title else lead for a, lead in zip(articles, leads)]
    vectors = _round_to_float16(embedder.encode(texts)) if texts else []
    result = []
    for article, lead, vector in zip(articles, leads, vectors):
        heading = f"{article.title}\n{lead}" if article.title else lead
        result.append(ArticleFeatures(
            vector=vector,
            minhash=_minhash(article.text, options),
            terms=frozenset(content_terms(heading)),
            entities=_entities(heading),
            date=article.date,
        ))
    return result


def story_id_for(first_article_id: str) -> str:
    return "s-" + hashlib.sha1(first_article_id.encode("utf-8")).hexdigest()[:10]


class _Story:
    __slots__ = ("id", "seq", "slot", "size", "first", "last", "total", "recent", "keys")

    def __init__(self, story_id: str, seq: int, dim: int):
        self.id, self.seq, self.slot, self.size = story_id, seq, -1, 0
        self.first = self.last = None  # date ordinals
        self.total = np.zeros(dim, dtype=np.float64)
        self.recent: list[tuple[np.ndarray, frozenset, frozenset]] = []  # (vector, entities, terms), oldest first
        self.keys: list[str] = []  # article ids in the LSH


class StreamClusterer:
    """Assigns articles to stories one at a time; see the module docstring for the algorithm."""

    def __init__(self, options: ClusterOptions = ClusterOptions()):
        self.options = options
        self._stories: dict[str, _Story] = {}  # open stories
        self._seq = 0
        self._newest: int | None = None  # newest date seen, as an ordinal
        self._centroids = np.zeros((0, 0), dtype=np.float32)
        self._slots: list[_Story | None] = []
        self._free: list[int] = []
        self._lsh = None  # built on the first signature, once its length is known
        self._copies: dict[str, tuple[str, np.ndarray]] = {}  # LSH key -> (story id, signature)
        self._changed: set[str] = set()
        self.closed: list[str] = []  # ids of stories closed since the last changed() call

    # -- the contract -------------------------------------------------------------------------

    def add(self, article_id: str, feats: ArticleFeatures) -> str:
        """Put one article into a story; returns the story's id (an existing one, or a new one)."""
        date = feats.date.toordinal() if feats.date else self._newest
        if date is not None and (self._newest is None or date > self._newest):
            self._newest = date
            self._close_stale()
        story = self._copied_story(feats) or self._best_story(feats, date)
        if story is None:
            story_id = story_id_for(article_id)
            while story_id in self._stories:  # the same id started an earlier, still open story
                story_id = story_id_for(story_id)
            story = self._open(story_id)
        self._attach(story, article_id, feats, date)
        return story.id

    def restore(self, stories: Iterable[tuple[str, list[tuple[str, ArticleFeatures]]]], now: dt.date | None = None) -> None:
        """Rebuild the open stories from stored ones (each with its articles in arrival order), so
        that `add` continues as if those articles had just been added. `now` is the newest date the
        stream had seen, when it is later than every restored article."""
        for story_id, members in stories:
            story = self._open(story_id)
            for article_id, feats in members:
                self._attach(story, article_id, feats, feats.date.toordinal() if feats.date else self._newest)
        dates = [s.last for s in self._stories.values() if s.last is not None]
        if now is not None:
            dates.append(now.toordinal())
        if dates:
            self._newest = max([*dates, *([self._newest] if self._newest is not None else [])])
            self._close_stale()
        self._changed.clear()

    def changed(self) -> set[str]:
        """Ids of the stories that gained an article since the last call."""
        changed, self._changed = self._changed, set()
        return changed

    def open_stories(self) -> list[str]:
        return [s.id for s in sorted(self._stories.values(), key=lambda s: s.seq)]

    # -- assignment -----------------------------------------------------------------------------

    def _copied_story(self, feats: ArticleFeatures) -> _Story | None:
        if self._lsh is None or len(feats.minhash) == 0:
            return None
        best, best_jaccard = None, self.options.duplicate_jaccard
        for key in self._lsh.query(_to_datasketch(feats.minhash)):
            story_id, signature = self._copies[key]
            jaccard = float(np.mean(signature == feats.minhash))
            story = self._stories[story_id]
            if jaccard > best_jaccard or (jaccard == best_jaccard and best is not None and story.seq < best.seq):
                best, best_jaccard = story, jaccard
        return best

    def _best_story(self, feats: ArticleFeatures, date: int | None) -> _Story | None:
        if not self._stories:
            return None
        cosines = self._centroids[:len(self._slots)] @ feats.vector  # closed stories' rows are zero
        k = min(self.options.candidates, len(self._stories))
        top = np.argpartition(-cosines, k - 1)[:k] if k < len(cosines) else np.arange(len(cosines))
        w_centroid, w_nearest, w_names, w_terms, w_days = self.options.weights
        best, best_score = None, self.options.join_score
        for slot in top:
            story = self._slots[slot]
            if story is None:
                continue
            nearest = max(float(v @ feats.vector) for v, _, _ in story.recent)
            names = max(_overlap(feats.entities, e) for _, e, _ in story.recent)
            terms = max(_overlap(feats.terms, t) for _, _, t in story.recent)
            score = (w_centroid * float(cosines[slot]) + w_nearest * nearest + w_names * names
                     + w_terms * terms + w_days * math.log1p(_days_apart(story, date)))
            if score > best_score or (score == best_score and best is not None and story.seq < best.seq):
                best, best_score = story, score
        return best

    # -- state ----------------------------------------------------------------------------------

    def _open(self, story_id: str) -> _Story:
        story = _Story(story_id, self._seq, self._centroids.shape[1])
        self._seq += 1
        self._stories[story_id] = story
        return story

    def _attach(self, story: _Story, article_id: str, feats: ArticleFeatures, date: int | None) -> None:
        vector = feats.vector
        if self._centroids.shape[1] == 0:
            self._centroids = np.zeros((0, len(vector)), dtype=np.float32)
            story.total = np.zeros(len(vector), dtype=np.float64)
        if story.slot < 0:
            story.slot = self._take_slot(story)
        story.total += vector
        self._centroids[story.slot] = story.total / max(float(np.linalg.norm(story.total)), 1e-12)
        story.recent.append((vector, feats.entities, feats.terms))
        del story.recent[:-self.options.recent]
        story.size += 1
        if date is not None:
            story.first = date if story.first is None else min(story.first, date)
            story.last = date if story.last is None else max(story.last, date)
        if len(feats.minhash):
            self._index_copy(story, article_id, feats.minhash)
        self._changed.add(story.id)

    def _take_slot(self, story: _Story) -> int:
        if self._free:
            slot = self._free.pop()
            self._slots[slot] = story
            return slot
        slot = len(self._slots)
        self._slots.append(story)
        if slot >= len(self._centroids):
            grown = np.zeros((max(64, 2 * len(self._centroids)), self._centroids.shape[1]), dtype=np.float32)
            grown[:len(self._centroids)] = self._centroids
            self._centroids = grown
        return slot

    def _index_copy(self, story: _Story, article_id: str, signature: np.ndarray) -> None:
        if self._lsh is None:
            from datasketch import MinHashLSH

            self._lsh = MinHashLSH(threshold=self.options.duplicate_jaccard, num_perm=len(signature))
        key = article_id
        while key in self._copies:  # an id seen twice (a re-sent article) is still a separate entry
            key += "\0"
        self._lsh.insert(key, _to_datasketch(signature))
        self._copies[key] = (story.id, signature)
        story.keys.append(key)

    def _close_stale(self) -> None:
        horizon = self._newest - self.options.close_days
        for story in [s for s in self._stories.values() if s.last is not None and s.last < horizon]:
            del self._stories[story.id]
            self._slots[story.slot] = None
            self._centroids[story.slot] = 0.0
            self._free.append(story.slot)
            for key in story.keys:
                self._lsh.remove(key)
                del self._copies[key]
            self.closed.append(story.id)


def cluster_articles(articles: Sequence[Article], options: ClusterOptions = ClusterOptions(), embedder=None) -> list[str]:
    """Batch mode: the story id of each article, in input order (the same as adding them one by one)."""
    if embedder is None:
        from .embed import get_embedder

        embedder = get_embedder("static")
    clusterer = StreamClusterer(options)
    return [clusterer.add(a.id, f) for a, f in zip(articles, features(articles, embedder, options))]


# -- feature helpers ----------------------------------------------------------------------------


def _lead(article: Article, words: int) -> str:
    return " ".join(article.text.split()[:words])


def _round_to_float16(matrix: np.ndarray) -> np.ndarray:
    # what is stored is float16: compute with exactly those values, so a restored story scores the same
    return np.asarray(matrix, dtype=np.float32).astype(np.float16).astype(np.float32)


def _entities(text: str) -> frozenset[str]:
    """Capitalised words that do not open a sentence or line: names, places, organisations."""
    names = set()
    for sentence in _SENTENCE_BREAK.split(text):
        for word in sentence.split()[1:]:
            if not word[0].isupper():
                continue
            word = word.strip(_PUNCTUATION).lower().replace("’", "'")
            if word.endswith("'s"):
                word = word[:-2]
            if len(word) > 1 and word not in STOP_WORDS and word not in ENTITY_NOISE:
                names.add(stem(word))
    return frozenset(names)


def _overlap(a: frozenset, b: frozenset) -> float:
    """Shared share of two sets (cosine of their indicator vectors)."""
    if not a or not b:
        return 0.0
    return len(a & b) / math.sqrt(len(a) * len(b))


def _days_apart(story: _Story, date: int | None) -> int:
    if date is None or story.last is None:
        return 0
    if date > story.last:
        return date - story.last
    if date < story.first:
        return story.first - date
    return 0


@functools.lru_cache(maxsize=4)
def _permutations(num_perm: int):
    from datasketch import MinHash

    template = MinHash(num_perm=num_perm, seed=1)
    return template.permutations, getattr(template, "scheme", None)


def _datasketch_kwargs(num_perm: int) -> dict:
    permutations, scheme = _permutations(num_perm)
    return {"num_perm": num_perm, "permutations": permutations, **({"scheme": scheme} if scheme else {})}


def _minhash(text: str, options: ClusterOptions) -> np.ndarray:
    from datasketch import MinHash

    words = [w.lower() for w in _WORD.findall(text)][:options.shingle_span]
    n = options.shingle_words
    if len(words) < 2 * n:  # too short to tell a copy from a coincidence
        return np.zeros(0, dtype=np.uint32)
    signature = MinHash(hashfunc=zlib.crc32, **_datasketch_kwargs(options.num_perm))  # crc32: the same in every process
    signature.update_batch([" ".join(words[i:i + n]).encode("utf-8") for i in range(len(words) - n + 1)])
    return np.asarray(signature.hashvalues, dtype=np.uint32)


def _to_datasketch(signature: np.ndarray):
    from datasketch import MinHash

    return MinHash(hashvalues=signature, **_datasketch_kwargs(len(signature)))
