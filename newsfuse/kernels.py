"""Compiled inner loops of story assignment (numba, cached on disk after the first run).

Each article is scored against a few candidate stories over thousands of (term, weight) entries;
as numpy calls, that is a dozen passes and temporary arrays per article, here it is one loop.
Imported only when a StreamClusterer is made: importing newsfuse stays cheap.
"""
from __future__ import annotations

import numba
import numpy as np


@numba.njit(cache=True, nogil=True)
def lexical_cosines(article_index, article_weight, log_df, log_docs, scratch, index, weight, segment, starts, segments):
    """TF-IDF cosines of one article to the term segments of each candidate story.

    `index`/`weight`/`segment`: the candidates' term entries end to end (story i's from starts[i]
    to starts[i + 1]), each tagged with its segment in the story (0 the profile, then the recent
    members). IDF of a dimension d is log_docs - log_df[d] (never below 0). `scratch` is a zeroed
    dense vector of all dimensions, left zeroed. Returns (stories, segments) cosines; an empty
    segment scores 0."""
    norm = 0.0
    for i in range(len(article_index)):
        w = article_weight[i] * max(log_docs - log_df[article_index[i]], 0.0)
        norm += w * w
    norm = np.sqrt(norm)
    if norm > 0:
        for i in range(len(article_index)):
            d = article_index[i]
            scratch[d] = article_weight[i] * max(log_docs - log_df[d], 0.0) / norm
    stories = len(starts) - 1
    dots = np.zeros((stories, segments))
    norms = np.zeros((stories, segments))
    for s in range(stories):
        for e in range(starts[s], starts[s + 1]):
            d = index[e]
            w = weight[e] * max(log_docs - log_df[d], 0.0)
            dots[s, segment[e]] += scratch[d] * w
            norms[s, segment[e]] += w * w
    for i in range(len(article_index)):
        scratch[article_index[i]] = 0.0
    for s in range(stories):
        for g in range(segments):
            dots[s, g] = dots[s, g] / np.sqrt(norms[s, g]) if norms[s, g] > 0 else 0.0
    return dots


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


@numba.njit(cache=True, nogil=True)
def name_overlaps(article_names, names, member, starts, member_sizes):
    """For each candidate story, the largest cosine between the article's set of names and one of
    its recent members' (sets as sorted ids; `names`/`member`: the candidates' members' name ids
    end to end, story i's from starts[i] to starts[i + 1], each tagged with its member;
    member_sizes[i, m]: how many names member m has)."""
    stories, members = member_sizes.shape
    result = np.zeros(stories)
    if len(article_names) == 0:
        return result
    for s in range(stories):
        shared = np.zeros(members, dtype=np.int64)
        for e in range(starts[s], starts[s + 1]):
            at = np.searchsorted(article_names, names[e])
            if at < len(article_names) and article_names[at] == names[e]:
                shared[member[e]] += 1
        for m in range(members):
            if member_sizes[s, m] > 0:
                result[s] = max(result[s], shared[m] / np.sqrt(len(article_names) * member_sizes[s, m]))
    return result


# reassociation lets the dot product vectorise; no "no infinities" flag, as free slots score -inf
@numba.njit(cache=True, nogil=True, fastmath={"reassoc", "contract"})
def cosines(rows, vectors, seqs):
    """rows (n, d) and vectors (m, d), L2-normalised: the (m, n) dot products, -inf for a row
    whose seq is negative (a free slot). Each product is computed by the same instructions
    whatever n and m are, so a row scores bit for bit the same in one process and on a Dask
    worker (BLAS's result depends on the matrix shapes)."""
    n, d = rows.shape
    out = np.empty((vectors.shape[0], n), dtype=np.float32)
    for j in range(vectors.shape[0]):
        for i in range(n):
            total = np.float32(0)
            for k in range(d):
                total += rows[i, k] * vectors[j, k]
            out[j, i] = total if seqs[i] >= 0 else -np.inf
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

