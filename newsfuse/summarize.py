"""Cited extractive multi-document summary under a word budget.

Concept coverage (the ICSISumm model): a concept is a stemmed word pair that is not two stop
words, weighted by how many articles use it, more when they use it in their opening sentences
(where news puts the event: 1 + 2·exp(-index/4)); pairs used by too few articles are dropped.
The summary is a set of whole sentences, within the budget, covering much distinct concept
weight: a lazy greedy by uncovered weight per word**0.6 (default), or the exact integer program
(`solver="ilp"`, scipy HiGHS; no better on our dev sets and slower). Two sentences that say the
same thing are never both chosen.

Focus narrows what counts:
- a query (`Focus.query`): each sentence's relevance (embedding cosine to the query, plus the
  share of the query's words it uses, plus the share it uses of the words the most relevant
  sentences add: pseudo-relevance feedback) scales the concepts it uses, and only the most relevant
  sentences may be chosen (`query_keep`; `update_query_keep` with read articles, all by default);
  what they leave of the budget goes to the best of the others;
  a title-like query (a few words naming the topic, not a sentence) keeps more (`title_keep`) and
  the word pairs using its words weigh more (`title_pair_boost`);
- already-read articles (`Focus.seen`): sentences they state are dropped, and where the query
  narrows, sentences close to a read one rank lower; concepts are then weighted by a learned model
  (concept_weights.py: the probability that a human update summary uses the pair, from how many new
  and read articles use it, how early, its query relevance; `update_concept_model`), or with
  `update_concept_model="frequency"` the concepts read articles use lose weight.

The chosen sentences are put in reading order (earliest in their articles first) and cite every
article that reports them (align.py). With
`compress`, the shown text drops parentheticals and asides (and optionally attributions): words
are only dropped, so it stays inside the cited sentence, which `SummarySentence.sentence` keeps.
"""
from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field, replace

import numpy as np

from .align import THRESHOLDS, AlignThresholds, coverage, reports
from .concept_weights import concept_features, predict
from .model import Article, Sentence, Story, SummarySentence
from .terms import STOP_WORDS, bigrams, content_terms, stem, tokens

# Sentences that lean on the previous one read badly out of context.
DANGLING_START = re.compile(
    r"^(?:he|she|it|they|this|that|these|those|his|her|its|their|but|and|or|so|also|however|rather|"
    r"still|yet|meanwhile|moreover|instead|then|there|here|such|both|neither|the two)\b",
    re.I,
)
TERMINAL = re.compile(r"[.!]['\"”’)]*$")
# Compression: clauses that attribute or aside rather than state (see `compress`).
_QUOTE = re.compile(r"[\"“”]|``|''")
_SAID = r"(?:said|says|say|told\s+reporters|reported|added|announced|stated|noted)"
_WHEN = r"(?:\s+(?:on\s+)?(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|yesterday|today|tonight|earlier|later|last\s+week|this\s+week))?"
_SPEAKER = r"(?!(?:which|that|what|who|whom|whose|if|when|because|as|and|but|or)\b)[\w.'&-]+(?:\s+[\w.'&-]+){0,6}?"
TRAILING_ATTRIBUTION = re.compile(
    rf",\s+(?:{_SPEAKER}\s+{_SAID}{_WHEN}|{_SAID}\s+(?:[A-Z]|the\s|an?\s)[^,;:()]{{0,40}}?(?:,\s+(?:the|an?)\s[^,;:()]{{1,60}}?)?|according\s+to\s+[^,;:()]{{2,60}}?)\s*\.$"
)
LEADING_ATTRIBUTION = re.compile(
    rf"^(?P<speaker>[A-Z][\w.'&-]*(?:\s+[\w.'&-]+){{0,5}}?)\s+(?:said|says|say){_WHEN}(?:\s+that)?\s+(?P<rest>(?!that\b)[a-z].*)$"
)
CLAUSE_WORDS = re.compile(r"\b(?:who|which|that|what|when|where|if|because|whether|not|never|no|has|have|had|previously|also)\b", re.I)
PARENTHETICAL = re.compile(r"\s*\([^()]{1,80}\)")
DASH_PAIR = re.compile(r"\s+(?:--|—|–|_)\s+[^\"“”]{1,100}?\s+(?:--|—|–|_)\s+")
DASH_TAIL = re.compile(r"\s+(?:--|—|–|_)\s+[^\"“”]{1,100}?(?=[.!]$)")
APPOSITIVE = re.compile(  # only the subject's, at the start: "Smith, a spokesman for the city, said" / "Smith, who ..., said"
    r"^((?:[A-Z][\w.'-]*\s+){0,3}[A-Z][\w.'-]*),\s+(?:a|an|the|who|whose)\s+(?![^,;:()]*\b(?:said|says|say|told|reported)\b)[^,;:()]{2,80}?," r"\s+(?=(?!(?:and|or|but|nor)\b)[a-z]+\b(?<!ing))"
)
# Words of a query that ask rather than name the topic ("Describe ...", "Include information on ...").
QUERY_STOP_WORDS = frozenset(
    """discuss describe include including identify explain information regarding report reports reported
    give provide specific detail details find list name what which how why where when who whom whose
    kind kinds type types aspect aspects various issue issues involved involve related relating concerning
    efforts effort steps taken measures current way ways example examples""".split()
)


@dataclass(frozen=True)
class SummaryOptions:
    words: int = 120
    min_sentence_words: int = 8
    max_sentence_words: int = 60
    min_concept_share: float = 0.3  # a concept must appear in this share of the articles (at least 2) in a big story
    lead_sentences: float = 4.0  # an article's opening sentences state the event ...
    lead_bonus: float = 2.0  # ... so an article using a concept there counts up to 1 + this (decaying exp(-index / lead_sentences))
    redundancy_cosine: float = 0.80
    redundancy_coverage: float = 0.6
    max_candidates: int = 200  # the densest sentences the solver considers (its time grows with them)
    solver: str = "greedy"  # "greedy" (lazy greedy) or "ilp" (exact, scipy HiGHS; slower)
    length_exponent: float = 0.6  # greedy gain is divided by words ** this: favours dense, shorter sentences
    node_limit: int = 2000  # ILP branch-and-bound nodes: bounds time, keeps the result deterministic
    query_weight: float = 3.0  # how strongly query relevance reweights concepts
    query_concept_share: float = 0.2  # min_concept_share with a query: what was asked may be told by fewer articles
    query_keep: float = 0.1  # the share of candidate sentences, most relevant to the query first, that may be chosen ...
    query_keep_budgets: float = 4.0  # ... but at least this many budgets' worth of words (room to fill the budget; 4 chosen on DUC 2007 A)
    update_query_keep: float = 1.0  # query_keep in update mode: all (chosen on DUC 2007 B, the read articles narrow enough)
    # A short query that names the topic (a title, as TAC guided summarization gives: "Amish Shooting")
    # rather than asks steers softly: a wider share of sentences kept, the pairs using its words boosted.
    # Chosen on DUC 2006 + DUC 2007 A summarized with their titles only; better than a title treated as a
    # question on every set, but on TAC 2011 (held out) a title still loses to no query (bench/RESULTS.md).
    title_words: int = 20  # a query of at most this many words not ending like a sentence (. ? !) is a title
    title_keep: float = 0.3  # query_keep for a title
    title_pair_boost: float = 1.0  # a word pair using a title word weighs 1 + this times more (not in update mode)
    # Pseudo-relevance feedback: the words the query's most relevant sentences use, besides the query's
    # own, count toward relevance too (chosen on DUC 2007 A: 5 sentences, 10 words, weight 0.5).
    feedback_sentences: int = 5
    feedback_terms: int = 10
    feedback_weight: float = 0.5
    seen_similarity_penalty: float = 1.0  # with a query, relevance minus this times the closest read sentence's cosine
    seen_discount: float = 0.5  # a concept every read article uses keeps 1 - this of its weight (chosen on DUC 2007 B)
    # Concept weights: "frequency" (articles using the pair, lead bonus) or "learned" (the probability that a
    # human summary uses it, concept_weights.py). Learned loses on the generic and query sets (TAC 0.1226 vs
    # 0.1290, DUC 2003 0.1092 vs 0.1179, DUC 2006 0.0968 vs 0.0969) but wins in update mode, out of sample on
    # both DUC 2007 update docsets (B 0.0932 vs 0.0906 by a model fitted on C; C 0.1192 vs 0.1055 by the
    # shipped model, fitted on B): bench/RESULTS.md, bench/fit_concept_weights.py.
    concept_model: str = "frequency"  # generic and query summaries
    update_concept_model: str = "learned"  # with read articles (Focus.seen)
    learned_power: float = 1.0  # learned weight = probability ** this (1 chosen on DUC 2006/2007 generic)
    learned_min_share: float = 0.2  # learned: a pair must be used by this share of the articles (chosen on DUC 2006/2007 generic)
    # Compression: show (and budget) sentences without parentheticals and asides, room for more facts.
    # Off: R-2 +0.0013 on TAC (tuning), -0.0002 on DUC 2003, +0.0014 DUC 2006, -0.0091 / +0.0023 / -0.0026
    # on DUC 2007 A / B / C; attributions too: TAC +0.0000, DUC 2003 +0.0003 (bench/RESULTS.md).
    compress: bool = False
    drop_attributions: bool = False  # with compress, also drop "..., officials said." / "X said that ..."

    def __post_init__(self) -> None:
        for name in ("concept_model", "update_concept_model"):
            if getattr(self, name) not in ("frequency", "learned"):
                raise ValueError(f"SummaryOptions.{name} must be 'frequency' or 'learned', not {getattr(self, name)!r}")


@dataclass
class Focus:
    """What the summary is for: a query to answer, articles already read."""

    query: str | None = None
    query_vector: np.ndarray | None = field(default=None, repr=False)
    seen: list[Article] = field(default_factory=list)
    thresholds: AlignThresholds = THRESHOLDS["static"]  # when a read sentence states a new one: the embedder's


def summarize_story(story: Story, options: SummaryOptions = SummaryOptions(), focus: Focus | None = None) -> list[SummarySentence]:
    """Pick, order and cite summary sentences for one story."""
    focus = focus or Focus()
    articles = {a.id: a for a in story.articles}
    shown = {id(s): _shown_text(s, articles, options) for s in story.sentences}
    pairs = {id(s): bigrams(shown[id(s)]) for s in story.sentences}  # computed once, used for weights and selection
    candidates = [s for s in story.sentences if _is_candidate(s, shown[id(s)], options)]
    if not candidates:  # a story of short fragments: take what there is
        candidates = [s for s in story.sentences if s.words >= 3]
    if focus.seen:
        read = _already_read(candidates, focus.seen, focus.thresholds)
        candidates = [s for s in candidates if id(s) not in read] or candidates
    relevance = _query_relevance(story, focus, options)
    outside: list[Sentence] = []
    title = relevance is not None and _is_title(focus.query, options)
    keep_share = options.update_query_keep if focus.seen else options.title_keep if title else options.query_keep
    if relevance is not None and keep_share < 1.0:  # only the sentences most relevant to the query ...
        familiar = _familiarity(candidates, focus.seen)  # ... and least like what was read
        score = {id(s): relevance[id(s)] - options.seen_similarity_penalty * familiar.get(id(s), 0.0) for s in candidates}
        ranked = sorted(candidates, key=lambda s: (-score[id(s)], s.article_id, s.index))
        keep, words = 0, 0
        while keep < len(ranked) and (keep < keep_share * len(ranked) or words < options.query_keep_budgets * options.words):
            words += ranked[keep].words  # and never fewer than a few budgets' worth of words
            keep += 1
        candidates, outside = ranked[:keep], ranked[keep:]
    if (options.update_concept_model if focus.seen else options.concept_model) == "learned":
        weights = _learned_weights(story, pairs, options, relevance, focus)
    else:
        weights = _concept_weights(story, pairs, options, relevance, focus.seen)
    if title and not focus.seen and options.title_pair_boost:  # what the topic is named by is what it is about
        named = _query_words(focus.query)
        weights = {pair: w * (1.0 + options.title_pair_boost) if named & set(pair) else w for pair, w in weights.items()}
    chosen = _select(candidates, shown, pairs, weights, options)
    chosen += _fill(chosen, outside, shown, pairs, weights, options)
    chosen.sort(key=lambda s: (_relative_position(story, s), story.articles.index(story.article(s.article_id)), s.index))
    in_story = {a.id for a in story.articles}
    return [
        SummarySentence(
            text=shown[id(s)],
            sources=[s.article_id] + [a.id for a in story.articles if a.id in s.support and a.id in in_story],
            sentence=s,
        )
        for s in chosen
    ]


def _shown_text(sentence: Sentence, articles: dict[str, Article], options: SummaryOptions) -> str:
    """The sentence as shown: compressed when asked and when every article it will cite states all the
    content words left (a paraphrase aligned to the whole sentence may not state the shorter one)."""
    text = sentence.text
    if not options.compress:
        return text
    short = compress(text, options.drop_attributions)
    if short != text:
        terms = set(content_terms(short))
        for article_id, index in sentence.support.items():
            article = articles.get(article_id)
            if article is not None and index < len(article.sentences) and not terms <= set(content_terms(article.sentences[index].text)):
                return text
    return short


def compress(text: str, attributions: bool = False) -> str:
    """The sentence without its asides: parentheticals, dash asides ("The vote -- the first in a decade --
    passed"), an appositive after the opening subject ("Smith, a spokesman for the city, said"); with
    `attributions`, also a trailing ", officials said." / ", according to X." and a leading "X said (that)".

    Only words are dropped, never changed or reordered (the first letter may be capitalised), so the
    result stays inside the cited sentence; quoted speech is never cut, and a sentence quoting someone
    keeps who said it."""
    quoted = bool(_QUOTE.search(text))
    out = text
    if attributions and not quoted:
        cut = TRAILING_ATTRIBUTION.sub(".", out)
        out = cut if len(cut.split()) >= 6 else out
        match = LEADING_ATTRIBUTION.match(out)
        if match and not CLAUSE_WORDS.search(match["speaker"]) and len(match["rest"].split()) >= 6:
            out = match["rest"][0].upper() + match["rest"][1:]
    # asides only outside quotes: cut each unquoted stretch on its own
    parts = re.split(r"(\"[^\"]*\"|“[^”]*”|``.*?'')", out)
    for k in range(0, len(parts), 2):
        part = DASH_PAIR.sub(" ", PARENTHETICAL.sub("", parts[k]))
        if k == 0:
            part = APPOSITIVE.sub(r"\1 ", part)
        if k == len(parts) - 1:
            part = DASH_TAIL.sub("", part)
        parts[k] = part
    out = " ".join("".join(parts).split())
    out = re.sub(r"\s+([,.;:!])", r"\1", out)
    if len(out.split()) < 6 or not out[:1].isalnum() and out[:1] not in "“\"'‘":
        return text  # too little left to stand alone
    return out


def _is_candidate(sentence: Sentence, text: str, options: SummaryOptions) -> bool:
    words = len(text.split())
    if not options.min_sentence_words <= words <= options.max_sentence_words:
        return False
    if not TERMINAL.search(text) or "?" in text:
        return False
    if not (text[:1].isupper() or text[:1].isdigit() or text[:1] in "“\"‘'"):
        return False
    if DANGLING_START.match(text):
        return False
    return text.count('"') % 2 == 0 and text.count("“") == text.count("”")


def _concept_weights(story: Story, pairs: dict[int, set], options: SummaryOptions, relevance: dict[int, float] | None,
                     seen: list[Article]) -> dict[tuple[str, str], float]:
    """Word pairs weighted by the articles using them (more in an article's opening); rare pairs are noise."""
    frequency: Counter = Counter()
    weight: Counter = Counter()
    for article in story.articles:
        used: dict[tuple, float] = {}
        for s in article.sentences:
            value = 1.0 + options.lead_bonus * _lead(s.index, options)
            if relevance is not None:
                value *= 1.0 + options.query_weight * max(relevance[id(s)], 0.0)
            for pair in pairs[id(s)]:
                used[pair] = max(used.get(pair, 0.0), value)
        frequency.update(used.keys())
        weight.update(used)
    share = options.min_concept_share if relevance is None else options.query_concept_share
    min_articles = max(2, round(share * len(story.articles))) if len(story.articles) >= 3 else 1
    weights = {pair: weight[pair] for pair, n in frequency.items() if n >= min_articles}
    if seen and weights:
        seen_frequency: Counter = Counter()
        for article in seen:
            seen_frequency.update(set().union(*(bigrams(s.text) for s in article.sentences)) & weights.keys())
        for pair, n in seen_frequency.items():
            weights[pair] *= 1.0 - options.seen_discount * n / len(seen)
    return weights


def _learned_weights(story: Story, pairs: dict[int, set], options: SummaryOptions, relevance: dict[int, float] | None,
                     focus: Focus) -> dict[tuple[str, str], float]:
    """Word pairs weighted by the learned probability that a human summary uses them (concept_weights.py)."""
    from .concept_coefficients import MODELS

    update = bool(focus.seen)
    model = MODELS["update" if update else "query" if relevance is not None else "generic"]
    keys, rows = concept_features(story, pairs, relevance, focus.query, focus.seen, update)
    if not keys:
        return {}
    probability = predict(model, rows) ** options.learned_power
    n = len(story.articles)
    least = max(1, round(options.learned_min_share * n)) if n >= 3 else 1
    articles = rows[:, 0] * n  # feature "share": articles using the pair / articles
    return {k: float(p) for k, p, used in zip(keys, probability, articles) if used >= least - 1e-9}


def _lead(index: int, options: SummaryOptions) -> float:
    return math.exp(-index / options.lead_sentences)


def _query_relevance(story: Story, focus: Focus, options: SummaryOptions = SummaryOptions()) -> dict[int, float] | None:
    """Each sentence's relevance to the query: embedding cosine, plus the share of query words it uses,
    plus the share it uses of the words the most relevant sentences add (pseudo-relevance feedback:
    a question names few of the words its answer is told in)."""
    if not focus.query:
        return None
    words = _query_words(focus.query)
    terms = {id(s): set(content_terms(s.text)) for s in story.sentences}
    relevance = {}
    for s in story.sentences:
        cosine = float(np.dot(s.vector, focus.query_vector)) if s.vector is not None and focus.query_vector is not None else 0.0
        relevance[id(s)] = cosine + (len(terms[id(s)] & words) / len(words) if words else 0.0)
    if options.feedback_weight and options.feedback_sentences and options.feedback_terms:
        top = sorted(story.sentences, key=lambda s: (-relevance[id(s)], s.article_id, s.index))[: options.feedback_sentences]
        votes: Counter = Counter()  # a word counts by the relevance of the top sentences using it
        for s in top:
            votes.update(dict.fromkeys(terms[id(s)] - words, relevance[id(s)]))
        added = {t for t, _ in sorted(votes.items(), key=lambda item: (-item[1], item[0]))[: options.feedback_terms]}
        for s in story.sentences if added else ():
            relevance[id(s)] += options.feedback_weight * len(terms[id(s)] & added) / len(added)
    return relevance


def _is_title(query: str, options: SummaryOptions) -> bool:
    """A few words naming a topic ("Amish Shooting"), not a question or an instruction."""
    text = query.strip()
    return len(text.split()) <= options.title_words and not re.search(r"[.?!][\"'”’)]*$", text)


def _query_words(query: str) -> set[str]:
    """The stems of the words that name what the query asks about."""
    return {stem(t) for t in tokens(query) if t not in STOP_WORDS and t not in QUERY_STOP_WORDS and len(t) > 1}


def _familiarity(candidates: list[Sentence], seen: list[Article]) -> dict[int, float]:
    """Each candidate's highest cosine to a sentence already read."""
    others = [s.vector for a in seen for s in a.sentences if s.vector is not None]
    mine = [s for s in candidates if s.vector is not None]
    if not others or not mine:
        return {}
    highest = (np.vstack([s.vector for s in mine]) @ np.vstack(others).T).max(axis=1)
    return {id(s): float(x) for s, x in zip(mine, highest)}


def _already_read(candidates: list[Sentence], seen: list[Article], thresholds: AlignThresholds) -> set[int]:
    """ids of the candidates that a read article states (the same test as alignment)."""
    others = [s for a in seen for s in a.sentences if s.vector is not None]
    mine = [s for s in candidates if s.vector is not None]
    if not others or not mine:
        return set()
    cosines = np.vstack([s.vector for s in mine]) @ np.vstack([s.vector for s in others]).T
    lowest = min(thresholds.min_cosine, thresholds.near_copy_cosine)
    found = set()
    for i, j in zip(*np.nonzero(cosines >= lowest)):
        if id(mine[i]) in found:
            continue
        terms = set(content_terms(mine[i].text))
        if reports(float(cosines[i, j]), coverage(terms, set(content_terms(others[j].text))), len(terms), thresholds):
            found.add(id(mine[i]))
    return found


def _select(candidates: list[Sentence], shown: dict[int, str], pairs: dict[int, set], weights: dict, options: SummaryOptions) -> list[Sentence]:
    """The candidates, within the budget, covering the most concept weight, with no two repeating each other."""
    lengths = {id(s): len(shown[id(s)].split()) for s in candidates}
    concepts = {id(s): pairs[id(s)] & weights.keys() for s in candidates}
    useful = [s for s in candidates if concepts[id(s)] and lengths[id(s)] <= options.words]
    # keep the densest sentences: the exact solver's time grows with their number
    density = {id(s): sum(weights[c] for c in concepts[id(s)]) / lengths[id(s)] for s in useful}
    useful = sorted(useful, key=lambda s: -density[id(s)])[: options.max_candidates]
    if not useful:
        return []
    conflicts = _conflicts(useful, shown, options)
    solve = _solve if options.solver == "ilp" else _greedy
    chosen = solve([lengths[id(s)] for s in useful], [concepts[id(s)] for s in useful], weights, conflicts, options)
    return [useful[i] for i in chosen]


def _fill(chosen: list[Sentence], outside: list[Sentence], shown: dict[int, str], pairs: dict[int, set], weights: dict,
          options: SummaryOptions) -> list[Sentence]:
    """What the budget has left, given to the sentences a query left out: the most relevant ones may
    not fill it (DUC 2007 A used 89 of 100 words), and what they do not cover is still worth saying."""
    left = options.words - sum(len(shown[id(s)].split()) for s in chosen)
    fitting = [s for s in outside if len(shown[id(s)].split()) <= left]
    if left < options.min_sentence_words or not fitting:
        return []
    both = chosen + fitting
    repeats = {k for pair in _conflicts(both, shown, options) if min(pair) < len(chosen) <= max(pair) for k in pair}
    fresh = [s for k, s in enumerate(fitting, start=len(chosen)) if k not in repeats]
    covered = set().union(*(pairs[id(s)] for s in chosen))
    uncovered = {c: w for c, w in weights.items() if c not in covered}
    return _select(fresh, shown, pairs, uncovered, replace(options, words=left)) if fresh else []


def _greedy(lengths: list[int], concepts: list[set], weights: dict, conflicts: list[tuple[int, int]],
            options: SummaryOptions) -> list[int]:
    """Greedy by uncovered weight per word ** length_exponent (lazy: gains only fall)."""
    import heapq

    clash: dict[int, set[int]] = {}
    for i, j in conflicts:
        clash.setdefault(i, set()).add(j)
        clash.setdefault(j, set()).add(i)
    scale = [length ** options.length_exponent for length in lengths]
    covered: set = set()
    chosen: list[int] = []
    budget = options.words

    def gain(i: int) -> float:
        return sum(weights[c] for c in concepts[i] - covered)

    heap = [(-gain(i) / scale[i], i) for i in range(len(lengths))]
    heapq.heapify(heap)
    while heap:
        negative, i = heapq.heappop(heap)
        if lengths[i] > budget or clash.get(i, set()) & set(chosen):
            continue
        current = gain(i) / scale[i]
        if current <= 0:
            continue
        if heap and current < -heap[0][0] - 1e-12:  # stale: re-queue with its real gain
            heapq.heappush(heap, (-current, i))
            continue
        chosen.append(i)
        covered |= concepts[i]
        budget -= lengths[i]
    return chosen


def _conflicts(sentences: list[Sentence], shown: dict[int, str], options: SummaryOptions) -> list[tuple[int, int]]:
    """Pairs of sentences that say the same thing: aligned, close embeddings, or mostly the same words."""
    terms = [set(content_terms(shown[id(s)])) for s in sentences]
    vocabulary = {t: k for k, t in enumerate(sorted(set().union(*terms)))}
    incidence = np.zeros((len(sentences), max(len(vocabulary), 1)), dtype=np.float32)
    for i, found in enumerate(terms):
        incidence[i, [vocabulary[t] for t in found]] = 1.0
    sizes = incidence.sum(axis=1)
    shared = incidence @ incidence.T
    same = (shared >= options.redundancy_coverage * np.minimum(sizes[:, None], sizes[None, :])) & (shared > 0)
    if all(s.vector is not None for s in sentences):
        matrix = np.vstack([s.vector for s in sentences])
        same |= matrix @ matrix.T >= options.redundancy_cosine
    position = {(s.article_id, s.index): i for i, s in enumerate(sentences)}
    for i, s in enumerate(sentences):  # aligned by align.py
        for article_id, index in s.support.items():
            j = position.get((article_id, index))
            if j is not None:
                same[i, j] = same[j, i] = True
    rows, cols = np.nonzero(np.triu(same, k=1))
    return list(zip(rows.tolist(), cols.tolist()))


def _solve(lengths: list[int], concepts: list[set], weights: dict, conflicts: list[tuple[int, int]],
           options: SummaryOptions) -> list[int]:
    """Exact concept-coverage ILP: max sum w_c c_c  s.t.  sum len_i s_i <= budget, c_c <= sum_{i has c} s_i,
    s_i + s_j <= 1 for repeating pairs; all binary. Returns the chosen indices."""
    from scipy.optimize import Bounds, LinearConstraint, milp
    from scipy.sparse import coo_matrix

    index = {c: k for k, c in enumerate(sorted(set().union(*concepts)))}
    n, m = len(lengths), len(index)
    rows, cols, values = [], [], []
    # row 0: the word budget
    rows += [0] * n
    cols += list(range(n))
    values += [float(x) for x in lengths]
    # rows 1..m: a concept counts only if a chosen sentence has it
    for k in range(m):
        rows.append(1 + k)
        cols.append(n + k)
        values.append(1.0)
    for i, found in enumerate(concepts):
        for c in found:
            rows.append(1 + index[c])
            cols.append(i)
            values.append(-1.0)
    for r, (i, j) in enumerate(conflicts, start=1 + m):
        rows += [r, r]
        cols += [i, j]
        values += [1.0, 1.0]
    size = 1 + m + len(conflicts)
    matrix = coo_matrix((values, (rows, cols)), shape=(size, n + m)).tocsr()
    upper = np.concatenate([[float(options.words)], np.zeros(m), np.ones(len(conflicts))])
    objective = np.zeros(n + m)
    for c, k in index.items():
        objective[n + k] = -weights[c]
    result = milp(
        objective,
        integrality=np.ones(n + m),
        bounds=Bounds(0, 1),
        constraints=LinearConstraint(matrix, -np.inf, upper),
        options={"node_limit": options.node_limit},
    )
    if result.x is None:
        return []
    return [i for i in range(n) if result.x[i] > 0.5]


def _relative_position(story: Story, sentence: Sentence) -> float:
    article = story.article(sentence.article_id)
    return sentence.index / max(len(article.sentences), 1)
