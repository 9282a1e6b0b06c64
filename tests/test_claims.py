"""Claims: the same fact across outlets is one claim; consensus counts independent outlets."""
import copy

from newsfuse.analysis.claims import align_claims, coverage_matrix, independent_outlets, split_consensus
from newsfuse.model import Article
from newsfuse.pipeline import Options, prepare

from conftest import SEED_ABC, SEED_AGGREGATOR, SEED_BLOOMBERG, SEED_MARCH_VISIT, SEED_MOSCOW


def claim_containing(claims, words):
    return next(c for c in claims if words in c.text)


def test_the_regime_change_statement_is_one_consensus_claim(seeds_report):
    [story] = seeds_report.stories
    analysis = story.analysis
    claim = claim_containing(analysis.claims, "not seeking so-called regime change")
    assert set(claim.sources) == {SEED_MOSCOW, SEED_AGGREGATOR, SEED_ABC}
    assert len(claim.sentences) == 3  # 000 and 001 word for word, ABC News's "its partners ... as it is known in Syria"
    # the aggregator copied 000: two independent outlets, not three
    assert independent_outlets(claim, story.articles) == [SEED_MOSCOW, "ABC News"]
    assert claim in analysis.consensus


def test_a_sentence_only_copied_is_single_source(seeds_report):
    [story] = seeds_report.stories
    claim = claim_containing(story.analysis.claims, "hope this week to finalize their negotiating team")
    assert set(claim.sources) == {SEED_MOSCOW, SEED_AGGREGATOR}  # 001 took it from 000 word for word
    assert claim in story.analysis.single_source


def test_off_event_article_is_not_in_the_claims_or_the_matrix(seeds_report):
    [story] = seeds_report.stories
    assert SEED_MARCH_VISIT not in story.analysis.coverage.articles
    assert all(SEED_MARCH_VISIT not in c.sources for c in story.analysis.claims)


def test_coverage_matrix_and_unique_contributions(sample_report):
    [story] = sample_report.stories
    analysis = story.analysis
    coverage = analysis.coverage
    assert "07_estuary-weekly" not in coverage.articles
    assert len(coverage.cells) == len(analysis.claims) == len(analysis.consensus) + len(analysis.single_source)
    for claim, row in zip(analysis.claims, coverage.cells):
        assert [a for a, cell in zip(coverage.articles, row) if cell] == [a for a in coverage.articles if a in claim.sources]
    # "About 40 homes and the Eastquay fish market were flooded" is in all six reports of the flood
    flooded = claim_containing(analysis.claims, "40 homes")
    assert len(flooded.sources) == 6 and flooded in analysis.consensus
    # the aggregator's only fact of its own: the insurer's 63 claims
    assert coverage.unique["05_newsdrift"] == 1
    assert "63 flood claims" in next(c.text for c in analysis.claims if c.sources == ["05_newsdrift"])
    assert coverage.unique["03_calder-evening-star"] >= 5


def test_two_articles_of_one_outlet_count_once(sample_report):
    [story] = sample_report.stories
    articles = [copy.copy(a) for a in story.articles if a.role != "off_event"]
    claims = align_claims(articles)
    opened = claim_containing(claims, "310 million crowns and was billed")
    assert {"01_harbour-ledger", "02_northline-post"} <= set(opened.sources)
    consensus, _ = split_consensus(claims, articles)
    assert opened in consensus
    for article in articles:  # the Northline Post is bought by the Harbour Ledger
        if article.id == "02_northline-post":
            article.source = "Harbour Ledger"
    consensus, single = split_consensus(claims, articles)
    assert independent_outlets(opened, articles) == ["Harbour Ledger"]  # 05 and 06 are copies
    assert opened in single


def test_one_long_sentence_does_not_chain_two_facts_into_one_claim():
    articles = prepare([
        Article(id="a", source="A", text="The minister opened the new Varn bridge on Monday and announced a fund of "
                "five million crowns for households flooded in the storm."),
        Article(id="b", source="B", text="The minister opened the new Varn bridge on Monday morning."),
        Article(id="c", source="C", text="A fund of five million crowns was announced for households flooded in the storm."),
    ], Options())
    by_id = {a.id: a for a in articles}
    # alignment: the long sentence reports both short ones; the short ones have nothing in common
    by_id["b"].sentences[0].support = {"a": 0}
    by_id["c"].sentences[0].support = {"a": 0}
    by_id["a"].sentences[0].support = {}
    claims = align_claims(articles)
    bridge = claim_containing(claims, "bridge on Monday morning")
    fund = claim_containing(claims, "fund of five million crowns was announced")
    assert bridge is not fund
    assert set(bridge.sources) == {"a", "b"} and set(fund.sources) == {"a", "c"}  # the long one states both
    matrix = coverage_matrix(claims, articles)
    assert matrix.unique == {"a": 0, "b": 0, "c": 0}


def test_the_new_york_meeting_on_friday_is_one_consensus_claim(seeds_report):
    # ABC: "would now go ahead on Friday in New York"; Bloomberg: "a meeting on Dec. 18 in New York".
    # Few words in common, so the strict alignment misses it; the shared date (Friday = Dec. 18) and
    # the words around it make it one claim
    [story] = seeds_report.stories
    claim = claim_containing(story.analysis.claims, "go ahead on Friday in New York")
    assert {SEED_ABC, SEED_BLOOMBERG} <= set(claim.sources)
    assert claim in story.analysis.consensus
    assert claim.sources[0] == SEED_ABC  # an original outlet's wording, not the aggregator's copy


def test_same_day_same_actor_different_fact_is_not_merged(seeds_report):
    # both on Friday Dec. 11 and both about Kerry: his press conference in Greece (aggregator) and the
    # White House press secretary's briefing in Washington (Bloomberg) are different facts
    [story] = seeds_report.stories
    greece = claim_containing(story.analysis.claims, "press conference in Greece")
    assert SEED_BLOOMBERG not in greece.sources
    earnest = claim_containing(story.analysis.claims, "Josh Earnest")
    assert earnest is not greece and SEED_AGGREGATOR not in earnest.sources
