"""Compiled per-article loops of feature extraction (numba, cached on disk after the first run).

MinHash signs ~150 shingles per article under 64 permutations, and the term vector counts ~250
terms per article: as numpy over a batch those are grids and sorts of temporaries several times
the work; here each is one loop per article. Splitting the texts into words and looking each
word up by its bytes (`split_words`, `lookup_words`) are loops over bytes, where Python took a
dict lookup per word. Imported when `article_features.features` first runs: importing newsfuse
stays cheap.
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
def term_counts(ids, body_start, title_count, body_count, term_start, term_crc, term_words, dims, shift):
    """For each article, its content terms hashed into `dims` dimensions (crc % dims) and counted:
    the terms of its title's words (ids[body_start[i] - title_count[i]:body_start[i]], counted
    twice) and of its first term_words body words; word w's terms' crc32s are
    term_crc[term_start[w]:term_start[w + 1]]. Returns (dimensions, counts, bounds): article i's
    sorted dimensions and their counts are [bounds[i]:bounds[i + 1]]. `shift`: dimensions >> shift
    are below 2^8 or so (buckets of the sort)."""
    articles = len(body_start)
    total = most = 0
    for i in range(articles):
        size = 0
        for k in range(body_start[i] - title_count[i], body_start[i] + min(body_count[i], term_words)):
            size += term_start[ids[k] + 1] - term_start[ids[k]]
        total += size
        most = max(most, size)
    found = np.empty(total, dtype=np.int64)
    counts = np.empty(total, dtype=np.int64)
    bounds = np.zeros(articles + 1, dtype=np.int64)
    tally = np.zeros(dims, dtype=np.int64)  # by dimension; zero again after each article
    seen = np.empty(most, dtype=np.int64)
    buckets = (dims - 1) >> shift
    place = np.zeros(buckets + 2, dtype=np.int64)
    n = 0
    for i in range(articles):
        size = 0  # the article's distinct dimensions, in seen[:size]
        for k in range(body_start[i] - title_count[i], body_start[i] + min(body_count[i], term_words)):
            times = 2 if k < body_start[i] else 1
            w = ids[k]
            for t in range(term_start[w], term_start[w + 1]):
                d = term_crc[t] % dims
                if tally[d] == 0:
                    seen[size] = d
                    size += 1
                tally[d] += times
        # sorted: placed by their high bits (a counting sort), then in order within each bucket
        # (an insertion sort over values each at most a bucket from its place)
        place[:] = 0
        for j in range(size):
            place[(seen[j] >> shift) + 1] += 1
        for b in range(1, buckets + 2):
            place[b] += place[b - 1]
        for j in range(size):
            b = seen[j] >> shift
            found[n + place[b]] = seen[j]
            place[b] += 1
        for j in range(n + 1, n + size):
            d = found[j]
            m = j - 1
            while m >= n and found[m] > d:
                found[m + 1] = found[m]
                m -= 1
            found[m + 1] = d
        for j in range(n, n + size):
            counts[j] = tally[found[j]]
            tally[found[j]] = 0
        n += size
        bounds[i + 1] = n
    return found[:n], counts[:n], bounds


@numba.njit(cache=True, nogil=True)
def _space_length(buf, i, spaces):
    """The length in bytes of the whitespace character (as str.split has it) at buf[i], a UTF-8
    lead byte of 2 or 3 bytes; 0 when that character is no whitespace: spaces[c] of its code point."""
    b = np.int64(buf[i])
    if b < 0xE0:
        return 2 if spaces[((b & 0x1F) << 6) | (np.int64(buf[i + 1]) & 0x3F)] else 0
    return 3 if spaces[((b & 0x0F) << 12) | ((np.int64(buf[i + 1]) & 0x3F) << 6) | (np.int64(buf[i + 2]) & 0x3F)] else 0


@numba.njit(cache=True, nogil=True)
def split_words(buf, text_start, text_end, maxsplit, keep, kind, spaces):
    """`text.split(None, maxsplit[t])[:keep[t]]` of each UTF-8 text buf[text_start[t]:text_end[t]]
    (maxsplit -1: no limit; "surrogatepass" UTF-8, lone surrogates too), as byte ranges: returns
    (starts, ends, counts), text t's words being the next counts[t] ranges. Exactly str.split: past
    maxsplit words the rest of the text (after the whitespace that follows them) is one last
    element, and whitespace is str.isspace: kind[b] of a byte b is 1 for ASCII whitespace, 2 for
    the first byte of some non-ASCII whitespace characters (then spaces[c] of the character's code
    point c says), 0 for any other byte, continuation bytes included (no code point of 2^16 or more
    is whitespace: tested)."""
    texts = len(text_start)
    bound = 0
    for t in range(texts):  # a text of n bytes holds at most (n + 1) // 2 words
        bound += min(keep[t], (text_end[t] - text_start[t] + 1) // 2)
    starts = np.empty(bound, dtype=np.int64)
    ends = np.empty(bound, dtype=np.int64)
    counts = np.zeros(texts, dtype=np.int64)
    n = 0
    for t in range(texts):
        i = text_start[t]
        end = text_end[t]
        left = maxsplit[t]
        most = keep[t]
        count = 0
        while count < most:
            while i < end:  # the whitespace before a word
                k = kind[buf[i]]
                if k == 0:
                    break
                if k == 1:
                    i += 1
                else:
                    step = _space_length(buf, i, spaces)
                    if step == 0:
                        break
                    i += step
            if i == end:
                break
            starts[n] = i
            if left == 0:  # maxsplit words met: the rest of the text is one element
                i = end
            else:
                i += 1  # a word's first byte is no whitespace, and a continuation byte starts none
                while i < end:
                    k = kind[buf[i]]
                    if k == 0:
                        i += 1
                    elif k == 1 or _space_length(buf, i, spaces) > 0:
                        break
                    else:
                        i += 1
            ends[n] = i
            n += 1
            count += 1
            left -= 1
        counts[t] = count
    return starts[:n], ends[:n], counts


_MIX = np.uint64(0x9E3779B97F4A7C15)
_MIX2 = np.uint64(0xC2B2AE3D27D4EB4F)
_ID_BITS = np.uint64(40)  # a slot's second value: id + 1, and above these bits the word's length (at most _LONG)
_ID_MASK = np.uint64((1 << 40) - 1)
_LONG = (1 << 24) - 1


@numba.njit(cache=True, nogil=True)
def lookup_words(buf, starts, ends, first, ids, slots, bits, spans, pool, words, pooled, hash_mask):
    """The id of each word buf[starts[k]:ends[k]], k from `first`, into ids[k], in a table of words
    (article_features._Words): an open-addressing hash table, 2^bits rows of `slots`, each a word's
    (hash, id + 1 | length << 40, its first 8 bytes as a little-endian number), a free one (0, 0,
    0); and by id, where the word's bytes are in pool and how many: spans[id]. A hit is confirmed
    byte by byte (equal hashes of different words change nothing): words of at most 8 bytes by
    their length and first 8 bytes in the slot. A word not found is added, with the next id:
    `words`, `pooled` are the ids and pool bytes in use, and spans and pool must have room for
    every word being new. Stops before the table would be more than half full. Returns (the k where
    it stopped, words, pooled). hash_mask: the hash bits kept (all but in tests of collisions)."""
    shift = np.uint64(64 - bits)
    last = (1 << bits) - 1
    most = 1 << (bits - 1)
    mask = np.uint64(hash_mask)
    for k in range(first, len(starts)):
        if words == most:
            return k, words, pooled
        s = starts[k]
        length = ends[k] - s
        # the hash: each 8 bytes as a number, mixed in; the first 8 kept apart
        h = np.uint64(length) * _MIX2
        head = np.uint64(0)
        chunk = np.uint64(0)
        j = 0
        for i in range(s, s + length):
            chunk |= np.uint64(buf[i]) << np.uint64(8 * j)
            j += 1
            if j == 8:
                if i == s + 7:
                    head = chunk
                h = (h ^ chunk) * _MIX
                h ^= h >> np.uint64(29)
                chunk = np.uint64(0)
                j = 0
        if j > 0:
            if length < 8:
                head = chunk
            h = (h ^ chunk) * _MIX
            h ^= h >> np.uint64(29)
        h = (h ^ (h >> np.uint64(32))) * _MIX2
        h ^= h >> np.uint64(29)
        h &= mask
        tag = np.uint64(min(length, _LONG)) << _ID_BITS
        slot = np.int64((h * _MIX) >> shift)
        while True:
            entry = slots[slot, 1]
            if entry == 0:
                found = words
                slots[slot, 0] = h
                slots[slot, 1] = np.uint64(found + 1) | tag
                slots[slot, 2] = head
                spans[found, 0] = pooled
                spans[found, 1] = length
                pool[pooled:pooled + length] = buf[s:s + length]
                pooled += length
                words += 1
                break
            if slots[slot, 0] == h and slots[slot, 2] == head and (entry & ~_ID_MASK) == tag:
                found = np.int64(entry & _ID_MASK) - 1
                if length <= 8:  # the same length and bytes
                    break
                if spans[found, 1] == length:
                    at = spans[found, 0]
                    same = True
                    for i in range(8, length):
                        if pool[at + i] != buf[s + i]:
                            same = False
                            break
                    if same:
                        break
            slot = (slot + 1) & last
        ids[k] = found
    return len(starts), words, pooled


@numba.njit(cache=True, nogil=True)
def rehash_words(slots, bits):
    """`lookup_words`' table `slots` in 2^bits slots."""
    grown = np.zeros((1 << bits, 3), dtype=np.uint64)
    shift = np.uint64(64 - bits)
    last = (1 << bits) - 1
    for j in range(len(slots)):
        if slots[j, 1] != 0:
            slot = np.int64((slots[j, 0] * _MIX) >> shift)
            while grown[slot, 1] != 0:
                slot = (slot + 1) & last
            grown[slot] = slots[j]
    return grown


@numba.njit(cache=True, nogil=True)
def lead_names(ids, body_start, title_count, body_count, entity, ends_sentence, lead_words):
    """The names of each article's title and lead that do not open a sentence: entity[w] (-1:
    none) of each word w of its title but the first, and of its first lead_words body words but
    the first, where the word before does not end a sentence (ends_sentence[word before]); ids and
    the counts as in `term_counts`. Returns (names, bounds): article i's are [bounds[i]:bounds[i + 1]]."""
    articles = len(body_start)
    total = 0
    for i in range(articles):
        total += max(title_count[i] - 1, 0) + max(min(body_count[i], lead_words) - 1, 0)
    names = np.empty(total, dtype=np.int64)
    bounds = np.zeros(articles + 1, dtype=np.int64)
    n = 0
    for i in range(articles):
        b = body_start[i]
        for first, end in ((b - title_count[i], b), (b, b + min(body_count[i], lead_words))):
            for k in range(first + 1, end):
                name = entity[ids[k]]
                if name >= 0 and not ends_sentence[ids[k - 1]]:
                    names[n] = name
                    n += 1
        bounds[i + 1] = n
    return names[:n], bounds


@numba.njit(cache=True, nogil=True)
def embedded_words(ids, body_start, title_count, body_count, kept_title, titled, lead_words):
    """The words of each article's embedded text, one article after another: for a `titled`
    article its first kept_title[i] title words and then -1 (the title's last word with its "."),
    then (titled or not) its first lead_words body words; ids and counts as in `term_counts`."""
    articles = len(body_start)
    total = 0
    for i in range(articles):
        total += (kept_title[i] + 1 if titled[i] else 0) + min(body_count[i], lead_words)
    words = np.empty(total, dtype=np.int64)
    n = 0
    for i in range(articles):
        b = body_start[i]
        if titled[i]:
            for k in range(b - title_count[i], b - title_count[i] + kept_title[i]):
                words[n] = ids[k]
                n += 1
            words[n] = -1
            n += 1
        for k in range(b, b + min(body_count[i], lead_words)):
            words[n] = ids[k]
            n += 1
    return words


@numba.njit(cache=True, nogil=True)
def lead_lengths(ids, body_start, body_count, length, lead_words):
    """The length of each article's lead: its first lead_words body words (length[w] characters
    each) joined by spaces."""
    articles = len(body_start)
    lengths = np.zeros(articles, dtype=np.int64)
    for i in range(articles):
        words = min(body_count[i], lead_words)
        for k in range(body_start[i], body_start[i] + words):
            lengths[i] += length[ids[k]]
        lengths[i] += max(words - 1, 0)
    return lengths
