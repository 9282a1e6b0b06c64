"""Compiled per-article loops of feature extraction (numba, cached on disk after the first run).

MinHash signs ~150 shingles per article under 64 permutations, and the term vector counts ~250
terms per article: as numpy over a batch those are grids and sorts of temporaries several times
the work; here each is one loop per article. Imported when `article_features.features` first
runs: importing newsfuse stays cheap.
"""
from __future__ import annotations

import numba
import numpy as np

_MASK = 0xFFFFFFFF
# all arithmetic is on int64 (values below 2^32; a product wraps mod 2^64 and is masked to its low
# 32 bits): numba turns mixed signed and unsigned integers into floats


@numba.njit(cache=True, nogil=True, inline="always")
def _crc32_shift(crc, count, tables, most):
    """crc32(x) carried past `count` more bytes (as article_features._crc32_shift; `tables` as
    int64, shifting past up to `most` bytes at once)."""
    while True:
        step = min(count, most)
        at = step * 1024
        crc = (tables[at + (crc & 0xFF)] ^ tables[at + 256 + ((crc >> 8) & 0xFF)]
               ^ tables[at + 512 + ((crc >> 16) & 0xFF)] ^ tables[at + 768 + (crc >> 24)])
        count -= step
        if count == 0:
            return crc


@numba.njit(cache=True, nogil=True)
def minhashes(ids, body_start, body_count, token_start, tokens, span, n, perm_a, perm_b, tables, most, space_crc):
    """The affine32 MinHash signature of each article's body: its words are ids[body_start[i]:
    body_start[i] + body_count[i]], word w's shingle tokens tokens[token_start[w]:token_start[w + 1]]
    (crc | length << 32). The first `span` tokens of the first `span` words, shingles of `n`
    tokens: each shingle's crc32 combined from its tokens' crc32s, mixed with MurmurHash3's
    finaliser, then min over shingles of (a * hash + b) mod 2^32 per permutation. Returns
    (signatures, signed): an article with fewer than 2n tokens is not signed (its row is junk)."""
    articles, perms = len(body_start), len(perm_a)
    signatures = np.empty((articles, perms), dtype=np.uint32)
    signed = np.zeros(articles, dtype=np.bool_)
    crc = np.empty(span, dtype=np.int64)
    size = np.empty(span, dtype=np.int64)
    spaced = np.empty(span, dtype=np.int64)
    best = np.empty(perms, dtype=np.uint32)
    a = perm_a.astype(np.uint32)
    b = perm_b.astype(np.uint32)
    for i in range(articles):
        length = 0
        for k in range(body_start[i], body_start[i] + min(body_count[i], span)):
            w = ids[k]
            for t in range(token_start[w], token_start[w + 1]):
                if length == span:
                    break
                crc[length] = tokens[t] & _MASK
                size[length] = tokens[t] >> 32
                length += 1
            if length == span:
                break
        if length < 2 * n:
            continue
        signed[i] = True
        for k in range(length):  # crc32 of " " + token
            spaced[k] = _crc32_shift(space_crc, size[k], tables, most) ^ crc[k]
        best[:] = np.uint32(_MASK)
        for j in range(length - n + 1):
            h = crc[j]
            for k in range(j + 1, j + n):  # crc32(a + " " + b) = crc32(a) shifted past len(" " + b) bytes, xor crc32(" " + b)
                h = _crc32_shift(h, size[k] + 1, tables, most) ^ spaced[k]
            h ^= h >> 16
            h = (h * 0x85EBCA6B) & _MASK
            h ^= h >> 13
            h = (h * 0xC2B2AE35) & _MASK
            h ^= h >> 16
            h32 = np.uint32(h)
            for p in range(perms):  # uint32 arithmetic wraps: datasketch's mod 2^32 (and the loop vectorises)
                v = np.uint32(h32 * a[p] + b[p])
                best[p] = min(best[p], v)
        for p in range(perms):
            signatures[i, p] = best[p]
    return signatures, signed


@numba.njit(cache=True, nogil=True)
def term_counts(ids, body_start, title_count, body_count, term_start, term_crc, term_words, dims):
    """For each article, its content terms hashed into `dims` dimensions (crc % dims) and counted:
    the terms of its title's words (ids[body_start[i] - title_count[i]:body_start[i]], counted
    twice) and of its first term_words body words; word w's terms' crc32s are
    term_crc[term_start[w]:term_start[w + 1]]. Returns (dimensions, counts, bounds): article i's
    sorted dimensions and their counts are [bounds[i]:bounds[i + 1]]."""
    articles = len(body_start)
    total = most = 0
    for i in range(articles):
        size = 0
        for k in range(body_start[i] - title_count[i], body_start[i] + min(body_count[i], term_words)):
            size += (2 if k < body_start[i] else 1) * (term_start[ids[k] + 1] - term_start[ids[k]])
        total += size
        most = max(most, size)
    found = np.empty(total, dtype=np.int64)
    counts = np.empty(total, dtype=np.int64)
    bounds = np.zeros(articles + 1, dtype=np.int64)
    scratch = np.empty(most, dtype=np.int64)
    n = 0
    for i in range(articles):
        size = 0
        for k in range(body_start[i] - title_count[i], body_start[i] + min(body_count[i], term_words)):
            for _ in range(2 if k < body_start[i] else 1):
                for t in range(term_start[ids[k]], term_start[ids[k] + 1]):
                    scratch[size] = term_crc[t] % dims
                    size += 1
        terms = np.sort(scratch[:size])
        j = 0
        while j < size:
            e = j + 1
            while e < size and terms[e] == terms[j]:
                e += 1
            found[n] = terms[j]
            counts[n] = e - j
            n += 1
            j = e
        bounds[i + 1] = n
    return found[:n], counts[:n], bounds
