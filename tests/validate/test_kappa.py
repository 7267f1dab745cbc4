"""Two-rater agreement against scikit-learn's Cohen's kappa and a hand-worked AC1."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import cohen_kappa_score

from review.errors import ValidationError
from review.validate.kappa import agreement, gwet_ac1, rater_agreement


@pytest.mark.parametrize("seed", [1, 2])
def test_kappa_equals_scikit_learn(seed: int) -> None:
    rng = np.random.default_rng(seed)
    a = rng.integers(0, 4, 80)
    b = np.where(rng.random(80) < 0.6, a, rng.integers(0, 4, 80))
    for weights in ("linear", "quadratic"):
        result = agreement("x", list(a.astype(float)), list(b.astype(float)), weights=weights, n_boot=50)
        assert result.kappa == pytest.approx(cohen_kappa_score(a, b), abs=1e-12)
        assert result.weighted_kappa == pytest.approx(cohen_kappa_score(a, b, weights=weights), abs=1e-12)
        assert result.kappa_ci is not None and result.kappa_ci[0] < result.kappa < result.kappa_ci[1]
    assert result.agreement == pytest.approx(np.mean(a == b))


def test_ac1_by_hand() -> None:
    # 10 pairs, categories 0/1: 8 agree (pa = .8); pi_1 = (4 + 4) / 20 = .4, pe = 2 * .4 * .6 / 1 = .48
    a = np.array([1, 1, 1, 0, 0, 0, 0, 0, 1, 0])
    b = np.array([1, 1, 1, 0, 0, 0, 0, 1, 0, 0])
    assert gwet_ac1(a, b, 2) == pytest.approx((0.8 - 0.48) / (1 - 0.48))


def test_per_item_and_overall_from_a_file(write_csv) -> None:
    rows = [("item", "target", "rater", "score")]
    pairs = {"q1": [(0, 0), (1, 1), (2, 1), (2, 2)], "q2": [(1, 1), (0, 1), (0, 0), (2, 2)]}
    for item, values in pairs.items():
        for t, (x, y) in enumerate(values):
            rows += [(item, f"c{t}", "ann", x), (item, f"c{t}", "bob", y)]
    result = rater_agreement(write_csv("k.csv", rows), n_boot=20)
    assert [i.item for i in result.items] == ["q1", "q2"]
    assert result.overall.n == 8 and result.overall.agreement == pytest.approx(6 / 8)
    a = [0, 1, 2, 2, 1, 0, 0, 2]
    b = [0, 1, 1, 2, 1, 1, 0, 2]
    assert result.to_json()["kappa"] == pytest.approx(cohen_kappa_score(a, b))


def test_three_raters_and_one_rater(write_csv) -> None:
    three = write_csv("3.csv", [("target", "rater", "score"), ("a", "x", 1), ("a", "y", 1), ("a", "z", 1)])
    with pytest.raises(ValidationError, match="expected exactly 2 raters, found 3"):
        rater_agreement(three)
    one = write_csv("1.csv", [("target", "rater", "score"), ("a", "x", 1), ("a", "y", 1), ("b", "y", 0)])
    with pytest.raises(ValidationError, match=r"1\.csv:line 4: column 'target': 'b' is rated by one rater only"):
        rater_agreement(one)


def test_ac1_equals_the_screening_stage_on_the_same_labels() -> None:
    from review.screening.agreement import agreement as screening_agreement

    rng = np.random.default_rng(4)
    a = rng.integers(0, 3, 50)
    b = np.where(rng.random(50) < 0.7, a, rng.integers(0, 3, 50))
    names = np.array(["include", "exclude", "maybe"])
    other = screening_agreement(dict(enumerate(names[a])), dict(enumerate(names[b])), categories=names)
    assert gwet_ac1(a, b, 3) == pytest.approx(other.ac1)


def test_an_item_answered_alike_by_everyone_uses_the_file_scale(write_csv) -> None:
    rows = [("item", "target", "rater", "score")]
    for t in range(4):
        rows += [("same", f"c{t}", "ann", 0), ("same", f"c{t}", "bob", 0)]
        rows += [("varied", f"c{t}", "ann", t % 3), ("varied", f"c{t}", "bob", t % 3)]
    result = rater_agreement(write_csv("k.csv", rows), n_boot=20)
    same = result.items[0]
    assert same.kappa is None  # chance agreement is 1: kappa is undefined
    assert same.categories == [0.0, 1.0, 2.0] and same.ac1 == pytest.approx(1.0)


#: SAS/STAT User's Guide, PROC FREQ "Getting Started: Agreement Study" (two dermatologists, 88 patients;
#: rows Derm1, columns Derm2: terrible, poor, marginal, clear). SAS reports simple kappa 0.3449 with the
#: 95 % CI 0.2030-0.4868 (asymptotic SE of Fleiss, Cohen & Everitt 1969).
SAS_SKIN = np.array([[10, 4, 1, 0], [5, 10, 12, 2], [2, 4, 12, 5], [0, 2, 6, 13]])


def _pairs(table: np.ndarray) -> tuple[list[float], list[float]]:
    q = len(table)
    a = [float(i + 1) for i in range(q) for j in range(q) for _ in range(table[i, j])]
    b = [float(j + 1) for i in range(q) for j in range(q) for _ in range(table[i, j])]
    return a, b


def test_kappa_ci_equals_sas_to_four_decimals() -> None:
    result = agreement("skin", *_pairs(SAS_SKIN), weights="linear", n_boot=0)
    assert result.kappa_ci is not None
    assert [round(v, 4) for v in (result.kappa, *result.kappa_ci)] == [0.3449, 0.2030, 0.4868]


def _weighted_kappa_se_by_hand(table: np.ndarray) -> tuple[float, float]:
    """Linear weighted kappa and its large-sample SE, Fleiss, Cohen & Everitt (1969) eq. 9-10, written out."""
    p = table / table.sum()
    q = len(p)
    w = 1 - np.abs(np.subtract.outer(np.arange(q), np.arange(q))) / (q - 1)  # agreement weights
    rows, cols = p.sum(axis=1), p.sum(axis=0)
    po, pe = float((w * p).sum()), float((w * np.outer(rows, cols)).sum())
    kw = (po - pe) / (1 - pe)
    w_row, w_col = w @ cols, rows @ w  # mean weight of row i over column shares, of column j over row shares
    total = sum(p[i, j] * (w[i, j] - (w_row[i] + w_col[j]) * (1 - kw)) ** 2 for i in range(q) for j in range(q))
    variance = (total - (kw - pe * (1 - kw)) ** 2) / ((1 - pe) ** 2 * table.sum())
    return kw, float(np.sqrt(variance))


def test_weighted_kappa_ci_equals_the_fleiss_cohen_everitt_variance() -> None:
    result = agreement("skin", *_pairs(SAS_SKIN), weights="linear", n_boot=0, level=0.90)
    kw, se = _weighted_kappa_se_by_hand(SAS_SKIN)
    z = 1.6448536269514722  # 90 %: the asked level, not statsmodels' fixed 95 %
    assert result.weighted_kappa_ci is not None
    assert result.weighted_kappa == pytest.approx(kw, abs=1e-12)
    assert result.weighted_kappa_ci == pytest.approx((kw - z * se, kw + z * se), abs=1e-12)


def test_overall_cis_resample_clients_when_items_cluster_within_them(write_csv) -> None:
    from review.validate.kappa import CLUSTER_CI, _disagreement_weights, _indices

    rng = np.random.default_rng(12)
    rows = [("item", "target", "rater", "score")]
    a_all, b_all = [], []
    for t in range(30):  # each client gets one pair of answers, repeated on all six items: 30 clients' worth
        x = int(rng.integers(0, 3))
        y = x if rng.random() < 0.6 else int(rng.integers(0, 3))
        for item in range(6):
            rows += [(f"q{item}", f"c{t}", "ann", x), (f"q{item}", f"c{t}", "bob", y)]
            a_all.append(x)
            b_all.append(y)
    result = rater_agreement(write_csv("k.csv", rows), n_boot=400)
    overall = result.overall
    naive = agreement("pooled", [float(v) for v in a_all], [float(v) for v in b_all], n_boot=400)
    assert overall.kappa == pytest.approx(cohen_kappa_score(a_all, b_all))
    assert overall.kappa_ci is not None and naive.kappa_ci is not None and overall.ci_method == CLUSTER_CI
    # six copies of each pair: the honest interval is about sqrt(6) = 2.4 times the pooled one
    width, naive_width = overall.kappa_ci[1] - overall.kappa_ci[0], naive.kappa_ci[1] - naive.kappa_ci[0]
    assert width > 1.8 * naive_width
    assert overall.agreement_ci[1] - overall.agreement_ci[0] > 1.8 * (naive.agreement_ci[1] - naive.agreement_ci[0])
    # the resampled statistic is the same kappa: on the full data it gives back scikit-learn's numbers
    a, b = np.array(a_all), np.array(b_all)
    po, kappa, weighted, ac1 = _indices(a, b, 3, _disagreement_weights(np.array([0.0, 1.0, 2.0]), "linear"))
    assert (kappa, weighted) == pytest.approx((cohen_kappa_score(a, b), cohen_kappa_score(a, b, weights="linear")))
    assert ac1 == pytest.approx(gwet_ac1(a, b, 3)) and po == pytest.approx(np.mean(a == b))
    assert rater_agreement(write_csv("k.csv", rows), n_boot=400).overall.kappa_ci == overall.kappa_ci  # seeded


def test_few_pairs_are_flagged_and_a_zero_se_gives_no_interval() -> None:
    # 3 categories: the normal approximation wants about 2 * 3^2 = 18 pairs (Cicchetti 1981)
    few = agreement("q", [0.0, 1.0, 2.0, 0.0, 1.0], [0.0, 1.0, 2.0, 1.0, 1.0], n_boot=0)
    assert few.min_pairs == 18 and few.note.startswith("few pairs: 5 for 3 categories, fewer than 2q^2 = 18")
    enough = agreement("q", [0.0, 1.0, 2.0] * 6, [0.0, 1.0, 1.0] * 6, n_boot=0)
    assert enough.note == ""
    opposite = agreement("q", [1.0, 2.0], [2.0, 1.0], n_boot=0)  # kappa -1 with SE 0: no (-1, -1) interval
    assert opposite.kappa == pytest.approx(-1.0) and opposite.kappa_ci is None


def _clients_file(write_csv, name: str, clients: int, items: int, *, seed: int = 3, agree: float = 0.6) -> object:
    rng = np.random.default_rng(seed)
    rows = [("item", "target", "rater", "score")]
    for t in range(clients):
        for item in range(items):
            x = int(rng.integers(0, 3))
            y = x if rng.random() < agree else int(rng.integers(0, 3))
            rows += [(f"q{item}", f"c{t}", "ann", x), (f"q{item}", f"c{t}", "bob", y)]
    return write_csv(name, rows)


@pytest.mark.parametrize("clients", [1, 2])
def test_too_few_clients_to_resample_keep_the_pooled_cis_with_a_note(write_csv, clients: int) -> None:
    from review.validate.kappa import CLUSTER_CI, MIN_BOOTSTRAP_CLIENTS

    result = rater_agreement(_clients_file(write_csv, "few.csv", clients, 60 // clients), n_boot=200)
    overall = result.overall
    assert overall.ci_method != CLUSTER_CI and MIN_BOOTSTRAP_CLIENTS == 10
    assert f"{clients} client{'s' if clients > 1 else ''}: too few to resample clients" in overall.note
    # the resampled clients gave (0.65, 0.65) for one client; the pooled intervals have a width
    assert overall.kappa_ci is not None and overall.kappa_ci[1] - overall.kappa_ci[0] > 0.1
    assert overall.agreement_ci[1] - overall.agreement_ci[0] > 0.1
    from review.validate.report import kappa_lines

    assert "too few to resample clients" in kappa_lines(result)[-1]


def test_every_client_agreeing_gets_no_zero_width_interval(write_csv) -> None:
    rows = [("item", "target", "rater", "score")]
    for t in range(40):
        rows += [row for item in range(3) for row in ((f"q{item}", f"c{t}", "ann", (t + item) % 3),
                                                       (f"q{item}", f"c{t}", "bob", (t + item) % 3))]
    overall = rater_agreement(write_csv("same.csv", rows), n_boot=100).overall
    assert overall.kappa == pytest.approx(1.0) and overall.ac1 == pytest.approx(1.0)
    assert overall.kappa_ci is None and overall.weighted_kappa_ci is None and overall.ac1_ci is None
    # agreement 1 has an interval all the same: Wilson over the 40 clients, not (1, 1)
    assert overall.agreement_ci[1] == pytest.approx(1.0) and overall.agreement_ci[0] == pytest.approx(0.912, abs=1e-3)
    assert "Wilson over the 40 clients" in overall.note


def test_a_kappa_interval_stays_inside_minus_one_to_one() -> None:
    # 0.90 with its asymptotic SE ran to 1.09 before the shared rule cut it
    a = [0.0] * 10 + [1.0] * 10
    b = [0.0] * 10 + [1.0] * 9 + [0.0]
    result = agreement("q", a, b, n_boot=0)
    assert result.kappa == pytest.approx(0.9) and result.kappa_ci is not None
    assert result.kappa_ci[1] == 1.0 and result.kappa_ci[0] < 0.9


def test_the_shared_interval_rule() -> None:
    from review.chance_agreement import index_interval, wald_interval

    assert wald_interval(0.9, 0.1) == (pytest.approx(0.9 - 1.959964 * 0.1), 1.0)
    assert wald_interval(1.0, 0.0) is None and wald_interval(-1.0, 0.0, 0.9) is None
    assert index_interval(0.65, 0.65) is None and index_interval(float("nan"), 1.0) is None
    assert index_interval(-1.2, -0.5) == (-1.0, -0.5)


def test_screening_agreement_gives_no_interval_at_perfect_agreement() -> None:
    from review.screening.agreement import agreement as screening_agreement

    labels = {i: ("include" if i % 3 else "exclude") for i in range(30)}
    same = screening_agreement(labels, dict(labels))
    assert same.kappa == pytest.approx(1.0) and (same.kappa_ci_low, same.kappa_ci_high) == (None, None)


def test_clustered_overall_draws_no_pooled_bootstrap(write_csv, monkeypatch) -> None:
    import review.validate.kappa as kappa_module

    calls: list[int] = []
    real = kappa_module.gwet_ac1
    monkeypatch.setattr(kappa_module, "gwet_ac1", lambda a, b, q: calls.append(len(a)) or real(a, b, q))
    result = rater_agreement(_clients_file(write_csv, "many.csv", 12, 2), n_boot=50)
    # pooled 24 pairs: one AC1, then 50 client resamples of 24 pairs; the items (12 pairs) keep their bootstrap
    assert calls.count(24) == 1 + 50 and result.overall.ac1_ci is not None
