"""Fetch article pages and feeds over HTTP(S) without letting a URL reach the machine's own network.

Every hop (the URL and each redirect) is resolved once, every address it resolves to is vetted, and
the connection goes to that vetted address (no second DNS lookup, so DNS rebinding cannot swap it).
Loopback, private, link-local, unique-local, multicast, unspecified, reserved and other non-public
addresses are refused unless FetchOptions.allow_private is set; cloud metadata services always are.
Size, total time and redirects are bounded, and only HTML, XML feeds and plain text are accepted.
Every refusal or failure raises NewsfuseError("URL: reason").
"""
from __future__ import annotations

import http.client
import ipaddress
import re
import socket
import ssl
import threading
import time
import zlib
from dataclasses import dataclass, field
from typing import Callable
from urllib.parse import quote, urljoin, urlsplit

from .. import __version__
from ..model import Article, NewsfuseError

ARTICLE_TYPES = ("text/html", "application/xhtml+xml", "text/plain")
FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/xml", "text/xml")
ACCEPTED_TYPES = ARTICLE_TYPES + FEED_TYPES
REDIRECT_STATUSES = (301, 302, 303, 307, 308)
ALLOW_HINT = "pass --allow-private-fetch to allow it"

# Cloud instance-metadata services hand out credentials: refused even with allow_private.
METADATA_ADDRESSES = frozenset({
    ipaddress.ip_address("169.254.169.254"),  # AWS, GCP, Azure, OpenStack, DigitalOcean, ...
    ipaddress.ip_address("169.254.170.2"),  # AWS ECS task metadata
    ipaddress.ip_address("fd00:ec2::254"),  # AWS over IPv6
    ipaddress.ip_address("100.100.100.200"),  # Alibaba Cloud
})
METADATA_HOSTS = frozenset({
    "metadata", "metadata.google.internal", "metadata.goog", "instance-data", "instance-data.ec2.internal",
})

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], list[str]]


def resolve_system(host: str, port: int) -> list[str]:
    """The addresses the system resolver gives for host, in its order of preference."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(info[4][0].split("%")[0] for info in infos))  # drop IPv6 zone ids


def connect_system(address: str, port: int, timeout: float) -> socket.socket:
    """A TCP connection to exactly this address (never a host name, which would be resolved again)."""
    return socket.create_connection((address, port), timeout=timeout)


@dataclass(frozen=True)
class FetchOptions:
    """How URLs are fetched. The CLI and the web app build one and pass it down."""

    allow_private: bool = False  # --allow-private-fetch: allow loopback and private networks
    max_bytes: int = 5 * 1024 * 1024  # of the (decompressed) body of one page
    timeout: float = 20.0  # seconds for one URL, all redirects and the whole body included
    max_redirects: int = 5
    max_feed_items: int = 20  # article links fetched from one feed
    user_agent: str = f"newsfuse/{__version__} (+https://github.com/newsfuse)"
    resolve: Resolver = field(default=resolve_system, repr=False)  # tests swap these two
    connect: Callable[[str, int, float], socket.socket] = field(default=connect_system, repr=False)


@dataclass
class FetchedPage:
    url: str  # the final URL, after redirects
    content_type: str  # media type only, lower case: "text/html"
    body: bytes
    charset: str | None = None  # from the Content-Type header, if it named one

    def text(self) -> str:
        """The body as text: the header's charset, else the page's own declaration, else UTF-8."""
        charset = self.charset or _declared_charset(self.body) or "utf-8"
        try:
            return self.body.decode(charset, errors="replace")
        except LookupError:  # an unknown charset name
            return self.body.decode("utf-8", errors="replace")


def parse_ip(host: str) -> Address | None:
    """The address a host name spells, in any form a resolver accepts: "127.0.0.1", "::ffff:7f00:1",
    "[::1]", and the inet_aton forms "2130706433", "0x7f000001", "017700000001", "127.1"; else None."""
    host = host.strip("[]")
    try:
        return ipaddress.ip_address(host.split("%")[0])
    except ValueError:
        pass
    parts = host.rstrip(".").split(".") if host else []
    if not 1 <= len(parts) <= 4:
        return None
    numbers = []
    for part in parts:
        try:
            if part[:2].lower() == "0x":
                numbers.append(int(part[2:] or "0", 16))
            elif len(part) > 1 and part.startswith("0"):
                numbers.append(int(part[1:], 8))
            else:
                numbers.append(int(part, 10) if part.isascii() and part.isdigit() else -1)
        except ValueError:
            return None
    # The last part fills the bytes the earlier ones did not: "127.1" is 127.0.0.1.
    head, last = numbers[:-1], numbers[-1]
    if any(not 0 <= n <= 255 for n in head) or not 0 <= last < 256 ** (5 - len(numbers)):
        return None
    value = last
    for i, number in enumerate(head):
        value += number << (8 * (3 - i))
    return ipaddress.IPv4Address(value)


def address_refusal(address: str | Address) -> tuple[str, bool] | None:
    """Why a fetch must not connect to this address: (what it is, whether allow_private lifts it);
    None for a public address. Accepts every spelling parse_ip does."""
    ip = address if isinstance(address, (ipaddress.IPv4Address, ipaddress.IPv6Address)) else parse_ip(address)
    if ip is None:
        return ("not an IP address", False)
    if ip in METADATA_ADDRESSES:
        return ("a cloud metadata service", False)
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour or _nat64_embedded(ip)
        if embedded is not None:  # ::ffff:127.0.0.1 and 2002:7f00:1:: reach the IPv4 address inside
            refusal = address_refusal(embedded)
            return (f"{refusal[0]} (IPv4 {embedded} inside IPv6)", refusal[1]) if refusal else None
    for kind, test in (
        ("unspecified", ip.is_unspecified),
        ("loopback", ip.is_loopback),
        ("link-local", ip.is_link_local),
        ("multicast", ip.is_multicast),
        ("unique-local", isinstance(ip, ipaddress.IPv6Address) and ip in _UNIQUE_LOCAL),
        ("reserved", ip.is_reserved),
        ("private", ip.is_private),
        ("not a public address", not ip.is_global),  # shared 100.64/10, documentation ranges, ...
    ):
        if test:
            return (kind, True)
    return None


def fetch(url: str, options: FetchOptions | None = None) -> FetchedPage:
    """GET one URL, following redirects by hand so that every hop is vetted. Raises NewsfuseError."""
    options = options or FetchOptions()
    deadline = time.monotonic() + options.timeout
    current = url
    for hop in range(options.max_redirects + 1):
        try:
            response = _request(current, options, deadline)
        except _Refusal as refusal:
            where = f"redirected to {current}, " if hop else ""
            raise NewsfuseError(f"{url}: refused: {where}{refusal}") from None
        except _Failure as failure:
            raise NewsfuseError(f"{url}: {failure}") from None
        if response.location is None:
            return response.page
        current = response.location
    raise NewsfuseError(f"{url}: too many redirects (more than {options.max_redirects})")


def fetch_articles(url: str, options: FetchOptions | None = None, errors: list[str] | None = None) -> list[Article]:
    """The articles at a URL: an HTML page or plain text is one article; an RSS or Atom feed gives
    the pages its newest items link to (at most options.max_feed_items), each fetched as safely.
    An item whose page cannot be read keeps the feed's own text for it, or is skipped if the feed
    has none; either way its message is appended to errors, if given. A feed none of whose items
    can be read raises NewsfuseError, as does any failure of the URL itself."""
    options = options or FetchOptions()
    page = fetch(url, options)
    if page.content_type in FEED_TYPES:
        return _feed_articles(url, page, options, errors if errors is not None else [])
    return [page_article(page, url)]


def page_article(page: FetchedPage, origin: str) -> Article:
    """One fetched HTML or text page as an Article whose id is made from its URL."""
    from . import html, text

    content = page.text()
    if "\x00" in content[:8192]:
        raise NewsfuseError(f"{origin}: binary content, not text")
    article_id = url_article_id(page.url)
    if page.content_type == "text/plain":
        article = text.parse_plain_text(text.normalize(content), article_id, origin)
    else:
        article = html.parse_html(content, article_id, origin)
    article.url = article.url or page.url
    return article


def url_article_id(url: str) -> str:
    """A readable id from a URL: "https://www.example.org/news/2026/story.html" -> "example.org-news-2026-story".
    The query stays in it ("?p=12" -> "-p-12"): some sites tell their articles apart only by it."""
    parts = urlsplit(url)
    host = (parts.hostname or "").removeprefix("www.")
    path = re.sub(r"\.(s?html?|php|aspx?)$", "", parts.path.rstrip("/"))
    slug = re.sub(r"[^A-Za-z0-9.]+", "-", f"{host}{path}-{parts.query}").strip("-.")
    return slug[:100] or "page"


# --- one request -------------------------------------------------------------------------------


class _Refusal(Exception):
    """The URL or an address it leads to is not allowed."""


class _Failure(Exception):
    """The URL could not be fetched: unreachable, timed out, too large, wrong type, HTTP error."""


@dataclass
class _Response:
    page: FetchedPage | None = None
    location: str | None = None  # set for a redirect


def _request(url: str, options: FetchOptions, deadline: float) -> _Response:
    host, port, scheme = _vet_url(url)
    addresses = _vetted_addresses(host, port, options, deadline)
    connection = _connection(scheme, host, port, addresses, options, deadline)
    sock = connection.sock  # kept: http.client drops its own reference once a response will close
    response = None
    expired = threading.Event()
    watchdog = threading.Timer(max(deadline - time.monotonic(), 0), _shut, (sock, expired))
    watchdog.daemon = True
    watchdog.start()  # bounds the total time even when a server sends one byte at a time
    try:
        connection.putrequest("GET", _request_target(url), skip_accept_encoding=True)
        connection.putheader("User-Agent", options.user_agent)
        connection.putheader("Accept", ", ".join(ACCEPTED_TYPES))
        connection.putheader("Accept-Encoding", "gzip, deflate")
        connection.putheader("Connection", "close")
        connection.endheaders()
        response = connection.getresponse()
        if response.status in REDIRECT_STATUSES:
            location = response.getheader("Location")
            if not location:
                raise _Failure(f"HTTP {response.status} redirect without a Location")
            return _Response(location=urljoin(url, location.strip()))
        if not 200 <= response.status < 300:
            raise _Failure(f"HTTP {response.status} {response.reason}".rstrip())
        content_type, charset = _content_type(response.getheader("Content-Type"))
        if content_type not in ACCEPTED_TYPES:
            raise _Failure(f"not an article page (content type {content_type or 'missing'})")
        body = _read_body(response, options, deadline)
        if expired.is_set():  # the body ended because the watchdog shut the socket: it is cut short
            raise _Failure(f"timed out (after {options.timeout:g} s)")
        return _Response(page=FetchedPage(url=url, content_type=content_type, body=body, charset=charset))
    except (TimeoutError, socket.timeout):
        raise _Failure(f"timed out (after {options.timeout:g} s)") from None
    except (OSError, http.client.HTTPException) as error:
        if expired.is_set():
            raise _Failure(f"timed out (after {options.timeout:g} s)") from None
        raise _Failure(f"unreachable ({_describe(error)})") from None
    finally:
        watchdog.cancel()
        if response is not None:
            response.close()
        connection.close()
        sock.close()


def _request_target(url: str) -> str:
    """Path and query, percent-encoded where the URL was not (spaces, non-ASCII); existing escapes kept."""
    parts = urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return quote(target, safe="/?&=%:@!$'()*+,;-._~")


def _vet_url(url: str) -> tuple[str, int, str]:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise _Refusal(f"not a valid URL ({error})") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise _Refusal(f"only http and https URLs are fetched, not {scheme or 'a URL without a scheme'}")
    if parts.username is not None or parts.password is not None:
        raise _Refusal("URLs with a user name or password are not fetched")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise _Refusal("the URL has no host")
    try:
        host = host.encode("idna").decode("ascii") if not host.isascii() else host
    except UnicodeError:
        raise _Refusal(f"host {host!r} is not a valid name") from None
    return host, port or (443 if scheme == "https" else 80), scheme


def _vetted_addresses(host: str, port: int, options: FetchOptions, deadline: float) -> list[str]:
    """Resolve host once; refuse if any address it gives is refused (an attacker can mix them)."""
    if host.lower() in METADATA_HOSTS:
        raise _Refusal(f"host {host} is a cloud metadata service")
    if host.lower() == "localhost" or host.lower().endswith(".localhost"):
        if not options.allow_private:
            raise _Refusal(f"host {host} is loopback; {ALLOW_HINT}")
    literal = parse_ip(host)
    if literal is not None:
        addresses = [str(literal)]
    else:
        addresses = _resolve_within(host, port, options.resolve, deadline)
    for address in addresses:
        refusal = address_refusal(address)
        if refusal is None:
            continue
        kind, liftable = refusal
        if liftable and options.allow_private:
            continue
        what = f"address {address} is {kind}" if literal is not None else f"host {host} resolves to {address}, which is {kind}"
        raise _Refusal(f"{what}; {ALLOW_HINT}" if liftable else what)
    return addresses


def _resolve_within(host: str, port: int, resolve: Resolver, deadline: float) -> list[str]:
    """DNS lookups have no timeout of their own: run the resolver in a thread and stop waiting at the deadline."""
    result: list = []

    def lookup() -> None:
        try:
            result.append(resolve(host, port))
        except Exception as error:  # handed to the caller below
            result.append(error)

    worker = threading.Thread(target=lookup, daemon=True)
    worker.start()
    worker.join(max(deadline - time.monotonic(), 0))
    if not result:
        raise _Failure("timed out (looking up the host name)")
    if isinstance(result[0], BaseException):
        error = result[0]
        if isinstance(error, socket.gaierror) and error.errno in (socket.EAI_NONAME, getattr(socket, "EAI_NODATA", -5)):
            raise _Failure(f"unreachable (host {host} not found)")
        raise _Failure(f"unreachable (cannot look up host {host}: {_describe(error)})")
    if not result[0]:
        raise _Failure(f"unreachable (host {host} not found)")
    return result[0]


def _connection(scheme: str, host: str, port: int, addresses: list[str], options: FetchOptions,
                deadline: float) -> http.client.HTTPConnection:
    """An open connection to the first vetted address that answers; Host header and TLS name are host's."""
    last_error: OSError | None = None
    for address in addresses:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise _Failure(f"timed out (after {options.timeout:g} s)")
        try:
            sock = options.connect(address, port, remaining)
        except (TimeoutError, socket.timeout):
            raise _Failure(f"timed out (after {options.timeout:g} s)") from None
        except OSError as error:
            last_error = error
            continue
        sock.settimeout(max(deadline - time.monotonic(), 0.001))
        connection_class = http.client.HTTPSConnection if scheme == "https" else http.client.HTTPConnection
        connection = connection_class(host, port)  # its host and port make the Host header
        if scheme == "https":
            try:
                sock = ssl.create_default_context().wrap_socket(sock, server_hostname=host)
            except (TimeoutError, socket.timeout):
                sock.close()
                raise _Failure(f"timed out (after {options.timeout:g} s)") from None
            except (ssl.SSLError, OSError) as error:
                sock.close()
                raise _Failure(f"unreachable ({_describe(error)})") from None
        connection.sock = sock  # http.client uses this socket instead of connecting (and resolving) itself
        return connection
    raise _Failure(f"unreachable ({_describe(last_error)})")


def _read_body(response: http.client.HTTPResponse, options: FetchOptions, deadline: float) -> bytes:
    """Stream the body, decompressing as it comes, and stop as soon as it passes max_bytes."""
    too_large = _Failure(f"too large (over {_size(options.max_bytes)})")
    declared = response.getheader("Content-Length")
    encoding = (response.getheader("Content-Encoding") or "identity").strip().lower()
    if declared and declared.isdigit() and int(declared) > options.max_bytes and encoding == "identity":
        raise too_large
    if encoding in ("gzip", "x-gzip"):
        decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
    elif encoding == "deflate":
        decompressor = zlib.decompressobj()
    elif encoding == "identity":
        decompressor = None
    else:
        raise _Failure(f"unsupported content encoding {encoding}")
    chunks: list[bytes] = []
    size = 0
    while True:
        if time.monotonic() >= deadline:
            raise _Failure(f"timed out (after {options.timeout:g} s)")
        chunk = response.read(64 * 1024)
        if not chunk:
            break
        if decompressor is not None:
            try:
                chunk = decompressor.decompress(chunk, options.max_bytes - size + 1)  # a zip bomb stops here
            except zlib.error as error:
                raise _Failure(f"bad {encoding} data ({error})") from None
            if decompressor.unconsumed_tail:
                raise too_large
        size += len(chunk)
        if size > options.max_bytes:
            raise too_large
        chunks.append(chunk)
    return b"".join(chunks)


def _content_type(header: str | None) -> tuple[str, str | None]:
    if not header:
        return "", None
    media, _, params = header.partition(";")
    charset = None
    for param in params.split(";"):
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset" and value.strip().strip("\"'"):
            charset = value.strip().strip("\"'")
    return media.strip().lower(), charset


def _declared_charset(body: bytes) -> str | None:
    """The charset an HTML <meta> or an XML declaration names in the first 2 KB."""
    head = body[:2048]
    match = re.search(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", head, re.I) or \
        re.search(rb"""<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""", head, re.I)
    return match.group(1).decode("ascii") if match else None


def _shut(sock: socket.socket, expired: threading.Event) -> None:
    expired.set()
    try:
        sock.shutdown(socket.SHUT_RDWR)  # wakes a blocked read; close() would not
    except OSError:
        pass


def _describe(error: BaseException | None) -> str:
    if isinstance(error, ConnectionRefusedError):
        return "connection refused"
    if isinstance(error, ssl.SSLCertVerificationError):
        return f"TLS certificate not valid: {error.verify_message}"
    if isinstance(error, ssl.SSLError):
        return f"TLS error: {error.reason or error}"
    if isinstance(error, OSError) and error.strerror:
        return error.strerror.lower()
    if isinstance(error, http.client.RemoteDisconnected):
        return "the server closed the connection without answering"
    if isinstance(error, http.client.IncompleteRead):
        return "the server closed the connection mid-page"
    return str(error) or type(error).__name__


def _size(n: int) -> str:
    if n >= 1024 * 1024 and n % (1024 * 1024) == 0:
        return f"{n // (1024 * 1024)} MB"
    if n >= 1024 and n % 1024 == 0:
        return f"{n // 1024} KB"
    return f"{n} bytes"


_UNIQUE_LOCAL = ipaddress.IPv6Network("fc00::/7")
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


def _nat64_embedded(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF) if ip in _NAT64 else None


# --- feeds -------------------------------------------------------------------------------------


def _feed_articles(url: str, page: FetchedPage, options: FetchOptions, errors: list[str]) -> list[Article]:
    from . import feeds

    if not feeds.looks_like_feed(page.text()):
        raise NewsfuseError(f"{url}: not an article page or feed ({page.content_type} that is neither RSS nor Atom)")
    links = _item_links(feeds, page.body, url)[: options.max_feed_items]
    if not links:
        raise NewsfuseError(f"{url}: feed has no item links")
    try:  # the feed's own text of each item, kept for links that cannot be fetched
        in_feed = {a.url: a for a in feeds.parse_feed(page.body, url, id_prefix=url_article_id(page.url)) if a.url}
    except NewsfuseError:  # a feed of titles and links only
        in_feed = {}
    articles = []
    first_error = len(errors)
    for link in links:
        item_url = urljoin(page.url, link)
        try:
            item_page = fetch(item_url, options)
            if item_page.content_type not in ARTICLE_TYPES:
                raise NewsfuseError(f"{item_url}: not an article page (content type {item_page.content_type})")
            article = page_article(item_page, item_url)
        except NewsfuseError as error:
            errors.append(str(error))
            fallback = in_feed.get(link) or in_feed.get(item_url)
            if fallback is not None:
                articles.append(fallback)
            continue
        known = in_feed.get(link) or in_feed.get(item_url)
        if known is not None:  # the page may lack what the feed states
            article.title = article.title or known.title
            article.source = article.source or known.source
            article.date = article.date or known.date
        articles.append(article)
    if not articles:
        raise NewsfuseError(f"{url}: none of the feed's {len(links)} item pages could be read (first: {errors[first_error]})")
    return articles


def _item_links(feeds, data: bytes, origin: str) -> list[str]:
    """The article link of each item, in the feed's order (newest first), through feeds.py's safe XML parser."""
    root = feeds._parse_xml(data, origin)
    links = []
    for element in root.iter():
        name = feeds._local(element.tag)
        if name == "item":  # RSS 2.0 and RSS 1.0
            link = feeds._text(feeds._child(element, "link"))
            guid = feeds._child(element, "guid")
            if not link and guid is not None and guid.get("isPermaLink", "true") != "false":
                link = feeds._text(guid)
        elif name == "entry":  # Atom
            link = next((child.get("href") for child in feeds._children(element, "link")
                         if child.get("rel", "alternate") == "alternate" and child.get("href")), None)
        else:
            continue
        if link and link.strip() not in links:
            links.append(link.strip())
    return links
