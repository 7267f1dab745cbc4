"""benchmarks/screening_dev.py's `default` is src's engine version 8 (decision 0073): the title's repeat apart."""

from __future__ import annotations

import numpy as np
import pytest

from review.screening.features import build_features, record_text
from review.screening.ranker import feature_config_for
from screening_dev_sets import made_up_set
from script_module import load_script


@pytest.fixture(scope="module")
def dev():  # noqa: ANN201
    return load_script("benchmarks/screening_dev.py", "screening_dev_engine8")


@pytest.mark.parametrize("n_records", [500, 2000])
def test_the_default_candidate_reads_srcs_engine_8_texts_and_rows(dev, monkeypatch, n_records) -> None:  # noqa: ANN001
    titles = ["A b. Cc d nifedipine trial", "an 8-week opt-out trial", "outcome of nifedipine", "", "trial outcome"]
    abstracts = ["blood pressure d a fell", "a 4-week trial: blood pressure rose", "", "nifedipine outcome", ""]
    made_up_set(dev, monkeypatch, [f"{t} {t} {a}".strip() for t, a in zip(titles, abstracts)], n_records)
    monkeypatch.setattr(dev, "titles_and_abstracts", lambda set_name: (titles, abstracts))
    data, features = dev.candidate_features(None, "made-up", "label_included")
    config = feature_config_for("default", n_records)
    texts = [record_text({"title": t, "abstract": a}, 2, True) for t, a in zip(titles, abstracts)]
    assert config.title_apart and data.texts == texts
    expected = build_features(data.ids, texts, config).matrix
    for name in ("indptr", "indices", "data"):
        assert np.array_equal(getattr(expected, name), getattr(features.matrix, name)), name
    # svm-e6 keeps "title title abstract"
    six, _ = dev.candidate_features(None, "made-up", "label_included", "svm-e6")
    assert six.texts == [f"{t} {t} {a}".strip() for t, a in zip(titles, abstracts)]
