"""Learned concept weights: how likely a word pair is to be in a human summary of the story.

Supervised bigram weighting (Li, Qian & Liu 2013; Hong & Nenkova 2014): each word pair of a story
gets a few features (how many articles use it, how early, in titles, whether its words are stop
words, names or numbers; with a query, how relevant its sentences are; in update mode, how many
read articles already use it), and a logistic regression turns them into the probability that a
reference summary uses the pair. The coefficients are fitted by bench/fit_concept_weights.py on
other sets than those we report (see `concept_coefficients.py`); only numbers ship here.
"""
from __future__ import annotations

import math
import re
from collections import Counter

import numpy as np

from .model import Article, Story
from .terms import STOP_WORDS, bigrams, stem, tokens

# One word of a pair: capitalised mid-sentence (a name), a number.
_WORD = re.compile(r"[A-Za-z0-9]+(?:['’.-][A-Za-z0-9]+)*")

GENERIC = (
    "share",  # share of the articles using the pair
    "share_squared",
    "log_articles",  # log(1 + articles using it)
    "single",  # only one article uses it
    "lead",  # mean over articles of exp(-first sentence index / 4) (0 when the article lacks it)
    "first",  # share of articles using it in their first sentence
    "top3",  # share of articles using it in their first three sentences
    "log_sentences",  # log(1 + sentences using it)
    "title",  # share of the articles whose title uses it
    "stop",  # one of its words is a stop word
    "number",  # one of its words is a number
    "name",  # mean share of its words' uses that are capitalised mid-sentence
    "word_share_min",  # the rarer word's share of articles
    "word_share_max",
    "log_story",  # log(articles in the story)
)
QUERY = ("query_words", "relevance_max", "relevance_mean")
UPDATE = ("seen_share", "seen_lead", "seen_none")


def feature_names(query: bool, update: bool) -> tuple[str, ...]:
    return GENERIC + (QUERY if query or update else ()) + (UPDATE if update else ())


def concept_features(story: Story, pairs: dict[int, set], relevance: dict[int, float] | None = None,
                     query: str | None = None, seen: list[Article] | None = None,
                     update: bool = False) -> tuple[list[tuple[str, str]], np.ndarray]:
    """Every word pair of the story (sorted) and its feature row, in `feature_names(query, update)` order.

    `pairs` maps id(sentence) to its word pairs (the summarizer's, computed once)."""
    n_articles = len(story.articles)
    articles_using: Counter = Counter()
    lead: Counter = Counter()
    first: Counter = Counter()
    top3: Counter = Counter()
    sentences_using: Counter = Counter()
    title: Counter = Counter()
    word_articles: Counter = Counter()
    capital: Counter = Counter()
    seen_count: Counter = Counter()
    rel_max: dict = {}
    rel_sum: Counter = Counter()
    for article in story.articles:
        earliest: dict = {}
        words: set = set()
        for s in article.sentences:
            found = pairs[id(s)]
            sentences_using.update(found)
            for pair in found:
                if pair not in earliest:
                    earliest[pair] = s.index
                words.update(pair)
            if relevance is not None:
                r = relevance[id(s)]
                for pair in found:
                    rel_sum[pair] += r
                    if r > rel_max.get(pair, -math.inf):
                        rel_max[pair] = r
            for token in _WORD.findall(s.text)[1:]:  # the first word is capitalised anyway
                if token[:1].isupper():
                    capital[stem(_fold(token.lower()))] += 1
        articles_using.update(earliest.keys())
        word_articles.update(words)
        for pair, index in earliest.items():
            lead[pair] += math.exp(-index / 4.0)
            if index == 0:
                first[pair] += 1
            if index < 3:
                top3[pair] += 1
        if article.title:
            title.update(bigrams(article.title))
    word_uses: Counter = Counter()
    for pair, n in sentences_using.items():
        for w in pair:
            word_uses[w] += n  # approximate uses of the word: sentences of its pairs
    if update and seen:
        seen_lead: Counter = Counter()
        for article in seen:
            used = set().union(*(bigrams(s.text) for s in article.sentences)) if article.sentences else set()
            seen_count.update(used)
            seen_lead.update(set().union(*(bigrams(s.text) for s in article.sentences[:3])) if article.sentences else set())
    query_words = {stem(t) for t in tokens(query)} if query else set()

    keys = sorted(articles_using)
    names = feature_names(relevance is not None, update)
    rows = np.zeros((len(keys), len(names)))
    log_story = math.log(max(n_articles, 1))
    for k, pair in enumerate(keys):
        n = articles_using[pair]
        share = n / n_articles
        word_shares = [word_articles[w] / n_articles for w in pair]
        names_share = sum(min(capital[w] / max(word_uses[w], 1), 1.0) for w in pair) / 2
        row = [
            share, share * share, math.log1p(n), float(n == 1), lead[pair] / n_articles, first[pair] / n_articles,
            top3[pair] / n_articles, math.log1p(sentences_using[pair]), title[pair] / n_articles,
            float(any(w in STOP_WORDS for w in pair)), float(any(w[:1].isdigit() for w in pair)), names_share,
            min(word_shares), max(word_shares), log_story,
        ]
        if relevance is not None or update:
            if relevance is not None:
                row += [sum(w in query_words for w in pair) / 2, rel_max[pair], rel_sum[pair] / sentences_using[pair]]
            else:
                row += [0.0, 0.0, 0.0]
        if update:
            if seen:
                row += [seen_count[pair] / len(seen), seen_lead[pair] / len(seen), float(seen_count[pair] == 0)]
            else:
                row += [0.0, 0.0, 1.0]
        rows[k] = row
    return keys, rows


def _fold(token: str) -> str:
    return token[:-2] if token.endswith(("'s", "’s")) else token


def predict(model: dict, rows: np.ndarray) -> np.ndarray:
    """The model's probability for each feature row (features standardised as when it was fitted)."""
    z = (rows - np.asarray(model["mean"])) / np.asarray(model["scale"])
    return 1.0 / (1.0 + np.exp(-(z @ np.asarray(model["coef"]) + model["intercept"])))


def fit_logistic(rows: np.ndarray, labels: np.ndarray, weights: np.ndarray, l2: float = 1.0, steps: int = 50) -> dict:
    """Weighted L2 logistic regression by Newton's method on standardised features (no sklearn needed).

    `labels` are 0/1 and `weights` each row's weight, so a row can stand for a share of references."""
    mean = rows.mean(axis=0)
    scale = rows.std(axis=0)
    scale[scale < 1e-9] = 1.0  # a constant feature (all stories of one size): no information
    x = np.hstack([(rows - mean) / scale, np.ones((len(rows), 1))])
    beta = np.zeros(x.shape[1])
    penalty = np.full(x.shape[1], l2)
    penalty[-1] = 0.0  # no penalty on the intercept
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-(x @ beta)))
        gradient = x.T @ (weights * (p - labels)) + penalty * beta
        hessian = (x * (weights * p * (1 - p))[:, None]).T @ x + np.diag(penalty)
        step = np.linalg.solve(hessian, gradient)
        beta -= step
        if np.abs(step).max() < 1e-8:
            break
    return {"coef": beta[:-1].tolist(), "intercept": float(beta[-1]), "mean": mean.tolist(), "scale": scale.tolist()}
