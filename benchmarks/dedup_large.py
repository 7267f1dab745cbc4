"""Deduplication of a very large import, as a reviewer and a script meet it: time and peak memory.

    nice -n 10 python benchmarks/dedup_large.py                      # 20,000 and 50,000 records
    nice -n 10 python benchmarks/dedup_large.py --sizes 100000 --seed 7

For each size, writes the seeded synthetic records of ``benchmarks/dedup.py`` (about 30 % are
corrupted copies of another record: DOI forms, case, author forms, abbreviated journals,
spreadsheet pages, missing fields) to one CSV file, then runs the real commands, each in a fresh
subprocess whose peak resident set size (``ru_maxrss``) is read:

* ``review dedup FILE.csv --out clusters.csv`` (CSV mode, no workspace);
* in a new workspace: ``review import FILE.csv``, ``review dedup`` (first run: every verdict
  written), ``review dedup`` again (nothing changed: appends nothing), ``review status``.

Prints a table (wall seconds, CPU seconds of the child, peak MB) and one JSON line. Timings on a
shared machine vary; CPU seconds compare better than wall seconds.
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from child_usage import run_review_child  # noqa: E402
from dedup import synthetic_records  # noqa: E402  (the sibling benchmark's generator)

COLUMNS = ("record_id", "title", "authors", "year", "journal", "volume", "issue", "pages", "doi", "abstract")


def write_records(path: Path, n: int, seed: int) -> int:
    """The synthetic records as a CSV file; returns how many true publications they hold."""
    records, truth = synthetic_records(n, seed=seed)
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        for r in records:
            writer.writerow([r.external_id, r.title, "; ".join(r.authors), r.year or "", r.journal, r.volume,
                             r.issue, r.pages, r.doi, r.abstract])
    return len(set(truth))


def run(args: list[str], cwd: Path) -> dict[str, float | str]:
    """One ``review`` command in a fresh interpreter: wall and CPU seconds, peak MB, its stdout."""
    child = run_review_child(args, cwd)
    done = child.done
    if done.returncode != 0 or child.peak_kb is None or child.cpu_s is None:
        raise SystemExit(f"review {' '.join(args)} failed ({done.returncode}): {done.stderr.strip()[-400:]}")
    return {"seconds": child.wall_s, "cpu_seconds": child.cpu_s, "peak_mb": child.peak_kb / 1024,
            "stdout": done.stdout}


def measure(n: int, seed: int, folder: Path) -> dict[str, object]:
    data = folder / f"records-{n}.csv"
    publications = write_records(data, n, seed)
    steps: dict[str, dict[str, float | str]] = {}
    steps["csv mode"] = run(["dedup", str(data), "--out", str(folder / "clusters.csv")], folder)
    workspace = folder / f"ws-{n}"
    subprocess.run([sys.executable, "-c", "from review.cli import main; main()", "init", str(workspace)],
                   check=True, capture_output=True)
    ws = ["-w", str(workspace)]
    steps["import"] = run(["import", *ws, str(data)], folder)
    steps["dedup (first run)"] = run(["dedup", *ws], folder)
    steps["dedup (re-run)"] = run(["dedup", *ws], folder)
    steps["status"] = run(["status", *ws], folder)
    with (folder / "clusters.csv").open(newline="") as handle:
        clusters = len({row["cluster_id"] for row in csv.DictReader(handle)})
    rerun = str(steps["dedup (re-run)"]["stdout"])
    changed = next((line.split()[-1] for line in rerun.splitlines() if line.startswith("changed verdicts")), "?")
    return {"records": n, "publications": publications, "csv_clusters": clusters, "rerun_changed": changed,
            "steps": {name: {k: v for k, v in step.items() if k != "stdout"} for name, step in steps.items()}}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="20000,50000", help="record counts, comma-separated")
    parser.add_argument("--seed", type=int, default=7, help="seed of the synthetic generator")
    args = parser.parse_args(argv)
    rows = []
    print(f"{'records':>8} {'step':<18} {'seconds':>8} {'cpu_s':>7} {'peak_MB':>8}")
    for n in (int(s) for s in args.sizes.split(",")):
        with tempfile.TemporaryDirectory(prefix="dedup-large-") as tmp:
            row = measure(n, args.seed, Path(tmp))
        for name, step in row["steps"].items():  # type: ignore[attr-defined]
            print(f"{n:>8} {name:<18} {step['seconds']:>8.2f} {step['cpu_seconds']:>7.2f} {step['peak_mb']:>8.0f}")
        print(f"{n:>8} {row['publications']} true publications; CSV mode {row['csv_clusters']} clusters; "
              f"re-run changed {row['rerun_changed']} verdicts")
        rows.append(row)
    print(json.dumps({"benchmark": "dedup_large", "seed": args.seed, "sizes": rows}))


if __name__ == "__main__":
    main()
