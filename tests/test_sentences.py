from newsfuse.model import Article
from newsfuse.sentences import split_sentences


def test_spans_point_into_the_text_and_lines_split_first():
    text = "Photo: Reuters/Jane Roe\n\nMr. Smith met U.S. officials on Tuesday. They agreed.\nRead more: elsewhere"
    article = split_sentences(Article(id="a", text=text))
    assert [s.text for s in article.sentences] == [
        "Photo: Reuters/Jane Roe",
        "Mr. Smith met U.S. officials on Tuesday.",
        "They agreed.",
        "Read more: elsewhere",
    ]
    for sentence in article.sentences:
        assert text[sentence.start:sentence.end] == sentence.text
    assert [s.index for s in article.sentences] == [0, 1, 2, 3]


def test_quote_with_attribution_stays_one_sentence():
    text = "“We will rebuild,” the mayor said, “and faster than before.” Work starts Monday."
    article = split_sentences(Article(id="a", text=text))
    assert article.sentences[0].text == "“We will rebuild,” the mayor said, “and faster than before.”"
    assert article.sentences[1].text == "Work starts Monday."
