"""The round-4 frontier harness: its bookkeeping and its full-curve copies of the Lomax rules."""

from __future__ import annotations

from types import ModuleType

import numpy as np
import pytest

from review.screening.stopping_rate import lomax_first_stop
from script_module import load_script


@pytest.fixture(scope="module")
def frontier() -> ModuleType:
    return load_script("benchmarks/stopping_frontier.py", "stopping_frontier")


def order(frontier: ModuleType, labels: list[int], n_priors: int = 2) -> object:
    return frontier.Order("constructed", 1, np.array(labels), n_priors)


def test_excess_is_split_at_the_last_relevant_record(frontier: ModuleType) -> None:
    # 20 relevant: 95 % needs 19, reached at record 19; the 20th is record 60; 100 records.
    labels = [1] * 19 + [0] * 40 + [1] + [0] * 40
    o = order(frontier, labels)
    assert (o.needed, o.last_relevant) == (19, 60)
    late = frontier.decompose([o], [(80, 20)])["constructed"]
    assert late["tail"] == pytest.approx(0.41) and late["excess"] == pytest.approx(0.61)
    assert late["before"] == pytest.approx(0.41) and late["after"] == pytest.approx(0.20)
    early = frontier.decompose([o], [(15, 15)])["constructed"]  # stopped short of 95 %
    assert early["before"] == pytest.approx(-0.04) and early["after"] == 0 and early["reached"] == 0


def test_a_level_stops_where_the_curve_first_reaches_it(frontier: ModuleType) -> None:
    curve = np.array([0.1, 0.6, 0.4, 0.96, 0.5, 1.0])
    assert frontier.stops_from_curve(curve, [0.5, 0.95, 0.99]) == [2, 4, 6]


def test_the_full_curves_give_the_src_rules_stops(frontier: ModuleType) -> None:
    # The frontier sweeps the Lomax rules through full probability curves; at 0.95 they must stop
    # where src's lomax_first_stop does: from the first ranked record, and after the first relevant.
    rng = np.random.default_rng(5)
    tail = (rng.random(900) < 0.5 * np.exp(-np.arange(900) / 80)).astype(int)
    labels = np.concatenate([[1, 0], np.zeros(120, dtype=int), [1], tail])
    o = order(frontier, labels.tolist())
    ranked = labels[2:]
    plain = lomax_first_stop(ranked, found_before=1, burn_in=False)
    burnin = lomax_first_stop(ranked, found_before=1)
    assert plain is not None and burnin is not None and burnin < plain
    assert frontier.stops_from_curve(frontier.lomax_curve(o), [0.95]) == [2 + plain]
    assert frontier.stops_from_curve(frontier.lomax_burnin_curve(o), [0.95]) == [2 + burnin]
