"""benchmarks/selection_cv.py: splits, the choice rules applied to training sets, optimism (constructed tables)."""

from __future__ import annotations

from math import comb
from types import ModuleType

import numpy as np
import pytest

from script_module import load_script


@pytest.fixture(scope="module")
def cv() -> ModuleType:
    return load_script("benchmarks/selection_cv.py", "selection_cv")


def ranking_table(cv: ModuleType, gaps: dict[str, list[float]], n_records: list[int] | None = None,
                  blank: dict[str, list[bool]] | None = None, cpu_share: dict[str, list[float]] | None = None):
    """Candidates with the given WSS@95 gaps to ASReview (0.5 on every set); recall@10 % and ATD equal."""
    names = tuple(gaps)
    n_sets = len(next(iter(gaps.values())))
    wss = 0.5 + np.array([gaps[n] for n in names])
    share = np.array([(cpu_share or {}).get(n, [0.1] * n_sets) for n in names])
    return cv.RankingTable(
        candidates=names, sets=tuple(f"set{i}" for i in range(n_sets)),
        n_records=np.array(n_records or [1500] * n_sets), prevalence=np.full(n_sets, 0.03),
        wss=wss, recall10=np.full(wss.shape, 0.5), atd=np.full(wss.shape, 0.2), cpu_share=share,
        blank=np.array([(blank or {}).get(n, [False] * n_sets) for n in names]),
        screen_wss=wss, screen_cpu_share=share, asr_wss=np.full(n_sets, 0.5))


def every(n: int) -> np.ndarray:
    return np.ones(n, dtype=bool)


def test_splits_are_every_subset_of_the_held_out_size(cv: ModuleType) -> None:
    masks = list(cv.splits(6, 2))
    assert len(masks) == comb(6, 2)
    assert all(mask.sum() == 4 for mask in masks)
    assert len({mask.tobytes() for mask in masks}) == len(masks)
    # leave one out: each set is the held-out one exactly once
    assert (np.array([~mask for mask in cv.splits(5, 1)]).sum(axis=0) == 1).all()
    # held out only among the marked sets (the large ones): the others always train
    large = np.array([True, False, True, True, False, True])
    masks = list(cv.splits(6, 2, among=large))
    assert len(masks) == comb(4, 2)
    assert all(mask[~large].all() for mask in masks)


def test_0013_counts_sets_beating_asreview_before_the_mean(cv: ModuleType) -> None:
    table = ranking_table(cv, {
        "v2": [-0.01, -0.01, -0.01, -0.01],
        "v2-empty0": [0.10, 0.01, -0.03, -0.03],  # highest mean, 2 sets above ASReview
        "h-u4-empty0": [0.001, 0.001, 0.001, -0.05],  # 3 sets above ASReview
    })
    assert cv.choose_by_0013(table, every(4)) == "h-u4-empty0"
    assert cv.choose_by_mean(table, every(4)) == "v2-empty0"
    # Chosen on the training sets only: without set 0, v2-empty0 no longer has the highest mean.
    train = np.array([False, True, True, True])
    assert cv.choose_by_mean(table, train) == "v2"


def test_0013_clauses_keep_the_incumbent_or_rule_a_candidate_out(cv: ModuleType) -> None:
    gaps = {"v2": [-0.01] * 4, "v2-empty0": [0.05, 0.05, -0.03, -0.03], "h-u4-empty0": [0.001, 0.001, 0.001, -0.05]}
    # (c) a seed with nothing in its first 10 % where ASReview finds some, on a training set
    blank = {"h-u4-empty0": [False, False, False, True]}
    assert cv.choose_by_0013(ranking_table(cv, gaps, blank=blank), every(4)) == "v2-empty0"
    # ... but not when that set is held out
    assert cv.choose_by_0013(ranking_table(cv, gaps, blank=blank), np.array([True, True, True, False])) == "h-u4-empty0"
    # (d) the CPU budget counts on training sets of >= 1,000 records only
    slow = {"h-u4-empty0": [0.1, 0.1, 0.1, 0.5]}
    assert cv.choose_by_0013(ranking_table(cv, gaps, cpu_share=slow), every(4)) == "v2-empty0"
    small_last = ranking_table(cv, gaps, n_records=[1500, 1500, 1500, 400], cpu_share=slow)
    assert cv.choose_by_0013(small_last, every(4)) == "h-u4-empty0"
    # (b) a mean WSS@95 more than 0.005 below the incumbent's; nothing passes: the incumbent stays
    worse = {"v2": [0.0] * 4, "v2-empty0": [0.02, 0.02, -0.05, -0.05]}
    assert cv.choose_by_0013(ranking_table(cv, worse), every(4)) == "v2"


def test_0013_addendum_challenges_the_rounds_winner(cv: ModuleType) -> None:
    gaps = {"v2": [-0.01] * 4, "v2-empty0": [0.02, 0.02, -0.01, -0.01], "e3-r9.8-tok-asr": [0.02, 0.02, 0.02, -0.02]}
    assert cv.choose_by_0013(ranking_table(cv, gaps), every(4)) == "e3-r9.8-tok-asr"
    # It is not in the screen's pool: against engine version 2 alone it would not be considered first.
    assert cv._round_0013(ranking_table(cv, gaps), every(4), "v2", ["v2", "v2-empty0"], screen=True) == "v2-empty0"


def test_selection_on_one_lucky_set_is_optimistic_and_a_fixed_choice_is_not(cv: ModuleType) -> None:
    # "lucky" beats ASReview by 0.1 on set 0 and loses 0.03 elsewhere; v2 ties everywhere.
    table = ranking_table(cv, {"v2": [0.0] * 4, "lucky": [0.1, -0.03, -0.03, -0.03]})
    loso = cv.evaluate_ranking(table, cv.choose_by_mean, 1)
    # Left out set 0: v2 (train 0, held out 0); left out another: lucky (train 0.04/3, held out −0.03).
    assert loso["chosen"] == {"v2": 1, "lucky": 3}
    assert loso["held_out_gap"] == pytest.approx(3 * -0.03 / 4)
    assert loso["optimism"] == pytest.approx(3 * (0.04 / 3 + 0.03) / 4)
    assert loso["held_out_sets_worse_0.02"] == pytest.approx(0.75)
    fixed = cv.evaluate_ranking(table, lambda t, train: "lucky", 2)
    assert fixed["optimism"] == pytest.approx(0.0, abs=1e-12)
    assert fixed["held_out_gap"] == pytest.approx(np.mean([0.1, -0.03, -0.03, -0.03]))


def stopping_table(cv: ModuleType, per_rule: dict[str, tuple[list[int], list[float]]], seeds: int = 4):
    """Rules with reached runs (out of ``seeds``) and mean excess per set."""
    names = tuple(per_rule)
    n_sets = len(next(iter(per_rule.values()))[0])
    reached = np.array([[[k < per_rule[n][0][s] for k in range(seeds)] for s in range(n_sets)] for n in names])
    excess = np.array([[[per_rule[n][1][s]] * seeds for s in range(n_sets)] for n in names])
    return cv.StoppingTable(rules=names, sets=tuple(f"set{i}" for i in range(n_sets)),
                            n_records=np.full(n_sets, 1500), prevalence=np.full(n_sets, 0.03),
                            reached=reached, excess=excess)


def test_0014_keeps_its_incumbent_unless_an_eligible_rule_costs_less(cv: ModuleType) -> None:
    table = stopping_table(cv, {
        "exp-profile": ([4, 4, 4, 3], [0.20, 0.20, 0.20, 0.20]),
        "exp-bayes": ([2, 2, 2, 2], [0.05, 0.05, 0.05, 0.05]),  # never eligible (50 %)
        "lomax-bayes": ([4, 4, 4, 4], [0.18, 0.18, 0.18, 0.18]),
        "hyp-bayes": ([4, 4, 4, 4], [0.184, 0.184, 0.184, 0.184]),  # within 0.005 of lomax, earlier in 0014's list
    })
    assert cv.choose_by_0014(table, every(4)) == "hyp-bayes"
    summary = {r: {"reached_runs": int(table.reached[i].sum()), "excess": float(table.excess[i].mean())}
               for i, r in enumerate(table.rules)}
    assert cv.screening_stopping.choose(summary, 16)[0] == "hyp-bayes"  # the same as the harness's own rule
    expensive = stopping_table(cv, {"exp-profile": ([4, 4, 4, 4], [0.2] * 4), "lomax-bayes": ([4, 4, 4, 4], [0.3] * 4)})
    assert cv.choose_by_0014(expensive, every(4)) == "exp-profile"


def test_0008_then_0014_and_what_it_costs_on_held_out_sets(cv: ModuleType) -> None:
    table = stopping_table(cv, {
        # exp-profile80 is cheaper and reaches 95 % everywhere but on set 3 (1 of 4 runs)
        "exp-profile80": ([4, 4, 4, 1], [0.10, 0.10, 0.10, 0.10]),
        "exp-profile": ([4, 4, 4, 4], [0.20, 0.20, 0.20, 0.20]),
        "power-ml": ([1, 1, 1, 1], [0.30, 0.30, 0.30, 0.30]),
        "lomax-bayes": ([4, 4, 4, 4], [0.30, 0.30, 0.30, 0.30]),
    })
    assert cv.choose_by_0008(table, every(4)) == "exp-profile"  # 13 of 16 runs: exp-profile80 not eligible
    without_set3 = np.array([True, True, True, False])
    assert cv.choose_by_0008(table, without_set3) == "exp-profile80"
    assert cv.choose_by_0008_then_0014(table, without_set3) == "exp-profile80"  # lomax costs more
    loso = cv.evaluate_stopping(table, cv.choose_by_0008_then_0014, 1)
    assert loso["chosen"] == {"exp-profile80": 1, "exp-profile": 3}
    # Chosen without set 3, exp-profile80 reached 95 % on every training run and 1 of 4 held out.
    assert loso["train_reached"] == pytest.approx(1.0)
    assert loso["held_reached"] == pytest.approx((3 * 1.0 + 0.25) / 4)
    assert loso["held_below_0.92"] == pytest.approx(0.25)
    # No sets of < 1,000 records in this table: their pooled outcome is undefined, not zero.
    assert np.isnan(loso["held_small_reached"])
