"""The dataclasses that flow one way through the pipeline.

files -> Article -> Sentence -> Story -> SummarySentence -> Report. No stage logic lives here.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np


class NewsfuseError(Exception):
    """A problem with the user's input. The message names the input and the problem."""


@dataclass
class Removal:
    """One piece of text that cleaning took out of an article, kept for auditing."""

    kind: str  # "doubled_title", "photo_credit", "byline", "promo", "read_also", "share", ...
    text: str


@dataclass
class Sentence:
    article_id: str
    index: int  # position in the article, 0-based
    text: str
    start: int  # character span in Article.text
    end: int
    paragraph: int
    vector: np.ndarray | None = field(default=None, repr=False, compare=False)
    # other articles that state the same thing: article id -> index of their sentence (align.py)
    support: dict[str, int] = field(default_factory=dict, repr=False, compare=False)

    @property
    def words(self) -> int:
        return len(self.text.split())


@dataclass
class Article:
    id: str
    text: str  # cleaned body, paragraphs separated by a blank line
    title: str | None = None
    source: str | None = None  # the outlet
    url: str | None = None
    date: dt.date | None = None
    origin: str = ""  # where it was read from: a path, or "file.jsonl:3"
    cluster: str | None = None  # the cluster id when the input came already grouped
    removed: list[Removal] = field(default_factory=list)
    sentences: list[Sentence] = field(default_factory=list)

    @property
    def paragraphs(self) -> list[str]:
        return [p for p in self.text.split("\n\n") if p.strip()]

    @property
    def outlet(self) -> str:
        """The outlet name to show; the article id when the outlet is unknown."""
        return self.source or self.id


@dataclass
class Cluster:
    """A group of articles given as one unit by the input (cluster JSONL), with reference summaries."""

    id: str
    articles: list[Article]
    summaries: list[str] = field(default_factory=list)


@dataclass
class SummarySentence:
    text: str
    sources: list[str]  # ids of every article that reports it, the chosen one first
    sentence: Sentence | None = field(default=None, repr=False)  # where the text was taken from


@dataclass
class Story:
    id: str
    articles: list[Article]
    title: str = ""
    summary: list[SummarySentence] = field(default_factory=list)

    @property
    def sentences(self) -> list[Sentence]:
        return [s for a in self.articles for s in a.sentences]

    def article(self, article_id: str) -> Article:
        return next(a for a in self.articles if a.id == article_id)


@dataclass
class Report:
    stories: list[Story]
