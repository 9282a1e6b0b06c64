"""Throughput and peak memory of stream clustering at 10k, 100k and 1M articles, beside a naive
single-pass clusterer on the same stream, and the Dask speed-up of 2 workers over 1.

The stream is derived from the real English articles of ../shared/data (the clustering files and
the cluster JSONL sets): each round goes through every real story in a shuffled order and writes a
new version of it: each article recombined from the sentences of that story's articles (its lead
sentence kept first, then sentences of the other articles in shuffled order, to the original's
length), with a new id and the story's dates shifted onto the stream's calendar (2,000 articles a
day). Articles are generated lazily, a batch at a time, and never stored; generating them is timed
apart and left out of the throughput, which counts `features()` (embedding, MinHash, terms, names)
and `StreamClusterer.add`; the model and the compiled kernels are loaded before the clock starts
(on two made-up articles; the word tables start empty). Each size runs in a fresh subprocess so
that its peak resident memory (getrusage maxrss) is its own; it prints a progress line every
100,000 articles on standard error.

The baseline, at --baseline-size articles (10k), is the simplest single-pass clusterer on the same
stream and the same embedder: each article's title and lead embedding is compared with the
centroid of every open story (one matrix-vector product) and joins the nearest above a cosine
threshold (0.75, the best pairwise F1 of 0.7-0.85 on this stream), else starts a story; stories
close as in StreamClusterer. No MinHash, no terms, no names: the cost of single-pass clustering
with nothing but the embedding. Both report pairwise F1 against the stream's own stories.

At --store-size articles (10k), the whole ingest path of `newsfuse ingest` (cleaning, duplicate
checks, features, clustering, SQLite transactions) runs on the same stream into a fresh store.

    python bench/bench_scale.py [--sizes 10000 100000 1000000] [--baseline-size 10000] [--store-size 10000] [--dask-size 20000] [--output bench/results/scale.json]
"""
from __future__ import annotations

import argparse
import collections
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

import numpy as np

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


def same_story(stories: list[list[dict]]) -> list[int]:
    """For each source story, the lowest index of the source stories it shares an article with
    (directly or through others): a clustering set and its summarization set hold the same articles."""
    parent = list(range(len(stories)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first_seen: dict[str, int] = {}
    for number, members in enumerate(stories):
        for member in members:
            other = first_seen.setdefault(member["sentences"][0], number)
            a, b = root(other), root(number)
            parent[max(a, b)] = min(a, b)
    return [root(i) for i in range(len(stories))]


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def stream(size: int, seed: int = 7, stories: list[list[dict]] | None = None) -> Iterator[Article]:
    """`size` derived articles in arrival order, generated lazily (from `stories`, by default
    `source_stories()`)."""
    rng = random.Random(seed)
    stories = stories if stories is not None else source_stories()
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
    _warm_up(embedder)
    clusterer = StreamClusterer(options)
    sources = source_stories()
    generator = stream(size, stories=sources)
    stories: set[str] = set()
    f1 = _PairwiseF1(sources)
    open_peak = done = 0
    feature_seconds = assign_seconds = generate_seconds = 0.0
    cpu_start = _cpu_seconds()
    limits = threadpool_limits(1)  # as assign_stories does: one BLAS thread for per-article products
    while True:
        begin = time.perf_counter()
        articles = [a for _, a in zip(range(batch), generator)]
        generate_seconds += time.perf_counter() - begin
        if not articles:
            break
        begin = time.perf_counter()
        feats = features(articles, embedder, options)
        middle = time.perf_counter()
        labels = [clusterer.add(article.id, feat) for article, feat in zip(articles, feats)]
        assign_seconds += time.perf_counter() - middle
        stories.update(labels)
        for article, label in zip(articles, labels):
            f1.add(article.id, label)
        feature_seconds += middle - begin
        open_peak = max(open_peak, len(clusterer._stories))
        done += len(articles)
        if done % 100_000 == 0 and done < size:
            _progress(done, feature_seconds + assign_seconds, feature_seconds)
    limits.unregister()
    seconds = feature_seconds + assign_seconds
    cpu = _cpu_seconds() - cpu_start  # includes generating the stream
    return {
        "articles": size, "seconds": round(seconds, 2), "articles_per_s": round(size / seconds, 1),
        "feature_articles_per_s": round(size / feature_seconds, 1), "assign_articles_per_s": round(size / assign_seconds, 1),
        "feature_share": round(feature_seconds / seconds, 3), "generate_seconds": round(generate_seconds, 2),
        "cpu_seconds": round(cpu, 2), "stories": len(stories), "open_stories_peak": open_peak, "pairwise_f1": f1.value(),
        "peak_rss_mb": _peak_rss_mb(),
    }


def _warm_up(embedder) -> None:
    """Load what a process loads once before it clusters (the model, the compiled kernels from
    numba's disk cache) on two made-up articles, so that the timing is of the stream itself."""
    from newsfuse.clustering import StreamClusterer, features

    clusterer = StreamClusterer()
    for n, feats in enumerate(features([Article(id=f"warm-{n}", title="Warm up", text="Warm up the model and the compiled loops.",
                                                date=START) for n in range(2)], embedder)):
        clusterer.add(f"warm-{n}", feats)


def run_naive(size: int, batch: int = 1000, threshold: float = 0.75, close_days: int = 30) -> dict:
    """The baseline (see the module docstring) on the same stream: throughput and peak memory."""
    from threadpoolctl import threadpool_limits

    from newsfuse.embed import get_embedder

    embedder = get_embedder("static")
    embedder.encode(["warm up the model"])
    sources = source_stories()
    generator = stream(size, stories=sources)
    sums = np.zeros((1024, 256), dtype=np.float32)  # one row per story: the sum of its vectors
    centroids = np.zeros_like(sums)  # normalised sums; closed stories' rows are zero
    last = np.zeros(len(sums), dtype=np.int64)  # date ordinal of each story's latest article
    count, newest, open_peak = 0, 0, 0
    seconds = 0.0
    f1 = _PairwiseF1(sources)
    with threadpool_limits(1):
        while True:
            articles = [a for _, a in zip(range(batch), generator)]
            if not articles:
                break
            begin = time.perf_counter()
            leads = [" ".join(a.text.split(None, 60)[:60]) for a in articles]  # title and lead, as features() embeds them
            vectors = embedder.encode([f"{a.title}. {lead}" if a.title else lead for a, lead in zip(articles, leads)])
            for article, vector in zip(articles, vectors):
                day = article.date.toordinal()
                if day > newest:
                    newest = day
                    centroids[:count][last[:count] < newest - close_days] = 0.0  # close stale stories
                cosines = centroids[:count] @ vector
                best = int(cosines.argmax()) if count else -1
                if best < 0 or cosines[best] < threshold:
                    if count == len(sums):
                        sums, centroids, last = (np.concatenate([x, np.zeros_like(x)]) for x in (sums, centroids, last))
                    best, count = count, count + 1
                sums[best] += vector
                centroids[best] = sums[best] / np.linalg.norm(sums[best])
                last[best] = max(last[best], day)
                f1.add(article.id, str(best))
            open_peak = max(open_peak, int((last[:count] >= newest - close_days).sum()))
            seconds += time.perf_counter() - begin
    return {"articles": size, "seconds": round(seconds, 2), "articles_per_s": round(size / seconds, 1), "stories": count,
            "open_stories_peak": open_peak, "pairwise_f1": f1.value(), "threshold": threshold, "peak_rss_mb": _peak_rss_mb()}


def run_store(size: int) -> dict:
    """The whole ingest path on the same stream, as `newsfuse ingest` runs it: cleaning, duplicate
    checks, features, clustering, and one SQLite transaction per 200 articles, into a fresh store."""
    import tempfile

    from newsfuse.embed import get_embedder
    from newsfuse.store import SQLiteStore
    from newsfuse.stream import ingest_articles

    _warm_up(get_embedder("static"))
    begin = time.perf_counter()
    articles = list(stream(size))  # ingest reads every input before it writes
    generate_seconds = time.perf_counter() - begin
    with tempfile.TemporaryDirectory() as directory:
        store = SQLiteStore(Path(directory) / "bench.db")
        begin = time.perf_counter()
        result = ingest_articles(articles, store)
        seconds = time.perf_counter() - begin
        database_mb = sum(f.stat().st_size for f in Path(directory).iterdir()) / 2**20
    return {"articles": size, "seconds": round(seconds, 2), "articles_per_s": round(size / seconds, 1), "stored": result.added,
            "stories": len(result.stories), "generate_seconds": round(generate_seconds, 2), "database_mb": round(database_mb, 1),
            "peak_rss_mb": _peak_rss_mb()}


class _PairwiseF1:
    """Pairwise F1 of predicted stories against the stream's own: the articles derived from one
    source story (or from source stories that share articles), in any round: a later round
    re-tells the same story with the same sentences."""

    def __init__(self, stories: list[list[dict]]):
        self.group = same_story(stories)
        self.cells, self.gold, self.predicted = collections.Counter(), collections.Counter(), collections.Counter()

    def add(self, article_id: str, story: str) -> None:
        gold = self.group[int(article_id.split("-")[1][1:])]  # "r{round}-s{story}-a{member}"
        self.cells[gold, story] += 1
        self.gold[gold] += 1
        self.predicted[story] += 1

    def value(self) -> float:
        pairs = lambda counter: sum(n * (n - 1) // 2 for n in counter.values())  # noqa: E731
        both, gold, predicted = pairs(self.cells), pairs(self.gold), pairs(self.predicted)
        return round(2 * both / (gold + predicted), 4) if gold + predicted else 1.0


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _progress(done: int, seconds: float, feature_seconds: float) -> None:
    print(f"  {done:,} articles: {done / seconds:,.0f} articles/s, features {done / feature_seconds:,.0f}/s, "
          f"peak RSS {_peak_rss_mb():,} MB", file=sys.stderr, flush=True)


def run_dask(size: int, workers: int) -> dict:
    """The same stream (held in memory) on a LocalCluster of `workers` processes, cluster start excluded."""
    from dask.distributed import Client, LocalCluster

    from newsfuse.scale import cluster_articles_dask

    articles = list(stream(size))
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, Client(cluster) as client:
        client.run(lambda: __import__("newsfuse.embed", fromlist=["get_embedder"]).get_embedder("static") and None)  # load the model first
        start = time.perf_counter()
        labels = cluster_articles_dask(articles, client=client)
        seconds = time.perf_counter() - start
    return {"articles": size, "workers": workers, "seconds": round(seconds, 2), "articles_per_s": round(size / seconds, 1),
            "stories": len(set(labels)), "labels_digest": _digest(labels)}


def _digest(labels: list[str]) -> str:
    return hashlib.sha1("\n".join(labels).encode()).hexdigest()[:12]


def _in_subprocess(*args: str) -> dict:
    done = subprocess.run([sys.executable, __file__, *args], stdout=subprocess.PIPE, text=True, check=False)  # progress: stderr
    if done.returncode != 0:
        raise SystemExit(f"bench_scale {' '.join(args)} failed (exit {done.returncode}; its error is above)")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="*", type=int, default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--baseline-size", type=int, default=10_000, help="articles for the naive single-pass baseline (0: skip)")
    parser.add_argument("--dask-size", type=int, default=20_000, help="articles for the Dask 1- vs 2-worker run (0: skip)")
    parser.add_argument("--store-size", type=int, default=10_000, help="articles for the whole ingest path into a SQLite store (0: skip)")
    parser.add_argument("--output", default=str(ROOT / "bench" / "results" / "scale.json"))
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # internal: run one size here, print JSON
    parser.add_argument("--naive", action="store_true", help=argparse.SUPPRESS)  # with --one: the baseline
    parser.add_argument("--dask-workers", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--store", action="store_true", help=argparse.SUPPRESS)  # with --one: the store ingest
    args = parser.parse_args(argv)
    if args.one:
        run = (lambda size: run_dask(size, args.dask_workers)) if args.dask_workers else run_naive if args.naive else run_store if args.store else run_size
        row = run(args.one)
        print(json.dumps(row))
        return 0

    output = Path(args.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    rows, baseline = [], None
    if args.baseline_size:
        baseline = _in_subprocess("--one", str(args.baseline_size), "--naive")
        print(f"baseline, naive single-pass on embedding centroids, {baseline['articles']:,} articles: {baseline['articles_per_s']:,} "
              f"articles/s, peak RSS {baseline['peak_rss_mb']:,} MB, {baseline['stories']:,} stories\n", flush=True)
    print("| articles | seconds | articles/s | features only, articles/s | assignment only, articles/s | share in features "
          "| peak RSS MB | stories | open stories (peak) |")
    print("|---|---|---|---|---|---|---|---|---|")
    for size in args.sizes:
        row = _in_subprocess("--one", str(size))
        if baseline and size == baseline["articles"]:
            row["vs_baseline"] = round(row["articles_per_s"] / baseline["articles_per_s"], 3)
        rows.append(row)
        print(f"| {row['articles']:,} | {row['seconds']} | {row['articles_per_s']:,} | {row['feature_articles_per_s']:,} "
              f"| {row['assign_articles_per_s']:,} | {row['feature_share']:.0%} | {row['peak_rss_mb']:,} | {row['stories']:,} "
              f"| {row['open_stories_peak']:,} |", flush=True)
        # written after every size, so that a long run stopped midway keeps what it measured
        output.write_text(json.dumps({"sizes": rows, "baseline": baseline, "dask": [], "per_day": PER_DAY}, indent=1) + "\n")
    if baseline and "vs_baseline" in (rows[0] if rows else {}):
        print(f"\nat {baseline['articles']:,} articles newsfuse runs at {rows[0]['vs_baseline']:.2f}x the naive baseline's throughput")
    store_row = None
    if args.store_size:
        store_row = _in_subprocess("--one", str(args.store_size), "--store")
        same = next((r for r in rows if r["articles"] == args.store_size), None)
        print(f"\nstore ingest (cleaning, duplicate checks, features, clustering, SQLite), {args.store_size:,} articles: "
              f"{store_row['articles_per_s']:,} articles/s" + (f", {store_row['articles_per_s'] / same['articles_per_s']:.2f}x the "
              "features-and-clustering rate above" if same else "") + f"; store {store_row['database_mb']:,} MB, "
              f"peak RSS {store_row['peak_rss_mb']:,} MB", flush=True)
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
    output.write_text(json.dumps({"sizes": rows, "baseline": baseline, "store": store_row, "dask": dask_rows, "per_day": PER_DAY},
                                 indent=1) + "\n")
    print(f"\nwrote {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
