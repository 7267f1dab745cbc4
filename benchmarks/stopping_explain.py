"""Why does the classifier part of ``relevance_rate_classifier`` not stop in time? (decision 0030)

Reads the evidence ``stopping_classifier.py collect`` stored (no simulation) and, per set, looks at the
incumbent rule (decision 0029: the Platt-calibrated classifier's Poisson count at P(left ≤ k*) ≥ 0.80,
only where k* ≥ 1, from 20 % of N screened and where the Lomax P ≥ 0.1) from the record where 95 % recall
is reached to the Lomax stop:

- at the first stored check at or past that record: the classifier's expected count of relevant left
  against the true number left (their ratio, median over the runs with at least one left; where none is
  left the count itself). ``collect`` stores checks only from where the Lomax P reaches 0.1 (or 5 % of N),
  so on some runs that check is the stored window's first, later than the 95 % point (said per set);
- over the grid checks from there to the Lomax stop: which guard keeps the rule from stopping, first one
  that applies in the order share gate, Lomax gate (P ≥ 0.1), k* = 0, level (P(left ≤ k*) < 0.80). Grid
  checks before the stored window are counted from the grid and the Lomax curve (they are all gated);
- three floors against the incumbent's excess: *gates only* (stop at the first check past the gates,
  whatever the classifier says), *a count with the right mean* (stop at the first check past the gates
  where P(Poisson(true left) ≤ k*) ≥ 0.80: the rule with a classifier whose expected count is exact) and
  *oracle (target met)* (stop at the first check past the gates at which 95 % recall is in fact reached);
- where the count comes from: the share of the unscreened records scored below every screened record's
  out-of-fold score, and the share of the count from the unscreened records below every screened score
  and below the screened records' 5th percentile (the full fit's scores of the unscreened against the
  out-of-fold scores of the screened: their scales may differ; not measured here);
- (after decision 0030's development) the curve inside the screened records' low half: how many
  relevant records it holds at the 95 % point (median) and in how many runs its Platt slope is negative;
- the Platt count checked where labels exist: at the check ~10 % of N before, the count it gave for the
  records screened since (prequential), against the relevant records found among them.

    REVIEW_BENCH_CACHE=/work/bench-cache/stop6 python benchmarks/stopping_explain.py --seeds 1 2 3 4 5 6 7 8 9 10
    REVIEW_BENCH_CACHE=/work/bench-cache/stop6 python benchmarks/stopping_explain.py --cost

``--cost``: CPU per check of the incumbent's count (Platt fit, Poisson P), of decision 0030's
``low-laplace`` count (smoothed Platt on the low half, Laplace-carried) and of decision 0035's corrected
count (``xr-A-ln@0.8``: the Platt count, its features and the lognormal–Poisson mixture), on kwok2020_virus
seed 1 at the check at half of N; 200 repeats each.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
from scipy.special import pdtr

sys.path.insert(0, str(Path(__file__).resolve().parent))
import stopping_classifier as sc  # noqa: E402

from review.screening.ranker import ENGINE_VERSION  # noqa: E402
from review.screening.stopping_classifier import GATE_SHARE, check_step  # noqa: E402

INCUMBENT = "lomax-or-k0-lomax@0.8"
LEVEL = 0.80
BACK = 0.10
LOW_PERCENTILE = 5


def platt_count(out_of_fold: np.ndarray, labels: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """Each target record's Platt-calibrated probability (fit on the screened records' out-of-fold scores)."""
    return sc.calibrated("platt", out_of_fold.astype(float), labels.astype(float), targets.astype(float))


def unstored_grid_checks(ev: dict[str, Any], checks: list[int], need: int, lomax: int) -> dict[str, int]:
    """Grid checks from the 95 % point to the Lomax stop that ``collect`` did not store (before its window),
    by the guard that blocks them: the share gate, else the Lomax gate (else none: counted as ``other``)."""
    n, stored = ev["n"], set(checks)
    out = {"share": 0, "lomax_p": 0, "other": 0}
    step = check_step(n)
    for at in range(step, n, step):
        if at < need or at > lomax or at in stored:
            continue
        lomax_p = float(ev["curve"][at - ev["n_priors"] - 1]) if at > ev["n_priors"] else 0.0
        if at < int(GATE_SHARE * n):
            out["share"] += 1
        elif lomax_p < sc.WINDOW_START_P:
            out["lomax_p"] += 1
        else:
            out["other"] += 1
    return out


def explain_run(path: Path) -> dict[str, Any]:
    ev = sc.run_evidence(path, {"platt"})
    z = np.load(path)
    labels, n = ev["labels"], ev["n"]
    checks = [int(c) for c in z["checks"]]
    need = sc.needed(labels)
    lomax = sc._first_lomax(ev, sc.CONFIDENCE)
    incumbent = sc.rule_stop(ev, INCUMBENT)
    out: dict[str, Any] = {"n": n, "relevant": int(labels.sum()), "need": need, "lomax": lomax,
                           "incumbent": incumbent,
                           "blocked": {"share": 0, "lomax_p": 0, "k0": 0, "level": 0, "open": 0},
                           "unstored": unstored_grid_checks(ev, checks, need, lomax)}
    gates_floor = right_mean_floor = oracle_floor = lomax
    for i, row in enumerate(ev["rows"]):
        at = row["at"]
        if at > lomax:
            break
        gates = at >= int(GATE_SHARE * n) and row["lomax_p"] >= sc.WINDOW_START_P and row["k"] >= 1
        if gates and gates_floor == lomax:
            gates_floor = at
        if gates and right_mean_floor == lomax and pdtr(row["k"], max(row["left"], 1e-12)) >= LEVEL:
            right_mean_floor = at
        if gates and at >= need and oracle_floor == lomax:
            oracle_floor = at
        if at < need or np.isnan(z["scores"][i, 0]):
            continue
        if "count" not in out:
            out_of_fold, unscreened = z["scores"][i, :at], z["scores"][i, at:]
            probabilities = platt_count(out_of_fold, labels[:at], unscreened)
            expected = float(probabilities.sum())
            below_all = unscreened < out_of_fold.min()
            below_low = unscreened < np.percentile(out_of_fold, LOW_PERCENTILE)
            out.update(count=expected, left=int(row["left"]), read_at=at,
                       read_late=at > math.ceil(need / check_step(n)) * check_step(n),
                       below_all=float(below_all.mean()),
                       count_below_all=float(probabilities[below_all].sum()) / expected if expected > 0 else math.nan,
                       count_below_low=float(probabilities[below_low].sum()) / expected if expected > 0 else math.nan)
            low = out_of_fold <= np.median(out_of_fold)  # decision 0030's low half, after its run
            out["low_slope"] = sc.platt_smoothed(out_of_fold[low].astype(float), labels[:at][low].astype(float))[0]
            out["low_relevant"] = int(labels[:at][low].sum())
            back = [k for k, c in enumerate(checks) if c <= at - math.ceil(BACK * n) and c >= int(GATE_SHARE * n)]
            if back and not np.isnan(z["scores"][back[-1], 0]):
                j, at_j = back[-1], checks[back[-1]]
                since = platt_count(z["scores"][j, :at_j], labels[:at_j], z["scores"][j, at_j:at])
                out["prequential"] = (float(since.sum()), int(labels[at_j:at].sum()))
        blocked = out["blocked"]
        if at < int(GATE_SHARE * n):
            blocked["share"] += 1
        elif row["lomax_p"] < sc.WINDOW_START_P:
            blocked["lomax_p"] += 1
        elif row["k"] < 1:
            blocked["k0"] += 1
        elif row.get("p6:platt", 0.0) < LEVEL:
            blocked["level"] += 1
        else:
            blocked["open"] += 1
    out["floor_gates"] = (gates_floor - need) / n
    out["floor_right_mean"] = (right_mean_floor - need) / n
    out["floor_oracle"] = (oracle_floor - need) / n
    out["excess"] = (incumbent - need) / n
    return out


def count_cell(runs: list[dict[str, Any]]) -> tuple[str, float | None]:
    """The count ÷ true left (median over the runs with one left or more); where none is left, the count."""
    with_left = [r["count"] / r["left"] for r in runs if "count" in r and r["left"] >= 1]
    none_left = [r["count"] for r in runs if "count" in r and r["left"] == 0]
    late = sum(bool(r.get("read_late")) for r in runs)
    parts = []
    if with_left:
        parts.append(f"{np.median(with_left):.1f}")
    if none_left:
        parts.append(f"0 left in {len(none_left)} runs, count {np.median(none_left):.2f}")
    if late:
        parts.append(f"read at the window's start in {late} of {len(runs)} runs")
    return "; ".join(parts) or "—", float(np.median(with_left)) if with_left else None


def prequential_cell(pre: list[tuple[float, int]]) -> tuple[str, float | None]:
    """found ÷ counted over the runs with a check 10 % of N back, and which way the count errs there."""
    if not pre:
        return "— (no check 10 % back)", None
    expected, found = sum(e for e, _ in pre), sum(f for _, f in pre)
    if expected <= 0:  # nothing expected: the ratio is undefined, not 0
        return f"count 0, found {found} ({len(pre)} runs)", None
    ratio = found / expected
    if ratio == 0:
        way = "none found"
    elif ratio < 1:
        way = f"count {1 / ratio:.1f}× too high"
    else:
        way = f"count {ratio:.1f}× too low"
    return f"{ratio:.2f} ({len(pre)} runs; {way})", ratio


def measure_cost(repeats: int = 200) -> None:
    """CPU per check of the incumbent's count, decision 0030's low-laplace count and decision 0035's
    corrected count, one stored check."""
    path = sc.store_dir() / f"e{ENGINE_VERSION}-kwok2020_virus-seed1.npz"
    z = np.load(path)
    labels, checks = z["labels"], [int(c) for c in z["checks"]]
    n = labels.size
    i = min(range(len(checks)), key=lambda k: abs(checks[k] - n // 2))
    at = checks[i]
    out_of_fold, unscreened = z["scores"][i, :at].astype(float), z["scores"][i, at:].astype(float)
    y = labels[:at].astype(float)
    k_star = int(sc.most_left_for_target(int(y.sum()), sc.TARGET))
    n_priors = int(z["n_priors"])
    curve = sc.stopping_candidates.lomax_burnin_confidence(labels[n_priors:], found_before=int(labels[:n_priors].sum()))
    lomax_p = float(curve[at - n_priors - 1])
    # decision 0035's xr-A-ln@0.8 fit on all 15 sets (its results page): a session would carry these numbers;
    # the cost does not depend on them, and fitting them here would read 150 stored runs
    corrected_fit = {"form": "ln", "features": sc.ROUND10_FEATURES["A"],
                     "coef": np.array([-4.3568, -0.0657, 2.1673, 3.0249]), "sigma": 0.6068}
    timings = {}
    for name, count in (
        ("incumbent (Platt, Poisson)", lambda: sc.round6_p("platt", out_of_fold, y, unscreened, k_star,
                                                             n_total=n, n_priors=int(z["n_priors"]))),
        ("low-laplace (smoothed Platt on the low half, Laplace)",
         lambda: sc.subset_laplace_p("low", out_of_fold, y, unscreened, k_star)),
        ("corrected (xr-A-ln@0.8: Platt count, features, lognormal-Poisson mixture)",
         lambda: sc.round10_p(corrected_fit, sc.round10_observables(at, n, lomax_p, out_of_fold, y, unscreened),
                              k_star)),
    ):
        count()  # warm: imports and caches outside the timing
        t0 = time.process_time()
        for _ in range(repeats):
            count()
        timings[name] = (time.process_time() - t0) / repeats * 1000
    print(f"kwok2020_virus seed 1, check at {at} of {n} ({n - at} unscreened), k* = {k_star}, {repeats} repeats:")
    for name, ms in timings.items():
        print(f"  {name}: {ms:.2f} ms of CPU per check")
    print("BENCH " + json.dumps({"benchmark": "stopping_explain_cost", "engine": ENGINE_VERSION, "at": at, "n": n,
                                 "repeats": repeats, "ms_per_check": timings}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=list(range(1, 11)))
    parser.add_argument("--cost", action="store_true", help="time the two counts on one stored check instead")
    args = parser.parse_args()
    if args.cost:
        measure_cost()
        return
    sets = sorted(p.stem for p in sc.screening_dev.DATA_DIR.glob("*.csv"))
    print("| set | N | R | 95 % at (share of N) | Lomax stop | incumbent stop | classifier's count ÷ true left "
          "at the first stored check from the 95 % point (median) | unscreened below every screened score | "
          "share of the count below every screened score | share of the count below the screened 5th percentile | "
          "checks 95 % → Lomax stop: share / Lomax P / k* = 0 / level / open | of them before the stored window: "
          "share / Lomax P | floor, gates only | floor, a count with the right mean | floor, oracle (target met) | "
          "incumbent excess | found ÷ Platt count, records screened since the check 10 % of N back | "
          "low half of the screened: relevant, Platt slope < 0 |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    summary: dict[str, Any] = {}
    all_runs: list[dict[str, Any]] = []
    for set_name in sets:
        runs = [explain_run(sc.store_dir() / f"e{ENGINE_VERSION}-{set_name}-seed{seed}.npz") for seed in args.seeds]
        all_runs += runs
        n = runs[0]["n"]
        blocked = {k: sum(r["blocked"][k] for r in runs) + sum(r["unstored"].get(k, 0) for r in runs)
                   for k in runs[0]["blocked"]}
        unstored = {k: sum(r["unstored"][k] for r in runs) for k in runs[0]["unstored"]}
        ratio_text, ratio = count_cell(runs)
        pre_text, pre_ratio = prequential_cell([r["prequential"] for r in runs if "prequential" in r])
        read = [r for r in runs if "count" in r]
        slopes = [r["low_slope"] for r in read]
        s = {"n": n, "relevant": runs[0]["relevant"], "need": float(np.mean([r["need"] / n for r in runs])),
             "lomax": float(np.mean([r["lomax"] / n for r in runs])),
             "incumbent": float(np.mean([r["incumbent"] / n for r in runs])),
             "count_per_left": ratio, "runs_none_left": sum(r["left"] == 0 for r in read),
             "runs_read_late": sum(bool(r["read_late"]) for r in read),
             "below_all": float(np.mean([r["below_all"] for r in read])),
             "count_below_all": float(np.nanmean([r["count_below_all"] for r in read])),
             "count_below_low": float(np.nanmean([r["count_below_low"] for r in read])),
             "blocked": blocked, "unstored": unstored,
             "floor_gates": float(np.mean([r["floor_gates"] for r in runs])),
             "floor_right_mean": float(np.mean([r["floor_right_mean"] for r in runs])),
             "floor_oracle": float(np.mean([r["floor_oracle"] for r in runs])),
             "excess": float(np.mean([r["excess"] for r in runs])),
             "prequential_found_per_expected": pre_ratio, "prequential_runs": sum("prequential" in r for r in runs),
             "low_relevant": float(np.median([r["low_relevant"] for r in read])),
             "low_slope_negative": sum(x < 0 for x in slopes), "low_slope_runs": len(slopes)}
        summary[set_name] = s
        print(f"| {set_name} | {n} | {s['relevant']} | {s['need']:.2f} | {s['lomax']:.2f} | {s['incumbent']:.2f} | "
              f"{ratio_text} | {s['below_all']:.2f} | {s['count_below_all']:.2f} | {s['count_below_low']:.2f} | "
              f"{blocked['share']} / {blocked['lomax_p']} / {blocked['k0']} / {blocked['level']} / {blocked['open']} | "
              f"{unstored['share']} / {unstored['lomax_p']} | {s['floor_gates']:+.3f} | {s['floor_right_mean']:+.3f} | "
              f"{s['floor_oracle']:+.3f} | {s['excess']:+.3f} | {pre_text} | "
              f"{s['low_relevant']:.0f}, {s['low_slope_negative']} of {len(slopes)} runs |")
    means = {}
    for stratum, runs in (("all", all_runs), ("large", [r for r in all_runs if r["n"] >= sc.LARGE])):
        means[stratum] = {key: float(np.mean([r[key] for r in runs]))
                          for key in ("floor_gates", "floor_right_mean", "floor_oracle", "excess")}
    a, b = means["all"], means["large"]
    print(f"| **mean** (≥ {sc.LARGE:,}) | | | | | | | | | | | | {a['floor_gates']:+.3f} ({b['floor_gates']:+.3f}) | "
          f"{a['floor_right_mean']:+.3f} ({b['floor_right_mean']:+.3f}) | {a['floor_oracle']:+.3f} "
          f"({b['floor_oracle']:+.3f}) | {a['excess']:+.3f} ({b['excess']:+.3f}) | | |")
    print("BENCH " + json.dumps({"benchmark": "stopping_explain", "engine": ENGINE_VERSION, "seeds": args.seeds,
                                 "means": means, "sets": summary}))


if __name__ == "__main__":
    sys.exit(main())
