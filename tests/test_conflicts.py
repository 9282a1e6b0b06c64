"""Conflicts: different figures for one quantity, denials; and no conflict where there is none."""
from newsfuse.analysis.conflicts import find_conflicts, quantities
from newsfuse.model import Article
from newsfuse.pipeline import Options, prepare


def outlets(*texts):
    """One article per text, from outlets A, B, C...: project-written sentences."""
    return prepare([Article(id=chr(97 + n), source=chr(65 + n), text=t) for n, t in enumerate(texts)], Options())


def test_sample_planted_evacuation_figure(sample_report):
    [story] = sample_report.stories
    [conflict] = story.analysis.conflicts
    assert conflict.kind == "figure" and "evacuated" in conflict.subject
    sides = {side.value.split()[0]: set(side.sources) for side in conflict.sides}
    assert sides == {
        "212": {"03_calder-evening-star"},
        "214": {"01_harbour-ledger", "02_northline-post", "04_meridian-gazette", "05_newsdrift", "06_coastal-press-agency"},
    }
    # the off-event drill's 180 residents and 12 million crowns are not part of it
    assert all("07_estuary-weekly" not in side.sources for c in story.analysis.conflicts for side in c.sides)


def test_seeds_have_no_conflict(seeds_report):
    # read by hand: the talks' figures (three-and-a-half hours, 300,000 killed in Syria, 5,000 in Ukraine)
    # each come from one outlet, the New York meeting is "Friday" and "Dec. 18" alike, and "not seeking
    # regime change" is quoted by one outlet and reported by another: no disagreement
    [story] = seeds_report.stories
    assert story.analysis.conflicts == []


def test_two_outlets_give_different_death_tolls():
    articles = outlets(
        "Twelve people were killed when the ferry capsized off Skerra Island on Sunday, the coastguard said.",
        "At least 15 people died after the ferry capsized near Skerra Island, local officials said.",
        "The ferry, built in 1998, carried 40 passengers and 6 crew.",
    )
    [conflict] = find_conflicts(articles)
    assert conflict.kind == "figure"
    assert {side.value: side.sources for side in conflict.sides} == {"Twelve people": ["a"], "At least 15 people": ["b"]}


def test_different_quantities_sharing_a_unit_are_not_conflicts():
    articles = outlets(
        "The minister pledged 5 million crowns in emergency support for flooded households.",
        "The barrier opened in 2019 at a cost of 310 million crowns.",
        "Two people were treated for hypothermia at Calder General Hospital.",
        "A total of 212 people were evacuated on Tuesday.",
        "Roughly 40 houses were flooded, along with the fish market.",
        "About 40 homes and the fish market were flooded.",
        "More than two hundred people were moved out of the district.",
    )
    assert find_conflicts(articles) == []


def test_approximate_figures_conflict_only_when_they_cannot_both_be_true():
    assert find_conflicts(outlets("About 40 homes were flooded in the district.", "Some 42 homes were flooded in the district.")) == []
    [conflict] = find_conflicts(outlets("About 40 homes were flooded in the district.", "As many as 25 homes were flooded in the district."))
    assert {side.sources[0] for side in conflict.sides} == {"a", "b"}


def test_a_denial_of_another_outlets_statement():
    articles = outlets(
        "Government troops crossed the border into Varnland on Sunday, the monitoring group said.",
        "The defence ministry denied that government troops crossed the border into Varnland on Sunday.",
    )
    [conflict] = find_conflicts(articles)
    assert conflict.kind == "denial"
    assert {side.value: side.sources for side in conflict.sides} == {"states": ["a"], "denies": ["b"]}


def test_a_negation_about_something_else_is_not_a_denial():
    articles = outlets(
        "Gate 3, the largest of the six, was meant to swing shut at about 5:40 a.m., half an hour before high water.",
        "Gate 3 was meant to swing shut at about 5:40 a.m., half an hour before high water, but did not move.",
    )
    assert find_conflicts(articles) == []


def test_years_times_and_dates_are_not_counted_quantities():
    [article] = outlets("The barrier opened in 2019 and the gate was due to shut at 5:40 a.m. on Dec. 18 with 214 residents inside.")
    assert [q.text for s in article.sentences for q in quantities(s)] == ["214 residents"]


def dated_outlets(*texts):
    """Like `outlets`, all published on Tuesday 15 Dec 2015."""
    import datetime as dt

    return prepare([Article(id=chr(97 + n), source=chr(65 + n), text=t, date=dt.date(2015, 12, 15))
                    for n, t in enumerate(texts)], Options())


FRIDAY = "Foreign ministers will hold a conference on Syria in New York on Friday to discuss a ceasefire, officials said."


def test_friday_and_december_18_are_the_same_day_not_a_conflict():
    # Friday after Tuesday 15 Dec 2015, looking forward, is Dec. 18: the dates agree once resolved
    articles = dated_outlets(FRIDAY, "Foreign ministers will meet in New York on Dec. 18 for a conference on Syria "
                                     "to discuss a ceasefire.")
    assert [c for c in find_conflicts(articles) if c.kind == "date"] == []


def test_friday_against_december_19_is_a_date_conflict_with_both_sides():
    articles = dated_outlets(FRIDAY, "Foreign ministers will meet in New York on Dec. 19 for a conference on Syria "
                                     "to discuss a ceasefire.")
    [conflict] = [c for c in find_conflicts(articles) if c.kind == "date"]
    sides = {side.value: side.sources for side in conflict.sides}
    assert sides == {"on Friday (2015-12-18)": ["a"], "Dec. 19 (2015-12-19)": ["b"]}


def test_two_events_on_two_days_are_not_a_date_conflict():
    articles = dated_outlets(
        "Sea water flooded the Eastquay district on Monday after a gate on the tidal barrier failed to close.",
        "Eastquay residents returned to flooded homes on Tuesday, a day after a gate on the tidal barrier failed to close.",
    )
    assert [c for c in find_conflicts(articles) if c.kind == "date"] == []


def test_seeds_have_no_date_conflict(seeds_report):
    # "Following today's meeting ... would go ahead on Friday" names both days: no disagreement with "Dec. 18"
    [story] = seeds_report.stories
    assert [c for c in story.analysis.conflicts if c.kind == "date"] == []
