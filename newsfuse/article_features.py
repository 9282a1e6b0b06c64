"""What the story clusterer knows of an article, computed from its text: `ArticleFeatures`.

A static embedding of the title and lead, a MinHash signature of the opening word shingles
(syndicated copies), the hashed sublinear frequencies of the content terms of the title and
opening, and the capitalised names of the title and lead (cheap entities). `features` computes
them a batch at a time; the per-word work is memoised (news repeats its words) and the MinHash
and term vectors are vectorised over the batch.
"""
from __future__ import annotations

import datetime as dt
import functools
import itertools
import re
import struct
import zlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Sequence

import numpy as np

from .model import Article
from .terms import STOP_WORDS, Memo, content_terms, stem, terms_of_words

if TYPE_CHECKING:
    from .clustering import ClusterOptions

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


def features(articles: Sequence[Article], embedder, options: ClusterOptions | None = None) -> list[ArticleFeatures]:
    """Features of each article, in order. `embedder` is an `embed.Embedder` (the fast "static" one);
    `options`: the clusterer's (default ones when None)."""
    if options is None:
        from .clustering import ClusterOptions

        options = ClusterOptions()
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
