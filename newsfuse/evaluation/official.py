"""The official shared-task scores, and reproducing them with our scorer.

- DUC 2006 / DUC 2007 update (NIST, ROUGE-1.5.5 `-n 4 -w 1.2 -m -2 4 -u -c 95 -r 1000 -f A -p 0.5
  -t 0 -l N`): `rouge2.jk.m.avg` / `rougeSU4.jk.m.avg` hold each peer's average (`SYSTEM R (95%-conf.int. …)`),
  `rougejk.m.out` one line per peer, metric, topic and left-out reference:
  `24 ROUGE-2 Eval D0601.M.250.A-B.24 R:0.1 P:0.1 F:0.1` (topic D0601, reference B left out).
  A system's average is the mean of those lines: for each topic the mean of the pooled (`-f A`)
  scores against every 3 of the 4 references; a human peer only against the 3 others.
- MultiLing 2011: `ENGLISH_ROUGE-2.csv` rows `ID3_ROUGE-2,recall,precision,f-score`.
"""
from __future__ import annotations

import csv
import re
import statistics
from dataclasses import dataclass
from pathlib import Path

from ..model import Cluster, NewsfuseError
from .rouge import Rouge, Score, mean_score

OFFICIAL_METRICS = {"ROUGE-2": "rouge2", "ROUGE-SU4": "rougeSU4", "ROUGE-1": "rouge1"}
AVERAGE_LINE = re.compile(r"^(\S+)\s+([0-9.]+)\s+\(95%-conf\.int\.")
EVAL_LINE = re.compile(r"^(\S+) (ROUGE-\S+) Eval (\S+?)\.M\.\d+\.\w+-(\w+)\.\S+ R:([0-9.]+) P:([0-9.]+) F:([0-9.]+)")
CLUSTER_TOPIC = re.compile(r"^(D\d{4})[A-Z]?(?:-([A-Z]))?$")


def topic_key(cluster_id: str) -> str:
    """Our cluster id in the official files' spelling: D0601A -> D0601, D0703A-B -> D0703-B."""
    match = CLUSTER_TOPIC.match(cluster_id)
    if not match:
        raise NewsfuseError(f"cluster id {cluster_id!r} is not a DUC topic id")
    return match[1] + (f"-{match[2]}" if match[2] else "")


def read_averages(path: Path) -> dict[str, float]:
    """`rouge2.jk.m.avg`: system -> official jackknifed average recall."""
    averages = {}
    for line in _lines(path):
        match = AVERAGE_LINE.match(line)
        if match:
            averages[match[1]] = float(match[2])
    if not averages:
        raise NewsfuseError(f"{path}: no 'SYSTEM SCORE (95%-conf.int. …)' lines")
    return averages


def read_evals(path: Path, metrics=("ROUGE-2", "ROUGE-SU4")) -> dict[tuple[str, str, str, str], Score]:
    """`rougejk.m.out`: (system, metric, topic, left-out reference) -> official recall, precision and F."""
    evals = {}
    for line in _lines(path):
        match = EVAL_LINE.match(line)
        if match and match[2] in metrics:
            evals[(match[1], match[2], match[3], match[4])] = Score(float(match[5]), float(match[6]), float(match[7]))
    if not evals:
        raise NewsfuseError(f"{path}: no 'SYSTEM ROUGE-N Eval TOPIC… R:… P:… F:…' lines")
    return evals


def read_multiling(directory: Path, language: str = "ENGLISH") -> dict[str, dict[str, Score]]:
    """`ENGLISH_ROUGE-2.csv` and friends: metric -> system -> official average recall and precision."""
    found: dict[str, dict[str, Score]] = {}
    for official, metric in OFFICIAL_METRICS.items():
        path = directory / f"{language}_{official}.csv"
        if not path.is_file():
            continue
        with path.open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                system = row["runid"].removesuffix(f"_{official}")
                found.setdefault(metric, {})[system] = Score(float(row["recall"]), float(row["precision"]), float(row["f-score"]))
    if not found:
        raise NewsfuseError(f"{directory}: no {language}_ROUGE-*.csv files")
    return found


def _lines(path: Path) -> list[str]:
    if not path.is_file():
        raise NewsfuseError(f"{path}: no such file")
    return path.read_text(encoding="utf-8").splitlines()


@dataclass
class Comparison:
    """Ours beside the official figure, per system, for one metric."""

    metric: str
    ours: dict[str, float]
    official: dict[str, float]

    @property
    def systems(self) -> list[str]:
        return [s for s in self.official if s in self.ours]

    @property
    def differences(self) -> dict[str, float]:
        return {s: self.ours[s] - self.official[s] for s in self.systems}

    @property
    def largest(self) -> tuple[str, float]:
        system = max(self.systems, key=lambda s: abs(self.differences[s]))
        return system, self.differences[system]

    def correlation(self) -> dict[str, float]:
        from scipy.stats import kendalltau, spearmanr

        ours = [self.ours[s] for s in self.systems]
        official = [self.official[s] for s in self.systems]
        return {"spearman": float(spearmanr(ours, official)[0]), "kendall": float(kendalltau(ours, official)[0])}


def jackknife_nist(
    clusters: list[Cluster],
    assessors: dict[str, list[str]],
    peers: dict[str, dict[str, str]],
    words: int,
    stemming: str = "short-kept",
) -> tuple[dict[str, dict[str, float]], dict[tuple[str, str, str, str], Score]]:
    """Every peer's jackknifed average recall per metric, and each (system, metric, topic, left-out) score.

    `assessors[cluster id]` names the references in order (the meta file's `summary_assessors`);
    a peer named like an assessor is that human, scored only without their own reference.
    """
    rouge = Rouge(words, stemming=stemming)
    averages: dict[str, dict[str, float]] = {}
    lines: dict[tuple[str, str, str, str], Score] = {}
    for system, outputs in peers.items():
        per_line: dict[str, list[Score]] = {"rouge2": [], "rougeSU4": []}
        for cluster in clusters:
            if cluster.id not in outputs:
                continue
            names = assessors[cluster.id]
            left_out = [system] if system in names else names
            for out in left_out:
                kept = [ref for name, ref in zip(names, cluster.summaries) if name != out]
                scores = rouge.pooled(outputs[cluster.id], kept)
                for official, metric in (("ROUGE-2", "rouge2"), ("ROUGE-SU4", "rougeSU4")):
                    per_line[metric].append(scores[metric])
                    lines[(system, official, topic_key(cluster.id), out)] = scores[metric]
        if per_line["rouge2"]:
            averages[system] = {m: mean_score(v).recall for m, v in per_line.items()}
    return averages, lines


def line_differences(ours: dict, official: dict) -> dict[str, float]:
    """Per-line (system, topic, left-out) recall differences: mean and largest absolute, per metric."""
    out = {}
    for metric in ("ROUGE-2", "ROUGE-SU4"):
        diffs = [ours[k].recall - official[k].recall for k in official if k[1] == metric and k in ours]
        if diffs:
            out[metric] = {
                "lines": len(diffs),
                "mean_difference": round(statistics.fmean(diffs), 5),
                "largest_abs_difference": round(max(map(abs, diffs)), 5),
                "share_within_0.005": round(sum(abs(d) <= 0.005 for d in diffs) / len(diffs), 4),
            }
    return out
