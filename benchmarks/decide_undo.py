"""What `review decide --undo` costs on a large store: time and rows read for one undo.

    python benchmarks/decide_undo.py                  # 20,000 records, 40,000 decisions
    python benchmarks/decide_undo.py --records 50000 --repeat 5
    python benchmarks/decide_undo.py --ranked         # each reviewer's queue stored, as the TUI leaves it

The store is ``decide_fulltext_check.py``'s (each record decided by alice and bob, the included ones' full
text sought and retrieved, SQLite). Then ``--repeat`` times alice undoes her latest decision, each a whole
command in process (``click.testing.CliRunner``: no interpreter start-up), counting every SELECT the driver
runs and the rows it returns as that benchmark does. Prints a table (median seconds, the last undo's SELECTs
and rows) and one JSON line.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from decide_fulltext_check import built_store, measured, store_arguments
from review.cli import main as cli_main


def undo(root: Path, reviewer: str) -> None:
    result = CliRunner().invoke(cli_main, ["-w", str(root), "-r", reviewer, "decide", "--undo"])
    if result.exit_code != 0 or "\tundo\t" not in result.stdout:
        raise SystemExit(f"review decide --undo exited {result.exit_code}: {result.output}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    store_arguments(parser, repeat=5, repeat_help="undos, one after another")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "ws"
        url, _ = built_store(root, args)
        runs = [measured(url, lambda: undo(root, "alice")) for _ in range(args.repeat)]
    seconds = statistics.median(run[0] for run in runs)
    selects, rows = runs[-1][1], runs[-1][2]
    result: dict[str, Any] = {"records": args.records, "decisions": 2 * args.records, "repeat": args.repeat,
                              "ranked": args.ranked, "median_s": round(seconds, 4), "selects": selects,
                              "rows_read": rows}
    print(f"{'call':<14} {'median_s':>9} {'selects':>8} {'rows_read':>10}")
    print(f"{'decide --undo':<14} {seconds:>9.4f} {selects:>8} {rows:>10}")
    print(json.dumps({"benchmark": "decide_undo", **result}))


if __name__ == "__main__":
    main()
