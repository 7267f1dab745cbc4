"""benchmarks/screening_dev.py for decision 0058: the milder pivot (slope 0.85) beside round 12's slopes."""

from __future__ import annotations

import numpy as np
import pytest

from script_module import load_script


@pytest.fixture(scope="module")
def dev():  # noqa: ANN201
    return load_script("benchmarks/screening_dev.py", "screening_dev_round14")


def test_round_14s_candidates_are_engine_6_below_1000_and_the_pivot_from_1000(dev) -> None:  # noqa: ANN001
    for s in (0.75, 0.85):
        every = dev.CANDIDATES[f"pl-s{s}-all"]
        # engine version 6 by name: engine version 7 (the default since decision 0058) pivots its rows itself
        assert (every.engine_model, every.pivot_slope) == ("svm-e6", s)
        large = dev.CANDIDATES[f"pl-s{s}"]
        assert (large.small, large.large) == ("default", f"pl-s{s}-all")
    # the slope is part of a run's cache key: the slopes never share runs
    keys = {dev.CANDIDATES[f"pl-s{s}-all"].key() for s in (0.5, 0.75, 0.85)}
    assert len(keys) == 3


def test_a_milder_slope_moves_every_row_less_than_a_steeper_one(dev) -> None:  # noqa: ANN001
    lengths = np.array([1.0, 2.0, 4.0, 0.0])  # non-empty mean (the pivot): 7/3
    mild, steep = dev.pivoted_factors(lengths, 0.85), dev.pivoted_factors(lengths, 0.75)
    nonempty = lengths > 0
    assert (np.abs(mild[nonempty] - 1) < np.abs(steep[nonempty] - 1)).all()
    assert mild[0] < 1.0 < mild[2] and mild[3] == 1.0
