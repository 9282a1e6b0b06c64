"""HTML pages through trafilatura in precision mode, with the page's metadata."""
from __future__ import annotations

import datetime as dt
import warnings

from ..model import Article, NewsfuseError
from .text import decode, normalize


def parse_html(data: bytes | str, article_id: str, origin: str) -> Article:
    """Extract the article body, title, outlet (site name), publication date and URL from one HTML page."""
    import trafilatura  # heavy import, only when HTML is read

    page = data if isinstance(data, str) else decode(data, origin)
    if "<" not in page:
        raise NewsfuseError(f"{origin}: not HTML (no markup found)")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # lxml FutureWarnings from inside trafilatura
        try:
            doc = trafilatura.bare_extraction(
                page, favor_precision=True, with_metadata=True, include_comments=False,
                include_tables=False, deduplicate=False,
            )
        except Exception as error:  # lxml raises many kinds on broken markup
            raise NewsfuseError(f"{origin}: cannot parse HTML ({error})") from None
    if doc is None or not (doc.text or "").strip():
        raise NewsfuseError(f"{origin}: no article text found in this HTML page")
    body = normalize(doc.text).replace("\n", "\n\n")  # trafilatura gives one paragraph a line
    return Article(
        id=article_id,
        text=body,
        title=(doc.title or "").strip() or None,
        source=(doc.sitename or "").strip() or None,
        url=doc.url or None,
        date=_parse_iso_date(doc.date),
        origin=origin,
    )


def _parse_iso_date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None
