"""Command line: parse arguments, call the library, turn user errors into one line and exit code 2."""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

from . import __version__
from .embed import EMBEDDERS
from .model import NewsfuseError

EXIT_BAD_INPUT = 2


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except NewsfuseError as error:
        print(f"newsfuse: error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `newsfuse ... | head`
        sys.stderr.close()
        return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="newsfuse", description="Many outlets' articles in, one cited story out.")
    parser.add_argument("--version", action="version", version=f"newsfuse {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    report = commands.add_parser("report", help="group articles into stories and write a cited summary of each")
    report.add_argument("inputs", nargs="*", metavar="INPUT", help="files, directories, article/cluster JSONL, http(s) URLs, or - for stdin")
    report.add_argument("--story", metavar="ID", help="report this story of the store instead of INPUT files (see `newsfuse stories`)")
    report.add_argument("--db", metavar="PATH", help="the store for --story (default: $NEWSFUSE_DB, else the user data directory)")
    report.add_argument("--format", choices=["md", "json", "html"], default="md")
    report.add_argument("--allow-private-fetch", action="store_true", help="let URL inputs reach loopback and private network addresses")
    _common_options(report)
    report.set_defaults(run=_run_report)

    summarize = commands.add_parser("summarize", help="summarize each cluster of a cluster JSONL file (batch mode)")
    summarize.add_argument("clusters", metavar="CLUSTERS.jsonl", help='one {"id", "documents": [...]} per line, or - for stdin')
    summarize.add_argument("--format", choices=["jsonl"], default="jsonl")
    asked = summarize.add_mutually_exclusive_group()
    asked.add_argument("--query", metavar="TEXT", help="focus every summary on this question")
    asked.add_argument("--query-field", metavar="FIELD", help="focus each summary on this field of CLUSTERS.meta.jsonl beside the input, else of the cluster's own line")
    summarize.add_argument("--since-docs", metavar="SEEN.jsonl", help="article or cluster JSONL the reader has already read: summarize what is new")
    summarize.add_argument("--since", type=_iso_date, metavar="DATE", help="each cluster's articles dated before DATE count as already read")
    _common_options(summarize)
    summarize.set_defaults(run=_run_summarize)

    cluster = commands.add_parser("cluster", help="assign each article of an article JSONL file to a story (batch; no store)")
    cluster.add_argument("articles", metavar="ARTICLES.jsonl", help='one {"id", "title", "date", "text"} per line, or - for stdin')
    cluster.add_argument("--format", choices=["jsonl"], default="jsonl")
    cluster.add_argument("--engine", choices=["local", "dask"], default="local", help="local: this process; dask: features computed on a Dask cluster")
    cluster.add_argument("--scheduler", metavar="ADDRESS", help="Dask scheduler address for --engine dask (default: a local cluster of 2 workers)")
    cluster.add_argument("--quiet", action="store_true", help="no progress bar")
    cluster.set_defaults(run=_run_cluster)

    ingest = commands.add_parser("ingest", help="add articles and feeds to the store, each joining a story or starting one")
    ingest.add_argument("inputs", nargs="+", metavar="INPUT", help="files, directories, article JSONL, RSS/Atom feeds, http(s) URLs, or - for stdin")
    ingest.add_argument("--db", metavar="PATH", help="the store (default: $NEWSFUSE_DB, else $XDG_DATA_HOME/newsfuse/newsfuse.db)")
    ingest.add_argument("--quiet", action="store_true", help="no progress bar or summary line")
    ingest.add_argument("--allow-private-fetch", action="store_true", help="let URL inputs reach loopback and private network addresses")
    ingest.set_defaults(run=_run_ingest)

    stories = commands.add_parser("stories", help="list the stored stories, most recent first")
    stories.add_argument("--db", metavar="PATH", help="the store (default: $NEWSFUSE_DB, else $XDG_DATA_HOME/newsfuse/newsfuse.db)")
    stories.add_argument("--since", type=_iso_date, metavar="DATE", help="only stories seen on or after this date (YYYY-MM-DD)")
    stories.add_argument("--json", action="store_true", help="one JSON object per line")
    stories.set_defaults(run=_run_stories)

    evaluate = commands.add_parser("evaluate", help="score newsfuse beside baselines (and peers) against reference summaries")
    evaluate.add_argument("clusters", metavar="CLUSTERS.jsonl", help="cluster JSONL with reference \"summaries\" (meta file beside it: CLUSTERS.meta.jsonl)")
    evaluate.add_argument("--words", type=_positive_int, required=True, metavar="N", help="word budget; summaries and references are cut to N words")
    evaluate.add_argument("--peers", metavar="PEERS.jsonl", help="shared-task system outputs to score in the same table")
    evaluate.add_argument("--query-field", default="query", metavar="FIELD", help="meta field holding each cluster's query (default: query, when present; none: no query)")
    evaluate.add_argument("--systems", default="newsfuse,lead,lexrank,textrank,lsa", metavar="LIST", help="comma-separated (default: all of newsfuse,lead,lexrank,textrank,lsa)")
    evaluate.add_argument("--limit", type=_positive_int, metavar="K", help="only the first K clusters (a smoke run)")
    evaluate.add_argument("--json", metavar="FILE", help="also write the figures, per-cluster scores and summaries as JSON")
    evaluate.add_argument("--embedder", choices=sorted(EMBEDDERS), default="static", help="sentence embedding backend (default static)")
    evaluate.set_defaults(run=_run_evaluate)

    serve = commands.add_parser("serve", help="a local web app over the store: read stories, add articles and feeds")
    serve.add_argument("--db", metavar="PATH", help="the store (default: $NEWSFUSE_DB, else $XDG_DATA_HOME/newsfuse/newsfuse.db)")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine only)")
    serve.add_argument("--port", type=_positive_int, default=8000, help="port (default 8000)")
    serve.add_argument("--allow-private-fetch", action="store_true", help="let given URLs reach loopback and private network addresses")
    serve.set_defaults(run=_run_serve)
    return parser


def _common_options(command: argparse.ArgumentParser) -> None:
    command.add_argument("--words", type=_positive_int, default=120, metavar="N", help="word budget of each summary (default 120)")
    command.add_argument("--embedder", choices=sorted(EMBEDDERS), default="static", help="sentence embedding backend (default static)")
    command.add_argument("-o", "--output", metavar="FILE", help="write here instead of standard output")


def _positive_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {value!r}") from None
    if number <= 0:
        raise argparse.ArgumentTypeError(f"must be positive: {value}")
    return number


def _run_report(args: argparse.Namespace) -> int:
    from .ingest import read_articles
    from .ingest.urls import FetchOptions
    from .pipeline import Options, build_report
    from .report import RENDERERS

    if args.story is None and args.db:
        raise NewsfuseError("--db goes with --story ID")
    if args.story is not None:
        if args.inputs:
            raise NewsfuseError("give INPUT files or --story ID, not both")
        from .stream import stored_story_report

        with _open_store(args.db) as store:
            report = stored_story_report(store, args.story, Options.with_words(args.words, embedder=args.embedder))
        _write(RENDERERS[args.format](report), args.output)
        return 0
    articles = read_articles(args.inputs, fetch=FetchOptions(allow_private=args.allow_private_fetch))
    report = build_report(articles, Options.with_words(args.words, embedder=args.embedder))
    _write(RENDERERS[args.format](report), args.output)
    return 0


def _run_summarize(args: argparse.Namespace) -> int:
    from .focus import read_focused_clusters
    from .pipeline import Options, summarize_clusters

    clusters = read_focused_clusters(args.clusters, args.query, args.query_field, args.since_docs, args.since)
    lines = (
        json.dumps({"id": story.id, "summary": " ".join(s.text for s in story.summary)}, ensure_ascii=False) + "\n"
        for story in summarize_clusters(clusters, Options.with_words(args.words, embedder=args.embedder))
    )
    if args.output:
        _write("".join(lines), args.output)
    else:
        for line in lines:  # stream: a long batch shows its first results at once
            sys.stdout.write(line)
            sys.stdout.flush()
    return 0


def _run_cluster(args: argparse.Namespace) -> int:
    from .clustering import cluster_articles
    from .ingest import read_articles

    if args.scheduler and args.engine != "dask":
        raise NewsfuseError("--scheduler goes with --engine dask")
    articles = read_articles([args.articles])
    if args.engine == "dask":
        from .scale import cluster_articles_dask

        labels = cluster_articles_dask(articles, scheduler=args.scheduler, progress=not args.quiet)
    else:
        labels = cluster_articles(articles, progress=not args.quiet)
    sys.stdout.write("".join(json.dumps({"id": a.id, "story_id": label}, ensure_ascii=False) + "\n" for a, label in zip(articles, labels)))
    return 0


def _run_ingest(args: argparse.Namespace) -> int:
    from .ingest.urls import FetchOptions
    from .store import SQLiteStore, default_db_path
    from .stream import ingest_articles, read_inputs

    articles = read_inputs(args.inputs, fetch=FetchOptions(allow_private=args.allow_private_fetch))  # all, before any write
    path = Path(args.db) if args.db else default_db_path()
    store = SQLiteStore(path)
    try:
        result = ingest_articles(articles, store, progress=not args.quiet)
    finally:
        store.close()
    if not args.quiet:
        print(f"newsfuse: {result.summary()} ({path})", file=sys.stderr)
    return 0


def _run_stories(args: argparse.Namespace) -> int:
    with _open_store(args.db) as store:
        rows = store.stories(since=args.since)
    for row in rows:
        if args.json:
            sys.stdout.write(json.dumps(row.to_json(), ensure_ascii=False) + "\n")
        else:
            outlets = f"{len(row.outlets)} outlet{'s' * (len(row.outlets) != 1)}"
            sys.stdout.write(f"{row.id}  {row.title}  ({row.size} article{'s' * (row.size != 1)}, {outlets}, "
                             f"{row.first_seen} to {row.last_seen}{'' if row.open else ', closed'})\n")
    return 0


def _run_serve(args: argparse.Namespace) -> int:
    from .ingest.urls import FetchOptions
    from .store import default_db_path
    from .web import WebOptions, serve

    serve(Path(args.db) if args.db else default_db_path(), args.host, args.port,
          WebOptions(fetch=FetchOptions(allow_private=args.allow_private_fetch)))
    return 0


def _run_evaluate(args: argparse.Namespace) -> int:
    from .evaluation import EvaluationOptions, evaluate, read_evaluation_clusters, read_peers, render_table, to_json

    clusters = read_evaluation_clusters(args.clusters, query_field=args.query_field)[: args.limit]
    systems = tuple(s.strip() for s in args.systems.split(",") if s.strip())
    peers = read_peers(args.peers) if args.peers else None
    evaluation = evaluate(clusters, EvaluationOptions(args.words, systems, args.embedder), peers, source=args.clusters)
    sys.stdout.write(render_table(evaluation))
    if args.json:
        _write(json.dumps(to_json(evaluation), ensure_ascii=False, indent=1) + "\n", args.json)
    return 0


def _open_store(db: str | None):
    """An existing store, closed after use; NewsfuseError when there is none."""
    import contextlib

    from .store import SQLiteStore, default_db_path

    return contextlib.closing(SQLiteStore(Path(db) if db else default_db_path(), create=False))


def _iso_date(value: str):
    import datetime as dt

    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value!r}") from None


def _write(text: str, output: str | None) -> None:
    """Write to stdout, or to a file replaced only once the new content is complete."""
    if not output:
        sys.stdout.write(text)
        return
    target = Path(output)
    try:
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=target.parent or ".", delete=False, suffix=".tmp") as handle:
            handle.write(text)
        os.replace(handle.name, target)
    except OSError as error:
        raise NewsfuseError(f"{output}: cannot write ({error.strerror})") from None


if __name__ == "__main__":
    sys.exit(main())
