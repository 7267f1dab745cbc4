"""benchmarks/screening_dev.py for decision 0064: hyphenated words read whole and in their parts."""

from __future__ import annotations

import pytest

from screening_dev_sets import made_up_set
from script_module import load_script


@pytest.fixture(scope="module")
def dev():  # noqa: ANN201
    return load_script("benchmarks/screening_dev.py", "screening_dev_round16")


def test_a_hyphenated_word_is_followed_by_its_parts(dev) -> None:  # noqa: ANN001
    text = "A placebo-controlled, once-daily trial of 5-HT1B agonists; re--entry and -x stay"
    assert dev.with_hyphen_parts(text, words2=False) == (
        "A placebo-controlled placebo controlled, once-daily once daily trial of 5-HT1B 5 HT1B agonists; "
        "re--entry re entry and -x stay")
    # under the small sets' tokens (hyphens split) the whole word is spelt so that it stays one token
    assert dev.with_hyphen_parts("once-daily dosing", words2=True) == "once_daily once daily dosing"


def test_round_16s_candidates_and_their_features(dev, monkeypatch) -> None:  # noqa: ANN001
    every, large = dev.CANDIDATES["hy-both-all"], dev.CANDIDATES["hy-both"]
    assert every.engine_model == "svm-e6" and every.hyphen_parts and every.engine_overrides() == {}
    assert (large.small, large.large) == ("default", "hy-both-all")
    assert every.key() not in {dev.CANDIDATES[name].key() for name in ("df3-all", "uni-all", "pl-s0.85-all")}
    texts = ["once-daily dosing", "once-daily dosing", "daily dosing", "weekly dosing"]
    made_up_set(dev, monkeypatch, texts)

    def vocabulary(hyphen_parts):  # noqa: ANN001, ANN202
        _, features = dev.candidate_features(None, "made-up", "label_included", "svm-e6", None, hyphen_parts)
        return set(features._vectorizers[0].vocabulary)

    # engine 6 from 1,000 records (terms in >= 2 records, 'dosing' in all four is above max_df): the whole word only
    assert vocabulary(False) == {"once-daily", "once-daily dosing"}
    # with the parts: 'daily' and 'daily dosing' in three records now, 'once' and 'once daily' in two; the word is
    # followed by its first part, no longer by 'dosing'
    assert vocabulary(True) == {"once-daily", "once-daily once", "once", "once daily", "daily", "daily dosing"}
