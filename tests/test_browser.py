"""The web app in a real headless Chromium: add the sample through the page, read the story, follow a citation.

Needs Debian's chromium (`apt-get install chromium chromium-driver`) and Playwright for Python
(driven against that binary; `playwright install` is never needed).
"""
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import SAMPLE

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
HIGHLIGHT = "rgb(255, 226, 122)"  # --mark in style.css

if not Path(CHROMIUM).exists():
    pytest.skip("chromium is not installed (apt-get install chromium chromium-driver)", allow_module_level=True)
playwright = pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed (pip install playwright)")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def server(tmp_path):
    """`newsfuse serve` in a subprocess on a free port, over an empty store."""
    port = _free_port()
    log = open(tmp_path / "serve.log", "w")
    process = subprocess.Popen([sys.executable, "-m", "newsfuse.cli", "serve", "--db", str(tmp_path / "news.db"), "--port", str(port)],
                               stdout=log, stderr=subprocess.STDOUT, env=dict(os.environ, PYTHONUNBUFFERED="1"))
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(url + "/api/health", timeout=2).read()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError("newsfuse serve did not start: " + (tmp_path / "serve.log").read_text())
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


def _words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.casefold()))


def test_add_sample_read_story_and_follow_a_citation(server, tmp_path):
    sample_files = [str(p) for p in sorted(SAMPLE.iterdir()) if p.suffix in (".txt", ".html")]
    errors: list[str] = []
    with playwright.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 860})
            page.set_default_timeout(60_000)  # the first story page loads the language models
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)  # CSP violations land here
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)

            # add the sample's files through the page, and watch the job finish
            page.goto(server + "/add")
            big = tmp_path / "big.txt"
            big.write_bytes(b"A headline\n\n" + b"word " * (11 * 1024 * 1024 // 5))
            page.set_input_files("input[name=files]", [str(big)])
            page.click("form.add button[type=submit]")  # over the 10 MB limit: refused before uploading
            assert page.locator("#too-large").is_visible() and "the limit is 10 MB" in page.inner_text("#too-large")
            assert page.url == server + "/add"
            page.set_input_files("input[name=files]", sample_files)
            page.click("form.add button[type=submit]")
            page.wait_for_url(re.compile(r"/jobs/"))
            page.wait_for_selector(".job[data-state=done]", timeout=45_000)
            assert "7 new articles" in page.inner_text(".job-state")

            # the list shows the newest story first: the March 2026 flood, reported by six outlets
            page.goto(server + "/")
            links = page.locator("a.story-link")
            assert links.count() >= 1
            assert "2026-03-11" in page.locator("ol.stories li").first.inner_text()
            links.first.click()
            page.wait_for_selector(".summary li")
            assert "barrier" in page.inner_text("h1").lower()
            assert page.locator("aside.articles section.article").count() >= 6

            # click the first summary sentence's first citation: its source sentence is shown, highlighted
            first = page.locator(".summary li").first
            cite = first.locator("a.cite").first
            target = cite.get_attribute("href")
            assert re.fullmatch(r"#a\d+-s\d+", target), target
            cite.click()
            sentence = page.locator(target)
            page.wait_for_function("id => document.getElementById(id).classList.contains('hl')", arg=target[1:])
            assert sentence.is_visible() and sentence.evaluate("e => getComputedStyle(e).backgroundColor") == HIGHLIGHT
            box, panel = sentence.bounding_box(), page.locator("aside.articles").bounding_box()
            assert panel["y"] <= box["y"] and box["y"] + box["height"] <= panel["y"] + panel["height"] + 1  # scrolled into view
            summary_text = first.inner_text().split("[")[0]
            shared = _words(summary_text) & _words(sentence.inner_text())
            assert len(shared) >= 0.5 * len(_words(summary_text)), (summary_text, sentence.inner_text())
            assert page.locator(".sent.hl").count() == 1

            # a citation of another article moves the highlight there
            other = page.locator(".summary a.cite").nth(1)
            other.click()
            assert page.locator(".sent.hl").count() == 1
            assert page.locator(other.get_attribute("href")).get_attribute("class") == "sent hl"

            last = page.locator(".summary a.cite").last  # deep in the article panel: it scrolls there
            last.click()
            assert page.locator(last.get_attribute("href")).is_visible()
            page.screenshot(path=str(tmp_path / "story-page.png"))

            # markup in an article is shown as text: no script runs, no element is made from it
            hostile = "<b>markup</b> <script>alert(1)</script>"
            body = json.dumps({"id": "hostile", "source": "Night Desk", "date": "2024-05-02", "title": f"Zebra count {hostile}",
                               "text": f"Rangers counted 4,210 zebras this week {hostile}.\n\nThe survey took nine days."})
            request = urllib.request.Request(server + "/api/articles?wait=true", data=body.encode(),
                                             headers={"content-type": "application/json"})
            story_id = json.loads(urllib.request.urlopen(request, timeout=60).read())["result"]["stories"][0]
            dialogs: list[str] = []
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            for path in ("/", f"/stories/{story_id}"):
                page.goto(server + path)
                assert hostile in page.inner_text("main"), path
                assert page.locator("main b, main script").count() == 0, path
            assert dialogs == []
        finally:
            browser.close()
    assert (tmp_path / "story-page.png").stat().st_size > 20_000
    assert errors == []
