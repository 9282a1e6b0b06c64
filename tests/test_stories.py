from newsfuse.ingest import read_clusters
from newsfuse.pipeline import prepare, Options
from newsfuse.stories import group_stories

from conftest import DATA, SAMPLE_EXPECTED, SEED_MARCH_VISIT


def test_a_different_visit_is_not_blended_into_the_december_story(seeds_report):
    # the March visit is shown with the December story it resembles, as off-event (analysis/roles.py),
    # and kept out of its summary
    [main] = seeds_report.stories
    core = [a.id for a in main.articles if a.role != "off_event"]
    assert SEED_MARCH_VISIT not in core and len(core) == 4
    assert main.article(SEED_MARCH_VISIT).role == "off_event"
    assert all(SEED_MARCH_VISIT not in s.sources for s in main.summary)


def test_sample_off_event_article_is_kept_apart(sample_report):
    off_event = {f for f, e in SAMPLE_EXPECTED["files"].items() if e["role"] == "off_event"}
    [main] = sample_report.stories
    assert {a.id for a in main.articles if a.role != "off_event"} == set(SAMPLE_EXPECTED["files"]) - off_event
    assert {a.id for a in main.articles if a.role == "off_event"} == off_event
    assert main.title  # a headline of one of its articles
    assert main.title in {e["title"] for f, e in SAMPLE_EXPECTED["files"].items() if f not in off_event}


def test_given_clusters_are_kept_as_they_are():
    clusters = list(read_clusters(str(DATA / "mds" / "duc2003_task2.jsonl")))[:3]
    articles = prepare([a for c in clusters for a in c.articles], Options())
    stories = group_stories(articles)
    assert sorted(len(s.articles) for s in stories) == sorted(len(c.articles) for c in clusters)
    assert {frozenset(a.id for a in s.articles) for s in stories} == {frozenset(a.id for a in c.articles) for c in clusters}
