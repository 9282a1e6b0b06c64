import datetime as dt

import pytest

from newsfuse.clean import clean_article, is_date_line
from newsfuse.ingest import read_articles
from newsfuse.model import Article

from conftest import SAMPLE, SAMPLE_EXPECTED, SEEDS, SEED_ABC, SEED_AGGREGATOR, SEED_BLOOMBERG, SEED_MOSCOW


@pytest.fixture(scope="module")
def seeds():
    return {a.id: clean_article(a) for a in read_articles([str(SEEDS)])}


def test_doubled_title_is_removed_and_recorded(seeds):
    article = seeds[SEED_MOSCOW]
    assert "SyriaKerry" not in article.text
    assert [r.kind for r in article.removed] == ["doubled_title"]
    assert article.paragraphs[0].startswith("US Secretary of State John Kerry on Tuesday")


def test_promo_line_is_removed(seeds):
    article = seeds[SEED_BLOOMBERG]
    assert "Bloomberg Terminal" not in article.text
    assert ("promo", "Before it's here, it's on the Bloomberg Terminal. LEARN MORE") in [(r.kind, r.text) for r in article.removed]


def test_photo_credit_caption_byline_and_date_line(seeds):
    article = seeds[SEED_ABC]
    assert "Getty Images" not in article.text
    assert "welcomes US Secretary of State" not in article.text  # the caption, printed twice
    assert "ByABC News" not in article.text
    assert article.source == "ABC News"
    assert article.date == dt.date(2015, 12, 15)
    assert article.paragraphs[1].startswith("Following lengthy talks")  # dateline "MOSCOW— --" stripped
    kinds = {r.kind for r in article.removed}
    assert {"photo_credit", "caption", "byline", "timestamp", "dateline"} <= kinds


def test_read_also_link_is_removed_but_article_text_stays(seeds):
    article = seeds[SEED_AGGREGATOR]
    assert "Read also" not in article.text
    assert "Kerry told reporters in the Russian capital" in article.text


@pytest.mark.parametrize("file_id", [f for f in SAMPLE_EXPECTED["files"] if not f.startswith("04")])
def test_sample_noise_is_gone_and_metadata_found(file_id):
    expected = SAMPLE_EXPECTED["files"][file_id]
    (article,) = read_articles([str(SAMPLE / f"{file_id}.txt")])
    clean_article(article)
    for noise in expected["noise"]:
        assert noise not in article.text, noise
    assert article.source == expected["outlet"]
    assert article.date == dt.date.fromisoformat(expected["date"])


@pytest.mark.parametrize(
    "line, is_date",
    [
        ("December 15, 2015, 6:31 PM", True),
        ("Updated 11 March 2026 08:12 | NewsDrift", True),
        ("Published: 10 March 2026, 20:47", True),
        ("The meeting on Dec. 18, 2015 in New York was postponed.", False),
    ],
)
def test_date_lines(line, is_date):
    assert is_date_line(line) is is_date


def test_wire_datelines_with_an_underscore_are_removed():
    # DUC/TAC wire copy opens "CITY, Country (AP) _ ": left in, it makes unrelated first sentences look alike
    article = Article(id="wire", text="RIO DE JANEIRO, Brazil (AP) _ Brazilian stocks dropped sharply Monday in the lowest trading volume of the year.")
    clean_article(article)
    assert article.text.startswith("Brazilian stocks dropped")
    assert [(r.kind, r.text) for r in article.removed] == [("dateline", "RIO DE JANEIRO, Brazil (AP) _")]
