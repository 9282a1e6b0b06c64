"""Renderers of one Report object: JSON, Markdown and a self-contained HTML page."""
from __future__ import annotations

from typing import Callable

from ..model import Report
from .html import render_html
from .json import render_json
from .markdown import render_markdown

RENDERERS: dict[str, Callable[[Report], str]] = {"json": render_json, "md": render_markdown, "html": render_html}

__all__ = ["RENDERERS", "render_html", "render_json", "render_markdown"]
