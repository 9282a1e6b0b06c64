"""Incremental story clustering: each arriving article joins an open story or starts a new one.

An article is described by `ArticleFeatures`: a static embedding of its title and lead, a MinHash
signature of its opening word shingles (syndicated copies), the hashed frequencies of the content
terms of its title and opening, its capitalised names (cheap entities), and its date.
`StreamClusterer.add` then

1. attaches a syndicated copy (MinHash LSH hit, estimated Jaccard >= `duplicate_jaccard`) to the
   story of the article it copies, at once;
2. otherwise ranks the open stories by the cosine of the article to each story's centroid (one
   matrix-vector product over open stories only; no all-pairs step), and rescores the best few
   with SIGNALS: the nearest of their recent articles, the TF-IDF cosine of the terms (to the
   story's profile of its heaviest terms and to its nearest recent article; document frequencies
   are counted over the whole stream so far), shared names, and the gap in days; it joins the best
   story whose weighted score clears `join_score`, or starts a new one.

Stories close when the newest date seen is more than `close_days` past their last article; a
closed story leaves the candidate index and the LSH. Story ids derive from the first article's id,
so the same input order gives the same stories whether articles arrive one by one or in a batch.
"""
from __future__ import annotations

import datetime as dt
import functools
import hashlib
import itertools
import math
import re
import struct
import sys
import zlib
from dataclasses import dataclass, field
from typing import Iterable, Sequence

import numpy as np

from .model import Article
from .terms import STOP_WORDS, Memo, content_terms, stem, terms_of_words


@dataclass(frozen=True)
class ClusterOptions:
    lead_words: int = 60  # words of the body that, with the title, make the embedded text
    shingle_words: int = 4  # MinHash shingles: runs of this many words...
    shingle_span: int = 150  # ...from this many opening words of the body (at most term_words)
    num_perm: int = 64
    duplicate_jaccard: float = 0.6  # estimated shingle Jaccard above which an article is a copy
    term_words: int = 400  # words of the body whose content terms make the lexical vector
    term_dims: int = 65536  # the lexical vector hashes terms into this many dimensions (uint16 indices)
    profile_terms: int = 300  # a story's lexical profile keeps its heaviest terms
    # inverse document frequency as if the stream had begun with this many articles using none of the
    # terms: in a short stream one story's words are in most articles, and must not count as common
    idf_prior_docs: int = 1000
    candidates: int = 8  # open stories rescored in full, by centroid cosine
    recent: int = 5  # a story's latest articles kept for nearest-article similarity
    close_days: int = 30  # a story closes when the newest date seen is this far past its last article
    copies_kept: int = 20  # a story's latest articles whose copies LSH still finds
    # one linear score over SIGNALS; an article joins the best story scoring above join_score.
    # `python bench/fit_clustering.py`: a logistic regression on (article, candidate story) pairs of
    # DUC 2003 and the first half of the AllSides stories, weighted equally; the same-day weight and
    # join_score then set by grid search on those two sets' pairwise F1 (bench_clustering.py reports all)
    weights: tuple[float, ...] = (-2.54, -3.17, 0.51, 12.57, 7.31, -1.18, -7.04, 10.55, 4.46)
    join_score: float = 1.14


SIGNALS = ("centroid", "nearest", "names", "lexical_centroid", "lexical_nearest", "log_days_apart", "same_day", "same_day_nearest", "same_day_lexical")


ENTITY_NOISE = frozenset("ap afp reuters xinhua upi nyt dpa ansa efe cnn bbc associated press news".split())
_WORD = re.compile(r"\w+(?:['’.-]\w+)*")
_SENTENCE_BREAK = re.compile(r"(?<=[.!?:;\"“”])\s+|\n")
_PUNCTUATION = "\"'“”‘’()[]{},.;:!?-–—_*"
_FEATURES_VERSION = 2  # 2: 65536 term dimensions, no title/lead term set


@dataclass
class ArticleFeatures:
    """What the clusterer knows of one article; `to_bytes` stores it in a BLOB."""

    vector: np.ndarray  # float32, L2-normalised, values exactly representable in float16
    minhash: np.ndarray  # uint32 signature; empty when the text is too short to shingle
    entities: frozenset[str]  # capitalised names of title and lead, lowercased
    date: dt.date | None = None
    # hashed term frequencies of title and body: sorted dimensions and their L2-normalised weights
    term_index: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.uint16))
    term_weight: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.float32))

    def to_bytes(self) -> bytes:
        date = self.date.toordinal() if self.date else 0
        words = "\n".join(sorted(self.entities))
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
        entities = data[offset:].decode("utf-8")
        return cls(
            vector=vector,
            minhash=minhash,
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
    # the title counts twice: it names the event
    term_lists = [2 * content_terms(a.title) + terms_of_words(words[:options.term_words]) if a.title
                  else terms_of_words(words[:options.term_words]) for a, words in zip(articles, bodies)]
    lexical = _lexical(term_lists, options)  # these two run over the whole batch at once
    signatures = _minhashes(bodies, options)
    return [
        ArticleFeatures(
            vector=vector,
            minhash=signature,
            entities=_entities(article.title, words[:options.lead_words]),
            date=article.date,
            term_index=term_index,
            term_weight=term_weight,
        )
        for article, words, vector, signature, (term_index, term_weight) in zip(articles, bodies, vectors, signatures, lexical)
    ]


def story_id_for(first_article_id: str) -> str:
    return "s-" + hashlib.sha1(first_article_id.encode("utf-8")).hexdigest()[:10]


class _Story:
    __slots__ = ("id", "seq", "slot", "size", "first", "last", "total", "profile", "recent", "recent_vectors",
                 "terms_index", "terms_weight", "terms_segment", "keys")

    def __init__(self, story_id: str, seq: int):
        self.id, self.seq, self.slot, self.size = story_id, seq, -1, 0
        self.first = self.last = None  # date ordinals
        self.total = None  # sum of the members' vectors
        # sum of the members' hashed term vectors, heaviest terms only: sorted dimensions, weights
        self.profile = (np.zeros(0, dtype=np.uint16), np.zeros(0, dtype=np.float32))
        self.recent: list[ArticleFeatures] = []  # the latest members, oldest first
        self.recent_vectors = None  # their vectors as rows
        # the profile's and the recent members' term vectors end to end (segment 0: the profile), so
        # that one gather scores an article against all of them (small types: thousands stay open)
        self.terms_index = self.terms_weight = self.terms_segment = None
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
        # document frequencies of the hashed terms over every article seen: inverse document frequency
        # weights the lexical cosines, so that what every story says counts little
        self._docs = 0
        self._log_df = np.full(options.term_dims, math.log(0.5), dtype=np.float32)
        self._df = np.zeros(options.term_dims, dtype=np.int64)
        self._scratch = np.zeros(options.term_dims, dtype=np.float32)
        self.closed: list[str] = []  # ids of the stories closed so far, in closing order

    # -- the contract -------------------------------------------------------------------------

    def add(self, article_id: str, feats: ArticleFeatures) -> str:
        """Put one article into a story; returns the story's id (an existing one, or a new one)."""
        date = self._advance(feats)
        sketch = _to_datasketch(feats.minhash) if len(feats.minhash) else None  # made once, for the query and the insert
        story = self._copied_story(feats, sketch) or self._best_story(feats, date)
        if story is None:
            story_id = story_id_for(article_id)
            while story_id in self._stories:  # the same id started an earlier, still open story
                story_id = story_id_for(story_id)
            story = self._open(story_id)
        self._attach(story, article_id, feats, date, sketch)
        return story.id

    def restore(self, stories: Iterable[tuple[str, list[tuple[str, ArticleFeatures]]]], now: dt.date | None = None,
                term_counts: bytes | None = None) -> None:
        """Rebuild open stories from stored ones (each with its articles in arrival order), so that
        `add` continues as if those articles had just been added. `now` is the newest date the
        stream had seen, when it is later than every restored article; `term_counts` is what
        `term_counts()` gave when those articles were stored (closed stories' articles count too)."""
        if term_counts:
            counts = np.frombuffer(zlib.decompress(term_counts), dtype="<i8")
            if len(counts) != self.options.term_dims + 1:
                raise ValueError(f"term counts of {len(counts) - 1} dimensions; these options use {self.options.term_dims}")
            self._docs, self._df = int(counts[0]), counts[1:].astype(np.int64)
            self._log_df = np.log(self._df + 0.5).astype(np.float32)
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

    def _advance(self, feats: ArticleFeatures) -> int | None:
        """Move the stream past one arriving article: its date (or the newest one seen) as an
        ordinal, stale stories closed, its terms counted."""
        date = feats.date.toordinal() if feats.date else self._newest
        if date is not None and (self._newest is None or date > self._newest):
            self._newest = date
            self._close_stale()
        self._docs += 1
        index = feats.term_index.astype(np.intp)
        self._df[index] += 1
        self._log_df[index] = np.log(self._df[index] + 0.5)
        return date

    def _idf(self, index: np.ndarray) -> np.ndarray:
        return np.maximum(math.log(self._docs + self.options.idf_prior_docs + 1) - self._log_df[index], 0.0)

    def term_counts(self) -> bytes:
        """The stream's document frequencies, for the store to keep beside the articles they count."""
        return zlib.compress(np.concatenate([[self._docs], self._df]).astype("<i8").tobytes())

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
        stories, signals = self._signals(feats, date)
        return list(zip(stories, signals.tolist()))

    def _signals(self, feats: ArticleFeatures, date: int | None) -> tuple[list[_Story], np.ndarray]:
        """The candidate stories and their SIGNALS, one row each."""
        if not self._stories:
            return [], np.zeros((0, len(SIGNALS)))
        cosines = self._centroids[:len(self._slots)] @ feats.vector
        cosines[self._free] = -np.inf  # closed stories' slots, waiting for reuse
        k = min(self.options.candidates, len(cosines))
        top = np.argpartition(-cosines, k - 1)[:k] if k < len(cosines) else np.arange(len(cosines))
        top = top[np.isfinite(cosines[top])]
        stories = [self._slots[slot] for slot in top]
        lexical = self._lexical_cosines(feats, stories)
        starts = np.cumsum([0] + [len(s.recent) for s in stories[:-1]])
        nearest = np.maximum.reduceat(np.vstack([s.recent_vectors for s in stories]) @ feats.vector, starts)
        lexical_nearest = lexical[:, 1:].max(axis=1)
        days = np.array([_days_apart(story, date) for story in stories])
        same_day = (days == 0).astype(np.float64)
        names = [max(_overlap(feats.entities, m.entities) for m in story.recent) for story in stories]
        return stories, np.column_stack([cosines[top], nearest, names, lexical[:, 0], lexical_nearest,
                                         np.log1p(days), same_day, nearest * same_day, lexical_nearest * same_day])

    def _lexical_cosines(self, feats: ArticleFeatures, stories: list[_Story]) -> np.ndarray:
        """TF-IDF cosines of the article to each story's profile and recent members: one row per
        story, column 0 the profile (members not yet there score 0)."""
        index = feats.term_index.astype(np.intp)
        weighted = feats.term_weight * self._idf(index)
        norm = float(np.linalg.norm(weighted))
        self._scratch[index] = weighted / norm if norm else 0.0
        segments = 1 + self.options.recent
        all_index = np.concatenate([s.terms_index for s in stories])
        all_segment = np.concatenate([s.terms_segment + i * segments for i, s in enumerate(stories)])
        weighted = np.concatenate([s.terms_weight for s in stories]) * self._idf(all_index)
        size = segments * len(stories)
        dots = np.bincount(all_segment, weights=self._scratch[all_index] * weighted, minlength=size)
        norms = np.sqrt(np.bincount(all_segment, weights=weighted * weighted, minlength=size))
        self._scratch[index] = 0.0
        return np.divide(dots, norms, out=np.zeros(size), where=norms > 0).reshape(len(stories), segments)

    def _best_story(self, feats: ArticleFeatures, date: int | None) -> _Story | None:
        stories, signals = self._signals(feats, date)
        if not stories:
            return None
        scores = signals @ np.asarray(self.options.weights)
        best = max(range(len(stories)), key=lambda i: (scores[i], -stories[i].seq))  # ties: the older story
        return stories[best] if scores[best] > self.options.join_score else None

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
        story.total += feats.vector
        self._centroids[story.slot] = story.total / max(float(np.linalg.norm(story.total)), 1e-12)
        dims, inverse = np.unique(np.concatenate([story.profile[0], feats.term_index]), return_inverse=True)
        weights = np.bincount(inverse, weights=np.concatenate([story.profile[1], feats.term_weight])).astype(np.float32)
        if len(dims) > 2 * self.options.profile_terms:  # keep the heaviest; ties by dimension, deterministic
            kept = np.sort(np.lexsort((dims, -weights))[:self.options.profile_terms])
            dims, weights = dims[kept], weights[kept]
        story.profile = (dims, weights)
        story.recent.append(feats)
        del story.recent[:-self.options.recent]
        story.recent_vectors = np.vstack([m.vector for m in story.recent])
        story.terms_index = np.concatenate([story.profile[0], *(m.term_index for m in story.recent)])
        story.terms_weight = np.concatenate([story.profile[1], *(m.term_weight for m in story.recent)])
        story.terms_segment = np.repeat(np.arange(1 + len(story.recent), dtype=np.uint8),
                                        [len(dims), *(len(m.term_index) for m in story.recent)])
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


def _entity_of(word: str) -> str | None:
    """The name a capitalised word (not opening its sentence) stands for, or None."""
    if not word[0].isupper():
        return None
    word = word.strip(_PUNCTUATION).lower().replace("’", "'")
    if word.endswith("'s"):
        word = word[:-2]
    if len(word) > 1 and word not in STOP_WORDS and word not in ENTITY_NOISE:
        return stem(word)
    return None


def _shingle_tokens(word: str) -> tuple[int, ...]:
    """The shingle tokens of a whitespace-free word: each one's crc32 and length in bytes, packed
    as crc | length << 32."""
    return tuple(zlib.crc32(encoded := token.encode("utf-8")) | len(encoded) << 32 for token in _WORD.findall(word.lower()))


_ENTITY_OF = Memo(_entity_of)
_TERM_CRC = Memo(lambda term: zlib.crc32(term.encode("utf-8")))  # crc32: the same in every process
_SHINGLE_TOKENS = Memo(_shingle_tokens)
_SENTENCE_END = frozenset(".!?:;\"“”")  # a word ending in one of these ends its sentence (as _SENTENCE_BREAK)


def _lexical(term_lists: Sequence[list[str]], options: ClusterOptions) -> list[tuple[np.ndarray, np.ndarray]]:
    """For each list of terms: their sublinear frequencies hashed into `term_dims` dimensions with
    crc32 (the same in every process), L2-normalised: (sorted dimensions, weights)."""
    lengths = np.fromiter(map(len, term_lists), dtype=np.int64, count=len(term_lists))
    crcs = np.fromiter(map(_TERM_CRC.__getitem__, itertools.chain.from_iterable(term_lists)), dtype=np.int64, count=int(lengths.sum()))
    # one sort of (list, dimension) keys counts every list's dimensions at once
    keys, counts = np.unique(np.repeat(np.arange(len(term_lists), dtype=np.int64), lengths) * options.term_dims
                             + crcs % options.term_dims, return_counts=True)
    owner, dims = np.divmod(keys, options.term_dims)
    weights = 1.0 + np.log(counts.astype(np.float32))
    bounds = np.searchsorted(owner, np.arange(len(term_lists) + 1))
    result = []
    for begin, end in zip(bounds[:-1], bounds[1:]):
        weight = weights[begin:end]
        weight = (weight / max(float(np.linalg.norm(weight)), 1e-12)).astype(np.float16).astype(np.float32)
        result.append((dims[begin:end].astype(np.uint16), weight))
    return result


def _round_to_float16(matrix: np.ndarray) -> np.ndarray:
    # what is stored is float16: compute with exactly those values, so a restored story scores the same
    return np.asarray(matrix, dtype=np.float32).astype(np.float16).astype(np.float32)


def _entities(title: str | None, lead: list[str]) -> frozenset[str]:
    """Capitalised words that do not open a sentence or line, of the title and of the lead's words:
    names, places, organisations."""
    names = set()
    for sentence in _SENTENCE_BREAK.split(title) if title else ():
        names.update(map(_ENTITY_OF.__getitem__, sentence.split()[1:]))
    # the lead's words are joined by spaces: a word opens a sentence when the word before ends one
    names.update(name for name, before in zip(map(_ENTITY_OF.__getitem__, lead[1:]), lead)
                 if name is not None and before[-1] not in _SENTENCE_END)
    names.discard(None)
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
    """The signature of one body, shingle by shingle through datasketch: the reference that
    `_minhashes` computes for a whole batch at once."""
    from datasketch import MinHash

    words = _WORD.findall(" ".join(body[:options.shingle_span]).lower())[:options.shingle_span]
    n = options.shingle_words
    if len(words) < 2 * n:  # too short to tell a copy from a coincidence
        return np.zeros(0, dtype=np.uint32)
    signature = MinHash(hashfunc=zlib.crc32, **_datasketch_kwargs(options.num_perm))  # crc32: the same in every process
    signature.update_batch([" ".join(words[i:i + n]).encode("utf-8") for i in range(len(words) - n + 1)])
    return np.asarray(signature.hashvalues, dtype=np.uint32)


def _minhashes(bodies: Sequence[list[str]], options: ClusterOptions) -> list[np.ndarray]:
    """`_minhash` of each body, the same signatures, vectorised over the batch: each shingle's
    crc32 is combined from its words' crc32s (crc32 is linear), then datasketch's affine32
    permutations are applied to all shingles with numpy."""
    permutations, scheme = _permutations(options.num_perm)
    if scheme != "affine32":  # another datasketch scheme: let datasketch compute it
        return [_minhash(body, options) for body in bodies]
    n, span = options.shingle_words, options.shingle_span
    # the tokens of the opening words: a text's tokens are its words' tokens, as no token spans a space
    word_lists = [list(itertools.islice(itertools.chain.from_iterable(map(_SHINGLE_TOKENS.__getitem__, body[:span])), span))
                  for body in bodies]
    signed = [i for i, words in enumerate(word_lists) if len(words) >= 2 * n]  # shorter: no signature, as in _minhash
    result = [np.zeros(0, dtype=np.uint32)] * len(bodies)
    if not signed:
        return result
    lengths = np.array([len(word_lists[i]) for i in signed], dtype=np.int64)
    packed = np.fromiter(itertools.chain.from_iterable(word_lists[i] for i in signed), dtype=np.int64, count=int(lengths.sum()))
    crc, size = (packed & 0xFFFFFFFF).astype(np.uint32), packed >> 32
    spaced = _crc32_shift(np.full(len(crc), _CRC32_SPACE, dtype=np.uint32), size) ^ crc  # crc32 of " " + word
    shingles = lengths - n + 1
    most = int(shingles.max())
    # grid[article, j]: the first word of the article's j-th shingle; -1 past its last shingle
    column = np.arange(most)
    valid = column[None, :] < shingles[:, None]
    first = np.where(valid, (np.cumsum(lengths) - lengths)[:, None] + column[None, :], 0)
    hashes = crc[first]
    for j in range(1, n):  # crc32(a + " " + b) = crc32(a) shifted past len(" " + b) bytes, xor crc32(" " + b)
        hashes = _crc32_shift(hashes, size[first + j] + 1) ^ spaced[first + j]
    hashes = _fmix32(hashes)
    a, b = (p.astype(np.uint32) for p in permutations)
    for begin in range(0, len(signed), 256):  # 256 articles' permuted hashes (~10 MB) at a time
        block = hashes[begin:begin + 256, :, None] * a + b  # uint32 arithmetic wraps: datasketch's mod 2^32
        block[~valid[begin:begin + 256]] = np.uint32(0xFFFFFFFF)
        for row, signature in zip(signed[begin:begin + 256], block.min(axis=1)):
            result[row] = signature
    return result


def _fmix32(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's finaliser, as datasketch's affine32 scheme mixes each hash before permuting."""
    h = h ^ (h >> np.uint32(16))
    h = h * np.uint32(0x85EBCA6B)
    h = h ^ (h >> np.uint32(13))
    h = h * np.uint32(0xC2B2AE35)
    return h ^ (h >> np.uint32(16))


_CRC32_SPACE = zlib.crc32(b" ")
_CRC32_SHIFT_BYTES = 64  # tables for shifting a crc past up to this many bytes at once


def _crc32_shift(crc: np.ndarray, count: np.ndarray) -> np.ndarray:
    """Elementwise: crc32(x) carried past `count` more bytes, so that crc32(x + y) =
    _crc32_shift(crc32(x), len(y)) ^ crc32(y) (zlib's crc32_combine)."""
    tables = _crc32_shift_tables()
    while True:
        step = np.minimum(count, _CRC32_SHIFT_BYTES)
        at = step * 1024
        crc = (tables[at + (crc & 0xFF)] ^ tables[at + 256 + ((crc >> 8) & 0xFF)]
               ^ tables[at + 512 + ((crc >> 16) & 0xFF)] ^ tables[at + 768 + (crc >> 24)])
        count = count - step
        if not count.any():
            return crc


@functools.lru_cache(maxsize=1)
def _crc32_shift_tables() -> np.ndarray:
    """Flat [k, i, v]: where the crc32 register value v << 8i goes after k zero bytes (a linear map,
    so a register after k bytes is the xor over its four bytes)."""
    table = np.arange(256, dtype=np.uint32)  # the byte table of the reflected crc32 polynomial
    for _ in range(8):
        table = np.where(table & 1, (table >> np.uint32(1)) ^ np.uint32(0xEDB88320), table >> np.uint32(1))
    register = np.arange(256, dtype=np.uint32)[None, :] << (8 * np.arange(4, dtype=np.uint32))[:, None]
    tables = np.empty((_CRC32_SHIFT_BYTES + 1, 4, 256), dtype=np.uint32)
    tables[0] = register
    for k in range(1, _CRC32_SHIFT_BYTES + 1):
        register = table[register & 0xFF] ^ (register >> np.uint32(8))
        tables[k] = register
    return tables.reshape(-1)


def _to_datasketch(signature: np.ndarray):
    """A datasketch MinHash holding `signature` (for MinHashLSH): a copy of an empty one made with
    the same permutations, values swapped in; the constructor's checks cost more than the LSH query."""
    template = _empty_datasketch(len(signature))
    sketch = object.__new__(type(template))
    sketch.__dict__.update(template.__dict__)
    sketch.hashvalues = np.asarray(signature, dtype=template.hashvalues.dtype)
    return sketch


@functools.lru_cache(maxsize=4)
def _empty_datasketch(num_perm: int):
    from datasketch import MinHash

    return MinHash(**_datasketch_kwargs(num_perm))
