"""The batch-vectorised feature helpers give exactly what their plain definitions give."""
import json
import pickle

import numpy as np
from datasketch import MinHash, MinHashLSH

from newsfuse.clustering import ClusterOptions, _datasketch_kwargs, _minhash, _minhashes, _to_datasketch
from newsfuse.embed import _normalise, get_embedder
from newsfuse.terms import STOP_WORDS, content_terms, stem, tokens

from conftest import DATA


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
    bodies = [text.split(None, options.term_words) for text in _texts()]
    batch = _minhashes(bodies, options)
    one_by_one = [_minhash(body, options) for body in bodies]
    assert [s.tolist() for s in batch] == [s.tolist() for s in one_by_one]
    assert len(batch[-1]) == len(batch[-2]) == 0 and len(batch[-3]) == len(batch[1]) == options.num_perm


def test_fast_datasketch_copy_works_in_lsh_like_the_constructor():
    options = ClusterOptions()
    text = _texts(1)[1]
    original = _minhash(text.split(), options)
    copy = _minhash(("Staff and wires. " + text).split()[:-30], options)
    index = MinHashLSH(threshold=options.duplicate_jaccard, num_perm=options.num_perm)
    index.insert("original", _to_datasketch(original))
    assert index.query(_to_datasketch(copy)) == ["original"]
    built = MinHash(hashvalues=copy, **_datasketch_kwargs(options.num_perm))
    assert _to_datasketch(original).jaccard(built) == MinHash(hashvalues=original, **_datasketch_kwargs(options.num_perm)).jaccard(built)


def test_content_terms_by_word_are_the_terms_of_the_whole_text():
    for text in _texts():
        plain = [stem(t) for t in tokens(text) if t not in STOP_WORDS and not (len(t) == 1 and t.isalpha())]
        assert content_terms(text) == plain
    assert content_terms("Russia’s ties with China's warmed") == ["russia", "tie", "china", "warm"]


def test_static_embedding_by_words_is_model2vecs_embedding():
    embedder = get_embedder("static")
    texts = _texts(10) + ["a\x1cb \tc\n", "   "]
    expected = _normalise(embedder.model.encode(texts, show_progress_bar=False, use_multiprocessing=False))
    assert np.array_equal(embedder.encode(texts), expected)
    assert np.array_equal(pickle.loads(pickle.dumps(embedder)).encode(texts), expected)  # Dask ships it to workers
