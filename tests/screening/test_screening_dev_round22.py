"""benchmarks/screening_dev.py for round 22 (decision 0076): the title's repeat weighted w below 1,000 records, and
ASReview's loop with the title once standing in for ASReview's runs of spent seeds."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from review.screening.features import WordAnalyzer
from script_module import load_script


@pytest.fixture(scope="module")
def dev():  # noqa: ANN201
    return load_script("benchmarks/screening_dev.py", "screening_dev_round22")


TITLES = ["Triptan trial", "Migraine relief trial", ""]
ABSTRACTS = ["Sumatriptan relieved migraine.", "Relief of pain", "Only an abstract"]


@pytest.mark.parametrize("weight", [0.0, 0.25, 0.5, 1.0])
def test_a_title_term_counts_one_plus_w_times_on_the_same_vocabulary_and_frequencies(dev, weight) -> None:  # noqa: ANN001
    analyzer = WordAnalyzer(2, "words2")
    once_counts, once, vocabulary = dev.seam_free_counts(TITLES, ABSTRACTS, analyzer, 1, 1.0, title_again=0.0)
    counts, once_again, same_vocabulary = dev.seam_free_counts(TITLES, ABSTRACTS, analyzer, 1, 1.0, title_again=weight)
    assert same_vocabulary == vocabulary
    assert (once_again != once).nnz == 0
    got = counts.toarray()
    trial = got[:, vocabulary["trial"]].tolist()
    migraine = got[:, vocabulary["migraine"]].tolist()
    assert trial == [1 + weight, 1 + weight, 0.0]  # in both titles, in no abstract
    assert migraine == [1.0, 1 + weight, 0.0]  # the first record's abstract, the second's title
    assert np.array_equal(once_counts.toarray(), once.toarray())  # w = 0: the title once


def test_round_22_candidates_change_the_repeat_below_1000_records_only(dev) -> None:  # noqa: ANN001
    t2clean = dev.CANDIDATES["t2clean"]
    for weight in ("0", "0.25", "0.5", "0.75"):
        small, switch = dev.CANDIDATES[f"tw{weight}-s"], dev.CANDIDATES[f"tw{weight}"]
        changed = {k: v for k, v in vars(small).items() if k != "note" and getattr(t2clean, k) != v}
        assert changed == {"title_again": float(weight)}
        assert (switch.small, switch.large) == (f"tw{weight}-s", "default")
    assert dev.Candidate().title_again == 1.0  # engine 9's repeat, so older candidates' keys stay


def test_the_asreview_stand_in_must_be_one_of_the_candidates(dev, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setattr(sys, "argv", ["screening_dev.py", "--seeds", "1", "--candidates", "default",
                                      "--asreview-proxy", "tw0"])
    with pytest.raises(SystemExit) as stopped:
        dev.main()
    message = str(stopped.value.code)
    assert "\n" not in message and "names one of --candidates" in message


def test_the_stand_in_runs_replace_asreview_s_below_1000_records_only(dev, monkeypatch) -> None:  # noqa: ANN001
    sizes = {"small_a": 310, "small_b": 999, "large": 1000}
    monkeypatch.setattr(dev, "_n_records", sizes.__getitem__)
    rows = [{"wss@95": 0.1 * seed} for seed in (1, 2)]
    results = {"default": {"small_a:label_included": rows}, "tw0": {"small_a:label_included": rows,
                                                                    "small_b:label_included": rows}}
    theirs = dev.proxy_runs(results, "tw0", [7, 8])
    assert "tw0" not in results  # compared against, not a candidate
    assert theirs["small_b:label_included"] == {7: {"wss@95": 0.1, "n": 999}, 8: {"wss@95": 0.2, "n": 999}}
    with pytest.raises(SystemExit) as stopped:
        dev.proxy_runs({"tw0": {"small_a:label_included": rows, "large:label_included": rows}}, "tw0", [7, 8])
    message = str(stopped.value.code)
    assert "\n" not in message and "large:label_included" in message and "1,000" in message
