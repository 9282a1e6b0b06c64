"""The batch-vectorised feature helpers give exactly what their plain definitions give."""
import json
import pickle

import numpy as np
from datasketch import MinHash, MinHashLSH

from newsfuse.article_features import _datasketch_kwargs, _minhash, _minhashes
from newsfuse.clustering import ClusterOptions, _CopyIndex
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


def test_static_embedding_by_words_is_model2vecs_embedding():
    embedder = get_embedder("static")
    texts = _texts(10) + ["a\x1cb \tc\n", "   "]
    expected = _normalise(embedder.model.encode(texts, show_progress_bar=False, use_multiprocessing=False))
    assert np.array_equal(embedder.encode(texts), expected)
    assert np.array_equal(pickle.loads(pickle.dumps(embedder)).encode(texts), expected)  # Dask ships it to workers
