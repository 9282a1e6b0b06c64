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

    def similarity(self, other: "Sentence") -> float:
        """Cosine of the two embeddings (they are L2-normalised); 0 when either is not embedded."""
        if self.vector is None or other.vector is None:
            return 0.0
        return float(self.vector @ other.vector)


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
    date_inferred: bool = False  # the date was inferred from the story, not stated by the article
    role: str = "core"  # "core" | "derivative" | "off_event" (analysis/roles.py)
    derived_from: list[str] = field(default_factory=list)  # article ids a derivative article took its sentences from

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
    query: str | None = None  # query-focused summarization: what the reader asked about
    seen: list[Article] = field(default_factory=list)  # update mode: articles the reader has already read


@dataclass
class SummarySentence:
    text: str
    sources: list[str]  # ids of every article that reports it, the chosen one first
    sentence: Sentence | None = field(default=None, repr=False)  # where the text was taken from


@dataclass
class Claim:
    """One fact stated by one or more articles (sentences aligned across articles)."""

    id: str
    text: str  # the representative wording
    sources: list[str]  # article ids stating it, the representative's first
    sentences: list[tuple[str, int]] = field(default_factory=list)  # (article id, sentence index) of each statement


@dataclass
class Coverage:
    """Claims x articles: which article states which claim, and what each article alone contributes."""

    articles: list[str]  # article ids, the columns
    claims: list[str]  # claim ids, the rows
    cells: list[list[bool]]  # cells[claim][article]
    unique: dict[str, int] = field(default_factory=dict)  # article id -> claims only it states


@dataclass
class ConflictSide:
    value: str  # the figure, date or assertion as stated ("12", "Dec. 18", "denied")
    text: str  # the sentence that states it
    sources: list[str]


@dataclass
class Conflict:
    kind: str  # "figure" | "date" | "denial"
    subject: str  # what the sides disagree about ("deaths", "meeting date")
    sides: list[ConflictSide]


@dataclass
class Quote:
    text: str  # the quoted words, without quotation marks
    speaker: str | None  # full name, or the organisation, as resolved; None when unknown
    speaker_title: str | None = None  # "Secretary of State", kept apart from the name
    variants: list[str] = field(default_factory=list)  # other outlets' wordings of the same quote
    sources: list[str] = field(default_factory=list)  # article ids


@dataclass
class Entity:
    name: str  # the canonical (longest, most frequent) form
    kind: str  # "person" | "organization" | "place"
    variants: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    mentions: int = 0


@dataclass
class TimelineEntry:
    date: str  # ISO at its granularity: "2015-12-15", "2015-W51", "2015-12", "2015"
    granularity: str  # "day" | "week" ("this week") | "month" | "year"
    text: str  # the event sentence
    sources: list[str]
    expression: str = ""  # the words that gave the date ("on Tuesday")
    inferred: bool = False  # resolved against a publication date that was itself inferred


@dataclass
class Analysis:
    """How the outlets covered one story (analysis/). Off-event articles are left out of all of it."""

    claims: list[Claim] = field(default_factory=list)
    consensus: list[Claim] = field(default_factory=list)  # stated by two or more outlets
    single_source: list[Claim] = field(default_factory=list)
    coverage: Coverage | None = None
    conflicts: list[Conflict] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    timeline: list[TimelineEntry] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)


@dataclass
class Story:
    id: str
    articles: list[Article]
    title: str = ""
    summary: list[SummarySentence] = field(default_factory=list)
    analysis: Analysis | None = None

    @property
    def sentences(self) -> list[Sentence]:
        return [s for a in self.articles for s in a.sentences]

    def article(self, article_id: str) -> Article:
        return next(a for a in self.articles if a.id == article_id)


@dataclass
class Report:
    stories: list[Story]
