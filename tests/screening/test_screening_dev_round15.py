"""benchmarks/screening_dev.py for decision 0062: engine version 6's large-set features pruned (min_df, unigrams)."""

from __future__ import annotations

import pytest

from screening_dev_sets import made_up_set
from script_module import load_script


@pytest.fixture(scope="module")
def dev():  # noqa: ANN201
    return load_script("benchmarks/screening_dev.py", "screening_dev_round15")


def test_round_15s_candidates_are_engine_6_below_1000_and_pruned_features_from_1000(dev) -> None:  # noqa: ANN001
    expected = {"df3": {"min_df": 3}, "df5": {"min_df": 5}, "uni": {"ngram_max": 1}}
    for name, overrides in expected.items():
        every = dev.CANDIDATES[f"{name}-all"]
        assert every.engine_model == "svm-e6" and every.engine_overrides() == overrides
        large = dev.CANDIDATES[name]
        assert (large.small, large.large) == ("default", f"{name}-all")
    # the setting is part of a run's cache key: no two variants (nor engine 6) share runs
    keys = {dev.CANDIDATES[f"{name}-all"].key() for name in expected} | {dev.CANDIDATES["pl-s0.85-all"].key()}
    assert len(keys) == 4
    assert dev.CANDIDATES["pl-s0.85-all"].engine_overrides() == {}


def test_the_overrides_reach_the_engines_features(dev, monkeypatch) -> None:  # noqa: ANN001
    texts = ["alpha beta gamma", "alpha beta delta", "alpha gamma delta", "alpha beta epsilon"]
    made_up_set(dev, monkeypatch, texts)

    def terms(overrides):  # noqa: ANN001, ANN202
        _, features = dev.candidate_features(None, "made-up", "label_included", "svm-e6", overrides)
        return features.matrix.shape[1], features.config.min_df, features.config.ngram_max

    # engine 6 from 1,000 records: uni- and bigrams in >= 2 records and not in every one (max_df 0.95 drops alpha):
    # beta, gamma, delta, 'alpha beta'
    assert terms(None) == (4, 2, 2)
    assert terms({"min_df": 3}) == (2, 3, 2)  # beta and 'alpha beta' (3 records each)
    assert terms({"ngram_max": 1}) == (3, 2, 1)  # no 'alpha beta'
