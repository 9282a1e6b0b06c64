"""Boilerplate removal: what leaks from web pages into article text, recorded on the Article.

Each line of the body is classified on its own (pages put one piece of furniture a line). A line
that is furniture is dropped and kept in Article.removed as (kind, text); bylines and date lines
also fill in the outlet and publication date when the input did not give them.
"""
from __future__ import annotations

import datetime as dt
import re

from .ingest.text import looks_like_outlet
from .model import Article, Removal

MONTH = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
DATE_TEXT = re.compile(
    rf"\b(?:{MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}|\d{{1,2}}(?:st|nd|rd|th)?\s+{MONTH},?\s+\d{{4}}|\d{{4}}-\d{{2}}-\d{{2}})",
    re.I,
)
TIME_TEXT = re.compile(r"\b\d{1,2}[:.]\d{2}\s*(?:[ap]\.?m\.?)?(?:\s*[A-Z]{2,4})?|\b\d{1,2}\s*[ap]\.?m\.?", re.I)
TIMESTAMP_WORDS = re.compile(r"\b(?:updated|published|posted|last modified|modified|on|at|am|pm|gmt|utc|et|est|edt|bst|cet|(?:mon|tues|wednes|thurs|fri|satur|sun)day)\b|[|,.:·•–—-]", re.I)

AGENCIES = r"(?:getty|afp|reuters|ap|epa|efe|shutterstock|images?|photos?|pool|xinhua|tass|sputnik|ria|anadolu|bloomberg|alamy|dpa|ani|pti|handout|file|press association|pa)"
PHOTO_LABEL = re.compile(r"^[(\[]?(?:photo(?:graph)?s?|images?|pictures?|picture credit|credits?|photo credit|pictured|file photo|illustration)\s*(?:[:|/]|by\b)", re.I)
PHOTO_SLASH = re.compile(rf"^[^.!?]{{0,80}}/\s*{AGENCIES}\b[^.!?]{{0,40}}$", re.I)
PHOTO_TRAILER = re.compile(rf"(?:\(|\b){AGENCIES}(?: photo)?/[^)]{{1,40}}\)?$|\bgetty images\)?$", re.I)
CAPTION_MARK = re.compile(r"\((?:\d(?:st|nd|rd|th) )?(?:[LRC]|left|right|cent(?:er|re)|front|back)\)", re.I)

BYLINE = re.compile(r"^[Bb]y\s*(?P<name>[A-Z][\w.'’&-]*(?:,?\s+(?:and\s+)?[A-Z][\w.'’&-]*){0,5})\s*(?:[|,–—-].{0,40})?$")
CREDITS = re.compile(r"^(?:\(?(?:additional )?(?:reporting|writing|editing|compiled|produced)(?: by)?\b.{0,200}|contact (?:the )?(?:author|reporter).*)$", re.I)
READ_ALSO = re.compile(r"^(?:read (?:also|more|next)|also read|see also|related(?: articles?| stories| coverage| content)?\s*[:|]|more on this|recommended(?: for you)?\s*[:|]?|watch\s*:|listen\s*:|more from\b.{0,60}:)", re.I)
PROMO = re.compile(
    r"before it'?s here, it'?s on the|\bsubscribe (?:now|today|to|for)\b|\bsign up (?:for|to|now|here)\b|\bsign up$|"
    r"\blearn more$|\bclick here\b|\bdownload (?:the|our) app\b|^advertisement$|^sponsored\b|"
    r"\bsupport (?:our|independent) journalism\b|\bfollow us on\b|\bget (?:our|the) (?:free )?(?:daily )?(?:newsletter|briefing|app)\b|"
    r"\bour (?:daily |free |morning )?newsletter\b|^continue reading\b|^all rights reserved|^(?:©|copyright\b)",
    re.I,
)
SHARE = re.compile(r"^share (?:this|on|the|article|story)\b|\bwe use cookies\b|\bcookie (?:policy|settings|preferences|consent)\b|\baccept (?:all )?cookies\b", re.I)
SOCIAL = {"facebook", "twitter", "x", "email", "e-mail", "whatsapp", "linkedin", "reddit", "pinterest", "print", "copy", "link", "share", "messenger", "telegram", "comments", "save"}
BARE_FURNITURE = re.compile(r"^(?:updated|published|posted|updated on|published on|last updated|advertisement|share|comments?|print|email)\s*:?$", re.I)
# "MOSCOW— -- ", "LONDON (Reuters) - ", "Moscow: " at the start of the first paragraph
DATELINE = re.compile(r"^(?:[A-Z][A-Z.'-]+(?:[ ,]+[A-Z][A-Z.'-]+)*(?:,\s+[A-Z][a-z]+\.?(?:\s+[A-Z][a-z]+)?(?:\s+\d{1,2})?)?\s*(?:\([^)]{1,30}\))?\s*(?:[—–]\s*(?:--\s*)?|--?\s+|_\s+)|[A-Z][a-z]+:\s+(?=[A-Z]))")
BULLET = re.compile(r"^\s*[•·▪●◦‣∙*]\s+")
WORD = re.compile(r"\w+")
DIGIT = re.compile(r"\d")
# words without which the slow patterns cannot match: most lines skip them. The letters that a
# case-insensitive pattern's i, s and k also match are folded first, so no match is lost.
PROMO_WORDS = re.compile("before it|subscribe|sign up|learn more|click here|download|advertisement|sponsored|journalism|"
                         "follow us on|get |newsletter|continue reading|all rights reserved|©|copyright")
SHARE_WORDS = re.compile("share|cookie")
_IGNORECASE_EXTRAS = str.maketrans({"İ": "i", "ı": "i", "ſ": "s", "K": "k"})


def clean_article(article: Article) -> Article:
    """Return the article with furniture lines removed, each recorded in `removed`."""
    removed: list[Removal] = list(article.removed)
    kept: list[str] = []
    lines = [line.strip() for line in article.text.split("\n")]
    lines = [line for line in lines if line]
    seen: set[str] = set()
    title = _norm(article.title) if article.title else None
    for number, line in enumerate(lines):
        following = lines[number + 1] if number + 1 < len(lines) else ""
        norm = _norm(line)
        kind = _furniture_kind(line, norm, following, title, seen, near_top=number < 6)
        seen.add(norm)
        if kind is None:
            if len(kept) < 3:  # datelines open the first paragraphs only
                line = _strip_dateline(line, removed)
            kept.append(BULLET.sub("", line))
            continue
        removed.append(Removal(kind, line))
        if kind in ("byline", "timestamp", "masthead") and not article.source:
            article.source = outlet_named_in(line)
        if kind == "timestamp" and article.date is None:
            article.date = parse_date_line(line)
    article.text = "\n\n".join(kept)
    article.removed = removed
    return article


def _furniture_kind(line: str, norm: str, following: str, norm_title: str | None, seen: set[str], near_top: bool) -> str | None:
    """What furniture the line is, or None; `norm` and `norm_title`: the line's and title's `_norm`."""
    words = len(line.split())
    folded = line.translate(_IGNORECASE_EXTRAS).lower() if any(c in line for c in "İıſK") else line.lower()
    if norm_title:
        if norm == norm_title:
            return "repeated_title"
        if norm.replace(" ", "") == norm_title.replace(" ", "") * 2:
            return "doubled_title"
    if norm in seen:
        return "duplicate"
    if words <= 14 and (PHOTO_LABEL.match(line) or PHOTO_SLASH.match(line)
                        or (("/" in line or "getty images" in folded) and PHOTO_TRAILER.search(line))):
        return "photo_credit"
    if words <= 40 and (CAPTION_MARK.search(line) or _is_photo_credit(following)) and not line.startswith(("“", '"')):
        return "caption"
    if words <= 10 and BYLINE.match(line):
        return "byline"
    if near_top and looks_like_outlet(line):
        return "masthead"
    if CREDITS.match(line) and words <= 40:
        return "byline"
    if words <= 12 and is_date_line(line):
        return "timestamp"
    if BARE_FURNITURE.match(line):
        return "timestamp" if line.lower().startswith(("updated", "published", "posted", "last")) else "promo"
    if words <= 25 and READ_ALSO.match(line):
        return "read_also"
    if words <= 30 and PROMO_WORDS.search(folded) and PROMO.search(line):
        return "promo"
    if words <= 30 and SHARE_WORDS.search(folded) and SHARE.search(line):
        return "share"
    tokens = norm.split()
    if tokens and len(tokens) <= 12 and sum(t in SOCIAL for t in tokens) >= max(2, len(tokens) * 0.7):
        return "share"
    return None


def _is_photo_credit(line: str) -> bool:
    return bool(line) and len(line.split()) <= 14 and bool(PHOTO_LABEL.match(line) or PHOTO_SLASH.match(line))


def is_date_line(line: str) -> bool:
    """A line that is only a date, perhaps with a time, "Updated" and the outlet's name:
    "December 15, 2015, 6:31 PM", "Updated 11 March 2026 08:12 | NewsDrift"."""
    rest = _outside_date(line)
    return rest is not None and (not rest or looks_like_outlet(rest) or _single_name(rest))


def _outside_date(line: str) -> str | None:
    """What a line says besides its date, time and timestamp words; None when it has no date."""
    match = DIGIT.search(line) and DATE_TEXT.search(line)
    if not match:
        return None
    rest = TIME_TEXT.sub(" ", line[: match.start()] + " " + line[match.end():])
    return " ".join(TIMESTAMP_WORDS.sub(" ", rest).split())


def _single_name(text: str) -> bool:
    """One capitalised word glued together, as outlets name themselves: "NewsDrift", "CNN"."""
    return len(text.split()) == 1 and text[:1].isupper() and not text.isdigit()


def parse_date_line(line: str) -> dt.date | None:
    """The calendar date in a date line, or None when it cannot be read."""
    from dateutil import parser  # comes with dateparser/trafilatura

    match = DATE_TEXT.search(line)
    if not match:
        return None
    try:
        return parser.parse(match.group(0), default=dt.datetime(2000, 1, 1)).date()
    except (ValueError, OverflowError):
        return None


def outlet_named_in(line: str) -> str | None:
    """The outlet a masthead, byline or date line names: "ByABC News", "By Ruth Ambrose | Calder Evening Star"."""
    parts = [p.strip() for p in re.split(r"[|·•]", line)]
    match = BYLINE.match(parts[0])
    if match:
        parts[0] = match.group("name").strip()
    for part in parts:
        name = _outside_date(part)
        name = part if name is None else name
        if name and (looks_like_outlet(name) or (len(parts) > 1 and _single_name(name))):
            return name
    return None


def _strip_dateline(line: str, removed: list[Removal]) -> str:
    match = DATELINE.match(line)
    if not match or len(line) - match.end() < 40:
        return line
    removed.append(Removal("dateline", match.group(0).strip()))
    return line[match.end():]


def _norm(text: str) -> str:
    return " ".join(WORD.findall(text.lower()))
