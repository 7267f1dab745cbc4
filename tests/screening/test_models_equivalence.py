"""The SVM fit without LinearSVC's per-call wrapper (model svm-liblinear) gives LinearSVC's coefficients exactly."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sklearn.svm import LinearSVC

from review.screening.features import build_features
from review.screening.models import SVM_C, SvmModel, _balanced_weights, _linear_svc
from review.screening.simulate import load_labelled_csv


@pytest.mark.parametrize(("n_labelled", "seed"), [(2, 1), (30, 2), (150, 3)])
def test_the_direct_fit_equals_linear_svc(small_csv: Path, n_labelled: int, seed: int) -> None:
    data = load_labelled_csv(small_csv)
    features = build_features(data.ids, data.texts)
    rng = np.random.default_rng(seed)
    relevant = [i for i, r in enumerate(data.ids) if data.labels[r]]
    rows = np.concatenate([relevant[:3], rng.choice(len(data), size=n_labelled, replace=False)])
    X = features.matrix[rows]
    y = np.array([data.labels[data.ids[i]] for i in rows], dtype=np.int64)
    weights = _balanced_weights(y)
    expected = LinearSVC(C=SVM_C, random_state=seed, dual=True, max_iter=2000).fit(X, y, sample_weight=weights)
    coef, intercept = _linear_svc(X, y, SVM_C, seed, weights)
    assert np.array_equal(coef, expected.coef_) and np.array_equal(intercept, expected.intercept_)
    model = SvmModel(seed, solver="liblinear").fit(X, y)
    assert np.array_equal(model.coef, expected.coef_.ravel()) and model.intercept == expected.intercept_[0]
