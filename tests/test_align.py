from conftest import SEED_ABC, SEED_AGGREGATOR, SEED_BLOOMBERG, SEED_MOSCOW


def sentence_containing(report, article_id, words):
    story = next(s for s in report.stories if any(a.id == article_id for a in s.articles))
    return next(s for s in story.article(article_id).sentences if words in s.text)


def test_verbatim_and_paraphrased_reports_are_found(seeds_report):
    quote = sentence_containing(seeds_report, SEED_MOSCOW, "not seeking so-called regime change")
    # the aggregator copies it; ABC reports the same statement in its own words
    assert {SEED_AGGREGATOR, SEED_ABC} <= set(quote.support)
    attacks = sentence_containing(seeds_report, SEED_AGGREGATOR, "mainly attacking other groups")
    assert SEED_BLOOMBERG in attacks.support


def test_same_topic_is_not_the_same_statement(seeds_report):
    # Bloomberg's preview says the talks are yet to happen; it does not report the meeting's outcome
    lead = sentence_containing(seeds_report, SEED_ABC, "Following lengthy talks")
    assert SEED_BLOOMBERG not in lead.support
    nobody = sentence_containing(seeds_report, SEED_MOSCOW, "no one can say when Assad might step down")
    assert nobody.support == {}


def test_a_meeting_that_happened_is_not_a_meeting_being_prepared(seeds_report):
    met = sentence_containing(seeds_report, SEED_ABC, "secretary of state met with Vladimir Putin")
    assert SEED_BLOOMBERG not in met.support  # Bloomberg: "Kerry prepares to meet President Vladimir Putin"
