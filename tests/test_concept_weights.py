import numpy as np

from newsfuse.concept_coefficients import MODELS
from newsfuse.concept_weights import concept_features, feature_names, fit_logistic, predict
from newsfuse.model import Story
from newsfuse.summarize import Focus, SummaryOptions, _learned_weights, summarize_story
from newsfuse.terms import bigrams


def test_shipped_models_match_the_features_they_are_computed_with():
    for name, query, update in (("generic", False, False), ("query", True, False), ("update", True, True)):
        model = MODELS[name]
        assert model["features"] == list(feature_names(query, update)), f"{name}: refit with bench/fit_concept_weights.py"
        assert len(model["coef"]) == len(model["mean"]) == len(model["scale"]) == len(model["features"])
        assert model["fit_on"] and "tac" not in model["fit_on"] and "duc2003" not in model["fit_on"]  # reported sets


def test_fit_logistic_learns_which_feature_predicts_the_label():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(2000, 3))
    y = (x[:, 1] - 0.5 * x[:, 2] + 0.3 * rng.normal(size=2000) > 0).astype(float)
    model = fit_logistic(x, y, np.ones(len(y)))
    assert model["coef"][1] > 1.0 and model["coef"][2] < -0.5 and abs(model["coef"][0]) < 0.3
    p = predict(model, x)
    assert ((p > 0.5) == (y > 0.5)).mean() > 0.9


def test_features_count_articles_and_positions(seeds_report):
    story = seeds_report.stories[0]
    pairs = {id(s): bigrams(s.text) for s in story.sentences}
    keys, rows = concept_features(story, pairs)
    names = feature_names(False, False)
    assert rows.shape == (len(keys), len(names)) and keys == sorted(keys)
    column = {n: rows[:, k] for k, n in enumerate(names)}
    n = len(story.articles)
    for k, pair in enumerate(keys[:300]):
        using = [a for a in story.articles if any(pair in pairs[id(s)] for s in a.sentences)]
        assert column["share"][k] == len(using) / n
        opening = sum(pair in pairs[id(a.sentences[0])] for a in story.articles if a.sentences)
        assert column["first"][k] == opening / n
    assert (column["lead"] <= column["share"] + 1e-12).all()  # exp(-index/4) <= 1 per article using it


def test_learned_weights_favour_what_many_articles_open_with(seeds_report):
    story = seeds_report.stories[0]
    pairs = {id(s): bigrams(s.text) for s in story.sentences}
    weights = _learned_weights(story, pairs, SummaryOptions(learned_min_share=0.0), None, Focus())
    keys, rows = concept_features(story, pairs)
    share = dict(zip(keys, rows[:, 0]))
    common = [k for k in weights if share[k] >= 0.5]
    rare = [k for k in weights if share[k] == min(share.values())]
    assert common and rare
    assert np.mean([weights[k] for k in common]) > 2 * np.mean([weights[k] for k in rare])


def test_learned_summary_keeps_the_budget_cites_its_source_and_is_deterministic(seeds_report):
    story = seeds_report.stories[0]
    options = SummaryOptions(words=80, concept_model="learned")
    summary = summarize_story(story, options)
    assert summary and sum(len(s.text.split()) for s in summary) <= 80
    for sentence in summary:
        assert sentence.sentence in story.article(sentence.sources[0]).sentences
    assert [(s.text, s.sources) for s in summarize_story(story, options)] == [(s.text, s.sources) for s in summary]


def test_learned_update_summary_leaves_out_what_was_read(seeds_report):
    story = seeds_report.stories[0]
    read, fresh = story.articles[:1], story.articles[1:]
    assert SummaryOptions().update_concept_model == "learned"  # the default with read articles
    summary = summarize_story(Story(id=story.id, articles=fresh), SummaryOptions(words=80), Focus(seen=read))
    assert summary
    stated = {s.text for a in read for s in a.sentences}
    assert not any(s.text in stated for s in summary)


def test_unknown_concept_model_is_refused():
    import pytest

    with pytest.raises(ValueError, match="concept_model"):
        SummaryOptions(concept_model="learnd")
