"""Decision 0068's walk (benchmarks/stopping_classifier.py, round 17): where k* is 1 or 2 a view below the veto's
0.20 still assents when the asked checks right before it agree — 0.10 over two checks, 0.05 over four, all about
the same k* and with no unasked check between them; otherwise it vetoes as before."""

from __future__ import annotations

from types import ModuleType
from typing import Any

import numpy as np
import pytest

from script_module import load_script

N, PRIORS, FOUND = 200, 2, 30  # a grid step of 2 records; 30 relevant first: k* = 1 at 95 % throughout


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    return load_script("benchmarks/stopping_classifier.py", "stopping_classifier_bench17")


def run(views: dict[int, float], *, k_at: dict[int, int] | None = None) -> dict[str, Any]:
    """A constructed run whose trend's P(left ≤ k*) is 0.60 from record 60 (above the assented level 0.50, below
    the other 0.85) and whose classifier gave ``views`` (check → P(left ≤ k*)) at the stored grid checks; a check
    without a view had no fit (not asked)."""
    labels = np.zeros(N, dtype=np.int64)
    labels[:FOUND] = 1
    curve = np.zeros(N - PRIORS)
    curve[60 - PRIORS - 1:] = 0.60
    rows = [{"at": at, "k": (k_at or {}).get(at, 1), "lomax_p": 0.60, **({"p6:platt": views[at]} if at in views else {})}
            for at in range(60, N, 2)]
    return {"n": N, "n_priors": PRIORS, "curve": curve, "rows": rows, "labels": labels}


def stop(bench: ModuleType, ev: dict[str, Any], rungs: tuple[tuple[float, int], ...] | None) -> int:
    return int(bench.round14_stop(ev, (0.50, 0.85, 0.20, 0.0), stop_gate=0.3, agreement=rungs)["stop"])


def test_one_view_at_0_20_assents_alone_and_one_below_it_vetoes(bench: ModuleType) -> None:
    ev = run({60: 0.01, 62: 0.01, 64: 0.25})
    for rungs in (None, ((0.20, 1),), bench.AGREE2, bench.AGREE4):
        assert stop(bench, ev, rungs) == 64  # the trend's 0.60 passes 0.50 on the assent
    ev = run({60: 0.01, 62: 0.01, 64: 0.15})
    assert stop(bench, ev, None) == N and stop(bench, ev, bench.AGREE4) == N  # vetoed to the end


def test_a_view_at_0_10_assents_after_a_second_check_that_agrees(bench: ModuleType) -> None:
    ev = run({60: 0.01, 62: 0.12, 64: 0.15})
    assert stop(bench, ev, None) == N
    assert stop(bench, ev, bench.AGREE2) == 64  # 0.12 then 0.15: two checks at 0.10 or more
    assert stop(bench, run({60: 0.01, 62: 0.09, 64: 0.15}), bench.AGREE2) == N  # 0.09 does not agree


def test_a_view_at_0_05_needs_four_checks_that_agree(bench: ModuleType) -> None:
    views = {60: 0.01, 62: 0.06, 64: 0.07, 66: 0.06, 68: 0.08}
    assert stop(bench, run(views), bench.AGREE2) == N
    assert stop(bench, run(views), bench.AGREE4) == 68  # 62 … 68: four checks at 0.05 or more
    assert stop(bench, run({**views, 64: 0.04}), bench.AGREE4) == N


def test_agreement_breaks_at_an_unasked_check_or_a_new_k_star(bench: ModuleType) -> None:
    views = {60: 0.12, 64: 0.15}  # check 62 made no fit: nothing asked there
    assert stop(bench, run(views), bench.AGREE2) == N
    views = {60: 0.12, 62: 0.12, 64: 0.15}
    assert stop(bench, run(views, k_at={60: 1, 62: 2, 64: 1}), bench.AGREE2) == N  # 62 was about another k*
    assert stop(bench, run(views), bench.AGREE2) == 62
