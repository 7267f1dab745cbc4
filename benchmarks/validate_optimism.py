"""Harrell's bootstrap optimism of the predictive check's C-statistics, on the synthetic demo cohort.

``review validate predictive`` reports apparent performance (docs/validate.md): the predictor is the
instrument's profile, fixed before the data, so refitting a one-predictor model cannot reorder the
clients. This measures what Harrell's optimism correction (Harrell, Lee & Mark 1996; refit on each
resample, C on the resample minus C of that fit on the original data) would subtract, for the ROC AUC
of a logistic model and Harrell's C of a Cox model on the profile indication and on the profile score,
over several demo seeds. Prints a table and one JSON line.

    python benchmarks/validate_optimism.py [--resamples 200] [--seeds 20261204 1 2]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import statsmodels.api as sm
from lifelines import CoxPHFitter
from lifelines.utils import concordance_index
from sklearn.metrics import roc_auc_score

from review.validate.demo import write_demo_data
from review.validate.predictive import INDICATION_ORDER


def _logistic_c(x_fit: np.ndarray, y_fit: np.ndarray, x_eval: np.ndarray, y_eval: np.ndarray) -> float:
    fit = sm.Logit(y_fit, sm.add_constant(x_fit)).fit(disp=0)
    return float(roc_auc_score(y_eval, fit.predict(sm.add_constant(x_eval))))


def _cox_beta(t: np.ndarray, e: np.ndarray, x: np.ndarray) -> float:
    return float(CoxPHFitter().fit(pd.DataFrame({"t": t, "e": e, "x": x}), "t", "e").params_["x"])


def optimism(x: np.ndarray, y: np.ndarray, t: np.ndarray, resamples: int, seed: int) -> dict[str, float]:
    rng = np.random.default_rng(seed)
    auc, harrell = [], []
    for _ in range(resamples):
        i = rng.integers(0, len(y), len(y))
        auc.append(_logistic_c(x[i], y[i], x[i], y[i]) - _logistic_c(x[i], y[i], x, y))
        beta = _cox_beta(t[i], y[i], x[i])
        harrell.append(concordance_index(t[i], -beta * x[i], y[i]) - concordance_index(t, -beta * x, y))
    return {"auc_apparent": _logistic_c(x, y, x, y), "auc_optimism": float(np.mean(auc)),
            "auc_boot_sd": float(np.std(auc)),
            "harrell_apparent": float(concordance_index(t, -_cox_beta(t, y, x) * x, y)),
            "harrell_optimism": float(np.mean(harrell)), "harrell_boot_sd": float(np.std(harrell))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resamples", type=int, default=200)
    parser.add_argument("--seeds", type=int, nargs="+", default=[20261204, 1, 2])
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for seed in args.seeds:
            folder = Path(tmp) / str(seed)
            write_demo_data(folder, seed)
            cohort = pd.read_csv(folder / "synthetic_cohort.csv", comment="#")
            cohort = cohort[cohort["profile_indication"].isin(INDICATION_ORDER)]
            y = cohort["recurrence"].to_numpy(int)
            t = cohort["days_to_recurrence"].to_numpy(float)
            for predictor, x in (("profile_indication", cohort["profile_indication"].map(INDICATION_ORDER)),
                                 ("profile_score", cohort["profile_score"])):
                result = optimism(x.to_numpy(float), y, t, args.resamples, seed)
                rows.append({"seed": seed, "predictor": predictor, "n": len(y), **result})
    print(f"{'seed':>9} {'predictor':<19} {'n':>4} {'AUC':>6} {'optim.':>7} {'boot sd':>7} "
          f"{'Harrell':>7} {'optim.':>7} {'boot sd':>7}")
    for r in rows:
        print(f"{r['seed']:>9} {r['predictor']:<19} {r['n']:>4} {r['auc_apparent']:>6.3f} {r['auc_optimism']:>+7.4f} "
              f"{r['auc_boot_sd']:>7.4f} {r['harrell_apparent']:>7.3f} {r['harrell_optimism']:>+7.4f} "
              f"{r['harrell_boot_sd']:>7.4f}")
    worst = max(abs(r[k]) for r in rows for k in ("auc_optimism", "harrell_optimism"))
    print(json.dumps({"benchmark": "validate_optimism", "resamples": args.resamples, "seeds": args.seeds,
                      "max_abs_optimism": round(worst, 5), "rows": rows}))


if __name__ == "__main__":
    main()
