"""The report as one self-contained HTML page (no network): every piece of article text is escaped."""
from __future__ import annotations

from html import escape
from pathlib import Path

from ..model import Report, Story
from .markdown import describe_source, plural, source_numbers

STYLE = (Path(__file__).parent / "report.css").read_text(encoding="utf-8")


def render_html(report: Report) -> str:
    stories = "\n".join(_story(story) for story in report.stories)
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        f"<title>newsfuse report</title><style>{STYLE}</style></head>\n<body>\n{stories}\n</body></html>\n"
    )


def _story(story: Story) -> str:
    numbers = source_numbers(story)
    sentences = []
    for sentence in story.summary:
        marks = "".join(
            f'<a class="cite" href="#{escape(story.id)}-src-{numbers[a]}" title="{escape(describe_source(story.article(a)))}">[{numbers[a]}]</a>'
            for a in sorted(sentence.sources, key=numbers.get)
        )
        sentences.append(f"<li>{escape(sentence.text)} {marks}</li>")
    sources = "".join(
        f'<li id="{escape(story.id)}-src-{numbers[a.id]}" value="{numbers[a.id]}">{escape(describe_source(a))}'
        + (f' <a href="{escape(a.url)}" rel="noreferrer">link</a>' if a.url and a.url.startswith(("http://", "https://")) else "")
        + "</li>"
        for a in story.articles
    )
    return (
        f'<section class="story" id="{escape(story.id)}"><h2>{escape(story.title)}</h2>'
        f'<p class="meta">{plural(len(story.articles), "article")} · story {escape(story.id)}</p>'
        f'<ul class="summary">{"".join(sentences)}</ul><h3>Sources</h3><ol class="sources">{sources}</ol></section>'
    )
