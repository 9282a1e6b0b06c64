"""Group articles that report the same event into stories.

Two articles report the same event when they share statements (aligned sentences), not merely
topic words: a report of a different meeting between the same people shares the vocabulary but
few statements. Articles dated far apart are never joined. Input that comes already grouped
(cluster JSONL) keeps its groups.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np

from .model import Article, Story


@dataclass(frozen=True)
class GroupingOptions:
    min_shared: int = 2  # statements two articles must share to be one story...
    min_shared_similar: int = 1  # ...or this many when their texts are this similar:
    similar_cosine: float = 0.90
    max_days_apart: int = 4


def group_stories(articles: list[Article], options: GroupingOptions = GroupingOptions()) -> list[Story]:
    """Stories, largest first; articles keep their input order inside a story."""
    given: dict[str, list[Article]] = {}
    loose: list[Article] = []
    for article in articles:
        (given.setdefault(article.cluster, []) if article.cluster else loose).append(article)
    groups = list(given.values()) + _link_components(loose, options)
    stories = [make_story(group) for group in groups]
    order = {a.id: n for n, a in enumerate(articles)}
    stories.sort(key=lambda s: (-len(s.articles), order[s.articles[0].id]))
    return stories


def make_story(articles: list[Article], story_id: str | None = None) -> Story:
    digest = hashlib.sha1("\n".join(sorted(a.id for a in articles)).encode()).hexdigest()[:10]
    return Story(id=story_id or f"s-{digest}", articles=articles, title=_central_title(articles))


def article_vector(article: Article) -> np.ndarray | None:
    vectors = [s.vector for s in article.sentences if s.vector is not None]
    if not vectors:
        return None
    mean = np.mean(vectors, axis=0)
    return mean / max(float(np.linalg.norm(mean)), 1e-12)


def shared_statements(a: Article, b: Article) -> int:
    """How many sentences of either article the other one reports."""
    return sum(b.id in s.support for s in a.sentences) + sum(a.id in s.support for s in b.sentences)


def _link_components(articles: list[Article], options: GroupingOptions) -> list[list[Article]]:
    """Join linked articles, strongest links first, never letting a story's dates spread too far:
    an undated article must not bridge two occasions months apart."""
    vectors = [article_vector(a) for a in articles]
    links = []
    for i, a in enumerate(articles):
        for j in range(i + 1, len(articles)):
            shared = shared_statements(a, articles[j])
            if shared == 0:
                continue
            cosine = float(vectors[i] @ vectors[j]) if vectors[i] is not None and vectors[j] is not None else 0.0
            if shared >= options.min_shared or (cosine >= options.similar_cosine and shared >= options.min_shared_similar):
                links.append((-shared, -cosine, i, j))
    parent = list(range(len(articles)))
    dates = [[a.date] if a.date else [] for a in articles]  # known dates of each component, at its root

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for *_, i, j in sorted(links):
        ri, rj = root(i), root(j)
        if ri == rj:
            continue
        joined = dates[ri] + dates[rj]
        if joined and (max(joined) - min(joined)).days > options.max_days_apart:
            continue
        parent[rj] = ri
        dates[ri] = joined
    components: dict[int, list[Article]] = {}
    for i, article in enumerate(articles):
        components.setdefault(root(i), []).append(article)
    return list(components.values())


def _central_title(articles: list[Article]) -> str:
    """The title of the article nearest the story's centre: the most representative headline."""
    titled = [a for a in articles if a.title]
    if not titled:
        return articles[0].sentences[0].text if articles[0].sentences else articles[0].id
    vectors = [article_vector(a) for a in titled]
    if any(v is None for v in vectors) or len(titled) < 3:
        return titled[0].title
    centre = np.mean(vectors, axis=0)
    return titled[int(np.argmax([float(v @ centre) for v in vectors]))].title
