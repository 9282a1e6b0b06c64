"""The report as Markdown that reads well in a terminal: summary with [n] citations, then sources."""
from __future__ import annotations

from ..model import Article, Report, Story


def source_numbers(story: Story) -> dict[str, int]:
    """Citation number of each article: its 1-based position in the story."""
    return {article.id: number for number, article in enumerate(story.articles, 1)}


def describe_source(article: Article) -> str:
    """"Outlet, “Title”, 2015-12-15 · id", with the id only when the outlet is known (else it is the id)."""
    parts = [article.outlet]
    if article.title:
        parts.append(f"“{article.title}”")
    if article.date:
        parts.append(article.date.isoformat())
    text = ", ".join(parts)
    return text if article.outlet == article.id else f"{text} · {article.id}"


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


def render_markdown(report: Report) -> str:
    blocks = []
    for story in report.stories:
        numbers = source_numbers(story)
        outlets = {a.outlet for a in story.articles}
        dates = sorted(a.date for a in story.articles if a.date)
        span = f", {dates[0].isoformat()}" + (f" to {dates[-1].isoformat()}" if dates[-1] != dates[0] else "") if dates else ""
        lines = [f"## {story.title}", "", f"*{plural(len(story.articles), 'article')} from {plural(len(outlets), 'outlet')}{span} · story {story.id}*", ""]
        for sentence in story.summary:
            marks = "".join(f"[{numbers[a]}]" for a in sorted(sentence.sources, key=numbers.get))
            lines.append(f"- {sentence.text} {marks}")
        lines += ["", "Sources:", ""]
        lines += [f"[{numbers[a.id]}] {describe_source(a)}" for a in story.articles]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"
