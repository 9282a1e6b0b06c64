import datetime as dt
import json

import pytest

from newsfuse.clustering import cluster_articles
from newsfuse.model import Article

from conftest import DATA

distributed = pytest.importorskip("dask.distributed")


def test_two_dask_workers_give_the_same_stories_as_one_process():
    from newsfuse.scale import cluster_articles_dask

    records = []
    with open(DATA / "clustering" / "allsides_2021_stories_LCR.jsonl", encoding="utf-8") as handle:
        for line, _ in zip(handle, range(90)):
            records.append(json.loads(line))
    articles = [Article(id=r["id"], text=r["text"], title=r["title"], date=dt.date.fromisoformat(r["date"])) for r in records]
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        on_dask = cluster_articles_dask(articles, partition_size=20, client=client)
        assert len(client.scheduler_info()["workers"]) == 2
    assert on_dask == cluster_articles(articles)
    assert len(set(on_dask)) > 10  # real grouping happened: 30 AllSides stories, not one and not 90


def test_cluster_command_dask_engine_rejects_a_dead_scheduler(cli, tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_text(json.dumps({"id": "a", "title": "t", "date": "2021-01-01", "text": "Some text here."}) + "\n")
    code, out, err = cli("cluster", path, "--engine", "dask", "--scheduler", "tcp://127.0.0.1:9", "--quiet")
    assert code == 2 and out == "" and "tcp://127.0.0.1:9: cannot connect" in err
