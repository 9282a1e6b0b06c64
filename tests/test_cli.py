"""End-to-end tests of the command-line contract documented in the README."""
import json
import subprocess
import sys

import pytest

from conftest import DATA, SAMPLE, SEEDS, SEED_MARCH_VISIT


def test_report_json_contract_on_the_seeds(cli):
    code, out, err = cli("report", SEEDS, "--format", "json")
    assert code == 0, err
    report = json.loads(out)
    ids = {p.stem for p in SEEDS.iterdir()}
    for story in report["stories"]:
        assert set(story) >= {"id", "title", "articles", "summary"}
        story_ids = {a["id"] for a in story["articles"]}
        for article in story["articles"]:
            assert set(article) >= {"id", "source", "title", "date"}
        for sentence in story["summary"]:
            assert sentence["sources"] and set(sentence["sources"]) <= story_ids <= ids
    main = report["stories"][0]
    # the March visit is shown with the December story as off-event, and never cited in its summary
    assert {a["id"]: a["role"] for a in main["articles"]}[SEED_MARCH_VISIT] == "off_event"
    assert all(SEED_MARCH_VISIT not in s["sources"] for s in main["summary"])
    text = " ".join(s["text"] for s in main["summary"])
    assert "Bloomberg Terminal" not in text and "Getty Images" not in text and "SyriaKerry" not in text
    assert any(len(s["sources"]) >= 2 for s in main["summary"])
    assert sum(len(s["text"].split()) for s in main["summary"]) <= 120


def test_report_markdown_numbers_citations_and_lists_sources(cli):
    code, out, _ = cli("report", SAMPLE, "--words", "80")
    assert code == 0
    story = out.split("\n## ")[0]
    bullets = [line for line in story.splitlines() if line.startswith("- ")]
    assert bullets and all(line.rstrip().endswith("]") for line in bullets)
    assert "[1] Harbour Ledger, “Barrier gate fails as spring tide floods Eastquay”, 2026-03-10" in story
    assert sum(len(line[2:].rsplit(" [", 1)[0].split()) for line in bullets) <= 80


def test_report_html_escapes_article_text(cli, tmp_path):
    hostile = {
        "id": "x1", "source": "Evil <b>Outlet</b>", "title": "<script>alert('t')</script> Title",
        "text": "The council said <script>alert('x')</script> the bridge & the road would close on Monday for repairs.\n\n"
                "Engineers said the <img src=x onerror=alert(1)> repairs would take three weeks to finish.",
    }
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps(hostile) + "\n", encoding="utf-8")
    target = tmp_path / "report.html"
    code, out, err = cli("report", source, "--format", "html", "-o", target)
    assert code == 0, err
    page = target.read_text(encoding="utf-8")
    assert "<script>" not in page and "<img" not in page and "<b>Outlet" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    assert "the bridge &amp; the road" in page
    assert "http" not in page.split("<body>")[1]  # self-contained: nothing to fetch


def test_summarize_batch_mode_keeps_input_order_and_plain_text(cli):
    path = DATA / "mds" / "tac2011_guided_A.jsonl"
    code, out, err = cli("summarize", path, "--words", "100", "--format", "jsonl")
    assert code == 0, err
    rows = [json.loads(line) for line in out.splitlines()]
    expected_ids = [json.loads(line)["id"] for line in path.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == expected_ids
    for row in rows:
        assert set(row) == {"id", "summary"}
        assert 20 <= len(row["summary"].split()) <= 100
        assert "[1]" not in row["summary"]


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("empty.txt", b"", "empty.txt: file is empty"),
        ("binary.txt", bytes(range(256)) * 4, "binary.txt: binary file"),
        ("latin1.txt", "Titre\n\nL'été dernier à Paris.".encode("latin-1"), "latin1.txt: not valid UTF-8"),
        ("bad.jsonl", b'{"id": "a", "text": "ok."}\n{"id": "b", "text": \n', "bad.jsonl:2: invalid JSON"),
        ("bad.html", b"just words, no markup at all", "bad.html: not HTML"),
    ],
)
def test_bad_input_is_one_line_on_stderr_and_exit_2(cli, tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    code, out, err = cli("report", path)
    assert code == 2 and out == ""
    assert message in err and err.count("\n") == 1 and "Traceback" not in err


def test_empty_directory_missing_path_and_bad_cluster_file(cli, tmp_path):
    code, _, err = cli("report", tmp_path)
    assert code == 2 and "no article files" in err
    code, _, err = cli("report", tmp_path / "nope")
    assert code == 2 and "nope: no such file or directory" in err
    clusters = tmp_path / "c.jsonl"
    clusters.write_text('{"id": "c1", "documents": []}\n', encoding="utf-8")
    code, _, err = cli("summarize", clusters)
    assert code == 2 and 'c.jsonl:1: cluster \'c1\' has no "documents" list' in err


def test_failed_run_leaves_an_existing_output_file_alone(cli, tmp_path):
    target = tmp_path / "report.md"
    target.write_text("previous report", encoding="utf-8")
    code, _, _ = cli("report", tmp_path / "missing", "-o", target)
    assert code == 2 and target.read_text(encoding="utf-8") == "previous report"


def test_console_script_runs_from_stdin():
    text = "Bridge closes for repairs\n\nThe city closed the old bridge on Monday for three weeks of repairs to its deck.\n"
    result = subprocess.run([sys.executable, "-m", "newsfuse.cli", "report", "-"], input=text, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "The city closed the old bridge on Monday" in result.stdout
