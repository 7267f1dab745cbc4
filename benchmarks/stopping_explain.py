"""Why does the classifier part of ``relevance_rate_classifier`` not stop in time? (decision 0030)

Reads the evidence ``stopping_classifier.py collect`` stored (no simulation) and, per set, looks at the
incumbent rule (decision 0029: the Platt-calibrated classifier's Poisson count at P(left ≤ k*) ≥ 0.80,
only where k* ≥ 1, from 20 % of N screened and where the Lomax P ≥ 0.1) from the record where 95 % recall
is reached to the Lomax stop:

- at the first stored check at or past that record: the classifier's expected count of relevant left
  against the true number left (their ratio, median over the seeds);
- over the checks from there to the Lomax stop: which guard keeps the rule from stopping, first one
  that applies in the order share gate, Lomax gate (P ≥ 0.1), k* = 0, level (P(left ≤ k*) < 0.80);
- two floors: *gates only* (the rule stopping at the first check past its gates, whatever the
  classifier says) and *a right classifier* (stopping at the first check past its gates at which the
  target is in fact met), against the incumbent's excess;
- where the calibration's data lie: the share of the unscreened records whose score is below every
  screened record's out-of-fold score (the Platt curve is extrapolated there);
- (after decision 0030's development) the curve inside the screened records' low half: how many
  relevant records it holds at the 95 % point (median) and in how many runs its Platt slope is negative;
- the Platt count checked where labels exist: at the check ~10 % of N before, the count it gave for the
  records screened since (prequential), against the relevant records found among them.

    REVIEW_BENCH_CACHE=/work/bench-cache/stop6 python benchmarks/stopping_explain.py --seeds 1 2 3 4 5 6 7 8 9 10
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import stopping_classifier as sc  # noqa: E402

from review.screening.ranker import ENGINE_VERSION  # noqa: E402
from review.screening.stopping_classifier import GATE_SHARE, platt_fit  # noqa: E402

INCUMBENT = "lomax-or-k0-lomax@0.8"
LEVEL = 0.80
BACK = 0.10


def platt_sum(scores: np.ndarray, labels: np.ndarray, at: int, rows: slice | None = None) -> float:
    """The Platt-calibrated sum over the unscreened (or ``rows`` of the check's score row)."""
    from scipy.special import expit

    out_of_fold = scores[:at].astype(float)
    slope, intercept = platt_fit(out_of_fold, labels[:at].astype(float))
    target = scores[at:] if rows is None else scores[rows]
    return float(expit(slope * target.astype(float) + intercept).sum())


def explain_run(path: Path) -> dict[str, Any]:
    ev = sc.run_evidence(path, {"platt"})
    z = np.load(path)
    labels, n = ev["labels"], ev["n"]
    checks = [int(c) for c in z["checks"]]
    need = sc.needed(labels)
    lomax = sc._first_lomax(ev, sc.CONFIDENCE)
    incumbent = sc.rule_stop(ev, INCUMBENT)
    out: dict[str, Any] = {"n": n, "need": need, "lomax": lomax, "incumbent": incumbent,
                           "blocked": {"share": 0, "lomax_p": 0, "k0": 0, "level": 0, "open": 0}}
    gates_floor = right_floor = lomax
    for i, row in enumerate(ev["rows"]):
        at = row["at"]
        if at > lomax:
            break
        gates = at >= int(GATE_SHARE * n) and row["lomax_p"] >= sc.WINDOW_START_P and row["k"] >= 1
        if gates and gates_floor == lomax:
            gates_floor = at
        if gates and at >= need and right_floor == lomax:
            right_floor = at
        if at < need or np.isnan(z["scores"][i, 0]):
            continue
        if "ratio" not in out:
            expected = platt_sum(z["scores"][i], labels, at)
            out["ratio"] = expected / max(row["left"], 0.5)
            out_of_fold = z["scores"][i, :at]
            out["below_all"] = float(np.mean(z["scores"][i, at:] < out_of_fold.min()))
            out["below_median_irrelevant"] = float(np.mean(
                z["scores"][i, at:] < np.median(out_of_fold[labels[:at] == 0])))
            low = out_of_fold <= np.median(out_of_fold)  # decision 0030's low half, after its run
            low_labels = labels[:at][low]
            positives, negatives = float(low_labels.sum()), float(low_labels.size - low_labels.sum())
            targets = np.where(low_labels > 0, (positives + 1) / (positives + 2), 1 / (negatives + 2))
            out["low_slope"] = platt_fit(out_of_fold[low].astype(float), targets)[0]
            out["low_relevant"] = int(positives)
            back = [k for k, c in enumerate(checks) if c <= at - math.ceil(BACK * n) and c >= int(GATE_SHARE * n)]
            if back and not np.isnan(z["scores"][back[-1], 0]):
                j, at_j = back[-1], checks[back[-1]]
                out["prequential"] = (platt_sum(z["scores"][j], labels, at_j, slice(at_j, at)),
                                      int(labels[at_j:at].sum()))
                out["whole"] = (expected, int(row["left"]))
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
    out["floor_gates"], out["floor_right"] = (gates_floor - need) / n, (right_floor - need) / n
    out["excess"] = (incumbent - need) / n
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=list(range(1, 11)))
    args = parser.parse_args()
    sets = sorted(p.stem for p in sc.screening_dev.DATA_DIR.glob("*.csv"))
    print("| set | N | R | 95 % at (share of N) | Lomax stop | incumbent stop | classifier's count ÷ true left "
          "at the 95 % point (median) | unscreened below every screened score | checks 95 % → Lomax stop: "
          "share / Lomax P / k* = 0 / level / open | floor, gates only | floor, a right classifier | "
          "incumbent excess | found ÷ Platt count, records screened since the check 10 % of N back | "
          "Platt count ÷ true left, all unscreened | low half of the screened: relevant, Platt slope < 0 |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    summary = {}
    for set_name in sets:
        runs = [explain_run(sc.store_dir() / f"e{ENGINE_VERSION}-{set_name}-seed{seed}.npz") for seed in args.seeds]
        n = runs[0]["n"]
        labels_total = int(np.load(sc.store_dir() / f"e{ENGINE_VERSION}-{set_name}-seed{args.seeds[0]}.npz")["labels"].sum())
        blocked = {k: sum(r["blocked"][k] for r in runs) for k in runs[0]["blocked"]}
        ratios = [r["ratio"] for r in runs if "ratio" in r]
        pre = [r["prequential"] for r in runs if "prequential" in r]
        whole = [r["whole"] for r in runs if "whole" in r]
        pre_ratio = sum(e for e, _ in pre) and sum(f for _, f in pre) / sum(e for e, _ in pre)
        whole_ratio = sum(e for e, _ in whole) / max(sum(t for _, t in whole), 1) if whole else float("nan")
        s = {"n": n, "relevant": labels_total, "need": float(np.mean([r["need"] / n for r in runs])),
             "lomax": float(np.mean([r["lomax"] / n for r in runs])),
             "incumbent": float(np.mean([r["incumbent"] / n for r in runs])),
             "ratio": float(np.median(ratios)) if ratios else float("nan"),
             "below_all": float(np.mean([r["below_all"] for r in runs if "below_all" in r])),
             "blocked": blocked, "floor_gates": float(np.mean([r["floor_gates"] for r in runs])),
             "floor_right": float(np.mean([r["floor_right"] for r in runs])),
             "excess": float(np.mean([r["excess"] for r in runs])),
             "prequential_found_per_expected": float(pre_ratio) if pre else None, "prequential_runs": len(pre),
             "whole_expected_per_left": whole_ratio if whole else None}
        summary[set_name] = s
        pre_cell = f"{s['prequential_found_per_expected']:.2f} ({len(pre)} runs)" if pre else "— (no check 10 % back)"
        whole_cell = f"{whole_ratio:.1f}" if whole else "—"
        slopes = [r["low_slope"] for r in runs if "low_slope" in r]
        s["low_relevant"] = float(np.median([r["low_relevant"] for r in runs if "low_relevant" in r]))
        s["low_slope_negative"] = sum(x < 0 for x in slopes)
        low_cell = f"{s['low_relevant']:.0f}, {s['low_slope_negative']} of {len(slopes)} runs"
        print(f"| {set_name} | {n} | {labels_total} | {s['need']:.2f} | {s['lomax']:.2f} | {s['incumbent']:.2f} | "
              f"{s['ratio']:.1f} | {s['below_all']:.2f} | {blocked['share']} / {blocked['lomax_p']} / {blocked['k0']} / "
              f"{blocked['level']} / {blocked['open']} | {s['floor_gates']:+.3f} | {s['floor_right']:+.3f} | "
              f"{s['excess']:+.3f} | {pre_cell} | {whole_cell} | {low_cell} |")
    print("BENCH " + json.dumps({"benchmark": "stopping_explain", "engine": ENGINE_VERSION, "seeds": args.seeds,
                                 "sets": summary}))


if __name__ == "__main__":
    sys.exit(main())
