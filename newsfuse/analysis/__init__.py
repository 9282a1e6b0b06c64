"""Cross-source analysis of one story: how the outlets covered it.

Roles first (derivative copies; off-event articles were attached by `roles.attach_off_event`
after grouping), then, over the story's articles that are not off-event: missing dates,
claims (consensus, single-source, coverage), conflicts, entities, quotes and the timeline.
One module per part; this one only runs them in order.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..model import Analysis, Article, Story
from .claims import ClaimOptions, align_claims, coverage_matrix, split_consensus
from .conflicts import ConflictOptions, find_conflicts
from .entities import extract_entities
from .quotes import extract_quotes
from .roles import RoleOptions, assign_derivatives, attach_off_event
from .timeline import build_timeline, infer_missing_dates


@dataclass(frozen=True)
class AnalysisOptions:
    claims: ClaimOptions = field(default_factory=ClaimOptions)
    roles: RoleOptions = field(default_factory=RoleOptions)
    conflicts: ConflictOptions = field(default_factory=ConflictOptions)
    ner: str = "spacy"  # entities.get_ner backend


def on_event(story: Story) -> list[Article]:
    """The story's articles that report its occasion (all but off-event ones)."""
    return [a for a in story.articles if a.role != "off_event"]


def analyze_story(story: Story, options: AnalysisOptions = AnalysisOptions()) -> Analysis:
    """Set each article's role and return the story's Analysis; off-event articles are left out of it."""
    articles = on_event(story)
    for article in articles:  # roles are recomputed from scratch on every run
        article.role, article.derived_from = "core", []
    assign_derivatives(articles, options.roles)
    infer_missing_dates(articles)
    claims = align_claims(articles, options.claims)
    consensus, single_source = split_consensus(claims, articles, options.claims)
    entities = extract_entities(articles, options.ner)
    return Analysis(
        claims=claims,
        consensus=consensus,
        single_source=single_source,
        coverage=coverage_matrix(claims, articles),
        conflicts=find_conflicts(articles, options.conflicts),
        quotes=extract_quotes(articles, entities),
        timeline=build_timeline(articles),
        entities=entities,
    )


__all__ = ["AnalysisOptions", "analyze_story", "attach_off_event", "on_event"]
