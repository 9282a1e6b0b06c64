"""Foundation benchmark: time `report` on the seeds and `summarize` over TAC 2011 docset A, beside
sumy's LexRank on the same clusters in the same run. Prints both times and the ratio, plus ROUGE
recall of both as a sanity check. Writes bench/results/foundation.json.

    python bench/bench_foundation.py [--words 100] [--limit N]
"""
from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data"
SEEDS = ROOT.parent / "shared" / "seeds"
sys.path.insert(0, str(ROOT))

from newsfuse.baselines import BASELINES  # noqa: E402
from newsfuse.embed import get_embedder  # noqa: E402
from newsfuse.ingest import read_articles, read_clusters  # noqa: E402
from newsfuse.pipeline import Options, build_report, summarize_clusters  # noqa: E402


def rouge_recall(clusters, summaries: dict[str, str], words: int) -> dict[str, float]:
    from rouge_score import rouge_scorer

    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2"], use_stemmer=True)
    cut = lambda text: " ".join(text.split()[:words])  # noqa: E731
    totals = {"rouge1": [], "rouge2": []}
    for cluster in clusters:
        scores = [scorer.score(cut(ref), cut(summaries[cluster.id])) for ref in cluster.summaries]
        for key in totals:
            totals[key].append(statistics.mean(s[key].recall for s in scores))
    return {key: round(statistics.mean(values), 4) for key, values in totals.items()}


def timed(function, repeat: int = 1):
    best = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        elapsed = time.perf_counter() - start
        best = elapsed if best is None else min(best, elapsed)
    return result, best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=100)
    parser.add_argument("--limit", type=int, default=None, help="only the first N clusters (smoke run)")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "foundation.json"))
    args = parser.parse_args()

    _, load_seconds = timed(lambda: get_embedder("static"))
    _, seeds_seconds = timed(lambda: build_report(read_articles([str(SEEDS)])), repeat=3)

    clusters = list(read_clusters(str(DATA / "mds" / "tac2011_guided_A.jsonl")))[: args.limit]
    ours, ours_seconds = timed(lambda: {s.id: " ".join(x.text for x in s.summary) for s in summarize_clusters(clusters, Options.with_words(args.words))})
    # fresh cluster objects for the peer: our pipeline cleans articles in place
    clusters = list(read_clusters(str(DATA / "mds" / "tac2011_guided_A.jsonl")))[: args.limit]
    lexrank, lexrank_seconds = timed(lambda: {c.id: " ".join(BASELINES["lexrank"](c, args.words)) for c in clusters})

    results = {
        "machine": f"{platform.machine()} {platform.python_version()}",
        "model_load_seconds": round(load_seconds, 3),
        "report_seeds_seconds": round(seeds_seconds, 3),
        "clusters": len(clusters),
        "words": args.words,
        "newsfuse_summarize_seconds": round(ours_seconds, 3),
        "lexrank_seconds": round(lexrank_seconds, 3),
        "time_ratio_newsfuse_over_lexrank": round(ours_seconds / lexrank_seconds, 3),
        "rouge_recall": {"newsfuse": rouge_recall(clusters, ours, args.words), "lexrank": rouge_recall(clusters, lexrank, args.words)},
    }
    r = results["rouge_recall"]
    print(f"model load (static embedder)          {load_seconds:8.3f} s")
    print(f"newsfuse report ../shared/seeds        {seeds_seconds:8.3f} s  (best of 3, model loaded)")
    print(f"TAC 2011 A, {len(clusters)} clusters, {args.words} words:")
    print(f"  newsfuse summarize                   {ours_seconds:8.3f} s   R-1 {r['newsfuse']['rouge1']:.4f}  R-2 {r['newsfuse']['rouge2']:.4f}")
    print(f"  sumy LexRank (same clusters)         {lexrank_seconds:8.3f} s   R-1 {r['lexrank']['rouge1']:.4f}  R-2 {r['lexrank']['rouge2']:.4f}")
    print(f"  time ratio newsfuse / LexRank        {results['time_ratio_newsfuse_over_lexrank']:8.3f}")
    print(f"  ROUGE-2 ratio newsfuse / LexRank     {r['newsfuse']['rouge2'] / r['lexrank']['rouge2']:8.3f}")
    Path(args.out).write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
