"""benchmarks/screening_dev.py for round 18: ASReview's loop from 1,000 records with engine 6's weights, presumed
sample and adaptive retraining put back."""

from __future__ import annotations

import pytest

from screening_dev_sets import made_up_set
from script_module import load_script


@pytest.fixture(scope="module")
def dev():  # noqa: ANN201
    return load_script("benchmarks/screening_dev.py", "screening_dev_round18")


def _changed(dev, base: str, name: str) -> dict:  # noqa: ANN001
    """The settings in which candidate ``name`` differs from ``base``, as ``name`` has them."""
    first, second = dev.CANDIDATES[base], dev.CANDIDATES[name]
    return {k: v for k, v in vars(second).items() if k != "note" and getattr(first, k) != v}


def test_asr_wpa_is_asreviews_loop_with_three_of_engine_6s_settings_back(dev) -> None:  # noqa: ANN001
    # exactly the union of round 17's single put-backs that gained on calcium or kwok, nothing else
    expected = {**_changed(dev, "ab-asr", "ab-asr+weights"), **_changed(dev, "ab-asr", "ab-asr+presumed"),
                **_changed(dev, "ab-asr", "ab-asr+adaptive")}
    assert _changed(dev, "ab-asr", "asr-wpa-all") == expected
    assert expected["retrain"] == "adaptive" and expected["relevant_floor"] == 9.8 and expected["presumed"] == 100
    assert _changed(dev, "asr-wpa-all", "asr-wpa-C0.3-all") == {"C": 0.3}
    assert _changed(dev, "asr-wpa-C0.3-all", "asr-wpa-C0.3-newton-all") == {"solver": ""}
    for name in ("asr-wpa", "asr-wpa-C0.3", "asr-wpa-C0.3-newton"):
        assert (dev.CANDIDATES[name].small, dev.CANDIDATES[name].large) == ("default", f"{name}-all")
    # the model fitted: ASReview's C and solver, engine 6's floor on the relevant class
    model = dev.member_model(dev.CANDIDATES["asr-wpa-all"], "svm", 3)
    assert (model.C, model.solver, model.relevant_floor) == (0.11, "liblinear", 9.8)
    assert dev.member_model(dev.CANDIDATES["asr-wpa-C0.3-all"], "svm", 3).C == 0.3
    assert dev.member_model(dev.CANDIDATES["asr-wpa-C0.3-newton-all"], "svm", 3).solver == "newton"


def test_asr_wpa_reads_asreviews_features(dev, monkeypatch) -> None:  # noqa: ANN001
    texts = ["L-type calcium channel", "T-type calcium channel", "naïve rats", "naive rats", "treated mice"]

    def cosines(name):  # noqa: ANN001, ANN202
        made_up_set(dev, monkeypatch, texts)
        _, features = dev.candidate_features(dev.CANDIDATES[name], "made-up", "label_included")
        rows = features.matrix
        return [float((rows[a] @ rows[b].T).toarray()[0, 0]) for a, b in ((0, 1), (2, 3))]

    # ASReview's tokens drop the one-letter halves, so the two channel types are the same row; accents are kept
    channels, naive = cosines("asr-wpa-all")
    assert channels == pytest.approx(1.0) and naive < 0.99
    # with engine 6's tokens put back ('l-type', 't-type' whole) the rows differ: the test can tell them apart
    assert cosines("ab-asr+tok")[0] < 0.99


def test_asr_wpan_variants_put_back_engine_6s_title_twice_and_min_df_2(dev) -> None:  # noqa: ANN001
    # decision 0067: asr-wpa-C0.3-newton with engine 6's title twice, min_df 2, or both, and nothing else
    base = "asr-wpa-C0.3-newton-all"
    assert _changed(dev, base, "asr-wpan+title2-all") == {"title_weight": 2}
    assert _changed(dev, base, "asr-wpan+mindf2-all") == {"min_df": 2}
    assert _changed(dev, base, "asr-wpan+title2+mindf2-all") == {"title_weight": 2, "min_df": 2}
    # with both back, what is left from engine 6's large-set model is only ASReview's tokens and accents kept
    assert _changed(dev, "e4f-tok-asr", "asr-wpan+title2+mindf2-all") == {"keep_accents": True}
    for name in ("asr-wpan+title2", "asr-wpan+mindf2", "asr-wpan+title2+mindf2"):
        assert (dev.CANDIDATES[name].small, dev.CANDIDATES[name].large) == ("default", f"{name}-all")


def test_asr_wpan_mindf2_drops_the_terms_of_one_record(dev, monkeypatch) -> None:  # noqa: ANN001
    # the third record's words occur nowhere else: with every term it has a row, with min_df 2 none
    texts = ["calcium channel blocker trial", "calcium channel blocker dose", "zebra quartz"]

    def row_norms(name):  # noqa: ANN001, ANN202
        made_up_set(dev, monkeypatch, texts)
        _, features = dev.candidate_features(dev.CANDIDATES[name], "made-up", "label_included")
        return [float(abs(features.matrix[i]).sum()) for i in range(len(texts))]

    every_term, shared_terms = row_norms("asr-wpa-C0.3-newton-all"), row_norms("asr-wpan+mindf2-all")
    assert every_term[2] > 0 and shared_terms[2] == 0
    assert shared_terms[0] > 0 and shared_terms[1] > 0
