"""Cross-source analysis against AllSides editors: what newsfuse's report shows for 20 roundups
(left, centre and right outlets' leads of one story) beside the editors' `coverage_comparison`.

The editors write prose, so it is coded by fixed rules (below, applied to the text as given):
- *similar*: the editors say the sides covered it alike ("across the spectrum", "similar",
  "all sides", "balanced") and single out no side's emphasis.
- *emphasis*: a clause naming a side ("right-rated outlets highlighted criticism of Harris");
  its content words (minus the editors' own vocabulary: outlets, coverage, focused, ...) are
  what that side is said to stress. Only the words that not every side's article uses are
  kept (words all sides use cannot show a difference); an emphasis left with none is not scored.
- *dispute*: the editors report a factual disagreement (disputed, contradicted, denied,
  conflicting or different figures/accounts).

Then, per roundup, what the report shows: consensus claims (two or more independent outlets),
single-source claims per side, conflicts. Figures: how often "similar" roundups have a
consensus claim against the others; for each editors' emphasis, whether the emphasised words
appear in the claims only that side states (hit), against the same words in the other sides'
single-source claims (the baseline of the same run: are they simply everywhere?), as any word
and as the share of the emphasised words; disputes against conflicts found. Prints a table and writes bench/results/allsides_compare.json.

    python bench/allsides_compare.py [--sample 20] [--seed 2021]
"""
from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data" / "mds"
sys.path.insert(0, str(ROOT))

from newsfuse.ingest import read_clusters  # noqa: E402
from newsfuse.pipeline import Options, build_report  # noqa: E402
from newsfuse.terms import STOP_WORDS, content_terms  # noqa: E402

SIDES = ("left", "center", "right")
SIDE_MENTION = re.compile(r"\b(left|center|centre|right)(?:-rated|-leaning|\s+outlets|\s+sources|\s+media)?\b", re.I)
SIMILAR = re.compile(r"across the (?:political |media )?spectrum|all sides|similar(?:ly)?|balanced|consistent|alike|uniform", re.I)
DISPUTE = re.compile(r"disput|contradict|conflicting|denied|deny|different (?:figures|numbers|accounts|tallies)", re.I)
CLAUSE_BREAK = re.compile(r"[.;]|\bwhile\b|\bwhereas\b|\bbut\b|\bhowever\b", re.I)
EDITOR_WORDS = set(content_terms(
    "outlets outlet coverage covered covering cover tended tend focus focused focusing highlighted highlight highlighting "
    "emphasized emphasised emphasizing emphasis frame framed framing mention mentioned mentioning noted noting note "
    "reported reporting report rated left right center centre leaning media sources source spectrum story stories some "
    "many others also often more less political voices detail details including include included side sides "
    "prominently prominent while whereas though story's"))


def code_comparison(text: str) -> dict:
    """The editors' prose coded by the rules in the module docstring."""
    emphases = []
    for clause in CLAUSE_BREAK.split(text):
        sides = {("center" if m.group(1).lower() == "centre" else m.group(1).lower()) for m in SIDE_MENTION.finditer(clause)}
        words = {t for t in content_terms(SIDE_MENTION.sub(" ", clause)) if t not in EDITOR_WORDS and t not in STOP_WORDS}
        if sides and words and len(sides) < 3:
            emphases.extend({"side": side, "words": sorted(words)} for side in sorted(sides))
    return {"similar": bool(SIMILAR.search(text)) and not emphases, "emphases": emphases, "dispute": bool(DISPUTE.search(text))}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=int, default=20)
    parser.add_argument("--seed", type=int, default=2021)
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "allsides_compare.json"))
    args = parser.parse_args(argv)

    meta = {m["id"]: m for m in map(json.loads, (DATA / "allsides_roundups_2021.meta.jsonl").read_text(encoding="utf-8").splitlines())}
    clusters = {c.id: c for c in read_clusters(str(DATA / "allsides_roundups_2021.jsonl"))}
    chosen = random.Random(args.seed).sample(sorted(clusters), args.sample)
    rows = []
    started = time.perf_counter()
    for cluster_id in chosen:
        cluster, info = clusters[cluster_id], meta[cluster_id]
        stance = {d["id"]: d["stance"] for d in info["documents"]}
        for article in cluster.articles:
            article.source = next(d["outlet"] for d in info["documents"] if d["id"] == article.id)
        [story] = build_report(cluster.articles, Options()).stories
        analysis = story.analysis
        unique_text = {side: " ".join(c.text for c in analysis.single_source if len(c.sources) == 1 and stance.get(c.sources[0]) == side)
                       for side in SIDES}
        unique_terms = {side: set(content_terms(text)) for side, text in unique_text.items()}
        article_terms = {side: set(content_terms(" ".join(a.text for a in story.articles if stance.get(a.id) == side))) for side in SIDES}
        editors = code_comparison(" ".join(info["coverage_comparison"]))
        present = [s for s in SIDES if stance_present(stance, s)]
        everywhere = set.intersection(*(article_terms[s] for s in present)) if present else set()
        for emphasis in editors["emphases"]:
            # only the emphasised words that not every side's article uses can tell the sides apart
            words = set(emphasis["words"]) - everywhere
            emphasis["distinctive"] = sorted(words)
            side = emphasis["side"]
            emphasis["hit"] = bool(words & unique_terms[side])
            emphasis["in_article"] = bool(words & article_terms[side])
            others = [s for s in SIDES if s != side and stance_present(stance, s)]
            emphasis["hit_other_sides"] = sum(bool(words & unique_terms[s]) for s in others) / len(others) if others else 0.0
            # how much of the emphasis the side's own claims carry, against the other sides' claims
            emphasis["covered"] = round(len(words & unique_terms[side]) / len(words), 3) if words else 0.0
            emphasis["covered_other_sides"] = round(sum(len(words & unique_terms[s]) for s in others) / len(others) / len(words), 3) if others and words else 0.0
        rows.append({
            "id": cluster_id, "title": info["issue_title"], "comparison": info["coverage_comparison"], "editors": editors,
            "articles": len(story.articles), "claims": len(analysis.claims), "consensus": len(analysis.consensus),
            "consensus_claims": [c.text for c in analysis.consensus],
            "single_source": {side: sum(1 for c in analysis.single_source if len(c.sources) == 1 and stance.get(c.sources[0]) == side) for side in SIDES},
            "conflicts": [{"kind": c.kind, "subject": c.subject, "sides": [[s.value, s.sources] for s in c.sides]} for c in analysis.conflicts],
            "roles": {a.id: a.role for a in story.articles},
        })
    seconds = time.perf_counter() - started
    summary = summarize(rows, seconds)
    print_table(rows, summary)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps({"summary": summary, "roundups": rows}, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\nwrote {args.out}")
    return 0


def stance_present(stance: dict, side: str) -> bool:
    return side in stance.values()


def summarize(rows: list[dict], seconds: float) -> dict:
    similar = [r for r in rows if r["editors"]["similar"]]
    other = [r for r in rows if not r["editors"]["similar"]]
    emphases = [e for r in rows for e in r["editors"]["emphases"] if e["distinctive"]]
    disputes = [r for r in rows if r["editors"]["dispute"]]
    share = lambda items, test: round(sum(map(test, items)) / len(items), 3) if items else None  # noqa: E731
    return {
        "roundups": len(rows),
        "seconds": round(seconds, 1),
        "claims_mean": round(sum(r["claims"] for r in rows) / len(rows), 1),
        "roundups_with_consensus": sum(r["consensus"] > 0 for r in rows),
        "consensus_claims": sum(r["consensus"] for r in rows),
        "editors_similar": len(similar),
        "consensus_rate_when_editors_say_similar": share(similar, lambda r: r["consensus"] > 0),
        "consensus_rate_otherwise": share(other, lambda r: r["consensus"] > 0),
        "editor_emphases": sum(len(r["editors"]["emphases"]) for r in rows),
        "editor_emphases_with_distinctive_words": len(emphases),
        "emphasis_in_that_sides_single_source_claims": share(emphases, lambda e: e["hit"]),
        "emphasis_in_other_sides_single_source_claims": round(sum(e["hit_other_sides"] for e in emphases) / len(emphases), 3) if emphases else None,
        "emphasis_in_that_sides_article_text": share(emphases, lambda e: e["in_article"]),
        "emphasis_words_covered_by_that_sides_single_source_claims": round(sum(e["covered"] for e in emphases) / len(emphases), 3) if emphases else None,
        "emphasis_words_covered_by_other_sides_single_source_claims": round(sum(e["covered_other_sides"] for e in emphases) / len(emphases), 3) if emphases else None,
        "editors_report_dispute": len(disputes),
        "conflicts_found": sum(len(r["conflicts"]) for r in rows),
        "roundups_with_conflict": sum(bool(r["conflicts"]) for r in rows),
        "disputed_roundups_with_conflict": sum(bool(r["conflicts"]) for r in disputes),
        "non_core_roles": sum(role != "core" for r in rows for role in r["roles"].values()),
    }


def print_table(rows: list[dict], summary: dict) -> None:
    print(f"{'roundup':<15} {'claims':>6} {'cons':>4} {'L/C/R single':>12} {'confl':>5}  editors")
    for r in rows:
        single = "/".join(str(r["single_source"][s]) for s in SIDES)
        emph = ", ".join(f"{e['side']}:{'hit' if e['hit'] else 'miss'}" for e in r["editors"]["emphases"] if e["distinctive"]) or "-"
        label = "similar" if r["editors"]["similar"] else "differs"
        print(f"{r['id']:<15} {r['claims']:>6} {r['consensus']:>4} {single:>12} {len(r['conflicts']):>5}  {label}"
              + (" dispute" if r["editors"]["dispute"] else "") + f"; {emph}")
    print()
    for key, value in summary.items():
        print(f"{key}: {value}")


if __name__ == "__main__":
    raise SystemExit(main())
