"""Ingest benchmark: `newsfuse ingest` into a fresh SQLite store, cold (a new process, as a user runs
it) and warm (models loaded), with the time split into reading, cleaning + dedup, features,
clustering and store commits; then the same input again (every article a no-op duplicate). The
peer in the same run is a bare SQLite insert of the same article rows (no cleaning, no clustering):
the floor the store itself sets. Wall and CPU seconds both: on a shared machine CPU time is the
steadier figure. Writes bench/results/ingest.json.

    python bench/bench_ingest.py [INPUT.jsonl] [--repeat 3]
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data"
sys.path.insert(0, str(ROOT))

import newsfuse.clustering as clustering  # noqa: E402
import newsfuse.stream as stream  # noqa: E402
from newsfuse.embed import get_embedder  # noqa: E402
from newsfuse.store import SQLiteStore  # noqa: E402


def timed_stages() -> tuple[dict[str, float], callable]:
    """Wrap the stage functions the ingest calls, summing the seconds spent in each."""
    seconds: dict[str, float] = defaultdict(float)
    originals = []

    def wrap(owner, name: str, stage: str) -> None:
        original = getattr(owner, name)
        originals.append((owner, name, original))

        def timed(*args, **kwargs):
            start = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                seconds[stage] += time.perf_counter() - start

        setattr(owner, name, timed)

    wrap(stream, "read_inputs", "read")
    wrap(stream, "features", "features")  # the name the ingest calls
    wrap(clustering.StreamClusterer, "add", "cluster")
    wrap(SQLiteStore, "add", "store")

    def restore() -> None:
        for owner, name, original in originals:
            setattr(owner, name, original)

    return seconds, restore


def bare_insert(path: Path, db_path: Path) -> tuple[int, float, float]:
    """The peer: the same rows straight into one SQLite table, one transaction per 200."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    start = time.perf_counter()
    cpu_start = time.process_time()
    db = sqlite3.connect(db_path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("CREATE TABLE articles (seq INTEGER PRIMARY KEY, id TEXT UNIQUE, title TEXT, date TEXT, text TEXT)")
    for first in range(0, len(rows), 200):
        db.execute("BEGIN")
        db.executemany("INSERT INTO articles (id, title, date, text) VALUES (?, ?, ?, ?)",
                       [(r["id"], r.get("title"), r.get("date"), r["text"]) for r in rows[first:first + 200]])
        db.execute("COMMIT")
    db.close()
    return len(rows), time.perf_counter() - start, time.process_time() - cpu_start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("input", nargs="?", default=str(DATA / "clustering" / "tac2011_guided_A_stories.jsonl"))
    parser.add_argument("--repeat", type=int, default=3, help="warm runs; the best is reported")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "ingest.json"))
    args = parser.parse_args()
    source = Path(args.input)
    results: dict = {"input": source.name, "machine": platform.machine(), "python": platform.python_version()}

    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        start, children = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run([sys.executable, "-m", "newsfuse.cli", "ingest", str(source), "--db", str(scratch / "cold.db"), "--quiet"],
                       check=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
        cold = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = after.ru_utime + after.ru_stime - children.ru_utime - children.ru_stime
        stored = SQLiteStore(scratch / "cold.db").counts()[0]
        results["cold"] = {"articles": stored, "seconds": round(cold, 3), "articles_per_s": round(stored / cold, 1),
                           "cpu_seconds": round(cpu, 3)}

        get_embedder("static").encode(["warm up"])  # load the model and the clustering imports once
        clustering.features([], get_embedder("static"))
        best = None
        for run in range(args.repeat):
            store = SQLiteStore(scratch / f"warm{run}.db")
            seconds, restore = timed_stages()
            start, cpu_start = time.perf_counter(), time.process_time()
            result = stream.ingest_articles(stream.read_inputs([str(source)]), store)
            total, cpu = time.perf_counter() - start, time.process_time() - cpu_start
            restore()
            if best is None or total < best["seconds"]:
                stages = {k: round(v, 3) for k, v in seconds.items()}
                stages["clean_dedup_other"] = round(total - sum(seconds.values()), 3)
                best = {"articles": result.added, "stories": len(result.stories), "seconds": round(total, 3),
                        "articles_per_s": round(result.added / total, 1), "cpu_seconds": round(cpu, 3), "stages_s": stages}
            start, cpu_start = time.perf_counter(), time.process_time()
            again = stream.ingest_articles(stream.read_inputs([str(source)]), store)
            elapsed = time.perf_counter() - start
            results["duplicates"] = {"articles": again.duplicates, "seconds": round(elapsed, 3),
                                     "articles_per_s": round(again.duplicates / elapsed, 1),
                                     "cpu_seconds": round(time.process_time() - cpu_start, 3)}
            store.close()
        results["warm"] = best
        rows, seconds, cpu = bare_insert(source, scratch / "bare.db")
        results["peer_bare_sqlite_insert"] = {"articles": rows, "seconds": round(seconds, 4), "articles_per_s": round(rows / seconds, 1),
                                              "cpu_seconds": round(cpu, 4)}

    print(f"input: {source.name}")
    print(f"{'':34}{'articles':>9}{'seconds':>9}{'articles/s':>12}{'CPU s':>9}")
    for label, key in (("newsfuse ingest, cold process", "cold"), ("newsfuse ingest, warm", "warm"),
                       ("same input again (all duplicates)", "duplicates"), ("peer: bare SQLite insert", "peer_bare_sqlite_insert")):
        row = results[key]
        print(f"{label:34}{row['articles']:>9}{row['seconds']:>9.3f}{row['articles_per_s']:>12.1f}{row['cpu_seconds']:>9.3f}")
    print("warm run, seconds by stage:", json.dumps(results["warm"]["stages_s"]))
    Path(args.out).write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
