"""How far a dev set can tell two systems apart: a paired bootstrap over its topics.

    python bench/bootstrap.py tac2011 duc2003 duc2006 duc2007_update

Reads the per-cluster ROUGE-2 recall that bench/bench_evaluate.py wrote to
bench/results/evaluate_<set>.json, and resamples whole topics (DUC 2007's docsets A, B and C of
one topic go together: they share articles and references). It prints, for newsfuse:
- against LexRank, the ratio of mean R-2 and its 95 % interval, and the share of resamples reaching
  the set's ratio target;
- against the best participant of the same table, the mean difference, its 95 % interval and the
  share of resamples where newsfuse is ahead.
"""
from __future__ import annotations

import argparse
import json
import random
import re
import statistics
from pathlib import Path

from bench_evaluate import SETS

RESULTS = Path(__file__).resolve().parent / "results"
METRIC = "rouge2_recall"


def topic(cluster_id: str) -> str:
    """D0703A-B -> D0703A; ids of other shapes are their own topic."""
    return re.sub(r"-[A-Z]$", "", cluster_id)


def resampled(per_cluster: dict, resamples: int, seed: int = 0) -> list[list[str]]:
    """`resamples` lists of cluster ids, each drawn by topic with replacement."""
    by_topic: dict[str, list[str]] = {}
    for cluster_id in sorted(per_cluster):
        by_topic.setdefault(topic(cluster_id), []).append(cluster_id)
    topics = sorted(by_topic)
    rng = random.Random(seed)
    return [[c for t in rng.choices(topics, k=len(topics)) for c in by_topic[t]] for _ in range(resamples)]


def interval(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    return ordered[int(0.025 * len(ordered))], ordered[int(0.975 * len(ordered)) - 1]


def report(name: str, resamples: int) -> None:
    path = RESULTS / f"evaluate_{name}.json"
    if not path.exists():
        raise SystemExit(f"bootstrap: {path} not found: run python bench/bench_evaluate.py {name} first")
    result = json.loads(path.read_text(encoding="utf-8"))
    scores = {system: {c: row[METRIC] for c, row in rows.items()} for system, rows in result["per_cluster"].items()}
    ours = scores["newsfuse"]
    samples = resampled(ours, resamples)
    print(f"{name}: {len(ours)} clusters, {len({topic(c) for c in ours})} topics, {resamples} resamples")
    if "lexrank" in scores:
        lexrank = scores["lexrank"]
        ratios = [sum(ours[c] for c in s) / sum(lexrank[c] for c in s) for s in samples]
        low, high = interval(ratios)
        line = f"  vs LexRank: ratio {sum(ours.values()) / sum(lexrank.values()):.3f}, 95 % interval {low:.3f}-{high:.3f}"
        target = SETS[name].lexrank_ratio_target
        if target:
            line += f", {sum(r >= target for r in ratios) / len(ratios):.0%} of resamples reach {target}x"
        print(line)
    peers = {system: s for system, s in scores.items() if system.startswith("peer ") and s.keys() == ours.keys()}
    if peers:
        best = max(peers, key=lambda system: statistics.mean(peers[system].values()))
        differences = [statistics.mean(ours[c] - peers[best][c] for c in s) for s in samples]
        low, high = interval(differences)
        print(f"  vs {best} (best participant, same table): {statistics.mean(ours.values()):.4f} against "
              f"{statistics.mean(peers[best].values()):.4f}, difference 95 % interval {low:+.4f} to {high:+.4f}, "
              f"newsfuse ahead in {sum(d > 0 for d in differences) / len(differences):.0%} of resamples")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sets", nargs="+", choices=list(SETS), metavar="SET", help=f"any of {', '.join(SETS)}")
    parser.add_argument("--resamples", type=int, default=2000)
    args = parser.parse_args()
    for name in args.sets:
        report(name, args.resamples)


if __name__ == "__main__":
    main()
