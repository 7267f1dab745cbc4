from __future__ import annotations

import pytest
from scipy import stats

from review.errors import ValidationError
from review.validate.sus import acceptability, adjective, sus_score, usability


def test_brooke_scoring() -> None:
    assert sus_score([5, 1] * 5) == 100
    assert sus_score([1, 5] * 5) == 0
    assert sus_score([3] * 10) == 50
    assert sus_score([4, 2, 4, 2, 4, 2, 4, 2, 4, 2]) == 75


def test_bangor_ratings() -> None:
    assert adjective(71.4) == "good" and adjective(86) == "excellent" and adjective(52) == "ok"
    assert (acceptability(45), acceptability(60), acceptability(80)) == ("not acceptable", "marginal", "acceptable")


def test_mean_and_t_interval(write_csv) -> None:
    answers = [[5, 1] * 5, [3] * 10, [4, 2] * 5]
    rows = [("respondent", *[f"q{i}" for i in range(1, 11)])] + [(f"r{i}", *a) for i, a in enumerate(answers)]
    result = usability(write_csv("s.csv", rows))
    assert [r.sus for r in result.respondents] == [100, 50, 75]
    ci = stats.t.interval(0.95, 2, loc=75, scale=stats.sem([100, 50, 75]))
    assert result.mean == 75 and result.mean_ci == pytest.approx(ci)
    data = result.to_json()
    assert data["respondents"][0] == {"respondent": "r0", "sus": 100} and data["mean"] == 75


def test_missing_question_column(write_csv) -> None:
    rows = [("respondent", *[f"q{i}" for i in range(1, 10)]), ("r", *[3] * 9)]
    with pytest.raises(ValidationError, match=r"row 1, column 'q10': no such column"):
        usability(write_csv("s.csv", rows))
