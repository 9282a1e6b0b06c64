import pytest
from conftest import SEED_ABC, SEED_AGGREGATOR, SEED_BLOOMBERG, SEED_MOSCOW

from newsfuse.analysis.entities import Mention, extract_entities, get_ner, merge_mentions, skeleton
from newsfuse.model import Article, NewsfuseError
from newsfuse.sentences import split_sentences


@pytest.fixture(scope="module")
def seed_entities(seeds_report):
    story = next(s for s in seeds_report.stories if any(a.id == SEED_MOSCOW for a in s.articles))
    return extract_entities([a for a in story.articles if a.role != "off_event"])


def named(entities, name):
    return next(e for e in entities if e.name == name)


def test_seeds_people_with_their_variants(seed_entities):
    kerry = named(seed_entities, "John Kerry")
    assert kerry.kind == "person" and "Kerry" in kerry.variants
    assert set(kerry.sources) == {SEED_MOSCOW, SEED_AGGREGATOR, SEED_ABC, SEED_BLOOMBERG}
    # the Moscow report writes Sergey, the others Sergei; "Lavrov" alone is the same man
    lavrov = next(e for e in seed_entities if "Lavrov" in e.name)
    assert lavrov.name in {"Sergei Lavrov", "Sergey Lavrov"}
    assert {"Sergei Lavrov", "Sergey Lavrov", "Lavrov"} <= {lavrov.name, *lavrov.variants}
    assert lavrov.kind == "person"  # spaCy tags "Lavrov said" as an organisation; the surname wins
    assad = next(e for e in seed_entities if "Assad" in e.name)
    assert {"Bashar al-Assad", "Bashar Assad", "Assad"} <= {assad.name, *assad.variants}
    putin = named(seed_entities, "Vladimir Putin")
    assert "Putin" in putin.variants and len(putin.sources) == 4


def test_seeds_abbreviations_merge(seed_entities):
    us = named(seed_entities, "United States")
    assert {"U.S.", "US"} <= set(us.variants) and us.kind == "place"
    # "the Islamic State, also known as ISIS" (ABC)
    isis = named(seed_entities, "Islamic State")
    assert "ISIS" in isis.variants
    new_york = named(seed_entities, "New York")
    assert "NY" in new_york.variants  # the aggregator: "convening in NY"
    assert not any(e.name in {"U.S.", "US", "Kerry", "Lavrov", "Assad", "NY"} for e in seed_entities)


def test_seeds_most_mentioned_first_and_no_headings_or_titles(seed_entities):
    mentions = [e.mentions for e in seed_entities]
    assert mentions == sorted(mentions, reverse=True)
    assert {e.name for e in seed_entities[:6]} >= {"John Kerry", "United States", "Russia", "Syria"}
    names = {e.name for e in seed_entities} | {v for e in seed_entities for v in e.variants}
    assert not {"State", "Assad Departure", "Target Date", "Beyond Assad"} & names
    assert not any(n.endswith(("’s", "'s")) or n.startswith("the ") for n in names)


def mention(text, label="PERSON", article="a"):
    return Mention(text, label, article, 0, len(text))


def test_transliterations_merge_but_different_first_names_do_not():
    entities = merge_mentions([mention("Sergey Ivanov"), mention("Sergei Ivanov", article="b"),
                               mention("Mohammad Rahimi"), mention("Muhammad Rahimi", article="b"),
                               mention("Mark Hale"), mention("Mike Hale"), mention("Dmitry Orlov"),
                               mention("Dmitri Orlov"), mention("George H. W. Bush"), mention("George W. Bush"),
                               mention("Jeffrey B. Miller"), mention("Jeffrey Miller")])
    groups = sorted(sorted([e.name, *e.variants]) for e in entities)
    assert ["Sergei Ivanov", "Sergey Ivanov"] in groups
    assert ["Mohammad Rahimi", "Muhammad Rahimi"] in groups
    assert ["Dmitri Orlov", "Dmitry Orlov"] in groups
    assert ["Mark Hale"] in groups and ["Mike Hale"] in groups
    assert ["George H. W. Bush"] in groups and ["George W. Bush"] in groups  # father and son
    assert ["Jeffrey B. Miller", "Jeffrey Miller"] in groups
    ivanov = next(e for e in entities if "Ivanov" in e.name)
    assert sorted(ivanov.sources) == ["a", "b"] and ivanov.mentions == 2
    assert skeleton("sergey") == skeleton("sergei") and skeleton("sergey") != skeleton("sarah")


def test_a_lone_surname_joins_a_full_name_only_when_unambiguous():
    entities = merge_mentions([mention("John Kerry"), mention("Kerry"), mention("Mark Hale"),
                               mention("Mike Hale"), mention("Hale")])
    kerry = next(e for e in entities if e.name == "John Kerry")
    assert kerry.variants == ["Kerry"] and kerry.mentions == 2
    assert any(e.name == "Hale" for e in entities)  # two Hales in the story: not guessed


def test_abbreviations_and_leading_the_merge():
    entities = merge_mentions([mention("U.S.", "GPE"), mention("US", "GPE"), mention("United States", "GPE"),
                               mention("U.N.", "ORG"), mention("United Nations", "ORG"), mention("EU", "ORG"),
                               mention("European Union", "ORG")])
    groups = {e.name: set(e.variants) for e in entities}
    assert groups == {"United States": {"U.S.", "US"}, "United Nations": {"U.N."}, "European Union": {"EU"}}


def test_titles_and_honorifics_are_stripped():
    article = Article(id="t", text=(
        "Secretary of State John Kerry arrived in Moscow on Tuesday. Mr. Putin received him at the Kremlin, "
        "where Russian President Vladimir Putin praised the U.S. envoy. Kerry later met Foreign Minister "
        "Sergey Lavrov, and Sergei Lavrov said the United States and Russia would keep talking."))
    split_sentences(article)
    entities = extract_entities([article])
    kerry = named(entities, "John Kerry")
    assert kerry.variants == ["Kerry"] and kerry.mentions == 2
    putin = named(entities, "Vladimir Putin")
    assert putin.variants == ["Putin"]  # "Mr." dropped
    lavrov = next(e for e in entities if "Lavrov" in e.name)
    assert len(lavrov.variants) == 1 and lavrov.mentions == 2
    us = named(entities, "United States")
    assert us.variants == ["U.S."]


def test_unknown_backend_is_a_clear_error():
    with pytest.raises(NewsfuseError, match="unknown NER backend 'nope'"):
        get_ner("nope")
