"""What the story clusterer knows of an article, computed from its text: `ArticleFeatures`.

A static embedding of the title and lead, a MinHash signature of the opening word shingles
(syndicated copies), the hashed sublinear frequencies of the content terms of the title and
opening, and the capitalised names of the title and lead (cheap entities). `features` computes
them a batch at a time: the batch's texts are split into words, and each word looked up by its
bytes in a per-thread table of what a word contributes to each feature, in compiled loops
(feature_kernels.py; news repeats its words, so only a new word is analysed, once, in Python);
the rest runs over the batch's word ids with numpy and compiled loops.
"""
from __future__ import annotations

import datetime as dt
import functools
import itertools
import re
import struct
import threading
import zlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Sequence

import numpy as np

from .embed import CONTROL_SEPARATORS
from .model import Article
from .terms import STOP_WORDS, Memo, stem, word_terms

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
    titles = [a.title for a in articles]
    batch = _WordBatch(titles, [a.text for a in articles], options)
    vectors = _round_to_float16(_embed(articles, batch, embedder, options)) if articles else []
    lexical = batch.lexical()  # these run over the whole batch at once
    if _permutations(options.num_perm)[1] == "affine32":
        signatures = batch.minhashes()
    else:  # another datasketch scheme: let datasketch compute it
        signatures = [_minhash(_body(a, options), options) for a in articles]
    names = batch.entities(titles, articles)
    return [
        ArticleFeatures(
            vector=vector,
            minhash=signature,
            entities=entities,
            date=article.date,
            term_index=term_index,
            term_weight=term_weight,
        )
        for article, entities, vector, signature, (term_index, term_weight) in zip(articles, names, vectors, signatures, lexical)
    ]


def _body(article: Article, options: ClusterOptions) -> list[str]:
    """The opening words of an article's text that its features read: at most term_words (and the
    rest of the text as one more element), as `_WordBatch` splits them."""
    return article.text.split(None, options.term_words)


def _embed(articles: Sequence[Article], batch: _WordBatch, embedder, options: ClusterOptions) -> np.ndarray:
    """The embedding of each article's title and lead: `embedder.encode` of "title. lead", the lead
    being its first lead_words words joined by spaces. An embedder that `splits_on_words` is given
    the words instead of texts that it would split again, where that is the same."""
    lead_words = options.lead_words

    def text(i: int) -> str:
        lead = " ".join(_body(articles[i], options)[:lead_words])
        return f"{articles[i].title}. {lead}" if articles[i].title else lead

    if not getattr(embedder, "splits_on_words", False) or lead_words > options.term_words:
        return embedder.encode([text(i) for i in range(len(articles))])
    lengths = (batch.lead_lengths() + [len(a.title) + 2 if a.title else 0 for a in articles]).tolist()
    max_chars = embedder.max_chars
    # the text itself where the embedder cuts it to max_chars, or where it would delete a title's
    # control separators (which split treats as spaces)
    whole = [i for i, a in enumerate(articles) if (max_chars is not None and lengths[i] > max_chars)
             or (a.title and CONTROL_SEPARATORS.search(a.title))]
    vectors = batch.embeddings(embedder, [a.title for a in articles], whole)
    if whole:
        vectors[whole] = embedder.encode([text(i) for i in whole])
    return vectors


class _Words:
    """A per-thread table of the words met and, by id, what each word contributes: its content
    terms' crc32s, its shingle tokens, the name it stands for when capitalised, whether it ends a
    sentence. A batch's words are split and looked up in compiled code (`lookup`: their UTF-8
    bytes in a hash table, feature_kernels.lookup_words); only new words come back to Python, once
    each. Dropped whole past `limit` words, between batches (a bound on memory over an endless
    stream). `hash_mask`: the hash bits kept (fewer only to test that collisions change nothing)."""

    def __init__(self, limit: int = 500_000, hash_mask: int = (1 << 64) - 1):
        self.limit = limit
        self.hash_mask = np.uint64(hash_mask)
        self.words: list[str] = []  # by id
        self.bits = 12  # the hash table: 2^bits slots (see feature_kernels.lookup_words)
        self.slots = np.zeros((1 << self.bits, 3), dtype=np.uint64)
        self.spans = np.zeros((1024, 2), dtype=np.int64)  # by id: where its bytes are in pool, and how many
        self.pool = np.zeros(1 << 16, dtype=np.uint8)
        self.pooled = 0
        self.completed = 0  # words[:completed] have their contributions below
        self.term_start = _Growing(np.int64, [0])
        self.term_crc = _Growing(np.int64)
        self.token_start = _Growing(np.int64, [0])
        self.token = _Growing(np.int64)  # crc | length << 32, as `_shingle_tokens`
        self.entity = _Growing(np.int64)  # index into names; -1: none
        self.ends_sentence = _Growing(np.bool_)
        self.length = _Growing(np.int64)
        self.names: list[str] = []
        self.name_ids: dict[str, int] = {}
        self.embedded = None  # the embedder's word table that embed_id refers to (see `embed_ids`)
        self.embed_id = _Growing(np.int64)

    def __len__(self) -> int:
        return len(self.words)

    def lookup(self, buf: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
        """The ids of the words buf[starts[k]:ends[k]] (UTF-8, "surrogatepass"), new words added."""
        from . import feature_kernels

        known = len(self.words)
        if known + len(starts) > len(self.spans):  # room for every word being new
            spans = np.zeros((max(known + len(starts), 2 * len(self.spans)), 2), dtype=np.int64)
            spans[:known] = self.spans[:known]
            self.spans = spans
        if self.pooled + int((ends - starts).sum()) > len(self.pool):
            pool = np.zeros(max(self.pooled + int((ends - starts).sum()), 2 * len(self.pool)), dtype=np.uint8)
            pool[:self.pooled] = self.pool[:self.pooled]
            self.pool = pool
        ids = np.empty(len(starts), dtype=np.int64)
        done, words = 0, known
        while True:
            done, words, self.pooled = feature_kernels.lookup_words(
                buf, starts, ends, done, ids, self.slots, self.bits, self.spans, self.pool, words, self.pooled, self.hash_mask)
            if done == len(starts):
                break
            self.bits += 1  # half full: twice the slots
            self.slots = feature_kernels.rehash_words(self.slots, self.bits)
        if words > known:  # the new words as str, from their bytes
            at = self.spans[known:words, 0]
            added = self.pool[at[0]:self.pooled].tobytes()
            at = (at - at[0]).tolist()
            self.words += [added[i:j].decode("utf-8", "surrogatepass") for i, j in zip(at, at[1:] + [len(added)])]
        return ids

    def complete(self) -> None:
        """Compute what the words added since the last call contribute."""
        added, self.completed = self.words[self.completed:], len(self.words)
        if not added:
            return
        records = list(map(_word_record, added))
        terms = [record[0] for record in records]
        self.term_crc.extend(np.fromiter(itertools.chain.from_iterable(terms), dtype=np.int64))
        self.term_start.extend(self.term_start.last() + np.cumsum(np.fromiter(map(len, terms), dtype=np.int64, count=len(terms))))
        tokens = [record[1] for record in records]
        self.token.extend(np.fromiter(itertools.chain.from_iterable(tokens), dtype=np.int64))
        self.token_start.extend(self.token_start.last() + np.cumsum(np.fromiter(map(len, tokens), dtype=np.int64, count=len(tokens))))
        entities = list(map(_entity_of, added))
        name_ids = self.name_ids
        for name in set(entities).difference(name_ids):
            if name is not None:
                name_ids[name] = len(self.names)
                self.names.append(name)
        self.entity.extend(np.fromiter((-1 if name is None else name_ids[name] for name in entities), dtype=np.int64, count=len(added)))
        self.ends_sentence.extend(np.fromiter((word[-1] in _SENTENCE_END for word in added), dtype=np.bool_, count=len(added)))
        self.length.extend(np.fromiter(map(len, added), dtype=np.int64, count=len(added)))

    def embed_ids(self, embedder, ids: np.ndarray):
        """The embedder's word table (`StaticEmbedder.word_table`) and the words' ids in it; each
        word is looked up there once, while that table is the embedder's."""
        table = embedder.word_table()
        if table is not self.embedded:
            self.embedded, self.embed_id = table, _Growing(np.int64)
        self.embed_id.extend(np.full(len(self.words) - self.embed_id.size, -1, dtype=np.int64))
        column = self.embed_id.view()
        missing = np.unique(ids[column[ids] < 0]).tolist()
        if missing:
            column[missing] = embedder.word_ids(table, map(self.words.__getitem__, missing), len(missing))
        return table, column[ids]


class _Growing:
    """A numpy array appended to in place (capacity doubled as needed)."""

    def __init__(self, dtype, initial=()):
        self.data = np.array(initial, dtype=dtype)
        self.size = len(self.data)

    def extend(self, values: np.ndarray) -> None:
        end = self.size + len(values)
        if end > len(self.data):
            grown = np.empty(max(end, 2 * len(self.data), 1024), dtype=self.data.dtype)
            grown[:self.size] = self.data[:self.size]
            self.data = grown
        self.data[self.size:end] = values
        self.size = end

    def last(self):
        return self.data[self.size - 1]

    def view(self) -> np.ndarray:
        return self.data[:self.size]


_local = threading.local()


def _words() -> _Words:
    # one table per thread: ids handed out in a batch must stay valid until the batch is done
    table = getattr(_local, "words", None)
    if table is None or len(table) > table.limit:
        table = _local.words = _Words(table.limit, int(table.hash_mask)) if table is not None else _Words()
    return table


@functools.lru_cache(maxsize=1)
def _spaces() -> tuple[np.ndarray, np.ndarray]:
    """Where str.split splits, for feature_kernels.split_words: (kind of each byte, whether each
    code point below 2^16 is whitespace). No code point above is (tested)."""
    spaces = np.array([chr(c).isspace() for c in range(1 << 16)], dtype=np.bool_)
    kind = np.zeros(256, dtype=np.uint8)
    kind[:128] = spaces[:128]  # 1: ASCII whitespace
    for c in np.flatnonzero(spaces[128:]) + 128:
        kind[chr(c).encode("utf-8")[0]] = 2  # 2: a byte that starts a whitespace character (and others)
    return kind, spaces


_NO_LIMIT = 1 << 62  # split_words' keep of a title: all its words


class _WordBatch:
    """The words of a batch's titles and bodies as ids of the thread's `_Words`: each word is looked
    up once, and the lexical vectors, MinHash signatures and lead names are computed from the ids.
    Each title is split at whitespace, each body as `_body` splits it (the words any feature reads)."""

    def __init__(self, titles: Sequence[str | None], bodies: Sequence[str], options: ClusterOptions):
        from . import feature_kernels  # numba: compiled (or loaded from its disk cache) on first use

        texts = [text.encode("utf-8", "surrogatepass") for pair in zip(titles, bodies) for text in (pair[0] or "", pair[1])]
        ends = np.cumsum(np.fromiter(map(len, texts), dtype=np.int64, count=len(texts)))
        buf = np.frombuffer(b"".join(texts), dtype=np.uint8)
        # a title's words all; a body's split at most term_words times, and of those the words any
        # feature reads (the opening term_words; more only when lead or shingles read further)
        maxsplit = np.tile(np.array([-1, options.term_words], dtype=np.int64), len(bodies))
        keep = np.tile(np.array([_NO_LIMIT, self._reach(options)], dtype=np.int64), len(bodies))
        starts, word_ends, counts = feature_kernels.split_words(buf, ends - np.diff(ends, prepend=0), ends, maxsplit, keep, *_spaces())
        table = _words()
        self._setup(table, table.lookup(buf, starts, word_ends), counts[0::2].copy(), counts[1::2].copy(), options)

    @staticmethod
    def _reach(options: ClusterOptions) -> int:
        return max(options.term_words, options.lead_words, options.shingle_span)

    def _setup(self, table: _Words, ids: np.ndarray, title_counts: np.ndarray, body_counts: np.ndarray, options: ClusterOptions) -> None:
        table.complete()
        self.options, self.table, self.ids = options, table, ids
        counts = title_counts + body_counts
        self.title_counts, self.body_counts = title_counts, body_counts
        self.body_start = np.cumsum(counts) - body_counts  # where each article's body words start in ids

    def lexical(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """For each article, the sublinear frequencies of the content terms of its title (counted
        twice: it names the event) and its opening term_words, hashed into `term_dims` dimensions
        with crc32 (the same in every process), L2-normalised: (sorted dimensions, weights)."""
        from . import feature_kernels  # numba: compiled (or loaded from its disk cache) on first use

        dims, counts, bounds = feature_kernels.term_counts(
            self.ids, self.body_start, self.title_counts, self.body_counts, self.table.term_start.view(), self.table.term_crc.view(),
            self.options.term_words, self.options.term_dims, max(0, (self.options.term_dims - 1).bit_length() - 8))
        weights = 1.0 + np.log(counts.astype(np.float32))
        bounds = bounds.tolist()
        # each article's L2 norm as np.linalg.norm computes it (a float32 dot product): the stored
        # float16 weights depend on its last bit
        norms = [max(float(np.sqrt(weights[begin:end].dot(weights[begin:end]))), 1e-12) for begin, end in zip(bounds[:-1], bounds[1:])]
        # float32 weights over a float32 norm, as an array over a Python float divides
        weights = (weights / np.repeat(np.array(norms, dtype=np.float32), np.diff(bounds))).astype(np.float16).astype(np.float32)
        dims = dims.astype(np.uint16)
        return [(dims[begin:end].copy(), weights[begin:end].copy()) for begin, end in zip(bounds[:-1], bounds[1:])]

    def minhashes(self) -> list[np.ndarray]:
        """`_minhash` of each body (datasketch's affine32 scheme), compiled (feature_kernels)."""
        from . import feature_kernels  # numba: compiled (or loaded from its disk cache) on first use

        options = self.options
        a, b = _permutations(options.num_perm)[0]
        signatures, signed = feature_kernels.minhashes(
            self.ids, self.body_start, self.body_counts, self.table.token_start.view(), self.table.token.view(),
            options.shingle_span, options.shingle_words, a.astype(np.int64), b.astype(np.int64),
            _crc32_shift_tables(), _CRC32_SHIFT_BYTES, _CRC32_SPACE)
        empty = np.zeros(0, dtype=np.uint32)
        return [signature if sign else empty for signature, sign in zip(signatures, signed.tolist())]

    def embeddings(self, embedder, titles: Sequence[str | None], skipped: list[int]) -> np.ndarray:
        """`embedder.encode_words` of each article's "title. lead" split at whitespace: the title's
        words, the last with "." appended (or "." after them when the title ends in whitespace),
        then the lead's words. The rows of `skipped` articles are left zero."""
        from . import feature_kernels

        titled = np.array([bool(title) for title in titles], dtype=bool)
        titled[skipped] = False
        # the title's words kept as they are: all but the last, unless "." follows them apart
        kept_title = self.title_counts - np.array([bool(title) and bool(count) and not title[-1].isspace()
                                                   for title, count in zip(titles, self.title_counts.tolist())], dtype=np.int64)
        counts = np.where(titled, kept_title + 1, 0) + np.minimum(self.body_counts, self.options.lead_words)
        counts[skipped] = 0
        body_counts = self.body_counts.copy()
        body_counts[skipped] = 0
        words = feature_kernels.embedded_words(self.ids, self.body_start, self.title_counts, body_counts, kept_title, titled,
                                               self.options.lead_words)
        extra = words < 0  # where the title's last word with its "." goes
        table, ids = self.table.embed_ids(embedder, words[~extra])
        words[~extra] = ids
        # that word: the title's last word with "." appended, or "." alone after the title's words
        known, kept, count = self.table.words, kept_title.tolist(), self.title_counts.tolist()
        last = self.ids[np.maximum(self.body_start - 1, 0)].tolist() if len(self.ids) else []  # a title's last word
        extras = (known[last[i]] + "." if kept[i] < count[i] else "." for i in np.flatnonzero(titled).tolist())
        words[extra] = embedder.word_ids(table, extras, int(titled.sum()))
        return embedder.encode_word_ids(table, words, counts)

    def lead_lengths(self) -> np.ndarray:
        """For each article, the length of its lead: its first lead_words words joined by spaces."""
        from . import feature_kernels

        return feature_kernels.lead_lengths(self.ids, self.body_start, self.body_counts, self.table.length.view(), self.options.lead_words)

    def entities(self, titles: Sequence[str | None], articles: Sequence[Article]) -> list[frozenset[str]]:
        """`_entities` of each article's title and lead (its first lead_words words)."""
        from . import feature_kernels

        # a capitalised word of the title or lead that does not open a sentence: not the first, and
        # the word before does not end a sentence (nor, in a title, a line: see below)
        found, bounds = feature_kernels.lead_names(self.ids, self.body_start, self.title_counts, self.body_counts,
                                                   self.table.entity.view(), self.table.ends_sentence.view(), self.options.lead_words)
        found = list(map(self.table.names.__getitem__, found.tolist()))
        bounds = bounds.tolist()
        result = [frozenset(found[begin:end]) for begin, end in zip(bounds[:-1], bounds[1:])]
        for i, title in enumerate(titles):
            if title and "\n" in title:  # a title's line break opens a sentence too
                result[i] = _entities(title, _body(articles[i], self.options)[:self.options.lead_words])
        return result


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


_CORE = re.compile(r"\W*(\w+)\W*")
_ASCII_NON_WORD = "".join(c for c in map(chr, range(128)) if not re.fullmatch(r"\w", c))


def _word_record(word: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """A word's content terms as crc32s, and its `_shingle_tokens`."""
    lowered = word.lower()
    if lowered.isascii():  # as _CORE, where \w is [A-Za-z0-9_] (several times faster than the regex)
        core = lowered.strip(_ASCII_NON_WORD)
    else:
        match = _CORE.fullmatch(lowered)
        core = match[1] if match else ""
    if core.isascii() and core.isalnum():
        # most words: ASCII letters and digits between non-word characters, which start no term or
        # token (terms.TOKEN and _WORD match runs of word characters): the core is the one term
        # (unless a stop word or single letter) and the one shingle token
        term = () if core in STOP_WORDS or (len(core) == 1 and core.isalpha()) else (_TERM_CRC[stem(core)],)
        return term, (zlib.crc32(core.encode("ascii")) | len(core) << 32,)
    return tuple(map(_TERM_CRC.__getitem__, word_terms(word))), _shingle_tokens(word)


_ENTITY_OF = Memo(_entity_of)
_TERM_CRC = Memo(lambda term: zlib.crc32(term.encode("utf-8")))  # crc32: the same in every process
_SENTENCE_END = frozenset(".!?:;\"“”")  # a word ending in one of these ends its sentence (as _SENTENCE_BREAK)


def _round_to_float16(matrix: np.ndarray) -> np.ndarray:
    # what is stored is float16: compute with exactly those values, so a restored story scores the same
    return np.asarray(matrix, dtype=np.float32).astype(np.float16).astype(np.float32)


def _entities(title: str | None, lead: list[str]) -> frozenset[str]:
    """Capitalised words that do not open a sentence or line, of the title and of the lead's words:
    names, places, organisations. (`_WordBatch.entities` computes it for a batch.)"""
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
    `_WordBatch.minhashes` computes for a whole batch at once."""
    from datasketch import MinHash

    words = _WORD.findall(" ".join(body[:options.shingle_span]).lower())[:options.shingle_span]
    n = options.shingle_words
    if len(words) < 2 * n:  # too short to tell a copy from a coincidence
        return np.zeros(0, dtype=np.uint32)
    signature = MinHash(hashfunc=zlib.crc32, **_datasketch_kwargs(options.num_perm))  # crc32: the same in every process
    signature.update_batch([" ".join(words[i:i + n]).encode("utf-8") for i in range(len(words) - n + 1)])
    return np.asarray(signature.hashvalues, dtype=np.uint32)


_CRC32_SPACE = zlib.crc32(b" ")
_CRC32_SHIFT_BYTES = 64  # tables for shifting a crc past up to this many bytes at once


@functools.lru_cache(maxsize=1)
def _crc32_shift_tables() -> np.ndarray:
    """Flat [k, i, v]: where the crc32 register value v << 8i goes after k zero bytes (a linear map,
    so a register after k bytes is the xor over its four bytes); int64 for feature_kernels."""
    table = np.arange(256, dtype=np.uint32)  # the byte table of the reflected crc32 polynomial
    for _ in range(8):
        table = np.where(table & 1, (table >> np.uint32(1)) ^ np.uint32(0xEDB88320), table >> np.uint32(1))
    register = np.arange(256, dtype=np.uint32)[None, :] << (8 * np.arange(4, dtype=np.uint32))[:, None]
    tables = np.empty((_CRC32_SHIFT_BYTES + 1, 4, 256), dtype=np.uint32)
    tables[0] = register
    for k in range(1, _CRC32_SHIFT_BYTES + 1):
        register = table[register & 0xFF] ^ (register >> np.uint32(8))
        tables[k] = register
    return tables.reshape(-1).astype(np.int64)
