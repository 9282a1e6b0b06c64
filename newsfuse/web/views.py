"""What the pages show, built from the report: citations that point at the exact source sentence,
article texts with every sentence addressable, and the analysis sections the story JSON has.

Everything from articles is escaped here or by the templates (Jinja2 autoescape); `Markup` is only
ever made from strings this module escaped itself.
"""
from __future__ import annotations

import re
from html import escape

from markupsafe import Markup

from ..model import Article, Story

WORD = re.compile(r"\w+")


def sentence_anchor(number: int, index: int) -> str:
    return f"a{number}-s{index}"


def article_html(article: Article, number: int) -> Markup:
    """The article's text as paragraphs, each sentence a <span id="a{n}-s{i}"> a citation can point at."""
    text = article.text
    parts: list[str] = []
    position = 0
    for sentence in sorted(article.sentences, key=lambda s: s.start):
        if sentence.start < position:  # overlapping spans should not happen; never duplicate text
            continue
        parts.append(_gap(text[position:sentence.start]))
        parts.append(f'<span class="sent" id="{sentence_anchor(number, sentence.index)}">'
                     f"{escape(text[sentence.start:sentence.end])}</span>")
        position = sentence.end
    parts.append(_gap(text[position:]))
    return Markup("<p>" + "".join(parts).strip() + "</p>")


def _gap(text: str) -> str:
    escaped = escape(text)
    return re.sub(r"\n\s*\n", "</p><p>", escaped).replace("\n", "<br>")


class Citations:
    """Links from a text to the sentence of each source article that states it."""

    def __init__(self, story: Story):
        self.story = story
        self.numbers = {article.id: number for number, article in enumerate(story.articles, 1)}
        self.articles = {article.id: article for article in story.articles}

    def for_summary(self, summary_sentence) -> list[dict]:
        chosen = summary_sentence.sentence
        cites = []
        for article_id in summary_sentence.sources:
            index = None
            if chosen is not None and chosen.article_id == article_id:
                index = chosen.index
            elif chosen is not None and article_id in chosen.support:
                index = chosen.support[article_id]
            if index is None:
                index = self._locate(article_id, summary_sentence.text)
            cites.append(self._cite(article_id, index))
        return self._ordered(cites)

    def for_text(self, text: str, sources: list[str]) -> list[dict]:
        """Citations for an analysis item (claim, quote, timeline entry, conflict side) by finding its sentence."""
        return self._ordered([self._cite(a, self._locate(a, text)) for a in sources if a in self.numbers])

    def _cite(self, article_id: str, index: int | None) -> dict:
        number = self.numbers.get(article_id)
        if number is None:
            return {"number": None, "label": article_id, "href": "#", "title": article_id}
        article = self.articles[article_id]
        title = f"{article.outlet}" + (f" — {article.title}" if article.title else "")
        href = f"#{sentence_anchor(number, index)}" if index is not None else f"#a{number}"
        return {"number": number, "label": f"[{number}]", "href": href, "title": title}

    @staticmethod
    def _ordered(cites: list[dict]) -> list[dict]:
        return sorted(cites, key=lambda c: c["number"] or 0)

    def _locate(self, article_id: str, text: str) -> int | None:
        """The index of the article's sentence that states `text`: equal, containing it, or sharing most words."""
        article = self.articles.get(article_id)
        if article is None or not article.sentences:
            return None
        wanted = _norm(text)
        for sentence in article.sentences:
            if _norm(sentence.text) == wanted:
                return sentence.index
        for sentence in article.sentences:
            if wanted and wanted in _norm(sentence.text):
                return sentence.index
        words = set(WORD.findall(text.casefold()))
        best, best_score = None, 0.5  # at least half the words shared, else point at the article
        for sentence in article.sentences:
            other = set(WORD.findall(sentence.text.casefold()))
            score = len(words & other) / max(len(words | other), 1)
            if score > best_score:
                best, best_score = sentence.index, score
        return best


def _norm(text: str) -> str:
    return " ".join(WORD.findall(text.casefold()))


def story_view(story: Story, data: dict) -> dict:
    """Everything the story page shows. `data` is the story's JSON (report/json.py); analysis fields
    it lacks are simply not shown."""
    citations = Citations(story)
    numbers = citations.numbers
    articles = []
    for number, article in enumerate(story.articles, 1):
        article_data = next((a for a in data.get("articles", []) if a.get("id") == article.id), {})
        url = article.url if article.url and article.url.startswith(("http://", "https://")) else None
        articles.append({
            "number": number, "id": article.id, "outlet": article.outlet, "title": article.title,
            "date": article.date.isoformat() if article.date else None, "url": url,
            "role": article_data.get("role", "core"),
            "derived_from": [numbers[a] for a in article_data.get("derived_from", []) if a in numbers],
            "removed": len(article.removed), "html": article_html(article, number),
        })
    on_event = [a for a in articles if a["role"] != "off_event"]
    claims = {c["id"]: c for key in ("consensus", "single_source") for c in data.get(key) or []}
    coverage = data.get("coverage")
    matrix = None
    if coverage and coverage.get("claims"):
        columns = [numbers.get(a) for a in coverage.get("articles", [])]
        rows = []
        for claim_id, cells in zip(coverage["claims"], coverage.get("cells", [])):
            claim = claims.get(claim_id, {})
            # each filled cell links to the sentence of that article stating the claim
            hrefs = {c["number"]: c["href"] for c in citations.for_text(claim.get("text", ""), claim.get("sources", []))}
            rows.append({"id": claim_id, "text": claim.get("text", claim_id),
                         "cells": [hrefs.get(n, f"#a{n}") if c else None for n, c in zip(columns, cells)],
                         "count": sum(1 for c in cells if c)})
        rows.sort(key=lambda r: -r["count"])  # most widely reported first
        unique = coverage.get("unique") or {}
        matrix = {"columns": columns, "rows": rows,
                  "unique": [unique.get(a, 0) for a in coverage.get("articles", [])]}
    return {
        "id": data.get("id", story.id),
        "title": data.get("title") or story.title,
        "articles": articles,
        "summary": [{"text": s.text, "cites": citations.for_summary(s)} for s in story.summary],
        "consensus": [dict(c, cites=citations.for_text(c["text"], c.get("sources", []))) for c in data.get("consensus") or []],
        "single_source": [dict(c, cites=citations.for_text(c["text"], c.get("sources", []))) for c in data.get("single_source") or []],
        "coverage": matrix,
        "conflicts": [dict(c, sides=[dict(s, cites=citations.for_text(s.get("text", ""), s.get("sources", [])))
                                     for s in c.get("sides", [])]) for c in data.get("conflicts") or []],
        "quotes": [dict(q, cites=citations.for_text(q.get("text", ""), q.get("sources", []))) for q in data.get("quotes") or []],
        "timeline": [dict(t, cites=citations.for_text(t.get("text", ""), t.get("sources", []))) for t in data.get("timeline") or []],
        "entities": list(data.get("entities") or []),
        # counted over the story's occasion, as the Markdown report does: off-event articles are shown apart
        "on_event": len(on_event), "outlets": len({a["outlet"] for a in on_event}),
        "off_event": len(articles) - len(on_event), "dates": sorted(a["date"] for a in on_event if a["date"]),
    }
