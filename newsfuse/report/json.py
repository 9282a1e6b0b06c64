"""The report as JSON: the stable contract documented in the README."""
from __future__ import annotations

import json

from ..model import Article, Report, Story


def report_to_dict(report: Report) -> dict:
    return {"stories": [story_to_dict(story) for story in report.stories]}


def story_to_dict(story: Story) -> dict:
    return {
        "id": story.id,
        "title": story.title,
        "articles": [article_to_dict(a) for a in story.articles],
        "summary": [{"text": s.text, "sources": list(s.sources)} for s in story.summary],
    }


def article_to_dict(article: Article) -> dict:
    return {
        "id": article.id,
        "source": article.source,
        "title": article.title,
        "date": article.date.isoformat() if article.date else None,
        "url": article.url,
        "removed": [{"kind": r.kind, "text": r.text} for r in article.removed],
    }


def render_json(report: Report) -> str:
    return json.dumps(report_to_dict(report), ensure_ascii=False, indent=2) + "\n"
