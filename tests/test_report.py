"""Report renderers with the cross-source analysis: JSON fields, Markdown, self-contained escaped HTML."""
import json
import re

from conftest import SAMPLE, SEED_AGGREGATOR, SEED_MARCH_VISIT, SEED_MOSCOW, SEEDS
from newsfuse.report import render_html, render_json, render_markdown

STORY_FIELDS = {"consensus", "single_source", "coverage", "conflicts", "quotes", "timeline", "entities"}


def test_json_has_the_analysis_of_each_story_and_the_role_of_each_article(seeds_report):
    [story] = json.loads(render_json(seeds_report))["stories"]
    assert STORY_FIELDS <= story.keys()
    articles = {a["id"]: a for a in story["articles"]}
    assert articles[SEED_AGGREGATOR]["role"] == "derivative" and SEED_MOSCOW in articles[SEED_AGGREGATOR]["derived_from"]
    assert articles[SEED_MARCH_VISIT]["role"] == "off_event"
    assert articles[SEED_MOSCOW]["date"] == "2015-12-15" and articles[SEED_MOSCOW]["date_inferred"] is True
    assert articles[SEED_MARCH_VISIT]["date"] is None  # another occasion: no date borrowed from this story
    assert all(SEED_MARCH_VISIT not in s["sources"] for s in story["summary"])  # never cited
    coverage = story["coverage"]
    assert SEED_MARCH_VISIT not in coverage["articles"]
    assert len(coverage["cells"]) == len(coverage["claims"]) == len(story["consensus"]) + len(story["single_source"])
    assert all(set(row) <= {0, 1} and len(row) == len(coverage["articles"]) for row in coverage["cells"])
    consensus = story["consensus"][0]
    assert {"id", "text", "sources", "outlets"} <= consensus.keys() and len(consensus["outlets"]) >= 2
    assert {"speaker", "speaker_title", "text", "variants", "sources"} <= story["quotes"][0].keys()
    assert {"date", "granularity", "text", "sources", "inferred", "expression"} <= story["timeline"][0].keys()


def test_markdown_shows_roles_conflicts_and_coverage(sample_report):
    text = render_markdown(sample_report)
    assert "[5] NewsDrift" in text and "— derivative of [1][2][3][4]" in text
    assert "[6] Coastal Press Agency" in text and "— derivative of [1]" in text
    assert "[7] Estuary Weekly" in text and "off-event" in text
    assert "* figure · people evacuated: 212 people [3] vs 214 residents [1][2][4][5][6]" in text
    assert "Coverage (claims stated by two or more articles" in text and "■" in text
    summary = text.split("Sources:")[0]
    assert "[7]" not in summary  # the off-event article is never cited


def test_html_is_self_contained_and_shows_the_analysis(sample_report):
    page = render_html(sample_report)
    assert not re.search(r"<script|<link|@import|url\(|src=", page, re.I)  # nothing is fetched, nothing runs
    assert 'class="heat"' in page and 'class="on h' in page  # the coverage heat map
    assert 'class="timeline"' in page and 'class="quotes"' in page and 'class="conflicts"' in page
    assert 'role-derivative' in page and 'role-off_event' in page
    assert re.search(r'<a class="cite" href="#[^"]+-src-3" title="Calder Evening Star, [^"]+">\[3\]</a>', page)  # hover shows the source
    assert "“&lt;SENSOR FAULT&gt;”" in page  # the sample's own angle brackets, escaped


def test_html_escapes_markup_and_script_in_article_text(cli, tmp_path):
    hostile = {
        "id": "x1", "source": "<b>Evil</b> Times", "title": "Flood <script>alert('title')</script> report",
        "date": "2026-03-10", "url": "javascript:alert(1)",
        "text": "Water <i>poured</i> into the district after the barrier failed on Tuesday, officials said.\n\n"
                "<script>alert('xss')</script> About 40 homes were flooded, and \"we will rebuild,\" the mayor said.",
    }
    twin = dict(hostile, id="x2", source="Other Post", url=None)
    data = tmp_path / "hostile.jsonl"
    data.write_text("\n".join(json.dumps(a) for a in (hostile, twin)) + "\n", encoding="utf-8")
    code, out, _ = cli("report", data, "--format", "html")
    assert code == 0
    assert "<script" not in out.lower() and "<i>" not in out and "<b>Evil" not in out
    assert "&lt;script&gt;alert(&#x27;xss&#x27;)&lt;/script&gt;" in out
    assert "&lt;b&gt;Evil&lt;/b&gt; Times" in out
    assert "javascript:" not in out  # only http(s) links are made


def test_cli_html_report_of_the_seeds(cli, tmp_path):
    target = tmp_path / "report.html"
    code, _, _ = cli("report", SEEDS, "--format", "html", "-o", target)
    page = target.read_text(encoding="utf-8")
    assert code == 0 and page.startswith("<!DOCTYPE html>")
    assert page.count('<section class="story"') == 1 and "off-event" in page


def test_cli_markdown_of_the_sample_is_readable(cli):
    code, out, _ = cli("report", SAMPLE)
    assert code == 0
    assert "### How the outlets covered it" in out and "Consensus" in out and "Timeline:" in out
