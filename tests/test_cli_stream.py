"""The stream commands end to end: ingest into a store, list stories, report one; survive kill -9."""
import datetime as dt
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import zlib
from contextlib import closing
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import pytest

from newsfuse.clean import clean_article
from newsfuse.ingest import read_articles

from conftest import DATA, ROOT, SAMPLE, SEEDS

TAC = DATA / "clustering" / "tac2011_guided_A_stories.jsonl"


def stories_json(cli, db, *extra):
    code, out, err = cli("stories", "--db", db, "--json", *extra)
    assert code == 0, err
    return [json.loads(line) for line in out.splitlines()]


def stored_rows(db):
    with closing(sqlite3.connect(db)) as connection:
        return connection.execute("SELECT id, story_id FROM articles ORDER BY seq").fetchall()


def test_ingest_lists_stories_and_reports_one(cli, tmp_path):
    """A stream of two events years apart: the Kerry-Putin talks (seeds, 2015-16), then the invented
    barrier failure (the sample's six reports of it, March 2026)."""
    db = tmp_path / "news.db"
    flood_files = sorted(SAMPLE.glob("0[1-6]_*"))
    code, out, err = cli("ingest", SEEDS, *flood_files, "--db", db)
    assert code == 0, err
    assert out == "" and "11 new articles in " in err and str(db) in err
    stories = stories_json(cli, db)
    flood = stories[0]  # the most recently seen
    assert (flood["size"], flood["first_seen"], flood["last_seen"]) == (6, "2026-03-10", "2026-03-11")
    assert "Harbour Ledger" in flood["outlets"] and len(flood["outlets"]) == 6
    assert sum(s["size"] for s in stories) == 11 and all(s["last_seen"] < "2017" for s in stories[1:])
    assert [s["id"] for s in stories_json(cli, db, "--since", "2026-01-01")] == [flood["id"]]

    code, out, _ = cli("stories", "--db", db)
    assert out.splitlines()[0] == f"{flood['id']}  {flood['title']}  (6 articles, 6 outlets, 2026-03-10 to 2026-03-11)"
    assert len(out.splitlines()) == len(stories)

    code, out, err = cli("report", "--story", flood["id"], "--db", db, "--format", "json")
    assert code == 0, err
    (story,) = json.loads(out)["stories"]
    assert story["id"] == flood["id"] and story["title"] == flood["title"]
    assert sorted(a["id"] for a in story["articles"]) == [p.stem for p in flood_files]
    assert any(len(s["sources"]) >= 3 for s in story["summary"])  # sentences cite every outlet that reports them
    assert any(r["kind"] == "byline" for a in story["articles"] for r in a["removed"])  # the audit trail survived the store


def test_reingesting_the_same_articles_is_a_no_op(cli, tmp_path):
    db = tmp_path / "news.db"
    assert cli("ingest", SAMPLE, "--db", db, "--quiet")[0] == 0
    before = stored_rows(db)
    code, out, err = cli("ingest", SAMPLE, "--db", db)
    assert code == 0 and "0 new articles in 0 stories, 7 already stored" in err
    # the same article again as JSONL under another id: same outlet, title and text (spacing and case aside)
    (article,) = read_articles([str(SAMPLE / "06_coastal-press-agency.txt")])
    clean_article(article)
    copy = tmp_path / "copy.jsonl"
    copy.write_text(json.dumps({"id": "copy-1", "title": article.title.upper(), "source": article.source,
                                "text": article.text.replace(" ", "  ")}) + "\n", encoding="utf-8")
    code, _, err = cli("ingest", copy, "--db", db)
    assert code == 0 and "1 already stored" in err
    assert stored_rows(db) == before


def test_a_feed_snapshot_adds_only_its_new_items(cli, tmp_path):
    db = tmp_path / "news.db"
    item = ("<item><title>{t}</title><link>https://ledger.example/{n}</link><pubDate>Tue, 1{n} Mar 2026 08:00:00 GMT</pubDate>"
            "<description>&lt;p&gt;{t}, the ledger reports in its item number {n} about the harbour.&lt;/p&gt;</description></item>")
    titles = ["Ferry strike called", "Ferry strike begins", "Ferry strike ends"]

    def feed(numbers):
        body = "".join(item.format(t=titles[n], n=n) for n in numbers)
        path = tmp_path / "ledger.rss"
        path.write_text(f"<rss version='2.0'><channel><title>Harbour Ledger</title>{body}</channel></rss>", encoding="utf-8")
        return path

    assert cli("ingest", feed([1, 0]), "--db", db, "--quiet")[0] == 0
    code, _, err = cli("ingest", feed([2, 1, 0]), "--db", db)
    assert code == 0 and "1 new article in 1 story, 2 already stored" in err
    assert sum(s["size"] for s in stories_json(cli, db)) == 3
    assert {s["outlets"][0] for s in stories_json(cli, db)} == {"Harbour Ledger"}


def test_the_same_id_for_different_articles_keeps_both(cli, tmp_path):
    db = tmp_path / "news.db"
    for name, body in (("monday", "The ferry strike began at dawn."), ("tuesday", "The ferry strike ended at noon.")):
        (tmp_path / name).mkdir()
        (tmp_path / name / "ferry.txt").write_text(f"Ferry strike\n\n{body}\n", encoding="utf-8")
    code, out, err = cli("ingest", tmp_path / "monday", tmp_path / "tuesday", "--db", db, "--quiet")
    assert code == 0 and out == err == ""  # --quiet: no progress bar, no summary
    ids = [article for article, _ in stored_rows(db)]
    assert ids[0] == "ferry" and ids[1].startswith("ferry~") and len(ids) == 2


def test_progress_bar_and_summary_on_stderr(cli, tmp_path):
    code, out, err = cli("ingest", SAMPLE / "01_harbour-ledger.txt", "--db", tmp_path / "news.db")
    assert code == 0 and out == ""
    assert "1/1" in err and "articles" in err  # the bar
    assert err.rstrip().endswith(f"newsfuse: 1 new article in 1 story ({tmp_path / 'news.db'})")


def test_a_feed_url_is_fetched_and_a_repoll_adds_nothing(cli, tmp_path):
    feed = ("<rss version='2.0'><channel><title>Harbour Ledger</title>" + "".join(
        f"<item><title>Ferry strike day {n}</title><link>http://127.0.0.1:{{port}}/gone-{n}</link>"
        f"<pubDate>Tue, 1{n} Mar 2026 08:00:00 GMT</pubDate><description>Ferry crews stayed ashore for day {n} "
        f"of the strike over pay, the harbour authority said.</description></item>" for n in (1, 2)) + "</channel></rss>")

    class Feed(BaseHTTPRequestHandler):
        def do_GET(self):  # the feed; its item pages are gone, so the items keep the feed's own text
            body = feed.replace("{port}", str(self.server.server_port)).encode() if self.path == "/feed.xml" else b""
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Feed)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url, db = f"http://127.0.0.1:{server.server_port}/feed.xml", tmp_path / "news.db"
    try:
        code, _, err = cli("ingest", url, "--db", db)
        assert code == 2 and err.startswith(f"newsfuse: error: {url}: refused") and not db.exists()
        code, _, err = cli("ingest", url, "--db", db, "--allow-private-fetch")
        assert code == 0 and "2 new articles" in err, err
        code, _, err = cli("ingest", url, "--db", db, "--allow-private-fetch")
        assert code == 0 and "0 new articles in 0 stories, 2 already stored" in err
    finally:
        server.shutdown()
    assert [a.split("-")[0] for a, _ in stored_rows(db)] == ["127.0.0.1", "127.0.0.1"]


def test_a_bad_input_stops_the_ingest_before_anything_is_written(cli, tmp_path):
    db = tmp_path / "news.db"
    assert cli("ingest", SAMPLE / "01_harbour-ledger.txt", "--db", db, "--quiet")[0] == 0
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x", "text": "fine"}\n{"id": "y", "text": \n', encoding="utf-8")
    code, out, err = cli("ingest", SAMPLE / "02_northline-post.txt", bad, SAMPLE / "03_calder-evening-star.txt", "--db", db)
    assert code == 2 and err.strip() == f"newsfuse: error: {bad}:2: invalid JSON (Expecting value at column 21)"
    assert [row[0] for row in stored_rows(db)] == ["01_harbour-ledger"]  # what was stored stays; nothing half-done


def test_a_store_clustered_by_other_article_features_refuses_new_articles_in_one_line(cli, tmp_path):
    db = tmp_path / "old.db"
    assert cli("ingest", SAMPLE / "01_harbour-ledger.txt", "--db", db)[0] == 0
    with closing(sqlite3.connect(db)) as connection, connection:  # as an older newsfuse stored them
        for article_id, features in connection.execute("SELECT id, features FROM articles").fetchall():
            connection.execute("UPDATE articles SET features = ? WHERE id = ?", (b"\x01" + features[1:], article_id))
    code, out, err = cli("ingest", SAMPLE / "02_northline-post.txt", "--db", db)
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1
    assert str(db) in err and "cannot continue this store" in err and "version 1" in err
    assert len(stored_rows(db)) == 1
    assert len(stories_json(cli, db)) == 1  # what is stored stays readable


def test_store_errors_are_one_line(cli, capsys, tmp_path, monkeypatch):
    code, _, err = cli("stories", "--db", tmp_path / "none.db")
    assert code == 2 and err.strip() == f"newsfuse: error: {tmp_path / 'none.db'}: no store here; run `newsfuse ingest INPUT... --db {tmp_path / 'none.db'}` first"
    monkeypatch.setenv("NEWSFUSE_DB", str(tmp_path / "env.db"))
    assert cli("ingest", SAMPLE / "01_harbour-ledger.txt", "--quiet")[0] == 0
    assert (tmp_path / "env.db").exists()
    code, _, err = cli("report", "--story", "s-nope")
    assert code == 2 and "no story 's-nope' in this store" in err
    with pytest.raises(SystemExit) as exit:
        cli("stories", "--since", "last week")
    assert exit.value.code == 2 and "--since: not a date (YYYY-MM-DD): 'last week'" in capsys.readouterr().err


def test_ingest_killed_midway_leaves_a_consistent_store_that_a_rerun_completes(cli, tmp_path):
    """SIGKILL `newsfuse ingest` once its first batch is committed: the store must open, pass SQLite's
    integrity check and hold whole batches only (every article in a story, every story's size right);
    a re-run stores the rest, each distinct article once."""
    db = tmp_path / "killed.db"
    inputs = [str(TAC)]  # 440 articles: three batches
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen([sys.executable, "-m", "newsfuse.cli", "ingest", *inputs, "--db", str(db), "--quiet"],
                               env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    stored = 0
    deadline = time.monotonic() + 120
    while stored == 0 and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
        try:
            with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=0.1)) as reader:
                stored = reader.execute("SELECT count(*) FROM articles").fetchone()[0]
        except sqlite3.OperationalError:  # not created yet, or the schema is being written
            pass
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert process.returncode == -signal.SIGKILL, process.stderr.read().decode()

    with closing(sqlite3.connect(db)) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
        killed_at = connection.execute("SELECT count(*) FROM articles").fetchone()[0]
        assert 0 < killed_at < 440  # it did stop midway
        assert connection.execute("SELECT count(*) FROM articles a LEFT JOIN stories s ON s.id = a.story_id "
                                  "WHERE s.id IS NULL").fetchone()[0] == 0  # no article without a story
        assert connection.execute("SELECT count(*) FROM stories s WHERE s.size != "
                                  "(SELECT count(*) FROM articles a WHERE a.story_id = s.id)").fetchone()[0] == 0

    code, _, err = cli("ingest", *inputs, "--db", db)
    assert code == 0, err
    assert f"{440 - killed_at} new articles" in err and f"{killed_at} already stored" in err
    rows = stored_rows(db)
    assert len(rows) == len({article for article, _ in rows}) == 440  # every article, once
    with closing(sqlite3.connect(db)) as connection:
        assert connection.execute("SELECT sum(size) FROM stories").fetchone()[0] == 440


def test_an_interrupted_ingest_resumes_with_the_stories_of_an_uninterrupted_one(tmp_path, monkeypatch):
    """The stream reaches March, then a January report arrives and starts its own story, which stays open
    while nothing newer comes. The process dies; after the restart a syndicated copy of that report must
    join its story, as it would have without the restart."""
    from newsfuse.model import Article
    from newsfuse.store import SQLiteStore
    from newsfuse.stream import IngestOptions, ingest_articles

    bridge = ("The old swing bridge over the Calder estuary collapsed into the river before dawn on Thursday, "
              "cutting the only road link to the Eastquay district. Nobody was on the bridge, the harbour "
              "authority said, and ferries will carry residents until a temporary crossing is built.")

    def stream():
        return [
            Article(id="ferry", source="Harbour Ledger", date=dt.date(2026, 3, 1), title="Ferry crews strike over pay",
                    text="Ferry crews in Port Calder walked out on Monday in a dispute over pay, the union said. " * 3),
            Article(id="bridge", source="Harbour Ledger", date=dt.date(2026, 1, 8), title="Swing bridge collapses", text=bridge),
            Article(id="bridge-wire", source="Coastal Press Agency", date=dt.date(2026, 1, 8), title="Calder bridge falls", text=bridge),
        ]

    options = IngestOptions(batch_size=2)
    reference = SQLiteStore(tmp_path / "reference.db")
    ingest_articles(stream(), reference, options)
    commit = SQLiteStore.add

    def die_after_first_batch(self, *args, **kwargs):
        commit(self, *args, **kwargs)
        raise KeyboardInterrupt

    resumed = SQLiteStore(tmp_path / "resumed.db")
    monkeypatch.setattr(SQLiteStore, "add", die_after_first_batch)
    with pytest.raises(KeyboardInterrupt):
        ingest_articles(stream(), resumed, options)
    monkeypatch.setattr(SQLiteStore, "add", commit)
    assert resumed.counts() == (2, 2)
    ingest_articles(stream(), resumed, options)
    assert stored_rows(tmp_path / "resumed.db") == stored_rows(tmp_path / "reference.db")
    # the stream's term counts (IDF) went on from the stored ones: they count each article once
    assert resumed.term_counts() == reference.term_counts()
    assert np.frombuffer(zlib.decompress(reference.term_counts()), dtype="<i8")[0] == 3
    assert len({story for _, story in stored_rows(tmp_path / "reference.db")}) == 2  # the copy joined its original
