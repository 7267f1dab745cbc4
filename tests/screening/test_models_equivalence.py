"""The SVM fit without LinearSVC's per-call wrapper (model svm-liblinear) gives LinearSVC's coefficients exactly."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sklearn.svm import LinearSVC

from review.screening.models import SVM_C, SvmModel, _linear_svc

from .conftest import fit_problem


@pytest.mark.parametrize(("n_labelled", "seed"), [(2, 1), (30, 2), (150, 3)])
def test_the_direct_fit_equals_linear_svc(small_csv: Path, n_labelled: int, seed: int) -> None:
    X, y, weights = fit_problem(small_csv, n_labelled, seed)
    expected = LinearSVC(C=SVM_C, random_state=seed, dual=True, max_iter=2000).fit(X, y, sample_weight=weights)
    coef, intercept = _linear_svc(X, y, SVM_C, seed, weights)
    assert np.array_equal(coef, expected.coef_) and np.array_equal(intercept, expected.intercept_)
    model = SvmModel(seed, solver="liblinear").fit(X, y)
    assert np.array_equal(model.coef, expected.coef_.ravel()) and model.intercept == expected.intercept_[0]
