"""Claims: sentences across articles that state the same fact, grouped; consensus and coverage.

Built on `Sentence.support` (align.py). Aligned sentences are joined into one claim with
average linkage: two groups merge only when most of their cross pairs are aligned, so one long
sentence that contains two facts cannot chain those two facts into one claim. A claim holds at
most one sentence per article.

Independence: a claim is *consensus* when two or more independent outlets state it. Outlets,
not articles, are counted (two articles of one outlet count once), and a `derivative` article
never counts as confirmation: its sentences were copied from the articles it derives from.
A claim only derivative articles state counts as one outlet.

Second, claim-level matching (`anchored_pairs`): the strict alignment misses paraphrases of one
fact with few words in common ("would go ahead on Friday in New York" / "a meeting on Dec. 18 in
New York"). Two sentences of different outlets also state one claim when they share an anchor
(the same resolved date, other than either article's publication day) and what happens on that
date agrees: enough shared words around both date expressions, no opposite tense ("met on
Tuesday" is not "will meet on Tuesday"), and close sentence vectors.
"""
from __future__ import annotations

from dataclasses import dataclass


from ..model import Article, Claim, Coverage, Sentence
from ..terms import content_terms
from .timeline import anchored_pairs


@dataclass(frozen=True)
class ClaimOptions:
    min_terms: int = 4  # shorter sentences ("That wasn't the case on Tuesday.") state no checkable fact
    min_linkage: float = 0.5  # share of cross pairs that must be aligned for two groups to merge (strictly more)
    min_outlets: int = 2  # independent outlets that make a claim consensus
    anchor_terms: int = 3  # words around a shared date that both sentences must have in common
    anchor_cosine: float = 0.45  # sentence vectors at least this close (static vectors: same-topic pairs ~0.6)


def is_statement(sentence: Sentence, options: ClaimOptions = ClaimOptions()) -> bool:
    """Whether a sentence states something checkable: enough content words, not a bare heading."""
    return len(content_terms(sentence.text)) >= options.min_terms and sentence.text.rstrip()[-1:] in ".!?\"'”’)"


def align_claims(articles: list[Article], options: ClaimOptions = ClaimOptions()) -> list[Claim]:
    """Claims stated in `articles`, most widely reported first, then in reading order."""
    in_story = {a.id: a for a in articles}
    sentences = [s for a in articles for s in a.sentences if is_statement(s, options)]
    key = {(s.article_id, s.index): n for n, s in enumerate(sentences)}
    linked: set[tuple[int, int]] = set()
    for n, s in enumerate(sentences):
        for other, index in s.support.items():
            m = key.get((other, index))
            if m is not None and other in in_story:
                linked.add((min(n, m), max(n, m)))
    for first, second in anchored_pairs(articles, sentences, options.anchor_terms, options.anchor_cosine):
        linked.add((key[first], key[second]))
    groups = _average_linkage(sentences, linked, options.min_linkage)
    claims = []
    for members in groups:
        members.sort(key=lambda n: (_position(articles, sentences[n]), sentences[n].index))
        representative = _representative(sentences, members, in_story)
        sources = [sentences[representative].article_id]
        for n in members:
            # an article whose sentence reports this one states the fact too, even if that
            # sentence went to another claim (a long sentence holding two facts)
            for article_id in [sentences[n].article_id, *sentences[n].support]:
                if article_id in in_story and article_id not in sources:
                    sources.append(article_id)
        claims.append(Claim(
            id="",
            text=sentences[representative].text,
            sources=sources,
            sentences=[(sentences[n].article_id, sentences[n].index) for n in members],
        ))
    position = {a.id: n for n, a in enumerate(articles)}
    claims.sort(key=lambda c: (-len(c.sources), min((position[a], i) for a, i in c.sentences)))
    for number, claim in enumerate(claims, 1):
        claim.id = f"c{number}"
    return claims


def independent_outlets(claim: Claim, articles: list[Article]) -> list[str]:
    """The outlets that independently state a claim: derivative articles do not confirm."""
    by_id = {a.id: a for a in articles}
    stating = [by_id[a] for a in claim.sources if a in by_id]
    independent = [a for a in stating if a.role != "derivative"] or stating[:1]
    outlets: list[str] = []
    for article in independent:
        if article.outlet not in outlets:
            outlets.append(article.outlet)
    return outlets


def split_consensus(claims: list[Claim], articles: list[Article], options: ClaimOptions = ClaimOptions()) -> tuple[list[Claim], list[Claim]]:
    """(consensus, single_source): claims stated by >= min_outlets independent outlets, and by one."""
    consensus, single = [], []
    for claim in claims:
        (consensus if len(independent_outlets(claim, articles)) >= options.min_outlets else single).append(claim)
    return consensus, single


def coverage_matrix(claims: list[Claim], articles: list[Article]) -> Coverage:
    """Claims x articles; `unique` counts the claims only that article states."""
    ids = [a.id for a in articles]
    cells = [[article_id in claim.sources for article_id in ids] for claim in claims]
    unique = {article_id: 0 for article_id in ids}
    for claim in claims:
        if len(claim.sources) == 1 and claim.sources[0] in unique:
            unique[claim.sources[0]] += 1
    return Coverage(articles=ids, claims=[c.id for c in claims], cells=cells, unique=unique)


def _average_linkage(sentences: list[Sentence], linked: set[tuple[int, int]], min_linkage: float) -> list[list[int]]:
    """Greedy merging, most similar pairs first; a merge needs one sentence per article at most
    and more than `min_linkage` of the cross pairs aligned."""
    group_of = list(range(len(sentences)))
    groups: dict[int, list[int]] = {n: [n] for n in range(len(sentences))}

    for i, j in sorted(linked, key=lambda p: -sentences[p[0]].similarity(sentences[p[1]])):
        gi, gj = group_of[i], group_of[j]
        if gi == gj:
            continue
        a, b = groups[gi], groups[gj]
        if {sentences[n].article_id for n in a} & {sentences[n].article_id for n in b}:
            continue
        aligned = sum((min(x, y), max(x, y)) in linked for x in a for y in b)
        if len(a) * len(b) > 1 and aligned / (len(a) * len(b)) <= min_linkage:
            continue
        for n in b:
            group_of[n] = gi
        a.extend(b)
        del groups[gj]
    return list(groups.values())


def _representative(sentences: list[Sentence], members: list[int], by_id: dict[str, Article]) -> int:
    """The wording the others report most; ties go to the earliest article."""
    inside = {(sentences[n].article_id, sentences[n].index) for n in members}

    def reported_by(n: int) -> int:
        return sum((article_id, index) in inside for article_id, index in sentences[n].support.items())

    # a derivative article's wording is a copy: an original outlet's wording represents the claim
    return max(members, key=lambda n: (reported_by(n), by_id[sentences[n].article_id].role != "derivative",
                                       -members.index(n)))


def _position(articles: list[Article], sentence: Sentence) -> int:
    return next(n for n, a in enumerate(articles) if a.id == sentence.article_id)
