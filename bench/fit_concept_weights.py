"""Fit the learned concept weights (newsfuse/concept_weights.py) and write newsfuse/concept_coefficients.py.

    python bench/fit_concept_weights.py [--check]

Label of a word pair = the share of a cluster's reference summaries that use it (same stemmed
pairs as the summarizer); features from the cluster's articles only. Fit sets, never reported on:
- generic: DUC 2006 (50 clusters) + DUC 2007 update (all 30 docsets), no query, nothing read;
  reported on TAC 2011 A and DUC 2003.
- query: DUC 2007 docsets A with their queries; reported on DUC 2006 (its query runs use this model).
- update: DUC 2007 docsets B, the reader having read A; reported on C (and all).
Only the update model is on by default (`SummaryOptions.update_concept_model`): chosen on B's
out-of-sample figure, from a model fitted on C (`--update-docsets C`, not shipped). The generic and
query models stay options (`concept_model="learned"`): they lost on the sets they are reported on.
`--check` prints each model's fit-set log loss and coefficients, writes nothing.
"""
from __future__ import annotations

import argparse
import functools
import pprint
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from newsfuse.align import THRESHOLDS  # noqa: E402
from newsfuse.concept_weights import concept_features, feature_names, fit_logistic, predict  # noqa: E402
from newsfuse.embed import get_embedder  # noqa: E402
from newsfuse.pipeline import Options, prepare  # noqa: E402
from newsfuse.stories import make_story  # noqa: E402
from newsfuse.summarize import Focus, SummaryOptions, _query_relevance  # noqa: E402
from newsfuse.terms import bigrams  # noqa: E402
from tune_summarizer import load  # noqa: E402

MIN_SHARE = SummaryOptions().learned_min_share
OUT = ROOT / "newsfuse" / "concept_coefficients.py"
MODELS = {  # name: ((set, docsets or None for all), ...), uses the query, uses the read articles
    "generic": ((("duc2006", None), ("duc2007", None)), False, False),
    "query": ((("duc2007", {"A"}),), True, False),
    "update": ((("duc2007", {"B"}),), True, True),
}


@functools.lru_cache(maxsize=None)
def records(name: str, query: bool, update: bool) -> tuple[dict, ...]:
    """Per cluster of the set: its docset, word pairs, feature rows and reference shares."""
    options = Options()
    clusters, meta = load(name)
    embedder = get_embedder(options.embedder)
    out = []
    for cluster in clusters:
        story = make_story(prepare(cluster.articles, options), story_id=cluster.id)
        seen = []
        if update:
            unprepared = [a for a in cluster.seen if not a.sentences]
            if unprepared:
                prepare(unprepared, options)
            seen = [a for a in cluster.seen if a.sentences]
        focus = Focus(query=cluster.query if query else None, seen=seen, thresholds=THRESHOLDS[options.embedder],
                      query_vector=embedder.encode([cluster.query])[0] if query and cluster.query else None)
        pairs = {id(s): bigrams(s.text) for s in story.sentences}
        keys, x = concept_features(story, pairs, _query_relevance(story, focus), focus.query, seen, update)
        n = len(story.articles)
        least = max(1, round(MIN_SHARE * n)) if n >= 3 else 1
        kept = x[:, 0] * n >= least - 1e-9  # with --weighed-pairs, only those the summarizer weighs
        keys, x = [k for k, keep in zip(keys, kept) if keep], x[kept]
        references = [bigrams(text) for text in cluster.summaries]
        out.append({"id": cluster.id, "docset": meta.get(cluster.id, {}).get("docset"), "keys": keys, "x": x,
                    "shares": np.array([sum(k in r for r in references) / len(references) for k in keys])})
    return tuple(out)


def select(name: str, docsets: set[str] | None, query: bool, update: bool) -> list[dict]:
    return [r for r in records(name, query, update) if docsets is None or r["docset"] in docsets]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true")
    parser.add_argument("--l2", type=float, default=1.0)
    parser.add_argument("--generic-sets", default="duc2006,duc2007", help="the sets the generic model is fitted on")
    parser.add_argument("--update-docsets", default="B", help="DUC 2007 docsets the update model is fitted on")
    parser.add_argument("--only", help="refit only this model (the others stay as shipped)")
    parser.add_argument("--weighed-pairs", action="store_true",
                        help="fit only on the pairs the summarizer weighs (learned_min_share); default every pair")
    args = parser.parse_args()
    global MIN_SHARE
    MIN_SHARE = MIN_SHARE if args.weighed_pairs else 0.0
    MODELS["generic"] = (tuple((name, None) for name in args.generic_sets.split(",")), False, False)
    MODELS["update"] = ((("duc2007", set(args.update_docsets.split(","))),), True, True)
    models = {}
    if args.only:  # refit one model, keep the others as shipped
        from newsfuse.concept_coefficients import MODELS as shipped

        models = dict(shipped)
    for model, (sources, query, update) in MODELS.items():
        if args.only and model != args.only:
            continue
        chosen = [r for name, docsets in sources for r in select(name, docsets, query, update)]
        x = np.vstack([r["x"] for r in chosen])
        y = np.concatenate([r["shares"] for r in chosen])
        # each pair twice: used (weight = share of references using it) and not used (1 - share)
        fitted = fit_logistic(np.vstack([x, x]), np.concatenate([np.ones(len(y)), np.zeros(len(y))]),
                              np.concatenate([y, 1 - y]), l2=args.l2)
        p = np.clip(predict(fitted, x), 1e-9, 1 - 1e-9)
        loss = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
        names = feature_names(query, update)
        print(f"{model}: {len(y)} pairs, {np.mean(y > 0):.3f} in a reference, log loss {loss:.4f}")
        for n, c in sorted(zip(names, fitted["coef"]), key=lambda t: -abs(t[1])):
            print(f"  {n:16s} {c:+.3f}")
        models[model] = {"features": list(names), **{k: _round(v) for k, v in fitted.items()},
                         "fit_on": " + ".join(f"{n}{'' if d is None else ' docset ' + ','.join(sorted(d))}" for n, d in sources)}
    if not args.check:
        OUT.write_text(
            '"""Concept-weight model coefficients, written by bench/fit_concept_weights.py (do not edit by hand).\n\n'
            "Fitted on other sets than those reported: see each model's `fit_on`.\n\"\"\"\n"
            f"MODELS = {pprint.pformat(models, sort_dicts=False, width=120)}\n"
        )
        print(f"wrote {OUT}")


def _round(value):
    return [round(v, 6) for v in value] if isinstance(value, list) else round(value, 6)


if __name__ == "__main__":
    main()
