"""The report as Markdown that reads well in a terminal: summary with [n] citations, sources with
their roles, then how the outlets covered the story (consensus, coverage, conflicts, quotes, timeline)."""
from __future__ import annotations

from ..model import Analysis, Article, Report, Story

MAX_LISTED = 12  # longer lists are cut in the terminal view (JSON has them all)
ROLE_NOTE = {"derivative": "derivative", "off_event": "off-event: another occasion, not in the summary or analysis"}


def source_numbers(story: Story) -> dict[str, int]:
    """Citation number of each article: its 1-based position in the story."""
    return {article.id: number for number, article in enumerate(story.articles, 1)}


def describe_source(article: Article) -> str:
    """"Outlet, “Title”, 2015-12-15 · id", with the id only when the outlet is known (else it is the id)."""
    parts = [article.outlet]
    if article.title:
        parts.append(f"“{article.title}”")
    if article.date:
        parts.append(article.date.isoformat() + (" (inferred)" if article.date_inferred else ""))
    text = ", ".join(parts)
    return text if article.outlet == article.id else f"{text} · {article.id}"


def describe_role(article: Article, numbers: dict[str, int]) -> str:
    """"" for a core article; "derivative of [1][4]" or the off-event note otherwise."""
    if article.role == "derivative":
        return "derivative of " + cite(article.derived_from, numbers) if article.derived_from else "derivative"
    return ROLE_NOTE.get(article.role, "")


def cite(article_ids, numbers: dict[str, int]) -> str:
    return "".join(f"[{numbers[a]}]" for a in sorted(set(article_ids), key=lambda a: numbers.get(a, 0)) if a in numbers)


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


def story_span(story: Story) -> str:
    """"4 articles from 4 outlets, 2015-12-15 (+1 off-event)": counted over the story's occasion."""
    on_event = [a for a in story.articles if a.role != "off_event"]
    outlets = {a.outlet for a in on_event}
    dates = sorted(a.date for a in on_event if a.date)
    span = f", {dates[0].isoformat()}" + (f" to {dates[-1].isoformat()}" if dates[-1] != dates[0] else "") if dates else ""
    off = len(story.articles) - len(on_event)
    return f"{plural(len(on_event), 'article')} from {plural(len(outlets), 'outlet')}{span}" + (f" (+{off} off-event)" if off else "")


def render_markdown(report: Report) -> str:
    blocks = []
    for story in report.stories:
        numbers = source_numbers(story)
        lines = [f"## {story.title}", "", f"*{story_span(story)} · story {story.id}*", ""]
        for sentence in story.summary:
            lines.append(f"- {sentence.text} {cite(sentence.sources, numbers)}")
        lines += ["", "Sources:", ""]
        for article in story.articles:
            role = describe_role(article, numbers)
            lines.append(f"[{numbers[article.id]}] {describe_source(article)}" + (f" — {role}" if role else ""))
        if story.analysis is not None:
            lines += _analysis(story.analysis, numbers)
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


def _analysis(analysis: Analysis, numbers: dict[str, int]) -> list[str]:
    lines = ["", "### How the outlets covered it", ""]
    lines.append(f"Consensus (stated by two or more independent outlets): {plural(len(analysis.consensus), 'claim')}")
    lines += [f"* {c.text} {cite(c.sources, numbers)}" for c in analysis.consensus[:MAX_LISTED]]
    lines += _more(analysis.consensus)
    if analysis.coverage:
        unique = ", ".join(f"[{numbers[a]}] {n}" for a, n in analysis.coverage.unique.items() if a in numbers)
        lines += ["", f"Single-source: {plural(len(analysis.single_source), 'claim')}; claims only one article states: {unique}"]
        lines += ["", "Coverage (claims stated by two or more articles × sources):", ""]
        lines += _coverage_rows(analysis, numbers)
    if analysis.conflicts:
        lines += ["", "Conflicts:"]
        for conflict in analysis.conflicts:
            sides = " vs ".join(f"{side.value} {cite(side.sources, numbers)}" for side in conflict.sides)
            lines.append(f"* {conflict.kind} · {conflict.subject}: {sides}")
            lines += [f"    {cite(side.sources, numbers)} {side.text}" for side in conflict.sides]
    else:
        lines += ["", "Conflicts: none found"]
    if analysis.quotes:
        lines += ["", "Quotes:"]
        for quote in analysis.quotes[:MAX_LISTED]:
            speaker = quote.speaker or "unknown speaker"
            if quote.speaker_title:
                speaker += f" ({quote.speaker_title})"
            variants = f" — {plural(len(quote.variants), 'other wording')}" if quote.variants else ""
            lines.append(f"* {speaker}: “{quote.text}” {cite(quote.sources, numbers)}{variants}")
        lines += _more(analysis.quotes)
    if analysis.timeline:
        lines += ["", "Timeline:"]
        for entry in analysis.timeline:
            mark = " (date inferred)" if entry.inferred else ""
            lines.append(f"* {entry.date}{mark} {entry.text} {cite(entry.sources, numbers)}")
    if analysis.entities:
        named = [e.name + (f" ({', '.join(v for v in e.variants if v != e.name)})" if len(e.variants) > 1 else "") for e in analysis.entities[:MAX_LISTED]]
        lines += ["", "Who and where: " + "; ".join(named)]
    return lines


def _coverage_rows(analysis: Analysis, numbers: dict[str, int]) -> list[str]:
    """A text heat map: one row per shared claim, ■ where the source states it."""
    coverage = analysis.coverage
    columns = [a for a in coverage.articles if a in numbers]
    header = "    " + " ".join(f"{numbers[a]:>3}" for a in columns)
    rows = [header]
    claims = {c.id: c for c in analysis.claims}
    for claim_id, cells in zip(coverage.claims, coverage.cells):
        if sum(cells) < 2:
            continue
        marks = " ".join(f"{'■' if cell else '·':>3}" for a, cell in zip(coverage.articles, cells) if a in numbers)
        text = claims[claim_id].text
        rows.append(f"{claim_id:>3} {marks}  {text[:70]}{'…' if len(text) > 70 else ''}")
    return rows if len(rows) > 1 else ["(no claim is stated by two articles)"]


def _more(items: list) -> list[str]:
    return [f"* … and {len(items) - MAX_LISTED} more (see --format json)"] if len(items) > MAX_LISTED else []
