"""The report as one self-contained HTML page (no network, no scripts, no external fonts): every
piece of article text is escaped. Citations show their source on hover; the coverage matrix is a
heat map; timeline, quotes, conflicts and each article's role follow the summary."""
from __future__ import annotations

from html import escape
from pathlib import Path

from ..analysis.claims import independent_outlets
from ..model import Analysis, Report, Story
from .markdown import ROLE_NOTE, describe_source, story_span

STYLE = (Path(__file__).parent / "report.css").read_text(encoding="utf-8")
HEAT_LEVELS = 5  # colour steps of the coverage heat map


def render_html(report: Report) -> str:
    stories = "\n".join(_story(story) for story in report.stories)
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        f"<title>newsfuse report</title><style>{STYLE}</style></head>\n<body>\n{stories}\n</body></html>\n"
    )


class _Citer:
    """Citation marks of one story: "[n]" links whose title shows the source."""

    def __init__(self, story: Story):
        self.story = story
        self.numbers = {article.id: number for number, article in enumerate(story.articles, 1)}

    def __call__(self, article_ids) -> str:
        ids = sorted({a for a in article_ids if a in self.numbers}, key=self.numbers.get)
        return "".join(
            f'<a class="cite" href="#{escape(self.story.id)}-src-{self.numbers[a]}" '
            f'title="{escape(describe_source(self.story.article(a)))}">[{self.numbers[a]}]</a>'
            for a in ids
        )


def _story(story: Story) -> str:
    cite = _Citer(story)
    summary = "".join(f"<li>{escape(s.text)} {cite(s.sources)}</li>" for s in story.summary)
    sources = []
    for article in story.articles:
        number = cite.numbers[article.id]
        badge = f'<span class="role role-{escape(article.role)}">{escape(article.role.replace("_", "-"))}</span>'
        if article.role == "derivative":
            role = "copied from " + (cite(article.derived_from) or "other articles")
        else:
            role = escape(ROLE_NOTE.get(article.role, ""))
        link = f' <a href="{escape(article.url)}" rel="noreferrer">link</a>' if article.url and article.url.startswith(("http://", "https://")) else ""
        sources.append(
            f'<li id="{escape(story.id)}-src-{number}" value="{number}">{badge} {escape(describe_source(article))}{link}'
            + (f' <span class="role-note">{role}</span>' if role else "") + "</li>"
        )
    analysis = _analysis(story, story.analysis, cite) if story.analysis is not None else ""
    return (
        f'<section class="story" id="{escape(story.id)}"><h2>{escape(story.title)}</h2>'
        f'<p class="meta">{escape(story_span(story))} · story {escape(story.id)}</p>'
        f'<ul class="summary">{summary}</ul><h3>Sources</h3><ol class="sources">{"".join(sources)}</ol>{analysis}</section>'
    )


def _analysis(story: Story, analysis: Analysis, cite: _Citer) -> str:
    parts = ['<h3>How the outlets covered it</h3>']
    consensus = "".join(
        f'<li>{escape(c.text)} {cite(c.sources)} <span class="count">{len(independent_outlets(c, story.articles))} outlets</span></li>'
        for c in analysis.consensus
    )
    parts.append(f'<h4>Consensus <span class="count">{len(analysis.consensus)} claims stated by two or more independent outlets</span></h4>'
                 + (f'<ul class="consensus">{consensus}</ul>' if consensus else "<p>None.</p>"))
    if analysis.coverage:
        parts.append(_heat_map(story, analysis, cite))
    parts.append(_conflicts(analysis, cite))
    if analysis.quotes:
        rows = "".join(
            f'<tr><td>{escape(q.speaker or "unknown")}</td><td>{escape(q.speaker_title or "")}</td>'
            f'<td>“{escape(q.text)}”' + "".join(f'<div class="variant">“{escape(v)}”</div>' for v in q.variants)
            + f'</td><td>{cite(q.sources)}</td></tr>'
            for q in analysis.quotes
        )
        parts.append('<h4>Quotes</h4><table class="quotes"><thead><tr><th>speaker</th><th>title</th><th>quote (and other wordings)</th>'
                     f'<th>sources</th></tr></thead><tbody>{rows}</tbody></table>')
    if analysis.timeline:
        items = "".join(
            f'<li><time>{escape(t.date)}</time>' + (' <span class="inferred" title="resolved against an inferred publication date">inferred</span>' if t.inferred else "")
            + f' {escape(t.text)} {cite(t.sources)}</li>'
            for t in analysis.timeline
        )
        parts.append(f'<h4>Timeline</h4><ol class="timeline">{items}</ol>')
    if analysis.entities:
        items = "".join(
            f'<li title="{escape(", ".join(e.variants))}"><b>{escape(e.name)}</b> <span class="kind">{escape(e.kind)}</span> {cite(e.sources)}</li>'
            for e in analysis.entities
        )
        parts.append(f'<h4>People, organisations, places</h4><ul class="entities">{items}</ul>')
    return "".join(parts)


def _heat_map(story: Story, analysis: Analysis, cite: _Citer) -> str:
    """Claims x articles; a cell's shade is how many independent outlets state that claim."""
    coverage = analysis.coverage
    claims = {c.id: c for c in analysis.claims}
    head = "".join(f'<th>{cite([a])}</th>' for a in coverage.articles)
    rows = []
    for claim_id, cells in zip(coverage.claims, coverage.cells):
        claim = claims[claim_id]
        level = min(HEAT_LEVELS - 1, len(independent_outlets(claim, story.articles)))
        tds = "".join(f'<td class="{"on h" + str(level) if cell else "off"}"></td>' for cell in cells)
        rows.append(f'<tr><th class="claim" title="{escape(claim.text)}">{escape(claim_id)} {escape(_short(claim.text))}</th>{tds}</tr>')
    unique = "".join(f'<td class="unique">{coverage.unique.get(a, 0)}</td>' for a in coverage.articles)
    return (
        '<h4>Coverage <span class="count">claims × articles; darker: more independent outlets</span></h4>'
        f'<div class="heat-wrap"><table class="heat"><thead><tr><th></th>{head}</tr></thead><tbody>{"".join(rows)}'
        f'<tr><th class="claim">claims only this article states</th>{unique}</tr></tbody></table></div>'
    )


def _conflicts(analysis: Analysis, cite: _Citer) -> str:
    if not analysis.conflicts:
        return "<h4>Conflicts</h4><p>None found.</p>"
    items = []
    for conflict in analysis.conflicts:
        sides = "".join(
            f'<li><b>{escape(side.value)}</b> {cite(side.sources)}<blockquote>{escape(side.text)}</blockquote></li>' for side in conflict.sides
        )
        items.append(f'<li><span class="kind">{escape(conflict.kind)}</span> {escape(conflict.subject)}<ul class="sides">{sides}</ul></li>')
    return f'<h4>Conflicts</h4><ul class="conflicts">{"".join(items)}</ul>'


def _short(text: str, length: int = 80) -> str:
    return text if len(text) <= length else text[:length - 1] + "…"
