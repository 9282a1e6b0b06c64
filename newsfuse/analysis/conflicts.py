"""Conflicts between outlets: different figures for the same quantity, or a denial of a statement.

Rule-based (no NLI model ships offline, see STACK.md):

- figure: two outlets give different numbers with the same unit ("212 people" / "214 residents":
  people, residents, civilians are one unit) in the same context (a shared content word near the
  number, "evacuated"; "killed" and "died" are one word here), and the values are within a factor
  of three of each other. Different quantities that merely share a unit ("5 million crowns" for
  households, "310 million crowns" for the barrier) have no context word in common. Approximate
  figures are ranges ("about 40" is 36-44, "more than 200" is above 200) and conflict only when the
  ranges cannot both be true. Years, times and days of the month are not quantities.
- date: two outlets date one event differently ("the meeting on Friday", resolving to Dec. 18, and
  "the meeting on Dec. 19"). Dates are compared as the timeline resolves them, so "Friday" and
  "Dec. 18" in a paper of Tuesday Dec. 15 are the same day, not a conflict. One event: the two
  sentences are aligned, or the words around both dates agree (`timeline.event_terms`) and the
  sentences are close; the days are at most `max_date_gap` apart (a yearly or weekly repeat of an
  event is another occasion) and no tense is opposite.
- denial: a sentence with a denial or negation whose governed words ("denied that the jets
  crossed") appear in another outlet's sentence that it is aligned with (or nearly the same words
  as) and that has no negation at all. A negation inside a quote counts: "not seeking regime
  change" quoted and reported are the same statement.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from ..align import coverage
from ..model import Article, Conflict, ConflictSide, Sentence
from ..terms import STOP_WORDS, content_terms, stem, tokens
from .timeline import DATE_WORDS, event_terms, resolve_expressions, tense_at

WORD_NUMBERS = {w: n for n, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty".split())}
SCALES = {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}
APPROXIMATE = {"about", "around", "roughly", "approximately", "nearly", "almost", "some", "estimated", "an estimated"}
ABOVE = {"more than", "over", "at least", "upwards of", "in excess of"}
BELOW = {"fewer than", "less than", "under", "up to", "as many as", "at most"}
MONTHS = re.compile(r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?$", re.I)
QUANTITY = re.compile(
    r"(?P<qualifier>\b(?:about|around|roughly|approximately|nearly|almost|some|an estimated|estimated|more than|over|"
    r"at least|upwards of|in excess of|fewer than|less than|under|up to|as many as|at most)\s+)?"
    r"(?P<number>\b\d{1,3}(?:,\d{3})+(?:\.\d+)?\b|\b\d+(?:\.\d+)?\b|\b(?:" + "|".join(WORD_NUMBERS) + r")\b)"
    r"(?:\s+(?P<scale>hundred|thousand|million|billion)\b)?"
    r"(?P<percent>\s*(?:%|percent\b|per cent\b))?",
    re.I,
)
# units that count the same thing under different nouns
UNIT_CLASSES = {  # Snowball stems
    "people": {"peopl", "person", "resid", "civilian", "individu", "inhabit", "villag", "citizen", "men", "women", "children", "passeng"},
    "home": {"home", "hous", "dwell"},
}
# context words that name the same event
CONTEXT_CLASSES = {"death": {"kill", "die", "dead", "death", "fatal", "toll", "live"}, "evacu": {"evacu", "displac", "flee", "fled"}}
CALENDAR = {stem(w) for w in "monday tuesday wednesday thursday friday saturday sunday today yesterday week month year day".split()}
DENIAL = re.compile(r"\b(?:den(?:y|ies|ied|ying)|reject(?:s|ed)?|refut(?:e|es|ed)|dismiss(?:es|ed)?|not true|false(?:ly)?)\b", re.I)
NEGATION = re.compile(r"\b(?:not|never|no|none|nobody|neither|nor)\b|n[’']t\b", re.I)
TWO_EVENTS = re.compile(r"\b(?:a|one|two|three|\d+|the|several)\s+(?:days?|weeks?|nights?|hours?)\s+(?:after|before|later|earlier)\b"
                        r"|\b(?:the\s+)?(?:day|night|morning|evening)\s+(?:after|before)\b", re.I)
QUOTED = re.compile(r"[“\"][^“”\"]*[”\"]|‘[^‘’]*’")


@dataclass(frozen=True)
class ConflictOptions:
    window: int = 8  # words either side of a number that give its context
    max_ratio: float = 3.0  # figures further apart are different quantities, not a disagreement
    min_distinct_value: float = 10  # smaller numbers are too common to gather outlets by value alone
    denial_cosine: float = 0.75
    denial_coverage: float = 0.6
    date_terms: int = 3  # words around both dates in common for two sentences to date one event
    date_cosine: float = 0.6
    date_coverage: float = 0.6  # share of the shorter sentence's words the other must have
    max_date_gap: int = 6  # days


@dataclass
class Quantity:
    low: float
    high: float
    text: str  # as written: "about 40 homes"
    unit: str  # unit class or stem
    unit_word: str
    context: dict[str, str]  # stem (or its class) -> a surface word
    sentence: Sentence = field(repr=False)

    @property
    def exact(self) -> bool:
        return self.low == self.high


def find_conflicts(articles: list[Article], options: ConflictOptions = ConflictOptions()) -> list[Conflict]:
    """Figure and denial conflicts between different outlets of `articles` (off-event articles left out by the caller)."""
    return figure_conflicts(articles, options) + date_conflicts(articles, options) + denial_conflicts(articles, options)


def quantities(sentence: Sentence, options: ConflictOptions = ConflictOptions()) -> list[Quantity]:
    """The counted quantities a sentence states: number, unit noun, context words."""
    found = []
    text = sentence.text
    for match in QUANTITY.finditer(text):
        before = text[:match.start("number")].split()
        if before and MONTHS.match(before[-1]):
            continue  # "Dec. 18", "Sept. 30": a date
        raw = match.group("number").lower()
        if raw in WORD_NUMBERS:
            value = float(WORD_NUMBERS[raw])
        else:
            value = float(raw.replace(",", ""))
        if match.group("scale"):
            value *= SCALES[match.group("scale").lower()]
        after = text[match.end():]
        if re.match(r"\s*[:.]\d|\s*(?:a\.m\.|p\.m\.|am\b|pm\b)", after):
            continue  # a time of day, a decimal already taken
        if match.group("percent"):
            unit_word = "percent"
        else:
            unit_word = _unit_word(after)
            if unit_word is None:
                continue  # a bare number: a year, a score, a date
        unit = _unit_class(stem(unit_word.lower()))
        qualifier = (match.group("qualifier") or "").strip().lower()
        low, high = _range(value, qualifier)
        found.append(Quantity(low, high, text[match.start():match.end()] + ("" if unit_word == "percent" else f" {unit_word}"),
                              unit, unit_word, _context(text, match.start(), match.end(), unit, options), sentence))
    return found


def figure_conflicts(articles: list[Article], options: ConflictOptions = ConflictOptions()) -> list[Conflict]:
    outlet = {a.id: a.outlet for a in articles}
    found = [q for a in articles for s in a.sentences for q in quantities(s, options)]
    by_unit: dict[str, list[Quantity]] = {}
    for q in found:
        by_unit.setdefault(q.unit, []).append(q)
    conflicts: list[Conflict] = []
    used: set[int] = set()
    pairs = ((a, b) for same_unit in by_unit.values() for i, a in enumerate(same_unit) for b in same_unit[i + 1:])
    for a, b in pairs:
        if id(a) in used or id(b) in used:
            continue
        if outlet[a.sentence.article_id] == outlet[b.sentence.article_id]:
            continue
        shared = a.context.keys() & b.context.keys()
        if not shared or _compatible(a, b):
            continue
        va, vb = _stated(a), _stated(b)
        if max(va, vb) / max(min(va, vb), 1e-9) > options.max_ratio:
            continue  # too far apart to be one quantity counted differently
        sides = _gather_sides(a, b, by_unit[a.unit], options)
        for side in sides:
            used.update(id(q) for q in side)
        subject = f"{a.unit_word} {a.context[sorted(shared)[0]]}"
        conflicts.append(Conflict(kind="figure", subject=subject, sides=[
            ConflictSide(value=_value_text(side[0]), text=side[0].sentence.text,
                         sources=list(dict.fromkeys(q.sentence.article_id for q in side)))
            for side in sides
        ]))
    return conflicts


def date_conflicts(articles: list[Article], options: ConflictOptions = ConflictOptions()) -> list[Conflict]:
    """Outlets that give one event different days, as resolved against each article's date."""
    import datetime as dt

    outlet = {a.id: a.outlet for a in articles}
    dated = []  # (sentence, day, expression, event words, tense)
    for article in articles:
        for sentence in article.sentences:
            for found in resolve_expressions(sentence.text, article.date):
                if found.granularity != "day":
                    continue
                at = sentence.text.find(found.expression)
                dated.append((sentence, dt.date.fromisoformat(found.date), found.expression,
                              event_terms(sentence.text, found.expression), tense_at(sentence.text, at, at + len(found.expression))))
    days: dict[tuple[str, int], set[dt.date]] = {}
    for sentence, day, *_ in dated:
        days.setdefault((sentence.article_id, sentence.index), set()).add(day)
    conflicts: list[Conflict] = []
    taken: set[tuple[str, int]] = set()
    for i, (a, day_a, expr_a, terms_a, tense_a) in enumerate(dated):
        for b, day_b, expr_b, terms_b, tense_b in dated[i + 1:]:
            if day_a == day_b or abs((day_a - day_b).days) > options.max_date_gap:
                continue
            if outlet[a.article_id] == outlet[b.article_id] or {(a.article_id, a.index), (b.article_id, b.index)} & taken:
                continue
            if tense_a and tense_b and tense_a != tense_b:
                continue
            if day_a in days[(b.article_id, b.index)] or day_b in days[(a.article_id, a.index)]:
                continue  # both sentences name both days ("after today's talks, ... on Friday"): no disagreement
            if TWO_EVENTS.search(a.text) or TWO_EVENTS.search(b.text):
                continue  # "returned on Wednesday, a day after the tide flooded it": one date, two events
            if not (_aligned(a, b) or _same_dated_event(a, b, terms_a, terms_b, options)):
                continue
            taken.update({(a.article_id, a.index), (b.article_id, b.index)})
            conflicts.append(Conflict(kind="date", subject=_subject(a.text), sides=[
                ConflictSide(value=f"{expr_a} ({day_a.isoformat()})", text=a.text, sources=[a.article_id]),
                ConflictSide(value=f"{expr_b} ({day_b.isoformat()})", text=b.text, sources=[b.article_id]),
            ]))
    return conflicts


def _aligned(a: Sentence, b: Sentence) -> bool:
    return a.support.get(b.article_id) == b.index or b.support.get(a.article_id) == a.index


def _same_dated_event(a: Sentence, b: Sentence, terms_a: set[str], terms_b: set[str], options: ConflictOptions) -> bool:
    """Whether two sentences that date something say the same about it besides the date: the words
    around both dates agree, the sentences are close, and most of the shorter one's words (date words
    left out) are in the other. Two events of one story share many words ("flooded on Tuesday",
    "returned to flooded homes on Wednesday"), so all three must hold."""
    if len(terms_a & terms_b) < options.date_terms or a.similarity(b) < options.date_cosine:
        return False
    words_a = set(content_terms(a.text)) - DATE_WORDS
    words_b = set(content_terms(b.text)) - DATE_WORDS
    shorter, longer = sorted((words_a, words_b), key=len)
    return bool(shorter) and coverage(shorter, longer) >= options.date_coverage


def denial_conflicts(articles: list[Article], options: ConflictOptions = ConflictOptions()) -> list[Conflict]:
    """A negated sentence aligned with another outlet's affirmative one."""
    outlet = {a.id: a.outlet for a in articles}
    sentences = [s for a in articles for s in a.sentences]
    if not sentences:
        return []
    row = {(s.article_id, s.index): n for n, s in enumerate(sentences)}
    negated = [_negated(s.text) for s in sentences]
    dimension = next((len(s.vector) for s in sentences if s.vector is not None), 1)
    matrix = np.array([s.vector if s.vector is not None else np.zeros(dimension) for s in sentences])
    reported_by: dict[int, set[int]] = {}  # aligned pairs, both ways
    for n, sentence in enumerate(sentences):
        for other, index in sentence.support.items():
            m = row.get((other, index))
            if m is not None:
                reported_by.setdefault(n, set()).add(m)
                reported_by.setdefault(m, set()).add(n)
    conflicts = []
    for n in (n for n, flag in enumerate(negated) if flag):
        sentence = sentences[n]
        # only sentences close in meaning can be the statement it denies: one matrix product, not all pairs
        near = set(np.nonzero(matrix @ matrix[n] >= options.denial_cosine)[0].tolist()) | reported_by.get(n, set())
        for m in sorted(near):
            candidate = sentences[m]
            if negated[m] or outlet[candidate.article_id] == outlet[sentence.article_id]:
                continue
            if not _same_statement(sentence, candidate, options):
                continue
            if not _negated_terms(sentence.text) & set(content_terms(candidate.text)):
                continue  # the negation is about something the other sentence does not say ("but did not move")
            conflicts.append(Conflict(kind="denial", subject=_subject(candidate.text), sides=[
                ConflictSide(value="states", text=candidate.text, sources=[candidate.article_id]),
                ConflictSide(value="denies", text=sentence.text, sources=[sentence.article_id]),
            ]))
    return conflicts


def _unit_word(after: str) -> str | None:
    """The counted noun right after a number: up to two modifiers, then a noun ("elderly residents")."""
    words = re.findall(r"[A-Za-z][A-Za-z'’-]*|[^\sA-Za-z]", after)[:3]
    chosen = None
    for word in words:
        if not word[0].isalpha() or word.lower() in STOP_WORDS or word[0].isupper():
            break
        chosen = word
        if not word.lower().endswith(("al", "ly", "ic", "ous", "ive", "ful", "less", "ern", "ed")):
            break  # a noun, or at least not an adjective
    return chosen


def _unit_class(unit_stem: str) -> str:
    return next((name for name, members in UNIT_CLASSES.items() if unit_stem in members), unit_stem)


def _context(text: str, start: int, end: int, unit: str, options: ConflictOptions) -> dict[str, str]:
    left = tokens(text[:start])[-options.window:]
    right = tokens(text[end:])[:options.window + 1]
    context = {}
    for word in left + right:
        if word in STOP_WORDS or word.isdigit() or word in WORD_NUMBERS or word in SCALES or len(word) < 3:
            continue
        key = stem(word)
        if key in CALENDAR or MONTHS.match(word) or _unit_class(key) == unit:
            continue
        key = next((name for name, members in CONTEXT_CLASSES.items() if key in members), key)
        context.setdefault(key, word)
    return context


def _range(value: float, qualifier: str) -> tuple[float, float]:
    if qualifier in APPROXIMATE:
        return value * 0.9, value * 1.1
    if qualifier in ABOVE:
        return value, float("inf")
    if qualifier in BELOW:
        return 0.0, value
    return value, value


def _compatible(a: Quantity, b: Quantity) -> bool:
    """Whether both figures can be true at once (their ranges overlap)."""
    return a.low <= b.high and b.low <= a.high


def _gather_sides(a: Quantity, b: Quantity, found: list[Quantity], options: ConflictOptions) -> list[list[Quantity]]:
    """Each side: its figure, and every other outlet's same figure of the same unit in the same
    context (or any context when the figure is distinctive enough)."""
    sides = [[a], [b]]
    for q in found:
        if q is a or q is b or q.unit != a.unit:
            continue
        for side in sides:
            head = side[0]
            if q.low == head.low and q.high == head.high and (
                (q.context.keys() & head.context.keys()) or (q.exact and q.low >= options.min_distinct_value)
            ):
                if q.sentence.article_id not in {x.sentence.article_id for x in side}:
                    side.append(q)
                break
    return sides


def _value_text(q: Quantity) -> str:
    return q.text


def _stated(q: Quantity) -> float:
    """The number as written: the finite bound of a range, the middle of an approximation."""
    if q.high == float("inf"):
        return q.low
    return (q.low + q.high) / 2 if q.low else q.high


def _negated(text: str) -> bool:
    return bool(DENIAL.search(text) or NEGATION.search(text))


def _negated_terms(text: str, reach: int = 4) -> set[str]:
    """Content words a denial or negation governs: the few after each cue."""
    governed: set[str] = set()
    for cue in list(DENIAL.finditer(text)) + list(NEGATION.finditer(text)):
        clause = re.split(r"[,;:.!?”\"’)(]", text[cue.end():], maxsplit=1)[0]  # the negated clause only
        governed.update(content_terms(" ".join(clause.split()[:reach])))
    return governed


def _same_statement(a: Sentence, b: Sentence, options: ConflictOptions) -> bool:
    if a.support.get(b.article_id) == b.index or b.support.get(a.article_id) == a.index:
        return True
    if a.similarity(b) < options.denial_cosine:
        return False
    ta = {t for t in content_terms(QUOTED.sub(" ", a.text))}
    tb = {t for t in content_terms(QUOTED.sub(" ", b.text))}
    return len(tb) >= 4 and coverage(tb, ta) >= options.denial_coverage


def _subject(text: str, words: int = 12) -> str:
    parts = text.split()
    return " ".join(parts[:words]) + ("…" if len(parts) > words else "")
