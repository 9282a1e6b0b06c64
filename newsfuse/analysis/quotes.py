"""Direct quotes, who said them, and which outlets carry them.

Quotes are found in paragraph text (a quote may span sentences, or be broken by its attribution:
"We are not seeking," he said, "regime change."). The speaker comes from the speech verb nearest to
the quote in the sentences it spans: the name right after it ("said Kerry"), the subject before it
("Kerry told reporters", "Putin's spokesman, Dmitry Peskov, told"), or "according to X". "He said"
takes the last person named or quoted before it, "the minister said" the person with that title,
and a full sentence quoted with no verb of its own continues the previous speaker. Names resolve to
the story's entities ("Kerry" -> John Kerry). One quote carried by several outlets, in slightly
different wordings, becomes one Quote with its variants.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from ..model import Article, Entity, Quote
from .entities import HONORIFICS, TITLE_WORDS, name_key, person_tokens

OPENERS = {"“": "”", "\"": "\"", "«": "»", "„": "“"}
CLOSERS = {"”", "\"", "»", "“"}
CUE = re.compile(
    r"\b(?:said|says|say|told|tells|added|adds|stressed|stresses|noted|notes|announced|announces|declared|"
    r"explained|insisted|insists|warned|warns|warning|asked|asks|replied|wrote|writes|argued|argues|claimed|"
    r"claims|urged|urges|called|calling|described|describes|describing|hailed|acknowledged|admitted|recalled|"
    r"confirmed|denied|suggested|commented|continued|remarked|testified|tweeted|posted|conceded|emphasi[sz]ed|"
    r"reiterated|cautioned|vowed|pledged|promised|predicted|saying|adding|according to|quoted|quoting|"
    r"stated|states|telling)\b")
# Verbs whose subject may follow them ("said Kerry"); after "told" or "calling" comes the addressee or object.
INVERTIBLE = frozenset("""said says say added adds stressed noted declared explained insisted warned asked replied
    wrote writes argued claimed acknowledged admitted recalled confirmed continued remarked conceded reiterated
    cautioned predicted stated""".split())
# Lowercase words that belong to a role written before a name ("foreign ministry spokesman").
ROLE_WORDS = frozenset("ministry office department house council adviser advisor aide member executive affairs "
                       "national security foreign general senior".split())
# Words that end a role written before a name, read backwards ("On Tuesday Prime Minister ...").
RUN_STOPS = frozenset("""on in at by after before during with from to as when while said says told monday tuesday
    wednesday thursday friday saturday sunday january february march april june july august september october
    november december""".split())
# "a spokesman for Prime Minister Tony Blair said": the speaker is the spokesman, not the name
SPEAKING_FOR = re.compile(r"\b(?:spokes(?:man|woman|person)|adviser|advisor|aide|representative|lawyer|attorney)"
                          r"\s+(?:for|to|of)\s+(?:[\w.’'-]+\s+){0,5}$", re.I)
APPOSITIVE_START = re.compile(r"\s*(?:a|an|the|who|which|whose|[A-Z][\w-]*[’']s)\s")
PARTICIPLES = frozenset({"warning", "saying", "adding", "calling", "describing", "telling", "quoting"})
PRONOUN = re.compile(r"\b(?:he|she|He|She)\b")
# "the minister said": role nouns only, not the modifiers of a title ("the state", "the press")
ROLE_NOUNS = TITLE_WORDS - HONORIFICS - {"state", "press", "foreign", "interior", "defence", "defense", "finance",
                                         "deputy", "assistant", "vice", "head", "chair", "justice", "general", "major",
                                         "prime", "chief", "lord", "lady", "rep", "sen", "gov", "col", "gen", "lt",
                                         "capt", "sgt", "rev"}
NOMINAL = re.compile(r"\b(?:the|The)\s+((?:[a-z]+\s+){0,2}?(?:%s|diplomat|official|leader|spokesperson))\b"
                     % "|".join(sorted(ROLE_NOUNS, key=len, reverse=True)))
# Generic role nouns that stand for any of several titles.
ROLE_FAMILIES = {
    "diplomat": ("minister", "secretary", "ambassador", "envoy", "diplomat"),
    "official": tuple(TITLE_WORDS),
    "leader": ("president", "prime", "leader", "chancellor", "king", "queen", "premier"),
    "spokesperson": ("spokesman", "spokeswoman", "spokesperson"),
}
DEMONYM = re.compile(r"^(?:[A-Z][a-z]+(?:an|ian|ish|ese|i|ch)|U\.?S\.?|US|UK|U\.K\.|EU|UN)$")
MIN_UNATTRIBUTED_WORDS = 4  # shorter quotes without a speech verb are scare quotes ("Day One")
CONTINUATION_SENTENCES = 2  # a speaker carries over this many sentences to an unattributed quote


@dataclass
class _Mention:
    start: int
    end: int
    name: str  # resolved name (entity's canonical name, or as written)
    kind: str  # "person" | "organization" | "place" | "pronoun" | "nominal"
    text: str


@dataclass
class _Found:
    text: str
    speaker: str | None
    title: str | None
    article_id: str
    position: int
    tokens: list[str] = field(default_factory=list)


def extract_quotes(articles: list[Article], entities: list[Entity]) -> list[Quote]:
    """Every direct quote of the articles with its speaker; the same quote across outlets merged.

    Sorted by the number of outlets carrying the quote, then by where it first appears.
    """
    lookup = _EntityLookup(entities)
    titles: dict[str, Counter] = {}
    found: list[_Found] = []
    for order, article in enumerate(articles):
        found.extend(_article_quotes(article, order, lookup, titles))
    for quote in found:
        if quote.speaker and not quote.title and titles.get(quote.speaker):
            quote.title = titles[quote.speaker].most_common(1)[0][0]
    return _merge_across_outlets(found, [a.id for a in articles])


# ---------------------------------------------------------------- names

class _EntityLookup:
    """Finds entity mentions in text and maps any variant to the canonical name."""

    def __init__(self, entities: list[Entity]):
        self.kind: dict[str, str] = {}
        self.canonical: dict[str, str] = {}
        forms: list[str] = []
        for entity in entities:
            for form in [entity.name, *entity.variants]:
                self.canonical.setdefault(form, entity.name)
                forms.append(form)
            self.kind[entity.name] = entity.kind
        self.surnames: dict[str, set[str]] = {}
        for entity in entities:
            if entity.kind == "person":
                tokens = person_tokens(entity.name)
                if tokens:
                    self.surnames.setdefault(tokens[-1], set()).add(entity.name)
        for surname, names in self.surnames.items():  # "Osei said" when only "Daniel Osei" was tagged
            written = next(iter(names)).split()[-1]
            if len(names) == 1 and written not in self.canonical and person_tokens(written) == [surname]:
                self.canonical[written] = next(iter(names))
                forms.append(written)
        forms.sort(key=len, reverse=True)
        self.pattern = re.compile(
            r"(?<![\w-])(?:%s)(?![\w-])" % "|".join(re.escape(f) for f in forms)) if forms else None

    def mentions(self, text: str, offset: int = 0) -> list[_Mention]:
        found = []
        if self.pattern is not None:
            for m in self.pattern.finditer(text):
                name = self.canonical[m.group(0)]
                found.append(_Mention(offset + m.start(), offset + m.end(), name, self.kind[name], m.group(0)))
        taken = [(m.start, m.end) for m in found]
        # capitalised names the NER missed: "Tanju Bilgic said"
        for m in re.finditer(r"\b[A-Z][a-z]+\.?(?:[ -][A-Z][a-z]+)+\b", text):
            if any(offset + m.start() < e and s < offset + m.end() for s, e in taken):
                continue
            words = list(re.finditer(r"[^ ]+", m.group(0)))
            titled = [w for w in words if w.group(0).lower().strip(".") in TITLE_WORDS]
            begin = titled[-1].end() + 1 if titled else 0  # "Trooper Linette Quinn" -> "Linette Quinn"
            name = m.group(0)[begin:]
            if name and (len(name.split()) >= 2 or self.kind.get(self.canonical.get(name, ""), "") == "person"):
                found.append(_Mention(offset + m.start() + begin, offset + m.end(), self.resolve(name), "person", name))
        for m in PRONOUN.finditer(text):
            found.append(_Mention(offset + m.start(), offset + m.end(), "", "pronoun", m.group(0)))
        for m in NOMINAL.finditer(text):
            found.append(_Mention(offset + m.start(), offset + m.end(), "", "nominal", m.group(1)))
        _resolve_surnames_locally(found)
        found.sort(key=lambda m: m.start)
        return found

    def resolve(self, written: str) -> str:
        if written in self.canonical:
            return self.canonical[written]
        tokens = person_tokens(written)
        if len(tokens) == 1 and len(self.surnames.get(tokens[0], ())) == 1:
            return next(iter(self.surnames[tokens[0]]))
        key = name_key(written)
        return next((c for f, c in self.canonical.items() if name_key(f) == key), written)


def _resolve_surnames_locally(mentions: list[_Mention]) -> None:
    """A lone surname names the one person of that surname named in full in the same article."""
    local: dict[str, set[str]] = {}
    for mention in mentions:
        tokens = person_tokens(mention.name) if mention.kind == "person" else []
        if len(tokens) >= 2:
            local.setdefault(tokens[-1], set()).add(mention.name)
    for mention in mentions:
        tokens = person_tokens(mention.name) if mention.kind == "person" else []
        if len(tokens) == 1 and len(local.get(tokens[0], ())) == 1:
            mention.name = next(iter(local[tokens[0]]))


# ---------------------------------------------------------------- one article

@dataclass
class _Span:
    start: int  # of the inner text, in article coordinates
    end: int
    closed: bool


def quote_spans(text: str, offset: int = 0) -> list[_Span]:
    """Quoted stretches of one paragraph; an unclosed quote runs to the paragraph's end."""
    spans: list[_Span] = []
    opener: str | None = None
    begin = 0
    # ``wire-style'' marks become curly ones of the same length, so offsets stay true
    text = text.replace("``", " “").replace("''", "” ")
    for i, char in enumerate(text):
        if opener is None and char in OPENERS:
            opener, begin = char, i + 1
        elif opener is not None and char in CLOSERS and (char == OPENERS[opener] or char in "\"”"):
            if i > begin:
                spans.append(_Span(offset + begin, offset + i, True))
            opener = None
    if opener is not None and len(text) - begin > 1:
        spans.append(_Span(offset + begin, offset + len(text), False))
    # British style ‘single quotes’, outside double ones; ’ is also the apostrophe, so a closing
    # mark is a ’ followed by punctuation, a space or the end ("the teachers’ union" stays open)
    for opening in re.finditer("‘", text):
        if any(s.start - offset <= opening.start() < s.end - offset for s in spans):
            continue
        closing = re.compile(r"’(?=[\s,.;:!?)—–-]|$)").search(text, opening.end())
        if closing and closing.start() > opening.end():
            spans.append(_Span(offset + opening.end(), offset + closing.start(), True))
    spans.sort(key=lambda s: s.start)
    return spans


def _article_quotes(article: Article, order: int, lookup: _EntityLookup, titles: dict[str, Counter]) -> list[_Found]:
    text = article.text
    sentences = article.sentences
    if not sentences:
        return []
    paragraphs: dict[int, list] = {}
    for sentence in sentences:
        paragraphs.setdefault(sentence.paragraph, []).append(sentence)
    spans: list[_Span] = []
    for group in paragraphs.values():
        start, end = group[0].start, group[-1].end
        spans.extend(quote_spans(text[start:end], start))
    mentions = [m for m in lookup.mentions(text) if not _inside(m.start, spans)]
    _collect_titles(text, mentions, titles)

    def sentence_of(position: int) -> int:
        return next((s.index for s in sentences if s.start <= position < s.end + 1), len(sentences) - 1)

    # speakers named with a speech verb, sentence by sentence: "he said" looks back at these
    speakers: dict[int, tuple[str, str | None]] = {}
    for sentence in sentences:
        for cue in CUE.finditer(text, sentence.start, sentence.end):
            if not _is_cue(cue, text, spans):
                continue
            who = _speaker_at(cue, text, sentence.start, spans, mentions, speakers, sentence.index, lookup, titles)
            if who[0]:
                speakers[sentence.index] = who
    results: list[_Found] = []
    for group in _join_broken(text, spans):
        first, last = sentence_of(group[0].start), sentence_of(group[-1].end - 1)
        context_start, context_end = sentences[first].start, sentences[last].end
        quote_text = _quote_text(text, group)
        words = len(quote_text.split())
        cues = [c for c in CUE.finditer(text, context_start, context_end) if _is_cue(c, text, spans)]
        if cues:
            # the nearest speech verb that names someone ("..., saying" right after a quote names nobody)
            speaker, title = None, None
            for cue in sorted(cues, key=lambda c: _distance(c.start(), c.end(), group[0].start, group[-1].end)):
                speaker, title = _speaker_at(cue, text, sentences[sentence_of(cue.start())].start, spans, mentions,
                                             speakers, first, lookup, titles)
                if speaker:
                    break
        elif words >= MIN_UNATTRIBUTED_WORDS:
            speaker, title = _previous_speaker(speakers, first)
        else:
            continue
        if words == 0 or (speaker is None and words < MIN_UNATTRIBUTED_WORDS):
            continue
        results.append(_Found(quote_text, speaker, title, article.id, order * 1_000_000 + group[0].start,
                              normalised_tokens(quote_text)))
    return results


def _ends_with_person(part: tuple[int, int], text: str, mentions: list[_Mention]) -> bool:
    begin, finish = part
    return any(m.kind == "person" and begin <= m.start and m.end <= finish and not text[m.end:finish].strip()
               for m in mentions)


def _is_cue(cue: re.Match, text: str, spans: list[_Span]) -> bool:
    """A speech verb outside quotes; a participle only after a comma or a name ("a ... warning" is a noun)."""
    if _inside(cue.start(), spans):
        return False
    if cue.group(0) in PARTICIPLES:
        before = text[max(0, cue.start() - 40):cue.start()].rstrip()
        return before.endswith(",") or bool(re.search(r"\b[A-Z][\w]*$", before))
    return True


def _join_broken(text: str, spans: list[_Span]) -> list[list[_Span]]:
    """Group a quote broken by its attribution ("We are not seeking," he said, "regime change.")."""
    groups: list[list[_Span]] = []
    for span in spans:
        if groups:
            previous = groups[-1][-1]
            between = text[previous.end:span.start]
            inner_end = text[previous.start:previous.end].rstrip()
            if (len(between) <= 80 and CUE.search(between) and not re.search(r"[.!?]\s", between[1:])
                    and (inner_end.endswith(",") or between[:2].strip().startswith(","))
                    and between.rstrip()[-1:] in {",", "\"", "“", ":"}):
                groups[-1].append(span)
                continue
        groups.append([span])
    return groups


def _quote_text(text: str, group: list[_Span]) -> str:
    parts = [re.sub(r"\s+", " ", text[s.start:s.end]).strip() for s in group]
    parts = [p.rstrip(",;: ") if i < len(parts) - 1 else p for i, p in enumerate(parts)]
    return " ".join(parts).strip().rstrip(",;: ").strip()


def _speaker_at(cue: re.Match, text: str, sentence_start: int, spans: list[_Span], mentions: list[_Mention],
                speakers: dict, sentence_index: int, lookup: _EntityLookup, titles: dict) -> tuple[str | None, str | None]:
    """The speaker a speech verb introduces, with the title written around the name."""
    verb = cue.group(0)
    if verb == "according to":
        after = [m for m in mentions if cue.end() <= m.start <= cue.end() + 60]
        return _resolve(after[0], text, mentions, speakers, sentence_index, lookup, titles) if after else (None, None)
    # inverted order: "said Kerry", "said the minister", "said Irina Zvyagelskaya, a senior fellow ..."
    for mention in mentions if verb in INVERTIBLE else ():
        if mention.start >= cue.end() and mention.kind != "pronoun":
            between = text[cue.end():mention.start]
            if not between.strip() or all(_title_like(w) for w in between.split()):
                if mention.start - cue.end() <= 60 and mention.kind != "place":
                    return _resolve(mention, text, mentions, speakers, sentence_index, lookup, titles)
            break
    # the subject before the verb, in the clause that holds it; appositives are skipped
    boundary = max([sentence_start] + [s.end + 1 for s in spans if s.end < cue.start()]
                   + [i + 1 for i in (text.rfind(";", sentence_start, cue.start()),) if i >= 0])
    position = cue.start()
    parts = [(boundary + m.start(), boundary + m.end()) for m in re.finditer(r"[^,]+", text[boundary:position])
             if m.group(0).strip()]
    for number in range(len(parts) - 1, -1, -1):
        begin, finish = parts[number]
        if number > 0 and APPOSITIVE_START.match(text[begin:finish]) and _ends_with_person(parts[number - 1], text, mentions):
            continue  # "Tom Aske, a retired harbour pilot who ..., said": the name is in the part before
        inside = [m for m in mentions if begin <= m.start < finish and not _possessive(text, m)]
        people = [m for m in inside if m.kind in {"person", "pronoun", "nominal"}]
        chosen = people[0] if people else (inside[0] if inside else None)
        if chosen is not None:
            return _resolve(chosen, text, mentions, speakers, sentence_index, lookup, titles)
        if not _is_appositive(text[begin:finish]):
            break
    return None, None


def _resolve(mention: _Mention, text: str, mentions: list[_Mention], speakers: dict, sentence_index: int,
             lookup: _EntityLookup, titles: dict) -> tuple[str | None, str | None]:
    if mention.kind == "pronoun":
        # the last person named in the same sentence before the pronoun, else the last speaker
        sentence_start = text.rfind(". ", 0, mention.start) + 1
        before = [m for m in mentions if sentence_start <= m.start < mention.start and m.kind == "person"]
        if before:
            return before[-1].name, _title_for(text, before[-1], mentions)
        speaker = _previous_speaker(speakers, sentence_index + 1, lookup)
        if speaker[0]:
            return speaker
        earlier = [m for m in mentions if m.end <= mention.start and m.kind == "person"]
        return (earlier[-1].name, _title_for(text, earlier[-1], mentions)) if earlier else (None, None)
    if mention.kind == "nominal":
        role = mention.text.split()[-1].lower()
        wanted = ROLE_FAMILIES.get(role, (role,))
        candidates = [m for m in mentions if m.end <= mention.start and m.kind == "person"
                      and any(w in " ".join(titles.get(m.name, {})).lower() for w in wanted)]
        if candidates:
            return candidates[-1].name, titles[candidates[-1].name].most_common(1)[0][0]
        return None, mention.text
    speaking_for = SPEAKING_FOR.search(text[max(0, mention.start - 80):mention.start])
    if mention.kind == "person" and speaking_for:
        return None, re.sub(r"\s+", " ", speaking_for.group(0) + mention.text)
    return mention.name, _title_for(text, mention, mentions)


def _previous_speaker(speakers: dict, sentence_index: int, people_in: "_EntityLookup | None" = None,
                      ) -> tuple[str | None, str | None]:
    """The speaker of the nearest sentence before this one; only a person when `people_in` is given."""
    for index in range(sentence_index - 1, max(-1, sentence_index - 1 - CONTINUATION_SENTENCES), -1):
        if index in speakers and (people_in is None or people_in.kind.get(speakers[index][0], "person") == "person"):
            return speakers[index]
    return None, None


def _collect_titles(text: str, mentions: list[_Mention], titles: dict[str, Counter]) -> None:
    for mention in mentions:
        if mention.kind == "person":
            title = _title_for(text, mention, mentions)
            if title:
                titles.setdefault(mention.name, Counter())[title] += 1


def _title_for(text: str, mention: _Mention, mentions: list[_Mention]) -> str | None:
    """The role written before the name ("US Secretary of State John Kerry" -> "Secretary of State") or
    in an appositive after it ("Irina Zvyagelskaya, a senior fellow at ...")."""
    if mention.kind != "person":
        return None
    line_start = max(text.rfind(c, 0, mention.start) for c in ",;:(\n“”\"") + 1
    line_start = max([line_start] + [m.end for m in mentions if m.end <= mention.start and m.kind == "person"])
    words = text[line_start:mention.start].split()
    run: list[str] = []
    for word in reversed(words):
        bare = word.lower().strip(".,")
        if not _title_like(word) or bare in {"the", "and", "a", "an"} and not run or bare in RUN_STOPS:
            break
        if word.endswith(".") and run and bare not in TITLE_WORDS and not re.fullmatch(r"(?:[A-Za-z]\.)+", word):
            break  # "... on Friday. Captain Chris Air": a sentence ended
        run.insert(0, word)
    while run and (run[0].lower() in {"of", "for", "and", "the", "a", "an"} or DEMONYM.match(run[0].strip("’'"))
                   or run[0].endswith(("’s", "'s"))):
        run.pop(0)
    if any(w.lower().strip(".") in TITLE_WORDS - HONORIFICS for w in run):
        return " ".join(w for w in run if w.lower().strip(".") not in HONORIFICS)
    before = re.search(r"(?:^|[,;:“”\"(]\s*)([^,;:“”\"()]{3,80}),\s*$", text[max(0, mention.start - 100):mention.start])
    if before and _is_appositive(before.group(1)) and len(before.group(1).split()) <= 6 and not CUE.search(before.group(1)):
        return re.sub(r"^(?:a|an|the)\s+", "", before.group(1).strip(), flags=re.I)
    after = re.match(r",\s+(?:(?:a|an|the)\s+)?([^,;“”\"]{3,160}?)(?=,|;|\.\s|\.$|$)", text[mention.end:mention.end + 200])
    if after and any(w.lower() in TITLE_WORDS for w in re.findall(r"[A-Za-z]+", after.group(1))) \
            and not CUE.search(after.group(1)):
        return after.group(1).strip()
    return None


def _title_like(word: str) -> bool:
    bare = word.strip(",.").lower()
    return bare in TITLE_WORDS or bare in ROLE_WORDS or bare in {"of", "for", "and", "the", "a", "an"} or word[:1].isupper()


def _is_appositive(part: str) -> bool:
    return any(w.lower() in TITLE_WORDS for w in re.findall(r"[A-Za-z]+", part))


def _possessive(text: str, mention: _Mention) -> bool:
    return text[mention.end:mention.end + 2] in {"’s", "'s"}


def _inside(position: int, spans: list[_Span]) -> bool:
    return any(s.start <= position < s.end for s in spans)


def _distance(start: int, end: int, q_start: int, q_end: int) -> int:
    return q_start - end if end <= q_start else start - q_end if start >= q_end else 0


# ---------------------------------------------------------------- across outlets

CONTRACTIONS = [(r"can['’]t|cannot", "can not"), (r"won['’]t", "will not"), (r"n['’]t\b", " not"),
                (r"['’]re\b", " are"), (r"['’]ve\b", " have"), (r"['’]ll\b", " will"), (r"['’]m\b", " am"),
                (r"['’]d\b", " would")]


def normalised_tokens(text: str) -> list[str]:
    """Lowercase words with contractions expanded: the form two wordings are compared in."""
    text = text.lower()
    for pattern, replacement in CONTRACTIONS:
        text = re.sub(pattern, replacement, text)
    return re.findall(r"[a-z0-9]+", text)


def same_quote(a: list[str], b: list[str]) -> bool:
    """Two wordings of one quote: most of the shorter one's words are in the longer one."""
    if a == b:
        return True
    if min(len(a), len(b)) < 3:
        return False
    shared = len(set(a) & set(b))
    return shared / min(len(set(a)), len(set(b))) >= 0.75 and shared / len(set(a) | set(b)) >= 0.4


def _merge_across_outlets(found: list[_Found], ids: list[str]) -> list[Quote]:
    groups: list[list[_Found]] = []
    for quote in found:
        for group in groups:
            speakers = {q.speaker for q in group if q.speaker}
            if (not quote.speaker or not speakers or quote.speaker in speakers) and \
                    any(same_quote(quote.tokens, other.tokens) for other in group):
                group.append(quote)
                break
        else:
            groups.append([quote])
    quotes = []
    for group in groups:
        wordings: dict[str, list[_Found]] = {}
        for quote in group:
            wordings.setdefault(" ".join(quote.tokens), []).append(quote)
        # the wording most outlets carry represents the quote; ties go to the first seen
        ranked = sorted(wordings.values(), key=lambda w: (-len({q.article_id for q in w}), w[0].position))
        speakers = Counter(q.speaker for q in group if q.speaker)
        speaker = speakers.most_common(1)[0][0] if speakers else None
        titles = Counter(q.title for q in group if q.title and q.speaker == speaker)
        sources = {q.article_id for q in group}
        quotes.append((len(sources), min(q.position for q in group), Quote(
            text=ranked[0][0].text, speaker=speaker, speaker_title=titles.most_common(1)[0][0] if titles else None,
            variants=[w[0].text for w in ranked[1:]], sources=[i for i in ids if i in sources])))
    quotes.sort(key=lambda q: (-q[0], q[1]))
    return [q for _, _, q in quotes]
