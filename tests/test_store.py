import datetime as dt
import sqlite3

import pytest

from newsfuse.model import Article, NewsfuseError, Removal
from newsfuse.store import MIGRATIONS, SQLiteStore, StoredArticle, content_hash, default_db_path, headline


def stored(article_id, story_id, title="A title", source="Outlet", date="2026-03-10", text=None, url=None):
    article = Article(id=article_id, text=text or f"Body of {article_id}.", title=title, source=source, url=url,
                      date=dt.date.fromisoformat(date) if date else None, origin=f"in.jsonl:{article_id}",
                      removed=[Removal("byline", "By Someone")])
    return StoredArticle(article=article, content_hash=content_hash(article), features=article_id.encode(), story_id=story_id)


@pytest.fixture
def store(tmp_path):
    opened = SQLiteStore(tmp_path / "sub" / "news.db")
    yield opened
    opened.close()


def test_a_batch_is_stored_with_its_stories_and_read_back(store):
    store.add([
        stored("a1", "s1", title="Eastquay flooded", source="Harbour Ledger", date="2026-03-10"),
        stored("a2", "s1", title="Barrier gate fails, Eastquay flooded", source="Northline Post", date="2026-03-11"),
        stored("a3", "s1", title="Barrier gate fails to close", source="Harbour Ledger", date="2026-03-09"),
        stored("b1", "s2", title="Ferry strike", source="Coast Wire", date="2026-03-12", url="https://wire.example/ferry"),
    ])
    s2, s1 = store.stories()  # most recently seen first
    assert (s1.id, s1.size, s1.outlets, s1.first_seen, s1.last_seen, s1.open) == ("s1", 3, ["Harbour Ledger", "Northline Post"], "2026-03-09", "2026-03-11", True)
    assert s1.title == "Barrier gate fails, Eastquay flooded"  # shares the most words with the other titles
    assert (s2.id, s2.size, s2.title) == ("s2", 1, "Ferry strike")
    row, articles = store.story("s1")
    assert [a.id for a in articles] == ["a1", "a2", "a3"]  # ingest order
    assert articles[0].removed == [Removal("byline", "By Someone")] and articles[0].date == dt.date(2026, 3, 10)
    assert store.counts() == (4, 2)


def test_later_batches_update_story_rows_and_since_filters_by_last_seen(store):
    store.add([stored("a1", "s1", date="2026-03-01"), stored("b1", "s2", date="2026-03-02")])
    store.add([stored("a2", "s1", source="Other", date="2026-03-20")])
    assert [s.id for s in store.stories(since=dt.date(2026, 3, 10))] == ["s1"]
    (s1,) = [s for s in store.stories() if s.id == "s1"]
    assert (s1.size, s1.outlets, s1.first_seen, s1.last_seen) == (2, ["Outlet", "Other"], "2026-03-01", "2026-03-20")


def test_undated_articles_leave_a_story_its_dated_range(store):
    today = dt.datetime.now(dt.timezone.utc).date().isoformat()
    store.add([stored("u1", "s1", date=None)])
    (row,) = store.stories()
    assert (row.first_seen, row.last_seen) == (today, today)  # nothing dated yet: the day it was ingested
    store.add([stored("d1", "s1", date="2015-12-15"), stored("u2", "s1", date=None)])
    (row,) = store.stories()
    assert (row.first_seen, row.last_seen, row.size) == ("2015-12-15", "2015-12-15", 3)


def test_find_recognises_the_same_url_or_the_same_normalised_content(store):
    store.add([stored("a1", "s1", url="https://ex.org/a1", text="The gate failed.\n\nWater came in.")])
    same_text = Article(id="other", text="the  GATE failed. Water came\nin.", title="a TITLE", source="outlet")
    assert store.find(None, content_hash(same_text)) == "a1"
    assert store.find("https://ex.org/a1", "no-such-hash") == "a1"
    assert store.find("https://ex.org/new", "no-such-hash") is None
    assert store.has_id("a1") and not store.has_id("other")
    syndicated = Article(id="x", text="The gate failed.\n\nWater came in.", title="A title", source="Another outlet")
    assert store.find(None, content_hash(syndicated)) is None  # the same wire copy in another outlet is kept


def test_a_failing_batch_leaves_nothing_and_keeps_earlier_batches(store):
    store.add([stored("a1", "s1")])
    with pytest.raises(sqlite3.IntegrityError):
        store.add([stored("a2", "s2", text="New text."), stored("a3", "s2", text="New text.")])  # same content twice
    assert store.counts() == (1, 1)
    assert [s.id for s in store.stories()] == ["s1"]


def test_term_counts_are_stored_with_their_batch_and_only_with_it(store):
    assert store.term_counts() is None
    store.add([stored("a1", "s1")], term_counts=b"first")
    with pytest.raises(sqlite3.IntegrityError):
        store.add([stored("a2", "s2", text="Same."), stored("a3", "s2", text="Same.")], term_counts=b"lost")
    assert store.term_counts() == b"first"
    store.add([stored("b1", "s2")], term_counts=b"second")
    assert store.term_counts() == b"second"


def test_closed_stories_are_not_restored(store):
    store.add([stored("a1", "s1"), stored("a2", "s1"), stored("b1", "s2")])
    assert [(sid, [a for a, _ in members]) for sid, members in store.open_stories()] == [("s1", ["a1", "a2"]), ("s2", ["b1"])]
    assert dict(store.open_stories())["s1"][0] == ("a1", b"a1")  # features come back as stored
    store.add([stored("c1", "s3")], closed=["s1"])
    assert [sid for sid, _ in store.open_stories()] == ["s2", "s3"]
    assert not next(s for s in store.stories() if s.id == "s1").open


def test_store_file_is_in_wal_mode(store):
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_an_older_store_is_migrated_and_keeps_its_data(tmp_path):
    path = tmp_path / "old.db"
    old = SQLiteStore(path, migrations=MIGRATIONS[:1])  # the first schema version, as an older newsfuse left it
    old.add([stored("a1", "s1")])
    assert old.schema_version == 1
    assert old.db.execute("SELECT count(*) FROM sqlite_master WHERE name = 'settings'").fetchone()[0] == 0
    old.close()
    store = SQLiteStore(path)
    assert store.schema_version == len(MIGRATIONS) == 3
    assert store.counts() == (1, 1)
    store.check_settings({"embedder": "static"})  # the table the migration added
    assert store.db.execute("SELECT value FROM settings WHERE key = 'embedder'").fetchone()[0] == "static"


def test_a_store_from_a_newer_newsfuse_or_not_a_store_is_refused(tmp_path):
    newer = tmp_path / "newer.db"
    db = sqlite3.connect(newer)
    db.execute("PRAGMA user_version = 99")
    db.close()
    with pytest.raises(NewsfuseError, match=r"newer\.db: store schema version 99 is newer"):
        SQLiteStore(newer)
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(NewsfuseError, match=r"junk\.db: not a newsfuse store"):
        SQLiteStore(junk)
    with pytest.raises(NewsfuseError, match=r"missing\.db: no store here"):
        SQLiteStore(tmp_path / "missing.db", create=False)
    assert not (tmp_path / "missing.db").exists()


def test_settings_must_match_the_ones_the_store_was_built_with(store):
    store.check_settings({"embedder": "static", "features": "1"})
    store.check_settings({"embedder": "static"})
    with pytest.raises(NewsfuseError, match="built with embedder 'static', not 'onnx'"):
        store.check_settings({"embedder": "onnx"})


def test_only_one_writer_at_a_time(store, tmp_path):
    other = SQLiteStore(store.path)
    with store.writer():
        with pytest.raises(NewsfuseError, match="another newsfuse ingest is writing"):
            with other.writer():
                pass
    with other.writer():  # released
        pass
    other.close()


def test_default_path_follows_newsfuse_db_then_xdg(monkeypatch, tmp_path):
    monkeypatch.setenv("NEWSFUSE_DB", str(tmp_path / "x.db"))
    assert default_db_path() == tmp_path / "x.db"
    monkeypatch.delenv("NEWSFUSE_DB")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert default_db_path() == tmp_path / "data" / "newsfuse" / "newsfuse.db"
    monkeypatch.delenv("XDG_DATA_HOME")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert default_db_path() == tmp_path / ".local" / "share" / "newsfuse" / "newsfuse.db"


def test_headline_is_the_most_typical_title():
    assert headline(["Ferry strike"]) == "Ferry strike"
    assert headline([None, "Ferry strike ends", "Harbour ferry strike ends after pay deal", "Pay deal agreed"]) == "Harbour ferry strike ends after pay deal"
    assert headline(["", None]) == ""
