"""benchmarks/screening_dev.py for round 19 (decision 0070): from 1,000 records engine 6's model with hyphenated words
split only where a part is a number or one character."""

from __future__ import annotations

import re

import pytest

from screening_dev_sets import made_up_set
from script_module import load_script


@pytest.fixture(scope="module")
def dev():  # noqa: ANN201
    return load_script("benchmarks/screening_dev.py", "screening_dev_round19")


TEXT = ("A 4-week and a 12-week L-type calcium-channel trial, placebo-controlled, of 5-HT-receptor quality-of-life "
        "in covid-19 (p < 0.05, n = 5)")


def _tokens(dev, pattern: str) -> list[str]:  # noqa: ANN001
    return re.findall(dev.TOKEN_PATTERNS[pattern], TEXT.lower())


def test_word_compounds_stay_whole_and_designator_compounds_are_read_as_asreview_reads_them(dev) -> None:  # noqa: ANN001
    wordhy = _tokens(dev, "wordhy")
    assert wordhy == ["week", "and", "12", "week", "type", "calcium-channel", "trial", "placebo-controlled", "of",
                      "ht", "receptor", "quality-of-life", "in", "covid", "19", "05"]
    # the same as ASReview's tokens wherever no word compound is
    asreview = _tokens(dev, "asreview")
    joined = [part for token in wordhy for part in token.split("-")]
    assert joined == asreview
    # the engine's tokens with the designator compounds so read: one-character words standing alone stay
    desig = _tokens(dev, "desig")
    assert desig == ["a", "week", "and", "a", "12", "week", "type", "calcium-channel", "trial", "placebo-controlled",
                     "of", "ht", "receptor", "quality-of-life", "in", "covid", "19", "p", "0", "05", "n", "5"]
    engine = _tokens(dev, "engine2")
    assert "4-week" in engine and "5-ht-receptor" in engine and "l-type" in engine


def test_round_19_candidates_are_engine_6s_large_set_model_with_the_tokens_changed(dev) -> None:  # noqa: ANN001
    base = dev.CANDIDATES["e4-floor9.8"]
    for name, pattern in (("asr-wordhy", "wordhy"), ("hy-desig", "desig")):
        candidate = dev.CANDIDATES[f"{name}-all"]
        changed = {k: v for k, v in vars(candidate).items() if k != "note" and getattr(base, k) != v}
        assert changed == {"token_pattern": pattern}
        assert (dev.CANDIDATES[name].small, dev.CANDIDATES[name].large) == ("default", f"{name}-all")


def test_designator_compounds_share_their_unit_across_records_word_compounds_stay_one_term(dev, monkeypatch) -> None:  # noqa: ANN001
    texts = ["a 4-week trial of nifedipine", "an 8-week trial of nifedipine", "opt-out consent", "opt consent",
             "a placebo", "an placebo"]

    def cosines(name):  # noqa: ANN001, ANN202
        made_up_set(dev, monkeypatch, texts)
        _, features = dev.candidate_features(dev.CANDIDATES[name], "made-up", "label_included")
        rows = features.matrix
        return [float((rows[a] @ rows[b].T).toarray()[0, 0]) for a, b in ((0, 1), (2, 3))]

    engine = cosines("e4-floor9.8")
    for name in ("asr-wordhy-all", "hy-desig-all"):
        trials, _ = cosines(name)
        # whole, "4-week" and "8-week" are one record each (no column under min_df 2); split, "week" is shared
        assert trials > engine[0] + 0.02
        # "opt-out" stays one term (in two records: a column), never "opt" and "out"
        candidate = dev.CANDIDATES[name]
        with dev.token_pattern(candidate.token_pattern):
            features = dev.build_features(list(range(1, 7)), [*texts[:3], "opt-out letter", *texts[4:]],
                                          candidate.feature_config(2000))
        terms = features._vectorizers[0].vocabulary
        assert "opt-out" in terms and "week" in terms and "opt" not in terms and "out" not in terms
