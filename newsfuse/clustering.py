"""Incremental story clustering: each arriving article joins an open story or starts a new one.

An article is described by `ArticleFeatures`: a static embedding of its title and lead, a MinHash
signature of its opening word shingles (syndicated copies), its title/lead content terms and its
capitalised names (cheap entities), and its date. `StreamClusterer.add` then

1. attaches a syndicated copy (MinHash LSH hit, estimated Jaccard >= `duplicate_jaccard`) to the
   story of the article it copies, at once;
2. otherwise ranks the open stories by the cosine of the article to each story's centroid (one
   matrix-vector product over open stories only; no all-pairs step), and rescores the best few
   with SIGNALS: the nearest of their recent articles, the cosine of hashed term frequencies of
   title and opening (to the story's sum and to its nearest recent article), shared names and
   title/lead terms, and the gap in days; it joins the best story whose weighted score clears
   `join_score`, or starts a new one.

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
import sys
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
    shingle_span: int = 150  # ...from this many opening words of the body (at most term_words)
    num_perm: int = 64
    duplicate_jaccard: float = 0.6  # estimated shingle Jaccard above which an article is a copy
    term_words: int = 200  # words of the body whose content terms make the lexical vector
    term_dims: int = 4096  # the lexical vector hashes terms into this many dimensions
    candidates: int = 8  # open stories rescored in full, by centroid cosine
    recent: int = 5  # a story's latest articles kept for nearest-article similarity
    close_days: int = 30  # a story closes when the newest date seen is this far past its last article
    copies_kept: int = 20  # a story's latest articles whose copies LSH still finds
    # one linear score over SIGNALS; an article joins the best story scoring above join_score.
    # Fitted by logistic regression on (article, candidate story) pairs of DUC 2003 and the first
    # half of the AllSides stories, weighted equally; the same-day weight and join_score were then
    # set by grid search on those two sets' pairwise F1 (bench/bench_clustering.py measures all sets)
    weights: tuple[float, ...] = (1.61, 0.32, 2.08, -4.82, 10.83, 6.85, -1.40, 2.0)
    join_score: float = 7.3


SIGNALS = ("centroid", "nearest", "names", "title_terms", "lexical_centroid", "lexical_nearest", "log_days_apart", "same_day")


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
    # hashed term frequencies of title and body: sorted dimensions and their L2-normalised weights
    term_index: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.uint16))
    term_weight: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.float32))

    def to_bytes(self) -> bytes:
        date = self.date.toordinal() if self.date else 0
        words = "\n".join(sorted(self.terms)) + "\0" + "\n".join(sorted(self.entities))
        return (
            struct.pack("<BHHiH", _FEATURES_VERSION, len(self.vector), len(self.minhash), date, len(self.term_index))
            + self.vector.astype(np.float16).tobytes()
            + self.minhash.astype("<u4").tobytes()
            + self.term_index.astype("<u2").tobytes()
            + self.term_weight.astype(np.float16).tobytes()
            + words.encode("utf-8")
        )

    @classmethod
    def from_bytes(cls, data: bytes) -> "ArticleFeatures":
        version, dim, perms, date, lexical = struct.unpack_from("<BHHiH", data)
        if version != _FEATURES_VERSION:
            raise ValueError(f"article features version {version}; this newsfuse reads version {_FEATURES_VERSION}")
        offset = struct.calcsize("<BHHiH")
        vector = np.frombuffer(data, dtype=np.float16, count=dim, offset=offset).astype(np.float32)
        offset += 2 * dim
        minhash = np.frombuffer(data, dtype="<u4", count=perms, offset=offset).astype(np.uint32)
        offset += 4 * perms
        term_index = np.frombuffer(data, dtype="<u2", count=lexical, offset=offset).astype(np.uint16)
        offset += 2 * lexical
        term_weight = np.frombuffer(data, dtype=np.float16, count=lexical, offset=offset).astype(np.float32)
        offset += 2 * lexical
        terms, _, entities = data[offset:].decode("utf-8").partition("\0")
        return cls(
            vector=vector,
            minhash=minhash,
            terms=frozenset(terms.split("\n")) - {""},
            entities=frozenset(entities.split("\n")) - {""},
            date=dt.date.fromordinal(date) if date else None,
            term_index=term_index,
            term_weight=term_weight,
        )


def features(articles: Sequence[Article], embedder, options: ClusterOptions = ClusterOptions()) -> list[ArticleFeatures]:
    """Features of each article, in order. `embedder` is an `embed.Embedder` (the fast "static" one)."""
    bodies = [a.text.split(None, options.term_words) for a in articles]  # the opening words, at most term_words
    leads = [" ".join(words[:options.lead_words]) for words in bodies]
    texts = [f"{a.title}. {lead}" if a.title else lead for a, lead in zip(articles, leads)]
    vectors = _round_to_float16(embedder.encode(texts)) if texts else []
    result = []
    for article, words, lead, vector in zip(articles, bodies, leads, vectors):
        title_terms = content_terms(article.title) if article.title else []
        lead_terms = content_terms(lead)
        rest_terms = content_terms(" ".join(words[options.lead_words:options.term_words]))
        result.append(ArticleFeatures(
            vector=vector,
            minhash=_minhash(words, options),
            terms=frozenset(title_terms + lead_terms),
            entities=_entities(f"{article.title}\n{lead}" if article.title else lead),
            date=article.date,
            # the title counts twice: it names the event
            **_lexical(title_terms + title_terms + lead_terms + rest_terms, options),
        ))
    return result


def story_id_for(first_article_id: str) -> str:
    return "s-" + hashlib.sha1(first_article_id.encode("utf-8")).hexdigest()[:10]


class _Story:
    __slots__ = ("id", "seq", "slot", "size", "first", "last", "total", "lexical", "lexical_norm", "recent",
                 "recent_vectors", "recent_index", "recent_weight", "recent_starts", "keys")

    def __init__(self, story_id: str, seq: int):
        self.id, self.seq, self.slot, self.size = story_id, seq, -1, 0
        self.first = self.last = None  # date ordinals
        self.total = None  # sum of the members' vectors
        self.lexical = None  # sum of the members' hashed term vectors (dense)
        self.lexical_norm = 1.0
        self.recent: list[ArticleFeatures] = []  # the latest members, oldest first
        # the recent members packed for one numpy call each: vectors as rows, term vectors end to end
        self.recent_vectors = self.recent_index = self.recent_weight = self.recent_starts = None
        self.keys: list[str] = []  # article ids in the LSH


class StreamClusterer:
    """Assigns articles to stories one at a time; see the module docstring for the algorithm."""

    def __init__(self, options: ClusterOptions = ClusterOptions()):
        if len(options.weights) != len(SIGNALS):
            raise ValueError(f"ClusterOptions.weights needs one weight per signal: {', '.join(SIGNALS)}")
        self.options = options
        self._stories: dict[str, _Story] = {}  # open stories
        self._seq = 0
        self._newest: int | None = None  # newest date seen, as an ordinal
        self._centroids = np.zeros((0, 0), dtype=np.float32)  # one row per slot; closed slots are zero
        self._slots: list[_Story | None] = []
        self._free: list[int] = []
        self._lsh = None  # built on the first signature, once its length is known
        self._copies: dict[str, tuple[str, np.ndarray]] = {}  # LSH key -> (story id, signature)
        self._changed: set[str] = set()
        self.closed: list[str] = []  # ids of the stories closed so far, in closing order

    # -- the contract -------------------------------------------------------------------------

    def add(self, article_id: str, feats: ArticleFeatures) -> str:
        """Put one article into a story; returns the story's id (an existing one, or a new one)."""
        date = feats.date.toordinal() if feats.date else self._newest
        if date is not None and (self._newest is None or date > self._newest):
            self._newest = date
            self._close_stale()
        sketch = _to_datasketch(feats.minhash) if len(feats.minhash) else None  # made once, for the query and the insert
        story = self._copied_story(feats, sketch) or self._best_story(feats, date)
        if story is None:
            story_id = story_id_for(article_id)
            while story_id in self._stories:  # the same id started an earlier, still open story
                story_id = story_id_for(story_id)
            story = self._open(story_id)
        self._attach(story, article_id, feats, date, sketch)
        return story.id

    def restore(self, stories: Iterable[tuple[str, list[tuple[str, ArticleFeatures]]]], now: dt.date | None = None) -> None:
        """Rebuild open stories from stored ones (each with its articles in arrival order), so that
        `add` continues as if those articles had just been added. `now` is the newest date the
        stream had seen, when it is later than every restored article."""
        for story_id, members in stories:
            story = self._stories.get(story_id) or self._open(story_id)
            for article_id, feats in members:
                self._attach(story, article_id, feats, feats.date.toordinal() if feats.date else self._newest)
        dates = [s.last for s in self._stories.values() if s.last is not None]
        dates += [d for d in (self._newest, now.toordinal() if now else None) if d is not None]
        if dates:
            # no sweep here: the store hands back exactly the stories an uninterrupted run still has
            # open, and one started late by an older article must stay open as it would have
            self._newest = max(dates)
        self._changed.clear()

    def changed(self) -> set[str]:
        """Ids of the stories that gained an article since the last call."""
        changed, self._changed = self._changed, set()
        return changed

    def open_stories(self) -> list[str]:
        return [s.id for s in sorted(self._stories.values(), key=lambda s: s.seq)]

    # -- assignment -----------------------------------------------------------------------------

    def _copied_story(self, feats: ArticleFeatures, sketch=None) -> _Story | None:
        if self._lsh is None or len(feats.minhash) == 0:
            return None
        best, best_jaccard = None, self.options.duplicate_jaccard
        for key in self._lsh.query(sketch or _to_datasketch(feats.minhash)):
            story_id, signature = self._copies[key]
            jaccard = float(np.mean(signature == feats.minhash))
            story = self._stories[story_id]
            if jaccard > best_jaccard or (jaccard == best_jaccard and best is not None and story.seq < best.seq):
                best, best_jaccard = story, jaccard
        return best

    def candidates(self, feats: ArticleFeatures, date: int | None) -> list[tuple[_Story, list[float]]]:
        """The open stories nearest the article by centroid cosine, each with its SIGNALS."""
        if not self._stories:
            return []
        cosines = self._centroids[:len(self._slots)] @ feats.vector
        k = min(self.options.candidates, len(cosines))
        top = np.argpartition(-cosines, k - 1)[:k] if k < len(cosines) else range(len(cosines))
        dense_terms = np.zeros(self.options.term_dims, dtype=np.float32)
        dense_terms[feats.term_index] = feats.term_weight
        found = []
        for slot in top:
            story = self._slots[slot]
            if story is not None:
                found.append((story, self._signals(story, feats, float(cosines[slot]), dense_terms, date)))
        return found

    def _signals(self, story: _Story, feats: ArticleFeatures, centroid: float, dense_terms: np.ndarray, date: int | None) -> list[float]:
        nearest = float((story.recent_vectors @ feats.vector).max())
        names = max(_overlap(feats.entities, m.entities) for m in story.recent)
        title_terms = max(_overlap(feats.terms, m.terms) for m in story.recent)
        lexical_centroid = float(story.lexical[feats.term_index] @ feats.term_weight) / story.lexical_norm
        products = dense_terms[story.recent_index] * story.recent_weight
        lexical_nearest = float(np.add.reduceat(products, story.recent_starts).max()) if len(products) else 0.0
        days = _days_apart(story, date)
        return [centroid, nearest, names, title_terms, lexical_centroid, lexical_nearest, math.log1p(days), float(days == 0)]

    def _best_story(self, feats: ArticleFeatures, date: int | None) -> _Story | None:
        best, best_score = None, self.options.join_score
        for story, signals in self.candidates(feats, date):
            score = sum(w * x for w, x in zip(self.options.weights, signals))
            if score > best_score or (score == best_score and best is not None and story.seq < best.seq):
                best, best_score = story, score
        return best

    # -- state ----------------------------------------------------------------------------------

    def _open(self, story_id: str) -> _Story:
        story = _Story(story_id, self._seq)
        self._seq += 1
        self._stories[story_id] = story
        return story

    def _attach(self, story: _Story, article_id: str, feats: ArticleFeatures, date: int | None, sketch=None) -> None:
        if self._centroids.shape[1] == 0:
            self._centroids = np.zeros((0, len(feats.vector)), dtype=np.float32)
        if story.slot < 0:
            story.slot = self._take_slot(story)
            story.total = np.zeros(len(feats.vector), dtype=np.float64)
            story.lexical = np.zeros(self.options.term_dims, dtype=np.float32)
        story.total += feats.vector
        self._centroids[story.slot] = story.total / max(float(np.linalg.norm(story.total)), 1e-12)
        story.lexical[feats.term_index] += feats.term_weight
        story.lexical_norm = max(float(np.linalg.norm(story.lexical)), 1e-12)
        story.recent.append(feats)
        del story.recent[:-self.options.recent]
        story.recent_vectors = np.vstack([m.vector for m in story.recent])
        story.recent_index = np.concatenate([m.term_index for m in story.recent]).astype(np.intp)
        story.recent_weight = np.concatenate([m.term_weight for m in story.recent])
        lengths = [len(m.term_index) for m in story.recent if len(m.term_index)]
        story.recent_starts = np.cumsum([0, *lengths[:-1]])
        story.size += 1
        if date is not None:
            story.first = date if story.first is None else min(story.first, date)
            story.last = date if story.last is None else max(story.last, date)
        if len(feats.minhash):
            self._index_copy(story, article_id, feats.minhash, sketch)
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

    def _index_copy(self, story: _Story, article_id: str, signature: np.ndarray, sketch=None) -> None:
        if self._lsh is None:
            from datasketch import MinHashLSH

            self._lsh = MinHashLSH(threshold=self.options.duplicate_jaccard, num_perm=len(signature))
        key = article_id
        while key in self._copies:  # an id seen twice (a re-sent article) is still a separate entry
            key += "\0"
        self._lsh.insert(key, sketch or _to_datasketch(signature))
        self._copies[key] = (story.id, signature)
        story.keys.append(key)
        while len(story.keys) > self.options.copies_kept:  # copies come out within days, not months
            self._forget_copy(story.keys.pop(0))

    def _forget_copy(self, key: str) -> None:
        self._lsh.remove(key)
        del self._copies[key]

    def _close_stale(self) -> None:
        horizon = self._newest - self.options.close_days
        for story in [s for s in self._stories.values() if s.last is not None and s.last < horizon]:
            del self._stories[story.id]
            self._slots[story.slot] = None
            self._centroids[story.slot] = 0.0
            self._free.append(story.slot)
            for key in story.keys:
                self._forget_copy(key)
            self.closed.append(story.id)


def cluster_articles(articles: Sequence[Article], options: ClusterOptions = ClusterOptions(), embedder=None,
                     progress: bool = False, batch_size: int = 1000) -> list[str]:
    """Batch mode: the story id of each article, in input order (the same as adding them one by
    one). Features are computed a batch at a time; `progress` draws a bar on standard error."""
    if embedder is None:
        from .embed import get_embedder

        embedder = get_embedder("static")
    return assign_stories(
        ((a.id, f) for begin in range(0, len(articles), batch_size)
         for a, f in zip(articles[begin:begin + batch_size], features(articles[begin:begin + batch_size], embedder, options))),
        options, total=len(articles), progress=progress,
    )


def assign_stories(featured: Iterable[tuple[str, ArticleFeatures]], options: ClusterOptions = ClusterOptions(),
                   total: int | None = None, progress: bool = False) -> list[str]:
    """Run (article id, features) pairs through one StreamClusterer in order; the story id of each."""
    from threadpoolctl import threadpool_limits
    from tqdm import tqdm

    clusterer = StreamClusterer(options)
    # one BLAS thread: a matrix-vector product per article is slower when split across threads
    with threadpool_limits(1), tqdm(total=total, unit=" articles", disable=not progress, file=sys.stderr, dynamic_ncols=True) as bar:
        labels = []
        for article_id, feats in featured:
            labels.append(clusterer.add(article_id, feats))
            bar.update(1)
    return labels


# -- feature helpers ----------------------------------------------------------------------------


def _lexical(terms: list[str], options: ClusterOptions) -> dict[str, np.ndarray]:
    """Sublinear frequencies of the terms, hashed into `term_dims` dimensions with crc32 (the same
    in every process), L2-normalised."""
    counts: dict[int, int] = {}
    for term in terms:
        dim = zlib.crc32(term.encode("utf-8")) % options.term_dims
        counts[dim] = counts.get(dim, 0) + 1
    dims = sorted(counts)
    weight = 1.0 + np.log(np.array([counts[d] for d in dims], dtype=np.float32))
    weight = (weight / max(float(np.linalg.norm(weight)), 1e-12)).astype(np.float16).astype(np.float32)
    return {"term_index": np.array(dims, dtype=np.uint16), "term_weight": weight}


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


def _minhash(body: list[str], options: ClusterOptions) -> np.ndarray:
    from datasketch import MinHash

    words = _WORD.findall(" ".join(body[:options.shingle_span]).lower())[:options.shingle_span]
    n = options.shingle_words
    if len(words) < 2 * n:  # too short to tell a copy from a coincidence
        return np.zeros(0, dtype=np.uint32)
    signature = MinHash(hashfunc=zlib.crc32, **_datasketch_kwargs(options.num_perm))  # crc32: the same in every process
    signature.update_batch([" ".join(words[i:i + n]).encode("utf-8") for i in range(len(words) - n + 1)])
    return np.asarray(signature.hashvalues, dtype=np.uint32)


def _to_datasketch(signature: np.ndarray):
    from datasketch import MinHash

    return MinHash(hashvalues=signature, **_datasketch_kwargs(len(signature)))
