"""The stages wired together: articles in, a Report of cited stories out.

One Options object carries every setting; the CLI and any other caller build it once.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Iterator

from .align import THRESHOLDS, align_sentences
from .analysis import AnalysisOptions, analyze_story, attach_off_event, on_event
from .clean import clean_article
from .embed import embed_sentences, get_embedder
from .model import Article, Cluster, NewsfuseError, Report, Story
from .sentences import split_sentences
from .stories import GroupingOptions, group_stories, make_story
from .summarize import Focus, SummaryOptions, summarize_story


@dataclass(frozen=True)
class Options:
    summary: SummaryOptions = field(default_factory=SummaryOptions)
    grouping: GroupingOptions = field(default_factory=GroupingOptions)
    embedder: str = "static"
    analysis: AnalysisOptions = field(default_factory=AnalysisOptions)

    @classmethod
    def with_words(cls, words: int, **overrides) -> "Options":
        return cls(summary=SummaryOptions(words=words), **overrides)


def prepare(articles: list[Article], options: Options) -> list[Article]:
    """Clean, split, embed and align articles in place; articles left with no text are dropped."""
    for article in articles:
        split_sentences(clean_article(article))
    kept = [a for a in articles if a.sentences]
    if not kept:
        raise NewsfuseError("no article has any text left after cleaning")
    sentences = [s for a in kept for s in a.sentences]
    matrix = embed_sentences(sentences, get_embedder(options.embedder))
    thresholds = THRESHOLDS[options.embedder]
    # align within each given cluster; loose articles are aligned together, to find their stories
    groups: dict[str | None, list[int]] = {}
    for row, cluster in enumerate(a.cluster for a in kept for _ in a.sentences):
        groups.setdefault(cluster, []).append(row)
    for rows in groups.values():
        align_sentences([sentences[r] for r in rows], matrix[rows], thresholds)
    return kept


def build_report(articles: list[Article], options: Options = Options()) -> Report:
    """Group articles into stories, analyse and summarize each one.

    A lone article about another occasion of a story's actors joins that story as `off_event`:
    shown with it, but left out of its analysis and summary (never cited)."""
    stories = attach_off_event(group_stories(prepare(articles, options), options.grouping), options.analysis.roles)
    for story in stories:
        story.analysis = analyze_story(story, options.analysis)
        story.summary = summarize_story(Story(id=story.id, articles=on_event(story), title=story.title), options.summary)
    return Report(stories=stories)


def summarize_clusters(clusters: Iterable[Cluster], options: Options = Options()) -> Iterator[Story]:
    """Batch mode: each given cluster is one story (no regrouping), summarized in input order.

    A cluster's `query` focuses its summary; its `seen` articles (already read) are prepared too,
    once even when several clusters share them, and what they say is left out (update mode)."""
    for cluster in clusters:
        if not cluster.articles:  # everything was already read (--since)
            yield Story(id=cluster.id, articles=[])
            continue
        story = make_story(prepare(cluster.articles, options), story_id=cluster.id)
        unprepared = [a for a in cluster.seen if not a.sentences]
        if unprepared:
            prepare(unprepared, options)
        seen = [a for a in cluster.seen if a.sentences]
        query_vector = get_embedder(options.embedder).encode([cluster.query])[0] if cluster.query else None
        focus = Focus(query=cluster.query, query_vector=query_vector, seen=seen, thresholds=THRESHOLDS[options.embedder])
        story.summary = summarize_story(story, options.summary, focus)
        yield story
