"""The Newton SVM against liblinear on the fits of real simulations (decision 0017, clause 1).

For each named set and seed, runs ``simulate()`` with model ``svm-newton`` and keeps every fit it
makes (training rows, labels, costs, and the warm start the simulation passed). On every
``--every``-th of those fits it then solves the same problem with liblinear as engine version 3
does (``_linear_svc``: dual coordinate descent, tol 1e-4) and with the Newton solver warm as in the
simulation and cold from zero, and compares the objective values
f(w) = ½‖w‖² + Σ Cᵢ max(0, 1 − yᵢ w·x̃ᵢ)² and the CPU per fit.

Usage:
    python benchmarks/svm_solver.py                        # 4 sets, seeds 1 2, every 3rd fit
    python benchmarks/svm_solver.py --sets kwok2020_virus --seeds 1 --every 1

Prints a table per set and seed and one JSON line (``BENCH {...}``).
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import numpy as np

from review.screening import svm_newton
from review.screening.features import build_features
from review.screening.models import SVM_C, _linear_svc
from review.screening.simulate import load_labelled_csv, simulate

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("REVIEW_SHARED", REPO.parent / "shared"))
DATA_DIR = SHARED / "data" / "screening"
#: The largest set, the one most relevant records are found late in, a small one and a dense one.
SETS = ("kwok2020_virus", "cohen2006_skeletalmusclerelaxants", "nagtegaal2019_nudging", "cohen2006_adhd")


def simulation_fits(name: str, seed: int) -> list[tuple]:
    """Every fit of a ``svm-newton`` simulation: (X, y ±1, costs, warm start or None)."""
    data = load_labelled_csv(DATA_DIR / f"{name}.csv")
    features = build_features(data.ids, data.texts)
    fits: list[tuple] = []
    solve = svm_newton.solve

    def recording(X, y, costs, start=None, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        fits.append((X, np.array(y), np.array(costs), None if start is None else np.array(start)))
        return solve(X, y, costs, start=start, **kwargs)

    svm_newton.solve = recording  # type: ignore[assignment]
    try:
        simulate(data, seed=seed, features=features, model="svm-newton")
    finally:
        svm_newton.solve = solve  # type: ignore[assignment]
    return fits


def compare(fits: list[tuple], seed: int) -> dict:
    """Objectives and CPU of liblinear, warm Newton and cold Newton on the same fits."""
    gaps_warm, gaps_cold, cpu = [], [], {"liblinear": 0.0, "newton_warm": 0.0, "newton_cold": 0.0}
    steps, cg, n_rows = [], [], []
    for X, y, costs, start in fits:
        labels = (y > 0).astype(np.int64)
        clock = time.process_time()
        coef, intercept = _linear_svc(X, labels, SVM_C, seed, costs / SVM_C)
        cpu["liblinear"] += time.process_time() - clock
        clock = time.process_time()
        warm = svm_newton.solve(X, y, costs, start=start)
        cpu["newton_warm"] += time.process_time() - clock
        clock = time.process_time()
        cold = svm_newton.solve(X, y, costs)
        cpu["newton_cold"] += time.process_time() - clock
        reference = svm_newton.objective(X, y, costs, np.append(coef.ravel(), intercept[0]))
        gaps_warm.append((svm_newton.objective(X, y, costs, warm.weights) - reference) / reference)
        gaps_cold.append((svm_newton.objective(X, y, costs, cold.weights) - reference) / reference)
        steps.append(warm.newton_steps)
        cg.append(warm.cg_steps)
        n_rows.append(X.shape[0])
    warm_gaps, cold_gaps = np.array(gaps_warm), np.array(gaps_cold)
    return {
        "n_fits": len(fits), "rows_min": min(n_rows), "rows_max": max(n_rows),
        "max_rel_gap_warm": float(warm_gaps.max()), "median_rel_gap_warm": float(np.median(warm_gaps)),
        "fits_above_liblinear_warm": int((warm_gaps > 0).sum()),
        "fits_above_1e-6_warm": int((warm_gaps > 1e-6).sum()),
        "max_rel_gap_cold": float(cold_gaps.max()), "fits_above_liblinear_cold": int((cold_gaps > 0).sum()),
        "newton_steps_mean": float(np.mean(steps)), "newton_steps_max": int(max(steps)),
        "cg_steps_mean": float(np.mean(cg)), "cpu_ms_per_fit": {k: round(1000 * v / len(fits), 2) for k, v in cpu.items()},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", nargs="+", default=list(SETS))
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--every", type=int, default=3, help="Compare every n-th fit of each simulation.")
    args = parser.parse_args()
    rows = {}
    print(f"{'set':<34} {'seed':>4} {'fits':>5} {'rows':>10} {'max gap warm':>13} {'>lib':>5} {'max gap cold':>13}"
          f" {'>lib':>5} {'newton':>7} {'cg':>6} {'ms liblinear':>12} {'warm':>6} {'cold':>6}")
    for name in args.sets:
        for seed in args.seeds:
            row = compare(simulation_fits(name, seed)[::args.every], seed)
            rows[f"{name}:{seed}"] = row
            ms = row["cpu_ms_per_fit"]
            print(f"{name:<34} {seed:>4} {row['n_fits']:>5} {row['rows_min']:>4}-{row['rows_max']:<5}"
                  f" {row['max_rel_gap_warm']:>13.2e} {row['fits_above_liblinear_warm']:>5}"
                  f" {row['max_rel_gap_cold']:>13.2e} {row['fits_above_liblinear_cold']:>5}"
                  f" {row['newton_steps_mean']:>7.2f} {row['cg_steps_mean']:>6.1f}"
                  f" {ms['liblinear']:>12.2f} {ms['newton_warm']:>6.2f} {ms['newton_cold']:>6.2f}", flush=True)
    print("gap = (f(Newton) - f(liblinear)) / f(liblinear); > 0 means liblinear's objective is lower")
    print("BENCH " + json.dumps({"benchmark": "svm_solver", "tolerance": svm_newton.TOLERANCE, "every": args.every,
                                 "runs": rows}))


if __name__ == "__main__":
    main()
