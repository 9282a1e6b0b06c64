import copy
import datetime as dt

import pytest
from conftest import SEED_ABC, SEED_AGGREGATOR, SEED_BLOOMBERG, SEED_MARCH_VISIT, SEED_MOSCOW

from newsfuse.analysis.timeline import build_timeline, infer_missing_dates, resolve_expressions
from newsfuse.model import Article
from newsfuse.sentences import split_sentences

THURSDAY = dt.date(2015, 12, 17)


def resolved(text, published=THURSDAY):
    return [(r.date, r.granularity) for r in resolve_expressions(text, published)]


def test_a_weekday_looks_forward_or_back_with_the_tense():
    assert resolved("The ministers will meet on Friday in New York.") == [("2015-12-18", "day")]
    assert resolved("The ministers met on Friday in New York.") == [("2015-12-11", "day")]
    assert resolved("The talks are scheduled for Monday.") == [("2015-12-21", "day")]
    assert resolved("Officials said late Wednesday that the deal was done.") == [("2015-12-16", "day")]
    assert resolved("The summit took place on Thursday.") == [("2015-12-17", "day")]  # the paper's own day


def test_a_day_without_a_year_is_the_nearest_one_in_the_tense_direction():
    # dateparser's PREFER_DATES_FROM="past" gives 2014-12-18 here
    assert resolved("The groups will meet Friday, Dec. 18, in New York.") == [("2015-12-18", "day")]
    assert resolved("They met on Dec. 18.", dt.date(2016, 1, 5)) == [("2015-12-18", "day")]
    # a past verb, but a date three weeks ahead is far nearer than one eleven months back
    assert resolved("The talks in Vienna set a Jan. 1 date for dialogue to begin.") == [("2016-01-01", "day")]


def test_a_bare_month_is_past_or_future_by_tense():
    assert resolved("The ceasefire was agreed in February.") == [("2015-02", "month")]
    assert resolved("The ceasefire will be reviewed in February.") == [("2016-02", "month")]
    assert resolved("Findings are to be published by August.") == [("2016-08", "month")]
    assert resolved("He wanted the report on his desk by August.") == [("2016-08", "month")]  # a deadline
    assert resolved("He remained army chief until March, when he retired.") == [("2015-03", "month")]
    assert resolved("The port was closed until noon on Wednesday.") == [("2015-12-23", "day")]


def test_relative_expressions_and_granularity():
    assert resolved("Russia annexed Crimea last year.") == [("2014", "year")]
    assert resolved("Talks will begin early next year.") == [("2016", "year")]
    assert resolved("Prices rose last month.") == [("2015-11", "month")]
    assert resolved("He arrived yesterday.") == [("2015-12-16", "day")]
    assert resolved("The envoys met earlier this week.") == [("2015-W51", "week")]
    assert resolved("They will meet again next week.") == [("2015-W52", "week")]
    assert resolved("The war began in the summer of 2011.") == [("2011", "year")]
    assert resolved("The accord was signed in February 2015.") == [("2015-02", "month")]
    assert resolved("Kerry visited on December 15, 2015.") == [("2015-12-15", "day")]


def test_relative_expressions_need_a_publication_date():
    assert resolved("They met on Friday.", None) == []
    assert resolved("The accord was signed in February 2015.", None) == [("2015-02", "month")]


def test_generic_days_and_date_lines_are_not_events():
    assert resolved("She has seen worse queues on a Saturday.") == []
    article = Article(id="a", text="Updated 15 December 2015 10:02\n\nThe mayor resigned on Tuesday.", date=THURSDAY)
    split_sentences(article)
    entries = build_timeline([article])
    assert [(e.date, e.text) for e in entries] == [("2015-12-15", "The mayor resigned on Tuesday.")]


@pytest.fixture(scope="module")
def seeds(seeds_report):
    """The Moscow story's articles with the dates the articles themselves state (copies: dates get inferred)."""
    story = next(s for s in seeds_report.stories if any(a.id == SEED_MOSCOW for a in s.articles))
    articles = copy.deepcopy([a for a in story.articles if a.role != "off_event"])
    for article in articles:
        if article.date_inferred:
            article.date, article.date_inferred = None, False
    return articles


@pytest.fixture(scope="module")
def timeline(seeds):
    infer_missing_dates(seeds)
    return build_timeline(seeds)


def test_undated_articles_take_the_date_of_the_articles_they_share_statements_with(seeds, timeline):
    by_id = {a.id: a for a in seeds}
    assert by_id[SEED_ABC].date == dt.date(2015, 12, 15) and not by_id[SEED_ABC].date_inferred
    for article_id in (SEED_MOSCOW, SEED_AGGREGATOR, SEED_BLOOMBERG):
        assert by_id[article_id].date == dt.date(2015, 12, 15)
        assert by_id[article_id].date_inferred


def entries_on(timeline, date):
    return [e for e in timeline if e.date == date]


def test_seeds_new_york_conference_on_friday_december_18(timeline):
    friday = [e for e in entries_on(timeline, "2015-12-18") if e.granularity == "day"]
    # ABC: "would now go ahead on Friday in New York"; Bloomberg: "a meeting on Dec. 18 in New York";
    # the aggregator quotes Lavrov: "convening in NY another meeting ... this Friday": one event, one entry
    assert len(friday) == 1
    [entry] = friday
    assert set(entry.sources) == {SEED_ABC, SEED_BLOOMBERG, SEED_AGGREGATOR}
    assert "go ahead on Friday in New York" in entry.text  # an original outlet's wording, not the aggregator's
    assert entry.sources[0] == SEED_ABC and entry.granularity == "day" and not entry.inferred  # ABC states its own date
    later = next(e for e in timeline if e.expression == "later this week")
    assert later.date == "2015-W51" and later.inferred  # the Moscow article's date is inferred


def test_same_day_different_events_stay_apart_and_dateless_remarks_are_dropped(timeline):
    # Friday Dec. 11: Kerry at a press conference in Greece (aggregator) and the White House press
    # secretary in Washington (Bloomberg) share the day and Kerry's name, not the event
    greece = next(e for e in entries_on(timeline, "2015-12-11") if "press conference in Greece" in e.text)
    assert greece.sources == [SEED_AGGREGATOR]
    assert any("Josh Earnest" in e.text for e in entries_on(timeline, "2015-12-11"))
    # "That wasn't the case on Tuesday." names a day but no event
    assert not any(e.text.startswith("That wasn") for e in timeline)


def test_seeds_talks_on_tuesday_and_calls_on_monday(timeline):
    tuesday = " ".join(e.text for e in entries_on(timeline, "2015-12-15"))
    assert "John Kerry on Tuesday accepted" in tuesday
    assert "Putin in Moscow today" in tuesday
    assert "prepares to meet President Vladimir Putin in Moscow on Tuesday" in tuesday  # future tense, same day
    monday = " ".join(e.text for e in entries_on(timeline, "2015-12-14"))
    assert "Kerry and Lavrov spoke by phone on Monday" in monday
    assert "conference call late Monday" in monday


def test_seeds_earlier_events(timeline):
    dates = {(e.date, e.granularity) for e in timeline}
    assert {("2015-09-30", "day"), ("2015-11", "month"), ("2015-05", "month"), ("2011", "year"),
            ("2016-01-01", "day")} <= dates
    # the Crimea annexation: "last year" (Moscow report) and "its 2014 annexation" (Bloomberg), aligned: one entry
    crimea = [e for e in entries_on(timeline, "2014") if "Crimea" in e.text]
    assert len(crimea) == 1 and set(crimea[0].sources) == {SEED_MOSCOW, SEED_BLOOMBERG}


def period_start(entry):
    if entry.granularity == "week":
        year, week = entry.date.split("-W")
        return dt.date.fromisocalendar(int(year), int(week), 1)
    parts = [int(p) for p in entry.date.split("-")] + [1, 1]
    return dt.date(*parts[:3])


def test_timeline_is_chronological(timeline):
    starts = [period_start(e) for e in timeline]
    assert starts == sorted(starts) and len(set(starts)) > 10


def test_an_article_alone_and_undated_keeps_only_absolute_dates(seeds_report):
    story = next(s for s in seeds_report.stories if any(a.id == SEED_MARCH_VISIT for a in s.articles))
    article = copy.deepcopy(story.article(SEED_MARCH_VISIT))
    article.date, article.date_inferred = None, False
    infer_missing_dates([article])
    assert article.date is None and not article.date_inferred
    assert [(e.date, e.granularity) for e in build_timeline([article])] == [("2015-02", "month")]
