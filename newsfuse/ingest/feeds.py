"""RSS 2.0, RSS 1.0 (RDF) and Atom feed files: one Article per item that carries text.

The feed is parsed by the standard library's expat with every entity declaration refused, so a
hostile feed can neither read local files (XXE) nor blow up memory (billion laughs). Item HTML
(description, content:encoded, Atom content) becomes plain paragraphs; the outlet is the channel's
title unless the item names its own source. Items come out oldest first, as a stream would see them.
"""
from __future__ import annotations

import datetime as dt
import email.utils
import hashlib
import re
import xml.etree.ElementTree as ET
from xml.parsers import expat
from html import unescape
from html.parser import HTMLParser

from ..model import Article, NewsfuseError
from .text import normalize

FEED_ROOT = re.compile(r"<(?:rss|feed|(?:\w+:)?RDF)[\s>]")
HTML_ROOT = re.compile(r"<html[\s>]", re.I)


def looks_like_feed(content: str) -> bool:
    """True when the text opens with an RSS, RDF or Atom root element (after any XML prolog)."""
    head = content[:4096]
    found = FEED_ROOT.search(head)
    return found is not None and not HTML_ROOT.search(head[: found.start()])


def parse_feed(data: bytes, origin: str, id_prefix: str) -> list[Article]:
    """Every item of one feed that has text, as Articles with ids `{id_prefix}-{digest of its link or guid}`."""
    root = _parse_xml(data, origin)
    kind = _local(root.tag)
    if kind == "rss":
        channel = _child(root, "channel")
        if channel is None:
            raise NewsfuseError(f"{origin}: RSS feed without a <channel>")
        outlet, items = _text(_child(channel, "title")), _children(channel, "item")
    elif kind == "RDF":
        outlet, items = _text(_child(_child(root, "channel"), "title")), _children(root, "item")
    elif kind == "feed":
        outlet, items = _text(_child(root, "title")), _children(root, "entry")
    else:
        raise NewsfuseError(f"{origin}: XML but not an RSS or Atom feed (root element <{kind}>)")
    if not items:
        raise NewsfuseError(f"{origin}: feed has no items")
    parse = _atom_entry if kind == "feed" else _rss_item
    articles = []
    for number, item in enumerate(items, 1):
        article = parse(item, outlet, f"{origin} item {number}")
        if article is not None:
            key = article.url or article.id or f"{article.title}\n{article.text[:200]}"
            article.id = f"{id_prefix}-{hashlib.sha1(key.encode()).hexdigest()[:10]}"
            articles.append(article)
    if not articles:
        raise NewsfuseError(f"{origin}: no feed item has any text (title-only feeds need the linked pages)")
    _check_distinct(articles)
    # feeds list the newest first; a stream reads the oldest first (undated items keep their place at the end)
    return sorted(articles, key=lambda a: (a.date is None, a.date or dt.date.min))


def _parse_xml(data: bytes, origin: str) -> ET.Element:
    """The element tree of a feed, built straight from expat with every entity declaration refused."""
    parser = expat.ParserCreate(namespace_separator="}")
    builder = ET.TreeBuilder()

    def refuse_entities(*_args) -> None:
        raise NewsfuseError(f"{origin}: the feed declares XML entities, which are refused (XXE / entity expansion)")

    def tag(name: str) -> str:  # expat's "uri}local" to ElementTree's "{uri}local"
        return "{" + name if "}" in name else name

    parser.StartElementHandler = lambda name, attrs: builder.start(tag(name), {tag(k): v for k, v in attrs.items()})
    parser.EndElementHandler = lambda name: builder.end(tag(name))
    parser.CharacterDataHandler = builder.data
    parser.EntityDeclHandler = refuse_entities
    parser.UnparsedEntityDeclHandler = refuse_entities
    parser.ExternalEntityRefHandler = refuse_entities
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)  # no external DTD is read
    try:
        parser.Parse(data, True)
    except expat.ExpatError as error:
        message = expat.ErrorString(error.code)
        raise NewsfuseError(f"{origin}: malformed XML at line {error.lineno}, column {error.offset + 1} ({message})") from None
    return builder.close()


def _rss_item(item: ET.Element, outlet: str | None, where: str) -> Article | None:
    link = _text(_child(item, "link"))
    guid = _child(item, "guid")
    if not link and guid is not None and guid.get("isPermaLink", "true") != "false":
        link = _text(guid)
    body = _text(_child(item, "encoded")) or _text(_child(item, "description"))
    date = _date(_text(_child(item, "pubDate")) or _text(_child(item, "date")))
    source = _text(_child(item, "source")) or outlet
    return _article(_text(_child(item, "title")), link, _text(guid) if guid is not None else None, body, date, source, where)


def _atom_entry(entry: ET.Element, outlet: str | None, where: str) -> Article | None:
    links = _children(entry, "link")
    alternate = [link.get("href") for link in links if link.get("rel", "alternate") == "alternate" and link.get("href")]
    body = _atom_text(_child(entry, "content")) or _atom_text(_child(entry, "summary"))
    date = _date(_text(_child(entry, "published")) or _text(_child(entry, "updated")))
    source = _text(_child(_child(entry, "source"), "title")) or outlet
    return _article(_atom_text(_child(entry, "title")), alternate[0] if alternate else None, _text(_child(entry, "id")), body, date, source, where)


def _article(title: str | None, link: str | None, guid: str | None, body: str | None, date: dt.date | None,
             source: str | None, where: str) -> Article | None:
    text = html_to_text(body) if body else ""
    if not text.strip():
        return None  # a title-only item: nothing to summarize
    title = html_to_text(title).replace("\n\n", " ") if title else None
    return Article(id=guid or "", text=text, title=title or None, source=source, url=link or None, date=date, origin=where)


def _atom_text(element: ET.Element | None) -> str | None:
    """Atom text constructs: type="xhtml" holds markup as child elements; text and html hold a string."""
    if element is None:
        return None
    if element.get("type") == "xhtml":
        for node in element.iter():
            node.tag = _local(node.tag)  # "{http://www.w3.org/1999/xhtml}p" -> "p", for html_to_text
        return "".join(ET.tostring(child, encoding="unicode") for child in element) or None
    return _text(element)


def _date(value: str | None) -> dt.date | None:
    """RFC 822 (RSS pubDate) or ISO 8601 (Atom, dc:date); the date as the feed states it."""
    if not value:
        return None
    try:
        return email.utils.parsedate_to_datetime(value).date()
    except (TypeError, ValueError, IndexError):
        pass
    try:
        return dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00")).date()
    except ValueError:
        pass
    try:
        from dateutil import parser as dateutil_parser

        return dateutil_parser.parse(value).date()
    except (ValueError, OverflowError):
        return None


def _check_distinct(articles: list[Article]) -> None:
    """Two items with one link keep distinct ids: the later copy gets its position appended."""
    seen: set[str] = set()
    for number, article in enumerate(articles, 1):
        if article.id in seen:
            article.id = f"{article.id}-{number}"
        seen.add(article.id)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child(element: ET.Element | None, name: str) -> ET.Element | None:
    if element is None:
        return None
    return next((child for child in element if _local(child.tag) == name), None)


def _children(element: ET.Element, name: str) -> list[ET.Element]:
    return [child for child in element if _local(child.tag) == name]


def _text(element: ET.Element | None) -> str | None:
    if element is None:
        return None
    value = "".join(element.itertext()).strip()
    return value or None


BLOCK_TAGS = {"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "tr", "table", "section", "article", "figure", "pre", "hr"}
SKIPPED_TAGS = {"script", "style", "figcaption", "noscript", "iframe", "object", "svg"}


class _TextExtractor(HTMLParser):
    """Paragraph text of an HTML fragment: block elements break paragraphs; scripts and captions go."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in SKIPPED_TAGS:
            self.skipping += 1
        elif tag in BLOCK_TAGS:
            self.parts.append("\n\n")

    def handle_endtag(self, tag):
        if tag in SKIPPED_TAGS:
            self.skipping = max(0, self.skipping - 1)
        elif tag in BLOCK_TAGS:
            self.parts.append("\n\n")

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def html_to_text(fragment: str) -> str:
    """Plain paragraphs (separated by a blank line) from a feed's HTML or plain-text field."""
    if "<" not in fragment:
        text = unescape(fragment)
    else:
        extractor = _TextExtractor()
        extractor.feed(fragment)
        extractor.close()
        text = "".join(extractor.parts)
    paragraphs = (" ".join(p.split()) for p in normalize(text).split("\n\n"))
    return "\n\n".join(p for p in paragraphs if p)
