"""Summary-quality workbench: newsfuse `summarize_clusters` beside sumy's LexRank on one dev set,
ROUGE-2 recall (rouge-score, stemmed, summary and references cut to N words, mean over references).

    python bench/tune_summarizer.py tac|duc2003|duc2006|duc2007 [--opt NAME=VALUE ...] [--grid NAME=V1,V2 ...]
                                    [--limit N] [--lexrank-cache] [--generic]

Query sets (duc2006, duc2007) take each cluster's query from the meta file; duc2007 reads docset
B (C) as an update after A (A and B). `--opt` overrides SummaryOptions fields; `--grid` tries each
value in turn. LexRank runs in the same process on the same clusters unless `--lexrank-cache`
reuses the previous run's LexRank summaries (tuning loops only; final figures without it).
Writes bench/results/tune_<set>.json.
"""
from __future__ import annotations

import argparse
import dataclasses
import itertools
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data" / "mds"
sys.path.insert(0, str(ROOT))

from newsfuse.baselines import BASELINES  # noqa: E402
from newsfuse.embed import get_embedder  # noqa: E402
from newsfuse.evaluation.datasets import read_evaluation_clusters, read_meta  # noqa: E402
from newsfuse.pipeline import Options, summarize_clusters  # noqa: E402
from newsfuse.summarize import SummaryOptions  # noqa: E402

SETS = {  # name: (file, words, query from meta, update after earlier docsets (from meta))
    "tac": ("tac2011_guided_A.jsonl", 100, False, False),
    "duc2003": ("duc2003_task2.jsonl", 100, False, False),
    "duc2006": ("duc2006.jsonl", 250, True, False),
    "duc2007": ("duc2007_update.jsonl", 100, True, True),
}


def load(name: str, limit: int | None = None, generic: bool = False, title: bool = False):
    """The set's clusters with query and seen articles (update docsets) from its meta file;
    `generic`: neither (plain summaries of a query set, to choose generic settings on it)."""
    file, _, query, _ = SETS[name]
    path = str(DATA / file)
    clusters = read_evaluation_clusters(path, "query" if query and not generic else None)
    meta = read_meta(path)
    if generic:
        for cluster in clusters:
            cluster.seen = []
    if title:  # the topic's title before its narrative: the names the narrative may leave out
        for cluster in clusters:
            if cluster.query and meta.get(cluster.id, {}).get("title"):
                cluster.query = f"{meta[cluster.id]['title']}. {cluster.query}"
    return clusters[:limit], meta


def rouge2(clusters, summaries: dict[str, str], words: int) -> dict[str, float]:
    """Mean ROUGE-2 recall per cluster id."""
    from rouge_score import rouge_scorer

    scorer = rouge_scorer.RougeScorer(["rouge2"], use_stemmer=True)
    cut = lambda text: " ".join(text.split()[:words])  # noqa: E731
    return {
        c.id: statistics.mean(scorer.score(cut(ref), cut(summaries[c.id]))["rouge2"].recall for ref in c.summaries)
        for c in clusters
    }


def parse_value(text: str):
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return {"true": True, "false": False, "none": None}.get(text.lower(), text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("set", choices=sorted(SETS))
    parser.add_argument("--opt", action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument("--grid", action="append", default=[], metavar="NAME=V1,V2")
    parser.add_argument("--limit", type=int)
    parser.add_argument("--lexrank-cache", action="store_true")
    parser.add_argument("--query-title", action="store_true", help="query = the meta title, then the query")
    parser.add_argument("--generic", action="store_true", help="no query, nothing read (generic settings on a query set)")
    args = parser.parse_args()

    words = SETS[args.set][1]
    base = {k: parse_value(v) for k, v in (o.split("=", 1) for o in args.opt)}
    grid = [[(k, parse_value(v)) for v in vs.split(",")] for k, vs in (g.split("=", 1) for g in args.grid)]
    get_embedder("static")

    cache = ROOT / "bench" / "results" / f"lexrank_{args.set}.json"
    clusters, meta = load(args.set, args.limit, args.generic, args.query_title)
    if args.lexrank_cache and cache.exists():
        lexrank, lexrank_seconds = json.loads(cache.read_text()), None
    else:
        start = time.perf_counter()
        lexrank = {c.id: " ".join(BASELINES["lexrank"](c, words)) for c in clusters}
        lexrank_seconds = time.perf_counter() - start
        if args.limit is None:
            cache.write_text(json.dumps(lexrank))
    lex = rouge2(clusters, lexrank, words)
    lex_mean = statistics.mean(lex.values())
    docset = lambda cid: meta.get(cid, {}).get("docset", "all")  # noqa: E731

    runs = []
    for combo in itertools.product(*grid) if grid else [()]:
        overrides = {**base, **dict(combo)}
        options = Options(summary=dataclasses.replace(SummaryOptions(words=words), **overrides))
        fresh, _ = load(args.set, args.limit, args.generic, args.query_title)
        start = time.perf_counter()
        ours = {s.id: " ".join(x.text for x in s.summary) for s in summarize_clusters(fresh, options)}
        seconds = time.perf_counter() - start
        score = rouge2(clusters, ours, words)
        mean = statistics.mean(score.values())
        parts = {}
        for d in sorted({docset(c) for c in score}):
            ids = [c for c in score if docset(c) == d]
            parts[d] = (round(statistics.mean(score[c] for c in ids), 4), round(statistics.mean(lex[c] for c in ids), 4))
        runs.append({"overrides": overrides, "rouge2": round(mean, 4), "lexrank_rouge2": round(lex_mean, 4),
                     "ratio": round(mean / lex_mean, 3), "by_docset": parts, "seconds": round(seconds, 2),
                     "lexrank_seconds": None if lexrank_seconds is None else round(lexrank_seconds, 2)})
        extra = "" if len(parts) == 1 else "  " + "  ".join(f"{d}: {o:.4f}/{l:.4f}" for d, (o, l) in parts.items())
        print(f"{json.dumps(overrides):60s} R-2 {mean:.4f}  LexRank {lex_mean:.4f}  x{mean / lex_mean:.3f}  {seconds:6.1f}s{extra}", flush=True)
    if lexrank_seconds is not None:
        print(f"LexRank time {lexrank_seconds:.1f}s over {len(clusters)} clusters")
    (ROOT / "bench" / "results" / f"tune_{args.set}{'_generic' if args.generic else ''}.json").write_text(json.dumps(runs, indent=2) + "\n")


if __name__ == "__main__":
    main()
