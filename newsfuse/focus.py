"""What the reader asks about and what they have already read, attached to given clusters.

Query-focused summarization reads `Cluster.query`; update summarization reads `Cluster.seen`.
These helpers fill both from the sources a user has: a meta JSONL file beside the clusters (the
shared-task convention, joined on `id`), a field of the cluster line itself, an article file the
reader has read, or a date before which everything counts as read. (Shared-task update sets name
each cluster's earlier docsets in their meta file: evaluation/datasets.py reads those.)
"""
from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Iterable, Iterator

from .ingest import read_bytes
from .ingest.jsonl import json_objects
from .model import Article, Cluster, NewsfuseError


def read_focused_clusters(path: str, query: str | None = None, query_field: str | None = None,
                          since_docs: str | None = None, since: dt.date | None = None) -> Iterator[Cluster]:
    """The clusters of a cluster JSONL file (or "-"), with the query and read articles asked for.

    query: one question for every cluster; query_field: each cluster's question, from that field
    of `NAME.meta.jsonl` beside the file, else of the cluster's own line; since_docs: an article
    or cluster JSONL file the reader has read; since: articles dated before it count as read."""
    from .ingest import read_articles
    from .ingest.jsonl import parse_clusters

    if path == "-":
        data, name = sys.stdin.buffer.read(), "<stdin>"
    else:
        data, name = read_bytes(Path(path)), path
    clusters: Iterable[Cluster] = parse_clusters(data, name)
    if query:
        clusters = with_query(clusters, query)
    elif query_field:
        meta = read_meta(path) if path != "-" else {}
        lines = {str(obj["id"]): obj for _, obj in json_objects(data, name) if "id" in obj}
        clusters = with_query_field(clusters, query_field, meta, lines)
    if since_docs:
        clusters = with_seen_articles(clusters, read_articles([since_docs]))
    if since:
        clusters = with_seen_before(clusters, since)
    return iter(clusters)


def meta_path(clusters_path: str) -> Path:
    """`NAME.meta.jsonl` beside `NAME.jsonl`: the shared-task convention for per-cluster queries."""
    path = Path(clusters_path)
    return path.with_name(path.name.removesuffix(".jsonl") + ".meta.jsonl")


def read_meta(clusters_path: str) -> dict[str, dict]:
    """The meta records by cluster id; empty when there is no meta file."""
    path = meta_path(clusters_path)
    if not path.is_file():
        return {}
    records = {}
    for where, record in json_objects(read_bytes(path), str(path)):
        if "id" not in record:
            raise NewsfuseError(f'{where}: expected a JSON object with an "id"')
        records[str(record["id"])] = record
    return records


def with_query_field(clusters: Iterable[Cluster], field: str, meta: dict[str, dict], lines: dict[str, dict]) -> Iterator[Cluster]:
    """Set each cluster's query from `field` of its meta record, else of its own JSON line."""
    for cluster in clusters:
        value = (meta.get(cluster.id) or {}).get(field)
        if value is None:
            value = (lines.get(cluster.id) or {}).get(field)
        if not isinstance(value, str) or not value.strip():
            raise NewsfuseError(f"cluster {cluster.id!r}: no {field!r} field in its meta file or its own line")
        cluster.query = value.strip()
        yield cluster


def with_query(clusters: Iterable[Cluster], query: str) -> Iterator[Cluster]:
    for cluster in clusters:
        cluster.query = query
        yield cluster


def with_seen_articles(clusters: Iterable[Cluster], seen: list[Article]) -> Iterator[Cluster]:
    """Every cluster's reader has read `seen`; the cluster's own articles are not counted as read."""
    for cluster in clusters:
        own = {a.id for a in cluster.articles}
        cluster.seen = [a for a in seen if a.id not in own]
        yield cluster


def with_seen_before(clusters: Iterable[Cluster], date: dt.date) -> Iterator[Cluster]:
    """Articles dated before `date` count as read: they move from `articles` to `seen`.
    Undated articles stay new; a cluster left with no new article gets an empty summary."""
    for cluster in clusters:
        old = [a for a in cluster.articles if a.date is not None and a.date < date]
        cluster.articles = [a for a in cluster.articles if not (a.date is not None and a.date < date)]
        cluster.seen = cluster.seen + old
        yield cluster
