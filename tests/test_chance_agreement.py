"""Gwet's AC1 is defined once and both stages that report it give the same number."""

from __future__ import annotations

import numpy as np
import pytest

from review.chance_agreement import gwet_ac1
from review.screening.agreement import agreement as screening_agreement
from review.validate.kappa import gwet_ac1 as validate_ac1


def test_unused_category_still_counts_in_q() -> None:
    # Both raters used only two of three categories: Q is 3, so chance is divided by 2.
    shares = [0.5, 0.5, 0.0]
    assert gwet_ac1(0.75, shares) == pytest.approx((0.75 - 0.25) / (1 - 0.25))
    assert gwet_ac1(0.75, shares[:2]) == pytest.approx((0.75 - 0.5) / (1 - 0.5))


def test_fewer_than_two_categories_has_no_ac1() -> None:
    assert gwet_ac1(1.0, [1.0]) is None


def test_screening_and_validate_agree_on_the_same_labels() -> None:
    a = ["include", "exclude", "exclude", "maybe", "exclude", "include", "exclude", "exclude"]
    b = ["include", "exclude", "include", "maybe", "exclude", "exclude", "exclude", "maybe"]
    cats = ("exclude", "include", "maybe")
    screening = screening_agreement(dict(enumerate(a)), dict(enumerate(b)), categories=cats)
    index = {c: i for i, c in enumerate(cats)}
    validate = validate_ac1(np.array([index[x] for x in a]), np.array([index[x] for x in b]), len(cats))
    assert screening.ac1 == pytest.approx(validate)


def test_screening_and_validate_give_kappa_statsmodels_interval_to_the_bit() -> None:
    # One z for both stages, from the tail as statsmodels computes kappa_low/kappa_upp (norm.isf(0.025));
    # ppf(0.975), or isf((1 - 0.95) / 2), is one unit lower in the last digit and would fail here.
    import numpy as np
    from statsmodels.stats.inter_rater import cohens_kappa

    from review.chance_agreement import alpha_of_level, normal_quantile
    from review.validate.kappa import agreement as validate_agreement

    a = ["include"] * 20 + ["include"] * 5 + ["exclude"] * 10 + ["exclude"] * 15
    b = ["include"] * 20 + ["exclude"] * 5 + ["include"] * 10 + ["exclude"] * 15
    screening = screening_agreement(dict(enumerate(a)), dict(enumerate(b)))
    expected = cohens_kappa(np.array([[15.0, 10.0], [5.0, 20.0]]), return_results=True)  # rows a, columns b
    assert expected["kappa"] == pytest.approx(0.4) and screening.kappa == pytest.approx(0.4)
    assert (screening.kappa_ci_low, screening.kappa_ci_high) == (expected["kappa_low"], expected["kappa_upp"])
    codes = {"exclude": 0.0, "include": 1.0}
    validate = validate_agreement("q", [codes[x] for x in a], [codes[x] for x in b], n_boot=0)  # level 0.95
    assert validate.kappa_ci == (expected["kappa_low"], expected["kappa_upp"])
    assert alpha_of_level(0.95) == 0.05 and alpha_of_level(0.9) == 0.1
    assert alpha_of_level(np.float64(0.95)) == 0.05  # a level numpy computed (repr "np.float64(0.95)")
    assert normal_quantile(0.05) == 1.9599639845400545 != normal_quantile(1 - 0.95)


def test_synthesis_z_is_the_same_quantile() -> None:
    from review.chance_agreement import normal_quantile
    from review.synthesis.meta import z_quantile

    assert z_quantile(0.95) == normal_quantile(0.05) and z_quantile(0.9) == normal_quantile(0.1)


def test_one_kappa_call_weighted_or_not_and_none_where_undefined() -> None:
    from statsmodels.stats.inter_rater import cohens_kappa

    from review.chance_agreement import cohens_kappa_interval

    a = [0, 0, 1, 2, 2, 1, 0, 2, 1, 1, 0, 2]
    b = [0, 1, 1, 2, 1, 1, 0, 2, 2, 1, 0, 0]
    table = np.zeros((3, 3))
    for i, j in zip(a, b, strict=True):
        table[i, j] += 1
    values = [1.0, 2.0, 4.0]  # unevenly spaced scores: the weights follow the values, not the indices
    for wt, kwargs in ((None, {}), ("linear", {"wt": "linear", "weights": values}),
                       ("quadratic", {"wt": "quadratic", "weights": values})):
        expected = cohens_kappa(table, return_results=True, **kwargs)
        kappa, interval = cohens_kappa_interval(a, b, 3, 0.05, wt=wt, category_values=values)
        assert kappa == expected["kappa"] and interval == (expected["kappa_low"], expected["kappa_upp"])
    assert cohens_kappa_interval([1, 1, 1], [1, 1, 1], 2) == (None, None)  # one category used: undefined
    assert cohens_kappa_interval([0, 1, 0, 1], [0, 1, 0, 1], 2) == (1.0, None)  # SE 0: no zero-width interval
