"""Compiled inner loops of story assignment (numba, cached on disk after the first run).

Each article is scored against a few candidate stories over thousands of (term, weight) entries;
as numpy calls, that is a dozen passes and temporary arrays per article, here it is one loop.
Imported only when a StreamClusterer is made: importing newsfuse stays cheap.
"""
from __future__ import annotations

import numba
import numpy as np


@numba.njit(cache=True, nogil=True)
def candidate_signals(slots, cosines, vector, article_index, article_weight, article_names, date, log_df, log_docs, scratch,
                      recent_vectors, recent_count, term_blocks, term_index, term_weight, name_blocks, names, first, last):
    """The SIGNALS of one article against each candidate story (by slot; `cosines`: to their
    centroids), column 5 holding the days apart (the caller takes log1p).

    A story's state lives in per-slot arrays: its recent members' vectors (`recent_vectors[slot,
    :recent_count[slot]]`), and blocks (start, length) of the flat term and name pools:
    term_blocks[slot, 0] its term profile, term_blocks[slot, 1 + m] and name_blocks[slot, m]
    member m's terms and names (sorted name ids; the article's too). TF-IDF weighs the terms: IDF
    of dimension d is log_docs - log_df[d], never below 0. `scratch`: a zeroed dense vector of all
    dimensions, left zeroed. `date`, first, last: day ordinals, -1 when unknown. An empty term
    block or name set scores 0."""
    norm = 0.0
    for i in range(len(article_index)):
        w = article_weight[i] * max(log_docs - log_df[article_index[i]], 0.0)
        norm += w * w
    norm = np.sqrt(norm)
    if norm > 0:
        for i in range(len(article_index)):
            d = article_index[i]
            scratch[d] = article_weight[i] * max(log_docs - log_df[d], 0.0) / norm
    signals = np.zeros((len(slots), 9))
    for s in range(len(slots)):
        slot = slots[s]
        signals[s, 0] = cosines[s]
        nearest = np.float32(-np.inf)
        for m in range(recent_count[slot]):
            nearest = max(nearest, _dot(recent_vectors[slot, m], vector))
        signals[s, 1] = nearest
        # lexical: the profile's cosine, and the nearest member's
        best_member = 0.0
        for g in range(term_blocks.shape[1]):
            start, length = term_blocks[slot, g, 0], term_blocks[slot, g, 1]
            dot = weight_norm = 0.0
            for e in range(start, start + length):
                d = term_index[e]
                w = term_weight[e] * max(log_docs - log_df[d], 0.0)
                dot += scratch[d] * w
                weight_norm += w * w
            cosine = dot / np.sqrt(weight_norm) if weight_norm > 0 else 0.0
            if g == 0:
                signals[s, 3] = cosine
            else:
                best_member = max(best_member, cosine)
        signals[s, 4] = best_member
        # names: the largest cosine between the article's name set and one member's
        if len(article_names):
            for m in range(name_blocks.shape[1]):
                start, length = name_blocks[slot, m, 0], name_blocks[slot, m, 1]
                shared = 0
                for e in range(start, start + length):
                    at = np.searchsorted(article_names, names[e])
                    if at < len(article_names) and article_names[at] == names[e]:
                        shared += 1
                if length > 0:
                    signals[s, 2] = max(signals[s, 2], shared / np.sqrt(len(article_names) * length))
        days = 0
        if date >= 0 and last[slot] >= 0:
            days = date - last[slot] if date > last[slot] else first[slot] - date if date < first[slot] else 0
        signals[s, 5] = days
        same_day = 1.0 if days == 0 else 0.0
        signals[s, 6] = same_day
        signals[s, 7] = signals[s, 1] * same_day
        signals[s, 8] = best_member * same_day
    for i in range(len(article_index)):
        scratch[article_index[i]] = 0.0
    return signals


@numba.njit(cache=True, nogil=True)
def count_terms(index, df, log_df, log_table):
    """Count one more document using these (distinct) dimensions: df[d] += 1 and log_df[d] =
    log_table[df[d]]. Returns False, leaving log_df as it was, where a count is past the table."""
    for d in index:
        df[d] += 1
    for d in index:
        if df[d] >= len(log_table):
            return False
    for d in index:
        log_df[d] = log_table[df[d]]
    return True


@numba.njit(cache=True, nogil=True)
def merge_terms(index_a, weight_a, index_b, weight_b):
    """Two sparse term vectors (sorted dimensions, weights) summed: sorted dimensions, weights."""
    merged_index = np.empty(len(index_a) + len(index_b), dtype=index_a.dtype)
    merged_weight = np.empty(len(index_a) + len(index_b), dtype=np.float32)
    i = j = n = 0
    while i < len(index_a) or j < len(index_b):
        if j == len(index_b) or (i < len(index_a) and index_a[i] < index_b[j]):
            merged_index[n], merged_weight[n] = index_a[i], weight_a[i]
            i += 1
        elif i == len(index_a) or index_b[j] < index_a[i]:
            merged_index[n], merged_weight[n] = index_b[j], weight_b[j]
            j += 1
        else:
            merged_index[n] = index_a[i]
            merged_weight[n] = np.float32(np.float64(weight_a[i]) + np.float64(weight_b[j]))
            i += 1
            j += 1
        n += 1
    return merged_index[:n], merged_weight[:n]


# reassociation lets a dot product vectorise; no "no infinities" flag, as free slots score -inf
@numba.njit(cache=True, nogil=True, fastmath={"reassoc", "contract"})
def _dot(a, b):
    """a . b in float32, by the same instructions whatever the arrays around them."""
    total = np.float32(0)
    for k in range(len(a)):
        total += a[k] * b[k]
    return total


@numba.njit(cache=True, nogil=True)
def cosines(rows, vectors, seqs):
    """rows (n, d) and vectors (m, d), L2-normalised: the (m, n) dot products, -inf for a row
    whose seq is negative (a free slot). Each product is computed by the same instructions
    whatever n and m are, so a row scores bit for bit the same in one process and on a Dask
    worker (BLAS's result depends on the matrix shapes)."""
    n, d = rows.shape
    out = np.empty((vectors.shape[0], n), dtype=np.float32)
    for j in range(vectors.shape[0]):
        for i in range(n):
            out[j, i] = _dot(rows[i], vectors[j]) if seqs[i] >= 0 else -np.inf
    return out


@numba.njit(cache=True, nogil=True)
def top_k(cosines, seqs, k):
    """Indices of the k largest finite cosines, largest first, ties to the smaller seq: what
    clustering._top chooses, for a small k in one pass."""
    best = np.empty(k, dtype=np.int64)
    found = 0
    for i in range(len(cosines)):
        c = cosines[i]
        if not np.isfinite(c):
            continue
        if found == k and (c < cosines[best[k - 1]] or (c == cosines[best[k - 1]] and seqs[i] > seqs[best[k - 1]])):
            continue
        at = min(found, k - 1)  # insertion sort into best[:found]
        while at > 0 and (cosines[best[at - 1]] < c or (cosines[best[at - 1]] == c and seqs[best[at - 1]] > seqs[i])):
            if at < k:
                best[at] = best[at - 1]
            at -= 1
        best[at] = i
        found = min(found + 1, k)
    return best[:found]

