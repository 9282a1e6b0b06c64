"""Dated events of a story: date expressions resolved against each article's publication date.

A weekday, a day without a year or a bare month is resolved in the direction the sentence's tense
points ("will meet on Friday" forward, "met on Friday" back), because "Friday" alone means the
nearest Friday in whichever direction the writer is looking. dateparser and dateutil pick one fixed
direction (see STACK.md), so relative expressions are resolved here with a few rules.
"""
from __future__ import annotations

import datetime as dt
import re
import statistics
from dataclasses import dataclass

from ..model import Article, Sentence, TimelineEntry
from ..terms import content_terms, stem
from .entities import is_heading

MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4,
    "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9,
    "sept": 9, "sep": 9, "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}
WEEKDAYS = {"monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5, "sunday": 6}

_MONTH = (
    r"(?P<month>January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Jan\.?|Feb\.?|Mar\.|Apr\.?|Jun\.|Jul\.|Aug\.?|Sept?\.?|Oct\.?|Nov\.?|Dec\.?)"
)
_WEEKDAY = r"(?P<weekday>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>(?:19|20)\d\d)"
_EDGE = r"(?:early|late|mid-?|earlier|later)"

# Longest forms first: a match hides the shorter ones it contains ("Dec. 15, 2015" is not also "Dec. 15").
PATTERNS: list[tuple[str, re.Pattern]] = [
    ("iso", re.compile(r"\b(?P<year>(?:19|20)\d\d)-(?P<mon>[01]\d)-(?P<day>[0-3]\d)\b")),
    ("full", re.compile(rf"\b(?:{_WEEKDAY},?\s+)?{_MONTH}\s+{_DAY},?\s+{_YEAR}\b")),
    ("full", re.compile(rf"\b(?:{_WEEKDAY},?\s+)?{_DAY}\s+{_MONTH},?\s+{_YEAR}\b")),
    ("month_year", re.compile(rf"\b{_MONTH}(?:,|\s+of)?\s+{_YEAR}\b")),
    ("month_rel", re.compile(rf"\b{_MONTH}\s+(?P<rel>last|next|this)\s+year\b")),
    ("ago", re.compile(r"\b(?P<n>\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten)\s+"
                       r"(?P<unit>day|week|month|year)s?\s+ago\b", re.I)),
    ("relative", re.compile(rf"\b(?:(?P<edge>{_EDGE})\s+)?(?P<rel>last|next|this|past|coming)\s+"
                            r"(?P<unit>week|month|year)\b", re.I)),
    ("day_month", re.compile(rf"\b(?:{_WEEKDAY},?\s+)?{_MONTH}\s+{_DAY}\b(?!\d)")),
    ("day_month", re.compile(rf"\b(?:{_WEEKDAY},?\s+)?{_DAY}\s+{_MONTH}(?!\w)")),
    ("deictic", re.compile(r"\b(?P<word>today|tonight|yesterday|tomorrow)\b", re.I)),
    ("weekday", re.compile(rf"\b(?:(?P<mod>last|next|this|on|{_EDGE})\s+)?{_WEEKDAY}\b", re.I)),
    # A bare month only after a word that makes it a date ("in May", not "may" the verb).
    ("month", re.compile(rf"\b(?P<mod>(?i:in|since|by|until|till|through|from|during|last|next|this|early|late|mid-?|a|the))\s+"
                         rf"{_MONTH}(?!\w|\.?\s*\d)")),
    ("year", re.compile(rf"\b(?P<mod>(?i:in|since|by|until|till|through|from|during|before|after|of|into|early|late|mid-?))\s+{_YEAR}\b(?!\s*(?:%|percent))"
                        r"|\b(?P<mod2>its|their|the|his|her|a|’s|'s)\s+(?P<year2>(?:19|20)\d\d)\b(?=\s+[a-z])")),
]

# Tense cues: the cue nearest to the expression decides its direction.
FUTURE_CUES = re.compile(
    r"\b(?:will|won['’]t|['’]ll|shall|would|can|going to|is to|are to|to be|set to|due to|expected to|scheduled|"
    r"plans? to|planning to|prepares? to|preparing to|aims? to|intends? to|upcoming|ahead|later)\b", re.I)
PAST_CUES = re.compile(
    r"\b(?:was|were|had|did|has been|have been|ago|earlier|last|\w+ed|met|said|told|spoke|held|made|took|gave|"
    r"came|went|began|left|sent|won|lost|saw|found|brought|thought|got|became|fell|rose|ran|wrote|broke|"
    r"struck|stood|led|paid|flew|heard|kept|knew|meant|sat|sold|spent|understood|woke|set|put|hit|cut|shut)\b",
    re.I)
NOT_PAST = frozenset({"need", "indeed", "proceed", "exceed", "succeed", "seed", "feed", "speed", "bed", "red",
                      "united", "based", "related", "limited", "proposed", "planned", "scheduled", "expected"})
DATELINE = re.compile(r"^\s*(?:updated|published|posted|last updated|first published)\b", re.I)

UNTIL_HOUR = re.compile(r"\b(?:until|till|by)\s+(?:(?:noon|midnight|midday|\d{1,2}(?::\d\d)?\s*(?:[ap]\.?m\.?)?)\s+)?"
                        r"(?:on\s+)?$", re.I)
MIN_EVENT_TERMS = 2  # content words besides the date that an event sentence needs
GRANULARITY_RANK = {"year": 0, "month": 1, "week": 2, "day": 3}
WORD_NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
                "eight": 8, "nine": 9, "ten": 10}


@dataclass
class Resolved:
    date: str
    granularity: str
    expression: str
    relative: bool  # needed the publication date


def infer_missing_dates(articles: list[Article]) -> None:
    """Give every undated article a date inferred from the story, marking it `date_inferred`.

    An article takes the median date of the dated articles it shares statements with (aligned
    sentences), weighted by how many it shares; articles inferred that way pass their date on to
    articles linked only to them. What is still undated takes the median date of the story. A story
    with no dated article leaves its articles undated.
    """
    ids = {a.id for a in articles}
    shared: dict[str, dict[str, int]] = {a.id: {} for a in articles}
    for article in articles:
        for sentence in article.sentences:
            for other in sentence.support:
                if other in ids and other != article.id:
                    shared[article.id][other] = shared[article.id].get(other, 0) + 1
                    shared[other][article.id] = shared[other].get(article.id, 0) + 1
    known = {a.id: a.date for a in articles if a.date is not None}
    if not known:
        return
    story_median = _median(list(known.values()))
    while True:
        found: dict[str, dt.date] = {}
        for article in articles:
            if article.id in known:
                continue
            weighted = [known[o] for o, n in shared[article.id].items() if o in known for _ in range(n)]
            if weighted:
                found[article.id] = _median(weighted)
        if not found:
            break
        known.update(found)
    for article in articles:
        if article.date is None:
            article.date = known.get(article.id, story_median)
            article.date_inferred = True


def build_timeline(articles: list[Article]) -> list[TimelineEntry]:
    """The story's dated events, oldest first.

    One entry per (sentence, date); entries on the same date whose sentences are aligned across
    articles, or state one dated fact (`anchored_pairs`), are merged, with every article reporting
    them in `sources`; the first report's sentence is the entry's text. Expressions that need a
    publication date are skipped in an undated article.
    """
    ids = [a.id for a in articles]
    roles = {a.id: a.role for a in articles}
    # one dated fact in other words ("go ahead on Friday in New York" / "a meeting on Dec. 18 in New
    # York") is one entry too: the claim-level date anchors say which sentences those are
    same_fact: dict[tuple[str, int], set[tuple[str, int]]] = {}
    for first, second in anchored_pairs(articles):
        same_fact.setdefault(first, set()).add(second)
        same_fact.setdefault(second, set()).add(first)
    entries: list[tuple[TimelineEntry, set[tuple[str, int]]]] = []
    for article in articles:
        for sentence in article.sentences:
            if _not_an_event(sentence):
                continue
            seen_dates: set[tuple[str, str]] = set()
            found_all = resolve_expressions(sentence.text, article.date)
            if _only_a_date(sentence.text, found_all):
                continue
            for found in found_all:
                if (found.date, found.granularity) in seen_dates:
                    continue
                seen_dates.add((found.date, found.granularity))
                sources = [article.id] + [o for o in ids if o in sentence.support and o != article.id]
                if len(event_terms(sentence.text, found.expression, reach=1000)) < MIN_EVENT_TERMS:
                    continue  # "That wasn't the case on Tuesday.": a date, but nothing happens on it
                statements = {(article.id, sentence.index)} | {(o, i) for o, i in sentence.support.items() if o in ids}
                statements |= same_fact.get((article.id, sentence.index), set())
                entry = TimelineEntry(
                    date=found.date, granularity=found.granularity, text=sentence.text, sources=sources,
                    expression=found.expression, inferred=found.relative and article.date_inferred,
                )
                _add_or_merge(entries, entry, statements, ids, roles)
    result = [entry for entry, _ in entries]
    result.sort(key=lambda e: (_period_start(e.date, e.granularity), GRANULARITY_RANK[e.granularity]))
    return result


def _add_or_merge(entries, entry: TimelineEntry, statements: set[tuple[str, int]], ids: list[str],
                  roles: dict[str, str]) -> None:
    for existing, known in entries:
        if existing.date == entry.date and existing.granularity == entry.granularity and known & statements:
            # the first report's article stays first, as in summary citations; the rest in story order
            merged = set(existing.sources) | set(entry.sources)
            if roles.get(existing.sources[0]) == "derivative" and roles.get(entry.sources[0]) != "derivative":
                # a copy's wording does not represent the event when an original report states it
                existing.text, existing.expression, existing.sources = entry.text, entry.expression, entry.sources[:1]
            existing.sources = existing.sources[:1] + [i for i in ids if i in merged and i != existing.sources[0]]
            # a real publication date behind any report makes the entry not inferred
            existing.inferred = existing.inferred and entry.inferred
            known |= statements
            return
    entries.append((entry, statements))


# Words that name one kind of occasion: "the meeting on Friday" and "the conference on Friday" are
# one event when the rest agrees. Abbreviations of places spelled out, so "NY" meets "New York".
EVENT_CLASSES = {stem(w): "meet" for w in "meet meeting met conference talks summit session gathering".split()}
ABBREVIATIONS = {"ny": ("new", "york"), "nyc": ("new", "york"), "uk": ("unit", "kingdom"), "un": ("unit", "nation"),
                 "us": ("unit", "state"), "u.s": ("unit", "state"), "eu": ("european", "union")}
PRESS_CONFERENCE = re.compile(r"\b(?:press|news)\s+(?:conference|briefing)", re.I)
DATE_WORDS = frozenset(stem(w) for w in [*MONTHS, *WEEKDAYS, "today", "tonight", "yesterday", "tomorrow", "week",
                                        "month", "year", "day", "earlier", "later", "last", "next", "early", "late"])


def event_terms(text: str, expression: str, reach: int = 10) -> set[str]:
    """Content words around a date expression, date words left out: what happens on that date.

    The window is `reach` content words either side; the event words and abbreviations above are
    mapped to one form so that two outlets' wordings of one occasion share terms."""
    at = text.find(expression)
    if at < 0:
        return set()
    # a press conference is where something is said, not the occasion itself; keep it apart from "conference"
    before = content_terms(PRESS_CONFERENCE.sub("presser", text[:at]))[-reach:]
    after = content_terms(PRESS_CONFERENCE.sub("presser", text[at + len(expression):]))[:reach]
    found: set[str] = set()
    for term in before + after:
        if term in DATE_WORDS or term.isdigit() or "'" in term or "’" in term:  # "wasn't" says nothing happened
            continue
        found.update(ABBREVIATIONS.get(term, (EVENT_CLASSES.get(term, term),)))
    return found


def anchored_pairs(articles: list[Article], sentences: list[Sentence] | None = None, min_terms: int = 3,
                   min_cosine: float = 0.45) -> set[tuple[tuple[str, int], tuple[str, int]]]:
    """Pairs of sentences ((article id, index), ...) of different outlets that state one dated fact.

    Only dates other than the publication days anchor: every report of the day's event carries
    the day, so it tells nothing about which fact a sentence states."""
    by_id = {a.id: a for a in articles}
    if sentences is None:
        sentences = [s for a in articles for s in a.sentences]
    published = {a.date.isoformat() for a in articles if a.date is not None}
    anchored: dict[tuple[str, str], list[tuple[Sentence, set[str], str | None]]] = {}
    for sentence in sentences:
        article = by_id.get(sentence.article_id)
        if article is None:
            continue
        for found in resolve_expressions(sentence.text, article.date):
            if found.granularity != "day" or found.date in published:
                continue
            at = sentence.text.find(found.expression)
            tense = tense_at(sentence.text, at, at + len(found.expression))
            terms = event_terms(sentence.text, found.expression)
            anchored.setdefault((found.date, found.granularity), []).append((sentence, terms, tense))
    pairs = set()
    for reports in anchored.values():
        for i, (a, terms_a, tense_a) in enumerate(reports):
            for b, terms_b, tense_b in reports[i + 1:]:
                if by_id[a.article_id].outlet == by_id[b.article_id].outlet:
                    continue
                if tense_a and tense_b and tense_a != tense_b:
                    continue
                if len(terms_a & terms_b) < min_terms or a.similarity(b) < min_cosine:
                    continue
                pairs.add(((a.article_id, a.index), (b.article_id, b.index)))
    return pairs


def _not_an_event(sentence: Sentence) -> bool:
    """Date lines ("Updated 15 December") and headings ("Target Date") carry no event."""
    return bool(DATELINE.match(sentence.text)) or is_heading(sentence.text)


def _only_a_date(text: str, found: list[Resolved]) -> bool:
    """A date line such as "December 15, 2015, 6:31 PM": the date is all there is."""
    for resolved in found:
        text = text.replace(resolved.expression, " ")
    return bool(found) and len(re.findall(r"[A-Za-z]{2,}", text)) < 3


def resolve_expressions(text: str, published: dt.date | None) -> list[Resolved]:
    """Every date expression in `text`, resolved against the publication date `published`."""
    taken: list[tuple[int, int]] = []
    results: list[tuple[int, Resolved]] = []
    for kind, pattern in PATTERNS:
        for match in pattern.finditer(text):
            if any(match.start() < end and start < match.end() for start, end in taken):
                continue
            resolved = _resolve(kind, match, text, published)
            taken.append((match.start(), match.end()))
            if resolved is not None:
                results.append((match.start(), resolved))
    return [r for _, r in sorted(results, key=lambda x: x[0])]


def _resolve(kind: str, m: re.Match, text: str, base: dt.date | None) -> Resolved | None:
    expression = m.group(0).strip()
    g = m.groupdict()
    if kind == "iso":
        return _day(int(g["year"]), int(g["mon"]), int(g["day"]), expression, False)
    if kind == "full":
        return _day(int(g["year"]), _month_number(g["month"]), int(g["day"]), expression, False)
    if kind == "month_year":
        return Resolved(f"{int(g['year']):04d}-{_month_number(g['month']):02d}", "month", expression, False)
    if kind == "year":
        year = g.get("year") or g.get("year2")
        return Resolved(year, "year", expression, False)
    if base is None:
        return None
    tense = tense_at(text, m.start(), m.end())
    if kind == "month_rel":
        year = base.year + {"last": -1, "next": 1, "this": 0}[g["rel"].lower()]
        return Resolved(f"{year:04d}-{_month_number(g['month']):02d}", "month", expression, True)
    if kind == "ago":
        n = int(g["n"]) if g["n"].isdigit() else WORD_NUMBERS[g["n"].lower()]
        return _shift(base, g["unit"].lower(), -n, expression)
    if kind == "relative":
        rel, unit = g["rel"].lower(), g["unit"].lower()
        step = {"last": -1, "past": -1, "next": 1, "coming": 1, "this": 0}[rel]
        return _shift(base, unit, step, expression)
    if kind == "deictic":
        offset = {"today": 0, "tonight": 0, "yesterday": -1, "tomorrow": 1}[g["word"].lower()]
        return _date_of(base + dt.timedelta(days=offset), expression)
    if kind == "day_month":
        month, day = _month_number(g["month"]), int(g["day"])
        candidates = []
        for year in (base.year - 1, base.year, base.year + 1):
            try:
                candidates.append(dt.date(year, month, day))
            except ValueError:
                continue
        if not candidates:
            return None
        return _date_of(_nearest(candidates, base, tense), expression)
    if kind == "weekday":
        if re.search(r"\b(?:a|every|each|any|one)\s+$", text[:m.start()], re.I):
            return None  # "on a Saturday" is any Saturday
        if UNTIL_HOUR.search(text[max(0, m.start() - 25):m.start()]):
            tense = "future"  # "closed until noon on Wednesday": the closure runs forward from the report
        return _date_of(_weekday(base, WEEKDAYS[g["weekday"].lower()], (g.get("mod") or "").lower(), tense), expression)
    if kind == "month":
        mod = g["mod"].lower()
        month = _month_number(g["month"])
        if g["month"] == "May" and mod in {"a", "the"}:  # "a May" is too rare to outweigh the verb
            return None
        if mod == "this":
            year = base.year
        else:
            # "by August" is a deadline, ahead even in "he wanted the report by August"
            direction = {"last": "past", "next": "future", "since": "past", "by": "future"}.get(mod) or tense or (
                "future" if mod in {"until", "till"} else "past")
            year = _month_year(base, month, direction)
        return Resolved(f"{year:04d}-{month:02d}", "month", expression, True)
    return None


def tense_at(text: str, start: int, end: int) -> str | None:
    """"past", "future" or None: the tense cue nearest to text[start:end] in the same clause."""
    own = text[start:end].lower()
    if own.startswith(("earlier", "last")) or own.endswith("ago"):
        return "past"
    if own.startswith(("later", "next", "coming")):
        return "future"
    if re.search(r"\bsince\s+$", text[max(0, start - 10):start].lower()):
        return "past"
    clause_start = max(text.rfind(mark, 0, start) for mark in (";", "“", "”", "\"", ":"))
    # a comma after the expression ends its clause: "..., the council said" reports, it is not the event
    clause_end = min([i for i in (text.find(mark, end) for mark in (";", "“", "”", "\"", ",")) if i >= 0] + [len(text)])
    best: tuple[int, str] | None = None
    for cues, tense in ((FUTURE_CUES, "future"), (PAST_CUES, "past")):
        for cue in cues.finditer(text, clause_start + 1, clause_end):
            if start <= cue.start() < end:
                continue
            word = cue.group(0).lower()
            if tense == "past" and (word in NOT_PAST or word.endswith("eed")):
                continue
            # a participle after "be" is passive: its auxiliary tells the tense ("will be reviewed")
            if tense == "past" and re.search(r"\b(?:be|been|being|is|are|am)\s+(?:\w+ly\s+)?$", text[:cue.start()]):
                continue
            distance = start - cue.end() if cue.end() <= start else cue.start() - end
            # cues before the expression govern it more often than cues after it; "would" is as often
            # a conditional or reported past ("problems that would lead him to open fire Monday")
            distance = distance if cue.end() <= start else distance * 1.5
            distance = distance * 2 if word == "would" else distance
            if best is None or distance < best[0]:
                best = (distance, tense)
    return best[1] if best else None


def _nearest(candidates: list[dt.date], base: dt.date, tense: str | None) -> dt.date:
    """The candidate nearest to `base`, counting days against the tense three times over."""
    def cost(day: dt.date) -> float:
        delta = (day - base).days
        against = (tense == "past" and delta > 0) or (tense == "future" and delta < 0)
        return abs(delta) * (3 if against else 1)
    return min(candidates, key=cost)


def _weekday(base: dt.date, weekday: int, mod: str, tense: str | None) -> dt.date:
    ahead = (weekday - base.weekday()) % 7  # 0..6 days forward
    if mod == "next":
        return base + dt.timedelta(days=ahead or 7)
    if mod == "last":
        return base - dt.timedelta(days=(7 - ahead) % 7 or 7)
    if mod == "this":
        return base + dt.timedelta(days=weekday - base.weekday())  # the day in the publication week
    if ahead == 0:
        return base  # "on Tuesday" in Tuesday's paper is today, whatever the tense
    if mod in {"later"} or tense == "future":
        return base + dt.timedelta(days=ahead)
    return base - dt.timedelta(days=7 - ahead)


def _month_year(base: dt.date, month: int, direction: str) -> int:
    if direction == "future":
        return base.year if month >= base.month else base.year + 1
    return base.year if month <= base.month else base.year - 1


def _shift(base: dt.date, unit: str, step: int, expression: str) -> Resolved:
    if unit == "day":
        return _date_of(base + dt.timedelta(days=step), expression)
    if unit == "week":
        year, week, _ = (base + dt.timedelta(weeks=step)).isocalendar()
        return Resolved(f"{year:04d}-W{week:02d}", "week", expression, True)
    if unit == "month":
        index = base.year * 12 + base.month - 1 + step
        return Resolved(f"{index // 12:04d}-{index % 12 + 1:02d}", "month", expression, True)
    return Resolved(f"{base.year + step:04d}", "year", expression, True)


def _day(year: int, month: int, day: int, expression: str, relative: bool) -> Resolved | None:
    try:
        return Resolved(dt.date(year, month, day).isoformat(), "day", expression, relative)
    except ValueError:
        return None


def _date_of(day: dt.date, expression: str) -> Resolved:
    return Resolved(day.isoformat(), "day", expression, True)


def _month_number(name: str) -> int:
    return MONTHS[name.lower().rstrip(".")]


def _median(dates: list[dt.date]) -> dt.date:
    return dt.date.fromordinal(int(statistics.median_low([d.toordinal() for d in dates])))


def _period_start(date: str, granularity: str) -> dt.date:
    if granularity == "week":
        year, week = date.split("-W")
        return dt.date.fromisocalendar(int(year), int(week), 1)
    parts = [int(p) for p in date.split("-")] + [1, 1]
    return dt.date(parts[0], parts[1], parts[2])
