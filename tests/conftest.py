import json
from pathlib import Path

import pytest

from newsfuse.cli import main

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT.parent / "shared" / "seeds"
DATA = ROOT.parent / "shared" / "data"
SAMPLE = ROOT / "examples" / "sample-story"
SAMPLE_EXPECTED = json.loads((ROOT / "tests" / "fixtures" / "sample_expected.json").read_text(encoding="utf-8"))

SEED_MOSCOW = "000_c913d59bd49a743f"  # Kerry-Putin talks, 15 Dec 2015
SEED_AGGREGATOR = "001_02789862b7fec0ef"
SEED_ABC = "002_d81355ebee4f1012"
SEED_BLOOMBERG = "003_69c85f6de820a097"
SEED_MARCH_VISIT = "004_255adcf58ddcd339"  # a different visit, March 2016


@pytest.fixture
def cli(capsys):
    """Run the CLI in-process: returns (exit code, stdout, stderr)."""

    def run(*args: str):
        code = main([str(a) for a in args])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


@pytest.fixture(scope="session")
def seeds_report():
    from newsfuse.ingest import read_articles
    from newsfuse.pipeline import build_report

    return build_report(read_articles([str(SEEDS)]))


@pytest.fixture(scope="session")
def sample_report():
    from newsfuse.ingest import read_articles
    from newsfuse.pipeline import build_report

    return build_report(read_articles([str(SAMPLE)]))
