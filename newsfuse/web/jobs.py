"""Ingestion jobs: the web app's writes to the store, run one at a time by a single worker thread.

A request hands over what it read (articles, URLs to fetch) and gets a job id at once; the page
polls the job for done/total. One worker means one writer: jobs queue behind each other, and reads
(story lists, story pages) stay available meanwhile (SQLite in WAL mode).
"""
from __future__ import annotations

import dataclasses
import logging
import math
import threading
import uuid
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from ..ingest.urls import FetchOptions
from ..model import Article, NewsfuseError
from ..stream import IngestOptions

log = logging.getLogger("newsfuse.web")

KEPT_JOBS = 200  # finished jobs remembered for their pages; older ones are forgotten


@dataclass
class Job:
    id: str
    articles: list[Article]
    urls: list[str]
    state: str = "queued"  # queued | running | done | failed
    phase: str = "waiting"  # waiting | fetching | ingesting | finished
    done: int = 0
    total: int = 0
    error: str | None = None
    warnings: list[str] = field(default_factory=list)  # feed items or URLs that could not be read
    result: dict | None = None
    finished: threading.Event = field(default_factory=threading.Event, repr=False)

    def to_json(self) -> dict:
        return {"id": self.id, "state": self.state, "phase": self.phase, "done": self.done, "total": self.total,
                "error": self.error, "warnings": list(self.warnings), "result": self.result,
                "url": f"/api/jobs/{self.id}", "page": f"/jobs/{self.id}"}


class JobRunner:
    """Queues jobs and runs them one after another against the store at `store_path`."""

    def __init__(self, store_path: Path, ingest_options: IngestOptions, fetch_options: FetchOptions):
        self.store_path = store_path
        self.ingest_options = ingest_options
        self.fetch_options = fetch_options
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._lock = threading.Lock()  # guards _jobs
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="newsfuse-ingest")

    def submit(self, articles: list[Article], urls: list[str] = ()) -> Job:
        job = Job(id=uuid.uuid4().hex[:12], articles=list(articles), urls=list(urls), total=len(urls) or len(articles))
        with self._lock:
            self._jobs[job.id] = job
            while len(self._jobs) > KEPT_JOBS:
                oldest = next(iter(self._jobs.values()))
                if not oldest.finished.is_set():
                    break
                self._jobs.popitem(last=False)
        self._worker.submit(self._run, job)
        return job

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    def shutdown(self) -> None:
        self._worker.shutdown(wait=False, cancel_futures=True)

    def _run(self, job: Job) -> None:
        job.state = "running"
        try:
            articles = job.articles + self._fetch(job)
            job.result = self._ingest(job, articles)
            job.state = "done"
        except NewsfuseError as error:
            job.state, job.error = "failed", str(error)
        except Exception as error:  # a bug: keep the worker alive for the next job, say so on the page
            log.exception("ingestion job %s failed", job.id)
            job.state, job.error = "failed", f"internal error while ingesting ({type(error).__name__}); see the server log"
        finally:
            job.phase = "finished"
            job.articles = []  # the texts are in the store now; do not keep them in memory
            job.finished.set()

    def _fetch(self, job: Job) -> list[Article]:
        from ..ingest.urls import fetch_articles

        if not job.urls:
            return []
        job.phase, job.done, job.total = "fetching", 0, len(job.urls)
        fetched: list[Article] = []
        for url in job.urls:
            try:
                fetched.extend(fetch_articles(url, self.fetch_options, job.warnings))
            except NewsfuseError as error:  # one bad URL does not stop the others
                job.warnings.append(str(error))
            job.done += 1
        if not fetched and not job.articles:
            raise NewsfuseError(job.warnings[0] if len(job.warnings) == 1 else
                                f"none of the {len(job.urls)} URLs could be read (first: {job.warnings[0]})")
        return fetched

    def _ingest(self, job: Job, articles: list[Article]) -> dict:
        from ..store import SQLiteStore
        from ..stream import IngestResult, ingest_articles

        job.phase, job.done, job.total = "ingesting", 0, len(articles)
        results = []
        # in about 20 chunks, so the page can show progress; each chunk restores the clustering state
        # from the store (what a chunk stored, the next one sees), so there are never many more
        size = max(1, math.ceil(len(articles) / 20))
        store = SQLiteStore(self.store_path)
        try:
            for start in range(0, len(articles), size):
                chunk = articles[start:start + size]
                results.append(ingest_articles(chunk, store, self.ingest_options))
                job.done += len(chunk)
        finally:
            store.close()
        return _combined(results or [IngestResult()]) | {"read": len(articles)}


def _combined(results: list) -> dict:
    """The chunks' IngestResults as one: counts added up, story sets joined, and its summary line."""
    total = type(results[0])()
    for result in results:
        for item in dataclasses.fields(result):
            value = getattr(result, item.name)
            if isinstance(value, bool):
                continue
            if isinstance(value, int):
                setattr(total, item.name, getattr(total, item.name) + value)
            elif isinstance(value, set):
                getattr(total, item.name).update(value)
    data = {item.name: getattr(total, item.name) for item in dataclasses.fields(total)
            if isinstance(getattr(total, item.name), (int, set)) and not isinstance(getattr(total, item.name), bool)}
    return {name: sorted(value) if isinstance(value, set) else value for name, value in data.items()} | {"summary": total.summary()}
