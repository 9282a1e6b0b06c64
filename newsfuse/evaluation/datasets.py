"""Evaluation inputs: a cluster JSONL with its meta file (query, update docsets) and peers' outputs.

`NAME.meta.jsonl` beside `NAME.jsonl` joins on `id`. A cluster gets its `query` from the meta
field named by `query_field` ("query" by default, used when the meta has it; "none" turns it
off). Update sets (DUC 2007) give each cluster a `topic` and a `docset` letter: the reader of
docset B has already read docset A, the reader of C has read A and B, so `Cluster.seen` holds
the articles of the topic's earlier docsets.
"""
from __future__ import annotations

import copy
from pathlib import Path

from ..focus import meta_path, read_meta
from ..ingest import read_bytes
from ..ingest.jsonl import json_objects
from ..model import Cluster, NewsfuseError

DEFAULT_QUERY_FIELD = "query"


def read_evaluation_clusters(path: str, query_field: str | None = DEFAULT_QUERY_FIELD) -> list[Cluster]:
    """Every cluster of the file, with references, and query and seen articles from the meta file.

    Raises NewsfuseError when a cluster has no reference summaries, or when `query_field` was
    named explicitly (not the default) and the meta file lacks it.
    """
    from ..ingest import read_clusters

    clusters = list(read_clusters(path))
    for cluster in clusters:
        if not cluster.summaries:
            raise NewsfuseError(f"{path}: cluster {cluster.id!r} has no reference \"summaries\" to score against")
    meta = read_meta(path)
    if query_field and query_field != "none":
        has_field = any(query_field in record for record in meta.values())
        if not has_field and query_field != DEFAULT_QUERY_FIELD:
            raise NewsfuseError(f"{meta_path(path)}: no meta record has the query field {query_field!r}")
        for cluster in clusters:
            value = meta.get(cluster.id, {}).get(query_field)
            cluster.query = str(value).strip() if value else None
    _fill_seen(clusters, meta)
    return clusters


def _fill_seen(clusters: list[Cluster], meta: dict[str, dict]) -> None:
    """Update task: each docset's reader has read the same topic's earlier docsets."""
    by_topic: dict[str, list[tuple[str, Cluster]]] = {}
    for cluster in clusters:
        record = meta.get(cluster.id, {})
        if record.get("topic") and record.get("docset"):
            by_topic.setdefault(str(record["topic"]), []).append((str(record["docset"]), cluster))
    for docsets in by_topic.values():
        if len(docsets) < 2:
            continue
        docsets.sort(key=lambda pair: pair[0])
        # one copy of each docset, shared by the later docsets: the pipeline prepares seen articles
        # in place, once; copies, because each docset is also summarized itself
        read = [copy.deepcopy(cluster.articles) for _, cluster in docsets]
        for position, (_, cluster) in enumerate(docsets):
            cluster.seen = [a for earlier in read[:position] for a in earlier]


def read_peers(path: str) -> dict[str, dict[str, str]]:
    """Official system outputs {"id", "system", "kind", "summary"} per line -> {system: {cluster id: summary}}."""
    file = Path(path)
    if not file.is_file():
        raise NewsfuseError(f"{path}: no such file")
    peers: dict[str, dict[str, str]] = {}
    for where, record in json_objects(read_bytes(file), path):
        if not all(isinstance(record.get(k), str) for k in ("id", "system", "summary")):
            raise NewsfuseError(f'{where}: expected {{"id", "system", "summary"}} strings')
        peers.setdefault(record["system"], {})[record["id"]] = record["summary"]
    if not peers:
        raise NewsfuseError(f"{path}: no peer summaries")
    return peers


def peer_kinds(path: str) -> dict[str, str]:
    """system -> kind ("human", "duc2006_participant", ...), to tell human references from systems."""
    kinds = {}
    for _, record in json_objects(read_bytes(Path(path)), path):
        kinds.setdefault(str(record.get("system")), record.get("kind", ""))
    return kinds
