"""Whole-command speed of ``review simulate`` against ASReview, start-up included (issue #15).

For every labelled set in ``../shared/data/screening/`` with at least ``--min-records`` records
(default 1,000) and each seed, runs the command a user types,

    review simulate FILE --seed S --prior-included 1 --prior-excluded 1 --json OUT

as a child process and measures it as ``/usr/bin/time`` does: wall seconds, CPU seconds
(user + system) and peak RSS of that process, so Python start-up, imports, the CSV load and the
JSON write are all counted. The JSON's own ``timings`` split the run into features, fits
(retrain + re-rank); "start-up" is the wall time outside ``simulate()`` (interpreter, imports, CSV,
JSON). The stopping rules run inside ``simulate()`` and so are in none of these columns.

ASReview (3.0.8, ``asreview simulate``, same prior rows and seed) comes from the cache that
``benchmarks/screening.py`` fills (``REVIEW_BENCH_CACHE``): its CPU seconds are stable, its wall
seconds were measured under whatever load the machine had then. ``--fresh-asreview SET ...``
runs ASReview once more per named set (first seed only, not cached), right after ours, for a
same-run wall-time comparison; it needs ``asreview`` on PATH (the ``bench`` extra).

Usage:
    python benchmarks/simulate_speed.py                           # sets >= 1,000 records, seeds 1-5
    python benchmarks/simulate_speed.py --seeds 1 --sets kwok2020_virus --fresh-asreview kwok2020_virus
    python benchmarks/simulate_speed.py --phases   # plus CPU seconds per phase (imports, CSV, features...)

Prints a table, the help-screen start-up and one JSON line (``BENCH {...}``).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from review.screening.simulate import LabelledSet

# review's modules are imported inside the functions, so that --phase-child can time the imports.

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("REVIEW_SHARED", REPO.parent / "shared"))
DATA_DIR = SHARED / "data" / "screening"
CACHE = Path(os.environ.get("REVIEW_BENCH_CACHE", Path(tempfile.gettempdir()) / "review-bench-asreview"))
#: GNU time (Debian package ``time``).
TIME = "/usr/bin/time"
#: The issue's goal: a full simulation at least this many times faster than ASReview.
TARGET_RATIO = 5.0


def review_command() -> list[str]:
    """The ``review`` console script of this interpreter's environment (what a user runs)."""
    script = Path(sys.executable).with_name("review")
    if not script.exists():
        found = shutil.which("review")
        if found is None:
            raise SystemExit("no 'review' command: pip install -e . first")
        script = Path(found)
    return [str(script)]


def timed(command: list[str]) -> dict:
    """Run ``command`` under GNU time: wall, CPU (user + system) and peak RSS of that process.

    Measured by ``/usr/bin/time`` rather than by this process: a child forked from here would
    report this process's memory as its own peak RSS until it execs.
    """
    load_before = os.getloadavg()[0]
    with tempfile.NamedTemporaryFile("r", suffix=".time") as report:
        run = subprocess.run([TIME, "-f", "%e %U %S %M", "-o", report.name, *command],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if run.returncode != 0:
            raise SystemExit(f"{' '.join(command)} failed ({run.returncode}): {run.stderr.strip()[-500:]}")
        wall, user, system, rss_kb = report.read().split()[-4:]
    return {"wall_s": float(wall), "cpu_s": round(float(user) + float(system), 2),
            "rss_mb": round(int(rss_kb) / 1024, 1), "load": round(load_before, 2)}


def ours(path: Path, seed: int, tmp: Path) -> dict:
    out = tmp / f"{path.stem}-{seed}.json"
    row = timed([*review_command(), "simulate", str(path), "--seed", str(seed), "--prior-included", "1",
                 "--prior-excluded", "1", "--json", str(out)])
    timings = json.loads(out.read_text())["timings"]
    features, fits = timings["feature_build_s"], sum(timings["retrain_s"])
    return {**row, "features_s": round(features, 3), "fits_s": round(fits, 3),
            "n_fits": timings["n_retrains"], "startup_s": round(row["wall_s"] - timings["total_s"], 3)}


def phase_child(path: Path, seed: int) -> None:
    """In a fresh interpreter: CPU seconds of each phase of one simulation, printed as JSON."""
    clock = time.process_time
    marks = {"python start-up": clock()}
    import numpy  # noqa: F401
    import scipy.sparse  # noqa: F401  (the features and the default SVM; scikit-learn only for other models)

    marks["import numpy, scipy"] = clock()
    from review.screening.features import build_features
    from review.screening.ranker import feature_config_for
    from review.screening.simulate import load_labelled_csv, simulate
    from review.services.simulation import simulate_file  # noqa: F401  (the rest of the command's imports)

    marks["import review"] = clock()
    data = load_labelled_csv(path)
    marks["read CSV"] = clock()
    config = feature_config_for("default", len(data))  # as simulate() builds them (engine version 6)
    features = build_features(data.ids, data.texts_for(config), config)
    marks["features"] = clock()
    result = simulate(data, seed=seed, features=features)
    marks["fits and stopping"] = clock()
    if "sklearn" in sys.modules:
        print("note: scikit-learn was imported", file=sys.stderr)
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "out.json").write_text(json.dumps(result.to_json(), indent=1) + "\n")
    marks["JSON"] = clock()
    names = list(marks)
    split = {name: round(marks[name] - marks[prev], 3) for prev, name in zip(names, names[1:])}
    print(json.dumps({"python start-up": round(marks["python start-up"], 3), **split, "n_fits": result.timings["n_retrains"]}))


def phases(path: Path, seed: int) -> dict:
    run = subprocess.run([sys.executable, __file__, "--phase-child", str(path), str(seed)],
                         capture_output=True, text=True, check=True)
    return json.loads(run.stdout.strip().splitlines()[-1])


def cached_asreview(path: Path, data: LabelledSet, seed: int) -> dict | None:
    from review.screening.simulate import choose_priors

    priors = choose_priors(data, seed)
    key = CACHE / f"{path.stem}-seed{seed}-{'-'.join(map(str, priors))}.json"
    if not key.exists():
        return None
    run = json.loads(key.read_text())
    return {"wall_s": run["wall_s"], "cpu_s": run.get("cpu_s")}


def fresh_asreview(path: Path, data: LabelledSet, seed: int, tmp: Path) -> dict:
    from review.screening.simulate import choose_priors

    exe = shutil.which("asreview")
    if exe is None:
        raise SystemExit("--fresh-asreview needs asreview on PATH (pip install -e '.[bench]')")
    row_of = {record_id: row for row, record_id in enumerate(data.ids)}
    out = tmp / f"{path.stem}-{seed}.asreview"
    return timed([exe, "simulate", str(path), "--prior-idx", *[str(row_of[p]) for p in choose_priors(data, seed)],
                  "--seed", str(seed), "-o", str(out)])


def _mean(rows: list[dict], key: str) -> float | None:
    values = [r[key] for r in rows if r.get(key) is not None]
    return round(sum(values) / len(values), 3) if values else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5])
    parser.add_argument("--sets", nargs="+", help="Only these set names (file stems).")
    parser.add_argument("--min-records", type=int, default=1000)
    parser.add_argument("--fresh-asreview", nargs="*", default=[], metavar="SET",
                        help="Also run ASReview now on these sets (first seed only, not cached).")
    parser.add_argument("--phases", action="store_true",
                        help="Also split one run per set (first seed) into CPU seconds per phase.")
    parser.add_argument("--phase-child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase_child:
        phase_child(Path(args.phase_child[0]), int(args.phase_child[1]))
        return
    from review.screening.simulate import load_labelled_csv

    files = [f for f in sorted(DATA_DIR.glob("*.csv")) if not args.sets or f.stem in args.sets]
    loaded = {f.stem: load_labelled_csv(f) for f in files}
    files = [f for f in files if len(loaded[f.stem]) >= args.min_records]
    if not files:
        raise SystemExit(f"no labelled sets of >= {args.min_records} records in {DATA_DIR}")
    per_set: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        help_screens = {" ".join(a): timed([*review_command(), *a]) for a in (["--help"], ["simulate", "--help"])}
        for path in files:
            data = loaded[path.stem]
            runs, cached, fresh = [], [], []
            for seed in args.seeds:
                runs.append(ours(path, seed, tmp))
                found = cached_asreview(path, data, seed)
                if found is not None:
                    cached.append(found)
                if path.stem in args.fresh_asreview and seed == args.seeds[0]:
                    fresh.append(fresh_asreview(path, data, seed, tmp))
                print(f"  {path.stem} seed {seed}: {runs[-1]['wall_s']} s wall", file=sys.stderr, flush=True)
            row = {"n_records": len(data), "ours": {k: _mean(runs, k) for k in runs[0]},
                   "asreview_cached": {k: _mean(cached, k) for k in ("wall_s", "cpu_s")} if cached else None,
                   "asreview_fresh": fresh[0] if fresh else None, "ours_runs": runs}
            if fresh:
                row["ours_same_run"] = runs[0]
            if args.phases:
                row["phases_cpu_s"] = phases(path, args.seeds[0])
            per_set[path.stem] = row
    _print(per_set, help_screens, args.seeds)
    print("BENCH " + json.dumps({"benchmark": "simulate_speed", "seeds": args.seeds, "help": help_screens,
                                 "per_set": per_set, "target_ratio": TARGET_RATIO}))


def _ratio(theirs: float | None, mine: float | None) -> str:
    return f"{theirs / mine:.1f}x" if theirs and mine else "-"


def _print(per_set: dict, help_screens: dict, seeds: list[int]) -> None:
    print(f"review simulate, whole command (start-up included), seeds {seeds}; means per set")
    head = (f"{'set':<34} {'N':>5} {'wall s':>7} {'cpu s':>6} {'RSS MB':>7} {'start-up':>8} {'features':>8}"
            f" {'fits':>6} {'ASR cpu':>8} {'ASR wall':>8} {'cpu ratio':>9} {'wall ratio':>10}")
    print(head)
    print("-" * len(head))
    for name, row in per_set.items():
        mine, theirs = row["ours"], row["asreview_cached"] or {}
        print(f"{name:<34} {row['n_records']:>5} {mine['wall_s']:>7.2f} {mine['cpu_s']:>6.2f} {mine['rss_mb']:>7.0f}"
              f" {mine['startup_s']:>8.2f} {mine['features_s']:>8.2f} {mine['fits_s']:>6.2f}"
              f" {theirs.get('cpu_s') or float('nan'):>8.1f} {theirs.get('wall_s') or float('nan'):>8.1f}"
              f" {_ratio(theirs.get('cpu_s'), mine['cpu_s']):>9} {_ratio(theirs.get('wall_s'), mine['wall_s']):>10}")
    fresh = {name: row for name, row in per_set.items() if row["asreview_fresh"]}
    if fresh:
        print(f"\nSame run (seed {seeds[0]}): ours vs ASReview run now, wall / CPU seconds (load average at start)")
        for name, row in fresh.items():
            mine, theirs = row["ours_same_run"], row["asreview_fresh"]
            print(f"{name:<34} ours {mine['wall_s']:.2f} / {mine['cpu_s']:.2f} (load {mine['load']}),"
                  f" ASReview {theirs['wall_s']:.2f} / {theirs['cpu_s']:.2f} (load {theirs['load']}):"
                  f" wall {_ratio(theirs['wall_s'], mine['wall_s'])}, CPU {_ratio(theirs['cpu_s'], mine['cpu_s'])}")
    split = {name: row["phases_cpu_s"] for name, row in per_set.items() if "phases_cpu_s" in row}
    if split:
        columns = [c for c in next(iter(split.values())) if c != "n_fits"]
        print(f"\nCPU seconds per phase (one fresh interpreter per set, seed {seeds[0]})")
        print(f"{'set':<34} " + " ".join(f"{c:>19}" for c in columns) + f" {'fits':>5}")
        for name, row in split.items():
            print(f"{name:<34} " + " ".join(f"{row[c]:>19.3f}" for c in columns) + f" {row['n_fits']:>5}")
    for command, row in help_screens.items():
        print(f"review {command}: {row['wall_s']:.2f} s wall, {row['cpu_s']:.2f} s CPU, {row['rss_mb']:.0f} MB")


if __name__ == "__main__":
    main()
