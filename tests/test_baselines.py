"""The peer summarizers measured beside newsfuse: whole sentences, within the budget, from the cluster."""
import pytest

from conftest import DATA
from newsfuse.baselines import BASELINES, SumyTokenizer
from newsfuse.evaluation import read_evaluation_clusters
from newsfuse.model import Cluster


@pytest.fixture(scope="module")
def cluster():
    first = read_evaluation_clusters(str(DATA / "mds" / "tac2011_guided_A.jsonl"))[0]
    return Cluster(id=first.id, articles=first.articles[:4])  # four articles keep sumy quick


def test_lead_takes_the_first_document_opening_sentences(cluster):
    summary = BASELINES["lead"](cluster, 100)
    first = SumyTokenizer().to_sentences(cluster.articles[0].text)
    assert summary == first[: len(summary)] and summary
    assert sum(len(s.split()) for s in summary) <= 100 < sum(len(s.split()) for s in first[: len(summary) + 1])


@pytest.mark.parametrize("name", ["lexrank", "textrank", "lsa"])
def test_sumy_baselines_pick_whole_sentences_within_the_budget(cluster, name):
    summary = BASELINES[name](cluster, 100)
    text = "\n".join(a.text for a in cluster.articles)
    assert summary and all(sentence in text for sentence in summary)
    assert sum(len(s.split()) for s in summary) <= 100
    assert BASELINES[name](cluster, 100) == summary  # deterministic
