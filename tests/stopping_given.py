"""A constructed ranking and the stopping classifier's answers given check by check, for the tests that walk decision
0068's agreement through ``review simulate``'s ``first_stop`` and through a session (both ask ``_estimate``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import scipy.sparse as sp

from review.screening import stopping_classifier as sc
from review.screening.stopping_rate import lomax_first_stop, most_left_for_target

N = 1500


def thirty_found_early() -> np.ndarray:
    """30 relevant records in the first 150 ranks of 1,500 (one in five), none after: k* = 1 from the 20th on."""
    labels = np.zeros(N, dtype=np.int64)
    labels[list(range(0, 150, 5))] = 1
    return labels


def given_answers(monkeypatch: pytest.MonkeyPatch, probability_at: Callable[[int], float | None]) -> None:
    """The classifier answers P(left ≤ k*) = ``probability_at(screened)`` at each check (None: too few labels for a
    fit, nothing asked), counting 2.0 left, its own stop out of reach."""
    def answer(labelled: Any, y: np.ndarray, unscreened: Any, **_: Any) -> sc.ClassifierEstimate | None:
        p = probability_at(int(y.size))
        found = int(np.sum(y))
        return None if p is None else sc.ClassifierEstimate(int(y.size), found, 2.0,
                                                            int(most_left_for_target(found, 0.95)), p, 4)

    monkeypatch.setattr(sc, "_estimate", answer)


def simulated_stop(labels: np.ndarray) -> int | None:
    """``review simulate``'s stop (``first_stop``) on ``labels`` in rank order, with the Lomax part's stop at 0.95."""
    lowered = lomax_first_stop(labels, level=sc.lomax_levels(0.95))
    return sc.first_stop(sp.csr_matrix(np.ones((N, 1))), np.arange(N), labels, n_priors=0, lomax_stop=lowered)
