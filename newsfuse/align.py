"""Which sentences across articles say the same thing (verbatim, near-verbatim or paraphrased).

A sentence B "reports" sentence A when their embeddings are close AND B carries most of A's
content words; embeddings alone score any two sentences on one topic as similar, words alone miss
paraphrases, so both must agree. The relation is directional: a long sentence reports a short one
it contains, not the other way round.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .model import Sentence
from .terms import content_terms

BLOCK = 2048  # rows of the similarity matrix computed at once, to bound memory on big stories


@dataclass(frozen=True)
class AlignThresholds:
    """Tuned by reading the seeds' cross-article pairs: true paraphrases scored cosine >= 0.84 and
    cosine + coverage/2 >= 1.10; the closest false pairs scored <= 1.05, or cosine 0.70 ("met
    Putin" against "prepares to meet Putin")."""

    min_cosine: float = 0.75
    min_score: float = 1.08  # cosine + coverage / 2
    near_copy_coverage: float = 0.75  # most words shared: a lower cosine is enough
    near_copy_cosine: float = 0.60
    near_copy_min_terms: int = 8  # a short sentence is "contained" in many: "X met Putin" in "X prepares to meet Putin"
    min_terms: int = 4  # shorter sentences are too generic to align


# The cosine scale differs between embedding spaces; TF-IDF cosines are lexical and lower.
THRESHOLDS = {
    "static": AlignThresholds(),
    "onnx": AlignThresholds(min_cosine=0.80, min_score=1.15, near_copy_cosine=0.6),  # int8 MiniLM scores same-topic pairs ~0.9
    "tfidf": AlignThresholds(min_cosine=0.35, min_score=0.75, near_copy_cosine=0.3),
}


def coverage(of: set[str], by: set[str]) -> float:
    """Share of `of`'s content words found in `by`."""
    return len(of & by) / len(of) if of else 0.0


def reports(cosine: float, covered: float, terms_a: int, thresholds: AlignThresholds) -> bool:
    """Whether a sentence with this cosine and coverage states the same thing as one with terms_a words."""
    if terms_a < thresholds.min_terms:
        return False
    return (cosine >= thresholds.min_cosine and cosine + covered / 2 >= thresholds.min_score) or (
        terms_a >= thresholds.near_copy_min_terms
        and cosine >= thresholds.near_copy_cosine
        and covered >= thresholds.near_copy_coverage
    )


def align_sentences(sentences: list[Sentence], matrix: np.ndarray, thresholds: AlignThresholds) -> None:
    """Fill each sentence's `support`: the other articles that report it, {article id: their sentence index}.

    `matrix` holds the sentences' L2-normalised embeddings, one row each, in the same order.
    """
    terms = [set(content_terms(s.text)) for s in sentences]
    articles = np.array([s.article_id for s in sentences])
    support: list[dict[str, int]] = [{} for _ in sentences]
    lowest = min(thresholds.min_cosine, thresholds.near_copy_cosine)
    for begin in range(0, len(sentences), BLOCK):
        block = matrix[begin:begin + BLOCK] @ matrix.T
        for row, col in zip(*np.nonzero(block >= lowest)):
            i = begin + row
            if articles[i] == articles[col]:
                continue
            best = support[i].get(articles[col])
            covered = coverage(terms[i], terms[col])
            if reports(float(block[row, col]), covered, len(terms[i]), thresholds):
                if best is None or block[row, col] > block[row, best]:
                    support[i][str(articles[col])] = int(col)
    for sentence, found in zip(sentences, support):
        sentence.support = {article_id: sentences[col].index for article_id, col in found.items()}
