"""``review decide`` processes racing ``review migrate``: is any confirmed decision missing afterwards?

    python benchmarks/migrate_race.py --trials 6

Per trial: a SQLite workspace with 20,000 records; one thread runs ``review -r bob decide ID
--include`` processes one after another while the main thread runs ``review migrate --to`` a new
SQLite file (again at once when refused because a decide holds its session, as a user would).
Afterwards every decide that exited 0 must have its decision in the store review.toml now names.
A decide that waited for the copy's lock and got it after the copy committed used to commit into
the old store (exit 0, decision lost); now it is refused ("this review moved to ...", exit 7).
Prints one line per trial and one JSON line.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from review.records import Record
from review.workspace import Workspace, init_workspace

REVIEW = str(Path(sys.executable).parent / "review")


def _trial(number: int, records: int, totals: dict[str, int]) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="migrate-race-"))
    ws = init_workspace(tmp / "ws", title="Race", reviewers=["bob"], seed=1)
    ws.store.add_batch([Record(title=f"Return to work {i}", year=2001) for i in range(records)], file_name="f.ris",
                       file_sha256="y" * 64, source_name="PubMed", format="ris", encoding="utf-8")
    ids = [r.id for r in ws.store.records()][:400]
    ws.store.engine.dispose()
    confirmed: list[int] = []
    stop = threading.Event()

    def decide() -> None:
        for record_id in ids:
            if stop.is_set():
                return
            done = subprocess.run([REVIEW, "-w", str(ws.root), "-r", "bob", "decide", str(record_id), "--include"],
                                  capture_output=True, text=True)
            if done.returncode == 0:
                confirmed.append(record_id or 0)
            else:
                kind = "refused_moved" if "moved to" in done.stderr else "busy" if "busy" in done.stderr else "other"
                totals[kind] += 1

    thread = threading.Thread(target=decide)
    thread.start()
    time.sleep(1.0 + (number * 0.37) % 1.5)  # a different moment in the decide loop each trial
    while True:
        moved = subprocess.run([REVIEW, "-w", str(ws.root), "migrate", "--to", f"sqlite:///{tmp / 'moved.db'}"],
                               capture_output=True, text=True)
        if moved.returncode == 0:
            break
        if "window is open" not in moved.stderr and "busy" not in moved.stderr:
            raise SystemExit(f"migrate failed: {moved.stderr.strip()}")
    time.sleep(1.5)
    stop.set()
    thread.join()
    stored = {d.record_id for d in Workspace(ws.root).store.decisions()}
    lost = sum(record_id not in stored for record_id in confirmed)
    totals["confirmed"] += len(confirmed)
    totals["lost"] += lost
    print(f"trial {number}: {len(confirmed)} decisions confirmed, {lost} lost", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--trials", type=int, default=6)
    parser.add_argument("--records", type=int, default=20_000)
    args = parser.parse_args()
    totals = {"confirmed": 0, "lost": 0, "refused_moved": 0, "busy": 0, "other": 0}
    for number in range(args.trials):
        _trial(number, args.records, totals)
    print(json.dumps({"benchmark": "migrate_race", "trials": args.trials, "records": args.records, **totals}))


if __name__ == "__main__":
    main()
