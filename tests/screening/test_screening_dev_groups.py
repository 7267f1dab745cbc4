"""benchmarks/screening_dev.py --groups: each set's gap to ASReview paired per seed, and T4/T5 per group of seeds."""

from __future__ import annotations

import sys

import pytest

from script_module import load_script


@pytest.fixture(scope="module")
def dev():  # noqa: ANN201
    return load_script("benchmarks/screening_dev.py", "screening_dev_groups")


SEEDS = [39, 40, 41, 42, 43, 44, 45]  # two groups of three; 45 is a rest and left out


def _runs(values: list[float]) -> list[dict]:
    return [{"wss@95": v} for v in values]


def test_gaps_are_paired_per_seed_and_targets_read_per_group(dev) -> None:  # noqa: ANN001
    # Twelve sets, ASReview at 0.5 on every seed. Eleven are above on every seed; "hard" is below on most seeds but
    # far above on one, so its mean over all seeds is above ASReview while two of its three seeds in group 1 are below.
    theirs = {f"s{i}_set:label_included": {seed: {"wss@95": 0.5} for seed in SEEDS} for i in range(12)}
    results = {"default": {task: _runs([0.51] * len(SEEDS)) for task in theirs}}
    hard = "s0_set:label_included"
    results["default"][hard] = _runs([0.47, 0.47, 0.6, 0.5, 0.49, 0.6, 0.1])
    report = dev.paired_groups(results, SEEDS, theirs, 3)["default"]
    assert report["sets"][hard]["above"] == 2 and report["sets"][hard]["equal"] == 1 and report["sets"][hard]["below"] == 4
    groups = report["groups"]
    assert [g["seeds"] for g in groups] == [[39, 40, 41], [42, 43, 44]]
    # group 1: hard's mean is +0.013 (0.47, 0.47, 0.6): 12 sets above, none below by more than 0.02
    assert groups[0]["sets_better"] == 12 and groups[0]["T4"] and groups[0]["T5"]
    # group 2: hard is +0.03 (0.5, 0.49, 0.6) too; seed 45's -0.4 is in no group
    assert groups[1]["T5"]
    results["default"][hard] = _runs([0.47, 0.47, 0.51, 0.5, 0.49, 0.6, 0.1])
    groups = dev.paired_groups(results, SEEDS, theirs, 3)["default"]["groups"]
    # group 1 is now -0.017 for hard: below ASReview but not by more than 0.02, so T4 needs the other eleven (11 >= 11)
    assert groups[0]["sets_better"] == 11 and groups[0]["T4"] and groups[0]["T5"]
    results["default"][hard] = _runs([0.45, 0.47, 0.51, 0.5, 0.49, 0.6, 0.1])
    groups = dev.paired_groups(results, SEEDS, theirs, 3)["default"]["groups"]
    assert groups[0]["below_0.02"] and not groups[0]["T5"] and groups[1]["T5"]
    results["default"]["s1_set:label_included"] = _runs([0.5] * len(SEEDS))  # a tie is not above
    groups = dev.paired_groups(results, SEEDS, theirs, 3)["default"]["groups"]
    assert groups[0]["sets_better"] == 10 and not groups[0]["T4"]


@pytest.mark.parametrize("arguments", [["--groups", "0"], ["--groups", "5", "--reference", "means.json"]])
def test_groups_needs_a_size_and_asreview_runs(dev, monkeypatch: pytest.MonkeyPatch,  # noqa: ANN001
                                               arguments: list[str]) -> None:
    monkeypatch.setattr(sys, "argv", ["screening_dev.py", "--seeds", "1", *arguments])
    with pytest.raises(SystemExit) as stopped:
        dev.main()
    message = str(stopped.value.code)
    assert "\n" not in message and "--groups" in message
