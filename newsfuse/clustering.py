"""Incremental story clustering: each arriving article joins an open story or starts a new one.

An article is described by `ArticleFeatures` (see article_features.py): a static embedding of its
title and lead, a MinHash signature of its opening word shingles (syndicated copies), the hashed
frequencies of the content terms of its title and opening, its capitalised names (cheap entities),
and its date. `StreamClusterer.add` then

1. attaches a syndicated copy (MinHash LSH hit, estimated Jaccard >= `duplicate_jaccard`) to the
   story of the article it copies, at once;
2. otherwise ranks the open stories by the cosine of the article to each story's centroid (one
   matrix-vector product over open stories only; no all-pairs step), and rescores the best few
   with SIGNALS: the nearest of their recent articles, the TF-IDF cosine of the terms (to the
   story's profile of its heaviest terms and to its nearest recent article; document frequencies
   are counted over the whole stream so far), shared names, and the gap in days; it joins the best
   story whose weighted score clears `join_score`, or starts a new one.

The per-article loops over the candidates' terms and names are compiled (kernels.py).

Stories close when the newest date seen is more than `close_days` past their last article; a
closed story leaves the candidate index and the LSH. Story ids derive from the first article's id,
so the same input order gives the same stories whether articles arrive one by one or in a batch.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import math
import sys
import zlib
from dataclasses import dataclass
from typing import Iterable, Sequence

import numpy as np

from .article_features import ArticleFeatures, features
from .model import Article
from .terms import Memo

__all__ = ["SIGNALS", "ArticleFeatures", "ClusterOptions", "StreamClusterer", "assign_stories", "cluster_articles", "features",
           "story_id_for"]


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




def story_id_for(first_article_id: str) -> str:
    return "s-" + hashlib.sha1(first_article_id.encode("utf-8")).hexdigest()[:10]


class _Story:
    __slots__ = ("id", "seq", "slot", "size", "first", "last", "total", "profile", "recent", "recent_vectors",
                 "terms_index", "terms_weight", "terms_segment", "recent_names", "names", "names_member", "name_sizes", "keys")

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
        # the recent members' name ids likewise, and how many names each member has
        self.recent_names: list[np.ndarray] = []
        self.names = self.names_member = self.name_sizes = None
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
        # per slot: its story's creation number (-1: free), and the article count when its row last
        # changed (a snapshot taken at a smaller count is stale for that slot)
        self._slot_seq = np.zeros(0, dtype=np.int64)
        self._touched = np.zeros(0, dtype=np.int64)
        self._added = 0  # articles added so far
        self._lsh: _CopyIndex | None = None  # built on the first signature, once its length is known
        self._copies: dict[str, tuple[str, np.ndarray]] = {}  # LSH key -> (story id, signature)
        self._changed: set[str] = set()
        # document frequencies of the hashed terms over every article seen: inverse document frequency
        # weights the lexical cosines, so that what every story says counts little
        self._docs = 0
        self._log_df = np.full(options.term_dims, math.log(0.5), dtype=np.float32)
        self._df = np.zeros(options.term_dims, dtype=np.int64)
        self._scratch = np.zeros(options.term_dims, dtype=np.float64)
        from . import kernels  # numba: compiled (or loaded from its disk cache) here, not on import

        self._kernels = kernels
        self.closed: list[str] = []  # ids of the stories closed so far, in closing order

    # -- the contract -------------------------------------------------------------------------

    def add(self, article_id: str, feats: ArticleFeatures, nearest: NearestSlots | None = None) -> str:
        """Put one article into a story; returns the story's id (an existing one, or a new one).
        `nearest`: the article's nearest stories in an earlier `snapshot()`, found elsewhere (a
        Dask worker); the result is the same as without it."""
        self._added += 1
        date = self._advance(feats)
        bands, names = self._bands(feats.minhash), _name_ids(feats.entities)  # made once, for the query and the insert
        story = self._copied_story(feats, bands) or self._best_story(feats, date, names, nearest)
        if story is None:
            story_id = story_id_for(article_id)
            while story_id in self._stories:  # the same id started an earlier, still open story
                story_id = story_id_for(story_id)
            story = self._open(story_id)
        self._attach(story, article_id, feats, date, bands, names)
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

    def _bands(self, signature: np.ndarray) -> list[bytes] | None:
        if len(signature) == 0:
            return None
        if self._lsh is None:
            self._lsh = _CopyIndex(self.options.duplicate_jaccard, len(signature))
        return self._lsh.bands(signature)

    def _copied_story(self, feats: ArticleFeatures, bands: list[bytes] | None = None) -> _Story | None:
        bands = bands or self._bands(feats.minhash)
        if not bands:
            return None
        best, best_jaccard = None, self.options.duplicate_jaccard
        for key in self._lsh.query(bands):
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

    def snapshot(self) -> Snapshot:
        """The open stories' centroids now, for `nearest_slots` to search elsewhere."""
        n = len(self._slots)
        return Snapshot(self._added, self._centroids[:n].copy(), self._slot_seq[:n].copy())

    def _nearest(self, feats: ArticleFeatures, nearest: NearestSlots | None) -> tuple[np.ndarray, np.ndarray]:
        """The `candidates` open slots nearest the article by centroid cosine, and the cosines;
        from `nearest` where it is still good, so the same as computing it all here."""
        n = len(self._slots)
        if nearest is not None:
            stale = self._touched[:n] > nearest.added  # changed, opened or closed since the snapshot
            kept = ~stale[nearest.slots]
            if nearest.complete or kept.sum() >= self.options.candidates:  # else too much changed: search here
                changed = np.flatnonzero(stale & (self._slot_seq[:n] >= 0))
                slots = np.concatenate([nearest.slots[kept], changed])
                rescored = self._kernels.cosines(self._centroids[changed], feats.vector[None], self._slot_seq[changed])[0]
                cosines = np.concatenate([nearest.cosines[kept], rescored])
                top = _top(cosines, self._slot_seq[slots], self.options.candidates)
                return slots[top], cosines[top]
        cosines = self._kernels.cosines(self._centroids[:n], feats.vector[None], self._slot_seq[:n])[0]
        top = self._kernels.top_k(cosines, self._slot_seq[:n], self.options.candidates)  # as _top, faster for a few
        return top, cosines[top]

    def _signals(self, feats: ArticleFeatures, date: int | None, names: np.ndarray | None = None,
                 nearest: NearestSlots | None = None) -> tuple[list[_Story], np.ndarray]:
        """The candidate stories and their SIGNALS, one row each (`names`: the article's name ids)."""
        if not self._stories:
            return [], np.zeros((0, len(SIGNALS)))
        top, cosines = self._nearest(feats, nearest)
        stories = [self._slots[slot] for slot in top]
        lexical = self._lexical_cosines(feats, stories)
        signals = np.empty((len(stories), len(SIGNALS)))
        signals[:, 0] = cosines
        signals[:, 1] = nearest_member = np.maximum.reduceat(np.vstack([s.recent_vectors for s in stories]) @ feats.vector,
                                                      _starts([len(s.recent) for s in stories])[:-1])
        signals[:, 2] = self._kernels.name_overlaps(
            _name_ids(feats.entities) if names is None else names, np.concatenate([s.names for s in stories]),
            np.concatenate([s.names_member for s in stories]), _starts([len(s.names) for s in stories]),
            np.array([s.name_sizes for s in stories]))
        signals[:, 3] = lexical[:, 0]
        signals[:, 4] = lexical_nearest = lexical[:, 1:].max(axis=1)
        days = np.array([_days_apart(story, date) for story in stories])
        signals[:, 5] = np.log1p(days)
        signals[:, 6] = same_day = days == 0
        signals[:, 7] = nearest_member * same_day
        signals[:, 8] = lexical_nearest * same_day
        return stories, signals

    def _lexical_cosines(self, feats: ArticleFeatures, stories: list[_Story]) -> np.ndarray:
        """TF-IDF cosines of the article to each story's profile and recent members: one row per
        story, column 0 the profile (members not yet there score 0)."""
        starts = _starts([len(s.terms_index) for s in stories])
        return self._kernels.lexical_cosines(
            feats.term_index, feats.term_weight, self._log_df, math.log(self._docs + self.options.idf_prior_docs + 1),
            self._scratch, np.concatenate([s.terms_index for s in stories]), np.concatenate([s.terms_weight for s in stories]),
            np.concatenate([s.terms_segment for s in stories]), starts, 1 + self.options.recent)

    def _best_story(self, feats: ArticleFeatures, date: int | None, names: np.ndarray | None = None,
                    nearest: NearestSlots | None = None) -> _Story | None:
        stories, signals = self._signals(feats, date, names, nearest)
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

    def _attach(self, story: _Story, article_id: str, feats: ArticleFeatures, date: int | None, bands: list[bytes] | None = None,
                names: np.ndarray | None = None) -> None:
        if self._centroids.shape[1] == 0:
            self._centroids = np.zeros((0, len(feats.vector)), dtype=np.float32)
        if story.slot < 0:
            story.slot = self._take_slot(story)
            story.total = np.zeros(len(feats.vector), dtype=np.float64)
        story.total += feats.vector
        self._centroids[story.slot] = story.total / max(float(np.linalg.norm(story.total)), 1e-12)
        self._touched[story.slot] = self._added
        dims, weights = self._kernels.merge_terms(*story.profile, feats.term_index, feats.term_weight)
        if len(dims) > 2 * self.options.profile_terms:  # keep the heaviest; ties by dimension, deterministic
            kept = np.sort(np.lexsort((dims, -weights))[:self.options.profile_terms])
            dims, weights = dims[kept], weights[kept]
        story.profile = (dims, weights)
        story.recent.append(feats)
        del story.recent[:-self.options.recent]
        story.recent_names.append(_name_ids(feats.entities) if names is None else names)
        del story.recent_names[:-self.options.recent]
        story.names = np.concatenate(story.recent_names)
        sizes = [len(member) for member in story.recent_names]
        story.names_member = np.repeat(np.arange(len(sizes), dtype=np.uint8), sizes)
        story.name_sizes = np.array(sizes + [0] * (self.options.recent - len(sizes)), dtype=np.int64)
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
            self._index_copy(story, article_id, feats.minhash, bands or self._bands(feats.minhash))
        self._changed.add(story.id)

    def _take_slot(self, story: _Story) -> int:
        if self._free:
            slot = self._free.pop()
            self._slots[slot] = story
        else:
            slot = len(self._slots)
            self._slots.append(story)
            if slot >= len(self._centroids):
                more = max(64, len(self._centroids))  # capacity doubles
                self._centroids = np.vstack([self._centroids, np.zeros((more, self._centroids.shape[1]), dtype=np.float32)])
                self._slot_seq = np.concatenate([self._slot_seq, np.full(more, -1, dtype=np.int64)])
                self._touched = np.concatenate([self._touched, np.zeros(more, dtype=np.int64)])
        self._slot_seq[slot] = story.seq
        return slot

    def _index_copy(self, story: _Story, article_id: str, signature: np.ndarray, bands: list[bytes]) -> None:
        key = article_id
        while key in self._copies:  # an id seen twice (a re-sent article) is still a separate entry
            key += "\0"
        self._lsh.insert(key, bands)
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
            self._slot_seq[story.slot], self._touched[story.slot] = -1, self._added
            self._free.append(story.slot)
            for key in story.keys:
                self._forget_copy(key)
            self.closed.append(story.id)


@dataclass
class Snapshot:
    """The open stories' centroids after `added` articles: what candidate search needs."""

    added: int
    centroids: np.ndarray  # one row per slot
    seqs: np.ndarray  # per slot, its story's creation number; -1: a free slot


@dataclass
class NearestSlots:
    """One article's nearest slots in a snapshot, with their cosines; `complete`: every open slot."""

    added: int
    slots: np.ndarray
    cosines: np.ndarray
    complete: bool


def nearest_slots(snapshot: Snapshot, vectors: np.ndarray, count: int) -> list[NearestSlots]:
    """Candidate search, where it runs apart from the clusterer: for each article vector, the
    `count` open slots of the snapshot nearest by centroid cosine. Given to `StreamClusterer.add`
    before `count - candidates` slots have changed, it spares the clusterer the search."""
    from . import kernels

    result = []
    for cosines in kernels.cosines(snapshot.centroids, vectors, snapshot.seqs) if len(vectors) else ():
        top = _top(cosines, snapshot.seqs, count)
        result.append(NearestSlots(snapshot.added, top, cosines[top], len(top) == int((snapshot.seqs >= 0).sum())))
    return result


def _top(cosines: np.ndarray, seqs: np.ndarray, k: int) -> np.ndarray:
    """Indices of the k largest finite cosines, ties going to the older story (smaller seq): a
    choice that does not depend on the order of the entries."""
    if len(cosines) > k:
        kth = np.partition(cosines, len(cosines) - k)[len(cosines) - k]
        above, tied = np.flatnonzero(cosines > kth), np.flatnonzero(cosines == kth)
        chosen = np.concatenate([above, tied[np.argsort(seqs[tied], kind="stable")[:k - len(above)]]])
    else:
        chosen = np.arange(len(cosines))
    return chosen[np.isfinite(cosines[chosen])]


class _CopyIndex:
    """MinHash LSH: signatures cut into bands, and a table per band from the band's bytes to the
    keys of the signatures that have it; a query returns every key sharing a band. The band count
    and width are datasketch's MinHashLSH choice for the threshold (least false positives and
    negatives, equally weighted)."""

    def __init__(self, threshold: float, num_perm: int):
        from datasketch import MinHashLSH

        chosen = MinHashLSH(threshold=threshold, num_perm=num_perm)
        self.width = 4 * chosen.r  # bytes of a band of uint32 values
        self.tables: list[dict[bytes, set[str]]] = [{} for _ in range(chosen.b)]
        self.keys: dict[str, list[bytes]] = {}

    def bands(self, signature: np.ndarray) -> list[bytes]:
        raw = signature.astype("<u4").tobytes()
        return [raw[i * self.width:(i + 1) * self.width] for i in range(len(self.tables))]

    def insert(self, key: str, bands: list[bytes]) -> None:
        self.keys[key] = bands
        for table, band in zip(self.tables, bands):
            table.setdefault(band, set()).add(key)

    def remove(self, key: str) -> None:
        for table, band in zip(self.tables, self.keys.pop(key)):
            keys = table[band]
            keys.discard(key)
            if not keys:
                del table[band]

    def query(self, bands: list[bytes]) -> set[str]:
        found = set()
        for table, band in zip(self.tables, bands):
            found.update(table.get(band, ()))
        return found


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


def assign_stories(featured: Iterable[tuple], options: ClusterOptions = ClusterOptions(), total: int | None = None,
                   progress: bool = False, clusterer: StreamClusterer | None = None) -> list[str]:
    """Run (article id, features) pairs, or (article id, features, NearestSlots) triples, through
    one StreamClusterer (a new one by default) in order; the story id of each."""
    from threadpoolctl import threadpool_limits
    from tqdm import tqdm

    clusterer = clusterer or StreamClusterer(options)
    # one BLAS thread: the per-article products are too small to gain from more
    with threadpool_limits(1), tqdm(total=total, unit=" articles", disable=not progress, file=sys.stderr, dynamic_ncols=True) as bar:
        labels = []
        for article_id, feats, *nearest in featured:
            labels.append(clusterer.add(article_id, feats, *nearest))
            bar.update(1)
    return labels


def _name_id(name: str) -> int:
    """A 63-bit id of a name (crc32 and a 31-bit Adler-32 side by side: the same in every process)."""
    encoded = name.encode("utf-8")
    return (zlib.adler32(encoded) & 0x7FFFFFFF) << 32 | zlib.crc32(encoded)


_NAME_ID = Memo(_name_id)


def _name_ids(names: frozenset[str]) -> np.ndarray:
    """The sorted ids of a set of names."""
    return np.sort(np.fromiter(map(_NAME_ID.__getitem__, names), dtype=np.int64, count=len(names)))


def _starts(lengths: list[int]) -> np.ndarray:
    """Where each of consecutive runs of these lengths starts, and the end of the last."""
    return np.fromiter(itertools.accumulate(lengths, initial=0), dtype=np.int64, count=len(lengths) + 1)


def _days_apart(story: _Story, date: int | None) -> int:
    if date is None or story.last is None:
        return 0
    if date > story.last:
        return date - story.last
    if date < story.first:
        return story.first - date
    return 0



