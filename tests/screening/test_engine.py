"""Features, models, query strategies, ranking and simulation on a small real subset."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest

from review.errors import ImportFormatError
from review.screening.features import FeatureConfig, build_features, record_text, update_features
from review.screening.models import MODEL_NAMES, SVM_C, SvmModel, _balanced_weights, make_model, small_set_loop
from review.screening.query import order_candidates
from review.screening.ranker import (
    ENGINE_VERSION,
    PRESUMED_IRRELEVANT,
    PRESUMED_IRRELEVANT_UNTIL,
    fallback_ranking,
    feature_config_for,
    rank,
)
from review.screening.simulate import choose_priors, load_labelled_csv, simulate


@pytest.fixture
def data(small_csv: Path):
    return load_labelled_csv(small_csv)


@pytest.fixture
def features(data):
    return build_features(data.ids, data.texts)


def test_record_text_weights_title_and_keeps_terms() -> None:
    text = record_text({"title": "Nudge", "abstract": "An  abstract", "mesh": ["Humans"]})
    assert text == "Nudge Nudge An abstract Humans"


def test_features_incremental_update_keeps_vocabulary(data) -> None:
    base = build_features(data.ids[:160], data.texts[:160])
    texts = dict(zip(data.ids, data.texts))
    grown = update_features(base, {r: texts[r] for r in data.ids[:190]})
    assert len(grown) == 190 and grown.matrix.shape[1] == base.matrix.shape[1]
    assert grown.n_built == 160 and grown.rows([data.ids[189]]).tolist() == [189]
    rebuilt = update_features(base, texts)  # 200 > 160·1.2: vocabulary rebuilt
    assert len(rebuilt) == 200 and rebuilt.n_built == 200
    assert update_features(rebuilt, texts) is rebuilt


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_every_model_ranks_relevant_records_above_chance(name: str, data, features) -> None:
    relevant = [r for r in data.ids if data.labels[r]]
    irrelevant = [r for r in data.ids if not data.labels[r]]
    labels = {r: 1 for r in relevant[:4]} | {r: 0 for r in irrelevant[:50]}
    ranking = rank(features, labels, model=name, seed=1)
    assert set(ranking.order).isdisjoint(labels) and len(ranking.order) == len(data) - len(labels)
    positions = [ranking.rank_of(r) for r in relevant[4:]]
    # Unlabelled relevant records sit in the top half on average (chance would be ~50 %).
    assert np.mean(positions) / len(ranking.order) < 0.4
    assert ranking.model_info["model"] == name and ranking.trained
    probs = np.array(ranking.probabilities)
    assert ((probs >= 0) & (probs <= 1)).all()


def test_same_seed_same_order_and_seed_is_recorded(data, features) -> None:
    labels = {data.ids[0]: data.labels[data.ids[0]]}
    labels |= {r: data.labels[r] for r in data.ids[1:40]}
    labels[next(r for r in data.ids if data.labels[r])] = 1
    for query in ("max", "mixed", "random", "uncertainty"):
        first = rank(features, labels, query=query, seed=5)
        again = rank(features, labels, query=query, seed=5)
        assert first.order == again.order
        assert first.model_info["seed"] == 5 and first.model_info["query"] == query
    assert rank(features, labels, query="random", seed=5).order != rank(features, labels, query="random", seed=6).order


def test_presumed_irrelevant_sample_stops_once_five_percent_of_the_set_is_known_relevant(data, features) -> None:
    """The set has 200 records, 10 relevant: 9 labelled relevant are 4.5 % of it (sample kept),
    all 10 are 5 % (BMI's "random records are irrelevant" no longer safe: sample dropped). The rule of
    the default from 1,000 records and of svm-e5 at every size (the default below 1,000 has no sample)."""
    relevant = [r for r in data.ids if data.labels[r]]
    irrelevant = [r for r in data.ids if not data.labels[r]]
    assert len(data) == 200 and len(relevant) == 10 and PRESUMED_IRRELEVANT_UNTIL == 0.05
    below = rank(features, {r: 1 for r in relevant[:9]} | {r: 0 for r in irrelevant[:20]}, seed=3, model="svm-e5")
    at = rank(features, {r: 1 for r in relevant} | {r: 0 for r in irrelevant[:20]}, seed=3, model="svm-e5")
    # (at most half of the unlabelled records: 171 // 2)
    assert below.model_info["presumed_irrelevant"] == min(PRESUMED_IRRELEVANT, 171 // 2)
    assert below.model_info["known_prevalence"] == 0.045
    assert "presumed_irrelevant" not in at.model_info and at.model_info["known_prevalence"] == 0.05
    assert at.model_info["engine"] == 5 and ENGINE_VERSION == 9  # svm-e5 records its engine version
    # An explicit sample size (simulations, the dev harness) is used as given.
    forced = rank(features, {r: 1 for r in relevant} | {r: 0 for r in irrelevant[:20]}, seed=3,
                  presumed_irrelevant=30, model="svm-e5")
    assert forced.model_info["presumed_irrelevant"] == 30
    assert rank(features, {r: 1 for r in relevant} | {r: 0 for r in irrelevant[:20]}, seed=3,
                model="svm-e5").order == at.order


def test_records_without_text_are_zero_rows_that_one_irrelevant_label_does_not_sink(data) -> None:
    """A record with neither title nor abstract carries no evidence: it gets an all-zero row
    (scored by the intercept alone), so labelling one of them irrelevant cannot push the
    others to the end of the queue, as engine version 2's shared "(empty)" term did."""
    ids, texts = [*data.ids, 9001, 9002, 9003], [*data.texts, "", "", ""]
    features = build_features(ids, texts)
    assert features.matrix[features.rows([9001, 9002, 9003])].nnz == 0
    relevant = [r for r in data.ids if data.labels[r]]
    irrelevant = [r for r in data.ids if not data.labels[r]]
    labels = {r: 1 for r in relevant[:3]} | {r: 0 for r in irrelevant[:40]} | {9001: 0}
    ranking = rank(features, labels, seed=1, presumed_irrelevant=0)
    first, second = sorted((ranking.rank_of(9002) or 0, ranking.rank_of(9003) or 0))
    assert first > 0 and second == first + 1  # the same score: side by side
    assert second < 0.9 * len(ranking.order)


def test_query_strategies() -> None:
    scores = np.array([0.1, 0.9, 0.5, 0.7, 0.2])
    probs = np.array([0.1, 0.9, 0.52, 0.7, 0.45])
    candidates = np.array([0, 2, 3, 4])
    rng = np.random.default_rng(0)
    assert order_candidates(scores, probs, candidates, "max", rng).tolist() == [3, 2, 4, 0]
    assert order_candidates(scores, probs, candidates, "uncertainty", rng).tolist()[:2] == [2, 4]
    assert sorted(order_candidates(scores, probs, candidates, "random", rng).tolist()) == [0, 2, 3, 4]
    mixed = order_candidates(scores, probs, candidates, "mixed", rng, exploration=1.0)
    assert sorted(mixed.tolist()) == [0, 2, 3, 4]
    with pytest.raises(ValueError):
        order_candidates(scores, probs, candidates, "best", rng)
    with pytest.raises(ValueError):
        make_model("forest", 0, 10)


def test_fallback_is_keyword_prior_or_seeded_random() -> None:
    texts = {1: "sick leave in nurses", 2: "mice study", 3: "recurrent sick leave and depression"}
    prior = fallback_ranking([1, 2, 3], {}, texts=texts, include_terms=("sick leave", "depress*"),
                             exclude_terms=("mice",))
    assert prior.order == (3, 1, 2) and prior.model_info["fallback"] == "keyword_prior"
    assert prior.model_info["terms"] == {"include": ["sick leave", "depress*"], "exclude": ["mice"]}
    random_a = fallback_ranking(list(range(1, 51)), {}, seed=3)
    assert random_a.order == fallback_ranking(list(range(1, 51)), {}, seed=3).order
    assert random_a.model_info["fallback"] == "seeded_random" and not random_a.trained


def test_rank_is_thread_safe_on_shared_features(data, features) -> None:
    labels = {r: data.labels[r] for r in data.ids[:60]}
    labels[next(r for r in data.ids if data.labels[r])] = 1
    expected = rank(features, labels, seed=2).order
    results: list[tuple[int, ...]] = []
    threads = [threading.Thread(target=lambda: results.append(rank(features, labels, seed=2).order))
               for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [expected] * 3


def test_class_weights_balance_and_scale() -> None:
    y = np.array([1, 1, 0, 0, 0, 0, 0, 0, 0, 0])
    mean_scaled = _balanced_weights(y, ratio=3.0)
    assert mean_scaled.mean() == pytest.approx(1.0)
    assert mean_scaled[y == 1].sum() == pytest.approx(3 * mean_scaled[y == 0].sum())
    # ASReview's scale: every relevant record weighs 1, the classes keep the same ratio.
    positive_scaled = _balanced_weights(y, ratio=3.0, scale="positive")
    assert positive_scaled[y == 1].tolist() == pytest.approx([1.0, 1.0])
    assert positive_scaled[y == 1].sum() == pytest.approx(3 * positive_scaled[y == 0].sum())


def test_default_model_is_the_svm_with_the_chosen_c() -> None:
    info = make_model("default", 0, 1000).info()
    assert info["name"] == "svm" and info["C"] == SVM_C and info["solver"] == "newton"


def test_engine_9_settings_depend_on_the_set_size_and_the_named_models_keep_the_earlier_engines() -> None:
    """Decisions 0019, 0024 and 0058 (engine version 7, svm-e7: pivoted rows from 1,000 records; 0060: svm-e6 is version
    6; 0073: svm-e8 is version 8, version 6 with the title's repeat apart at every size; 0074: svm, also svm-e9, is
    version 9, version 8 with the wordhy tokens from 1,000 records): below 1,000 records
    the default SVM takes ASReview's u4 settings, its
    text features with the title twice and its loop; from 1,000 on engine version 4's with the
    relevant-weight floor; svm-e5 keeps engine version 5 (title once, our loop); svm-newton and every
    other model keep engine version 4's at every size."""
    small, large = make_model("default", 0, 999).info(), make_model("default", 0, 1000).info()
    assert (small["C"], small["positive_ratio"], "relevant_weight_floor" in small) == (0.11, 9.8, False)
    assert (large["C"], large["positive_ratio"], large["relevant_weight_floor"]) == (SVM_C, 1.0, 9.8)
    assert feature_config_for("default", 999) == FeatureConfig(min_df=1, tokens="words2", title_repeats=2,
                                                               title_apart=True)
    assert feature_config_for("svm-e7", 1000) == FeatureConfig(pivot_slope=0.85)  # engine version 7 (decision 0058)
    assert feature_config_for("svm", 1000) == feature_config_for("default", 1000) == FeatureConfig(
        tokens="wordhy", title_apart=True)
    assert feature_config_for("svm-e9", 1000) == feature_config_for("default", 1000)  # 0074
    assert feature_config_for("svm-e9", 999) == feature_config_for("svm-e8", 999) == feature_config_for("default", 999)
    assert feature_config_for("svm-e8", 1000) == FeatureConfig(title_apart=True)  # engine version 8 (0073)
    assert feature_config_for("svm-e6", 1000) == FeatureConfig()
    assert small_set_loop("default", 999) and not small_set_loop("default", 1000)
    six = make_model("svm-e6", 0, 999).info()
    assert (six["name"], six["C"], six["positive_ratio"]) == ("svm-e6", 0.11, 9.8) and small_set_loop("svm-e6", 999)
    assert feature_config_for("svm-e6", 999) == FeatureConfig(min_df=1, tokens="words2", title_repeats=2)
    five = make_model("svm-e5", 0, 999).info()
    assert (five["name"], five["C"], five["positive_ratio"]) == ("svm-e5", 0.11, 9.8)
    assert feature_config_for("svm-e5", 999) == FeatureConfig(min_df=1, tokens="words2", title_repeats=1)
    assert not small_set_loop("svm-e5", 999) and make_model("svm-e5", 0, 1000).info()["relevant_weight_floor"] == 9.8
    for name in ("svm-newton", "svm-liblinear"):
        info = make_model(name, 0, 10).info()
        assert (info["C"], info["positive_ratio"], "relevant_weight_floor" in info) == (SVM_C, 1.0, False)
        assert not small_set_loop(name, 10)
    assert all(feature_config_for(name, 10) == FeatureConfig() for name in ("svm-newton", "svm-liblinear", "logistic"))


def test_the_default_on_a_small_set_fits_the_labelled_records_only(data, features) -> None:
    """Engine version 6 on a set below 1,000 records (ASReview's loop): no presumed-irrelevant records
    in a fit, so the ranking is the one an explicit empty sample gives; svm-e5 (engine version 5) and
    the default on a large set keep the sample."""
    relevant = [r for r in data.ids if data.labels[r]]
    irrelevant = [r for r in data.ids if not data.labels[r]]
    labels = {relevant[0]: 1} | {r: 0 for r in irrelevant[:3]}
    default = rank(features, labels, seed=3)
    assert "presumed_irrelevant" not in default.model_info
    assert default.order == rank(features, labels, seed=3, presumed_irrelevant=0).order
    assert default.order != rank(features, labels, seed=3, presumed_irrelevant=PRESUMED_IRRELEVANT).order
    assert rank(features, labels, seed=3, model="svm-e5").model_info["presumed_irrelevant"] == 98
    assert rank(features, labels, seed=3, n_records=1000).model_info["presumed_irrelevant"] == 98


def test_a_default_simulation_retrains_after_every_label_on_a_small_set_only(data, features, monkeypatch) -> None:
    """simulate's "engine" schedule: every label below 1,000 records (engine version 6: a retrain
    before each label after the priors, and the final ranking); svm-e5, and the default on a large
    set, keep the adaptive schedule."""
    from review.screening import models

    every = simulate(data, seed=1, features=features)
    last_relevant = max(i for i, r in enumerate(every.order) if data.labels[r])
    assert every.timings["n_retrains"] == last_relevant + 1 - len(every.priors) + 1
    assert every.order == simulate(data, seed=1, features=features, retrain=1).order
    five = simulate(data, seed=1, features=features, model="svm-e5")
    assert five.order == simulate(data, seed=1, features=features, model="svm-e5", retrain="adaptive").order
    monkeypatch.setattr(models, "SMALL_SET_RECORDS", 150)  # these 200 records are a large set now
    large = simulate(data, seed=1, features=features)
    assert large.order == simulate(data, seed=1, features=features, retrain="adaptive").order
    assert "known_prevalence" in large.model_info and "known_prevalence" not in every.model_info


def test_the_floor_raises_the_relevant_weight_only_where_balanced_weighting_falls_below_it(features, data) -> None:
    """Each relevant record weighs at least 9.8 irrelevant ones: with 4 relevant of 12 rows balanced
    weighting gives 2, so the fit equals one with class ratio 9.8 * 4 / 8; with 2 of 40 (19 each) the
    floor changes nothing."""
    relevant = [i for i, r in enumerate(data.ids) if data.labels[r]]
    irrelevant = [i for i, r in enumerate(data.ids) if not data.labels[r]]
    for n_relevant, n_irrelevant, ratio in ((4, 8, 9.8 * 4 / 8), (2, 38, 1.0)):
        rows = np.array(relevant[:n_relevant] + irrelevant[:n_irrelevant])
        X, y = features.matrix[rows], np.array([1] * n_relevant + [0] * n_irrelevant)
        floored = SvmModel(0, relevant_floor=9.8).fit(X, y)
        assert np.array_equal(floored.solution, SvmModel(0, ratio=ratio).fit(X, y).solution)
    assert not np.array_equal(floored.solution, SvmModel(0, ratio=9.8).fit(X, y).solution)


def test_small_set_features_read_the_title_once_with_sklearns_default_tokens() -> None:
    title, abstract = "Return-to-work: a B-cell study", "Sick leave"
    assert record_text({"title": title, "abstract": abstract}, title_repeats=1) == f"{title} {abstract}"
    texts = [record_text({"title": title, "abstract": abstract}, 1), "a return to work cohort", "b-cell"]
    words = build_features([1, 2, 3], texts, FeatureConfig(min_df=1, tokens="words2"))
    engine = build_features([1, 2, 3], texts, FeatureConfig(min_df=1))
    terms = {term for v in words._vectorizers for term in v.vocabulary}  # type: ignore[attr-defined]
    assert "return-to-work" not in terms and {"return", "cell", "return to"} <= terms and "a" not in terms
    assert "return-to-work" in {term for v in engine._vectorizers for term in v.vocabulary}  # type: ignore[attr-defined]


@pytest.mark.parametrize("model", ["logistic", "default"])
def test_simulation_is_deterministic_and_beats_random(model: str, data, features) -> None:
    first = simulate(data, seed=3, features=features, model=model)
    again = simulate(data, seed=3, features=features, model=model)
    assert first.order == again.order
    assert first.priors == choose_priors(data, 3)
    assert first.order[:2] == first.priors and data.labels[first.priors[0]] == 1
    assert sorted(first.order) == sorted(data.ids)
    assert first.metrics["wss@95"] > 0.2 and first.metrics["recall@10%"] > 0.3
    assert choose_priors(data, 4) != first.priors


def test_load_labelled_csv_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("record_id,title,label_included\n1,a,1\n2,b,yes\n", encoding="utf-8")
    with pytest.raises(ImportFormatError, match="line 3.*label_included"):
        load_labelled_csv(bad)
    missing = tmp_path / "missing.csv"
    missing.write_text("id,title,label_included\n1,a,1\n", encoding="utf-8")
    with pytest.raises(ImportFormatError, match="record_id"):
        load_labelled_csv(missing)


def test_a_handful_of_records_still_gets_features() -> None:
    # min_df 2 cannot hold below max_df's share of two records; every term then counts.
    features = build_features([1, 2], ["sick leave recurrence", "return to work"])
    assert features.matrix.shape[0] == 2 and features.matrix.shape[1] > 0


def test_records_without_any_words_keep_a_seeded_random_queue() -> None:
    ids = list(range(1, 21))
    features = build_features(ids, [""] * 20)
    assert features.matrix.shape == (20, 0)
    ranking = rank(features, {1: 1, 2: 0}, seed=3)
    assert ranking.model_info["fallback"] == "seeded_random"
    assert sorted(ranking.order) == ids[2:]
    # New records arriving later rebuild the vocabulary once they bring words.
    grown = update_features(features, {**{r: "" for r in ids}, **{r: f"word{r} common" for r in range(21, 31)}})
    assert grown.matrix.shape == (30, grown.matrix.shape[1]) and grown.matrix.shape[1] > 0


def test_a_simulation_without_the_classifier_stop_is_the_same_run_without_its_fits(data, features,
                                                                                  monkeypatch) -> None:
    """``classifier_stop=False`` (screening_dev's runs): the same order, metrics and other stops, no
    ``relevance_rate_classifier`` and none of its fits; the default (``review simulate``) keeps it."""
    from review.screening import stopping_classifier

    finds = []
    stop_finder = stopping_classifier.stop_finder
    monkeypatch.setattr("review.screening.simulate.stop_finder",
                        lambda *a, **k: finds.append(1) or stop_finder(*a, **k))
    full = simulate(data, seed=2, features=features)
    lean = simulate(data, seed=2, features=features, classifier_stop=False)
    assert finds == [1]  # (the default's)
    assert "relevance_rate_classifier" in full.stopping and "relevance_rate_classifier" not in lean.stopping
    assert (lean.order, lean.metrics) == (full.order, full.metrics)
    assert lean.stopping == {k: v for k, v in full.stopping.items() if k != "relevance_rate_classifier"}


def test_every_model_named_for_an_engine_version_records_that_version() -> None:
    # audit28: `svm-e9` names the default's engine today only because ENGINE_VERSION is 9; raising ENGINE_VERSION
    # without adding `svm-e9` to NAMED_ENGINES would move it, and every ranking recorded under that name, silently.
    import re

    from review.screening.engines import ENGINE_VERSION, engine_version
    from review.screening.models import MODEL_NAMES

    named = {name: int(match.group(1)) for name in MODEL_NAMES if (match := re.fullmatch(r"svm-e(\d+)", name))}
    assert ENGINE_VERSION in named.values()
    assert {name: engine_version(name) for name in named} == named


def test_names_of_one_fit_fit_alike_and_names_of_two_fits_do_not_share_a_fit_name() -> None:
    # models.fit_name merges spellings only where the fit is the same: the model make_model builds (its name aside)
    # and the features feature_config_for gives, on a small set and a large one. A stored stopping check is compared
    # by it (ScreeningSession._made_here): a merge of two different fits would reuse a check the other fit never made.
    from dataclasses import asdict, fields

    from review.screening.engines import engine_version
    from review.screening.models import MODEL_NAMES, SMALL_SET_RECORDS, fit_name, make_model
    from review.screening.ranker import feature_config_for

    def fit(name: str) -> tuple[object, ...]:
        made = []
        for size in (SMALL_SET_RECORDS - 1, SMALL_SET_RECORDS * 3):
            model = make_model(name, 7, size)
            settings = {f.name: repr(getattr(model, f.name)) for f in fields(model) if f.name != "name"}  # type: ignore[arg-type]
            made.append((type(model).__name__, settings, asdict(feature_config_for(name, size))))
        return (engine_version(name), *made)

    names = ("default", *MODEL_NAMES)
    by_fit: dict[str, set[str]] = {}
    for name in names:
        by_fit.setdefault(fit_name(name), set()).add(repr(fit(name)))
    assert all(len(fits) == 1 for fits in by_fit.values()), by_fit
    assert len({next(iter(fits)) for fits in by_fit.values()}) == len(by_fit)  # two names apart: two fits apart
    assert fit_name("default") == fit_name("svm") == fit_name("svm-e9") != fit_name("svm-e8")
