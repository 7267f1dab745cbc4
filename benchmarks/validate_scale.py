"""`review validate` on invented cohorts of growing size: each cohort command's time and peak memory.

The clients are generated here, never real people: exponential time to recurrence with a baseline
hazard of 1/1000 per day and log hazard ratios conflict with supervisor 0.7, high job demands 0.5,
previous episodes 0.25 per episode, job insecurity 0.4, supervisor support -0.5 and age 0.02 per year
(around 42); follow-up ends uniformly between 180 and 730 days. ``recurrence_1y`` is a recurrence by
day 365 (the logistic view), ``profile_score`` = 2 x conflict + demands + insecurity + episodes -
support (at least 0), its indication no (0), some (1-2) or many (3+) risk signals, 5 % 'insufficient'.
The file is written 0600 into a new temporary folder (outside any repository: it stands for personal
data). Each command runs in a fresh interpreter whose own peak RSS (``ru_maxrss``) is read, as
``dedup_large.py`` does. Prints a table and one JSON line.

    python benchmarks/validate_scale.py [--clients 300 50000] [--seed 6122026] [--bootstrap 1000]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from child_usage import run_review_child  # noqa: E402  (benchmarks/ is on sys.path when run as a script)

COLUMNS = ("client", "age", "diagnosis", "conflict_with_supervisor", "high_job_demands", "job_insecurity",
           "supervisor_support", "previous_sick_leave_episodes", "profile_score", "profile_indication",
           "recurrence", "days_to_recurrence", "recurrence_1y")
FACTORS = ("conflict_with_supervisor", "high_job_demands", "job_insecurity", "supervisor_support",
           "previous_sick_leave_episodes")


def write_cohort(path: Path, n: int, seed: int) -> None:
    """``n`` invented clients drawn from the model of the module docstring, written 0600."""
    rng = np.random.default_rng(seed)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        for i in range(n):
            age = int(rng.integers(20, 66))
            diagnosis = ("depressive", "anxiety", "adjustment")[int(rng.integers(3))]
            conflict, demands = int(rng.random() < 0.25), int(rng.random() < 0.4)
            insecurity, support = int(rng.random() < 0.3), int(rng.random() < 0.5)
            episodes = int(min(rng.poisson(0.9), 6))
            lp = (0.7 * conflict + 0.5 * demands + 0.25 * episodes + 0.4 * insecurity - 0.5 * support
                  + 0.02 * (age - 42))
            onset, end = rng.exponential(1000 / np.exp(lp)), rng.uniform(180, 730)
            event = int(onset <= end)
            score = max(0, 2 * conflict + demands + insecurity + episodes - support)
            indication = ("insufficient" if rng.random() < 0.05 else "many_risk_signals" if score >= 3
                          else "some_risk_signals" if score >= 1 else "no_risk_signals")
            writer.writerow([f"k{i + 1:05d}", age, diagnosis, conflict, demands, insecurity, support, episodes,
                             score, indication, event, max(1, round(min(onset, end))),
                             int(event and onset <= 365)])


def commands(cohort: str, bootstrap: int) -> dict[str, list[str]]:
    factors = [a for f in FACTORS for a in ("--factor", f)]
    adjust = ["--adjust", "age", "--adjust", "diagnosis"]
    boot = ["--bootstrap", str(bootstrap)]
    return {
        "factors, Cox": ["validate", "factors", cohort, "--outcome", "recurrence", "--time", "days_to_recurrence",
                         *adjust, *factors],
        "factors, logistic": ["validate", "factors", cohort, "--outcome", "recurrence_1y", *adjust, *factors],
        "predictive, Harrell's C": ["validate", "predictive", cohort, "--outcome", "recurrence", "--predictor",
                                    "profile_indication", "--time", "days_to_recurrence", "--horizon", "365", *boot],
        "predictive, AUC of the score": ["validate", "predictive", cohort, "--outcome", "recurrence_1y",
                                         "--predictor", "profile_score", *boot],
        "survival, stratified": ["validate", "survival", cohort, "--time", "days_to_recurrence", "--event",
                                 "recurrence", "--group", "profile_indication", "--strata", "diagnosis"],
    }


def run(args: list[str], cwd: Path) -> dict[str, float | int]:
    """One ``review`` command in a fresh interpreter: wall and CPU seconds, its peak MB and exit code."""
    child = run_review_child(args, cwd)
    peak_kb = float("nan") if child.peak_kb is None else child.peak_kb
    cpu = float("nan") if child.cpu_s is None else child.cpu_s
    return {"wall_s": round(child.wall_s, 2), "cpu_s": round(cpu, 2), "peak_mb": round(peak_kb / 1024, 1),
            "exit": child.done.returncode}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, nargs="+", default=[300, 50_000])
    parser.add_argument("--seed", type=int, default=6122026)
    parser.add_argument("--bootstrap", type=int, default=1000)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="validate-scale-") as folder:
        for n in args.clients:
            cohort = Path(folder) / f"cohort-{n}.csv"
            write_cohort(cohort, n, args.seed)
            for name, command in commands(str(cohort), args.bootstrap).items():
                rows.append({"clients": n, "command": name, **run(command, Path(folder))})
                r = rows[-1]
                print(f"{n:>7} {name:<30} {r['wall_s']:>8.2f} s {r['cpu_s']:>8.2f} s CPU {r['peak_mb']:>8.1f} MB"
                      f"  exit {r['exit']}", flush=True)
    print(json.dumps({"benchmark": "validate_scale", "seed": args.seed, "bootstrap": args.bootstrap,
                      "rows": rows}))


if __name__ == "__main__":
    main()
