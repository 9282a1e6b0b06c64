"""Paragraph and sentence split, with character spans into the cleaned article text."""
from __future__ import annotations

import re

from .model import Article, Sentence

PARAGRAPH_BREAK = re.compile(r"\n\s*\n|\n")


def split_sentences(article: Article) -> Article:
    """Fill article.sentences. Paragraphs are split on newlines first: splitters merge lines otherwise."""
    from syntok import segmenter  # light, but keep `import newsfuse` free of it

    sentences: list[Sentence] = []
    for number, (start, paragraph) in enumerate(_paragraphs(article.text)):
        for tokens in (s for p in segmenter.analyze(paragraph) for s in p):
            if not tokens:
                continue
            first, last = tokens[0], tokens[-1]
            begin, end = first.offset, last.offset + len(last.value)
            text = paragraph[begin:end].strip()
            if text:
                sentences.append(Sentence(article.id, len(sentences), text, start + begin, start + end, number))
    article.sentences = _merge_fragments(sentences, article.text)
    return article


def _paragraphs(text: str):
    position = 0
    for match in PARAGRAPH_BREAK.finditer(text + "\n"):
        chunk = text[position:match.start()]
        if chunk.strip():
            yield position, chunk
        position = match.end()


def _merge_fragments(sentences: list[Sentence], text: str) -> list[Sentence]:
    """Rejoin a lone closing quote or a lowercase continuation that the splitter cut off."""
    merged: list[Sentence] = []
    for sentence in sentences:
        previous = merged[-1] if merged else None
        if (
            previous is not None
            and previous.paragraph == sentence.paragraph
            and (sentence.text in {"”", '"', "’", ")"} or sentence.text[:1].islower())
        ):
            previous.end = sentence.end
            previous.text = text[previous.start:previous.end]
            continue
        sentence.index = len(merged)
        merged.append(sentence)
    return merged
