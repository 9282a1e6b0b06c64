"""Article roles: what a careful reader finds in the seeds and the sample, and no false roles on real clusters.

Seeds, read by hand: 000 (Kerry in Moscow, Tuesday), 002 (ABC News) and 003 (Bloomberg's preview of the
same talks) are independent reports. 001 stitches whole sentences, word for word or with a word swapped
("Russian Federation" for "Russia"), from 000 (four of them) and a clause from 003, around lines from
elsewhere: derivative of 000 and 003. 004 is Kerry's later two-day visit (Wednesday/Thursday, Korean
peninsula, a constitution "by August"): same people, another occasion, no statement in common.
"""
from newsfuse.analysis.roles import OccasionEvidence, assign_derivatives, is_off_event, occasion_evidence, verbatim_ratio
from newsfuse.ingest import read_articles, read_clusters
from newsfuse.pipeline import Options, build_report, prepare

from conftest import DATA, SAMPLE, SAMPLE_EXPECTED, SEED_ABC, SEED_AGGREGATOR, SEED_BLOOMBERG, SEED_MARCH_VISIT, SEED_MOSCOW, SEEDS


def roles(story):
    return {a.id: a.role for a in story.articles}


def test_seed_roles_as_a_careful_reader_finds_them(seeds_report):
    [story] = seeds_report.stories
    assert roles(story) == {
        SEED_MOSCOW: "core", SEED_ABC: "core", SEED_BLOOMBERG: "core",
        SEED_AGGREGATOR: "derivative", SEED_MARCH_VISIT: "off_event",
    }
    assert story.article(SEED_AGGREGATOR).derived_from == [SEED_MOSCOW, SEED_BLOOMBERG]
    assert story.article(SEED_MOSCOW).derived_from == []


def test_sample_planted_roles(sample_report):
    [story] = sample_report.stories
    assert roles(story) == {name: expected["role"] for name, expected in SAMPLE_EXPECTED["files"].items()}
    assert story.article("06_coastal-press-agency").derived_from == ["01_harbour-ledger"]  # the wire copy of 01's wording
    # the aggregator took a line from each of the four reporting outlets
    assert set(story.article("05_newsdrift").derived_from) == {"01_harbour-ledger", "02_northline-post", "03_calder-evening-star", "04_meridian-gazette"}


def test_off_event_evidence_is_dates_and_missing_statements_not_topic_words(sample_report):
    [story] = sample_report.stories
    drill = story.article("07_estuary-weekly")
    evidence = occasion_evidence(drill, type(story)(id="x", articles=[a for a in story.articles if a is not drill]))
    assert evidence.days_apart > 150  # September 2025 against March 2026
    assert evidence.names >= 0.5 and evidence.cosine >= 0.75  # it does look like the story
    assert evidence.shared <= 2  # but reports almost none of it (background: the barrier's cost)


def test_a_same_day_article_on_the_same_topic_is_not_off_event():
    same_day = OccasionEvidence(cosine=0.95, names=0.9, shared=0, statements=12, days_apart=0)
    assert not is_off_event(same_day)  # nothing says it is another occasion
    other_topic = OccasionEvidence(cosine=0.5, names=0.1, shared=0, statements=12, days_apart=200)
    assert not is_off_event(other_topic)  # far apart, but not the same actors: its own story
    assert is_off_event(OccasionEvidence(cosine=0.95, names=0.9, shared=1, statements=12, days_apart=200))


def test_each_off_event_article_joins_the_story_it_resembles():
    report = build_report(read_articles([str(SEEDS), str(SAMPLE)]))
    by_role = {a.id: (story.id, a.role) for story in report.stories for a in story.articles}
    kerry = by_role[SEED_MOSCOW][0]
    barrier = by_role["01_harbour-ledger"][0]
    assert kerry != barrier and len(report.stories) == 2
    assert by_role[SEED_MARCH_VISIT] == (kerry, "off_event")
    assert by_role["07_estuary-weekly"] == (barrier, "off_event")


def test_quotes_alone_do_not_make_a_copy():
    # independent outlets quote a speaker word for word; their own words around the quote differ
    a = "“Families in Eastquay deserve answers, not excuses,” Reyes said at a press conference in the city hall, adding that he had asked for a full report."
    b = '"Families in Eastquay deserve answers, not excuses," the minister told reporters outside the flooded fish market on Tuesday.'
    assert verbatim_ratio(a, b) < 0.8
    assert verbatim_ratio(a, a.replace("city hall", "town hall")) >= 0.8


def test_real_clusters_get_no_off_event_and_copies_only_from_earlier_articles():
    clusters = list(read_clusters(str(DATA / "mds" / "duc2003_task2.jsonl")))[:4]
    derivative = total = 0
    for cluster in clusters:
        articles = prepare(cluster.articles, Options())
        assign_derivatives(articles)
        by_id = {a.id: a for a in articles}
        for article in articles:
            total += 1
            assert article.role in {"core", "derivative"}
            if article.role == "derivative":
                derivative += 1
                assert article.derived_from
                assert all(by_id[o].date <= article.date for o in article.derived_from[:1])
    assert derivative / total < 0.35  # DUC clusters hold AP re-issues, but most articles are independent
