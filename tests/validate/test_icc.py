"""ICC against Shrout & Fleiss (1979) and McGraw & Wong (1996) as R's psych::ICC reports them."""

from __future__ import annotations

import numpy as np
import pytest

from review.errors import ValidationError
from review.validate.icc import icc_table, intraclass

#: Shrout & Fleiss (1979), Table 2: six targets rated by four judges.
SHROUT_FLEISS = np.array([[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]])
#: Their published values (two decimals), with the 95 % limits of psych::ICC on the same table.
SF_REFERENCE = {
    "ICC1": (0.17, -0.133, 0.72), "ICC2": (0.29, 0.019, 0.76), "ICC3": (0.71, 0.342, 0.95),
    "ICC1k": (0.44, -0.884, 0.91), "ICC2k": (0.62, 0.071, 0.93), "ICC3k": (0.91, 0.676, 0.99),
}
#: McGraw & Wong (1996), Table 6 (10 targets, 2 measurements), psych::ICC to three decimals.
MCGRAW = np.array([[103, 119], [82, 65], [116, 106], [102, 102], [99, 105], [98, 100], [104, 107], [62, 85],
                   [97, 101], [107, 110]])
MCGRAW_REFERENCE = {
    "ICC1": (0.722, 0.241, 0.922), "ICC2": (0.720, 0.228, 0.922), "ICC3": (0.714, 0.197, 0.920),
    "ICC1k": (0.838, 0.389, 0.959), "ICC2k": (0.837, 0.371, 0.959), "ICC3k": (0.833, 0.329, 0.959),
}


def _rounded(value: float, like: float) -> float:
    decimals = len(f"{like}".split(".")[1])
    return round(value, decimals)


def test_six_forms_equal_shrout_and_fleiss() -> None:
    forms = {f.form: f for f in icc_table(SHROUT_FLEISS)}
    for name, (icc, low, high) in SF_REFERENCE.items():
        assert _rounded(forms[name].icc, icc) == icc, name
        assert _rounded(forms[name].ci_low, low) == low, name
        assert _rounded(forms[name].ci_high, high) == high, name
    assert forms["ICC1"].f == pytest.approx(1.79, abs=0.005)
    assert forms["ICC3"].f == pytest.approx(11.03, abs=0.005)


def test_six_forms_equal_mcgraw_and_wong() -> None:
    forms = {f.form: f for f in icc_table(MCGRAW)}
    for name, values in MCGRAW_REFERENCE.items():
        got = (forms[name].icc, forms[name].ci_low, forms[name].ci_high)
        assert [round(v, 3) for v in got] == list(values), name


def test_long_file_gives_the_same_table(write_csv) -> None:
    rows = [("target", "rater", "score")]
    rows += [(f"t{i}", f"j{j}", SHROUT_FLEISS[i, j]) for i in range(6) for j in range(4)]
    result = intraclass(write_csv("sf.csv", rows))
    assert result.to_json()["icc"]["ICC3"] == pytest.approx(0.7148, abs=1e-4)
    assert set(result.to_json()["icc"]) == {"ICC1", "ICC2", "ICC3", "ICC1k", "ICC2k", "ICC3k"}


def test_target_rated_by_one_rater_names_row_and_column(write_csv) -> None:
    path = write_csv("x.csv", [("target", "rater", "score"), ("a", "r1", 1), ("a", "r2", 2), ("b", "r1", 3),
                               ("c", "r1", 2), ("c", "r2", 2)])
    with pytest.raises(ValidationError, match=r"x\.csv:line 4: column 'target': 'b' is rated by one rater only"):
        intraclass(path)


def test_fewer_than_two_raters(write_csv) -> None:
    path = write_csv("x.csv", [("target", "rater", "score"), ("a", "r1", 1), ("b", "r1", 2)])
    with pytest.raises(ValidationError, match=r"column 'rater': fewer than 2 raters"):
        intraclass(path)


def test_unknown_column_and_bad_number(write_csv) -> None:
    with pytest.raises(ValidationError, match=r"line 1: column 'score': no such column"):
        intraclass(write_csv("a.csv", [("target", "rater", "value"), ("a", "r1", 1)]))
    with pytest.raises(ValidationError, match=r"line 3: column 'score': 'high' is not a number"):
        intraclass(write_csv("b.csv", [("target", "rater", "score"), ("a", "r1", 1), ("a", "r2", "high")]))


def test_the_report_names_the_form_to_read_with_both_names(write_csv) -> None:
    from review.validate.report import icc_lines

    rows = [("target", "rater", "score")]
    rows += [(f"t{i}", f"j{j}", MCGRAW[i, j]) for i in range(10) for j in range(2)]
    result = intraclass(write_csv("mw.csv", rows))
    text = "\n".join(icc_lines(result))
    assert "report ICC2 = ICC(A,1) (single rater, two-way random, absolute agreement)" in text
    assert [f.mcgraw_wong for f in result.forms] == ["ICC(1)", "ICC(A,1)", "ICC(C,1)", "ICC(k)", "ICC(A,k)",
                                                     "ICC(C,k)"]
    assert result.to_json()["primary_form"] == "ICC2"


def test_perfect_agreement_gives_icc_one_and_no_nan(write_csv) -> None:
    import json
    import math

    rows = [("target", "rater", "score")]
    rows += [(f"t{i}", r, i + shift) for i in range(5) for r, shift in (("a", 0), ("b", 0), ("c", 2))]
    result = intraclass(write_csv("same.csv", rows))  # c scores everyone 2 higher: consistent, not in agreement
    forms = result.by_form
    assert forms["ICC3"].icc == pytest.approx(1.0) and forms["ICC2"].icc < 1
    assert forms["ICC3"].f is None and forms["ICC3"].ci_low is None
    for form in result.forms:  # no limit where its F is infinite: ICC3k's 1 - 1/F gave (1, 1)
        assert form.f is not None or (form.ci_low, form.ci_high) == (None, None), form
    assert forms["ICC3k"].icc == pytest.approx(1.0) and forms["ICC3k"].ci_high is None
    values = [v for f in result.forms for v in (f.icc, f.ci_low, f.ci_high, f.f, f.p) if v is not None]
    assert all(math.isfinite(v) for v in values)
    json.loads(json.dumps(result.to_json(), allow_nan=False))


def test_no_variance_is_one_line(write_csv) -> None:
    flat = write_csv("flat.csv", [("target", "rater", "score")] + [(t, r, 3) for t in "abc" for r in "xy"])
    with pytest.raises(ValidationError, match=r"flat\.csv: column 'score': every score is 3: nothing varies"):
        intraclass(flat)
    level = write_csv("level.csv", [("target", "rater", "score"), ("a", "x", 1), ("a", "y", 3), ("b", "x", 3),
                                    ("b", "y", 1)])
    with pytest.raises(ValidationError, match=r"level\.csv: column 'target': every target's mean score is 2"):
        intraclass(level)


def test_the_unit_of_the_scores_does_not_matter(write_csv) -> None:
    # 1e-15 times the scores: target means 1e-14 apart are not 'all equal' (an absolute 1e-12 said they were)
    rows = [("target", "rater", "score")]
    rows += [(f"t{i}", f"j{j}", repr(float(MCGRAW[i, j]) * 1e-15)) for i in range(10) for j in range(2)]
    small = intraclass(write_csv("small.csv", rows)).by_form
    assert small["ICC2"].icc == pytest.approx(icc_table(MCGRAW)[1].icc, rel=1e-9)
