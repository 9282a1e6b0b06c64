"""Peer summarizers measured beside newsfuse: Lead and sumy's LexRank, TextRank and LSA.

sumy's default tokenizer needs NLTK data that cannot be installed offline, so sumy gets ours
(syntok sentences, regex words). Each baseline ranks sentences, then fills the same word budget
with whole sentences, best first, and prints them in document order.
"""
from __future__ import annotations

import re
from typing import Callable

from .model import Cluster, NewsfuseError

WORD = re.compile(r"\w+(?:['’.-]\w+)*")


class SumyTokenizer:
    """The two methods sumy calls on a tokenizer."""

    language = "english"

    def to_sentences(self, paragraph: str) -> list[str]:
        from syntok import segmenter

        out = []
        for line in paragraph.split("\n"):
            for sentences in segmenter.analyze(line):
                for tokens in sentences:
                    if tokens:
                        out.append(line[tokens[0].offset:tokens[-1].offset + len(tokens[-1].value)])
        return out

    def to_words(self, sentence: str) -> list[str]:
        return WORD.findall(sentence)


def require_sumy() -> None:
    """Fail early, in one line, when the optional sumy is not installed."""
    try:
        import sumy  # noqa: F401
    except ImportError:
        raise NewsfuseError('baselines need sumy: pip install "newsfuse[bench]"') from None


def _sumy(kind: str) -> Callable[[Cluster, int], list[str]]:
    def summarize(cluster: Cluster, words: int) -> list[str]:
        try:
            from sumy.nlp.stemmers import Stemmer
            from sumy.parsers.plaintext import PlaintextParser
            from sumy.utils import get_stop_words
            from sumy.summarizers.lex_rank import LexRankSummarizer
            from sumy.summarizers.lsa import LsaSummarizer
            from sumy.summarizers.text_rank import TextRankSummarizer
        except ImportError:
            raise NewsfuseError('baselines need sumy: pip install "newsfuse[bench]"') from None
        classes = {"lexrank": LexRankSummarizer, "textrank": TextRankSummarizer, "lsa": LsaSummarizer}

        class Ranked(classes[kind]):  # keep every sentence's rating instead of sumy's top-N
            def _get_best_sentences(self, sentences, count, rating, *args, **kwargs):
                self.ratings = rating if isinstance(rating, dict) else {s: rating(s, *args, **kwargs) for s in sentences}
                return ()

        text = "\n\n".join(a.text for a in cluster.articles)
        document = PlaintextParser.from_string(text, SumyTokenizer()).document
        summarizer = Ranked(Stemmer("english"))
        summarizer.stop_words = get_stop_words("english")
        summarizer(document, 1)
        order = {s: n for n, s in enumerate(document.sentences)}
        # ratings rounded: LSA's SVD varies in the last bits between runs, which reordered near-ties
        ranked = sorted(document.sentences, key=lambda s: (-round(summarizer.ratings.get(s, 0.0), 9), order[s]))
        return [str(s) for s in sorted(_fill(ranked, words, lambda s: len(str(s).split())), key=order.get)]

    return summarize


def lead(cluster: Cluster, words: int) -> list[str]:
    """The first sentences of the first document, up to the budget."""
    sentences = SumyTokenizer().to_sentences(cluster.articles[0].text)
    return _fill(sentences, words, lambda s: len(s.split()), stop_at_first_miss=True)


def _fill(items: list, words: int, length, stop_at_first_miss: bool = False) -> list:
    chosen, used = [], 0
    for item in items:
        size = length(item)
        if used + size > words:
            if stop_at_first_miss:
                break
            continue
        chosen.append(item)
        used += size
    return chosen


BASELINES: dict[str, Callable[[Cluster, int], list[str]]] = {
    "lead": lead,
    "lexrank": _sumy("lexrank"),
    "textrank": _sumy("textrank"),
    "lsa": _sumy("lsa"),
}
