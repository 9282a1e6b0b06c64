"""Read articles from files, directories, JSON/JSONL and stdin. Every reader returns Article objects.

The user's mistakes (missing path, empty or binary file, bad encoding, malformed JSON) raise
NewsfuseError with a message that names the input.
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

from ..model import Article, Cluster, NewsfuseError
from . import feeds, html, jsonl, text

if TYPE_CHECKING:
    from .urls import FetchOptions

__all__ = ["Cluster", "read_articles", "read_clusters", "ARTICLE_SUFFIXES"]

ARTICLE_SUFFIXES = (".txt", ".html", ".htm", ".json", ".jsonl", ".xml", ".rss", ".atom")
MAX_FILE_BYTES = 50 * 1024 * 1024  # one article file larger than this is not an article


def read_articles(inputs: list[str], fetch: FetchOptions | None = None) -> list[Article]:
    """Read every input (file, directory, "-" for stdin, or an http(s) URL when fetch options are
    given) into articles, in input order."""
    if not inputs:
        raise NewsfuseError("no input given")
    articles: list[Article] = []
    for spec in inputs:
        if spec == "-":
            articles.extend(_read_stdin())
        elif spec.startswith(("http://", "https://")):
            if fetch is None:
                raise NewsfuseError(f"{spec}: URLs are not fetched by this command; save the page and pass the file")
            from .urls import fetch_articles  # the network code loads only when a URL is given

            articles.extend(fetch_articles(spec, fetch))
        else:
            path = Path(spec)
            if path.is_dir():
                articles.extend(_read_directory(path))
            elif path.exists():
                articles.extend(_read_file(path, article_id=path.stem))
            else:
                raise NewsfuseError(f"{spec}: no such file or directory")
    _check_unique_ids(articles)
    return articles


def read_clusters(path: str) -> Iterator[Cluster]:
    """Yield the clusters of a cluster JSONL file (one {"id", "documents": [...]} per line) in order."""
    if path == "-":
        yield from jsonl.parse_clusters(sys.stdin.buffer.read(), "<stdin>")
        return
    yield from jsonl.parse_clusters(read_bytes(Path(path)), path)


def _read_directory(directory: Path) -> list[Article]:
    files = sorted(p for p in directory.iterdir() if p.is_file() and p.suffix.lower() in ARTICLE_SUFFIXES)
    if not files:
        raise NewsfuseError(f"{directory}: no article files ({', '.join(ARTICLE_SUFFIXES)}) in this directory")
    articles = []
    for path in files:
        articles.extend(_read_file(path, article_id=path.stem))
    return articles


def _read_file(path: Path, article_id: str) -> list[Article]:
    data = read_bytes(path)
    suffix = path.suffix.lower()
    if suffix == ".jsonl":
        return jsonl.parse_articles(data, str(path))
    if suffix == ".json":
        return jsonl.parse_json_file(data, str(path), default_id=article_id)
    if suffix in (".html", ".htm"):
        return [html.parse_html(data, article_id, str(path))]
    if suffix in (".xml", ".rss", ".atom"):  # bytes to expat: a feed may declare its own encoding
        return feeds.parse_feed(data, str(path), id_prefix=article_id)
    content = text.decode(data, str(path))
    if feeds.looks_like_feed(content):
        return feeds.parse_feed(data, str(path), id_prefix=article_id)
    return [text.parse_plain_text(content, article_id, str(path))]


def _read_stdin() -> list[Article]:
    data = sys.stdin.buffer.read()
    name = "<stdin>"
    if not data.strip():
        raise NewsfuseError(f"{name}: no input on standard input")
    content = text.decode(data, name).lstrip()
    if content.startswith(("{", "[")):
        return jsonl.parse_json_file(data, name, default_id="stdin")
    if content.startswith("<") and feeds.looks_like_feed(content):
        return feeds.parse_feed(data, name, id_prefix="stdin")
    if content.startswith("<"):
        return [html.parse_html(data, "stdin", name)]
    return [text.parse_plain_text(content, "stdin", name)]


def read_bytes(path: Path) -> bytes:
    """A file's bytes; a missing, empty, oversized or unreadable file is an error naming it."""
    if not path.exists():
        raise NewsfuseError(f"{path}: no such file or directory")
    if path.is_dir():
        raise NewsfuseError(f"{path}: is a directory, expected a file")
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise NewsfuseError(f"{path}: file is too large ({size // (1024 * 1024)} MB; the limit is {MAX_FILE_BYTES // (1024 * 1024)} MB)")
    try:
        data = path.read_bytes()
    except OSError as error:
        raise NewsfuseError(f"{path}: cannot read ({error.strerror})") from None
    if not data.strip():
        raise NewsfuseError(f"{path}: file is empty")
    return data


def _check_unique_ids(articles: list[Article]) -> None:
    seen: dict[tuple[str | None, str], str] = {}
    for article in articles:
        key = (article.cluster, article.id)  # clusters are separate stories: ids may repeat across them
        if key in seen:
            raise NewsfuseError(f"{article.origin}: article id {article.id!r} is also used by {seen[key]}")
        seen[key] = article.origin
