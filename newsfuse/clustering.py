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

What scoring reads of a story is kept per slot in arrays and flat pools (not per story), so that
one compiled call (kernels.py) computes every candidate's signals without gathering them first.

Stories close when the newest date seen is more than `close_days` past their last article; a
closed story leaves the candidate index and the LSH. Story ids derive from the first article's id,
so the same input order gives the same stories whether articles arrive one by one or in a batch.
"""
from __future__ import annotations

import datetime as dt
import hashlib
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
    """An open story; what candidate scoring reads is in the clusterer's per-slot arrays."""

    __slots__ = ("id", "seq", "slot", "size", "total", "keys")

    def __init__(self, story_id: str, seq: int):
        self.id, self.seq, self.slot, self.size = story_id, seq, -1, 0
        self.total = None  # sum of the members' vectors
        self.keys: list[str] = []  # article ids in the LSH


_POOL_START = 1 << 16  # entries a pool starts with


class _Pool:
    """Variable-length blocks (a story's term profile, its recent members' terms or names) end to
    end in flat arrays, found by (start, length) per slot and segment, so that one compiled loop
    reads any candidate's without concatenating them. A rewritten block goes to the end; when the
    arrays are full, the live blocks are packed into new ones."""

    def __init__(self, dtypes: tuple, segments: int):
        self.columns = [np.zeros(_POOL_START, dtype=dtype) for dtype in dtypes]
        self.end = 0
        self.blocks = np.zeros((0, segments, 2), dtype=np.int64)

    def get(self, slot: int, segment: int) -> list[np.ndarray]:
        start, length = self.blocks[slot, segment]
        return [column[start:start + length] for column in self.columns]

    def put(self, slot: int, segment: int, *values: np.ndarray) -> None:
        length = len(values[0])
        if self.end + length > len(self.columns[0]):
            self._pack(length)
        for column, value in zip(self.columns, values):
            column[self.end:self.end + length] = value
        self.blocks[slot, segment] = self.end, length
        self.end += length

    def clear(self, slot: int) -> None:
        self.blocks[slot] = 0

    def _pack(self, room: int) -> None:
        starts, lengths = self.blocks[..., 0].ravel(), self.blocks[..., 1].ravel()
        live = np.flatnonzero(lengths)
        new_starts = np.cumsum(lengths[live]) - lengths[live]
        self.end = int(lengths.sum())
        gather = np.repeat(starts[live] - new_starts, lengths[live]) + np.arange(self.end)
        capacity = max(2 * (self.end + room), len(self.columns[0]))
        columns = [np.zeros(capacity, dtype=column.dtype) for column in self.columns]
        for old, new in zip(self.columns, columns):
            new[:self.end] = old[gather]
        self.columns = columns
        self.blocks[..., 0].flat[live] = new_starts


class StreamClusterer:
    """Assigns articles to stories one at a time; see the module docstring for the algorithm."""

    def __init__(self, options: ClusterOptions = ClusterOptions()):
        if len(options.weights) != len(SIGNALS):
            raise ValueError(f"ClusterOptions.weights needs one weight per signal: {', '.join(SIGNALS)}")
        self.options = options
        self._weights = np.asarray(options.weights)
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
        # per slot, what candidate scoring reads: the dates spanned (ordinals; -1: none), the latest
        # `recent` members' vectors in a ring (and how many; member n of a story goes to n % recent),
        # and in pools the term profile (segment 0) and each member's terms (1 + ring position) and names
        self._first = np.zeros(0, dtype=np.int64)
        self._last = np.zeros(0, dtype=np.int64)
        self._recent_vectors = np.zeros((0, options.recent, 0), dtype=np.float32)
        self._recent_count = np.zeros(0, dtype=np.int64)
        self._terms = _Pool((np.uint16, np.float32), 1 + options.recent)
        self._names = _Pool((np.int64,), options.recent)
        self._added = 0  # articles added so far
        self._lsh: _CopyIndex | None = None  # built on the first signature, once its length is known
        self._copies: dict[str, tuple[str, np.ndarray]] = {}  # LSH key -> (story id, signature)
        self._changed: set[str] = set()
        # document frequencies of the hashed terms over every article seen: inverse document frequency
        # weights the lexical cosines, so that what every story says counts little
        self._docs = 0
        self._log_df = np.full(options.term_dims, math.log(0.5), dtype=np.float32)
        self._df = np.zeros(options.term_dims, dtype=np.int64)
        self._log_table = _log_counts(min(1024, _LOG_TABLE_MAX + 1))
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
        dates = [int(self._last[s.slot]) for s in self._stories.values() if self._last[s.slot] >= 0]
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
        if len(self._log_table) <= min(self._docs, _LOG_TABLE_MAX):  # the table of log(count + 0.5) doubles as counts grow
            self._log_table = _log_counts(min(2 * len(self._log_table), _LOG_TABLE_MAX + 1))
        if not self._kernels.count_terms(feats.term_index, self._df, self._log_df, self._log_table):
            index = feats.term_index.astype(np.intp)  # a count past the table: computed as the table is
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
        slots, signals = self._signals(feats, date)
        return [(self._slots[slot], row) for slot, row in zip(slots.tolist(), signals.tolist())]

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
                 nearest: NearestSlots | None = None) -> tuple[np.ndarray, np.ndarray]:
        """The candidate stories' slots and their SIGNALS, one row each (`names`: the article's name ids)."""
        if not self._stories:
            return np.zeros(0, dtype=np.int64), np.zeros((0, len(SIGNALS)))
        top, cosines = self._nearest(feats, nearest)
        signals = self._kernels.candidate_signals(
            top, cosines, feats.vector, feats.term_index, feats.term_weight, _name_ids(feats.entities) if names is None else names,
            -1 if date is None else date, self._log_df, math.log(self._docs + self.options.idf_prior_docs + 1), self._scratch,
            self._recent_vectors, self._recent_count, self._terms.blocks, *self._terms.columns, self._names.blocks,
            *self._names.columns, self._first, self._last)
        signals[:, 5] = np.log1p(signals[:, 5])
        return top, signals

    def _best_story(self, feats: ArticleFeatures, date: int | None, names: np.ndarray | None = None,
                    nearest: NearestSlots | None = None) -> _Story | None:
        slots, signals = self._signals(feats, date, names, nearest)
        if not len(slots):
            return None
        scores = signals @ self._weights
        best = np.lexsort((self._slot_seq[slots], -scores))[0]  # the highest score; ties: the older story
        return self._slots[slots[best]] if scores[best] > self.options.join_score else None

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
            self._recent_vectors = np.zeros((0, self.options.recent, len(feats.vector)), dtype=np.float32)
        if story.slot < 0:
            story.slot = self._take_slot(story)
            story.total = np.zeros(len(feats.vector), dtype=np.float64)
        slot = story.slot
        story.total += feats.vector
        self._centroids[slot] = story.total / max(float(np.linalg.norm(story.total)), 1e-12)
        self._touched[slot] = self._added
        # the profile: the sum of the members' hashed term vectors, heaviest terms only
        dims, weights = self._kernels.merge_terms(*self._terms.get(slot, 0), feats.term_index, feats.term_weight)
        if len(dims) > 2 * self.options.profile_terms:  # keep the heaviest; ties by dimension, deterministic
            kept = np.sort(np.lexsort((dims, -weights))[:self.options.profile_terms])
            dims, weights = dims[kept], weights[kept]
        self._terms.put(slot, 0, dims, weights)
        member = story.size % self.options.recent  # the ring's oldest member (or a free place) makes way
        self._recent_count[slot] = min(story.size + 1, self.options.recent)
        self._recent_vectors[slot, member] = feats.vector
        self._terms.put(slot, 1 + member, feats.term_index, feats.term_weight)
        self._names.put(slot, member, _name_ids(feats.entities) if names is None else names)
        story.size += 1
        if date is not None:
            self._first[slot] = date if self._first[slot] < 0 else min(self._first[slot], date)
            self._last[slot] = max(self._last[slot], date)
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
                self._centroids, self._touched = _grown(self._centroids, more), _grown(self._touched, more)
                self._slot_seq, self._first, self._last = (_grown(a, more, -1) for a in (self._slot_seq, self._first, self._last))
                self._recent_vectors = _grown(self._recent_vectors, more)
                self._recent_count = _grown(self._recent_count, more)
                self._terms.blocks, self._names.blocks = _grown(self._terms.blocks, more), _grown(self._names.blocks, more)
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
        n = len(self._slots)
        stale = np.flatnonzero((self._slot_seq[:n] >= 0) & (self._last[:n] >= 0) & (self._last[:n] < horizon))
        for slot in stale[np.argsort(self._slot_seq[stale])].tolist():  # in the order the stories opened
            story = self._slots[slot]
            del self._stories[story.id]
            self._slots[slot] = None
            self._centroids[slot] = 0.0
            self._slot_seq[slot], self._touched[slot] = -1, self._added
            self._first[slot] = self._last[slot] = -1
            self._recent_count[slot] = 0
            self._terms.clear(slot)
            self._names.clear(slot)
            self._free.append(slot)
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
            keys = table.get(band)
            if keys is None:
                table[band] = {key}
            else:
                keys.add(key)

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


def _grown(array: np.ndarray, more: int, fill=0) -> np.ndarray:
    """`array` with `more` rows of `fill` after its own."""
    return np.concatenate([array, np.full((more, *array.shape[1:]), fill, dtype=array.dtype)])


_LOG_TABLE_MAX = 1 << 22


def _log_counts(size: int) -> np.ndarray:
    """log(count + 0.5) of the counts 0 .. size - 1, as float32 (what _log_df holds)."""
    return np.log(np.arange(size) + 0.5).astype(np.float32)


def _name_id(name: str) -> int:
    """A 63-bit id of a name (crc32 and a 31-bit Adler-32 side by side: the same in every process)."""
    encoded = name.encode("utf-8")
    return (zlib.adler32(encoded) & 0x7FFFFFFF) << 32 | zlib.crc32(encoded)


_NAME_ID = Memo(_name_id)


def _name_ids(names: frozenset[str]) -> np.ndarray:
    """The sorted ids of a set of names."""
    return np.sort(np.fromiter(map(_NAME_ID.__getitem__, names), dtype=np.int64, count=len(names)))
