"""The web app through FastAPI's TestClient: the API contract, escaping, limits, errors, and that
the server keeps serving after bad requests. (tests/test_browser.py drives it in a real browser.)"""
import functools
import http.server
import json
import re
import socket
import threading
import time

import pytest

fastapi = pytest.importorskip("fastapi", reason="the web app needs fastapi (pip install fastapi uvicorn python-multipart)")
from fastapi.testclient import TestClient  # noqa: E402

from conftest import SAMPLE  # noqa: E402
from newsfuse.ingest.urls import FetchOptions  # noqa: E402
from newsfuse.web import WebOptions, create_app  # noqa: E402

HOSTILE = "<b>markup</b> <script>alert(1)</script>"
HOSTILE_ARTICLE = {
    "id": "zebra-1", "source": "Savanna <i>Times</i>", "date": "2024-05-02", "url": "https://savanna.example/zebra",
    "title": f"Zebra count rises {HOSTILE}",
    "text": (f"Rangers counted 4,210 zebras in the northern reserve this week {HOSTILE}, up from 3,900 last year.\n\n"
             "The survey used two light aircraft and took nine days, the reserve's warden said.\n\n"
             "Drought had cut the herd in 2022, but rains since then have restored the grazing."),
}
SAMPLE_FILES = sorted(p for p in SAMPLE.iterdir() if p.suffix in (".txt", ".html"))


def _upload(paths):
    return [("files", (p.name, p.read_bytes())) for p in paths]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """An app over a store holding the sample story and one hostile article (another story, 2024)."""
    db = tmp_path_factory.mktemp("web") / "news.db"
    with TestClient(create_app(db)) as client:
        added = client.post("/api/uploads?wait=true", files=_upload(SAMPLE_FILES))
        assert added.status_code == 200, added.text
        hostile = client.post("/api/articles?wait=true", json=HOSTILE_ARTICLE)
        assert hostile.status_code == 200, hostile.text
        yield client, db, added.json(), hostile.json()


def _stories(client, **params):
    response = client.get("/api/stories", params=params)
    assert response.status_code == 200, response.text
    return response.json()["stories"]


def _sample_story_id(client):
    return next(s["id"] for s in _stories(client) if "Harbour Ledger" in s["outlets"])


def _hostile_story_id(client):
    return next(s["id"] for s in _stories(client) if s["last_seen"] == "2024-05-02")


# --- API contract ------------------------------------------------------------------------------


def test_upload_job_reports_what_it_stored(site):
    _, _, added, hostile = site
    assert added["state"] == "done" and added["done"] == added["total"] == len(SAMPLE_FILES)
    assert added["result"]["added"] == len(SAMPLE_FILES) and added["result"]["read"] == len(SAMPLE_FILES)
    assert hostile["result"]["added"] == 1 and len(hostile["result"]["stories"]) == 1


def test_stories_newest_first_with_their_fields(site):
    client, _, _, _ = site
    stories = _stories(client)
    assert [s["last_seen"] for s in stories] == sorted((s["last_seen"] for s in stories), reverse=True)
    sample = stories[0]
    assert sample["last_seen"] == "2026-03-11" and "Harbour Ledger" in sample["outlets"]
    assert set(sample) >= {"id", "title", "size", "outlets", "first_seen", "last_seen", "open", "url"}
    assert stories[-1]["last_seen"] == "2024-05-02"
    assert client.get("/api/health").json() | {"version": None} == {
        "status": "ok", "version": None, "articles": len(SAMPLE_FILES) + 1, "stories": len(stories)}


def test_story_json_is_what_the_cli_reports(site, cli):
    client, db, _, _ = site
    story_id = _sample_story_id(client)
    response = client.get(f"/api/stories/{story_id}")
    assert response.status_code == 200
    code, out, _ = cli("report", "--story", story_id, "--db", db, "--format", "json")
    assert code == 0
    assert response.json() == json.loads(out)
    story = response.json()["stories"][0]
    assert story["id"] == story_id and story["summary"] and all(s["sources"] for s in story["summary"])


def test_search_by_word_or_entity_and_filter_by_date(site):
    client, _, _, _ = site
    sample, hostile = _sample_story_id(client), _hostile_story_id(client)
    # the sample's off-event article may be a story of its own (clustering decides): it names the engineer too
    named = [s["id"] for s in _stories(client, q="Priya Nandakumar")]
    assert sample in named and hostile not in named
    assert named == [s["id"] for s in _stories(client, q="nandakumar")]
    assert [s["id"] for s in _stories(client, q="ZEBRAS")] == [hostile]  # case-insensitive, whole words
    assert _stories(client, q="zebr") == []
    assert _stories(client, q="Nandakumar zebras") == []  # every word must occur
    assert sample in [s["id"] for s in _stories(client, since="2026-01-01")]
    assert hostile not in [s["id"] for s in _stories(client, since="2026-01-01")]
    assert [s["id"] for s in _stories(client, until="2024-12-31")] == [hostile]  # stories seen within the dates
    assert {s["id"] for s in _stories(client, since="2024-01-01", until="2026-12-31")} == {
        s["id"] for s in _stories(client) if s["last_seen"] >= "2024-01-01" and s["first_seen"] <= "2026-12-31"} >= {sample, hostile}
    assert _stories(client, since="2026-04-01") == [] and _stories(client, until="2024-05-01") == []
    page = client.get("/", params={"q": "zebras"}).text
    assert f'href="/stories/{hostile}"' in page and f'href="/stories/{sample}"' not in page


def test_openapi_schema_lists_the_api(site):
    client, _, _, _ = site
    schema = client.get("/api/openapi.json").json()
    for path, method in [("/api/articles", "post"), ("/api/urls", "post"), ("/api/uploads", "post"), ("/api/stories", "get"),
                         ("/api/stories/{story_id}", "get"), ("/api/jobs/{job_id}", "get"), ("/api/health", "get")]:
        assert method in schema["paths"][path], path
    body = schema["paths"]["/api/articles"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert body["oneOf"][1]["type"] == "array"


def test_job_is_polled_until_done_and_a_repeat_is_a_duplicate(site):
    client, _, _, _ = site
    articles = [{"id": f"rain-{n}", "source": f"Weather Desk {n}", "date": f"2023-01-0{n}", "title": f"Rain report {n}",
                 "text": f"Rain fell across the valley on day {n}, the weather office said.\n\nRivers rose slowly."} for n in (1, 2)]
    response = client.post("/api/articles", json=articles)
    assert response.status_code == 202
    job = response.json()
    assert job["state"] in ("queued", "running", "done") and job["url"] == f"/api/jobs/{job['id']}"
    deadline = time.monotonic() + 60
    while job["state"] not in ("done", "failed") and time.monotonic() < deadline:
        time.sleep(0.1)
        job = client.get(job["url"]).json()
    assert job["state"] == "done" and job["done"] == job["total"] == 2 and job["result"]["added"] == 2
    again = client.post("/api/articles?wait=true", json=articles).json()
    assert again["result"]["added"] == 0 and again["result"]["duplicates"] == 2
    assert client.get("/api/jobs/nope").status_code == 404


# --- pages -------------------------------------------------------------------------------------


def test_article_markup_is_escaped_on_every_page(site):
    client, _, _, hostile = site
    story_id = _hostile_story_id(client)
    pages = {
        "list": client.get("/").text,
        "search": client.get("/", params={"q": "zebras"}).text,
        "story": client.get(f"/stories/{story_id}").text,
        "job": client.get(f"/jobs/{hostile['id']}").text,
    }
    for name, page in pages.items():
        assert "<script>alert(1)" not in page and "<b>markup" not in page, name
        assert len(re.findall(r"<script\b", page)) == 1, name  # only the app's own /static/app.js
        assert "&lt;b&gt;markup&lt;/b&gt; &lt;script&gt;alert(1)&lt;/script&gt;" in page, name
    story = pages["story"]
    assert "Savanna &lt;i&gt;Times&lt;/i&gt;" in story and "<i>Times" not in story
    assert "4,210 zebras in the northern reserve this week &lt;b&gt;markup" in story  # the article text too


def test_story_page_citations_point_at_their_source_sentences(site):
    client, _, _, _ = site
    story_id = _sample_story_id(client)
    page = client.get(f"/stories/{story_id}").text
    data = client.get(f"/api/stories/{story_id}").json()["stories"][0]
    sentences = dict(re.findall(r'<span class="sent" id="(a\d+-s\d+)">(.*?)</span>', page, re.S))
    items = re.findall(r'<section class="summary">.*?</section>', page, re.S)[0]
    rows = re.findall(r"<li>(.*?)</li>", items, re.S)
    assert len(rows) == len(data["summary"])
    numbers = {a["id"]: n for n, a in enumerate(data["articles"], 1)}
    for row, sentence in zip(rows, data["summary"]):
        targets = re.findall(r'class="cite" href="#(a(\d+)-s\d+)"', row)
        assert sorted(int(n) for _, n in targets) == sorted(numbers[a] for a in sentence["sources"])
        words = set(re.findall(r"\w+", sentence["text"].casefold()))
        for anchor, _ in targets:  # each citation's sentence states (most of) the summary sentence
            cited = set(re.findall(r"\w+", sentences[anchor].casefold()))
            assert len(words & cited) >= 0.5 * len(words), (sentence["text"], sentences[anchor])
    for section in ("Coverage", "Articles"):
        assert f"<h2>{section}</h2>" in page


def test_paste_form_redirects_to_a_job_page_that_links_the_story(site):
    client, _, _, _ = site
    text = ("Lighthouse keeper retires after forty years\n\nThe keeper of the Dunmore lighthouse retired on Friday "
            "after forty years of service, the harbour board said.\n\nShe lit the lamp for the last time at dusk.")
    response = client.post("/add", data={"text": text, "urls": ""}, files=[("files", ("", b""))], follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/jobs/")
    job_id = response.headers["location"].rsplit("/", 1)[1]
    assert client.get(f"/api/jobs/{job_id}").status_code == 200
    [story_id] = _wait(client, job_id)["result"]["stories"]
    page = client.get(f"/jobs/{job_id}").text
    assert "Done: 1 new article in 1 story" in page and f'<a href="/stories/{story_id}">' in page
    assert [s["id"] for s in _stories(client, q="Dunmore lighthouse")] == [story_id]


def _wait(client, job_id):
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        job = client.get(f"/api/jobs/{job_id}").json()
        if job["state"] in ("done", "failed"):
            return job
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} did not finish")


def test_security_headers_on_pages_api_static_and_errors(site):
    client, _, _, _ = site
    for path in ["/", "/add", "/api/health", "/static/style.css", "/static/app.js", "/nope", "/api/stories/nope"]:
        headers = client.get(path).headers
        assert headers["content-security-policy"].startswith("default-src 'self'"), path
        assert headers["x-content-type-options"] == "nosniff", path
    page = client.get("/add").text
    assert "http://" not in page.replace('href="http', "") and "https://" not in page.replace("https://…", "")  # no CDN
    assert client.get("/docs").status_code == 404  # Swagger UI would load from a CDN


# --- errors and limits -------------------------------------------------------------------------


BAD_REQUESTS = [
    ("post", "/api/articles", {"content": b"{not json"}, 400, "request body: invalid JSON"),
    ("post", "/api/articles", {"content": b"\xff\xfe"}, 400, "not valid UTF-8"),
    ("post", "/api/articles", {"json": [{"id": "a", "text": "x"}, {"id": "b"}]}, 400,
     "request item 2: article 'b' has neither \"text\" nor \"html\""),
    ("post", "/api/articles", {"json": {"id": "c", "text": "x", "date": "yesterday"}}, 400, "not an ISO date"),
    ("post", "/api/articles", {"json": {"id": "d", "text": 5}}, 400, '"text" must be a string'),
    ("post", "/api/articles", {"json": []}, 400, "empty list"),
    ("post", "/api/articles", {"json": [1]}, 400, "expected a JSON object"),
    ("post", "/api/urls", {"json": {"url": "x"}}, 400, 'expected JSON {"urls"'),
    ("post", "/api/urls", {"json": {"urls": ["ftp://example.org/a"]}}, 400, "only http and https"),
    ("post", "/api/urls", {"json": {"urls": []}}, 400, "no URLs given"),
    ("post", "/api/uploads", {"files": [("files", ("report.pdf", b"%PDF-1.4"))]}, 400, "report.pdf: not an article file"),
    ("post", "/api/uploads", {"files": [("files", ("empty.txt", b"  \n"))]}, 400, "empty.txt: file is empty"),
    ("post", "/api/uploads", {"files": [("files", ("bad.jsonl", b'{"id": "1", "text": "A line."}\n{oops'))]}, 400, "bad.jsonl:2: invalid JSON"),
    ("post", "/api/uploads", {"files": [("files", ("latin.txt", "caf\xe9 news".encode("latin-1")))]}, 400, "latin.txt: not valid UTF-8"),
    ("post", "/api/uploads", {"data": {"text": "  "}}, 400, "nothing to add"),
    ("get", "/api/stories", {"params": {"since": "last week"}}, 400, "since: not a date (YYYY-MM-DD): 'last week'"),
    ("get", "/api/stories/s-unknown", {}, 404, "no story 's-unknown'"),
    ("get", "/api/nothing-here", {}, 404, "no such page: /api/nothing-here"),
    ("delete", "/api/stories", {}, 405, "DELETE is not allowed"),
    ("post", "/api/articles?wait=maybe", {"json": {"id": "w", "text": "x"}}, 400, "wait: Input should be a valid boolean"),
]


def test_bad_requests_get_one_line_json_errors_and_the_server_keeps_serving(site):
    client, _, _, _ = site
    for method, path, kwargs, status, message in BAD_REQUESTS:
        response = getattr(client, method)(path, **kwargs) if method != "post" else client.post(path, **kwargs)
        assert response.status_code == status, (path, response.text)
        error = response.json()["error"]
        assert message in error and "\n" not in error and "Traceback" not in error, (path, error)
    good = client.post("/api/articles?wait=true", json={"id": "after-errors", "source": "Late Desk", "date": "2022-02-02",
                                                        "text": "The ferry resumed service on Monday after the storm."})
    assert good.status_code == 200 and good.json()["result"]["added"] == 1
    assert client.get("/api/health").json()["status"] == "ok"


def test_bad_form_and_unknown_page_get_html_error_pages(site):
    client, _, _, _ = site
    response = client.post("/add", files=[("files", ("notes.docx", b"PK\x03\x04"))])
    assert response.status_code == 400 and response.headers["content-type"].startswith("text/html")
    assert "notes.docx: not an article file" in response.text and "<h1>Error 400</h1>" in response.text
    missing = client.get("/stories/s-0000000000")
    assert missing.status_code == 404 and "no story &#39;s-0000000000&#39;" in missing.text
    assert client.get("/stories/%3Cscript%3E").text.count("<script") == 1  # the unknown id is escaped too
    assert client.get("/").status_code == 200


def test_requests_over_the_size_limit_are_refused_and_the_server_keeps_serving(tmp_path):
    options = WebOptions(max_request_bytes=64 * 1024)
    with TestClient(create_app(tmp_path / "news.db", options)) as client:
        big = b"A headline\n\n" + b"word " * 20_000
        response = client.post("/api/uploads", files=[("files", ("big.txt", big))])
        assert response.status_code == 413 and response.json()["error"].startswith("request is over the 64 KB limit")
        page = client.post("/add", files=[("files", ("big.txt", big))])
        assert page.status_code == 413 and "text/html" in page.headers["content-type"] and "send fewer or smaller files" in page.text

        def chunks():  # no Content-Length: the limit is enforced while the body streams in
            for _ in range(40):
                yield b" " * 4096
        streamed = client.post("/api/articles", content=chunks(), headers={"content-type": "application/json"})
        assert streamed.status_code == 413
        assert client.post("/api/articles?wait=true", json={"id": "small", "text": "A small article about a bridge.",
                                                            "source": "Desk"}).status_code == 200


def test_too_many_urls_are_refused():
    from newsfuse.model import NewsfuseError
    from newsfuse.web.app import _check_urls

    with pytest.raises(NewsfuseError, match="51 URLs in one request; the limit is 50"):
        _check_urls([f"https://example.org/{n}" for n in range(51)], 50)


# --- URLs --------------------------------------------------------------------------------------


@pytest.fixture
def local_site(tmp_path):
    """A local web server with one of the sample's HTML pages and an RSS feed linking to it."""
    root = tmp_path / "www"
    root.mkdir()
    (root / "gazette.html").write_bytes((SAMPLE / "04_meridian-gazette.html").read_bytes())
    handler = functools.partial(_QuietHandler, directory=str(root))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    (root / "feed.xml").write_text(
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>Gazette</title><link>{base}/</link>'
        f"<item><title>Barrier</title><link>{base}/gazette.html</link></item></channel></rss>", encoding="utf-8")
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield base
    httpd.shutdown()
    httpd.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def test_urls_on_this_machine_are_refused_without_the_allow_flag(local_site, tmp_path):
    with TestClient(create_app(tmp_path / "news.db")) as client:
        response = client.post("/api/urls?wait=true", json={"urls": [local_site + "/gazette.html"]})
        assert response.status_code == 400
        assert "loopback" in response.json()["error"] and "--allow-private-fetch" in response.json()["error"]
        assert client.get("/api/health").json()["articles"] == 0


def test_urls_and_feeds_are_fetched_with_the_allow_flag(local_site, tmp_path):
    options = WebOptions(fetch=FetchOptions(allow_private=True))
    with TestClient(create_app(tmp_path / "news.db", options)) as client:
        page = client.post("/api/urls?wait=true", json={"urls": [local_site + "/gazette.html"]}).json()
        assert page["state"] == "done" and page["result"]["added"] == 1
        feed = client.post("/api/urls?wait=true", json={"urls": [local_site + "/feed.xml", local_site + "/missing.html"]}).json()
        assert feed["state"] == "done" and feed["result"]["duplicates"] == 1  # the feed's item is the page stored above
        assert any("missing.html" in w and "404" in w for w in feed["warnings"])
        story = _stories(client)[0]
        assert story["outlets"] == ["The Meridian Gazette"]


# --- the serve command -------------------------------------------------------------------------


def test_serve_refuses_a_taken_port_and_a_bad_store_in_one_line(cli, tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code, _, err = cli("serve", "--db", tmp_path / "news.db", "--port", port)
    assert code == 2 and err.startswith("newsfuse: error: 127.0.0.1:") and "cannot listen" in err and err.count("\n") == 1
    code, _, err = cli("serve", "--db", tmp_path)
    assert code == 2 and "is a directory" in err and err.count("\n") == 1


def test_web_module_is_not_loaded_by_the_cli_help(cli):
    import subprocess
    import sys

    probe = "import sys; from newsfuse.cli import main\ntry: main(['serve', '--help'])\nexcept SystemExit: pass\nprint('fastapi' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.strip().endswith("False")


def test_story_page_renders_without_the_analysis_fields(site):
    """The story page shows whatever the story JSON has: without the analysis it is the summary and articles."""
    from newsfuse.report.json import story_to_dict
    from newsfuse.web.views import story_view

    client, _, _, _ = site
    state = client.app.state.newsfuse
    story = state.report(_sample_story_id(client)).stories[0]
    full = story_to_dict(story)
    bare = {key: full[key] for key in ("id", "title", "summary")} | {
        "articles": [{k: v for k, v in a.items() if k not in ("role", "derived_from")} for a in full["articles"]]}
    page = state.templates.get_template("story.html").render(story=story_view(story, bare), version="test")
    assert "<h2>Summary</h2>" in page and 'class="cite" href="#a1-s' in page
    for absent in ("Coverage", "Timeline", "Quotes", "Where the outlets disagree"):
        assert f"<h2>{absent}</h2>" not in page
    assert page.count('<section class="article role-core"') == len(story.articles)


def test_jobs_run_one_at_a_time_and_reads_stay_available(tmp_path, monkeypatch):
    import newsfuse.stream

    release = threading.Event()
    real = newsfuse.stream.ingest_articles

    def held(*args, **kwargs):  # the first job's write waits until the test lets it go
        release.wait(30)
        return real(*args, **kwargs)

    monkeypatch.setattr(newsfuse.stream, "ingest_articles", held)
    with TestClient(create_app(tmp_path / "news.db")) as client:
        first = client.post("/api/articles", json={"id": "one", "source": "A", "text": "The bridge reopened on Monday."}).json()
        second = client.post("/api/articles", json={"id": "two", "source": "B", "text": "The ferry stopped on Monday."}).json()
        deadline = time.monotonic() + 10
        while client.get(first["url"]).json()["state"] != "running" and time.monotonic() < deadline:
            time.sleep(0.05)
        assert client.get(first["url"]).json()["state"] == "running"
        assert client.get(second["url"]).json()["state"] == "queued"  # one writer at a time
        for path in ("/", "/add", "/api/stories", "/api/health"):  # reads do not wait for the writer
            assert client.get(path).status_code == 200, path
        release.set()
        assert _wait(client, first["id"])["state"] == "done" and _wait(client, second["id"])["state"] == "done"
        assert client.get("/api/health").json()["articles"] == 2
