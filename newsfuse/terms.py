"""Content words and word pairs of a sentence: the lexical view shared by alignment and summarization."""
from __future__ import annotations

import functools
import re
import threading

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

        _local.stemmer = snowballstemmer.stemmer("english")
    return _local.stemmer


def tokens(text: str) -> list[str]:
    """Lowercased word tokens, possessives folded ("Russia's" -> "russia")."""
    return [_fold_possessive(t).replace("’", "'") for t in TOKEN.findall(text.lower())]


def _fold_possessive(token: str) -> str:
    return token[:-2] if token.endswith(("'s", "’s")) else token  # no regex per token: this is a hot path


def content_terms(text: str) -> list[str]:
    """Stemmed tokens without stop words, in order."""
    return [stem(t) for t in tokens(text) if t not in STOP_WORDS and not (len(t) == 1 and t.isalpha())]


def bigrams(text: str) -> set[tuple[str, str]]:
    """Stemmed adjacent word pairs, skipping pairs of two stop words (the concepts a summary covers)."""
    words = tokens(text)
    pairs = set()
    for left, right in zip(words, words[1:]):
        if left in STOP_WORDS and right in STOP_WORDS:
            continue
        pairs.add((stem(left), stem(right)))
    return pairs
