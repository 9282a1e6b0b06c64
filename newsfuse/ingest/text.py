"""Plain-text articles: decoding, and the title and masthead at the top of the text."""
from __future__ import annotations

import unicodedata

from ..model import Article, NewsfuseError

# Words that make a short line look like an outlet's name rather than a headline.
OUTLET_WORDS = {
    "agency", "associated", "bbc", "bulletin", "cable", "channel", "chronicle", "courier", "daily",
    "dispatch", "examiner", "express", "gazette", "globe", "guardian", "herald", "independent",
    "journal", "ledger", "magazine", "mail", "mirror", "monitor", "network", "news", "newswire",
    "observer", "online", "post", "press", "radio", "record", "register", "reporter", "review",
    "sentinel", "standard", "star", "telegraph", "times", "today", "tribune", "tv", "weekly", "wire",
}


def decode(data: bytes, name: str) -> str:
    """Bytes to text: UTF-8 (with or without BOM), refusing binary data with a clear message."""
    if b"\x00" in data[:8192]:
        raise NewsfuseError(f"{name}: binary file, not text")
    try:
        content = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise NewsfuseError(
            f"{name}: not valid UTF-8 (byte 0x{data[error.start]:02x} at offset {error.start}); "
            "convert it to UTF-8 first"
        ) from None
    controls = sum(1 for ch in content[:8192] if unicodedata.category(ch) == "Cc" and ch not in "\n\r\t\f")
    if controls > 8:
        raise NewsfuseError(f"{name}: binary file, not text")
    return normalize(content)


def normalize(content: str) -> str:
    """Unify newlines and odd spaces so that later stages see one kind of whitespace."""
    content = unicodedata.normalize("NFC", content.replace("\r\n", "\n").replace("\r", "\n"))
    return content.replace("\u00a0", " ").replace("\u200b", "").replace("\ufeff", "")


def looks_like_outlet(line: str) -> bool:
    """A short unpunctuated line with an outlet word: "Free Press Journal", "Harbour Ledger"."""
    words = line.split()
    if not 1 <= len(words) <= 5 or line.rstrip()[-1:] in ".!?:,;\"”":
        return False
    return any(w.lower().strip("'’.") in OUTLET_WORDS for w in words) and all(w[:1].isupper() or w[:1].isdigit() for w in words)


def parse_plain_text(content: str, article_id: str, origin: str) -> Article:
    """The first non-empty line is the title, unless it is the outlet's masthead above the title."""
    lines = content.split("\n")
    nonempty = [i for i, line in enumerate(lines) if line.strip()]
    if not nonempty:
        raise NewsfuseError(f"{origin}: no text")
    source = None
    first = nonempty[0]
    if len(nonempty) > 2 and looks_like_outlet(lines[first].strip()):
        source = lines[first].strip()
        first = nonempty[1]
    title = lines[first].strip()
    body = "\n".join(lines[first + 1:]).strip("\n")
    if not body.strip():
        raise NewsfuseError(f"{origin}: only a title, no article text")
    return Article(id=article_id, text=body, title=title, source=source, origin=origin)
