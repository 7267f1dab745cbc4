"""Agreement of review.synthesis.meta with metafor / R meta on ../shared/data/meta_reference, and speed.

Prints a table (set, cases, compared values, max abs difference, tolerance) and one JSON line.
Bounded: one pass over the reference sets plus 2,000 REML+HK pools of k = 10.
"""

from __future__ import annotations

import csv
import json
import math
import os
import sys
import time
from pathlib import Path

import numpy as np

from review.synthesis.meta import effect_from_ci, effects_from_2x2, pool

REF = Path(os.environ.get("REVIEW_SHARED", Path(__file__).resolve().parents[2] / "shared")) / "data" / "meta_reference"


def rows(name: str) -> list[dict[str, str]]:
    with (REF / name).open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def load(name: str) -> dict:
    return json.loads((REF / name).read_text(encoding="utf-8"))


def diffs(pairs: list[tuple[float, float]]) -> float:
    return max(abs(a - b) for a, b in pairs)


def small_sample() -> tuple[int, int, float, float]:
    data = rows("metafor_small_sample_inputs.csv")
    worst_closed, worst_iter, n = 0.0, 0.0, 0
    cases = load("metafor_small_sample_expected.json")["cases"]
    for c in cases:
        y = [float(r["y"]) for r in data if r["case"] == c["design"]]
        v = [float(r["v"]) for r in data if r["case"] == c["design"]]
        r = pool(y, v, method=c["method"], hk=c["test"] == "knha", prediction="metafor")
        pairs = [(r.tau2, c["tau2"]), (r.estimate, c["beta"][0]), (r.se, c["se"][0]), (r.ci_low, c["ci_lb"][0]),
                 (r.ci_high, c["ci_ub"][0]), (r.pvalue, c["pval"][0])]
        n += len(pairs)
        if c["method"] in ("FE", "DL"):
            worst_closed = max(worst_closed, diffs(pairs))
        else:
            worst_iter = max(worst_iter, diffs(pairs))
    return len(cases), n, worst_closed, worst_iter


def kacker() -> tuple[int, int, float, float]:
    data = rows("kacker2004_inputs.csv")
    y, v = [float(r["y"]) for r in data], [float(r["v"]) for r in data]
    worst_closed, worst_pm, n = 0.0, 0.0, 0
    cases = load("kacker2004_expected.json")["cases"]
    for c in cases:
        method = c["method"].split(" ")[0]
        r = pool(y, v, method=method, hk=c["test"] == "knha", measure="MD", prediction="metafor")
        pairs = [(r.estimate, c["beta"]), (r.se, c["se"]), (r.ci_low, c["ci_lb"]), (r.ci_high, c["ci_ub"])]
        pairs += [(r.tau2, c["tau2"])] if "tau2" in c else []
        pairs += [(r.q, c["QE"]), (r.i2, c["I2_percent"]), (r.h2, c["H2"])] if "QE" in c else []
        n += len(pairs)
        if method == "PM":
            worst_pm = max(worst_pm, diffs(pairs))
        else:
            worst_closed = max(worst_closed, diffs(pairs))
    return len(cases), n, worst_closed, worst_pm


def metabin() -> tuple[int, float, float]:
    data = rows("metabin_or_dl_hk_inputs.csv")
    e, ne, c, nc = (np.array([float(r[k]) for r in data]) for k in ("event_e", "n_e", "event_c", "n_c"))
    yi, vi = effects_from_2x2("OR", e, ne - e, c, nc - c)
    p = load("metabin_or_dl_hk_expected.json")["pooled"]
    fe = pool(yi, vi, method="FE")
    re = pool(yi, vi, method="DL", hk=True, prediction="meta")
    pairs = [(fe.estimate, p["TE_fixed"]), (fe.se, p["seTE_fixed"]), (fe.ci_low, p["lower_fixed"]),
             (fe.ci_high, p["upper_fixed"]), (fe.q, p["Q"]), (re.estimate, p["TE_random"]),
             (re.se, p["seTE_random_hk"]), (re.ci_low, p["lower_random"]), (re.ci_high, p["upper_random"]),
             (re.tau2, p["tau2"]), (re.i2 / 100, p["I2_fraction"]), (re.pi_low, p["lower_predict"]),
             (re.pi_high, p["upper_predict"]), (re.pvalue, p["pval_random"])]
    return len(pairs), diffs(pairs), max(abs(a - b) / abs(b) for a, b in pairs if b)


def bcg() -> tuple[int, int, float, float]:
    data = rows("bcg_colditz1994_inputs.csv")
    counts = [[float(r[k]) for r in data] for k in ("tpos", "tneg", "cpos", "cneg")]
    worst4, worst2, n, used = 0.0, 0.0, 0, 0
    for c in load("bcg_colditz1994_expected.json")["cases"]:
        if c.get("optional"):
            continue
        used += 1
        yi, vi = effects_from_2x2(c["measure"], *counts)
        r = pool(yi, vi, method=c["method"].split(" ")[0], hk=c["test"].startswith("knha"), prediction="metafor")
        four = [(r.estimate, c["beta"]), (r.ci_low, c["ci_lb"]), (r.ci_high, c["ci_ub"])]
        four += [(getattr(r, a), c[k]) for k, a in (("se", "se"), ("tau2", "tau2"), ("QE", "q"), ("se_tau2", "se_tau2"))
                 if k in c]
        two = [(r.i2, c["I2_percent"])] if "I2_percent" in c else []
        two += [(r.h2, c["H2"])] if "H2" in c else []
        if "predict_exp_2dp" in c:
            q = c["predict_exp_2dp"]
            two += [(math.exp(r.pi_low), q["pi_lb"]), (math.exp(r.pi_high), q["pi_ub"])]
        if c["method"].startswith("REML"):
            two += [(r.i2, c["I2_percent"])]
        else:
            four += [(r.i2, c["I2_percent"])] if "I2_percent" in c else []
        n += len(four) + len(two)
        worst4 = max(worst4, diffs(four))
        worst2 = max(worst2, diffs(two)) if two else worst2
    return used, n, worst4, worst2


def ci_to_se() -> tuple[int, float]:
    worst = 0.0
    data = rows("ci_to_se_examples.csv")
    for r in data:
        y, se = effect_from_ci(float(r["estimate"]), float(r["ci_lower"]), float(r["ci_upper"]), measure=r["measure"])
        worst = max(worst, abs(y - float(r["expected_log_estimate"])), abs(se - float(r["expected_se_log"])))
    return len(data), worst


def speed() -> float:
    rng = np.random.default_rng(7)
    start = time.perf_counter()
    for _ in range(2000):
        v = rng.uniform(0.01, 0.5, 10)
        pool(rng.normal(0.3, 0.4, 10), v, method="REML", hk=True)
    return 2000 / (time.perf_counter() - start)


def main() -> int:
    if not REF.is_dir():
        print(f"reference data missing: {REF}", file=sys.stderr)
        return 1
    s_cases, s_n, s_closed, s_iter = small_sample()
    k_cases, k_n, k_closed, k_pm = kacker()
    m_n, m_abs, m_rel = metabin()
    b_cases, b_n, b4, b2 = bcg()
    c_n, c_worst = ci_to_se()
    table = [
        ("metafor_small_sample FE/DL", s_cases // 2, s_n // 2, s_closed, "rtol 1e-10"),
        ("metafor_small_sample ML/REML", s_cases // 2, s_n // 2, s_iter, "tau2 5e-5, rest 1e-4"),
        ("kacker2004 FE/DL (+knha)", k_cases - 1, k_n, k_closed, "1e-8"),
        ("kacker2004 PM", 1, 0, k_pm, "1e-6"),
        ("metabin_or_dl_hk (R meta)", 2, m_n, m_abs, f"rtol 1e-10 (max rel {m_rel:.1e})"),
        ("bcg_colditz1994 4-dp values", b_cases, b_n, b4, "5e-5"),
        ("bcg_colditz1994 2-dp values", b_cases, 0, b2, "5e-3"),
        ("ci_to_se_examples", c_n, 2 * c_n, c_worst, "1e-12 exact / 5e-7 6-dp"),
    ]
    rate = speed()
    print(f"{'reference set':<32} {'cases':>5} {'values':>6} {'max |diff|':>11}  tolerance")
    for name, cases, n, worst, tol in table:
        print(f"{name:<32} {cases:>5} {n if n else '':>6} {worst:>11.2e}  {tol}")
    print(f"REML + HK pools per second (k = 10): {rate:,.0f}")
    print(json.dumps({"benchmark": "meta_agreement", "max_abs_diff": {t[0]: t[3] for t in table},
                      "reml_hk_pools_per_second": round(rate)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
