"""Cited extractive multi-document summary under a word budget.

Selection is greedy concept coverage (the idea behind ICSISumm): a concept is a content word
pair, weighted by how many articles use it, so facts that many outlets report weigh most. Each
step takes the sentence that adds the most uncovered weight per word, skipping sentences that
repeat one already chosen. The chosen sentences are put in reading order (earliest in their
articles first) and cite every article that reports them (align.py).
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

import numpy as np

from .align import coverage
from .model import Sentence, Story, SummarySentence
from .terms import bigrams, content_terms

# Sentences that lean on the previous one read badly out of context.
DANGLING_START = re.compile(
    r"^(?:he|she|it|they|this|that|these|those|his|her|its|their|but|and|or|so|also|however|rather|"
    r"still|yet|meanwhile|moreover|instead|then|there|here|such|both|neither|the two)\b",
    re.I,
)
TERMINAL = re.compile(r"[.!]['\"”’)]*$")


@dataclass(frozen=True)
class SummaryOptions:
    words: int = 120
    min_sentence_words: int = 8
    max_sentence_words: int = 60
    length_exponent: float = 0.6  # gain is divided by words ** this: favours dense, shorter sentences
    redundancy_cosine: float = 0.80
    redundancy_coverage: float = 0.6
    dangling_penalty: float = 0.5
    lead_bonus: float = 0.25  # extra weight for an article's first sentences, where news puts the event


def summarize_story(story: Story, options: SummaryOptions = SummaryOptions()) -> list[SummarySentence]:
    """Pick, order and cite summary sentences for one story."""
    candidates = [s for s in story.sentences if _is_candidate(s, options)]
    if not candidates:  # a story of short fragments: take what there is
        candidates = [s for s in story.sentences if s.words >= 3]
    pairs = {id(s): bigrams(s.text) for s in story.sentences}  # computed once, used twice
    chosen = _select(candidates, pairs, _concept_weights(story, pairs), options)
    chosen.sort(key=lambda s: (_relative_position(story, s), story.articles.index(story.article(s.article_id)), s.index))
    in_story = {a.id for a in story.articles}
    return [
        SummarySentence(
            text=s.text,
            sources=[s.article_id] + [a.id for a in story.articles if a.id in s.support and a.id in in_story],
            sentence=s,
        )
        for s in chosen
    ]


def _is_candidate(sentence: Sentence, options: SummaryOptions) -> bool:
    text = sentence.text
    if not options.min_sentence_words <= sentence.words <= options.max_sentence_words:
        return False
    if not TERMINAL.search(text) or "?" in text:
        return False
    if not (text[:1].isupper() or text[:1].isdigit() or text[:1] in "“\"‘'"):
        return False
    return text.count('"') % 2 == 0 and text.count("“") == text.count("”")


def _concept_weights(story: Story, pairs: dict[int, set]) -> dict[tuple[str, str], float]:
    """Word pairs weighted by the number of articles using them; pairs used once are noise in a big story."""
    frequency: Counter = Counter()
    for article in story.articles:
        frequency.update(set().union(*(pairs[id(s)] for s in article.sentences)))
    min_articles = 2 if len(story.articles) >= 3 else 1
    return {pair: float(n) for pair, n in frequency.items() if n >= min_articles}


def _select(candidates: list[Sentence], pairs: dict[int, set], weights: dict, options: SummaryOptions) -> list[Sentence]:
    concepts = [pairs[id(s)] & weights.keys() for s in candidates]
    terms = [set(content_terms(s.text)) for s in candidates]
    bonus = [
        (1.0 + options.lead_bonus * (s.index < 3)) * (options.dangling_penalty if DANGLING_START.match(s.text) else 1.0)
        for s in candidates
    ]
    covered: set = set()
    chosen: list[int] = []
    budget = options.words
    available = set(range(len(candidates)))
    while available:
        best, best_gain = None, 0.0
        for i in sorted(available):
            if candidates[i].words > budget:
                continue
            gain = sum(weights[c] for c in concepts[i] - covered) * bonus[i] / candidates[i].words ** options.length_exponent
            if gain > best_gain:
                best, best_gain = i, gain
        if best is None:
            break
        available.discard(best)
        if any(_repeats(candidates[best], terms[best], candidates[j], terms[j], options) for j in chosen):
            continue
        chosen.append(best)
        covered |= concepts[best]
        budget -= candidates[best].words
    return [candidates[i] for i in chosen]


def _repeats(a: Sentence, terms_a: set, b: Sentence, terms_b: set, options: SummaryOptions) -> bool:
    """Whether `a` says again what `b` already says."""
    if a.support.get(b.article_id) == b.index or b.support.get(a.article_id) == a.index:
        return True
    if a.vector is not None and b.vector is not None and float(np.dot(a.vector, b.vector)) >= options.redundancy_cosine:
        return True
    return coverage(terms_a, terms_b) >= options.redundancy_coverage


def _relative_position(story: Story, sentence: Sentence) -> float:
    article = story.article(sentence.article_id)
    return sentence.index / max(len(article.sentences), 1)
