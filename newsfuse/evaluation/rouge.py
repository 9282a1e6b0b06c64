"""ROUGE-1, ROUGE-2 and ROUGE-SU4 as ROUGE-1.5.5 counts them, on Google rouge-score's tokens.

Tokens come from rouge-score's own tokenizer and Porter stemmer (lower case, non-alphanumerics to
spaces, words over 3 letters stemmed), so ROUGE-1 and ROUGE-2 equal `rouge_score.RougeScorer`'s.
rouge-score has no SU4; it is ROUGE-1.5.5's `-2 4 -u`: every ordered pair of tokens with at most
4 tokens between them, plus every single token. Texts are cut to the word budget first, counted
in whitespace-separated words as ROUGE-1.5.5's `-l` does.
"""
from __future__ import annotations

import itertools
import statistics
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, Sequence

from ..model import NewsfuseError

METRICS = ("rouge1", "rouge2", "rougeSU4")
SKIP_GAP = 4  # ROUGE-1.5.5 -2 4: at most 4 words between the two words of a skip bigram


@dataclass(frozen=True)
class Overlap:
    """Clipped n-gram matches between one summary and one (or pooled) reference(s)."""

    hits: int
    reference: int  # n-grams in the reference(s)
    summary: int  # n-grams in the summary (once per reference when pooled)

    def __add__(self, other: "Overlap") -> "Overlap":
        return Overlap(self.hits + other.hits, self.reference + other.reference, self.summary + other.summary)

    @property
    def score(self) -> "Score":
        recall = self.hits / self.reference if self.reference else 0.0
        precision = self.hits / self.summary if self.summary else 0.0
        f1 = 2 * recall * precision / (recall + precision) if recall + precision else 0.0
        return Score(recall, precision, f1)


@dataclass(frozen=True)
class Score:
    recall: float
    precision: float
    f1: float


def mean_score(scores: Sequence[Score]) -> Score:
    """Each of recall, precision and F1 averaged (F1 per item first, as ROUGE-1.5.5 and rouge-score do)."""
    return Score(*(statistics.fmean(getattr(s, name) for s in scores) for name in ("recall", "precision", "f1")))


STEMMING = ("short-kept", "all", "none")  # rouge-score's default | every word, as ROUGE-1.5.5 -m | no stemming


def _tokenizer(stemming: str) -> Callable[[str], list[str]]:
    """rouge-score's tokenizer; with "short-kept" (its default) words of up to 3 letters are not stemmed."""
    try:
        from rouge_score import tokenize
        from rouge_score.tokenizers import DefaultTokenizer
    except ImportError:
        raise NewsfuseError('evaluate needs rouge-score: pip install "newsfuse[bench]"') from None
    if stemming not in STEMMING:
        raise NewsfuseError(f"unknown stemming {stemming!r}; choose one of {', '.join(STEMMING)}")
    if stemming == "short-kept":
        return DefaultTokenizer(use_stemmer=True).tokenize
    if stemming == "none":
        return DefaultTokenizer(use_stemmer=False).tokenize
    from nltk.stem import porter  # what rouge-score stems with

    stem = lru_cache(maxsize=None)(porter.PorterStemmer().stem)
    return lambda text: [stem(token) for token in tokenize.tokenize(text, None)]


def cut(text: str, words: int | None) -> str:
    return " ".join(text.split()[:words]) if words else text


def skip_bigrams(tokens: Sequence[str], gap: int = SKIP_GAP) -> Counter:
    """Ordered token pairs with at most `gap` tokens between them, plus the unigrams (ROUGE-SU)."""
    grams = Counter((token,) for token in tokens)
    for i, first in enumerate(tokens):
        for second in tokens[i + 1:i + 2 + gap]:
            grams[(first, second)] += 1
    return grams


def ngrams(tokens: Sequence[str], n: int) -> Counter:
    return Counter(zip(*(itertools.islice(tokens, k, None) for k in range(n))))


def overlap(summary: Counter, reference: Counter) -> Overlap:
    hits = sum(min(count, reference[gram]) for gram, count in summary.items() if gram in reference)
    return Overlap(hits, sum(reference.values()), sum(summary.values()))


class Rouge:
    """Scores summaries against references, both cut to `words` whitespace words (None: uncut)."""

    def __init__(self, words: int | None, stemming: str = "short-kept"):
        self.words = words
        tokenize = _tokenizer(stemming)
        self._tokenize = lru_cache(maxsize=4096)(lambda text: tuple(tokenize(cut(text, words))))
        self._grams = lru_cache(maxsize=4096)(self._count)

    def _count(self, text: str) -> dict[str, Counter]:
        tokens = self._tokenize(text)
        return {"rouge1": ngrams(tokens, 1), "rouge2": ngrams(tokens, 2), "rougeSU4": skip_bigrams(tokens)}

    def overlaps(self, summary: str, reference: str) -> dict[str, Overlap]:
        ours, theirs = self._grams(summary), self._grams(reference)
        return {metric: overlap(ours[metric], theirs[metric]) for metric in METRICS}

    def score(self, summary: str, references: Sequence[str]) -> dict[str, Score]:
        """Each metric's recall and precision against each reference, averaged over the references."""
        if not references:
            raise NewsfuseError("cannot score a summary without reference summaries")
        per_reference = [self.overlaps(summary, reference) for reference in references]
        return {metric: mean_score([o[metric].score for o in per_reference]) for metric in METRICS}

    def pooled(self, summary: str, references: Sequence[str]) -> dict[str, Score]:
        """ROUGE-1.5.5 `-f A`: matches and n-gram counts summed over the references, then divided."""
        per_reference = [self.overlaps(summary, reference) for reference in references]
        return {metric: sum((o[metric] for o in per_reference), Overlap(0, 0, 0)).score for metric in METRICS}

    def jackknife(self, summary: str, references: Sequence[str], own: int | None = None) -> dict[str, Score]:
        """NIST's jackknife: with M references, the mean of the M pooled scores against M-1 of them.

        A human summary that is reference `own` is scored once, against the others.
        """
        if len(references) < 2:
            return self.pooled(summary, references)
        left_out = [own] if own is not None else range(len(references))
        runs = [self.pooled(summary, [r for k, r in enumerate(references) if k != out]) for out in left_out]
        return {metric: mean_score([run[metric] for run in runs]) for metric in METRICS}
