"""Throughput and peak memory of stream clustering at 10k, 100k and 1M articles, and the Dask
speed-up of 2 workers over 1.

The stream is derived from the real English articles of ../shared/data (the clustering files and
the cluster JSONL sets): each round goes through every real story in a shuffled order and writes a
new version of it: each article recombined from the sentences of that story's articles (its lead
sentence kept first, then sentences of the other articles in shuffled order, to the original's
length), with a new id and the story's dates shifted onto the stream's calendar (2,000 articles a
day). Articles are generated lazily, a batch at a time, and never stored. Each size runs in a fresh
subprocess so that its peak resident memory (getrusage maxrss) is its own.

    python bench/bench_scale.py [--sizes 10000 100000 1000000] [--dask-size 20000] [--output bench/results/scale.json]
"""
from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import random
import re
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from newsfuse.model import Article  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
PER_DAY = 2000
START = dt.date(2030, 1, 1)
SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"“])|\n+")


def source_stories() -> list[list[dict]]:
    """Real stories: lists of {"title", "date", "sentences"} from every English file of ../shared/data."""
    stories: dict[str, list[dict]] = {}
    for path in sorted((DATA / "clustering").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            if record.get("lang", "en") == "en":
                stories.setdefault(f"{path.stem}/{record['story_id']}", []).append(record)
    for path in sorted((DATA / "mds").glob("*.jsonl")):
        if path.name.endswith(".meta.jsonl") or "multiling" in path.name:
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            cluster = json.loads(line)
            stories[f"{path.stem}/{cluster['id']}"] = cluster["documents"]
    result = []
    for key in sorted(stories):
        members = []
        for record in stories[key]:
            sentences = [s.strip() for s in SENTENCE.split(record["text"]) if len(s.split()) >= 4]
            if sentences:
                members.append({"title": record.get("title"), "date": _date(record.get("date")), "sentences": sentences})
        if members:
            result.append(members)
    return result


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def stream(size: int, seed: int = 7) -> Iterator[Article]:
    """`size` derived articles in arrival order, generated lazily."""
    rng = random.Random(seed)
    stories = source_stories()
    produced, round_number = 0, 0
    while produced < size:
        order = list(range(len(stories)))
        rng.shuffle(order)
        for story_number in order:
            members = stories[story_number]
            known = [m["date"] for m in members if m["date"]]
            first = min(known) if known else None
            day = START + dt.timedelta(days=produced // PER_DAY)
            pool = [s for m in members for s in m["sentences"]]
            for n, member in enumerate(members):
                if produced == size:
                    return
                others = rng.sample(pool, min(len(pool), len(member["sentences"]) + 2))
                sentences = [member["sentences"][0]] + [s for s in others if s != member["sentences"][0]][:len(member["sentences"]) - 1]
                offset = min((member["date"] - first).days, 14) if member["date"] and first else 0
                yield Article(
                    id=f"r{round_number}-s{story_number}-a{n}",
                    title=member["title"],
                    text="\n\n".join(sentences),
                    date=day + dt.timedelta(days=offset),
                    source=f"outlet-{rng.randrange(300)}",
                )
                produced += 1
        round_number += 1


def run_size(size: int, batch: int = 1000) -> dict:
    """Cluster a stream of `size` articles in this process; throughput and peak memory."""
    from threadpoolctl import threadpool_limits

    from newsfuse.clustering import ClusterOptions, StreamClusterer, features
    from newsfuse.embed import get_embedder

    options = ClusterOptions()
    embedder = get_embedder("static")
    embedder.encode(["warm up the model"])
    clusterer = StreamClusterer(options)
    generator = stream(size)
    stories: set[str] = set()
    open_peak = 0
    start = time.perf_counter()
    cpu_start = sum(resource.getrusage(resource.RUSAGE_SELF)[:2])
    feature_seconds = 0.0
    limits = threadpool_limits(1)  # as assign_stories does: one BLAS thread for per-article products
    while True:
        articles = [a for _, a in zip(range(batch), generator)]
        if not articles:
            break
        begin = time.perf_counter()
        feats = features(articles, embedder, options)
        feature_seconds += time.perf_counter() - begin
        for article, feat in zip(articles, feats):
            stories.add(clusterer.add(article.id, feat))
        open_peak = max(open_peak, len(clusterer._stories))
    seconds = time.perf_counter() - start
    limits.unregister()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu = usage.ru_utime + usage.ru_stime - cpu_start
    return {
        "articles": size, "seconds": round(seconds, 2), "articles_per_s": round(size / seconds, 1),
        "cpu_seconds": round(cpu, 2), "articles_per_cpu_s": round(size / cpu, 1),
        "feature_share": round(feature_seconds / seconds, 3), "stories": len(stories), "open_stories_peak": open_peak,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def run_dask(size: int, workers: int) -> dict:
    """The same stream (held in memory) on a LocalCluster of `workers` processes, cluster start excluded."""
    from dask.distributed import Client, LocalCluster

    from newsfuse.scale import cluster_articles_dask

    articles = list(stream(size))
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, Client(cluster) as client:
        client.run(lambda: __import__("newsfuse.embed", fromlist=["get_embedder"]).get_embedder("static"))  # load the model first
        start = time.perf_counter()
        labels = cluster_articles_dask(articles, client=client, partition_size=1000)
        seconds = time.perf_counter() - start
    return {"articles": size, "workers": workers, "seconds": round(seconds, 2), "articles_per_s": round(size / seconds, 1),
            "stories": len(set(labels)), "labels_digest": _digest(labels)}


def _digest(labels: list[str]) -> str:
    return hashlib.sha1("\n".join(labels).encode()).hexdigest()[:12]


def _in_subprocess(*args: str) -> dict:
    done = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"bench_scale {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="*", type=int, default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--dask-size", type=int, default=20_000, help="articles for the Dask 1- vs 2-worker run (0: skip)")
    parser.add_argument("--output", default=str(ROOT / "bench" / "results" / "scale.json"))
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # internal: run one size here, print JSON
    parser.add_argument("--dask-workers", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        print(json.dumps(run_dask(args.one, args.dask_workers) if args.dask_workers else run_size(args.one)))
        return 0

    rows = []
    print("| articles | seconds | articles/s | articles per CPU-second | peak RSS MB | stories | open stories (peak) | share in features |")
    print("|---|---|---|---|---|---|---|---|")
    for size in args.sizes:
        row = _in_subprocess("--one", str(size))
        rows.append(row)
        print(f"| {row['articles']:,} | {row['seconds']} | {row['articles_per_s']:,} | {row['articles_per_cpu_s']:,} | {row['peak_rss_mb']:,} | {row['stories']:,} "
              f"| {row['open_stories_peak']:,} | {row['feature_share']:.0%} |", flush=True)
    dask_rows = []
    if args.dask_size:
        for workers in (1, 2):
            dask_rows.append(_in_subprocess("--one", str(args.dask_size), "--dask-workers", str(workers)))
        one, two = dask_rows
        from newsfuse.clustering import cluster_articles

        local = _digest(cluster_articles(list(stream(args.dask_size))))
        same = one["labels_digest"] == two["labels_digest"] == local
        print(f"\nDask LocalCluster, {args.dask_size:,} articles: 1 worker {one['seconds']} s, 2 workers {two['seconds']} s, "
              f"speed-up {one['seconds'] / two['seconds']:.2f}x; same stories as one process: {same}")
    output = Path(args.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps({"sizes": rows, "dask": dask_rows, "per_day": PER_DAY}, indent=1) + "\n")
    print(f"\nwrote {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
