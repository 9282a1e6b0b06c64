"""Run newsfuse and the baselines over the same clusters in one process, score them, tabulate.

Every system gets its own copy of each cluster's raw articles (the pipeline cleans articles in
place), and is timed per cluster after one untimed warm-up run, so model loading is not counted.
Update clusters share their `seen` articles (earlier docsets), so newsfuse prepares them once, as
a reader's already-read articles would have been processed when they were read.
Peers' official outputs (--peers) are scored the same way, without times. A human peer whose
summary is one of the references is scored against the other references only, as NIST did.
"""
from __future__ import annotations

import copy
import statistics
import sys
import time
from dataclasses import dataclass, field
from typing import Callable, Sequence

import numpy as np

from ..model import Cluster, NewsfuseError, Story
from .rouge import METRICS, Rouge, Score, mean_score

SYSTEMS = ("newsfuse", "lead", "lexrank", "textrank", "lsa")
REFERENCE_SYSTEM = "lexrank"  # time and ROUGE-2 ratios are given against it


@dataclass(frozen=True)
class EvaluationOptions:
    words: int
    systems: tuple[str, ...] = SYSTEMS
    embedder: str = "static"


@dataclass
class SystemRun:
    """One system's summaries of the clusters, with what was measured on them."""

    name: str
    kind: str  # "newsfuse" | "baseline" | "peer"
    summaries: dict[str, list[str]] = field(default_factory=dict)  # cluster id -> sentences
    seconds: dict[str, float] = field(default_factory=dict)  # cluster id -> seconds (not for peers)
    cited: list[bool] = field(default_factory=list)  # newsfuse: one entry per summary sentence
    scores: dict[str, dict[str, Score]] = field(default_factory=dict)  # cluster id -> metric -> score
    redundancy: dict[str, float] = field(default_factory=dict)  # cluster id -> highest sentence-pair cosine

    def mean(self, metric: str) -> Score:
        return mean_score([s[metric] for s in self.scores.values()])

    @property
    def total_seconds(self) -> float | None:
        return sum(self.seconds.values()) if self.seconds else None


@dataclass
class Evaluation:
    source: str
    words: int
    clusters: list[str]
    runs: list[SystemRun]
    with_query: int = 0  # clusters summarized for a query (meta file)
    with_seen: int = 0  # update clusters: the reader has already read earlier docsets

    def run(self, name: str) -> SystemRun | None:
        return next((r for r in self.runs if r.name == name), None)


def evaluate(
    clusters: Sequence[Cluster],
    options: EvaluationOptions,
    peers: dict[str, dict[str, str]] | None = None,
    source: str = "",
    progress: bool = True,
) -> Evaluation:
    """Summarize every cluster with each system, score all of them (and the peers) against the references."""
    unknown = [s for s in options.systems if s not in SYSTEMS]
    if unknown:
        raise NewsfuseError(f"unknown system {unknown[0]!r}; choose from {', '.join(SYSTEMS)}")
    rouge = Rouge(options.words)  # fails here, before any work, when rouge-score is missing
    runners = {name: _runner(name, options) for name in options.systems}
    if not clusters:
        raise NewsfuseError(f"{source or 'input'}: no clusters to evaluate")
    if not runners and not peers:
        raise NewsfuseError("no systems to evaluate: name some with --systems, or give --peers")
    runs = [SystemRun(name, "newsfuse" if name == "newsfuse" else "baseline") for name in runners]
    warm_up = Cluster(id=clusters[0].id, articles=clusters[0].articles[:2])
    for run in runs:
        runners[run.name](copy.deepcopy(warm_up))  # loads models and imports, untimed
    from tqdm import tqdm

    bar = tqdm(total=len(clusters) * len(runners), unit=" summaries", disable=not (progress and runners), file=sys.stderr, dynamic_ncols=True)
    for cluster in clusters:
        for run in runs:
            work = copy.deepcopy(cluster, {id(a): a for a in cluster.seen})  # seen articles: shared, prepared once
            start = time.perf_counter()
            output = runners[run.name](work)
            run.seconds[cluster.id] = time.perf_counter() - start
            if isinstance(output, Story):
                run.summaries[cluster.id] = [s.text for s in output.summary]
                run.cited.extend(citation_checks(output, options.embedder))
            else:
                run.summaries[cluster.id] = list(output)
            bar.set_postfix_str(f"{run.name} {cluster.id}", refresh=False)
            bar.update()
    bar.close()
    ids = {c.id for c in clusters}
    for system, outputs in (peers or {}).items():
        run = SystemRun(f"peer {system}", "peer")
        run.summaries = {cid: _sentences(text) for cid, text in outputs.items() if cid in ids}
        if run.summaries:
            runs.append(run)
    references = {c.id: c.summaries for c in clusters}
    for run in runs:
        for cid, sentences in run.summaries.items():
            text = " ".join(sentences)
            run.scores[cid] = rouge.score(text, _other_references(text, references[cid]))
        run.redundancy = redundancy(run.summaries, options.embedder)
    return Evaluation(
        source=source, words=options.words, clusters=[c.id for c in clusters], runs=runs,
        with_query=sum(bool(c.query) for c in clusters), with_seen=sum(bool(c.seen) for c in clusters),
    )


def _runner(name: str, options: EvaluationOptions) -> Callable[[Cluster], object]:
    if name == "newsfuse":
        from ..pipeline import Options, summarize_clusters

        pipeline_options = Options.with_words(options.words, embedder=options.embedder)
        return lambda cluster: next(summarize_clusters([cluster], pipeline_options))
    from ..baselines import BASELINES, require_sumy

    if name != "lead":
        require_sumy()
    return lambda cluster: BASELINES[name](cluster, options.words)


def _other_references(summary: str, references: list[str]) -> list[str]:
    """The references, less the one this summary is (a human peer is not scored against itself)."""
    key = " ".join(summary.split())
    others = [r for r in references if " ".join(r.split()) != key]
    return others or references


def _sentences(text: str) -> list[str]:
    from ..baselines import SumyTokenizer

    return SumyTokenizer().to_sentences(text)


def citation_checks(story: Story, embedder_name: str) -> list[bool]:
    """For each summary sentence: does every article it cites contain it, or a paraphrase of it?

    Checked against each cited article's own sentences, not the summarizer's alignment: the
    sentence's content words all in one of the article's sentences (verbatim or compressed),
    or the project's paraphrase rule (cosine and shared content words, align.reports).
    """
    from ..align import THRESHOLDS, coverage, reports
    from ..embed import get_embedder
    from ..terms import content_terms

    if not story.summary:
        return []
    embedder = get_embedder(embedder_name)
    vectors = embedder.encode([s.text for s in story.summary])
    articles = {a.id: a for a in story.articles}
    sentence_terms = {id(s): set(content_terms(s.text)) for a in story.articles for s in a.sentences}
    checks = []
    for item, vector in zip(story.summary, vectors):
        terms = set(content_terms(item.text))
        flat = " ".join(item.text.split())
        valid = bool(item.sources)
        for source in item.sources:
            article = articles.get(source)
            if article is None:
                valid = False
                break
            if flat in " ".join(article.text.split()):
                continue
            found = False
            for sentence in article.sentences:
                theirs = sentence_terms[id(sentence)]
                if terms and terms <= theirs:
                    found = True
                    break
                theirs_vector = sentence.vector if sentence.vector is not None else embedder.encode([sentence.text])[0]
                if reports(float(vector @ theirs_vector), coverage(terms, theirs), len(terms), THRESHOLDS[embedder_name]):
                    found = True
                    break
            if not found:
                valid = False
                break
        checks.append(valid)
    return checks


def redundancy(summaries: dict[str, list[str]], embedder_name: str) -> dict[str, float]:
    """Per cluster, the highest cosine between two sentences of the same summary."""
    from ..embed import get_embedder

    embedder = get_embedder(embedder_name)
    found = {}
    for cid, sentences in summaries.items():
        if len(sentences) < 2:
            continue
        matrix = embedder.encode(sentences)
        similarity = matrix @ matrix.T
        np.fill_diagonal(similarity, -1.0)
        found[cid] = float(similarity.max())
    return found


def summary_row(run: SystemRun, reference: SystemRun | None) -> dict:
    """One system's figures as plain numbers (the JSON and the table show the same)."""
    row: dict = {"kind": run.kind, "clusters": len(run.scores)}
    for metric in METRICS:
        mean = run.mean(metric)
        row[metric] = {"recall": round(mean.recall, 5), "precision": round(mean.precision, 5), "f1": round(mean.f1, 5)}
    row["redundancy"] = round(statistics.fmean(run.redundancy.values()), 4) if run.redundancy else None
    row["citation_validity"] = round(sum(run.cited) / len(run.cited), 4) if run.cited else None
    row["cited_sentences"] = len(run.cited) if run.kind == "newsfuse" else None
    if run.total_seconds is not None:
        row["seconds"] = round(run.total_seconds, 3)
        row["seconds_per_cluster"] = round(run.total_seconds / len(run.seconds), 4)
    if reference is not None and reference is not run:
        if run.total_seconds is not None and reference.total_seconds:
            row["time_ratio_vs_lexrank"] = round(run.total_seconds / reference.total_seconds, 3)
        base = reference.mean("rouge2").recall
        if base:
            row["rouge2_recall_ratio_vs_lexrank"] = round(run.mean("rouge2").recall / base, 3)
    return row


def to_json(evaluation: Evaluation) -> dict:
    reference = evaluation.run(REFERENCE_SYSTEM)
    return {
        "clusters_file": evaluation.source,
        "words": evaluation.words,
        "clusters": len(evaluation.clusters),
        "clusters_with_query": evaluation.with_query,
        "clusters_with_seen": evaluation.with_seen,
        "scorer": "rouge-score tokens and Porter stemmer; texts cut to the word budget; mean over references",
        "systems": {run.name: summary_row(run, reference) for run in evaluation.runs},
        "per_cluster": {
            run.name: {
                cid: {f"{m}_recall": round(s[m].recall, 5) for m in METRICS}
                for cid, s in run.scores.items()
            }
            for run in evaluation.runs
        },
        "summaries": {
            run.name: {cid: " ".join(sentences) for cid, sentences in run.summaries.items()}
            for run in evaluation.runs if run.kind != "peer"
        },
    }


def render_table(evaluation: Evaluation) -> str:
    """Systems x metrics, ours first, then the peers by ROUGE-2 recall."""
    reference = evaluation.run(REFERENCE_SYSTEM)
    ours = [r for r in evaluation.runs if r.kind != "peer"]
    peers = sorted((r for r in evaluation.runs if r.kind == "peer"), key=lambda r: -r.mean("rouge2").recall)
    header = (
        f"{'system':<12} {'n':>3}  {'R-1 R':>6} {'R-1 F':>6}  {'R-2 R':>6} {'R-2 F':>6}  {'SU4 R':>6} {'SU4 F':>6}"
        f"  {'redund':>6} {'cites':>6}  {'s/clus':>7} {'time/LR':>7} {'R-2/LR':>6}"
    )
    extra = "".join(f", {n} {what}" for n, what in ((evaluation.with_query, "with a query"), (evaluation.with_seen, "update (earlier docsets read)")) if n)
    title = f"{evaluation.source}: {len(evaluation.clusters)} clusters{extra}, {evaluation.words} words; ROUGE recall (R) and F1 (F)"
    lines = [title, header, "-" * len(header)]
    for run in ours + peers:
        row = summary_row(run, reference)
        cells = [f"{run.name:<12} {row['clusters']:>3} "]
        for metric in METRICS:
            cells.append(f" {row[metric]['recall']:6.4f} {row[metric]['f1']:6.4f} ")
        cells.append(f" {_cell(row['redundancy'], '6.3f')} {_cell(row['citation_validity'], '6.1%')} ")
        cells.append(f" {_cell(row.get('seconds_per_cluster'), '7.3f')} {_cell(row.get('time_ratio_vs_lexrank'), '7.2f')}")
        cells.append(f" {_cell(row.get('rouge2_recall_ratio_vs_lexrank'), '6.3f')}")
        lines.append("".join(cells).rstrip())
        if ours and run is ours[-1] and peers:
            lines.append("-" * len(header))
    return "\n".join(lines) + "\n"


def _cell(value, spec: str) -> str:
    width = int(spec.split(".")[0])
    return format(value, spec) if value is not None else "-".rjust(width)
