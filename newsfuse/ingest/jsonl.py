"""Article JSON/JSONL and the cluster JSONL of shared-task data sets."""
from __future__ import annotations

import datetime as dt
import json
import re
from typing import Iterator

from ..model import Article, Cluster, NewsfuseError
from .html import parse_html
from .text import decode, normalize


def parse_articles(data: bytes, name: str) -> list[Article]:
    """Article JSONL: one article object per line; a cluster line contributes all its documents."""
    articles: list[Article] = []
    for where, obj in json_objects(data, name):
        if "documents" in obj:
            articles.extend(_cluster_from_object(obj, where).articles)
        else:
            articles.append(article_from_object(obj, where, default_id=None))
    return articles


def parse_json_file(data: bytes, name: str, default_id: str) -> list[Article]:
    """A .json file: one article object, a list of them, or (tolerated) JSONL."""
    content = decode(data, name)
    try:
        value = json.loads(content)
    except json.JSONDecodeError as error:
        if content.lstrip().startswith("{") and error.msg == "Extra data":
            return parse_articles(data, name)
        raise NewsfuseError(f"{name}: invalid JSON at line {error.lineno}: {error.msg}") from None
    objects = value if isinstance(value, list) else [value]
    articles: list[Article] = []
    for number, obj in enumerate(objects, 1):
        where = name if len(objects) == 1 else f"{name} item {number}"
        if not isinstance(obj, dict):
            raise NewsfuseError(f"{where}: expected a JSON object with the article's fields")
        if "documents" in obj:
            articles.extend(_cluster_from_object(obj, where).articles)
        else:
            articles.append(article_from_object(obj, where, default_id if len(objects) == 1 else f"{default_id}-{number}"))
    return articles


def parse_clusters(data: bytes, name: str) -> Iterator[Cluster]:
    for where, obj in json_objects(data, name):
        yield _cluster_from_object(obj, where)


# JSON can escape half of a surrogate pair ("\ud800"), which is no character: every later stage
# (encoding, the tokenizer) would fail on it, so it becomes U+FFFD, as a decoder's "replace" does
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def article_from_object(obj: dict, where: str, default_id: str | None) -> Article:
    """One {"id", "source", "url", "title", "date", "text" or "html"} object to an Article."""
    obj = {key: _LONE_SURROGATE.sub("\ufffd", value) if isinstance(value, str) else value for key, value in obj.items()}
    article_id = obj.get("id", default_id)
    if article_id is None or str(article_id).strip() == "":
        raise NewsfuseError(f'{where}: article has no "id"')
    article_id = str(article_id)
    body, html = obj.get("text"), obj.get("html")
    if body is None and html is None:
        raise NewsfuseError(f'{where}: article {article_id!r} has neither "text" nor "html"')
    for field_name in ("text", "html", "title", "source", "url", "date"):
        if obj.get(field_name) is not None and not isinstance(obj[field_name], str):
            raise NewsfuseError(f'{where}: "{field_name}" must be a string')
    if body is not None and body.strip():
        article = Article(id=article_id, text=normalize(body).strip(), origin=where)
    elif html is not None and html.strip():
        article = parse_html(html, article_id, where)
    else:
        raise NewsfuseError(f"{where}: article {article_id!r} has empty text")
    article.title = (obj.get("title") or "").strip() or article.title
    article.source = (obj.get("source") or obj.get("outlet") or "").strip() or article.source
    article.url = obj.get("url") or article.url
    if obj.get("date"):
        article.date = _parse_date(obj["date"], where)
    return article


def _cluster_from_object(obj: dict, where: str) -> Cluster:
    cluster_id = obj.get("id")
    documents = obj.get("documents")
    if cluster_id is None:
        raise NewsfuseError(f'{where}: cluster has no "id"')
    if not isinstance(documents, list) or not documents:
        raise NewsfuseError(f'{where}: cluster {cluster_id!r} has no "documents" list')
    articles = []
    for number, doc in enumerate(documents, 1):
        if not isinstance(doc, dict):
            raise NewsfuseError(f"{where}: document {number} of cluster {cluster_id!r} is not an object")
        article = article_from_object(doc, f"{where} document {number}", default_id=f"{cluster_id}-{number}")
        article.cluster = str(cluster_id)
        articles.append(article)
    summaries = [s for s in obj.get("summaries") or [] if isinstance(s, str)]
    return Cluster(id=str(cluster_id), articles=articles, summaries=summaries)


def json_objects(data: bytes, name: str) -> Iterator[tuple[str, dict]]:
    """("name:line", object) for each non-empty line; a malformed line is an error naming it."""
    content = decode(data, name)
    found = False
    for number, line in enumerate(content.split("\n"), 1):
        if not line.strip():
            continue
        where = f"{name}:{number}"
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as error:
            raise NewsfuseError(f"{where}: invalid JSON ({error.msg} at column {error.colno})") from None
        if not isinstance(obj, dict):
            raise NewsfuseError(f"{where}: expected a JSON object, got {type(obj).__name__}")
        found = True
        yield where, obj
    if not found:
        raise NewsfuseError(f"{name}: no JSON lines")


def _parse_date(value: str, where: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value.strip()[:10])
    except ValueError:
        pass
    # some archives write YYYY-DD-MM (DUC 2006 has 1998-30-06): accept it only where it is unambiguous
    parts = value.strip()[:10].split("-")
    if len(parts) == 3 and all(p.isdigit() for p in parts) and int(parts[1]) > 12 >= int(parts[2]):
        try:
            return dt.date(int(parts[0]), int(parts[2]), int(parts[1]))
        except ValueError:
            pass
    raise NewsfuseError(f'{where}: "date" is not an ISO date (YYYY-MM-DD): {value!r}')
