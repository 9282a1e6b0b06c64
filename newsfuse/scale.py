"""Story clustering on a Dask cluster: the same stories as one process, with the costly part spread.

Workers compute article features (embedding, MinHash, terms, names) partition by partition; the
driver then adds the articles to one `StreamClusterer` in input order. Features are exchanged in
their stored form (`ArticleFeatures.to_bytes`), which is exactly what the single-process path
computes with (vectors are rounded to float16 there too), so the assignment is the same, story
for story. The assignment itself stays sequential: each decision depends on the ones before it.
"""
from __future__ import annotations

import datetime as dt
from typing import Iterator, Sequence

from .clustering import ArticleFeatures, ClusterOptions, assign_stories
from .model import Article, NewsfuseError


def features_of_partition(rows: list[tuple[str, str | None, str, str | None]], options: ClusterOptions) -> list[bytes]:
    """Runs on a worker: (id, title, text, ISO date) rows -> stored features, in order."""
    from .clustering import features
    from .embed import get_embedder

    articles = [Article(id=i, title=t, text=x, date=dt.date.fromisoformat(d) if d else None) for i, t, x, d in rows]
    return [f.to_bytes() for f in features(articles, get_embedder("static"), options)]


def cluster_articles_dask(articles: Sequence[Article], options: ClusterOptions = ClusterOptions(), scheduler: str | None = None,
                          workers: int = 2, partition_size: int = 2000, progress: bool = False, client=None) -> list[str]:
    """The story id of each article, in input order, computed on the Dask cluster at `scheduler`
    (an address such as tcp://10.0.0.5:8786), or on a LocalCluster of `workers` processes, or on
    the given `client`."""
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
        futures = client.map(features_of_partition, partitions, options=options, pure=False)

        def featured() -> Iterator[tuple[str, ArticleFeatures]]:
            for partition, future in zip(partitions, futures):  # in input order, as each partition is ready
                for (article_id, *_), data in zip(partition, future.result()):
                    yield article_id, ArticleFeatures.from_bytes(data)

        return assign_stories(featured(), options, total=len(rows), progress=progress)
    finally:
        if own_cluster is not None or scheduler:
            client.close()
        if own_cluster is not None:
            own_cluster.close()
