"""Could the classifier's scores tell the stopping rule how many relevant records are left?

Exploratory (issue #15, stopping round 4; not a candidate of any decision). The rate rules read only
where relevant records turned up along the ranking; Bin-Hezam & Stevenson (2023) add what a
classifier trained on the screened records says about the unscreened ones. This script re-runs the
default simulation (to know which record sits where: the cached orders keep labels only), and at
checkpoints around the recommended rule's stop fits the default model on the records screened so
far, calibrates its scores on them by cross-validation (Platt: a logistic fit of the label on the
out-of-fold score) and sums the calibrated probabilities of the unscreened records: the
classifier's estimate of the relevant records left. Printed per set: that estimate against the
true count, and where a rule "stop once P(Poisson(estimate) ≤ k*) ≥ 0.95" (k* as for every rule)
would stop on the same checkpoint grid, beside the recommended rule.

    REVIEW_BENCH_CACHE=DIR nice -n 10 python benchmarks/stopping_classifier.py --seeds 1 2 3

Checkpoints: every 1 % of N from where the recommended rule's P(recall ≥ 0.95) first reaches 0.5
to 5 % of N past its stop. One JSON line (``BENCH {...}``).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import screening_dev  # noqa: E402
import screening_stopping as harness  # noqa: E402  (the 95 % point, as every stopping page counts it)
import stopping_candidates  # noqa: E402

from review.screening.models import DEFAULT_MODEL, make_model  # noqa: E402
from review.screening.simulate import simulate  # noqa: E402
from review.screening.stopping_rate import most_left_for_target  # noqa: E402

TARGET, CONFIDENCE, FOLDS = 0.95, 0.95, 5


def classifier_estimate(features, labelled_ids: list[int], y: np.ndarray, seed: int) -> float:  # type: ignore[no-untyped-def]
    """Σ over the unscreened of the cross-validated Platt probability of the default model's score."""
    from scipy.special import expit
    from sklearn.linear_model import LogisticRegression

    rows = features.rows(labelled_ids)
    matrix = features.matrix
    rng = np.random.default_rng([seed, len(labelled_ids)])
    fold = rng.integers(0, FOLDS, size=rows.size)
    out_of_fold = np.zeros(rows.size)
    for k in range(FOLDS):
        train, test = fold != k, fold == k
        if not test.any() or y[train].sum() == 0 or y[train].sum() == train.sum():
            continue
        model = make_model(DEFAULT_MODEL, seed, matrix.shape[0]).fit(matrix[rows[train]], y[train])
        out_of_fold[test] = model.scores(matrix[rows[test]])
    platt = LogisticRegression(C=1e4).fit(out_of_fold[:, None], y)
    model = make_model(DEFAULT_MODEL, seed, matrix.shape[0]).fit(matrix[rows], y)
    unscreened = np.ones(matrix.shape[0], dtype=bool)
    unscreened[rows] = False
    scores = model.scores(matrix[np.flatnonzero(unscreened)])
    return float(expit(platt.intercept_[0] + platt.coef_[0, 0] * scores).sum())


def poisson_cdf(k: float, mean: float) -> float:
    from scipy.special import pdtr

    return float(pdtr(k, max(mean, 1e-12)))


def _stats(runs: list[dict], key: str) -> str:
    """Reached share and mean excess of the rule ``key`` over ``runs``."""
    reached = np.mean([r[f"{key}_recall"] >= TARGET - 1e-9 for r in runs])
    excess = np.mean([(r[f"{key}_stop"] - r["needed"]) / r["n"] for r in runs])
    return f"{reached:.2f} / {excess:+.3f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--sets", nargs="+")
    args = parser.parse_args()
    sets = sorted(p.stem for p in screening_dev.DATA_DIR.glob("*.csv") if not args.sets or p.stem in args.sets)
    runs = []
    started = time.process_time()
    for set_name in sets:
        data, features = screening_dev.candidate_features(None, set_name, "label_included")
        for seed in args.seeds:
            result = simulate(data, seed=seed, features=features)
            order = result.order
            labels = np.array([data.labels[r] for r in order])
            n, n_priors, total = labels.size, len(result.priors), int(labels.sum())
            ranked, before = labels[n_priors:], int(labels[:n_priors].sum())
            curve = stopping_candidates.lomax_burnin_confidence(ranked, found_before=before)
            crossing = np.flatnonzero(curve >= CONFIDENCE)
            lomax_stop = n if crossing.size == 0 else n_priors + int(crossing[0]) + 1
            warm = np.flatnonzero(curve >= 0.5)
            first = n_priors + int(warm[0]) + 1 if warm.size else lomax_stop
            step = max(1, n // 100)
            checkpoints = list(range(first, min(n - 1, lomax_stop + 5 * step) + 1, step))
            needed = harness.needed(labels)
            rows = []
            for at in checkpoints:
                found = int(labels[:at].sum())
                estimate = classifier_estimate(features, list(order[:at]), labels[:at], seed)
                k_max = float(most_left_for_target(found, TARGET))
                rows.append({"at": at, "left": total - found, "estimate": round(estimate, 2),
                             "p_target": round(poisson_cdf(k_max, estimate), 4)})
            clf_stop = next((r["at"] for r in rows if r["p_target"] >= CONFIDENCE), n)
            at_lomax = min(rows, key=lambda r: abs(r["at"] - lomax_stop)) if rows else None
            runs.append({"set": set_name, "seed": seed, "n": n, "relevant": total, "needed": needed,
                         "lomax_stop": lomax_stop, "classifier_stop": clf_stop,
                         "lomax_recall": float(labels[:lomax_stop].sum() / total),
                         "classifier_recall": float(labels[:clf_stop].sum() / total),
                         "at_lomax_stop": at_lomax, "checkpoints": rows})
            print(f"{set_name} seed {seed}: lomax stop {lomax_stop} (recall {runs[-1]['lomax_recall']:.3f}), "
                  f"classifier stop {clf_stop} (recall {runs[-1]['classifier_recall']:.3f}); at the lomax stop "
                  f"left {at_lomax['left'] if at_lomax else '-'}, classifier says "
                  f"{at_lomax['estimate'] if at_lomax else '-'}", flush=True)
    print("\n| set | runs | left at the recommended stop (mean) | classifier's estimate there (mean) | "
          "recommended: reached / excess | classifier rule: reached / excess |")
    print("|---|---|---|---|---|---|")
    for set_name in sets + ["all"]:
        mine = [r for r in runs if set_name in ("all", r["set"])]
        left = np.mean([r["at_lomax_stop"]["left"] for r in mine if r["at_lomax_stop"]])
        est = np.mean([r["at_lomax_stop"]["estimate"] for r in mine if r["at_lomax_stop"]])
        print(f"| {set_name} | {len(mine)} | {left:.1f} | {est:.1f} | {_stats(mine, 'lomax')} | "
              f"{_stats(mine, 'classifier')} |")
    print(f"CPU {time.process_time() - started:.0f} s")
    print("BENCH " + json.dumps({"benchmark": "stopping_classifier", "seeds": args.seeds, "runs": runs}))


if __name__ == "__main__":
    sys.exit(main())
