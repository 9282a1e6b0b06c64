import itertools

from newsfuse.ingest import read_clusters
from newsfuse.pipeline import Options, summarize_clusters
from newsfuse.summarize import SummaryOptions, summarize_story
from newsfuse.terms import content_terms

from conftest import DATA


def test_budget_holds_for_every_budget(seeds_report):
    story = seeds_report.stories[0]
    for words in (20, 60, 120, 250):
        summary = summarize_story(story, SummaryOptions(words=words))
        assert sum(len(s.text.split()) for s in summary) <= words
        assert summary, f"nothing fits in {words} words"


def test_every_sentence_is_a_source_sentence_and_cites_it_first(seeds_report):
    story = seeds_report.stories[0]
    for sentence in story.summary:
        article = story.article(sentence.sources[0])
        assert sentence.text in article.text
        assert len(set(sentence.sources)) == len(sentence.sources)


def test_a_fact_several_outlets_report_cites_them_all(seeds_report):
    cited = [s for s in seeds_report.stories[0].summary if len(s.sources) >= 2]
    assert cited, "no summary sentence cites two or more outlets"


def test_no_two_summary_sentences_say_the_same_thing():
    clusters = list(read_clusters(str(DATA / "mds" / "tac2011_guided_A.jsonl")))[:5]
    for story in summarize_clusters(clusters, Options.with_words(100)):
        for a, b in itertools.combinations(story.summary, 2):
            ta, tb = set(content_terms(a.text)), set(content_terms(b.text))
            assert len(ta & tb) / min(len(ta), len(tb)) < 0.6, (a.text, b.text)


def test_summary_is_deterministic(seeds_report):
    from newsfuse.ingest import read_articles
    from newsfuse.pipeline import build_report
    from conftest import SEEDS

    again = build_report(read_articles([str(SEEDS)]))
    assert [(s.text, s.sources) for s in again.stories[0].summary] == [(s.text, s.sources) for s in seeds_report.stories[0].summary]
