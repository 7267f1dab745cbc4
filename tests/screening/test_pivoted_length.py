"""Engine version 7 (decisions 0054 and 0058): from 1,000 records the default SVM reads pivoted length-normalised rows."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from review.screening.features import FeatureConfig, build_features, update_features
from review.screening.models import MODEL_NAMES, SMALL_SET_RECORDS
from review.screening.ranker import LARGE_SET_PIVOT_SLOPE, feature_config_for, rank

SHORT, LONG = "beta blocker", ("beta blocker randomised trial of heart failure patients with placebo control and "
                               "mortality outcomes over twelve months of follow up in hospital clinics")


def _lengths(matrix: sp.csr_matrix) -> np.ndarray:
    return np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())


def test_short_rows_shrink_long_rows_grow_an_empty_row_stays_empty() -> None:
    texts = [SHORT, LONG, "", "heart failure trial in clinics"]
    unit = build_features([1, 2, 3, 4], texts, FeatureConfig(min_df=1))
    pivoted = build_features([1, 2, 3, 4], texts, FeatureConfig(min_df=1, pivot_slope=0.5))
    lengths = _lengths(pivoted.matrix)
    assert lengths[0] < 1.0 < lengths[1] and lengths[2] == 0.0
    assert _lengths(unit.matrix)[[0, 1, 3]] == pytest.approx(1.0)
    # the same direction as the unit rows: only each row's length changes
    for row in (0, 1, 3):
        direction = pivoted.matrix[row].toarray() / lengths[row]
        assert np.allclose(direction, unit.matrix[row].toarray())


def test_slope_one_is_the_unit_rows_bit_for_bit() -> None:
    texts = [SHORT, LONG, "heart failure trial in clinics"]
    unit = build_features([1, 2, 3], texts, FeatureConfig(min_df=1))
    one = build_features([1, 2, 3], texts, FeatureConfig(min_df=1, pivot_slope=1.0))
    assert (unit.matrix != one.matrix).nnz == 0


def test_a_record_added_later_is_scaled_with_the_frozen_pivot() -> None:
    texts = [SHORT, LONG, "heart failure trial in clinics", "placebo control in hospital"] * 3
    built = build_features(list(range(1, 13)), texts, FeatureConfig(min_df=1, pivot_slope=0.5))
    grown = update_features(built, {**dict(zip(range(1, 13), texts)), 13: LONG})
    assert grown.n_built == 12  # appended, not rebuilt
    assert np.allclose(grown.matrix[12].toarray(), built.matrix[1].toarray(), rtol=1e-12, atol=0)
    assert _lengths(grown.matrix[12])[0] > 1.0  # the build's pivot, not one of the new record alone


def test_svm_e7_pivots_from_1000_records_and_the_default_svm_never() -> None:
    # decision 0060: engine version 6 (svm, also svm-e6) is the default again, engine version 7 the model svm-e7 by name
    assert {"svm", "svm-e6", "svm-e7"} <= set(MODEL_NAMES) and LARGE_SET_PIVOT_SLOPE == 0.85
    assert feature_config_for("default", SMALL_SET_RECORDS) == feature_config_for("svm", SMALL_SET_RECORDS)
    assert feature_config_for("svm-e7", SMALL_SET_RECORDS).pivot_slope == 0.85
    assert feature_config_for("svm-e7", SMALL_SET_RECORDS - 1).pivot_slope == 1.0
    assert feature_config_for("default", SMALL_SET_RECORDS).pivot_slope == 1.0  # engine version 9: unit rows
    assert feature_config_for("svm-e6", SMALL_SET_RECORDS).pivot_slope == 1.0
    assert feature_config_for("svm-e6", SMALL_SET_RECORDS - 1) == feature_config_for("svm-e7", SMALL_SET_RECORDS - 1)


def _set(n: int) -> tuple[list[int], list[str], dict[int, int]]:
    """``n`` records: relevant ones long trial reports, irrelevant ones other reports and title-only letters."""
    rng = np.random.default_rng(5)
    filler = [f"word{i}" for i in range(300)]
    ids, texts, labels = [], [], {}
    for i in range(n):
        kind = "relevant" if i % 20 == 0 else "short" if i % 20 in (1, 2, 3) else "other"
        if kind == "relevant":
            text = "drug alpha randomised trial " + " ".join(rng.choice(filler[:100], int(rng.integers(10, 80))))
        elif kind == "short":
            text = "drug alpha letter"
        else:
            text = "cohort study " + " ".join(rng.choice(filler[100:], int(rng.integers(10, 80))))
        ids.append(i + 1)
        texts.append(text)
        labels[i + 1] = int(kind == "relevant")
    return ids, texts, labels


def test_a_short_records_score_moves_toward_the_intercept_a_long_ones_away_from_it() -> None:
    ids, texts, _ = _set(SMALL_SET_RECORDS)
    features = build_features(ids, texts, feature_config_for("svm-e7", len(ids)))
    unit = build_features(ids, texts, feature_config_for("svm-e6", len(ids)))
    labelled = {1: 1, 21: 1, 41: 1, 5: 0, 6: 0, 2: 0}
    ranking = rank(features, labelled, model="svm-e7", seed=1, probabilities=False)
    weights = ranking.solution[:-1]
    pivoted_scores = features.matrix @ weights
    unit_scores = unit.matrix @ weights
    lengths = _lengths(features.matrix)
    short = [i for i, t in enumerate(texts) if t == "drug alpha letter"]
    long = [i for i in range(len(ids)) if lengths[i] > 1.05]
    assert short and long and (lengths[short] < 1.0).all()
    # the same model: a row's distance from the intercept is its unit row's times the row's length
    assert np.abs(pivoted_scores[short]) == pytest.approx(np.abs(unit_scores[short]) * lengths[short])
    assert (np.abs(pivoted_scores[short]) < np.abs(unit_scores[short])).all()
    assert (np.abs(pivoted_scores[long]) > np.abs(unit_scores[long])).all()


def test_slope_one_ranks_as_engine_6_exactly() -> None:
    ids, texts, _ = _set(SMALL_SET_RECORDS)
    labelled = {1: 1, 21: 1, 5: 0, 6: 0}
    e6 = rank(build_features(ids, texts, feature_config_for("svm-e6", len(ids))), labelled, model="svm-e6", seed=1)
    one = rank(build_features(ids, texts, FeatureConfig(pivot_slope=1.0)), labelled, seed=1)
    e7 = rank(build_features(ids, texts, feature_config_for("svm-e7", len(ids))), labelled, model="svm-e7", seed=1)
    e8 = rank(build_features(ids, texts, feature_config_for("svm-e8", len(ids))), labelled, model="svm-e8", seed=1)
    assert one.order == e6.order == e8.order and e7.order != e6.order
    assert e7.model_info["features"]["pivot_slope"] == 0.85 and e8.model_info["engine"] == 8
    assert e6.model_info["features"]["pivot_slope"] == 1.0
