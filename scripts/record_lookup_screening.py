"""Record the programme's look-up screening in its own workspace and export the decisions.

The look-up ran the programme's strategy (queries/recurrent_cmd_sickness_absence.toml) as
searches of the stored public pages the team's look-up tool reaches (PubMed itself is not
reachable from here). ``screening/lookup/candidates.csv`` lists every record it found, with the
title/abstract decision, its reason and where in the source the reason is visible. This script
imports the rows of that file not yet in the store, records each decision as ``reviewer1`` through the screening session
(the same path the TUI uses; picked by id, as ``review decide`` records them), and writes ``screening/decisions.csv`` and
``screening/records.csv`` with ``review export``. Re-running it records nothing twice. Without a
store (a fresh clone: review.db stays out of git) it makes one first, ``review init --store-only``.

    python scripts/record_lookup_screening.py [WORKSPACE]

``tests/test_programme_screening.py`` runs it on a copy of the workspace and compares what it
exports with the committed files, so the files follow ``review export``'s columns.
"""

from __future__ import annotations

import csv
import sys
import tempfile
from pathlib import Path

from review.screening.session import ScreeningSession
from review.workspace import Workspace

ROOT = Path(__file__).resolve().parents[1]
#: Where the look-up's rows, the decisions and the records lie in a workspace.
CANDIDATES = Path("screening", "lookup", "candidates.csv")
DECISIONS = Path("screening", "decisions.csv")
RECORDS = Path("screening", "records.csv")
SOURCE = "look-up (stored public pages)"
REVIEWER = "reviewer1"
SEED = 20261125


def _review(*args: str) -> None:
    """``review ARGS`` in this process (the commands a user runs; an error is their one line and exit)."""
    from review.cli import main as review

    try:
        review.main(list(args), prog_name="review", standalone_mode=False)
    except SystemExit as stop:
        if stop.code:
            raise


def record(root: Path) -> int:
    """Import the look-up rows not yet in ``root``'s store, decide them, export both files; decisions recorded."""
    workspace = Workspace(root)
    if workspace.store_if_there() is None:
        _review("init", str(root), "--store-only")
        workspace = Workspace(root)
    candidates = root / CANDIDATES
    imported = {r.external_id for r in workspace.store.records() if r.source == SOURCE}
    with candidates.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        fields = list(reader.fieldnames or [])
        new_rows = [row for row in reader if row["id"] not in imported]
    if new_rows:
        # Import only the rows not yet in the store, so later look-ups are added without duplicates.
        with tempfile.TemporaryDirectory() as tmp:
            batch = Path(tmp) / candidates.name
            with batch.open("w", encoding="utf-8", newline="") as handle:
                writer = csv.DictWriter(handle, fieldnames=fields)
                writer.writeheader()
                writer.writerows(new_rows)
            _review("-w", str(root), "import", str(batch), "--source", SOURCE)
    by_external = {r.external_id: r.id for r in workspace.store.records() if r.source == SOURCE}
    decided = {record_id for record_id, _ in workspace.store.current_decisions(reviewer=REVIEWER)}
    session = ScreeningSession(workspace, REVIEWER, seed=SEED)
    recorded = 0
    with candidates.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            record_id = by_external[row["id"]]
            if record_id in decided:
                continue
            reasons = [row["reasons"]] if row["reasons"] else []
            # Picked from the look-up's list, not served by the ranked queue: the recommended stopping rule leaves
            # it out of its trend (decision 0071), which read the list's order as a ranking's.
            session.decide(record_id, row["label"], reasons=reasons, note=row["note"], chosen=True)
            recorded += 1
    _review("-w", str(root), "export", "decisions", "--format", "csv", str(root / DECISIONS))
    # record_id in decisions.csv is the store's id: records.csv maps it to the PMID/DOI/title.
    _review("-w", str(root), "export", "records", "--format", "csv", str(root / RECORDS))
    return recorded


def main() -> None:
    root = Path(sys.argv[1]).resolve() if len(sys.argv) > 1 else ROOT
    print(f"recorded {record(root)} decisions as {REVIEWER}")


if __name__ == "__main__":
    main()
