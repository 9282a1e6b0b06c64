import pytest
from conftest import SEED_ABC, SEED_AGGREGATOR, SEED_BLOOMBERG, SEED_MOSCOW

from newsfuse.analysis.entities import extract_entities
from newsfuse.analysis.quotes import extract_quotes
from newsfuse.model import Article, Entity
from newsfuse.sentences import split_sentences


@pytest.fixture(scope="module")
def seed_quotes(seeds_report):
    story = next(s for s in seeds_report.stories if any(a.id == SEED_MOSCOW for a in s.articles))
    articles = [a for a in story.articles if a.role != "off_event"]
    return extract_quotes(articles, extract_entities(articles))


def quote_with(quotes, words):
    found = [q for q in quotes if words in q.text or any(words in v for v in q.variants)]
    assert len(found) == 1, f"{words!r}: {len(found)} quotes"
    return found[0]


def test_seeds_regime_change_is_one_quote_in_three_outlets(seed_quotes):
    quote = quote_with(seed_quotes, "not seeking so-called regime change")
    assert quote.speaker == "John Kerry" and quote.speaker_title == "Secretary of State"
    assert set(quote.sources) == {SEED_MOSCOW, SEED_AGGREGATOR, SEED_ABC}
    assert quote.text == "The United States and our partners are not seeking so-called regime change"
    assert quote.variants == ["The United States and its partners are not seeking so-called regime change as it is known in Syria"]


def test_seeds_shared_quotes_in_other_wordings(seed_quotes):
    focus = quote_with(seed_quotes, "done immediately about Assad")  # ABC: "can't", the others: "cannot"
    assert focus.speaker == "John Kerry" and set(focus.sources) == {SEED_MOSCOW, SEED_AGGREGATOR, SEED_ABC}
    isolate = quote_with(seed_quotes, "as a matter of policy, no")  # "Russia" / "Russian Federation"
    assert isolate.speaker == "John Kerry" and set(isolate.sources) == {SEED_MOSCOW, SEED_AGGREGATOR}
    assert len(isolate.variants) == 1


def test_seeds_putin_and_lavrov(seed_quotes):
    assert quote_with(seed_quotes, "outstanding issues").speaker == "Vladimir Putin"
    for words in ("big negotiating day", "We support the idea of convening in NY", "substantive"):
        quote = quote_with(seed_quotes, words)
        assert quote.speaker in {"Sergei Lavrov", "Sergey Lavrov"}, words
        assert quote.speaker_title == "Foreign Minister"


def test_seeds_pronouns_and_continuations_resolve(seed_quotes):
    # "..., he said, the sooner “sanctions can be rolled back.”" after a Kerry quote
    assert quote_with(seed_quotes, "sanctions can be rolled back").speaker == "John Kerry"
    # "he added, calling Obama and Putin’s current cooperation a “sign of maturity”": not Obama
    assert quote_with(seed_quotes, "sign of maturity").speaker == "John Kerry"
    # a quoted sentence with no verb of its own continues the speaker before it
    second = quote_with(seed_quotes, "Getting the Americans to agree to a transition deal")
    assert second.speaker == "Christopher Phillips"
    # "“...” he said" after "White House press secretary Josh Earnest told reporters ... “the first item on Secretary Kerry’s agenda”"
    isolated = quote_with(seed_quotes, "that has isolated Russia from the rest")
    assert isolated.speaker == "Josh Earnest" and isolated.speaker_title == "White House press secretary"


def test_seeds_bloomberg_speakers_and_titles(seed_quotes):
    peskov = quote_with(seed_quotes, "positions are converging")  # Putin’s spokesman, Dmitry Peskov, told reporters
    assert peskov.speaker == "Dmitry Peskov" and "spokesman" in peskov.speaker_title
    assert quote_with(seed_quotes, "doomed to failure").speaker == "Irina Zvyagelskaya"  # "..., said Irina Zvyagelskaya"
    assert quote_with(seed_quotes, "close to terrorist").speaker == "Vitaly Churkin"
    assert quote_with(seed_quotes, "We’ve been seeing that some countries").speaker == "Bashar al-Assad"
    assert all(SEED_BLOOMBERG in q.sources for q in (peskov,))


def test_seeds_scare_quotes_are_not_quotes(seed_quotes):
    # "he wouldn’t have to resign on “Day One” of a transition": nobody is quoted
    assert not any("Day One" in q.text for q in seed_quotes)
    assert all(q.speaker for q in seed_quotes if len(q.text.split()) < 4)


# ---------------------------------------------------------------- project-written sentences

PEOPLE = [
    Entity("Anna Berg", "person", ["Berg"]), Entity("Tom Hale", "person", ["Hale"]),
    Entity("Ilona Varga", "person", ["Varga"]), Entity("Harbour Authority", "organization"),
]


def quotes_of(*texts, entities=PEOPLE):
    articles = []
    for number, text in enumerate(texts):
        article = Article(id=f"a{number}", text=text)
        split_sentences(article)
        articles.append(article)
    return extract_quotes(articles, entities)


def test_a_quote_broken_by_its_attribution_is_one_quote():
    [quote] = quotes_of('Foreign Minister Anna Berg met her counterpart on Monday. '
                        '"We are not seeking," she said, "regime change."')
    assert quote.text == "We are not seeking regime change."
    assert quote.speaker == "Anna Berg" and quote.speaker_title == "Foreign Minister"


def test_a_quote_spanning_sentences_is_one_quote():
    [quote] = quotes_of("Mayor Ilona Varga visited the shelter. “We will rebuild. Nobody will be left behind. "
                        "Not one family,” Varga said.")
    assert quote.text == "We will rebuild. Nobody will be left behind. Not one family"
    assert quote.speaker == "Ilona Varga" and quote.speaker_title == "Mayor"


def test_he_said_and_the_minister_said_resolve_to_the_named_person():
    quotes = quotes_of("Finance Minister Tom Hale met union leaders on Monday. The talks lasted six hours. "
                       "“Nothing is agreed until everything is agreed,” the minister said.\n\n"
                       "Hale left without taking questions. “We will be back tomorrow,” he said.")
    assert [(q.speaker, q.speaker_title) for q in quotes] == [("Tom Hale", "Finance Minister")] * 2


def test_inverted_order_and_according_to():
    quotes = quotes_of('"The gate never moved," said Anna Berg, chief engineer of the Harbour Authority.',
                       'The barrier was "fully tested in September," according to the Harbour Authority.')
    by_text = {q.text: q for q in quotes}
    assert by_text["The gate never moved"].speaker == "Anna Berg"
    assert by_text["The gate never moved"].speaker_title == "chief engineer of the Harbour Authority"
    assert by_text["fully tested in September"].speaker == "Harbour Authority"


def test_the_same_quote_in_two_outlets_with_other_wording_is_merged():
    quotes = quotes_of("“We don’t seek to isolate Russia as a matter of policy,” Berg said.",
                       '"We do not seek to isolate the Russian Federation as a matter of policy," said Anna Berg.',
                       "“We will isolate nobody,” Hale said.")
    merged = [q for q in quotes if q.speaker == "Anna Berg"]
    assert len(merged) == 1 and merged[0].sources == ["a0", "a1"] and len(merged[0].variants) == 1
    assert [q.sources for q in quotes if q.speaker == "Tom Hale"] == [["a2"]]


def test_same_words_from_different_speakers_stay_apart():
    quotes = quotes_of("“We will not give up on this town,” Berg said.", "“We will not give up on this town,” Hale said.")
    assert sorted(q.speaker for q in quotes) == ["Anna Berg", "Tom Hale"]


def test_wire_style_marks_are_quote_marks():
    [quote] = quotes_of("``Nobody was hurt,'' said Anna Berg. The road reopened at noon.")
    assert quote.text == "Nobody was hurt" and quote.speaker == "Anna Berg"


def test_british_single_quotes_with_apostrophes_inside():
    [quote] = quotes_of("‘We’re not going anywhere,’ Mayor Ilona Varga told the council’s meeting.")
    assert quote.text == "We’re not going anywhere" and quote.speaker == "Ilona Varga"
