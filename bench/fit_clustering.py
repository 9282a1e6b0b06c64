"""Fit the stream clusterer's signal weights and join threshold on labelled story files.

1. Teacher forcing: each tuning file is streamed (in bench_clustering's order) through a
   StreamClusterer whose articles always go to their gold story; every (article, candidate story)
   pair the clusterer would score becomes one example of its SIGNALS, labelled by whether the
   candidate is the article's gold story. A logistic regression on those examples, each file
   weighted equally, gives the weights.
2. The join threshold is then chosen by running the real clusterer with those weights over a grid
   and taking the best mean pairwise F1 over the tuning files.

The other files are not looked at: `bench/bench_clustering.py` reports every file.

    python bench/fit_clustering.py [--tune FILE_STEM ...] [--grid 0.5 1 1.5 ...]
"""
from __future__ import annotations

import argparse
import dataclasses
import itertools
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_clustering import DATA, load, pairwise  # noqa: E402

from newsfuse.clustering import SIGNALS, ClusterOptions, StreamClusterer, assign_stories, features  # noqa: E402
from newsfuse.embed import get_embedder  # noqa: E402

TUNING = ("duc2003_task2_stories", "allsides_2021_stories_LCR:first-half")


def tuning_sets(names) -> dict[str, tuple[list, list[str]]]:
    """File stem (":first-half" keeps the first half of the stream) -> (articles, gold story ids)."""
    sets = {}
    for name in names:
        stem, _, part = name.partition(":")
        articles, gold = load(DATA / f"{stem}.jsonl")
        if part == "first-half":
            articles, gold = articles[:len(articles) // 2], gold[:len(gold) // 2]
        sets[name] = (articles, gold)
    return sets


def teacher_forced_examples(articles, gold, feats, options: ClusterOptions) -> tuple[np.ndarray, np.ndarray, float]:
    """SIGNALS of every candidate the clusterer scores, with labels; and the share of joining
    articles whose gold story was among the candidates."""
    clusterer = StreamClusterer(options)
    stories: dict[str, object] = {}  # gold id -> the clusterer's story
    rows, labels, joins, found = [], [], 0, 0
    for article, label, feat in zip(articles, gold, feats):
        date = clusterer._advance(feat)
        candidates = clusterer.candidates(feat, date)
        truth = stories.get(label)
        if truth is not None and truth.id in clusterer._stories:
            joins += 1
            found += any(story is truth for story, _ in candidates)
        for story, signals in candidates:
            rows.append(signals)
            labels.append(story is truth)
        if truth is None or truth.id not in clusterer._stories:
            truth = stories[label] = clusterer._open(f"{label}/{article.id}")
        clusterer._attach(truth, article.id, feat, date)
    return np.array(rows), np.array(labels), found / max(joins, 1)


def fit_weights(examples: dict[str, tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
    from sklearn.linear_model import LogisticRegression

    x = np.vstack([rows for rows, _ in examples.values()])
    y = np.concatenate([labels for _, labels in examples.values()])
    weight = np.concatenate([np.full(len(labels), 1.0 / len(labels)) for _, labels in examples.values()])
    model = LogisticRegression(C=10.0, max_iter=5000).fit(x, y, sample_weight=weight * len(y))
    return model.coef_[0], float(model.intercept_[0])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tune", nargs="*", default=list(TUNING))
    parser.add_argument("--grid", nargs="*", type=float, default=[-2, -1.5, -1, -0.5, 0, 0.5, 1, 1.5, 2],
                        help="join score offsets from the regression's own (logit 0)")
    parser.add_argument("--same-day", nargs="*", type=float, default=[0.0],
                        help="added to the fitted same-day weight (one linear model cannot make the first day special enough)")
    parser.add_argument("--opt", nargs="*", default=[], help="ClusterOptions overrides, NAME=VALUE")
    parser.add_argument("--search", type=int, default=0, help="rounds of coordinate search on the mean F1 after the grid")
    parser.add_argument("--drop", nargs="*", default=[], help="signals left out of the fit (weight 0)")
    args = parser.parse_args(argv)

    base = dataclasses.replace(ClusterOptions(), **{k: type(getattr(ClusterOptions(), k))(v) for k, v in (o.split("=") for o in args.opt)})
    embedder = get_embedder("static")
    sets = tuning_sets(args.tune)
    featured = {name: features(articles, embedder, base) for name, (articles, _) in sets.items()}
    examples = {}
    for name, (articles, gold) in sets.items():
        rows, labels, coverage = teacher_forced_examples(articles, gold, featured[name], base)
        examples[name] = (rows, labels)
        print(f"{name}: {len(labels)} candidate pairs, {int(labels.sum())} true; gold story among the candidates for {coverage:.3f} of joins")
    kept = [i for i, name in enumerate(SIGNALS) if name not in args.drop]
    coefficients, intercept = np.zeros(len(SIGNALS)), 0.0
    coefficients[kept], intercept = fit_weights({k: (rows[:, kept], labels) for k, (rows, labels) in examples.items()})
    print("weights: " + ", ".join(f"{s} {w:.2f}" for s, w in zip(SIGNALS, coefficients)) + f"; intercept {intercept:.2f}")

    print("| same-day weight | join score (logit offset) | " + " | ".join(sets) + " | mean |")
    print("|---" * (len(sets) + 3) + "|")
    def mean_f1(options: ClusterOptions) -> tuple[float, list[float]]:
        scores = []
        for name, (articles, gold) in sets.items():
            labels = assign_stories(((a.id, f) for a, f in zip(articles, featured[name])), options)
            scores.append(pairwise(labels, gold)["f1"])
        return float(np.mean(scores)), scores

    best = None
    same_day = SIGNALS.index("same_day")
    for extra, offset in itertools.product(args.same_day, args.grid):
        weights = [round(float(w), 2) for w in coefficients]
        weights[same_day] = round(weights[same_day] + extra, 2)
        options = dataclasses.replace(base, weights=tuple(weights), join_score=round(-intercept + offset, 2))
        mean, scores = mean_f1(options)
        print(f"| {weights[same_day]} | {offset:+.1f} ({options.join_score}) | " + " | ".join(f"{f:.3f}" for f in scores) + f" | {mean:.3f} |")
        if best is None or mean > best[0]:
            best = (mean, options)
    print(f"\nbest of the grid: weights={best[1].weights}, join_score={best[1].join_score} (mean F1 {best[0]:.3f})")

    # The regression fits pairs one at a time; F1 also pays for what a wrong join does to later
    # ones. Coordinate search: move one weight (or the threshold) at a time while the mean F1 rises.
    for round_number in range(args.search):
        improved = False
        for position in range(len(SIGNALS) + 1):
            for step in (-1.0, -0.5, 0.5, 1.0):
                weights, join_score = list(best[1].weights), best[1].join_score
                if position < len(SIGNALS):
                    weights[position] = round(weights[position] + step, 2)
                else:
                    join_score = round(join_score + step / 2, 2)
                options = dataclasses.replace(base, weights=tuple(weights), join_score=join_score)
                mean, scores = mean_f1(options)
                if mean > best[0] + 1e-4:
                    best, improved = (mean, options), True
                    name = SIGNALS[position] if position < len(SIGNALS) else "join_score"
                    print(f"round {round_number + 1}: {name} {step:+.1f} -> mean F1 {mean:.3f} (" + ", ".join(f"{f:.3f}" for f in scores) + ")")
        if not improved:
            break
    print(f"\nbest: weights={best[1].weights}, join_score={best[1].join_score} (mean F1 {best[0]:.3f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
