"""Summary-quality workbench: newsfuse `summarize_clusters` beside sumy's LexRank on one dev set,
ROUGE-2 recall (rouge-score, stemmed, summary and references cut to N words, mean over references).

    python bench/tune_summarizer.py tac|duc2003|duc2006|duc2007 [--opt NAME=VALUE ...] [--grid NAME=V1,V2 ...]
                                    [--limit N] [--lexrank-cache] [--generic] [--title] [--docset X]

Query sets (duc2006, duc2007) take each cluster's query from the meta file; duc2007 reads docset
B (C) as an update after A (A and B). `--opt` overrides SummaryOptions fields; `--grid` tries each
value in turn. LexRank runs in the same process on the same clusters unless `--lexrank-cache`
reuses the previous run's LexRank summaries (tuning loops only; final figures without it).
`--title`: each cluster's query is its meta `title` only (TAC's topic titles; DUC's, without the
narrative) and nothing counts as read: generic summaries steered by the topic's name, as TAC
guided summarization gives it. `--docset A` keeps one docset letter (DUC 2007 A: not update).
Articles are prepared once; each grid point only re-runs the summarizer.
Writes bench/results/tune_<set>[_generic|_title].json.
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
from newsfuse import pipeline  # noqa: E402
from newsfuse.pipeline import Options, summarize_clusters  # noqa: E402
from newsfuse.summarize import SummaryOptions, summarize_story  # noqa: E402

SETS = {  # name: (file, words, query from meta, update after earlier docsets (from meta))
    "tac": ("tac2011_guided_A.jsonl", 100, False, False),
    "duc2003": ("duc2003_task2.jsonl", 100, False, False),
    "duc2006": ("duc2006.jsonl", 250, True, False),
    "duc2007": ("duc2007_update.jsonl", 100, True, True),
}

def load(name: str, limit: int | None = None, generic: bool = False, title: bool = False,
         title_only: bool = False, docset: str | None = None):
    """The set's clusters with query and seen articles (update docsets) from its meta file;
    `generic`: neither (plain summaries of a query set, to choose generic settings on it);
    `title_only`: the query is the meta title alone, nothing read."""
    file, _, query, _ = SETS[name]
    path = str(DATA / file)
    if title_only:
        clusters = read_evaluation_clusters(path, "title")
        generic = True
    else:
        clusters = read_evaluation_clusters(path, "query" if query and not generic else None)
    meta = read_meta(path)
    if docset:
        clusters = [c for c in clusters if meta.get(c.id, {}).get("docset") == docset]
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
    parser.add_argument("--title", action="store_true", help="query = the meta title only, nothing read")
    parser.add_argument("--docset", help="only this docset letter (DUC 2007: A, B or C)")
    args = parser.parse_args()

    words = SETS[args.set][1]
    base = {k: parse_value(v) for k, v in (o.split("=", 1) for o in args.opt)}
    grid = [[(k, parse_value(v)) for v in vs.split(",")] for k, vs in (g.split("=", 1) for g in args.grid)]
    get_embedder("static")

    cache = ROOT / "bench" / "results" / f"lexrank_{args.set}.json"
    clusters, meta = load(args.set, args.limit, args.generic, args.query_title, args.title, args.docset)
    cached = json.loads(cache.read_text()) if args.lexrank_cache and cache.exists() else {}
    if all(c.id in cached for c in clusters):
        lexrank, lexrank_seconds = {c.id: cached[c.id] for c in clusters}, None
    else:
        start = time.perf_counter()
        lexrank = {c.id: " ".join(BASELINES["lexrank"](c, words)) for c in clusters}
        lexrank_seconds = time.perf_counter() - start
        if args.limit is None and args.docset is None:
            cache.write_text(json.dumps(lexrank))
    lex = rouge2(clusters, lexrank, words)
    lex_mean = statistics.mean(lex.values())
    docset = lambda cid: meta.get(cid, {}).get("docset", "all")  # noqa: E731

    fresh, _ = load(args.set, args.limit, args.generic, args.query_title, args.title, args.docset)
    start = time.perf_counter()
    prepared = prepared_stories(fresh, Options())
    prepare_seconds = time.perf_counter() - start
    runs = []
    for combo in itertools.product(*grid) if grid else [()]:
        overrides = {**base, **dict(combo)}
        summary_options = dataclasses.replace(SummaryOptions(words=words), **overrides)
        start = time.perf_counter()
        ours = {story.id: " ".join(x.text for x in summarize_story(story, summary_options, focus)) for story, focus in prepared}
        seconds = time.perf_counter() - start + prepare_seconds
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
    kind = "_title" if args.title else "_generic" if args.generic else ""
    (ROOT / "bench" / "results" / f"tune_{args.set}{kind}.json").write_text(json.dumps(runs, indent=2) + "\n")


def prepared_stories(clusters, options: Options):
    """Each cluster prepared once, as `summarize_clusters` prepares it: (story, focus) pairs whose
    summary `summarize_story(story, summary_options, focus)` is the pipeline's for those options."""
    captured = []
    original = pipeline.summarize_story
    pipeline.summarize_story = lambda story, _options, focus: captured.append((story, focus)) or []
    try:
        for _ in summarize_clusters(clusters, options):
            pass
    finally:
        pipeline.summarize_story = original
    return captured


if __name__ == "__main__":
    main()
