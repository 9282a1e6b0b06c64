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
    report.add_argument("inputs", nargs="+", metavar="INPUT", help="files, directories, article/cluster JSONL, or - for stdin")
    report.add_argument("--format", choices=["md", "json", "html"], default="md")
    _common_options(report)
    report.set_defaults(run=_run_report)

    summarize = commands.add_parser("summarize", help="summarize each cluster of a cluster JSONL file (batch mode)")
    summarize.add_argument("clusters", metavar="CLUSTERS.jsonl", help='one {"id", "documents": [...]} per line, or - for stdin')
    summarize.add_argument("--format", choices=["jsonl"], default="jsonl")
    _common_options(summarize)
    summarize.set_defaults(run=_run_summarize)
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
    from .pipeline import Options, build_report
    from .report import RENDERERS

    report = build_report(read_articles(args.inputs), Options.with_words(args.words, embedder=args.embedder))
    _write(RENDERERS[args.format](report), args.output)
    return 0


def _run_summarize(args: argparse.Namespace) -> int:
    from .ingest import read_clusters
    from .pipeline import Options, summarize_clusters

    lines = (
        json.dumps({"id": story.id, "summary": " ".join(s.text for s in story.summary)}, ensure_ascii=False) + "\n"
        for story in summarize_clusters(read_clusters(args.clusters), Options.with_words(args.words, embedder=args.embedder))
    )
    if args.output:
        _write("".join(lines), args.output)
    else:
        for line in lines:  # stream: a long batch shows its first results at once
            sys.stdout.write(line)
            sys.stdout.flush()
    return 0


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
