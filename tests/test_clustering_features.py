"""The batch-vectorised feature helpers give exactly what their plain definitions give."""
import collections
import itertools
import json
import pickle
import random
import sys
import zlib

import numpy as np
from datasketch import MinHash, MinHashLSH

from newsfuse import article_features
from newsfuse.article_features import ArticleFeatures, _datasketch_kwargs, _body, _entities, _minhash, features
from newsfuse.clustering import ClusterOptions, _CopyIndex
from newsfuse.embed import _normalise, get_embedder
from newsfuse.model import Article
from newsfuse.terms import STOP_WORDS, content_terms, stem, tokens, word_terms

from conftest import DATA

_EVERY_SPACE = "".join(c for c in map(chr, range(sys.maxunicode + 1)) if c.isspace())


def _texts(limit: int = 40) -> list[str]:
    texts = []
    with open(DATA / "clustering" / "allsides_2021_stories_LCR.jsonl", encoding="utf-8") as handle:
        for line, _ in zip(handle, range(limit)):
            record = json.loads(line)
            texts += [record["title"], record["text"]]
    # words past the shift tables (64 bytes), non-ASCII words, possessives, and texts too short to sign
    return texts + ["Zürich’s naïve café " * 12 + "x" * 90 + " end " * 10, "Only five words here, sadly.", ""]


def test_batch_minhash_is_datasketchs_shingle_by_shingle_minhash():
    options = ClusterOptions()
    articles = [Article(id=f"a{n}", text=text) for n, text in enumerate(_texts())]
    batch = [f.minhash for f in features(articles, get_embedder("static"), options)]
    one_by_one = [_minhash(_body(article, options), options) for article in articles]
    assert [s.tolist() for s in batch] == [s.tolist() for s in one_by_one]
    assert len(batch[-1]) == len(batch[-2]) == 0 and len(batch[-3]) == len(batch[1]) == options.num_perm


def test_copy_index_finds_what_datasketchs_lsh_finds():
    options = ClusterOptions()
    texts = [text for text in _texts() if len(text.split()) > 60]
    copies = [("Staff and wires. " + text).split()[:-10] for text in texts]  # a wire copy: a credit added, the end cut
    reference = MinHashLSH(threshold=options.duplicate_jaccard, num_perm=options.num_perm)
    ours = _CopyIndex(options.duplicate_jaccard, options.num_perm)
    for n, text in enumerate(texts):
        signature = _minhash(text.split(), options)
        reference.insert(f"a{n}", MinHash(hashvalues=signature, **_datasketch_kwargs(options.num_perm)))
        ours.insert(f"a{n}", ours.bands(signature))
    copies_found = 0
    for n, words in enumerate([text.split() for text in texts] + copies):
        signature = _minhash(words, options)
        expected = set(reference.query(MinHash(hashvalues=signature, **_datasketch_kwargs(options.num_perm))))
        assert ours.query(ours.bands(signature)) == expected
        assert n >= len(texts) or f"a{n}" in expected  # an original finds itself
        copies_found += n >= len(texts) and f"a{n - len(texts)}" in expected
    assert copies_found >= 3 * len(texts) // 4
    for n in range(len(texts)):
        ours.remove(f"a{n}")
    assert ours.query(ours.bands(_minhash(texts[0].split(), options))) == set() and not any(ours.tables)


def test_content_terms_by_word_are_the_terms_of_the_whole_text():
    for text in _texts():
        plain = [stem(t) for t in tokens(text) if t not in STOP_WORDS and not (len(t) == 1 and t.isalpha())]
        assert content_terms(text) == plain
    assert content_terms("Russia’s ties with China's warmed") == ["russia", "tie", "china", "warm"]


def test_word_records_are_the_terms_and_shingle_tokens_of_the_word():
    tricky = ["_x_", "a_b", "--", "'s", "Obama's", "“Obama”", "\u212aelvin", "İstanbul", "x\u00b2", "__init__", "(U.S.)", "A", "I.", "9",
              "e-mail", "#MeToo", "café,", "naïve", "SAID", "x\x00", "\x7fend\x7f", "1st", "don’t", "Zürich’s"]
    words = {word for text in _texts() for word in text.split()} | set(tricky)
    for word in words:
        terms = tuple(zlib.crc32(term.encode("utf-8")) for term in word_terms(word))
        assert article_features._word_record(word) == (terms, article_features._shingle_tokens(word)), repr(word)


def test_static_embedding_by_words_is_model2vecs_embedding():
    embedder = get_embedder("static")
    # control characters the normaliser deletes and split splits at; a word of more than max_length tokens
    texts = _texts(10) + ["a\x1cb \tc\n", "x\x0by\x0cz\x85w", "   ", "Wow " + "!" * 600 + " end"]
    expected = _normalise(embedder.model.encode(texts, show_progress_bar=False, use_multiprocessing=False))
    assert np.array_equal(embedder.encode(texts), expected)
    assert np.array_equal(pickle.loads(pickle.dumps(embedder)).encode(texts), expected)  # Dask ships it to workers


def _names_apart(first: str) -> str:
    """`first`, then names, each after one of the non-ASCII characters that split splits at."""
    names = itertools.cycle(["Kerry", "Putin", "Lavrov", "Merkel"])
    return first + "".join(space + next(names) for space in _EVERY_SPACE if not space.isascii())


def _plain_features(article: Article, embedder, options: ClusterOptions) -> ArticleFeatures:
    """An article's features by their definitions, one article and one text at a time."""
    words = article.text.split(None, options.term_words)
    lead = " ".join(words[:options.lead_words])
    vector = embedder.encode([f"{article.title}. {lead}" if article.title else lead])[0]
    terms = (2 * content_terms(article.title) if article.title else []) + content_terms(" ".join(words[:options.term_words]))
    counts = collections.Counter(zlib.crc32(term.encode("utf-8")) % options.term_dims for term in terms)
    dims = np.array(sorted(counts), dtype=np.uint16)
    weight = 1.0 + np.log(np.array([counts[d] for d in sorted(counts)], dtype=np.float32))
    weight = weight / max(float(np.linalg.norm(weight)), 1e-12)
    return ArticleFeatures(vector=vector.astype(np.float16).astype(np.float32), minhash=_minhash(words, options),
                           entities=_entities(article.title, words[:options.lead_words]), date=article.date,
                           term_index=dims, term_weight=weight.astype(np.float16).astype(np.float32))


def test_batch_features_are_the_plain_features_of_each_article(monkeypatch):
    options, embedder = ClusterOptions(), get_embedder("static")
    texts = _texts()
    articles = [Article(id=str(n), title=title, text=text) for n, (title, text) in enumerate(zip(texts[0:80:2], texts[1:80:2]))]
    body = texts[1]
    articles += [Article(id="x" + str(n), title=title, text=text) for n, (title, text) in enumerate([
        ("Kerry meets Putin in Moscow ", body),  # the "." after the title stands apart
        ("   ", body), ("", body), (None, body), ("Kerry\x1cLavrov talks", body),  # the embedder deletes \x1c
        ("Kerry in Moscow\nPutin Talks", body),  # a line break opens a sentence
        ("Long words", " ".join(["x" * 150] * 25) + " " + body),  # cut to max_chars within the unknown long words
        ("Nothing below", ""), (None, ""), ("Zürich’s naïve Café", texts[-3]), (None, "Only five words here, sadly."),
        # every character that str.split splits at, in title and body (the words are split in compiled code)
        (_EVERY_SPACE.join(["Kerry", "meets", "Putin"] * 10), _EVERY_SPACE.join(body.split()) + "\u3000"),
        (_names_apart("Summit"), _names_apart("Talks") + " " + body),  # names apart by one non-ASCII space each
        # a lone surrogate past the lead (the embedder's tokenizer takes none)
        ("Surrogates", " ".join(body.split()[:80]) + " a lone \udfff\u2009surrogate " + " ".join(body.split()[80:])),
    ])]
    expected = [_plain_features(a, embedder, options).to_bytes() for a in articles]
    assert [f.to_bytes() for f in features(articles, embedder, options)] == expected
    assert features([], embedder, options) == []
    # the word tables dropped and refilled between batches (their bound on memory) change nothing
    monkeypatch.setattr(article_features._local, "words", article_features._Words(limit=100), raising=False)
    monkeypatch.setattr(embedder, "word_limit", 100)
    batches = [features(articles[i:i + 7], embedder, options) for i in range(0, len(articles), 7)]
    assert [f.to_bytes() for batch in batches for f in batch] == expected
    # a word table where every word's hash is one of four: words are told apart by their bytes
    monkeypatch.setattr(article_features._local, "words", article_features._Words(hash_mask=3))
    assert [f.to_bytes() for f in features(articles, embedder, options)] == expected
    assert len(article_features._local.words) > 1000


def test_words_are_split_as_str_split_splits_them():
    assert not [c for c in range(1 << 16, sys.maxunicode + 1) if chr(c).isspace()]  # what split_words assumes
    from newsfuse import feature_kernels

    rng = random.Random(5)
    alphabet = list(_EVERY_SPACE) + list("ab.,’é—") + ["\u2012", "\u3001", "\ud800", "\U0001f600", "\u1680", "\u0100"]
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randrange(30))) for _ in range(3000)] + ["", " ", "a", " a b  "]
    encoded = [text.encode("utf-8", "surrogatepass") for text in texts]
    ends = np.cumsum([len(e) for e in encoded]).astype(np.int64)
    buf = np.frombuffer(b"".join(encoded), dtype=np.uint8)
    maxsplit = np.array([rng.choice([-1, 0, 1, 2, 5]) for _ in texts], dtype=np.int64)
    keep = np.array([rng.choice([1, 2, 4, 1 << 62]) for _ in texts], dtype=np.int64)
    starts, word_ends, counts = feature_kernels.split_words(buf, ends - np.diff(ends, prepend=0), ends, maxsplit, keep,
                                                            *article_features._spaces())
    words = [buf[b:e].tobytes().decode("utf-8", "surrogatepass") for b, e in zip(starts, word_ends)]
    bounds = np.concatenate([[0], np.cumsum(counts)])
    for n, text in enumerate(texts):
        assert words[bounds[n]:bounds[n + 1]] == text.split(None, int(maxsplit[n]))[:keep[n]], repr(text)
