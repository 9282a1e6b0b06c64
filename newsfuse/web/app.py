"""The web app: a JSON API under /api and server-rendered pages over one store.

`create_app(store_path, options)` builds the FastAPI app; `serve(...)` runs it with uvicorn
(`newsfuse serve`). Reads open the store per request; writes go through one job worker (jobs.py).
The user's mistakes become {"error": "..."} with a 4xx on /api, an error page elsewhere; the
server keeps serving after any of them.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import re
import socket
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from .. import __version__
from ..ingest.urls import FetchOptions
from ..model import NewsfuseError
from ..pipeline import Options
from ..stream import IngestOptions
from .inputs import articles_from_json, articles_from_paste, articles_from_upload
from .jobs import JobRunner

log = logging.getLogger("newsfuse.web")
HERE = Path(__file__).parent
REPORT_CACHE = 16  # story reports kept in memory; a story that grows gets a new one
WORD = re.compile(r"\w+")


def _report_options() -> Options:
    return Options.with_words(120)  # what `newsfuse report --story ID` uses


@dataclass(frozen=True)
class WebOptions:
    """Every setting of the web app, built once by the CLI (or a test) and passed to create_app."""

    fetch: FetchOptions = field(default_factory=FetchOptions)  # allow_private: --allow-private-fetch
    report: Options = field(default_factory=_report_options)
    ingest: IngestOptions = field(default_factory=IngestOptions)
    max_request_bytes: int = 10 * 1024 * 1024  # one upload, paste or JSON body
    max_urls: int = 50  # URLs in one request
    wait_timeout: float = 300.0  # seconds ?wait=true waits for its job


class NotFound(Exception):
    """An unknown story or job: 404."""


class RequestTooLarge(Exception):
    pass


def create_app(store_path: str | Path, options: WebOptions = WebOptions()) -> FastAPI:
    """The app over the store at store_path (created if missing). Raises NewsfuseError if it cannot be opened."""
    from ..store import SQLiteStore

    store_path = Path(store_path)
    SQLiteStore(store_path).close()  # create it now, so that a bad path fails at start, not on the first page
    state = AppState(store_path, options)
    app = FastAPI(title="newsfuse", version=__version__, openapi_url="/api/openapi.json",
                  docs_url=None, redoc_url=None,  # their pages load scripts from a CDN: not offline, not CSP-safe
                  description="Many outlets' articles in, stories with one cited summary out.")
    app.state.newsfuse = state
    app.add_middleware(SafetyMiddleware, max_bytes=options.max_request_bytes)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    _add_error_handlers(app, state)
    _add_api(app, state)
    _add_pages(app, state)
    app.router.on_shutdown.append(state.jobs.shutdown)
    return app


class AppState:
    def __init__(self, store_path: Path, options: WebOptions):
        self.store_path = store_path
        self.options = options
        self.jobs = JobRunner(store_path, options.ingest, options.fetch)
        self.templates = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(default=True))
        self._reports: OrderedDict[tuple, object] = OrderedDict()
        self._search: dict[str, tuple[int, str]] = {}  # story id -> (size, its searchable text)
        self._report_lock = threading.Lock()  # one report at a time: models load once, no double work

    def store(self):
        """The store, opened for this request (SQLite connections stay in their thread) and closed after."""
        from ..store import SQLiteStore

        return contextlib.closing(SQLiteStore(self.store_path, create=False))

    def stories(self, q: str | None, since: dt.date | None, until: dt.date | None) -> list:
        """Stored stories, newest first, last seen on or after `since`, first seen on or before `until`,
        whose headline, outlets, article titles or texts contain every word of q (an entity's name works)."""
        with self.store() as store:
            rows = [r for r in store.stories(since=since) if until is None or r.first_seen <= until.isoformat()]
            words = WORD.findall(q.casefold()) if q else []
            if not words:
                return rows
            return [r for r in rows if all(re.search(rf"\b{re.escape(w)}\b", self._searchable(store, r)) for w in words)]

    def _searchable(self, store, row) -> str:
        cached = self._search.get(row.id)
        if cached is None or cached[0] != row.size:
            _, articles = store.story(row.id)
            text = "\n".join([row.title, *row.outlets, *(f"{a.title or ''}\n{a.text}" for a in articles)])
            cached = self._search[row.id] = (row.size, text.casefold())
        return cached[1]

    def report(self, story_id: str):
        """The story's report (stream.stored_story_report), cached while the story does not change."""
        from ..stream import stored_story_report

        with self.store() as store:
            try:
                row, _ = store.story(story_id)
            except NewsfuseError:
                raise NotFound(f"no story {story_id!r} in this store") from None
            key = (row.id, row.size, row.last_seen, row.title)
            with self._report_lock:
                report = self._reports.get(key)
                if report is None:
                    report = stored_story_report(store, story_id, self.options.report)
                    self._reports[key] = report
                    while len(self._reports) > REPORT_CACHE:
                        self._reports.popitem(last=False)
                self._reports.move_to_end(key)
        return report

    def render(self, template: str, status: int = 200, **context) -> HTMLResponse:
        html = self.templates.get_template(template).render(version=__version__, **context)
        return HTMLResponse(html, status_code=status)



# --- safety ------------------------------------------------------------------------------------

SECURITY_HEADERS = [
    (b"content-security-policy", b"default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
                                 b"frame-ancestors 'none'; form-action 'self'"),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
]


class SafetyMiddleware:
    """Security headers on every response; request bodies over max_bytes refused with 413 before
    the app reads them (by Content-Length), or as soon as a streamed body passes the limit."""

    def __init__(self, app, max_bytes: int):
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_with_headers(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                names = {name.lower() for name, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [h for h in SECURITY_HEADERS if h[0] not in names]
            await send(message)

        length = dict(scope.get("headers", [])).get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.max_bytes:
            await self._too_large(scope, send_with_headers)
            return
        received = 0

        async def counting_receive():
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.max_bytes:
                raise RequestTooLarge()
            return message

        try:
            await self.app(scope, counting_receive, send_with_headers)
        except RequestTooLarge:
            if not started:
                await self._too_large(scope, send_with_headers)

    async def _too_large(self, scope, send):
        message = f"request is over the {_size(self.max_bytes)} limit; send fewer or smaller files"
        if scope["path"].startswith("/api"):
            response = JSONResponse({"error": message}, status_code=413)
        else:
            response = HTMLResponse(_plain_error_page(413, message), status_code=413)
        response.headers["Connection"] = "close"  # the rest of the body is not read
        await response({"type": "http"}, _no_body, send)


def _size(n: int) -> str:
    return f"{n / (1024 * 1024):g} MB" if n >= 1024 * 1024 else f"{n / 1024:g} KB"


async def _no_body():
    return {"type": "http.request", "body": b"", "more_body": False}


def _plain_error_page(status: int, message: str) -> str:
    from html import escape

    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Error {status}</title>'
            f'<link rel="stylesheet" href="/static/style.css"></head><body><main><h1>Error {status}</h1>'
            f'<p class="error">{escape(message)}</p><p><a href="/">Stories</a> · <a href="/add">Add articles</a></p></main></body></html>')


def _add_error_handlers(app: FastAPI, state: AppState) -> None:
    def respond(request: Request, status: int, message: str) -> Response:
        if request.url.path.startswith("/api"):
            return JSONResponse({"error": message}, status_code=status)
        return state.render("error.html", status=status, status_code=status, message=message)

    @app.exception_handler(NewsfuseError)
    async def bad_input(request: Request, error: NewsfuseError):
        return respond(request, 400, str(error))

    @app.exception_handler(NotFound)
    async def not_found(request: Request, error: NotFound):
        return respond(request, 404, str(error))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException):
        message = {404: f"no such page: {request.url.path}", 405: f"{request.method} is not allowed on {request.url.path}"}
        return respond(request, error.status_code, message.get(error.status_code, str(error.detail)))

    @app.exception_handler(RequestValidationError)
    async def invalid_parameter(request: Request, error: RequestValidationError):
        first = error.errors()[0] if error.errors() else {}
        where = ".".join(str(part) for part in first.get("loc", ()) if part not in ("query", "path", "body"))
        return respond(request, 400, f"{where or 'request'}: {first.get('msg', 'invalid value')}")

    @app.exception_handler(Exception)
    async def bug(request: Request, error: Exception):
        log.exception("error on %s %s", request.method, request.url.path)
        return respond(request, 500, f"internal error ({type(error).__name__}); see the server log")


# --- API ---------------------------------------------------------------------------------------

ARTICLE_SCHEMA = {
    "type": "object", "required": ["id"],
    "properties": {name: {"type": "string"} for name in ("id", "source", "outlet", "url", "title", "text", "html")}
    | {"date": {"type": "string", "format": "date", "description": "YYYY-MM-DD"}},
    "description": 'One article; "text" or "html" is required.',
}
JOB_DESCRIPTION = ("Returns 202 and the ingestion job (poll `GET /api/jobs/{id}`); with `?wait=true`, "
                   "waits and returns the finished job (200), or the job's error (400).")


def _add_api(app: FastAPI, state: AppState) -> None:
    options = state.options

    @app.get("/api/health", tags=["api"])
    def health() -> dict:
        with state.store() as store:
            articles, stories = store.counts()
        return {"status": "ok", "version": __version__, "articles": articles, "stories": stories}

    @app.get("/api/stories", tags=["api"], summary="Stored stories, newest first")
    def list_stories(q: str | None = None, since: str | None = None, until: str | None = None) -> dict:
        rows = state.stories(q, _date(since, "since"), _date(until, "until"))
        return {"stories": [row.to_json() | {"url": f"/api/stories/{row.id}"} for row in rows]}

    @app.get("/api/stories/{story_id}", tags=["api"], summary="One story's report JSON (as `newsfuse report --story ID --format json`)")
    def get_story(story_id: str) -> dict:
        from ..report.json import report_to_dict

        return report_to_dict(state.report(story_id))

    @app.post("/api/articles", tags=["api"], status_code=202, summary="Add one article object or a list of them",
              description=JOB_DESCRIPTION, openapi_extra={"requestBody": {"required": True, "content": {
                  "application/json": {"schema": {"oneOf": [ARTICLE_SCHEMA, {"type": "array", "items": ARTICLE_SCHEMA}]}}}}})
    async def post_articles(request: Request, wait: bool = False):
        body = await request.body()
        try:
            value = json.loads(body.decode("utf-8"))
        except UnicodeDecodeError:
            raise NewsfuseError("request body: not valid UTF-8") from None
        except json.JSONDecodeError as error:
            raise NewsfuseError(f"request body: invalid JSON ({error.msg} at line {error.lineno} column {error.colno})") from None
        articles = await run_in_threadpool(articles_from_json, value)
        return await _job_response(state, state.jobs.submit(articles), wait)

    @app.post("/api/urls", tags=["api"], status_code=202, summary="Fetch and add article pages or RSS/Atom feeds",
              description=JOB_DESCRIPTION + " Loopback and private addresses are refused unless the server runs "
                                            "with --allow-private-fetch.",
              openapi_extra={"requestBody": {"required": True, "content": {"application/json": {"schema": {
                  "type": "object", "required": ["urls"],
                  "properties": {"urls": {"type": "array", "items": {"type": "string", "format": "uri"}}}}}}}})
    async def post_urls(request: Request, wait: bool = False):
        try:
            value = json.loads((await request.body()).decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise NewsfuseError('request body: expected JSON {"urls": ["https://...", ...]}') from None
        urls = value.get("urls") if isinstance(value, dict) else None
        if not isinstance(urls, list) or not all(isinstance(u, str) for u in urls):
            raise NewsfuseError('request body: expected JSON {"urls": ["https://...", ...]}')
        return await _job_response(state, state.jobs.submit([], _check_urls(urls, options.max_urls)), wait)

    @app.post("/api/uploads", tags=["api"], status_code=202, summary="Add uploaded article files (multipart field `files`)",
              description=JOB_DESCRIPTION + " Files are read as the CLI reads them: .txt, .html, .json, .jsonl, feeds.",
              openapi_extra={"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
                  "type": "object", "properties": {"files": {"type": "array", "items": {"type": "string", "format": "binary"}}}}}}}})
    async def post_uploads(request: Request, wait: bool = False):
        articles, urls = await _read_form(request, state)
        return await _job_response(state, state.jobs.submit(articles, urls), wait)

    @app.get("/api/jobs/{job_id}", tags=["api"], summary="An ingestion job's progress and result")
    def get_job(job_id: str) -> dict:
        return _job(state, job_id).to_json()


async def _job_response(state: AppState, job, wait: bool):
    if not wait:
        return JSONResponse(job.to_json(), status_code=202)
    await run_in_threadpool(job.finished.wait, state.options.wait_timeout)
    if job.state == "failed":
        return JSONResponse({"error": job.error, "job": job.to_json()}, status_code=400)
    return JSONResponse(job.to_json(), status_code=200 if job.state == "done" else 202)


def _job(state: AppState, job_id: str):
    job = state.jobs.get(job_id)
    if job is None:
        raise NotFound(f"no job {job_id!r} (finished jobs are forgotten when the server restarts)")
    return job


def _date(value: str | None, name: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise NewsfuseError(f"{name}: not a date (YYYY-MM-DD): {value!r}") from None


def _check_urls(urls: list[str], limit: int) -> list[str]:
    urls = [u.strip() for u in urls if u.strip()]
    if not urls:
        raise NewsfuseError("no URLs given")
    if len(urls) > limit:
        raise NewsfuseError(f"{len(urls)} URLs in one request; the limit is {limit}")
    for url in urls:
        if not url.lower().startswith(("http://", "https://")):
            raise NewsfuseError(f"{url}: only http and https URLs are fetched")
    return list(dict.fromkeys(urls))


async def _read_form(request: Request, state: AppState):
    """The add form (or an API upload): files, pasted text and URLs, each read or checked now, so that
    a bad file is reported at once, naming it; fetching and storing happen in the job."""
    limit = state.options.max_request_bytes
    articles = []
    async with request.form(max_files=500, max_fields=20, max_part_size=limit) as form:  # closes the spooled files
        for upload in form.getlist("files"):
            if isinstance(upload, str) or not upload.filename:  # an empty file input sends one nameless part
                continue
            data = await upload.read()
            articles.extend(await run_in_threadpool(articles_from_upload, upload.filename, data))
        paste = form.get("text")
        urls_field = form.get("urls")
    if isinstance(paste, str) and paste.strip():
        articles.extend(await run_in_threadpool(articles_from_paste, paste))
    urls = []
    if isinstance(urls_field, str) and urls_field.strip():
        urls = _check_urls(urls_field.split(), state.options.max_urls)
    if not articles and not urls:
        raise NewsfuseError("nothing to add: choose files, paste an article or give URLs")
    return articles, urls


# --- pages -------------------------------------------------------------------------------------


def _add_pages(app: FastAPI, state: AppState) -> None:
    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def stories_page(q: str | None = None, since: str | None = None, until: str | None = None):
        rows = state.stories(q, _date(since, "since"), _date(until, "until"))
        return state.render("stories.html", rows=rows, q=q or "", since=since or "", until=until or "")

    @app.get("/stories/{story_id}", response_class=HTMLResponse, include_in_schema=False)
    def story_page(story_id: str):
        from ..report.json import story_to_dict
        from .views import story_view

        report = state.report(story_id)
        story = report.stories[0]
        return state.render("story.html", story=story_view(story, story_to_dict(story)))

    @app.get("/add", response_class=HTMLResponse, include_in_schema=False)
    def add_page():
        return state.render("add.html", limit=_size(state.options.max_request_bytes), limit_bytes=state.options.max_request_bytes,
                            allow_private=state.options.fetch.allow_private)

    @app.post("/add", include_in_schema=False)
    async def add_submit(request: Request):
        articles, urls = await _read_form(request, state)
        job = state.jobs.submit(articles, urls)
        return RedirectResponse(f"/jobs/{job.id}", status_code=303)

    @app.get("/jobs/{job_id}", response_class=HTMLResponse, include_in_schema=False)
    def job_page(job_id: str):
        job = _job(state, job_id).to_json()
        titles = {}
        if job["result"] and job["result"]["stories"]:
            with state.store() as store:
                titles = {row.id: row.title for row in store.stories()}
        return state.render("job.html", job=job, titles=titles)


# --- serving -----------------------------------------------------------------------------------


def serve(store_path: str | Path, host: str = "127.0.0.1", port: int = 8000, options: WebOptions = WebOptions()) -> None:
    """Run the app with uvicorn until interrupted. NewsfuseError if the store or the address is unusable."""
    import uvicorn

    app = create_app(store_path, options)
    try:  # a taken port is the user's mistake: say so in one line instead of uvicorn's exit
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
    except OSError as error:
        raise NewsfuseError(f"{host}:{port}: cannot listen there ({error.strerror or error})") from None
    print(f"newsfuse: serving {store_path} at http://{'[' + host + ']' if ':' in host else host}:{port}/ (Ctrl-C stops)", flush=True)
    uvicorn.run(app, host=host, port=port, log_level="warning")
