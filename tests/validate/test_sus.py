from __future__ import annotations

import pytest
from scipy import stats

from review.errors import ValidationError
from review.validate.report import sus_lines
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
    low, high = stats.t.interval(0.95, 2, loc=75, scale=stats.sem([100, 50, 75]))
    assert high > 100  # three scores this far apart: the t interval runs past the scale, and is cut at 100
    assert result.mean == 75 and result.mean_ci == pytest.approx((low, 100))
    data = result.to_json()
    assert data["respondents"][0] == {"respondent": "r0", "sus": 100, "centred": []} and data["mean"] == 75
    assert data["centred_answers"] == 0


def _scores_rows(answers: list[list[int]]) -> list[tuple[object, ...]]:
    return [("respondent", *[f"q{i}" for i in range(1, 11)])] + [(f"r{i}", *a) for i, a in enumerate(answers)]


def test_the_mean_ci_near_100_stays_on_the_scale(write_csv) -> None:
    # 100, 97.5, 100, 90: mean 96.9, t(3) half-width 7.5, so the t interval reached 104.4
    answers = [[5, 1] * 5, [5, 1] * 4 + [4, 1], [5, 1] * 5, [5, 1] * 3 + [4, 2, 4, 2]]
    result = usability(write_csv("s.csv", _scores_rows(answers)))
    scores = [r.sus for r in result.respondents]
    assert scores == [100, 97.5, 100, 90]
    low, high = stats.t.interval(0.95, 3, loc=sum(scores) / 4, scale=stats.sem(scores))
    assert high > 100
    assert result.mean_ci == pytest.approx((low, 100)) and result.mean_ci_clamped
    assert result.to_json()["mean_ci_clamped"] is True
    assert any("to 100.0) (cut at the scale's end, 0-100)" in line for line in sus_lines(result))
    # everyone at 100: no spread, the interval is the point itself
    perfect = usability(write_csv("p.csv", _scores_rows([[5, 1] * 5] * 3)))
    assert perfect.mean_ci == (100, 100) and not perfect.mean_ci_clamped


def test_the_mean_ci_near_0_stays_on_the_scale(write_csv) -> None:
    result = usability(write_csv("s.csv", _scores_rows([[1, 5] * 5, [1, 5] * 4 + [2, 5], [2, 4] * 5])))
    assert result.mean_ci is not None and result.mean_ci[0] == 0 and result.mean_ci_clamped


def test_a_ci_inside_the_scale_is_the_t_interval(write_csv) -> None:
    result = usability(write_csv("s.csv", _scores_rows([[4, 2] * 5, [3] * 10, [4, 2] * 4 + [3, 3]])))
    scores = [r.sus for r in result.respondents]
    ci = stats.t.interval(0.95, 2, loc=sum(scores) / 3, scale=stats.sem(scores))
    assert result.mean_ci == pytest.approx(ci) and not result.mean_ci_clamped


def test_missing_question_column(write_csv) -> None:
    rows = [("respondent", *[f"q{i}" for i in range(1, 10)]), ("r", *[3] * 9)]
    with pytest.raises(ValidationError, match=r"line 1: column 'q10': no such column"):
        usability(write_csv("s.csv", rows))


def test_a_blank_answer_is_the_centre_point_brooke_asks_for(write_csv) -> None:
    # Brooke (1996): a respondent who cannot answer an item marks the centre; a blank is scored so and named
    header = ("respondent", *[f"q{i}" for i in range(1, 11)])
    rows = [header, ("r0", *[5, 1] * 5), ("r1", 5, 1, 5, "", 5, 1, 5, 1, "", 1), ("r2", *[4, 2] * 5)]
    result = usability(write_csv("s.csv", rows))
    # r1: q4 (even, 5-3 = 2) and q9 (odd, 3-1 = 2) instead of 4 each: 100 - 2 x 2 x 2.5
    assert [r.sus for r in result.respondents] == [100, 90, 75]
    assert result.respondents[1].centred == ["q4", "q9"] and result.centred_answers == 2
    one = usability(write_csv("c.csv", [header, ("r1", 5, 1, 5, 3, 5, 1, 5, 1, 3, 1)]))
    assert one.respondents[0].sus == 90
    assert sus_lines(one)[0] == "System Usability Scale (Brooke 1996): 1 respondent"
    lines = "\n".join(sus_lines(result))
    assert "r1                     90.0  (q4, q9 blank: scored as the centre point)" in lines
    assert "2 blank answers of 1 respondent scored as the centre point 3" in lines
    assert result.to_json()["centred_answers"] == 2


def test_more_blanks_than_the_limit_are_refused(write_csv) -> None:
    header = ("respondent", *[f"q{i}" for i in range(1, 11)])
    rows = [header, ("r0", *[5, 1] * 5), ("r1", 5, "", 5, "", 5, "", 5, 1, 5, 1)]
    with pytest.raises(ValidationError, match=r"s\.csv:line 3: column 'q2': 'r1' left 3 of 10 answers blank "
                                              r"\(q2, q4, q6\); at most 2 are scored as the centre point 3"):
        usability(write_csv("s.csv", rows))
