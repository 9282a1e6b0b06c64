import datetime as dt
import json

import numpy as np
import pytest

from newsfuse.clustering import ArticleFeatures, ClusterOptions, StreamClusterer, cluster_articles, features, nearest_slots
from newsfuse.embed import get_embedder
from newsfuse.model import Article

from conftest import DATA

CLUSTERING = DATA / "clustering"


def _records(name: str, limit: int | None = None, date: str | None = None) -> list[dict]:
    rows = []
    with open(CLUSTERING / name, encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            if date is None or record["date"] == date:
                rows.append(record)
            if limit and len(rows) == limit:
                break
    return rows


def _article(record: dict, **changes) -> Article:
    fields = {"id": record["id"], "text": record["text"], "title": record.get("title"),
              "date": dt.date.fromisoformat(record["date"]) if record.get("date") else None}
    fields.update(changes)
    return Article(**fields)


@pytest.fixture(scope="module")
def tac():
    """Six TAC 2011 stories (60 articles), interleaved by date as a stream would bring them."""
    records = sorted(_records("tac2011_guided_A_stories.jsonl", limit=60), key=lambda r: (r["date"], r["id"]))
    articles = [_article(r) for r in records]
    return articles, [r["story_id"] for r in records], features(articles, get_embedder("static"))


def test_batch_and_incremental_give_the_same_stories(tac):
    articles, _, feats = tac
    clusterer = StreamClusterer(ClusterOptions())
    one_by_one = [clusterer.add(a.id, f) for a, f in zip(articles, feats)]
    assert one_by_one == cluster_articles(articles)
    assert cluster_articles(articles) == cluster_articles(articles)  # deterministic ids
    assert 3 <= len(set(one_by_one)) < len(articles)  # it groups, but not everything into one


def test_stories_do_not_depend_on_how_the_state_is_packed(tac, monkeypatch):
    """A story's terms and names live in flat pools that are packed when full, and log(df + 0.5)
    comes from a table with a computed fallback past its end: tiny pools and a tiny table (packed
    and falling back all the time) give the same stories and the same state."""
    import newsfuse.clustering as clustering

    articles, _, feats = tac
    roomy = StreamClusterer()
    expected = [roomy.add(a.id, f) for a, f in zip(articles, feats)]
    monkeypatch.setattr(clustering, "_POOL_START", 16)
    monkeypatch.setattr(clustering, "_LOG_TABLE_MAX", 3)
    cramped = StreamClusterer()
    assert [cramped.add(a.id, f) for a, f in zip(articles, feats)] == expected
    for clusterer in (roomy, cramped):
        np.testing.assert_array_equal(clusterer._log_df, np.log(clusterer._df + 0.5).astype(np.float32))
    assert roomy._stories.keys() == cramped._stories.keys()
    for story_id, story in roomy._stories.items():  # every block: the term profile, the members' terms and names
        other = cramped._stories[story_id]
        for pool in ("_terms", "_names"):
            for segment in range(getattr(roomy, pool).blocks.shape[1]):
                for ours, theirs in zip(getattr(roomy, pool).get(story.slot, segment), getattr(cramped, pool).get(other.slot, segment)):
                    np.testing.assert_array_equal(ours, theirs)


def test_restore_continues_as_if_never_stopped(tac):
    articles, _, feats = tac
    whole = StreamClusterer()
    expected = [whole.add(a.id, f) for a, f in zip(articles, feats)]

    first = StreamClusterer()
    labels = [first.add(a.id, f) for a, f in zip(articles[:35], feats[:35])]
    stored: dict[str, list] = {}
    for article, feat, label in zip(articles[:35], feats[:35], labels):  # what a store would keep, as bytes
        stored.setdefault(label, []).append((article.id, ArticleFeatures.from_bytes(feat.to_bytes())))
    second = StreamClusterer()
    second.restore(((sid, members) for sid, members in stored.items() if sid in first.open_stories()),
                   term_counts=first.term_counts())
    assert second.open_stories() == first.open_stories()
    labels += [second.add(a.id, f) for a, f in zip(articles[35:], feats[35:])]
    assert labels == expected
    assert second.changed() <= set(expected[35:])


def test_candidate_search_from_a_stale_snapshot_gives_the_same_stories():
    # as on Dask workers: each article's nearest stories searched in a snapshot taken 5 articles
    # earlier, only 2 deeper than the 8 candidates, so stories changed since must be rescored
    articles = [_article(r) for r in _records("allsides_2021_stories_LCR.jsonl", limit=200)]
    feats = features(articles, get_embedder("static"))
    plain = StreamClusterer()
    expected = [plain.add(a.id, f) for a, f in zip(articles, feats)]
    hinted, snapshots, incomplete = StreamClusterer(), [], 0
    labels = []
    for n, (article, feat) in enumerate(zip(articles, feats)):
        snapshots.append(hinted.snapshot())
        nearest = nearest_slots(snapshots[max(0, n - 5)], feat.vector[None], ClusterOptions().candidates + 2)[0]
        incomplete += not nearest.complete
        labels.append(hinted.add(article.id, feat, nearest))
    assert labels == expected
    assert incomplete > 100 and len(set(labels)) > 50


def test_centroid_cosines_do_not_depend_on_how_many_are_computed_at_once():
    from newsfuse import kernels

    vectors = np.vstack([f.vector for f in features([_article(r) for r in _records("duc2003_task2_stories.jsonl", limit=40)],
                                                    get_embedder("static"))])
    seqs = np.arange(len(vectors))
    together = kernels.cosines(vectors, vectors, seqs)
    assert all((kernels.cosines(vectors[i:i + 3], vectors[j:j + 1], seqs[i:i + 3])[0] == together[j, i:i + 3]).all()
               for i in range(0, 37, 3) for j in range(0, 40, 7))
    assert np.allclose(together, vectors @ vectors.T, atol=1e-5)


def test_the_fast_candidate_choice_is_the_general_one_ties_included():
    from newsfuse import kernels
    from newsfuse.clustering import _top

    rng = np.random.default_rng(0)
    for _ in range(500):  # few distinct values: many ties, broken by the older story (smaller seq)
        n, k = int(rng.integers(0, 40)), int(rng.integers(1, 10))
        cosines = rng.choice([0.1, 0.2, 0.3, -np.inf, 0.5], size=n).astype(np.float32)
        seqs = rng.permutation(n).astype(np.int64)
        assert set(kernels.top_k(cosines, seqs, k).tolist()) == set(_top(cosines, seqs, k).tolist())


def test_features_survive_storage(tac):
    feat = tac[2][0]
    back = ArticleFeatures.from_bytes(feat.to_bytes())
    assert (back.vector == feat.vector).all() and (back.minhash == feat.minhash).all()
    assert (back.term_index == feat.term_index).all() and (back.term_weight == feat.term_weight).all()
    assert (back.entities, back.date) == (feat.entities, feat.date)
    assert len(feat.to_bytes()) < 2000


def test_syndicated_copy_joins_its_original_at_once():
    wire, other, unrelated = _records("duc2003_task2_stories.jsonl", limit=200)[0], *_records("tac2011_guided_A_stories.jsonl", limit=2)
    words = wire["text"].split(" ")
    copy = _article(wire, id="copy-in-another-outlet", title="Regional paper headline",
                    text="By Staff and wires\n\n" + " ".join(words[:-40]))  # own byline and headline, the end cut
    clusterer = StreamClusterer()
    original = clusterer.add(wire["id"], features([_article(wire)], get_embedder("static"))[0])
    clusterer.add(other["id"], features([_article(other, date=_article(wire).date)], get_embedder("static"))[0])
    clusterer.add(unrelated["id"], features([_article(unrelated, date=_article(wire).date)], get_embedder("static"))[0])
    clusterer.changed()
    assert clusterer._copied_story(features([copy], get_embedder("static"))[0]).id == original
    assert clusterer.add(copy.id, features([copy], get_embedder("static"))[0]) == original
    assert clusterer.changed() == {original}


def test_different_stories_of_the_same_day_stay_apart():
    # AllSides, 23 Apr 2021: J&J vaccine advice, Jenner's campaign, Biden's G-7 trip, the GOP infrastructure plan
    records = _records("allsides_2021_stories_LCR.jsonl", date="2021-04-23")
    labels = cluster_articles([_article(r) for r in records])
    gold_of = {}
    for record, label in zip(records, labels):
        gold_of.setdefault(label, set()).add(record["story_id"])
    assert all(len(gold) == 1 for gold in gold_of.values())
    assert len({r["story_id"] for r in records}) == 4


def test_stories_close_when_time_passes():
    record = _records("tac2011_guided_A_stories.jsonl", limit=1)[0]
    base = _article(record)
    options = ClusterOptions(close_days=10)
    clusterer = StreamClusterer(options)
    embedder = get_embedder("static")
    first = clusterer.add(base.id, features([base], embedder, options)[0])
    later = _article(record, id="same-text-weeks-later", date=base.date + dt.timedelta(days=11))
    second = clusterer.add(later.id, features([later], embedder, options)[0])
    assert second != first  # the old story was closed, so even the same text starts a new one
    assert first in clusterer.closed and clusterer.open_stories() == [second]
    soon = _article(record, id="same-text-next-day", date=later.date + dt.timedelta(days=1))
    assert clusterer.add(soon.id, features([soon], embedder, options)[0]) == second


def test_cluster_command_prints_one_story_per_article_in_input_order(cli, tmp_path):
    records = _records("tac2011_guided_A_stories.jsonl", limit=12)
    path = tmp_path / "articles.jsonl"
    path.write_text("".join(json.dumps({k: r[k] for k in ("id", "title", "date", "text")}) + "\n" for r in records))
    code, out, err = cli("cluster", path, "--format", "jsonl", "--quiet")
    assert code == 0 and err == ""
    lines = [json.loads(line) for line in out.splitlines()]
    assert [line["id"] for line in lines] == [r["id"] for r in records]
    assert all(set(line) == {"id", "story_id"} and line["story_id"].startswith("s-") for line in lines)
    by_gold = {}
    for record, line in zip(records, lines):
        by_gold.setdefault(record["story_id"], set()).add(line["story_id"])
    assert not set.intersection(*by_gold.values())  # the two gold stories share no story


def test_cluster_command_bad_input(cli, tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "a", "text": "x"}\n{"id": \n')
    code, out, err = cli("cluster", bad, "--quiet")
    assert code == 2 and out == "" and "bad.jsonl:2: invalid JSON" in err
    code, _, err = cli("cluster", bad, "--scheduler", "tcp://127.0.0.1:1")
    assert code == 2 and "--scheduler goes with --engine dask" in err
