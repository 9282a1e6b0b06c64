"""Story clustering against gold story labels: newsfuse's stream clusterer beside a TF-IDF +
average-link agglomerative baseline, both measured in this run on every ../shared/data/clustering file.

Articles are fed to newsfuse as a stream: by date, and within a day in an order fixed by a hash of
the id (the files list each story's articles together; a stream interleaves them). The baseline
sees all articles at once; its distance threshold is tuned on DUC 2003 in this run (as the data
README's reference figure was), newsfuse's settings are the library defaults.

    python bench/bench_clustering.py [--files NAME...] [--output bench/results/clustering.json]
"""
from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from newsfuse.clustering import ClusterOptions, cluster_articles  # noqa: E402
from newsfuse.model import Article  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "clustering"
BASELINE_TUNED_ON = "duc2003_task2_stories"


def load(path: Path) -> tuple[list[Article], list[str]]:
    """Articles in stream order and their gold story ids. Unparseable dates count as unknown."""
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    articles, gold = [], []
    for record in records:
        try:
            date = dt.date.fromisoformat(record["date"]) if record.get("date") else None
        except ValueError:
            date = None
        articles.append(Article(id=record["id"], text=record["text"], title=record.get("title"), date=date))
        gold.append(record["story_id"])
    order = sorted(range(len(articles)), key=lambda i: (articles[i].date or dt.date.max, hashlib.sha1(articles[i].id.encode()).hexdigest()))
    return [articles[i] for i in order], [gold[i] for i in order]


def pairwise(predicted: list[str], gold: list[str]) -> dict[str, float]:
    """Precision, recall and F1 over pairs of articles put in the same story."""
    def pairs(counts):
        return sum(n * (n - 1) // 2 for n in counts.values())

    together = pairs(Counter(zip(predicted, gold)))
    predicted_pairs, gold_pairs = pairs(Counter(predicted)), pairs(Counter(gold))
    precision = together / predicted_pairs if predicted_pairs else 1.0
    recall = together / gold_pairs if gold_pairs else 1.0
    return {"p": precision, "r": recall, "f1": _f1(precision, recall)}


def bcubed(predicted: list[str], gold: list[str]) -> dict[str, float]:
    cells, sizes_p, sizes_g = Counter(zip(predicted, gold)), Counter(predicted), Counter(gold)
    precision = float(np.mean([cells[p, g] / sizes_p[p] for p, g in zip(predicted, gold)]))
    recall = float(np.mean([cells[p, g] / sizes_g[g] for p, g in zip(predicted, gold)]))
    return {"p": precision, "r": recall, "f1": _f1(precision, recall)}


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def tfidf_matrix(articles: list[Article]):
    from sklearn.feature_extraction.text import TfidfVectorizer

    texts = [f"{a.title}\n{a.text}" if a.title else a.text for a in articles]
    return TfidfVectorizer(sublinear_tf=True, stop_words="english").fit_transform(texts).toarray()


def baseline(matrix: np.ndarray, threshold: float) -> list[str]:
    from sklearn.cluster import AgglomerativeClustering

    model = AgglomerativeClustering(n_clusters=None, metric="cosine", linkage="average", distance_threshold=threshold)
    return [str(label) for label in model.fit_predict(matrix)]


def tune_baseline(matrix: np.ndarray, gold: list[str]) -> float:
    grid = [round(t, 2) for t in np.arange(0.50, 1.00, 0.02)]
    return max(grid, key=lambda t: pairwise(baseline(matrix, t), gold)["f1"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", nargs="*", help="file stems to run (default: every file)")
    parser.add_argument("--output", default=str(ROOT / "bench" / "results" / "clustering.json"))
    args = parser.parse_args(argv)

    paths = sorted(DATA.glob("*.jsonl"))
    if args.files:
        paths = [p for p in paths if p.stem in args.files]
    options = ClusterOptions()
    datasets = {p.stem: load(p) for p in sorted(DATA.glob("*.jsonl")) if p in paths or p.stem == BASELINE_TUNED_ON}
    tuned_articles, tuned_gold = datasets[BASELINE_TUNED_ON]
    threshold = tune_baseline(tfidf_matrix(tuned_articles), tuned_gold)

    rows = []
    for path in paths:
        articles, gold = datasets[path.stem]
        start = time.perf_counter()
        ours = cluster_articles(articles, options)
        seconds = time.perf_counter() - start
        theirs = baseline(tfidf_matrix(articles), threshold)
        rows.append({
            "file": path.stem, "articles": len(articles), "stories": len(set(gold)),
            "newsfuse": {"pairwise": pairwise(ours, gold), "bcubed": bcubed(ours, gold), "stories": len(set(ours)), "seconds": seconds},
            "baseline": {"pairwise": pairwise(theirs, gold), "bcubed": bcubed(theirs, gold), "stories": len(set(theirs))},
        })

    print(f"baseline: TF-IDF + average-link agglomerative, cosine distance threshold {threshold} (tuned on {BASELINE_TUNED_ON})\n")
    print("| file | articles / stories | newsfuse P / R / **F1** | B3 F1 | baseline P / R / **F1** | B3 F1 |")
    print("|---|---|---|---|---|---|")
    for row in rows:
        ours, theirs = row["newsfuse"], row["baseline"]
        print(f"| {row['file']} | {row['articles']} / {row['stories']} "
              f"| {ours['pairwise']['p']:.3f} / {ours['pairwise']['r']:.3f} / **{ours['pairwise']['f1']:.3f}** | {ours['bcubed']['f1']:.3f} "
              f"| {theirs['pairwise']['p']:.3f} / {theirs['pairwise']['r']:.3f} / **{theirs['pairwise']['f1']:.3f}** | {theirs['bcubed']['f1']:.3f} |")
    output = Path(args.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps({"options": {k: v for k, v in vars(options).items()}, "baseline_threshold": threshold, "files": rows}, indent=1) + "\n")
    print(f"\nwrote {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
