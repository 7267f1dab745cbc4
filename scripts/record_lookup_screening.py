"""Record the programme's look-up screening in its own workspace and export the decisions.

The look-up ran the programme's strategy (queries/recurrent_cmd_sickness_absence.toml) as
searches of the stored public pages the team's look-up tool reaches (PubMed itself is not
reachable from here). ``screening/lookup/candidates.csv`` lists every record it found, with the
title/abstract decision, its reason and where in the source the reason is visible. This script
imports the rows of that file not yet in the store, records each decision as ``reviewer1`` through the screening session
(the same path the TUI uses), and writes ``screening/decisions.csv`` and
``screening/records.csv`` with ``review export``. Re-running it records nothing twice.

    python scripts/record_lookup_screening.py
"""

from __future__ import annotations

import csv
import subprocess
import sys
import tempfile
from pathlib import Path

from review.screening.session import ScreeningSession
from review.workspace import Workspace

ROOT = Path(__file__).resolve().parents[1]
CANDIDATES = ROOT / "screening" / "lookup" / "candidates.csv"
SOURCE = "look-up (stored public pages)"
REVIEWER = "reviewer1"


def _review(*args: str) -> None:
    review = Path(sys.executable).with_name("review")
    subprocess.run([str(review), "-w", str(ROOT), *args], check=True)


def main() -> None:
    workspace = Workspace(ROOT)
    imported = {r.external_id for r in workspace.store.records() if r.source == SOURCE}
    with CANDIDATES.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        fields = list(reader.fieldnames or [])
        new_rows = [row for row in reader if row["id"] not in imported]
    if new_rows:
        # Import only the rows not yet in the store, so later look-ups are added without duplicates.
        with tempfile.TemporaryDirectory() as tmp:
            batch = Path(tmp) / CANDIDATES.name
            with batch.open("w", encoding="utf-8", newline="") as handle:
                writer = csv.DictWriter(handle, fieldnames=fields)
                writer.writeheader()
                writer.writerows(new_rows)
            _review("import", str(batch), "--source", SOURCE)
    by_external = {r.external_id: r.id for r in workspace.store.records() if r.source == SOURCE}
    decided = {record_id for record_id, _ in workspace.store.current_decisions(reviewer=REVIEWER)}
    session = ScreeningSession(workspace, REVIEWER, seed=20261125)
    recorded = 0
    with CANDIDATES.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            record_id = by_external[row["id"]]
            if record_id in decided:
                continue
            reasons = [row["reasons"]] if row["reasons"] else []
            session.decide(record_id, row["label"], reasons=reasons, note=row["note"])
            recorded += 1
    print(f"recorded {recorded} decisions as {REVIEWER}")
    _review("export", "decisions", "--format", "csv", str(ROOT / "screening" / "decisions.csv"))
    # record_id in decisions.csv is the store's id: records.csv maps it to the PMID/DOI/title.
    _review("export", "records", "--format", "csv", str(ROOT / "screening" / "records.csv"))


if __name__ == "__main__":
    main()
