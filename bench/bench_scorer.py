"""Prove the scorer: reproduce the official DUC 2006 and DUC 2007 update ROUGE-2 / ROUGE-SU4
figures (NIST's jackknife) and the MultiLing 2011 English averages from the participants' own
outputs, and print ours beside theirs with the differences and rank correlations.

Ours uses rouge-score's tokenizer and stemmer (as `newsfuse evaluate` does); the `all` column
stems every word as ROUGE-1.5.5 does, to show where the residual difference comes from.
Writes bench/results/scorer.json.

    python bench/bench_scorer.py
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data"
sys.path.insert(0, str(ROOT))

from newsfuse.evaluation.datasets import read_evaluation_clusters, read_meta, read_peers  # noqa: E402
from newsfuse.evaluation.official import (  # noqa: E402
    Comparison, jackknife_nist, line_differences, read_averages, read_evals, read_multiling,
)
from newsfuse.evaluation.rouge import METRICS, Rouge, mean_score  # noqa: E402

DUC = {"duc2006": 250, "duc2007_update": 100}
OFFICIAL_FILES = {"rouge2": "rouge2.jk.m.avg", "rougeSU4": "rougeSU4.jk.m.avg"}


def reproduce_duc(name: str, words: int, stemming_variants=("short-kept", "all")) -> dict:
    clusters_path = str(DATA / "mds" / f"{name}.jsonl")
    clusters = read_evaluation_clusters(clusters_path, query_field="none")
    assessors = {cid: record["summary_assessors"] for cid, record in read_meta(clusters_path).items()}
    peers = read_peers(str(DATA / "peers" / f"{name}.peers.jsonl"))
    official_dir = DATA / "peers" / "official" / name
    official_lines = read_evals(official_dir / "rougejk.m.out")
    result = {"words": words, "clusters": len(clusters), "stemming": {}}
    for stemming in stemming_variants:
        averages, lines = jackknife_nist(clusters, assessors, peers, words, stemming=stemming)
        block = {"metrics": {}, "per_line": line_differences(lines, official_lines)}
        for metric, file in OFFICIAL_FILES.items():
            official = read_averages(official_dir / file)
            comparison = Comparison(metric, {s: a[metric] for s, a in averages.items()}, official)
            participants = Comparison(metric, {s: v for s, v in comparison.ours.items() if s.isdigit()},
                                      {s: v for s, v in official.items() if s.isdigit()})
            system, difference = comparison.largest
            block["metrics"][metric] = {
                "systems": len(comparison.systems),
                "largest_difference": {"system": system, "difference": round(difference, 5)},
                "mean_abs_difference": round(statistics.fmean(abs(d) for d in comparison.differences.values()), 5),
                "mean_difference": round(statistics.fmean(comparison.differences.values()), 5),
                "correlation_all": _rounded(comparison.correlation()),
                "correlation_participants": _rounded(participants.correlation()),
                "best_participant": _best(participants),
                "per_system": {s: {"ours": round(comparison.ours[s], 5), "official": comparison.official[s],
                                   "difference": round(comparison.differences[s], 5)} for s in comparison.systems},
            }
        result["stemming"][stemming] = block
    return result


def _best(comparison: Comparison) -> dict:
    ours = max(comparison.systems, key=comparison.ours.get)
    theirs = max(comparison.systems, key=comparison.official.get)
    return {"ours": [ours, round(comparison.ours[ours], 5)], "official": [theirs, comparison.official[theirs]]}


def _rounded(values: dict) -> dict:
    return {k: round(v, 4) for k, v in values.items()}


def reproduce_multiling(words: int = 250) -> dict:
    """MultiLing 2011 English: 10 topics, 3 references. Its official ROUGE ran without stemming
    (the task is multilingual); shown also with rouge-score's stemming, as `newsfuse evaluate` scores."""
    path = str(DATA / "mds" / "multiling2011.jsonl")
    clusters = [c for c in read_evaluation_clusters(path, query_field="none") if c.id.endswith("-english")]
    peers = read_peers(str(DATA / "peers" / "multiling2011.peers.jsonl"))
    official = read_multiling(DATA / "peers" / "official" / "multiling2011")
    result = {"words": words, "clusters": len(clusters), "averaging": {}}
    for stemming, averaging in (("none", "pooled"), ("none", "jackknife"), ("none", "mean"), ("short-kept", "mean")):
        rouge = Rouge(words, stemming=stemming)
        score = {"mean": rouge.score, "pooled": rouge.pooled, "jackknife": rouge.jackknife}[averaging]
        ours: dict[str, dict[str, float]] = {}
        for system, outputs in peers.items():
            per_cluster = [score(outputs[c.id], c.summaries) for c in clusters if c.id in outputs]
            if per_cluster:
                ours[system] = {m: mean_score([s[m] for s in per_cluster]).recall for m in METRICS}
        block = {}
        for metric, official_scores in official.items():
            comparison = Comparison(metric, {s: v[metric] for s, v in ours.items()},
                                    {s: v.recall for s, v in official_scores.items()})
            system, difference = comparison.largest
            block[metric] = {
                "largest_difference": {"system": system, "difference": round(difference, 5)},
                "mean_abs_difference": round(statistics.fmean(abs(d) for d in comparison.differences.values()), 5),
                "correlation": _rounded(comparison.correlation()),
                "per_system": {s: {"ours": round(comparison.ours[s], 5), "official": comparison.official[s]}
                               for s in comparison.systems},
            }
        result["averaging"][f"{averaging}/{stemming}"] = block
    return result


def print_duc(name: str, result: dict) -> None:
    print(f"\n{name}: {result['clusters']} clusters, {result['words']} words, NIST jackknife, pooled (-f A)")
    main, stem_all = result["stemming"]["short-kept"], result["stemming"].get("all")
    for metric in OFFICIAL_FILES:
        m = main["metrics"][metric]
        print(f"  {metric:<9} system  ours     official  diff     | stem-all diff")
        for system, row in sorted(m["per_system"].items(), key=lambda kv: -kv[1]["official"]):
            other = stem_all["metrics"][metric]["per_system"][system]["difference"] if stem_all else float("nan")
            print(f"  {'':<9} {system:>6}  {row['ours']:.5f}  {row['official']:.5f}  {row['difference']:+.5f} | {other:+.5f}")
        print(f"  {metric}: largest |diff| {m['largest_difference']}, mean |diff| {m['mean_abs_difference']}, "
              f"mean diff {m['mean_difference']:+.5f}; rank correlation all {m['correlation_all']}, "
              f"participants {m['correlation_participants']}")
        if stem_all:
            s = stem_all["metrics"][metric]
            print(f"  {metric}, stemming every word: largest |diff| {s['largest_difference']}, mean |diff| {s['mean_abs_difference']}, "
                  f"rank correlation all {s['correlation_all']}")
    for metric, figures in main["per_line"].items():
        print(f"  per topic line {metric}: {figures}")


def print_multiling(result: dict) -> None:
    print(f"\nMultiLing 2011 English: {result['clusters']} clusters, {result['words']} words, no stemming, pooled (-f A)")
    main = result["averaging"]["pooled/none"]
    print("  system  " + "  ".join(f"{m + ' ours':>13} {'official':>8}" for m in main))
    for system in sorted(main["rouge2"]["per_system"], key=lambda s: int(s[2:])):
        print(f"  {system:<6}  " + "  ".join(f"{b['per_system'][system]['ours']:13.5f} {b['per_system'][system]['official']:8.5f}"
                                          for b in main.values()))
    for variant, block in result["averaging"].items():
        cells = [f"{metric} max|d| {b['largest_difference']['difference']:+.5f} ({b['largest_difference']['system']}) "
                 f"mean|d| {b['mean_abs_difference']:.5f} rho {b['correlation']['spearman']:.3f}" for metric, b in block.items()]
        print(f"  {variant:<22} " + " | ".join(cells))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "scorer.json"))
    args = parser.parse_args()
    start = time.perf_counter()
    results = {name: reproduce_duc(name, words) for name, words in DUC.items()}
    results["multiling2011_english"] = reproduce_multiling()
    for name in DUC:
        print_duc(name, results[name])
    print_multiling(results["multiling2011_english"])
    results["seconds"] = round(time.perf_counter() - start, 1)
    Path(args.out).write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    print(f"\nwrote {args.out} ({results['seconds']} s)")


if __name__ == "__main__":
    main()
