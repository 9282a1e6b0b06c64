"""Content words and word pairs of a sentence: the lexical view shared by alignment and summarization."""
from __future__ import annotations

import functools
import itertools
import re
import threading
from typing import Iterable

TOKEN = re.compile(r"[A-Za-z0-9]+(?:['’.-][A-Za-z0-9]+)*")

STOP_WORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further had has
    have having he her here hers herself him himself his how i if in into is it its itself just me more
    most my myself no nor not now of off on once only or other our ours ourselves out over own same she
    should so some such than that the their theirs them themselves then there these they this those
    through to too under until up very was we were what when where which while who whom why will with
    would you your yours yourself yourselves said says say told according also would could may might
    must shall us mr mrs ms one two s t""".split()
)


@functools.lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    return _stemmer().stemWord(word)


_local = threading.local()


def _stemmer():
    # one per thread: a snowball stemmer keeps its word in itself (threaded Dask workers share a process)
    if not hasattr(_local, "stemmer"):
        import snowballstemmer

        # snowballstemmer hands out PyStemmer's C stemmer when it is installed: the same stems, ~10x faster
        _local.stemmer = snowballstemmer.stemmer("english")
    return _local.stemmer


def tokens(text: str) -> list[str]:
    """Lowercased word tokens, possessives folded ("Russia's" -> "russia")."""
    found = TOKEN.findall(text.lower())
    if not found:
        return found
    # fold apostrophes and possessives in one string operation instead of one call per token (hot
    # path): tokens hold no NUL, so "'s" before a NUL is exactly a token's possessive ending
    joined = "\0".join(found).replace("’", "'") + "\0"
    if "'s\0" in joined:
        joined = joined.replace("'s\0", "\0")
    return joined[:-1].split("\0")


def word_terms(word: str) -> tuple[str, ...]:
    """`content_terms` of one whitespace-free word (uncached: `terms_of_words` memoises it)."""
    return tuple(stem(t) for t in tokens(word) if t not in STOP_WORDS and not (len(t) == 1 and t.isalpha()))


class Memo(dict):
    """A per-process memo of a pure function of one string: `memo[key]` computes on a miss, and
    the whole memo is dropped past `limit` entries (a bound on memory over an endless stream).
    Lookups through `map(memo.__getitem__, ...)` keep the per-word work of a batch out of Python."""

    def __init__(self, compute, limit: int = 500_000):
        super().__init__()
        self.compute, self.limit = compute, limit

    def __missing__(self, key: str):
        if len(self) >= self.limit:
            self.clear()
        value = self[key] = self.compute(key)
        return value


_terms_of_word = Memo(word_terms, 300_000)  # whitespace-separated word -> its content terms (news repeats its words)


def content_terms(text: str) -> list[str]:
    """Stemmed tokens without stop words, in order."""
    return terms_of_words(text.split())


def terms_of_words(words: Iterable[str]) -> list[str]:
    """`content_terms` of the words joined by spaces. No token spans whitespace, so a text's terms
    are its words' terms one after another: each distinct word is tokenised and stemmed once."""
    return list(itertools.chain.from_iterable(map(_terms_of_word.__getitem__, words)))


def bigrams(text: str) -> set[tuple[str, str]]:
    """Stemmed adjacent word pairs, skipping pairs of two stop words (the concepts a summary covers)."""
    words = tokens(text)
    pairs = set()
    for left, right in zip(words, words[1:]):
        if left in STOP_WORDS and right in STOP_WORDS:
            continue
        pairs.add((stem(left), stem(right)))
    return pairs
