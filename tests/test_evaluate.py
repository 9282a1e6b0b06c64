"""The evaluation harness: ROUGE-SU4 and the jackknife by hand, the official DUC 2006 and
MultiLing 2011 figures reproduced, `newsfuse evaluate` end to end, citations checked."""
import copy
import json
import sys

import pytest

from conftest import DATA
from newsfuse.evaluation import read_evaluation_clusters, read_peers
from newsfuse.evaluation.harness import citation_checks
from newsfuse.evaluation.official import jackknife_nist, read_averages, read_evals, read_multiling
from newsfuse.evaluation.rouge import Rouge, skip_bigrams

TAC = DATA / "mds" / "tac2011_guided_A.jsonl"
DUC2006 = DATA / "mds" / "duc2006.jsonl"
DUC2007 = DATA / "mds" / "duc2007_update.jsonl"
OFFICIAL = DATA / "peers" / "official"


def test_su4_counts_unigrams_and_pairs_at_most_four_words_apart():
    grams = skip_bigrams("a b c d e f g".split())
    assert ("a", "f") in grams  # four words between
    assert ("a", "g") not in grams  # five
    assert sum(grams.values()) == 7 + (5 + 5 + 4 + 3 + 2 + 1)
    rouge = Rouge(None)
    near = rouge.score("a f", ["a b c d e f g"])["rougeSU4"]  # a, f and the pair (a, f): 3 of the reference's 27
    far = rouge.score("a g", ["a b c d e f g"])["rougeSU4"]  # a, g; (a, g) is too far apart
    assert (near.recall, near.precision) == pytest.approx((3 / 27, 1.0))
    assert (far.recall, far.precision) == pytest.approx((2 / 27, 2 / 3))


def test_rouge_1_and_2_equal_google_rouge_score_with_texts_cut_to_the_budget():
    from rouge_score import rouge_scorer

    cluster = read_evaluation_clusters(str(DUC2006), query_field="none")[0]
    summary, reference = cluster.summaries[0], cluster.summaries[1]
    ours = Rouge(100).score(summary, [reference])
    cut = lambda text: " ".join(text.split()[:100])  # noqa: E731
    google = rouge_scorer.RougeScorer(["rouge1", "rouge2"], use_stemmer=True).score(cut(reference), cut(summary))
    for metric in ("rouge1", "rouge2"):
        assert ours[metric].recall == pytest.approx(google[metric].recall)
        assert ours[metric].f1 == pytest.approx(google[metric].fmeasure)


def test_jackknife_averages_pooled_scores_over_every_three_of_four_references():
    references = ["a b", "a c c c", "c d", "d e"]  # the summary matches 2/2, 1/4, 0/2, 0/2 words
    rouge = Rouge(None)
    expected = (1 / 8 + 2 / 6 + 3 / 8 + 3 / 8) / 4  # leave out each reference, pool the other three
    assert rouge.jackknife("a b", references)["rouge1"].recall == pytest.approx(expected)
    assert rouge.score("a b", references)["rouge1"].recall == pytest.approx((1 + 0.25) / 4)  # mean over references
    assert rouge.jackknife("a b", references, own=0)["rouge1"].recall == pytest.approx(1 / 8)  # a human: only without their own


def test_one_duc2006_peer_reproduces_its_official_per_topic_jackknife_lines():
    clusters = [c for c in read_evaluation_clusters(str(DUC2006), query_field="none") if c.id == "D0601A"]
    meta = {json.loads(line)["id"]: json.loads(line) for line in (DATA / "mds" / "duc2006.meta.jsonl").open()}
    peers = {system: out for system, out in read_peers(str(DATA / "peers" / "duc2006.peers.jsonl")).items() if system in ("24", "A")}
    _, ours = jackknife_nist(clusters, {"D0601A": meta["D0601A"]["summary_assessors"]}, peers, words=250)
    official = read_evals(OFFICIAL / "duc2006" / "rougejk.m.out")
    keys = [k for k in official if k[2] == "D0601" and k[0] in ("24", "A")]
    assert len(keys) == 2 * (4 + 1)  # system 24: four left-out references; human A: only its own left out
    for key in keys:
        assert ours[key].recall == pytest.approx(official[key].recall, abs=0.006), key
    assert read_averages(OFFICIAL / "duc2006" / "rouge2.jk.m.avg")["24"] == 0.09505


def test_multiling_english_averages_reproduce_the_official_csv_without_stemming():
    clusters = [c for c in read_evaluation_clusters(str(DATA / "mds" / "multiling2011.jsonl"), query_field="none") if c.id.endswith("-english")]
    outputs = read_peers(str(DATA / "peers" / "multiling2011.peers.jsonl"))["ID3"]
    rouge = Rouge(250, stemming="none")
    scores = [rouge.pooled(outputs[c.id], c.summaries)["rouge2"].recall for c in clusters]
    assert len(scores) == 10
    assert sum(scores) / len(scores) == pytest.approx(read_multiling(OFFICIAL / "multiling2011")["rouge2"]["ID3"].recall, abs=0.001)


def test_query_and_update_docsets_come_from_the_meta_file():
    duc2006 = read_evaluation_clusters(str(DUC2006))
    assert duc2006[0].query.startswith("Discuss conditions on American Indian reservations")
    assert read_evaluation_clusters(str(DUC2006), query_field="none")[0].query is None
    update = {c.id: c for c in read_evaluation_clusters(str(DUC2007))}
    a, b, c = update["D0703A-A"], update["D0703A-B"], update["D0703A-C"]
    assert a.seen == []
    assert [x.id for x in b.seen] == [x.id for x in a.articles]
    assert [x.id for x in c.seen] == [x.id for x in a.articles + b.articles]
    assert read_evaluation_clusters(str(TAC))[0].query is None  # no query field in this meta


def test_evaluate_cli_prints_all_systems_and_writes_json(cli, tmp_path):
    out = tmp_path / "eval.json"
    code, stdout, stderr = cli("evaluate", TAC, "--words", 100, "--limit", 2, "--json", out)
    assert code == 0, stderr
    rows = {line.split()[0] for line in stdout.splitlines()[3:] if line.strip()}
    assert {"newsfuse", "lead", "lexrank", "textrank", "lsa"} <= rows
    assert "2/10" in stderr or "10/10" in stderr  # progress
    result = json.loads(out.read_text(encoding="utf-8"))
    assert result["clusters"] == 2 and result["words"] == 100
    ours = result["systems"]["newsfuse"]
    assert ours["citation_validity"] == 1.0 and ours["cited_sentences"] > 0
    assert 0 < ours["rouge2"]["recall"] < 1 and ours["time_ratio_vs_lexrank"] > 0
    for text in result["summaries"]["newsfuse"].values():
        assert len(text.split()) <= 100


def test_peers_are_scored_in_the_same_table_and_humans_not_against_themselves(cli):
    code, stdout, _ = cli("evaluate", DUC2006, "--words", 250, "--limit", 1, "--systems", "lead",
                          "--peers", DATA / "peers" / "duc2006.peers.jsonl")
    assert code == 0
    rows = {line.split()[1]: line.split() for line in stdout.splitlines() if line.startswith("peer ")}
    assert {"24", "1", "A"} <= set(rows)
    assert float(rows["A"][3]) < 0.5  # human A's ROUGE-1 recall: against B, C and E, not against itself (1.0)


def test_newsfuse_citations_are_all_valid_and_a_false_one_is_caught():
    from newsfuse.pipeline import Options, summarize_clusters

    clusters = read_evaluation_clusters(str(TAC))[:3]
    stories = list(summarize_clusters(copy.deepcopy(clusters), Options.with_words(100)))
    checks = [ok for story in stories for ok in citation_checks(story, "static")]
    assert checks and all(checks)
    story = stories[0]
    stranger = stories[1].articles[0]  # another event's article, cited for this story's first sentence
    story.articles.append(stranger)
    story.summary[0].sources.append(stranger.id)
    assert citation_checks(story, "static")[0] is False


def test_same_input_gives_the_same_summary():
    from newsfuse.pipeline import Options, summarize_clusters

    cluster = read_evaluation_clusters(str(TAC))[5]
    runs = [[s.text for s in next(summarize_clusters([copy.deepcopy(cluster)], Options.with_words(100))).summary] for _ in range(2)]
    assert runs[0] and runs[0] == runs[1]


@pytest.mark.parametrize(
    "args, message",
    [
        (["missing.jsonl", "--words", "100"], "missing.jsonl"),
        ([str(TAC), "--words", "100", "--systems", "newsfuse,bogus"], "unknown system 'bogus'"),
        ([str(TAC), "--words", "100", "--query-field", "narrative"], "no meta record has the query field 'narrative'"),
        ([str(TAC), "--words", "100", "--peers", "nope.jsonl"], "nope.jsonl: no such file"),
    ],
)
def test_bad_input_is_one_line(cli, args, message):
    code, stdout, stderr = cli("evaluate", *args)
    assert code == 2 and stdout == ""
    assert stderr.count("\n") == 1 and message in stderr


def test_clusters_without_references_are_refused(cli, tmp_path):
    path = tmp_path / "plain.jsonl"
    path.write_text(json.dumps({"id": "c1", "documents": [{"id": "d1", "text": "One sentence here."}]}) + "\n")
    code, _, stderr = cli("evaluate", path, "--words", 50)
    assert code == 2 and "no reference" in stderr and stderr.count("\n") == 1


def test_missing_extras_name_what_to_install(monkeypatch, cli):
    monkeypatch.setitem(sys.modules, "rouge_score", None)
    monkeypatch.setitem(sys.modules, "rouge_score.tokenizers", None)
    code, _, stderr = cli("evaluate", TAC, "--words", 100, "--limit", 1)
    assert code == 2 and 'pip install "newsfuse[bench]"' in stderr and stderr.count("\n") == 1
