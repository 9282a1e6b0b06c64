"""What the reader asks about and what they have already read, attached to given clusters.

Query-focused summarization reads `Cluster.query`; update summarization reads `Cluster.seen`.
These helpers fill both from the sources a user has: a meta JSONL file beside the clusters (the
shared-task convention, joined on `id`), a field of the cluster line itself, an article file the
reader has read, or a date before which everything counts as read.
"""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Iterable, Iterator

from .model import Article, Cluster, NewsfuseError


def meta_path(clusters_path: str) -> Path:
    """`x.jsonl` -> `x.meta.jsonl`, the shared-task data's side file."""
    path = Path(clusters_path)
    return path.with_name(path.name[: -len(".jsonl")] + ".meta.jsonl") if path.name.endswith(".jsonl") else path.with_name(path.name + ".meta.jsonl")


def read_meta(path: Path) -> dict[str, dict]:
    """{cluster id: meta object} from a meta JSONL file; {} when there is none."""
    if not path.is_file():
        return {}
    meta: dict[str, dict] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as error:
            raise NewsfuseError(f"{path}:{number}: invalid JSON ({error.msg} at column {error.colno})") from None
        if isinstance(obj, dict) and "id" in obj:
            meta[str(obj["id"])] = obj
    return meta


def with_query_field(clusters: Iterable[Cluster], field: str, meta: dict[str, dict], raw: dict[str, dict] | None = None) -> Iterator[Cluster]:
    """Set each cluster's query from `field` of its meta object, else of its own JSON line (`raw`)."""
    for cluster in clusters:
        value = (meta.get(cluster.id) or {}).get(field)
        if value is None and raw is not None:
            value = (raw.get(cluster.id) or {}).get(field)
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


def with_earlier_docsets(clusters: list[Cluster], meta: dict[str, dict], pool: dict[str, Cluster]) -> list[Cluster]:
    """Update tasks (DUC 2007, TAC): docset B's reader has read docset A of the same topic, C's A and B.

    Meta objects carry `topic` and `docset`; `pool` holds the clusters to take the read articles
    from (a separate reading of the same file, so the two uses never share Article objects).
    """
    by_topic: dict[str, list[tuple[str, str]]] = {}
    for cluster_id, obj in meta.items():
        if "topic" in obj and "docset" in obj:
            by_topic.setdefault(str(obj["topic"]), []).append((str(obj["docset"]), cluster_id))
    for cluster in clusters:
        obj = meta.get(cluster.id) or {}
        if "topic" not in obj or "docset" not in obj:
            continue
        earlier = sorted(c for d, c in by_topic[str(obj["topic"])] if d < str(obj["docset"]))
        cluster.seen = [a for c in earlier if c in pool for a in pool[c].articles]
    return clusters


def parse_since(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise NewsfuseError(f"--since: not an ISO date (YYYY-MM-DD): {value!r}") from None
