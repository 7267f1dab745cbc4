"""The meta-analysis engine against metafor / R meta reference output (../shared/data/meta_reference)."""

from __future__ import annotations

import csv
import json
import math

import numpy as np
import pytest

from shared_data import SHARED, shared_path
from review.synthesis.meta import effect_from_ci, effects_from_2x2, pool

REFERENCE = ("data", "meta_reference")


def _rows(name: str) -> list[dict[str, str]]:
    with shared_path(*REFERENCE, name).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _expected(name: str) -> dict:
    return json.loads(shared_path(*REFERENCE, name).read_text(encoding="utf-8"))


# -- metafor small-sample grid (PyMARE, metafor 4.6.0) ------------------------------------------

def _small_sample_cases() -> list[dict]:
    file = SHARED.joinpath(*REFERENCE, "metafor_small_sample_expected.json")
    if not file.exists():
        return [{"design": "missing", "method": "FE", "test": "z"}]  # the test then skips/fails
    return json.loads(file.read_text(encoding="utf-8"))["cases"]


@pytest.mark.parametrize(
    "case", _small_sample_cases(), ids=lambda c: f"{c['design']}-{c['method']}-{c['test']}"
)
def test_metafor_small_sample(case: dict) -> None:
    rows = [r for r in _rows("metafor_small_sample_inputs.csv") if r["case"] == case["design"]]
    y = [float(r["y"]) for r in rows]
    v = [float(r["v"]) for r in rows]
    result = pool(y, v, method=case["method"], hk=case["test"] == "knha", prediction="metafor")
    if case["method"] in ("FE", "DL"):
        close = dict(rel=1e-10, abs=1e-12)
        tau_close = close
    else:  # ML/REML: metafor's optimiser tolerance
        close = dict(abs=1e-4)
        tau_close = dict(abs=5e-5)
    assert result.tau2 == pytest.approx(case["tau2"], **tau_close)
    assert result.estimate == pytest.approx(case["beta"][0], **close)
    assert result.se == pytest.approx(case["se"][0], **close)
    assert result.ci_low == pytest.approx(case["ci_lb"][0], **close)
    assert result.ci_high == pytest.approx(case["ci_ub"][0], **close)
    assert result.pvalue == pytest.approx(case["pval"][0], **close)
    assert result.df == case["dof"]


def test_reml_finds_the_global_maximum_when_the_likelihood_is_bimodal() -> None:
    rows = [r for r in _rows("metafor_small_sample_inputs.csv") if r["case"] == "unequal_k5"]
    result = pool([float(r["y"]) for r in rows], [float(r["v"]) for r in rows], method="REML")
    assert result.tau2 == pytest.approx(3.0539, abs=1e-3)  # the local maximum near 0.195 is wrong


# -- Kacker 2004 (statsmodels results_meta.py, metafor at tol 1e-9) ------------------------------

def _kacker(case_id: str, **kwargs) -> tuple:
    rows = _rows("kacker2004_inputs.csv")
    case = next(c for c in _expected("kacker2004_expected.json")["cases"] if c["id"] == case_id)
    result = pool([float(r["y"]) for r in rows], [float(r["v"]) for r in rows], measure="MD", **kwargs)
    return result, case


@pytest.mark.parametrize("case_id,method,hk", [("FE", "FE", False), ("FE_knha", "FE", True),
                                               ("DL", "DL", False), ("DL_knha", "DL", True)])
def test_kacker_closed_form(case_id: str, method: str, hk: bool) -> None:
    result, case = _kacker(case_id, method=method, hk=hk, prediction="metafor")
    assert result.estimate == pytest.approx(case["beta"], abs=1e-8)
    assert result.se == pytest.approx(case["se"], abs=1e-8)
    assert result.ci_low == pytest.approx(case["ci_lb"], abs=1e-8)
    assert result.ci_high == pytest.approx(case["ci_ub"], abs=1e-8)
    assert result.statistic == pytest.approx(case.get("zval", case.get("tval")), rel=1e-9)
    if "tau2" in case:
        assert result.tau2 == pytest.approx(case["tau2"], abs=1e-8)
    if "QE" in case:
        assert result.q == pytest.approx(case["QE"], abs=1e-8)
        assert result.q_pvalue == pytest.approx(case["QEp"], rel=1e-8)
        assert result.i2 == pytest.approx(case["I2_percent"], abs=1e-8)
        assert result.h2 == pytest.approx(case["H2"], abs=1e-8)
    if "pval" in case:
        assert result.pvalue == pytest.approx(case["pval"], rel=1e-6)


def test_kacker_paule_mandel() -> None:
    result, case = _kacker("PM", method="PM")
    for name, attr in [("tau2", "tau2"), ("beta", "estimate"), ("se", "se"), ("ci_lb", "ci_low"),
                       ("ci_ub", "ci_high"), ("I2_percent", "i2"), ("H2", "h2")]:
        assert getattr(result, attr) == pytest.approx(case[name], abs=1e-6), name


# -- R meta 4.11 metabin OR, DL + Hartung–Knapp ----------------------------------------------------

def test_metabin_or_dl_hk_matches_r_meta() -> None:
    rows = _rows("metabin_or_dl_hk_inputs.csv")
    expected = _expected("metabin_or_dl_hk_expected.json")
    e, ne, c, nc = (np.array([float(r[k]) for r in rows]) for k in ("event_e", "n_e", "event_c", "n_c"))
    yi, vi = effects_from_2x2("OR", e, ne - e, c, nc - c)
    study, pooled = expected["study_level"], expected["pooled"]
    np.testing.assert_allclose(yi, study["TE"], rtol=1e-10)
    np.testing.assert_allclose(np.sqrt(vi), study["seTE"], rtol=1e-10)

    fixed = pool(yi, vi, method="FE")
    np.testing.assert_allclose(
        [fixed.estimate, fixed.se, fixed.ci_low, fixed.ci_high, fixed.statistic, fixed.pvalue, fixed.q],
        [pooled[k] for k in ("TE_fixed", "seTE_fixed", "lower_fixed", "upper_fixed", "zval_fixed",
                             "pval_fixed", "Q")], rtol=1e-10)
    np.testing.assert_allclose(np.array(fixed.weights) / 100, np.array(study["w_fixed"]) / sum(study["w_fixed"]),
                               rtol=1e-10)

    random = pool(yi, vi, method="DL", hk=True, prediction="meta")
    got = [random.estimate, random.se, random.ci_low, random.ci_high, random.statistic, random.pvalue,
           random.tau2, random.tau, random.q_pvalue, random.i2 / 100, math.sqrt(random.q / random.q_df),
           math.sqrt(random.se**2 + random.tau2), random.pi_low, random.pi_high]
    want = [pooled[k] for k in ("TE_random", "seTE_random_hk", "lower_random", "upper_random", "tval_random",
                                "pval_random", "tau2", "tau", "pval_Q", "I2_fraction", "H", "seTE_predict",
                                "lower_predict", "upper_predict")]
    np.testing.assert_allclose(got, want, rtol=1e-10)
    assert random.df == pooled["df_hakn"]
    np.testing.assert_allclose(np.array(random.weights) / 100,
                               np.array(study["w_random"]) / sum(study["w_random"]), rtol=1e-10)


# -- dat.bcg (Colditz 1994): metafor / Stata metan, 4-decimal print-outs ------------------------------

def _bcg(measure: str) -> tuple[np.ndarray, np.ndarray]:
    rows = _rows("bcg_colditz1994_inputs.csv")
    counts = [[float(r[k]) for r in rows] for k in ("tpos", "tneg", "cpos", "cneg")]
    return effects_from_2x2(measure, *counts)


_BCG_FIELDS = {"beta": "estimate", "ci_lb": "ci_low", "ci_ub": "ci_high", "se": "se", "tau2": "tau2",
               "QE": "q", "tau": "tau", "H2": "h2", "se_tau2": "se_tau2"}


def _bcg_cases() -> list[dict]:
    file = SHARED.joinpath(*REFERENCE, "bcg_colditz1994_expected.json")
    if not file.exists():
        return [{"id": "missing"}]
    return [c for c in json.loads(file.read_text(encoding="utf-8"))["cases"] if not c.get("optional")]


@pytest.mark.parametrize("case", _bcg_cases(), ids=lambda c: c["id"])
def test_bcg_matches_metafor(case: dict) -> None:
    if case["id"] == "missing":
        shared_path(*REFERENCE, "bcg_colditz1994_expected.json")
    method = case["method"].split(" ")[0]
    hk = case["test"].startswith("knha")
    yi, vi = _bcg(case["measure"])
    result = pool(yi, vi, method=method, hk=hk, measure=case["measure"], prediction="metafor")
    for name, attr in _BCG_FIELDS.items():
        if name in case:
            tol = 5e-3 if name == "H2" else 5e-5
            assert getattr(result, attr) == pytest.approx(case[name], abs=tol), name
    stat = case.get("zval", case.get("tval"))
    assert result.statistic == pytest.approx(stat, abs=5e-5)
    if "I2_percent" in case:
        tol = 5e-3 if method == "REML" else 5e-5
        assert result.i2 == pytest.approx(case["I2_percent"], abs=tol)
    if "pval" in case:
        assert result.pvalue == pytest.approx(case["pval"], abs=5e-5)
    for name, attr in [("exp_pred", "estimate"), ("exp_ci_lb", "ci_low"), ("exp_ci_ub", "ci_high")]:
        if name in case:
            assert math.exp(getattr(result, attr)) == pytest.approx(case[name], abs=5e-5), name
    if "predict_exp_2dp" in case:
        p = case["predict_exp_2dp"]
        got = [math.exp(x) for x in (result.estimate, result.ci_low, result.ci_high, result.pi_low, result.pi_high)]
        np.testing.assert_allclose(got, [p[k] for k in ("pred", "ci_lb", "ci_ub", "pi_lb", "pi_ub")], atol=5e-3)


# -- CI → SE ---------------------------------------------------------------------------------------

def test_ci_to_se_examples() -> None:
    for row in _rows("ci_to_se_examples.csv"):
        y, se = effect_from_ci(float(row["estimate"]), float(row["ci_lower"]), float(row["ci_upper"]),
                               measure=row["measure"], level=float(row["level"]))
        if row["id"].startswith("metabin"):
            assert y == pytest.approx(float(row["expected_log_estimate"]), rel=1e-12)
            assert se == pytest.approx(float(row["expected_se_log"]), rel=1e-12)
        else:  # printed to 6 dp
            assert y == pytest.approx(float(row["expected_log_estimate"]), abs=5e-7)
            assert se == pytest.approx(float(row["expected_se_log"]), abs=5e-7)


def test_bcg_or_q_profile_confidence_intervals() -> None:
    case = next(c for c in _expected("bcg_colditz1994_expected.json")["cases"] if c["id"] == "OR_REML_z")
    yi, vi = _bcg("OR")
    result = pool(yi, vi, method="REML", measure="OR")
    ci = case["confint_Qprofile"]
    # metafor's confint() finds the bounds with uniroot at tol ≈ 1.2e-4, printed to 4 dp.
    assert result.tau2_ci == pytest.approx(tuple(ci["tau2"]), abs=1.5e-4)
    assert result.i2_ci == pytest.approx(tuple(ci["I2_percent"]), abs=5e-3)
    assert [math.sqrt(t) for t in result.tau2_ci] == pytest.approx(ci["tau"], abs=1.5e-4)
