"""Article roles: `core`, `derivative` (copied from other articles) or `off_event` (same actors, another occasion).

Derivative: an article is a copy when its statements are *verbatim* copies of other articles'
sentences (aligned, and the same words in the same order beyond the quotation marks that
independent outlets share): most of it (a syndicated wire copy), or three or more sentences in
common with one article of which they are a smaller share (an aggregator stitching sentences
from several outlets; the original has more of its own). Paraphrases are independent reporting.
An original must remain, so of identical articles the first (earliest) one stays core.

Off-event: an article that grouping (stories.py) left alone, whose people, places and words match
a bigger story (its names are the story's, it names the story's key actors, and its embedding is
close), but which shares almost none of its statements and either is dated far from it (more
than the 4 days a story may span) or cannot be placed in time. Topic words alone never decide it:
they are what makes it *look* like the story. It is attached to that story as `off_event`, shown
in the report, and kept out of its summary, claims and timeline. Stories given as clusters by the
input are not touched, and no article inside a story is made off-event: grouping already
required it to share statements with the others.
"""
from __future__ import annotations

import difflib
import re
from collections import Counter
from dataclasses import dataclass

import numpy as np

from ..model import Article, Story
from ..stories import article_vector
from ..terms import stem, tokens
from .claims import is_statement

QUOTED = re.compile(r"[“\"][^“”\"]*[”\"]|‘[^‘’]*’")
NOT_NAMES = frozenset(
    "monday tuesday wednesday thursday friday saturday sunday january february march april may june july august "
    "september october november december the a an in on at he she it they we i but and mr mrs ms dr".split())
NAME = re.compile(r"\b[A-Z][a-z]+(?:[-'’][A-Za-z]+)?\b|\b[A-Z]{2,}\b|\b(?:[A-Z]\.){2,}")


@dataclass(frozen=True)
class RoleOptions:
    copy_ratio: float = 0.8  # token-sequence similarity of a verbatim copy (difflib ratio outside quotes)
    derivative_share: float = 0.5  # share of an article's statements that are copies: a wire copy...
    pair_copies: int = 3  # ...or this many whole-sentence copies shared with one article that is less of a copy
    whole_copy_ratio: float = 0.85
    # off-event
    topic_cosine: float = 0.75  # mean-embedding cosine to the story
    topic_names: float = 0.5  # share of the article's name mentions that the story also uses
    topic_actors: float = 0.6  # share of the story's key names (used by most of its articles) the article mentions
    max_shared_share: float = 0.2  # statements it shares with the story, as a share of its own
    max_shared_undated: float = 0.1  # stricter when no date tells the occasions apart
    max_days_apart: int = 4  # as stories.GroupingOptions


# ---------------------------------------------------------------- derivative


def copied_sentences(article: Article, others: list[Article], options: RoleOptions = RoleOptions()) -> dict[int, list[tuple[str, float]]]:
    """{sentence index: [(other article id, similarity), ...]} for each of the article's statements
    that another article has word for word (aligned, and the same wording outside quotes)."""
    by_id = {a.id: a for a in others if a.id != article.id}
    partners: dict[int, dict[str, int]] = {}
    for sentence in article.sentences:
        partners.setdefault(sentence.index, {}).update({k: v for k, v in sentence.support.items() if k in by_id})
    for other in by_id.values():  # the relation is directional: look both ways
        for sentence in other.sentences:
            if article.id in sentence.support:
                partners.setdefault(sentence.support[article.id], {}).setdefault(other.id, sentence.index)
    copies: dict[int, list[tuple[str, float]]] = {}
    for index, found in partners.items():
        sentence = article.sentences[index]
        if not is_statement(sentence):
            continue
        for other_id, other_index in found.items():
            ratio = verbatim_ratio(sentence.text, by_id[other_id].sentences[other_index].text)
            if ratio >= options.copy_ratio:
                copies.setdefault(index, []).append((other_id, ratio))
    return copies


def verbatim_ratio(a: str, b: str, min_run: int = 12) -> float:
    """How much of two sentences is the same words in the same order (difflib ratio); a run of
    `min_run` identical words counts as a copied clause (ratio 0.8 at least). Quoted words are left
    out when enough words remain, since independent outlets quote a speaker identically."""
    ta, tb = tokens(QUOTED.sub(" ", a)), tokens(QUOTED.sub(" ", b))
    if min(len(ta), len(tb)) < 6:  # mostly a quote: only a copied attribution makes it a copy
        ta, tb = tokens(a), tokens(b)
        if max(len(ta), len(tb)) < 12:
            return 0.0
    matcher = difflib.SequenceMatcher(None, ta, tb, autojunk=False)
    run = matcher.find_longest_match().size
    return max(matcher.ratio(), 0.8 if run >= min_run else 0.0)


def assign_derivatives(articles: list[Article], options: RoleOptions = RoleOptions()) -> None:
    """Set role "derivative" and derived_from on the copies among `articles` (others untouched)."""
    copies = {a.id: copied_sentences(a, articles, options) for a in articles}
    statements = {a.id: max(1, sum(is_statement(s) for s in a.sentences)) for a in articles}
    share = {a.id: len(copies[a.id]) / statements[a.id] for a in articles}
    order = {a.id: n for n, a in enumerate(articles)}
    by_id = {a.id: a for a in articles}
    derivative: set[str] = set()
    # most copied first; among equals the later (then later-listed) article is the copy
    for article in sorted(articles, key=lambda a: (-share[a.id], -(a.date.toordinal() if a.date else 0), -order[a.id])):
        partners = Counter(other for found in copies[article.id].values() for other, _ in found)
        # an original is not itself a copy, and was not published after its copy
        originals = [p for p in partners if p not in derivative and not _later(by_id[p], article)]
        if not originals:
            continue  # a copy needs an original: the last of identical articles stays core
        wire_copy = share[article.id] >= options.derivative_share
        # several whole sentences word for word in common: one copied the other, the more copied one
        # (whole sentences only: a shared clause or quote is common between independent outlets)
        whole = Counter(other for found in copies[article.id].values() for other, ratio in found if ratio >= options.whole_copy_ratio)
        pair_copy = any(
            whole[p] >= options.pair_copies and whole[p] / statements[article.id] > whole[p] / statements[p] for p in originals
        )
        if wire_copy or pair_copy:
            derivative.add(article.id)
    for article in articles:
        if article.id not in derivative:
            continue
        taken: Counter = Counter()
        for found in copies[article.id].values():
            # originals first, then closest
            ranked = sorted(found, key=lambda f: (f[0] in derivative or _later(by_id[f[0]], article), -f[1]))
            taken[ranked[0][0]] += 1
        article.role = "derivative"
        article.derived_from = [a for a, _ in sorted(taken.items(), key=lambda t: (-t[1], order[t[0]]))]


def _later(a: Article, b: Article) -> bool:
    return a.date is not None and b.date is not None and a.date > b.date


# ---------------------------------------------------------------- off-event


@dataclass
class OccasionEvidence:
    """Why an article is judged to be about another occasion of a story's actors."""

    cosine: float
    names: float  # share of its name mentions the story also uses
    shared: int  # statements shared with the story's articles
    statements: int
    days_apart: int | None  # None when either side is undated
    actors: float = 1.0  # share of the story's key names (those most of its articles use) it mentions

    def reason(self) -> str:
        when = f"dated {self.days_apart} days from the story" if self.days_apart is not None else "no date to place it"
        return (f"same names ({self.names:.0%} of its names, {self.actors:.0%} of the story's actors) "
                f"but shares {self.shared} of {self.statements} statements; {when}")


def occasion_evidence(article: Article, story: Story, cache: dict | None = None) -> OccasionEvidence:
    """The evidence on whether `article` is another occasion of `story`; `cache` keeps names and
    centres between calls over the same stories."""
    cache = {} if cache is None else cache
    if ("centre", id(story)) not in cache:
        cache[("centre", id(story))] = _centre(story.articles)
    vector, centre = article_vector(article), cache[("centre", id(story))]
    cosine = float(vector @ centre) if vector is not None and centre is not None else 0.0
    mine = _cached_names(article, cache)
    per_article = [_cached_names(a, cache) for a in story.articles]
    theirs = set().union(*per_article) if per_article else set()
    names = sum(n for name, n in mine.items() if name in theirs) / max(1, sum(mine.values()))
    key = _key_names(per_article)
    actors = sum(name in mine for name in key) / len(key) if key else 0.0
    shared = len(_aligned_statements(article, story.articles))
    dates = [a.date for a in story.articles if a.date]
    days = min(abs((article.date - d).days) for d in dates) if article.date and dates else None
    return OccasionEvidence(cosine, names, shared, max(1, sum(is_statement(s) for s in article.sentences)), days, actors)


def is_off_event(evidence: OccasionEvidence, options: RoleOptions = RoleOptions()) -> bool:
    if evidence.cosine < options.topic_cosine or evidence.names < options.topic_names or evidence.actors < options.topic_actors:
        return False  # another topic, or not the story's actors: its own story
    shared_share = evidence.shared / evidence.statements
    if evidence.days_apart is None:
        return shared_share <= options.max_shared_undated
    return evidence.days_apart > options.max_days_apart and shared_share <= options.max_shared_share


def attach_off_event(stories: list[Story], options: RoleOptions = RoleOptions()) -> list[Story]:
    """Move each lone article that is another occasion of a bigger story into that story as
    `off_event`. The story keeps the id and title of its own articles. Returns the new list.
    Stories given as clusters by the input are kept as they are: their grouping is the user's."""
    hosts = [s for s in stories if len(s.articles) >= 2 and not _given(s)]
    attached: dict[str, list[Article]] = {}
    remaining = []
    cache: dict = {}  # each article's names and each host's centre, computed once
    for story in stories:
        if len(story.articles) != 1 or not hosts or _given(story):
            remaining.append(story)
            continue
        article = story.articles[0]
        scored = [(occasion_evidence(article, host, cache), host) for host in hosts]
        scored = [(e, h) for e, h in scored if is_off_event(e, options)]
        if not scored:
            remaining.append(story)
            continue
        _, host = max(scored, key=lambda t: (t[0].names, t[0].cosine))
        article.role = "off_event"
        attached.setdefault(host.id, []).append(article)
    result = []
    for story in remaining:
        if story.id in attached:
            story.articles = story.articles + attached[story.id]
        result.append(story)
    return result


def _aligned_statements(article: Article, others: list[Article]) -> set[int]:
    """Indexes of the article's statements aligned (either way) with a sentence of `others`."""
    ids = {a.id for a in others}
    found = {s.index for s in article.sentences if ids & s.support.keys()}
    found |= {s.support[article.id] for a in others for s in a.sentences if article.id in s.support}
    return {i for i in found if is_statement(article.sentences[i])}


def _given(story: Story) -> bool:
    return any(a.cluster for a in story.articles)


def _centre(articles: list[Article]) -> np.ndarray | None:
    vectors = [v for v in (article_vector(a) for a in articles) if v is not None]
    if not vectors:
        return None
    mean = np.mean(vectors, axis=0)
    return mean / max(float(np.linalg.norm(mean)), 1e-12)


def _key_names(per_article: list[Counter], top: int = 8) -> list[str]:
    """The names most of a story's articles use (its actors and places), most widely used first."""
    spread: Counter = Counter()
    mentions: Counter = Counter()
    for names in per_article:
        spread.update(names.keys())
        mentions.update(names)
    needed = max(2, (len(per_article) + 1) // 2) if len(per_article) > 1 else 1
    common = [n for n in spread if spread[n] >= needed]
    return sorted(common, key=lambda n: (-spread[n], -mentions[n], n))[:top]


def _cached_names(article: Article, cache: dict) -> Counter:
    if ("names", id(article)) not in cache:
        cache[("names", id(article))] = _names(article)
    return cache[("names", id(article))]


def _names(article: Article) -> Counter:
    """Proper-name mentions (capitalised words not opening a sentence), stemmed."""
    found: Counter = Counter()
    for sentence in article.sentences:
        for match in NAME.finditer(sentence.text):
            if match.start() == 0:
                continue
            word = match.group().replace(".", "").lower()
            if len(word) > 1 and word not in NOT_NAMES:
                found[stem(word)] += 1
    return found
