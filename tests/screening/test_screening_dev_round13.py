"""benchmarks/screening_dev.py for decision 0057: the two length columns its candidates append to the word rows."""

from __future__ import annotations

import numpy as np
import pytest

from script_module import load_script

from review.screening.features import FeatureConfig, build_features


@pytest.fixture(scope="module")
def dev():  # noqa: ANN201
    return load_script("benchmarks/screening_dev.py", "screening_dev_round13")


def test_log_length_is_standardised_and_the_flag_centred_both_times_the_factor(dev) -> None:  # noqa: ANN001
    words, no_abstract = np.array([9, 99, 999, 99]), np.array([True, False, False, False])
    columns = dev.length_columns(words, no_abstract, 0.3)
    logs = np.log1p(words)
    assert columns[:, 0] == pytest.approx(0.3 * (logs - logs.mean()) / logs.std())
    assert columns[:, 0].std() == pytest.approx(0.3)
    assert columns[:, 1] == pytest.approx(0.3 * np.array([0.75, -0.25, -0.25, -0.25]))
    # a set where every record has an abstract (kwok): the flag column is all zero, as is a constant length
    flat = dev.length_columns(np.array([50, 50]), np.array([False, False]), 0.3)
    assert (flat == 0).all()


def test_the_columns_are_appended_and_the_word_rows_left_as_they_were(dev) -> None:  # noqa: ANN001
    texts = ["heart failure trial", "heart failure trial in elderly heart patients with failure", "", "beta blockers"]
    words = build_features([1, 2, 3, 4], texts, FeatureConfig(min_df=1))
    columns = dev.length_columns(np.array([3, 9, 0, 2]), np.array([True, False, True, True]), 0.1)
    joined = dev.with_length_columns(words, columns)
    assert joined.matrix.shape == (4, words.matrix.shape[1] + 2)
    assert (joined.matrix[:, :-2] != words.matrix).nnz == 0
    assert np.allclose(joined.matrix[:, -2:].toarray(), columns)
    assert joined.ids == words.ids


def test_the_columns_read_title_and_abstract_words_in_file_order(dev, tmp_path, monkeypatch) -> None:  # noqa: ANN001
    (tmp_path / "tiny.csv").write_text("record_id,title,abstract,label_included\n"
                                       "1,Beta-blockers in heart failure,,1\n"
                                       "2,A trial,\"Randomised, placebo controlled.\",0\n", encoding="utf-8")
    monkeypatch.setattr(dev, "DATA_DIR", tmp_path)
    counts, no_abstract = dev._length_cells("tiny")
    assert counts.tolist() == [5, 5] and no_abstract.tolist() == [True, False]


def test_round_13s_candidates_are_engine_6_with_the_columns_and_the_size_switch(dev) -> None:  # noqa: ANN001
    for c in (0.1, 0.3):
        every = dev.CANDIDATES[f"len-c{c}-all"]
        assert (every.engine_model, every.length_weight) == ("svm-e6", c)  # engine 6 by name (decision 0058)
        large = dev.CANDIDATES[f"len-c{c}"]
        assert (large.small, large.large) == ("default", f"len-c{c}-all")
    # the factor is part of a run's cache key (the two factors never share runs), and 0 leaves it out
    assert dev.CANDIDATES["len-c0.1-all"].key() != dev.CANDIDATES["len-c0.3-all"].key()
    assert dev.Candidate(engine_model="default", length_weight=0.0).key() == dev.Candidate(engine_model="default").key()
