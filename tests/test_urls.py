"""Fetching URLs safely: a real HTTP server on 127.0.0.1 for the happy paths and the limits, and the
refusals of private, loopback and metadata addresses (literal, resolved, or reached by a redirect).

No test sends a packet anywhere but 127.0.0.1: every fetch goes through `_guarded_connect`, which
fails the test on any other address, and "public" hosts are fake names whose vetted public address
the guard maps onto the local server.
"""
import datetime as dt
import gzip
import ipaddress
import json
import socket
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from newsfuse.ingest import read_articles
from newsfuse.ingest.urls import FetchOptions, address_refusal, fetch, fetch_articles, parse_ip, url_article_id
from newsfuse.model import NewsfuseError

from conftest import ROOT, SAMPLE

HTML_PAGE = SAMPLE / "04_meridian-gazette.html"
TEXT_PAGE = SAMPLE / "01_harbour-ledger.txt"
TLS_CERT = ROOT / "tests" / "fixtures" / "tls-news-example.pem"  # self-signed for news.example only, key included
PUBLIC_IP = "93.184.216.34"  # what the fake resolver gives for news.example; the guard maps it to 127.0.0.1


# Newest first, as feeds list them: a page, a plain-text page, an image whose item has its own text
# in the feed, a metadata address (always refused, never connected to) and a title-only dead link.
RSS_FEED = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Local Wire</title>
<item><title>Inquiry ordered</title><link>/article</link><pubDate>Tue, 10 Mar 2026 21:15:00 GMT</pubDate></item>
<item><title>Harbour</title><link>/plain</link></item>
<item><title>Photo story</title><link>/image</link><pubDate>Mon, 09 Mar 2026 08:00:00 GMT</pubDate>
  <description>&lt;p&gt;The barrier gates were tested on Monday morning, the operator said.&lt;/p&gt;</description></item>
<item><title>Secret</title><link>http://169.254.169.254/latest/meta-data/</link></item>
<item><title>Gone</title><link>/nowhere</link></item>
</channel></rss>"""
ATOM_FEED = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom Wire</title>
<entry><title>Plain</title><link rel="alternate" href="/plain"/><id>urn:1</id><updated>2026-03-11T00:00:00Z</updated></entry>
<entry><title>Article</title><link rel="self" href="/feed"/><link href="/article"/><id>urn:2</id><updated>2026-03-10T00:00:00Z</updated></entry>
</feed>"""


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):  # keep pytest output clean
        pass

    def do_GET(self):
        server = self.server
        server.requests.append((self.path, self.headers.get("Host")))
        path, query = urlsplit(self.path).path, parse_qs(urlsplit(self.path).query)
        if path == "/article":
            self._send(200, "text/html; charset=utf-8", HTML_PAGE.read_bytes())
        elif path == "/plain":
            self._send(200, "text/plain", TEXT_PAGE.read_bytes())
        elif path == "/latin1":
            body = "<html><body><article><h1>Café</h1><p>" + "Le café du port a rouvert ses portes mardi. " * 8 + "</p></article></body></html>"
            self._send(200, "text/html; charset=iso-8859-1", body.encode("latin-1"))
        elif path.startswith("/hop/"):
            left = int(path.rsplit("/", 1)[1])
            self._redirect("/article" if left == 0 else f"/hop/{left - 1}")
        elif path == "/loop":
            self._redirect("/loop")
        elif path == "/to":
            self._redirect(query["url"][0])
        elif path == "/big":
            self._send(200, "text/html", b"<p>" + b"x" * 200_000 + b"</p>")
        elif path == "/big-unannounced":  # no Content-Length: the body ends when the connection closes
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            for _ in range(50):
                self.wfile.write(b"<p>" + b"y" * 4096 + b"</p>")
        elif path == "/gzip-bomb":  # 4 KB on the wire, 4 MB once decompressed
            self._send(200, "text/html", gzip.compress(b"<p>" + b"z" * 4_000_000), encoding="gzip")
        elif path == "/gzip":
            self._send(200, "text/html; charset=utf-8", gzip.compress(HTML_PAGE.read_bytes()), encoding="gzip")
        elif path == "/slow":
            server.release.wait(10)
            self._send(200, "text/html", b"<p>late</p>")
        elif path == "/drip":  # one byte every 50 ms: no single read waits long, the whole page would take 10 s
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", "200")
            self.end_headers()
            for _ in range(200):
                if server.release.wait(0.05):
                    break
                self.wfile.write(b"a")
                self.wfile.flush()
        elif path == "/image":
            self._send(200, "image/png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
        elif path == "/feed":
            self._send(200, "application/rss+xml", RSS_FEED.encode())
        elif path == "/atom":
            self._send(200, "application/xml", ATOM_FEED.encode())
        elif path == "/dead-feed":
            items = "".join(f"<item><title>{n}</title><link>/gone/{n}</link></item>" for n in range(3))
            self._send(200, "text/xml", f'<rss version="2.0"><channel><title>D</title>{items}</channel></rss>'.encode())
        elif path == "/not-a-feed.xml":
            self._send(200, "application/xml", b'<?xml version="1.0"?><config><item>1</item></config>')
        else:
            self._send(404, "text/plain", b"no such page")

    def _send(self, status, content_type, body, encoding=None):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        if encoding:
            self.send_header("Content-Encoding", encoding)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except OSError:  # the client stopped reading at its size limit
            pass

    def _redirect(self, location):
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()


def _local_server() -> ThreadingHTTPServer:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.daemon_threads = True
    httpd.requests = []
    httpd.release = threading.Event()
    return httpd


def _serve(httpd: ThreadingHTTPServer):
    """Serve in a thread while the fixture is in use, then stop."""
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield httpd
    httpd.release.set()  # wake the slow handlers
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def server():
    httpd = _local_server()
    httpd.base = f"http://127.0.0.1:{httpd.server_address[1]}"
    yield from _serve(httpd)


@pytest.fixture(scope="module")
def tls_server():
    """The same pages over HTTPS with a certificate for news.example; records the TLS names (SNI) asked for."""
    httpd = _local_server()
    httpd.server_names = []
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(TLS_CERT)
    context.sni_callback = lambda connection, name, ctx: httpd.server_names.append(name)
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    yield from _serve(httpd)


def _guarded_connect(port):
    """A connect hook that only ever reaches 127.0.0.1: PUBLIC_IP:80 is sent to the local server's port."""

    def connect(address, to_port, timeout):
        if address == PUBLIC_IP:
            address, to_port = "127.0.0.1", port
        assert ipaddress.ip_address(address).is_loopback, f"a test tried to connect to {address}"
        connect.calls.append(address)
        return socket.create_connection((address, to_port), timeout=timeout)

    connect.calls = []
    return connect


def _options(server, **overrides):
    overrides.setdefault("connect", _guarded_connect(server.server_address[1]))
    return FetchOptions(**overrides)


def _fake_dns(table):
    """A resolver from a table {host: [addresses]}, counting its lookups."""

    def resolve(host, port):
        resolve.lookups.append(host)
        if host not in table:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return table[host]

    resolve.lookups = []
    return resolve


# --- the happy paths against the local server ---------------------------------------------------


def test_html_page_becomes_one_article_with_its_metadata(server):
    articles = fetch_articles(f"{server.base}/article", _options(server, allow_private=True))
    assert len(articles) == 1
    article = articles[0]
    assert article.title == "Minister orders inquiry as Calder barrier failure floods 40 homes"
    assert article.source == "The Meridian Gazette"
    assert "A&B Marine consortium" in article.text
    assert article.url == f"{server.base}/article"
    assert article.origin == f"{server.base}/article"
    assert article.id == "127.0.0.1-article"


def test_plain_text_page_uses_the_plain_text_reader(server):
    article = fetch_articles(f"{server.base}/plain", _options(server, allow_private=True))[0]
    first_line = TEXT_PAGE.read_text(encoding="utf-8").strip().splitlines()[0]
    assert first_line in (article.title, article.source)
    assert article.text.strip()


def test_charset_from_the_header_and_gzip_are_decoded(server):
    options = _options(server, allow_private=True)
    assert "Le café du port" in fetch_articles(f"{server.base}/latin1", options)[0].text
    page = fetch(f"{server.base}/gzip", options)
    assert page.body == HTML_PAGE.read_bytes() and page.content_type == "text/html" and page.charset == "utf-8"


def test_request_target_is_percent_encoded(server):
    server.requests.clear()
    fetch(f"{server.base}/article?q=café city&x=%2F", _options(server, allow_private=True))
    assert server.requests == [("/article?q=caf%C3%A9%20city&x=%2F", f"127.0.0.1:{server.server_address[1]}")]


def test_redirect_chain_is_followed_to_the_final_url(server):
    page = fetch(f"{server.base}/hop/3", _options(server, allow_private=True))
    assert page.url == f"{server.base}/article"
    assert b"Calder Tidal Barrier" in page.body


def test_public_host_is_resolved_once_and_reached_at_the_vetted_address_with_its_host_header(server):
    # A rebinding DNS answers a public address first and loopback afterwards: only the first answer is used.
    answers = iter([[PUBLIC_IP], ["127.0.0.1"], ["127.0.0.1"]])
    lookups = []

    def rebinding_dns(host, port):
        lookups.append(host)
        return next(answers)

    options = _options(server, resolve=rebinding_dns)
    server.requests.clear()
    article = fetch_articles("http://news.example/article", options)[0]
    assert article.source == "The Meridian Gazette"
    assert lookups == ["news.example"]
    assert options.connect.calls == ["127.0.0.1"]  # the guard's stand-in for PUBLIC_IP, and nothing else
    assert server.requests == [("/article", "news.example")]


def test_https_checks_the_certificate_against_the_host_name(tls_server):
    options = _options(tls_server, resolve=_fake_dns({"news.example": [PUBLIC_IP]}))
    with pytest.raises(NewsfuseError) as error:
        fetch("https://news.example/article", options)
    assert str(error.value) == "https://news.example/article: unreachable (TLS certificate not valid: self-signed certificate)"
    assert tls_server.server_names == ["news.example"]  # SNI names the host although the socket went to an address
    assert options.connect.calls == ["127.0.0.1"]


def test_https_page_is_fetched_when_its_certificate_is_trusted(tls_server, monkeypatch):
    default_context = ssl.create_default_context
    monkeypatch.setattr(ssl, "create_default_context", lambda *args, **kwargs: default_context(cafile=str(TLS_CERT)))
    tls_server.requests.clear()
    options = _options(tls_server, resolve=_fake_dns({"news.example": [PUBLIC_IP]}))
    page = fetch("https://news.example/hop/1", options)
    assert page.url == "https://news.example/article" and b"Calder Tidal Barrier" in page.body
    assert tls_server.requests == [("/hop/1", "news.example"), ("/hop/0", "news.example"), ("/article", "news.example")]


def test_read_articles_fetches_urls_only_when_given_fetch_options(server):
    url = f"{server.base}/article"
    with pytest.raises(NewsfuseError, match="URLs are not fetched by this command"):
        read_articles([url])
    articles = read_articles([url, str(TEXT_PAGE)], fetch=_options(server, allow_private=True))
    assert [a.origin for a in articles] == [url, str(TEXT_PAGE)]


# --- limits and failures -------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/big", "/big-unannounced", "/gzip-bomb"])
def test_page_over_the_size_limit_is_refused(server, path):
    options = _options(server, allow_private=True, max_bytes=64 * 1024)
    with pytest.raises(NewsfuseError) as error:
        fetch(f"{server.base}{path}", options)
    assert str(error.value) == f"{server.base}{path}: too large (over 64 KB)"


@pytest.mark.parametrize("path", ["/slow", "/drip"])
def test_slow_server_is_cut_off_at_the_total_timeout(server, path):
    start = time.monotonic()
    with pytest.raises(NewsfuseError, match=r"timed out \(after 0.5 s\)$"):
        fetch(f"{server.base}{path}", _options(server, allow_private=True, timeout=0.5))
    assert time.monotonic() - start < 2.5


def test_slow_dns_lookup_is_cut_off_at_the_total_timeout(server):
    never = threading.Event()

    def hanging_dns(host, port):
        never.wait(5)
        return [PUBLIC_IP]

    start = time.monotonic()
    with pytest.raises(NewsfuseError, match=r"news.example/: timed out \(looking up the host name\)"):
        fetch("http://news.example/", _options(server, resolve=hanging_dns, timeout=0.3))
    assert time.monotonic() - start < 2
    never.set()


def test_wrong_content_type_is_refused(server):
    with pytest.raises(NewsfuseError) as error:
        fetch(f"{server.base}/image", _options(server, allow_private=True))
    assert str(error.value) == f"{server.base}/image: not an article page (content type image/png)"


def test_http_error_status_is_reported(server):
    with pytest.raises(NewsfuseError, match=r"/nowhere: HTTP 404 Not Found$"):
        fetch(f"{server.base}/nowhere", _options(server, allow_private=True))


def test_too_many_redirects(server):
    with pytest.raises(NewsfuseError, match=r"/loop: too many redirects \(more than 3\)$"):
        fetch(f"{server.base}/loop", _options(server, allow_private=True, max_redirects=3))
    with pytest.raises(NewsfuseError, match="too many redirects"):
        fetch(f"{server.base}/hop/4", _options(server, allow_private=True, max_redirects=3))


def test_closed_port_is_unreachable(server):
    spare = socket.socket()
    spare.bind(("127.0.0.1", 0))
    port = spare.getsockname()[1]
    spare.close()  # nothing listens there now
    with pytest.raises(NewsfuseError) as error:
        fetch(f"http://127.0.0.1:{port}/", _options(server, allow_private=True))
    assert str(error.value) == f"http://127.0.0.1:{port}/: unreachable (connection refused)"


def test_unknown_host_is_unreachable(server):
    with pytest.raises(NewsfuseError, match=r"^http://nowhere.example/: unreachable \(host nowhere.example not found\)$"):
        fetch("http://nowhere.example/", _options(server, resolve=_fake_dns({})))


def test_rss_feed_gives_the_pages_its_items_link_to_and_keeps_the_failures(server):
    errors = []
    articles = fetch_articles(f"{server.base}/feed", _options(server, allow_private=True), errors)
    assert [a.title for a in articles][0] == "Minister orders inquiry as Calder barrier failure floods 40 homes"
    assert articles[0].url == f"{server.base}/article" and "A&B Marine consortium" in articles[0].text
    assert articles[1].url == f"{server.base}/plain"
    # the image link fails, so the item keeps the feed's own text, outlet and date
    assert articles[2].text == "The barrier gates were tested on Monday morning, the operator said."
    assert (articles[2].source, articles[2].date) == ("Local Wire", dt.date(2026, 3, 9))
    assert len(articles) == 3
    assert errors == [
        f"{server.base}/image: not an article page (content type image/png)",
        "http://169.254.169.254/latest/meta-data/: refused: address 169.254.169.254 is a cloud metadata service",
        f"{server.base}/nowhere: HTTP 404 Not Found",
    ]


def test_feed_items_are_bounded_by_max_feed_items(server):
    server.requests.clear()
    articles = fetch_articles(f"{server.base}/feed", _options(server, allow_private=True, max_feed_items=1))
    assert [a.url for a in articles] == [f"{server.base}/article"]
    assert [path for path, _ in server.requests] == ["/feed", "/article"]


def test_atom_feed_served_as_plain_xml_uses_the_alternate_links(server):
    articles = fetch_articles(f"{server.base}/atom", _options(server, allow_private=True))
    assert [a.url for a in articles] == [f"{server.base}/plain", f"{server.base}/article"]


def test_feed_whose_item_pages_all_fail_is_an_error(server):
    with pytest.raises(NewsfuseError, match=r"/dead-feed: none of the feed's 3 item pages could be read \(first: .*/gone/0: HTTP 404 Not Found\)$"):
        fetch_articles(f"{server.base}/dead-feed", _options(server, allow_private=True))


def test_xml_that_is_not_a_feed_is_refused(server):
    with pytest.raises(NewsfuseError, match=r"not-a-feed.xml: not an article page or feed \(application/xml that is neither RSS nor Atom\)"):
        fetch_articles(f"{server.base}/not-a-feed.xml", _options(server, allow_private=True))


# --- refusals --------------------------------------------------------------------------------------


def test_loopback_url_is_refused_without_the_allow_flag_and_nothing_is_sent(server):
    server.requests.clear()
    url = f"{server.base}/article"
    with pytest.raises(NewsfuseError) as error:
        fetch(url, _options(server))
    assert str(error.value) == f"{url}: refused: address 127.0.0.1 is loopback; pass --allow-private-fetch to allow it"
    assert server.requests == []


@pytest.mark.parametrize("target, reason", [
    ("http://127.0.0.1:{port}/article", "redirected to http://127.0.0.1:{port}/article, address 127.0.0.1 is loopback; pass --allow-private-fetch"),
    ("http://intranet.example/", "redirected to http://intranet.example/, host intranet.example resolves to 10.1.2.3, which is private; pass --allow-private-fetch"),
    ("http://0x7f000001:{port}/article", "address 127.0.0.1 is loopback"),
    ("http://[::ffff:127.0.0.1]:{port}/article", "loopback (IPv4 127.0.0.1 inside IPv6)"),
    ("http://169.254.169.254/latest/meta-data/", "address 169.254.169.254 is a cloud metadata service"),
    ("http://metadata.google.internal/computeMetadata/v1/", "host metadata.google.internal is a cloud metadata service"),
    ("file:///etc/passwd", "only http and https URLs are fetched, not file"),
])
def test_redirect_from_a_public_host_to_a_private_address_is_refused(server, target, reason):
    port = server.server_address[1]
    options = _options(server, resolve=_fake_dns({"news.example": [PUBLIC_IP], "intranet.example": ["10.1.2.3"]}))
    target = target.format(port=port)
    server.requests.clear()
    with pytest.raises(NewsfuseError) as error:
        fetch(f"http://news.example/to?url={target}", options)
    message = str(error.value)
    assert message.startswith("http://news.example/to?url=") and ": refused: " in message
    assert reason.format(port=port) in message
    assert len(server.requests) == 1  # the redirect itself, never its target


def test_metadata_address_stays_refused_with_the_allow_flag(server):
    options = _options(server, allow_private=True)
    with pytest.raises(NewsfuseError) as error:
        fetch(f"{server.base}/to?url=http://169.254.169.254/latest/meta-data/", options)
    assert str(error.value).endswith("refused: redirected to http://169.254.169.254/latest/meta-data/, address 169.254.169.254 is a cloud metadata service")
    assert "--allow-private-fetch" not in str(error.value)
    assert options.connect.calls == ["127.0.0.1"]


def test_host_with_any_private_address_is_refused(server):
    options = _options(server, resolve=_fake_dns({"mixed.example": [PUBLIC_IP, "10.0.0.7"]}))
    with pytest.raises(NewsfuseError, match="host mixed.example resolves to 10.0.0.7, which is private"):
        fetch("http://mixed.example/article", options)
    assert options.connect.calls == []


@pytest.mark.parametrize("url, reason", [
    ("ftp://example.org/file", "only http and https URLs are fetched, not ftp"),
    ("http://user:secret@example.org/", "URLs with a user name or password are not fetched"),
    ("http://localhost:8000/", "host localhost is loopback; pass --allow-private-fetch"),
    ("http://2130706433/", "address 127.0.0.1 is loopback"),
    ("http://017700000001/", "address 127.0.0.1 is loopback"),
    ("http://[fe80::1]/", "address fe80::1 is link-local"),
    ("http://[fd00:ec2::254]/", "is a cloud metadata service"),
])
def test_urls_refused_before_any_connection(url, reason):
    def no_network(*args):
        raise AssertionError("a refused URL must not be looked up or connected to")

    with pytest.raises(NewsfuseError) as error:
        fetch(url, FetchOptions(resolve=no_network, connect=no_network))
    assert str(error.value).startswith(f"{url}: refused: ")
    assert reason in str(error.value)


@pytest.mark.parametrize("spelling, kind", [
    ("127.0.0.1", "loopback"),
    ("10.0.0.1", "private"),
    ("172.16.0.1", "private"),
    ("192.168.1.1", "private"),
    ("169.254.169.254", "a cloud metadata service"),
    ("169.254.1.1", "link-local"),
    ("100.64.0.1", "not a public address"),
    ("224.0.0.1", "multicast"),
    ("240.0.0.1", "reserved"),
    ("::1", "loopback"),
    ("fe80::1", "link-local"),
    ("fc00::1", "unique-local"),
    ("fd00:ec2::254", "a cloud metadata service"),
    ("ff02::1", "multicast"),
    ("::", "unspecified"),
    ("::ffff:127.0.0.1", "loopback (IPv4 127.0.0.1 inside IPv6)"),
    ("::ffff:a00:1", "private (IPv4 10.0.0.1 inside IPv6)"),
    ("2002:c0a8:101::", "private (IPv4 192.168.1.1 inside IPv6)"),
    ("0.0.0.0", "unspecified"),
    ("2130706433", "loopback"),
    ("0x7f000001", "loopback"),
    ("017700000001", "loopback"),
    ("0177.0.0.1", "loopback"),
    ("127.1", "loopback"),
    ("0xa.0x0.0x0.0x1", "private"),
    ("167772161", "private"),
    ("[::1]", "loopback"),
])
def test_address_refusal_table(spelling, kind):
    assert address_refusal(spelling)[0] == kind


@pytest.mark.parametrize("spelling", ["93.184.216.34", "8.8.8.8", "2606:2800:220:1:248:1893:25c8:1946", "1572395042"])
def test_public_addresses_are_allowed(spelling):
    assert address_refusal(spelling) is None


def test_address_spellings_parse_like_a_resolver_and_names_do_not():
    assert {str(parse_ip(s)) for s in ["2130706433", "0x7f000001", "017700000001", "127.1", "0x7f.0.0.1"]} == {"127.0.0.1"}
    assert parse_ip("example.org") is None and parse_ip("1.2.3.4.5") is None and parse_ip("08.0.0.1") is None
    assert parse_ip("256.0.0.1") is None


def test_article_ids_are_readable_slugs_of_the_url():
    assert url_article_id("https://www.example.org/news/2026/03/story.html") == "example.org-news-2026-03-story"
    assert url_article_id("http://example.org/index.php?p=12") == "example.org-index-p-12"


# --- the command line -----------------------------------------------------------------------------


def test_cli_report_fetches_urls_only_with_the_allow_flag(cli, server):
    url = f"{server.base}/article"
    code, out, err = cli("report", url)
    assert code == 2 and out == ""
    assert err.strip() == f"newsfuse: error: {url}: refused: address 127.0.0.1 is loopback; pass --allow-private-fetch to allow it"
    code, out, err = cli("report", url, f"{server.base}/plain", "--allow-private-fetch", "--format", "json")
    assert code == 0, err
    articles = [a for story in json.loads(out)["stories"] for a in story["articles"]]
    assert {a["id"] for a in articles} == {"127.0.0.1-article", "127.0.0.1-plain"}
