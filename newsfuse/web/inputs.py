"""What the web app receives (JSON objects, uploaded files, pasted text) as Article objects.

Uploads and pasted text go through the same readers as files on the command line
(`newsfuse.ingest.read_articles`): they are written to a private temporary directory under a safe
name, read, and every message and origin is made to name the upload instead of the temporary path.
"""
from __future__ import annotations

import hashlib
import re
import tempfile
from pathlib import Path

from ..ingest import ARTICLE_SUFFIXES, read_articles
from ..ingest.jsonl import article_from_object
from ..model import Article, NewsfuseError


def articles_from_json(value: object, where: str = "request") -> list[Article]:
    """One article object or a list of them ({"id", "source"/"outlet", "url", "title", "date", "text" or "html"})."""
    objects = value if isinstance(value, list) else [value]
    if not objects:
        raise NewsfuseError(f"{where}: empty list, expected article objects")
    articles = []
    for number, obj in enumerate(objects, 1):
        item = where if not isinstance(value, list) else f"{where} item {number}"
        if not isinstance(obj, dict):
            raise NewsfuseError(f"{item}: expected a JSON object with the article's fields")
        articles.append(article_from_object(obj, item, default_id=None))
    return articles


def articles_from_upload(name: str, data: bytes) -> list[Article]:
    """One uploaded file, read as the CLI reads a file of that name (suffix decides the format)."""
    safe = safe_filename(name)
    if Path(safe).suffix.lower() not in ARTICLE_SUFFIXES:
        raise NewsfuseError(f"{name}: not an article file (accepted: {', '.join(ARTICLE_SUFFIXES)})")
    return _read_as_file(safe, data, shown=name)


def articles_from_paste(text: str) -> list[Article]:
    """Pasted text: JSON if it starts like JSON, HTML or a feed if it starts with '<', else plain text
    (first line the title). Its id is made from its content, so pasting it twice is a duplicate."""
    stripped = text.strip()
    if not stripped:
        raise NewsfuseError("pasted text: nothing was pasted")
    suffix = ".json" if stripped.startswith(("{", "[")) else ".html" if stripped.startswith("<") else ".txt"
    digest = hashlib.sha256(stripped.encode("utf-8")).hexdigest()[:10]
    return _read_as_file(f"pasted-{digest}{suffix}", stripped.encode("utf-8"), shown="pasted text")


def safe_filename(name: str) -> str:
    """The last path component with only letters, digits, '.', '-' and '_' (the file stem becomes the article id)."""
    base = re.split(r"[\\/]", name or "")[-1]
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "_", base).strip("._") or "upload"
    return cleaned[-120:]


def _read_as_file(safe_name: str, data: bytes, shown: str) -> list[Article]:
    with tempfile.TemporaryDirectory(prefix="newsfuse-upload-") as directory:
        path = Path(directory) / safe_name
        path.write_bytes(data)
        try:
            articles = read_articles([str(path)])
        except NewsfuseError as error:
            raise NewsfuseError(str(error).replace(str(path), shown)) from None
    for article in articles:
        article.origin = article.origin.replace(str(path), shown)
    return articles
