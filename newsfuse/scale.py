"""Story clustering on a Dask cluster: the same stories as one process, with the costly part spread.

Workers compute article features (embedding, MinHash, terms, names) partition by partition, and
the candidate search: each article's nearest open stories in a snapshot of the clusterer's
centroids. The driver adds the articles to one `StreamClusterer` in input order, each with its
nearest stories; what changed since the snapshot it rescores itself, so the assignment is exactly
the one-process one (`StreamClusterer.add`). While the driver assigns partition p, the workers
search partition p + 1 in the snapshot taken before p. Features travel in their stored form
(`ArticleFeatures.to_bytes`), which is what the single-process path computes with.
"""
from __future__ import annotations

import datetime as dt
from typing import Iterator, Sequence

import numpy as np

from .clustering import ArticleFeatures, ClusterOptions, NearestSlots, Snapshot, StreamClusterer, assign_stories, nearest_slots
from .model import Article, NewsfuseError


def features_of_partition(rows: list[tuple[str, str | None, str, str | None]], options: ClusterOptions) -> list[bytes]:
    """Runs on a worker: (id, title, text, ISO date) rows -> stored features, in order."""
    from .clustering import features
    from .embed import get_embedder

    articles = [Article(id=i, title=t, text=x, date=dt.date.fromisoformat(d) if d else None) for i, t, x, d in rows]
    return [f.to_bytes() for f in features(articles, get_embedder("static"), options)]


def nearest_of_partition(stored: list[bytes], snapshot: Snapshot, count: int) -> list[NearestSlots]:
    """Runs on a worker: each article's `count` nearest open stories in the snapshot."""
    vectors = np.vstack([ArticleFeatures.from_bytes(data).vector for data in stored]) if stored else np.zeros((0, 0), np.float32)
    return nearest_slots(snapshot, vectors, count)


def cluster_articles_dask(articles: Sequence[Article], options: ClusterOptions = ClusterOptions(), scheduler: str | None = None,
                          workers: int = 2, partition_size: int = 250, progress: bool = False, client=None,
                          search_depth: int | None = None) -> list[str]:
    """The story id of each article, in input order, computed on the Dask cluster at `scheduler`
    (an address such as tcp://10.0.0.5:8786), or on a LocalCluster of `workers` processes, or on
    the given `client`. `search_depth`: stories a worker returns per article (by default enough
    that the driver need not search again unless many stories closed meanwhile)."""
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise NewsfuseError('engine "dask": not installed; run pip install "newsfuse[dask]"') from None
    own_cluster = None
    if client is None:
        if scheduler:
            try:
                client = Client(scheduler, timeout="5s")
            except (OSError, TimeoutError) as error:
                raise NewsfuseError(f"dask scheduler {scheduler}: cannot connect ({error})") from None
        else:
            own_cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)
            client = Client(own_cluster)
    try:
        rows = [(a.id, a.title, a.text, a.date.isoformat() if a.date else None) for a in articles]
        partitions = [rows[i:i + partition_size] for i in range(0, len(rows), partition_size)]
        # partitions scattered first rather than packed into the task graph
        stored = client.map(features_of_partition, client.scatter(partitions), options=options, pure=False)
        # a snapshot taken before partition p serves p + 1: up to two partitions of stories change meanwhile
        depth = search_depth or options.candidates + 2 * partition_size + 256
        clusterer = StreamClusterer(options)
        searches = {}

        def search(p: int) -> None:
            if p < len(partitions):
                snapshot = client.scatter(clusterer.snapshot(), broadcast=False)
                # ahead of the queued feature partitions: the driver waits on it
                searches[p] = client.submit(nearest_of_partition, stored[p], snapshot, depth, pure=False, priority=1)

        def featured() -> Iterator[tuple[str, ArticleFeatures, NearestSlots]]:
            search(0)
            for p, partition in enumerate(partitions):  # in input order, as each partition is ready
                search(p + 1)
                for (article_id, *_), data, nearest in zip(partition, stored[p].result(), searches.pop(p).result()):
                    yield article_id, ArticleFeatures.from_bytes(data), nearest

        return assign_stories(featured(), options, total=len(rows), progress=progress, clusterer=clusterer)
    finally:
        if own_cluster is not None or scheduler:
            client.close()
        if own_cluster is not None:
            own_cluster.close()
