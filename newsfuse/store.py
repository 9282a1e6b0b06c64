"""Persistence of a news stream: articles, their clustering features, and the stories they form.

`Store` is the small interface the stream code uses; `SQLiteStore` is the embedded default (one
file, WAL mode). A server database can replace it by implementing the same methods.

Consistency: `add` writes a batch of articles, their story assignments and the stories' rows in
one transaction, so a process killed at any moment leaves either the whole batch or none of it.
Every article row names its story (NOT NULL, foreign key), so no article is ever without a story.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import re
import sqlite3
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator, Protocol
from urllib.parse import urldefrag

from .model import Article, NewsfuseError, Removal

TITLE_SAMPLE = 25  # a story's headline is chosen among its first articles; it settles early
STORY_COLUMNS = "id, title, size, outlets, COALESCE(first_date, created), COALESCE(last_date, created), open"


@dataclass
class StoredArticle:
    """One article as the stream code hands it to the store."""

    article: Article  # cleaned: text without furniture, `removed` filled
    content_hash: str
    features: bytes  # the clustering features (ArticleFeatures.to_bytes())
    story_id: str


@dataclass
class StoryRow:
    id: str
    title: str
    size: int
    outlets: list[str]  # in order of first appearance
    first_seen: str  # ISO date: the earliest article date (the day it was ingested when no article is dated)
    last_seen: str  # the latest article date (likewise)
    open: bool  # closed stories take no new articles

    def to_json(self) -> dict:
        return {"id": self.id, "title": self.title, "size": self.size, "outlets": self.outlets,
                "first_seen": self.first_seen, "last_seen": self.last_seen, "open": self.open}


class Store(Protocol):
    path: Path  # where the store is, for messages

    def check_settings(self, settings: dict[str, str]) -> None:
        """Record the settings the features are built with; raise NewsfuseError if they differ from the stored ones."""

    def writer(self) -> contextlib.AbstractContextManager:
        """Held while one process ingests: a second writer would cluster against stale state."""

    def find(self, url: str | None, content_hash: str | None) -> str | None:
        """The id of a stored article with this URL or this content hash, if any."""

    def has_id(self, article_id: str) -> bool: ...

    def open_stories(self) -> Iterator[tuple[str, list[tuple[str, bytes]]]]:
        """Each open story with its (article id, features) in ingest order, stories in order of creation."""

    def add(self, articles: list[StoredArticle], closed: Iterable[str] = (), term_counts: bytes | None = None) -> None:
        """Store a batch of articles and their stories, mark stories closed and replace the
        clusterer's term counts, in one transaction."""

    def term_counts(self) -> bytes | None:
        """The clusterer's term counts as last stored, if any."""

    def stories(self, since: dt.date | None = None) -> list[StoryRow]:
        """Stories last seen on or after `since`, most recent first."""

    def story(self, story_id: str) -> tuple[StoryRow, list[Article]]:
        """One story and its articles in ingest order; NewsfuseError when there is no such story."""

    def counts(self) -> tuple[int, int]:
        """(articles, stories) stored."""

    def newest_date(self) -> dt.date | None:
        """The latest article date stored: how far the stream's clock has run."""

    def close(self) -> None: ...


def default_db_path() -> Path:
    """$NEWSFUSE_DB, else the user's data directory: $XDG_DATA_HOME/newsfuse/newsfuse.db (~/.local/share/...)."""
    if os.environ.get("NEWSFUSE_DB"):
        return Path(os.environ["NEWSFUSE_DB"]).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "newsfuse" / "newsfuse.db"


def content_hash(article: Article) -> str:
    """The same outlet's same title and text, whatever the case, spacing or Unicode form, hash alike.
    The outlet is part of it: the same wire copy in two outlets is two articles of one story."""
    def norm(value: str | None) -> str:
        return " ".join(unicodedata.normalize("NFKC", value or "").casefold().split())

    return hashlib.sha256("\x1f".join(norm(v) for v in (article.source, article.title, article.text)).encode()).hexdigest()


def normalize_url(url: str | None) -> str | None:
    """The URL without its #fragment or surrounding space: the same page however it was linked."""
    if not url or not url.strip():
        return None
    return urldefrag(url.strip())[0] or None


# Ordered migrations: the store's schema version is the number applied (PRAGMA user_version).
def _v1_articles_and_stories(db: sqlite3.Connection) -> None:
    db.execute("""CREATE TABLE stories (
        id TEXT PRIMARY KEY,
        title TEXT NOT NULL,
        size INTEGER NOT NULL,
        outlets TEXT NOT NULL,          -- JSON list
        first_date TEXT,                -- the range of its articles' dates; NULL while none is dated
        last_date TEXT,
        created TEXT NOT NULL,          -- the day its first article was ingested
        open INTEGER NOT NULL DEFAULT 1)""")
    db.execute("""CREATE TABLE articles (
        seq INTEGER PRIMARY KEY,        -- ingest order
        id TEXT NOT NULL UNIQUE,
        url TEXT UNIQUE,
        content_hash TEXT NOT NULL UNIQUE,
        title TEXT,
        source TEXT,
        date TEXT,
        text TEXT NOT NULL,
        origin TEXT NOT NULL,
        removed TEXT NOT NULL,          -- JSON [{"kind", "text"}]
        features BLOB NOT NULL,
        story_id TEXT NOT NULL REFERENCES stories(id) DEFERRABLE INITIALLY DEFERRED,
        ingested_at TEXT NOT NULL)""")
    db.execute("CREATE INDEX articles_by_story ON articles(story_id, seq)")
    db.execute("CREATE INDEX stories_by_last_date ON stories(last_date)")


def _v2_settings(db: sqlite3.Connection) -> None:
    # the embedder and feature settings a store was built with: later ingests must match them
    db.execute("CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)")


def _v3_clusterer_state(db: sqlite3.Connection) -> None:
    # what the clusterer counts over the whole stream (term document frequencies), written in the
    # same transaction as the articles it counts, so that a resumed ingest scores as an uninterrupted one
    db.execute("CREATE TABLE clusterer_state (key TEXT PRIMARY KEY, value BLOB NOT NULL)")


MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [_v1_articles_and_stories, _v2_settings, _v3_clusterer_state]


class SQLiteStore:
    """The embedded store: one SQLite file in WAL mode."""

    def __init__(self, path: str | Path, create: bool = True, migrations: list = MIGRATIONS):
        self.path = Path(path)
        if not self.path.exists():
            if not create:
                raise NewsfuseError(f"{self.path}: no store here; run `newsfuse ingest INPUT... --db {self.path}` first")
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise NewsfuseError(f"{self.path}: cannot create the store's directory ({error.strerror})") from None
        elif self.path.is_dir():
            raise NewsfuseError(f"{self.path}: is a directory, expected a store file")
        try:
            # autocommit mode: transactions are opened explicitly, so that each batch is exactly one
            self.db = sqlite3.connect(self.path, isolation_level=None, timeout=30)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: a killed process loses no committed batch
            self.db.execute("PRAGMA foreign_keys=ON")
            self._migrate(migrations)
        except sqlite3.DatabaseError as error:
            raise NewsfuseError(f"{self.path}: not a newsfuse store ({error})") from None

    def _migrate(self, migrations: list) -> None:
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        if version > len(migrations):
            raise NewsfuseError(f"{self.path}: store schema version {version} is newer than this newsfuse "
                                f"understands ({len(migrations)}); upgrade newsfuse")
        for number, migration in enumerate(migrations[version:], version + 1):
            with self._transaction():
                migration(self.db)
                self.db.execute(f"PRAGMA user_version = {number}")

    @property
    def schema_version(self) -> int:
        return self.db.execute("PRAGMA user_version").fetchone()[0]

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[None]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def check_settings(self, settings: dict[str, str]) -> None:
        with self._transaction():
            stored = dict(self.db.execute("SELECT key, value FROM settings"))
            for key, value in settings.items():
                if key in stored and stored[key] != value:
                    raise NewsfuseError(f"{self.path}: this store was built with {key} {stored[key]!r}, not {value!r}; "
                                        f"use the same {key} or another --db")
                if key not in stored:
                    self.db.execute("INSERT INTO settings (key, value) VALUES (?, ?)", (key, value))

    @contextlib.contextmanager
    def writer(self) -> Iterator[None]:
        lock_path = self.path.with_name(self.path.name + ".lock")
        with open(lock_path, "a+") as handle:
            try:
                import fcntl  # POSIX; the lock is released by the kernel even after kill -9
            except ImportError:  # Windows: SQLite's own locking still keeps each batch whole
                yield
                return
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise NewsfuseError(f"{self.path}: another newsfuse ingest is writing to this store") from None
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def find(self, url: str | None, content_hash: str | None) -> str | None:
        row = None
        if content_hash:
            row = self.db.execute("SELECT id FROM articles WHERE content_hash = ?", (content_hash,)).fetchone()
        if row is None and url:
            row = self.db.execute("SELECT id FROM articles WHERE url = ?", (url,)).fetchone()
        return row[0] if row else None

    def has_id(self, article_id: str) -> bool:
        return self.db.execute("SELECT 1 FROM articles WHERE id = ?", (article_id,)).fetchone() is not None

    def open_stories(self) -> Iterator[tuple[str, list[tuple[str, bytes]]]]:
        rows = self.db.execute(
            "SELECT a.story_id, a.id, a.features FROM articles a JOIN stories s ON s.id = a.story_id "
            "WHERE s.open = 1 ORDER BY a.seq")
        members: dict[str, list[tuple[str, bytes]]] = {}
        for story_id, article_id, features in rows:
            members.setdefault(story_id, []).append((article_id, features))
        yield from members.items()  # dicts keep insertion order: the order stories were started

    def add(self, articles: list[StoredArticle], closed: Iterable[str] = (), term_counts: bytes | None = None) -> None:
        try:
            self._add(articles, closed, term_counts)
        except sqlite3.OperationalError as error:  # disk full, I/O error: the earlier batches stay stored
            raise NewsfuseError(f"{self.path}: cannot write this batch ({error}); what was stored before it is kept") from None

    def _add(self, articles: list[StoredArticle], closed: Iterable[str], term_counts: bytes | None) -> None:
        now = dt.datetime.now(dt.timezone.utc)
        today = now.date().isoformat()
        with self._transaction():
            self.db.executemany(
                "INSERT INTO articles (id, url, content_hash, title, source, date, text, origin, removed, features, "
                "story_id, ingested_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(s.article.id, normalize_url(s.article.url), s.content_hash, s.article.title, s.article.source,
                  s.article.date.isoformat() if s.article.date else None, s.article.text, s.article.origin,
                  json.dumps([{"kind": r.kind, "text": r.text} for r in s.article.removed], ensure_ascii=False),
                  s.features, s.story_id, now.isoformat(timespec="seconds")) for s in articles])
            by_story: dict[str, list[Article]] = {}
            for stored in articles:
                by_story.setdefault(stored.story_id, []).append(stored.article)
            for story_id, members in by_story.items():
                self._update_story(story_id, members, today)
            self.db.executemany("UPDATE stories SET open = 0 WHERE id = ?", [(i,) for i in closed])
            if term_counts is not None:
                self.db.execute("INSERT OR REPLACE INTO clusterer_state (key, value) VALUES ('term_counts', ?)", (term_counts,))

    def term_counts(self) -> bytes | None:
        row = self.db.execute("SELECT value FROM clusterer_state WHERE key = 'term_counts'").fetchone()
        return row[0] if row else None

    def _update_story(self, story_id: str, members: list[Article], today: str) -> None:
        """Fold a batch's new articles into their story's row (size, outlets, dates, headline)."""
        row = self.db.execute("SELECT size, outlets, first_date, last_date FROM stories WHERE id = ?", (story_id,)).fetchone()
        size, outlets, first, last = (row[0], json.loads(row[1]), row[2], row[3]) if row else (0, [], None, None)
        dates = [a.date.isoformat() for a in members if a.date]
        if dates:
            first, last = min([first, *dates] if first else dates), max([last, *dates] if last else dates)
        outlets += [o for o in dict.fromkeys(a.source for a in members if a.source) if o not in outlets]
        title = None
        if size < TITLE_SAMPLE:
            titles = [t for (t,) in self.db.execute(
                "SELECT title FROM articles WHERE story_id = ? ORDER BY seq LIMIT ?", (story_id, TITLE_SAMPLE))]
            title = headline(titles) or members[0].text[:80]
        if row is None:
            self.db.execute("INSERT INTO stories (id, title, size, outlets, first_date, last_date, created, open) "
                            "VALUES (?, ?, ?, ?, ?, ?, ?, 1)",
                            (story_id, title or "", size + len(members), json.dumps(outlets, ensure_ascii=False), first, last, today))
        else:
            self.db.execute("UPDATE stories SET title = COALESCE(?, title), size = ?, outlets = ?, first_date = ?, last_date = ? WHERE id = ?",
                            (title, size + len(members), json.dumps(outlets, ensure_ascii=False), first, last, story_id))

    def stories(self, since: dt.date | None = None) -> list[StoryRow]:
        query = f"SELECT {STORY_COLUMNS} FROM stories"
        params: tuple = ()
        if since is not None:
            query += " WHERE COALESCE(last_date, created) >= ?"
            params = (since.isoformat(),)
        rows = self.db.execute(query + " ORDER BY COALESCE(last_date, created) DESC, size DESC, id", params)
        return [StoryRow(i, t, n, json.loads(o), f, l, bool(op)) for i, t, n, o, f, l, op in rows]

    def story(self, story_id: str) -> tuple[StoryRow, list[Article]]:
        row = self.db.execute(f"SELECT {STORY_COLUMNS} FROM stories WHERE id = ?",
                              (story_id,)).fetchone()
        if row is None:
            raise NewsfuseError(f"{self.path}: no story {story_id!r} in this store (`newsfuse stories` lists them)")
        story = StoryRow(row[0], row[1], row[2], json.loads(row[3]), row[4], row[5], bool(row[6]))
        articles = [
            Article(id=i, text=text, title=title, source=source, url=url, date=dt.date.fromisoformat(date) if date else None,
                    origin=origin, removed=[Removal(r["kind"], r["text"]) for r in json.loads(removed)])
            for i, url, title, source, date, text, origin, removed in self.db.execute(
                "SELECT id, url, title, source, date, text, origin, removed FROM articles WHERE story_id = ? ORDER BY seq",
                (story_id,))
        ]
        return story, articles

    def counts(self) -> tuple[int, int]:
        """(articles, stories) stored."""
        return (self.db.execute("SELECT count(*) FROM articles").fetchone()[0],
                self.db.execute("SELECT count(*) FROM stories").fetchone()[0])

    def newest_date(self) -> dt.date | None:
        (newest,) = self.db.execute("SELECT max(date) FROM articles").fetchone()
        return dt.date.fromisoformat(newest) if newest else None

    def close(self) -> None:
        self.db.close()


WORD = re.compile(r"\w+")


def headline(titles: list[str | None]) -> str:
    """The title whose words the other titles share most (the shorter on a tie): the story's most typical headline."""
    titled = [t for t in titles if t]
    if len(titled) < 3:
        return titled[0] if titled else ""
    words = [set(w for w in WORD.findall(t.casefold()) if len(w) > 2) for t in titled]
    frequency = Counter(w for ws in words for w in ws)
    shared = [sum(frequency[w] - 1 for w in ws) for ws in words]
    return titled[max(range(len(titled)), key=lambda n: (shared[n], -len(words[n]), -n))]
