"""Check that a speed change leaves every ``review simulate`` result identical (issue #15, speed).

Runs the command a user types, ``review simulate FILE --seed S --prior-included 1
--prior-excluded 1 --json OUT``, on every labelled set in ``../shared/data/screening/`` for each
seed, and keeps what a ranking decides: the order, the metrics and the stopping points (not the
timings). ``--save FILE`` writes them; ``--against FILE`` compares with a saved run and prints,
per set and seed, "same" or the first position where the orders part.

Usage:
    python scripts/check_simulate_orders.py --save /tmp/orders-before.json     # on the old code
    python scripts/check_simulate_orders.py --against /tmp/orders-before.json  # on the new code
    python scripts/check_simulate_orders.py --against /tmp/orders-v3.json --model svm-liblinear

``--model`` passes ``--model NAME`` to every run (engine version 4's ``svm-liblinear`` must give
engine version 3's default orders; its default, the Newton solver, need not: decision 0017).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("REVIEW_SHARED", REPO.parent / "shared"))
DATA_DIR = SHARED / "data" / "screening"
#: What a ranking decides; ``timings`` and ``model_info["seconds"]`` vary from run to run.
KEPT = ("priors", "order", "metrics", "stopping")


def run(path: Path, seed: int, tmp: Path, model: str | None = None) -> dict:
    out = tmp / f"{path.stem}-{seed}.json"
    review = Path(sys.executable).with_name("review")
    subprocess.run([str(review), "simulate", str(path), "--seed", str(seed), "--prior-included", "1",
                    "--prior-excluded", "1", "--json", str(out), *(["--model", model] if model else [])],
                   check=True, stdout=subprocess.DEVNULL)
    result = json.loads(out.read_text())
    return {key: result[key] for key in KEPT}


def first_difference(old: dict, new: dict) -> str:
    """"same", or what differs. Stopping rules added or removed since the saved run are not
    differences (the order decides every rule's stop); the rules both runs have must agree."""
    for position, (a, b) in enumerate(zip(old["order"], new["order"])):
        if a != b:
            return f"orders part at position {position} of {len(old['order'])}"
    shared = old["stopping"].keys() & new["stopping"].keys()
    differing = [k for k in KEPT if k != "stopping" and old[k] != new[k]]
    differing += [f"stopping.{k}" for k in sorted(shared) if old["stopping"][k] != new["stopping"][k]]
    return "same" if not differing else "same order; " + ", ".join(differing) + " differ"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--sets", nargs="+", help="Only these set names (file stems).")
    parser.add_argument("--model", help="Run every simulation with --model MODEL.")
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--save", type=Path)
    action.add_argument("--against", type=Path)
    args = parser.parse_args()
    files = [f for f in sorted(DATA_DIR.glob("*.csv")) if not args.sets or f.stem in args.sets]
    if not files:
        raise SystemExit(f"no labelled sets in {DATA_DIR}")
    saved = json.loads(args.against.read_text()) if args.against else {}
    results: dict[str, dict] = {}
    differing = 0
    with tempfile.TemporaryDirectory() as tmp:
        for path in files:
            for seed in args.seeds:
                key = f"{path.stem} seed {seed}"
                results[key] = run(path, seed, Path(tmp), args.model)
                if args.against:
                    verdict = first_difference(saved[key], results[key]) if key in saved else "not in saved run"
                    differing += verdict != "same"
                    print(f"{key:<50} {verdict}", flush=True)
                else:
                    print(f"{key:<50} saved", flush=True)
    if args.save:
        args.save.write_text(json.dumps(results))
    else:
        print(f"{len(results) - differing} of {len(results)} runs identical")
        raise SystemExit(1 if differing else 0)


if __name__ == "__main__":
    main()
