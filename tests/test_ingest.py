import datetime as dt
import io
import json

import pytest

from newsfuse.ingest import read_articles, read_clusters
from newsfuse.model import NewsfuseError

from conftest import DATA, SAMPLE, SEEDS, SEED_MARCH_VISIT, SEED_MOSCOW


def test_directory_ids_are_file_names_and_first_line_is_title():
    articles = {a.id: a for a in read_articles([str(SEEDS)])}
    assert len(articles) == 5
    assert articles[SEED_MOSCOW].title == "Kerry Accepts Russian Stance Over Syria"


def test_masthead_above_the_title_is_the_outlet_not_the_title():
    article = read_articles([str(SEEDS / f"{SEED_MARCH_VISIT}.txt")])[0]
    assert article.source == "Free Press Journal"
    assert article.title == "Russia, US reach consensus on Syria, not on bilateral ties"


def test_html_page_gives_title_outlet_date_and_body_without_furniture():
    article = read_articles([str(SAMPLE / "04_meridian-gazette.html")])[0]
    assert article.title == "Minister orders inquiry as Calder barrier failure floods 40 homes"
    assert article.source == "The Meridian Gazette"
    assert article.date == dt.date(2026, 3, 10)
    assert "A&B Marine consortium" in article.text  # entities decoded, not dropped
    assert "<SENSOR FAULT>" in article.text
    for noise in ("Home Coast Politics", "cookie policy", "Coastal Briefing in your inbox"):
        assert noise not in article.text


def test_article_jsonl_with_text_and_html(tmp_path):
    path = tmp_path / "articles.jsonl"
    lines = [
        {"id": "a1", "source": "Outlet One", "url": "https://example.org/a1", "title": "T1", "date": "2026-01-02", "text": "Body one.\n\nSecond paragraph."},
        {"id": "a2", "html": "<html><body><article><h1>T2</h1><p>" + "A long enough paragraph of article text here. " * 5 + "</p></article></body></html>"},
    ]
    path.write_text("\n".join(json.dumps(x) for x in lines) + "\n", encoding="utf-8")
    first, second = read_articles([str(path)])
    assert (first.id, first.source, first.url, first.date) == ("a1", "Outlet One", "https://example.org/a1", dt.date(2026, 1, 2))
    assert first.paragraphs == ["Body one.", "Second paragraph."]
    assert second.id == "a2" and "long enough paragraph" in second.text


def test_cluster_jsonl_keeps_clusters_and_references():
    clusters = list(read_clusters(str(DATA / "mds" / "tac2011_guided_A.jsonl")))
    assert len(clusters) == 44
    first = clusters[0]
    assert first.id == "D1101A-A" and len(first.articles) == 10 and len(first.summaries) == 4
    assert all(a.cluster == "D1101A-A" for a in first.articles)


def test_stdin_plain_text(monkeypatch):
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO("A title\n\nThe body says something.\n".encode())))
    (article,) = read_articles(["-"])
    assert article.title == "A title" and article.text.strip() == "The body says something."


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "file is empty"),
        (b"\x00\x01\x02binary\x00", "binary file"),
        ("Caf\u00e9 title\n\nbody".encode("latin-1"), "not valid UTF-8"),
    ],
)
def test_bad_files_name_the_file_and_the_problem(tmp_path, content, message):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(NewsfuseError, match=message) as error:
        read_articles([str(path)])
    assert str(path) in str(error.value)


def test_malformed_jsonl_names_the_line(tmp_path):
    path = tmp_path / "articles.jsonl"
    path.write_text('{"id": "a", "text": "fine."}\n\n{"id": "b", "text": oops}\n', encoding="utf-8")
    with pytest.raises(NewsfuseError, match=r"articles.jsonl:3: invalid JSON"):
        read_articles([str(path)])


def test_a_lone_surrogate_escape_becomes_a_replacement_character(tmp_path, cli):
    path = tmp_path / "articles.jsonl"
    path.write_text('{"id": "a", "title": "Half \\ud800 pair", "date": "2021-01-01", "text": "Text with \\udc00 in it and '
                    'enough words to shingle it, the usual way a report opens."}\n', encoding="utf-8")
    [article] = read_articles([str(path)])
    assert article.title == "Half \ufffd pair" and "with \ufffd in" in article.text
    code, out, err = cli("cluster", path, "--format", "jsonl", "--quiet")
    assert code == 0 and json.loads(out)["id"] == "a", err


def test_jsonl_article_without_text(tmp_path):
    path = tmp_path / "articles.jsonl"
    path.write_text('{"id": "a", "title": "no body"}\n', encoding="utf-8")
    with pytest.raises(NewsfuseError, match=r'articles.jsonl:1: article .a. has neither "text" nor "html"'):
        read_articles([str(path)])


def test_empty_directory_and_missing_path(tmp_path):
    with pytest.raises(NewsfuseError, match="no article files"):
        read_articles([str(tmp_path)])
    with pytest.raises(NewsfuseError, match="no such file or directory"):
        read_articles([str(tmp_path / "missing")])


def test_duplicate_article_ids_are_refused(tmp_path):
    path = tmp_path / "articles.jsonl"
    path.write_text('{"id": "a", "text": "One."}\n{"id": "a", "text": "Two."}\n', encoding="utf-8")
    with pytest.raises(NewsfuseError, match=r"articles.jsonl:2: article id 'a' is also used by .*articles.jsonl:1"):
        read_articles([str(path)])


def test_a_day_first_date_is_read_where_it_is_unambiguous(tmp_path):
    # DUC 2006 ships dates written YYYY-DD-MM, like 1998-30-06
    path = tmp_path / "articles.jsonl"
    path.write_text(
        '{"id": "a", "date": "1998-30-06", "text": "Flood waters rose along the river on Monday."}\n'
        '{"id": "b", "date": "1998-06-07", "text": "Flood waters fell along the river on Tuesday."}\n'
    )
    dates = {a.id: a.date.isoformat() for a in read_articles([str(path)])}
    assert dates == {"a": "1998-06-30", "b": "1998-06-07"}
