"""benchmarks/screening_dev.py for decision 0066: the ablations toward ASReview and ASReview's tokens from 1,000 records."""

from __future__ import annotations

import numpy as np
import pytest

from screening_dev_sets import made_up_set
from script_module import load_script


@pytest.fixture(scope="module")
def dev():  # noqa: ANN201
    return load_script("benchmarks/screening_dev.py", "screening_dev_round17")


def _engine_vocabulary(dev, monkeypatch, texts, candidate_name=None, **engine):  # noqa: ANN001, ANN003, ANN202
    """The vocabulary of a candidate's (or the engine's) features on made-up texts of a 2,000-record set."""
    made_up_set(dev, monkeypatch, texts)
    candidate = None if candidate_name is None else dev.CANDIDATES[candidate_name]
    _, features = dev.candidate_features(candidate, "made-up", "label_included", **engine)
    return features


def test_asreview_in_our_loop_spells_every_listed_difference(dev) -> None:  # noqa: ANN001
    replica = dev.CANDIDATES["ab-asr"]
    assert (replica.C, replica.ratio, replica.min_df, replica.title_weight, replica.token_pattern) == (
        0.11, 9.8, 1, 1, "asreview")
    assert (replica.presumed, replica.retrain, replica.solver, replica.keep_accents) == (0, 1, "liblinear", True)
    # each ab-asr+X differs from the replica in that one setting only
    differing = {name: {k for k, v in vars(dev.CANDIDATES[name]).items() if k != "note" and getattr(replica, k) != v}
                 for name in dev.CANDIDATES if name.startswith("ab-asr+")}
    assert differing["ab-asr+tok"] == {"token_pattern"} and differing["ab-asr+newton"] == {"solver"}
    assert differing["ab-asr+weights"] == {"ratio", "relevant_floor"}
    assert differing["ab-asr+presumed"] == {"presumed", "presumed_rule", "shrink"}
    # the liblinear solver reaches the model the ranker fits
    assert dev.member_model(replica, "svm", 3).solver == "liblinear"
    assert dev.member_model(dev.CANDIDATES["e4-floor9.8"], "svm", 3).solver == "newton"


def test_accents_are_kept_only_where_a_candidate_says_so(dev, monkeypatch) -> None:  # noqa: ANN001
    texts = ["naïve rats", "naïve mice", "naive rats", "treated mice"]
    stripped = _engine_vocabulary(dev, monkeypatch, texts, "e4-floor9.8")
    kept = _engine_vocabulary(dev, monkeypatch, texts, "ab-l-accents")
    # stripped, "naïve rats" and "naive rats" are the same row; with accents kept they share only "rats"
    def cosine(features, a, b):  # noqa: ANN001, ANN202
        return float((features.matrix[a] @ features.matrix[b].T).toarray()[0, 0])

    assert cosine(stripped, 0, 2) == pytest.approx(1.0)
    assert cosine(kept, 0, 2) < 0.99
    # and the engine's own analyzer strips them again afterwards
    from review.screening.features import WordAnalyzer

    assert WordAnalyzer(1).words("naïve") == ["naive"]


def test_asreview_tokens_from_1000_records(dev, monkeypatch) -> None:  # noqa: ANN001
    tok = dev.CANDIDATES["tok-asr-all"]
    assert tok.engine_model == "svm-e6" and tok.engine_overrides() == {"tokens": "words2"}
    assert (dev.CANDIDATES["tok-asr"].small, dev.CANDIDATES["tok-asr"].large) == ("default", "tok-asr-all")
    texts = ["L-type calcium channel", "L-type calcium block", "a calcium channel", "T-type calcium"]
    engine = _engine_vocabulary(dev, monkeypatch, texts, None, engine_model="svm-e6")
    asr = _engine_vocabulary(dev, monkeypatch, texts, None, engine_model="svm-e6", overrides=tok.engine_overrides())
    # engine 6 keeps 'l-type' whole; ASReview's tokens drop the letter, so the bigram runs on: 'type calcium'
    assert "l-type" in engine._vectorizers[0].vocabulary and "type calcium" not in engine._vectorizers[0].vocabulary
    assert "type calcium" in asr._vectorizers[0].vocabulary and "l-type" not in asr._vectorizers[0].vocabulary


def test_the_fused_candidate_fits_engine_6s_model_on_each_tokenisation(dev) -> None:  # noqa: ANN001
    fused, other = dev.CANDIDATES["tok-fuse-all"], dev.CANDIDATES["e4f-tok-asr"]
    base = dev.CANDIDATES["e4-floor9.8"]
    assert fused.fuse == "e4f-tok-asr" and fused.fuse_refit == "alternate" and fused.combine == "z"
    for name in ("C", "ratio", "relevant_floor", "presumed", "presumed_rule", "shrink", "title_weight", "min_df", "retrain"):
        assert getattr(fused, name) == getattr(base, name) == getattr(other, name), name
    assert (fused.token_pattern, other.token_pattern) == ("engine2", "asreview")
    assert (dev.CANDIDATES["tok-fuse"].small, dev.CANDIDATES["tok-fuse"].large) == ("default", "tok-fuse-all")


def test_both_token_blocks_side_by_side(dev, monkeypatch) -> None:  # noqa: ANN001
    texts = ["L-type calcium channel", "L-type calcium block", "a calcium channel", "T-type calcium", ""]
    both = _engine_vocabulary(dev, monkeypatch, texts, None, engine_model="svm-e6", asr_token_block=True)
    alone = _engine_vocabulary(dev, monkeypatch, texts, None, engine_model="svm-e6")
    assert both.matrix.shape[1] > alone.matrix.shape[1]
    norms = np.sqrt(np.asarray(both.matrix.multiply(both.matrix).sum(axis=1)).ravel())
    assert np.allclose(norms[:4], 1.0) and norms[4] == 0.0  # unit rows; a record without words stays empty
