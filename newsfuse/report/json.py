"""The report as JSON: the stable contract documented in the README."""
from __future__ import annotations

import json

from ..analysis.claims import independent_outlets
from ..model import Analysis, Article, Claim, Report, Story


def report_to_dict(report: Report) -> dict:
    return {"stories": [story_to_dict(story) for story in report.stories]}


def story_to_dict(story: Story) -> dict:
    data = {
        "id": story.id,
        "title": story.title,
        "articles": [article_to_dict(a) for a in story.articles],
        "summary": [{"text": s.text, "sources": list(s.sources)} for s in story.summary],
    }
    if story.analysis is not None:
        data.update(analysis_to_dict(story.analysis, story.articles))
    return data


def article_to_dict(article: Article) -> dict:
    return {
        "id": article.id,
        "source": article.source,
        "title": article.title,
        "date": article.date.isoformat() if article.date else None,
        "date_inferred": article.date_inferred,
        "url": article.url,
        "role": article.role,
        "derived_from": list(article.derived_from),
        "removed": [{"kind": r.kind, "text": r.text} for r in article.removed],
    }


def analysis_to_dict(analysis: Analysis, articles: list[Article]) -> dict:
    coverage = analysis.coverage
    return {
        "consensus": [claim_to_dict(c, articles) for c in analysis.consensus],
        "single_source": [claim_to_dict(c, articles) for c in analysis.single_source],
        "coverage": {
            "articles": list(coverage.articles),
            "claims": list(coverage.claims),
            "cells": [[int(cell) for cell in row] for row in coverage.cells],
            "unique": dict(coverage.unique),
        } if coverage else None,
        "conflicts": [
            {"kind": c.kind, "subject": c.subject,
             "sides": [{"value": s.value, "text": s.text, "sources": list(s.sources)} for s in c.sides]}
            for c in analysis.conflicts
        ],
        "quotes": [
            {"speaker": q.speaker, "speaker_title": q.speaker_title, "text": q.text,
             "variants": list(q.variants), "sources": list(q.sources)}
            for q in analysis.quotes
        ],
        "timeline": [
            {"date": t.date, "granularity": t.granularity, "text": t.text, "sources": list(t.sources),
             "inferred": t.inferred, "expression": t.expression}
            for t in analysis.timeline
        ],
        "entities": [
            {"name": e.name, "kind": e.kind, "variants": list(e.variants), "sources": list(e.sources), "mentions": e.mentions}
            for e in analysis.entities
        ],
    }


def claim_to_dict(claim: Claim, articles: list[Article]) -> dict:
    """`sources`: every article stating it; `outlets`: the independent outlets among them (no derivative copies)."""
    return {"id": claim.id, "text": claim.text, "sources": list(claim.sources), "outlets": independent_outlets(claim, articles)}


def render_json(report: Report) -> str:
    return json.dumps(report_to_dict(report), ensure_ascii=False, indent=2) + "\n"
