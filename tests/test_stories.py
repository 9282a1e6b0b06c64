from newsfuse.ingest import read_clusters
from newsfuse.pipeline import prepare, Options
from newsfuse.stories import group_stories

from conftest import DATA, SAMPLE_EXPECTED, SEED_MARCH_VISIT


def test_a_different_visit_is_not_blended_into_the_december_story(seeds_report):
    main, *others = seeds_report.stories
    assert SEED_MARCH_VISIT not in {a.id for a in main.articles}
    assert len(main.articles) == 4
    assert [[a.id for a in s.articles] for s in others] == [[SEED_MARCH_VISIT]]


def test_sample_off_event_article_is_its_own_story(sample_report):
    off_event = {f for f, e in SAMPLE_EXPECTED["files"].items() if e["role"] == "off_event"}
    main = sample_report.stories[0]
    assert {a.id for a in main.articles} == set(SAMPLE_EXPECTED["files"]) - off_event
    assert main.title  # a headline of one of its articles
    assert main.title in {e["title"] for e in SAMPLE_EXPECTED["files"].values()}


def test_given_clusters_are_kept_as_they_are():
    clusters = list(read_clusters(str(DATA / "mds" / "duc2003_task2.jsonl")))[:3]
    articles = prepare([a for c in clusters for a in c.articles], Options())
    stories = group_stories(articles)
    assert sorted(len(s.articles) for s in stories) == sorted(len(c.articles) for c in clusters)
    assert {frozenset(a.id for a in s.articles) for s in stories} == {frozenset(a.id for a in c.articles) for c in clusters}
