"""Counts a reader reads are thousands separated on every `review status` line and on `review prisma`'s
identity lines (stderr); the data a script reads (prisma's stdout, prisma.json) keeps plain digits
(docs/interfaces.md, shell conventions)."""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from pathlib import Path

from click.testing import CliRunner, Result

from review.cli import main
from review.records import Record
from review.store import searches as search_store
from review.workspace import Workspace

#: A count of four digits or more written without a separator (times and dates are taken out first).
_PLAIN_COUNT = re.compile(r"(?<![\d,.])\d{4,}(?![\d,])")
_TIME = re.compile(r"\d{4}-\d\d-\d\dT[\d:.]+\+00:00|\d{4}-\d\d-\d\d \d\d:\d\d")


def _run(workspace: Workspace, *args: str, reviewer: str = "alice") -> Result:
    return CliRunner().invoke(main, ["-w", str(workspace.root), "-r", reviewer, *args])


def _add(workspace: Workspace, n: int, source: str, sha: str) -> list[int]:
    before = {r.id for r in workspace.store.records()}
    records = [Record(title=f"{source} study {i} of sickness absence", year=2000 + i % 25) for i in range(n)]
    workspace.store.add_batch(records, file_name=f"{source}.ris", file_sha256=sha * 64, source_name=source,
                              format="ris", encoding="utf-8")
    return sorted(r.id for r in workspace.store.records() if r.id not in before)


def _plain_counts(lines: list[str]) -> list[str]:
    """The lines with an unseparated count (not those naming a path, whose digits are no count)."""
    return [line for line in lines
            if not line.startswith(("workspace  ", "wrote ")) and _PLAIN_COUNT.search(_TIME.sub("", line))]


def test_status_and_prisma_identity_lines_separate_thousands(workspace: Workspace, tmp_path: Path) -> None:
    # `review status` printed 'PubMed 2300', 'remaining 1200', 'hits 1585', '2300 records imported since the
    # last run' beside '2,302 records' (docs audit 2026-12-06, #4); `review prisma` '2302 vs 0 — 2302 records …'.
    _add(workspace, 2, "Embase", "a")
    assert _run(workspace, "dedup").exit_code == 0  # a run that saw 2 records: the 2,300 below come after it
    ids = _add(workspace, 2300, "PubMed", "b")
    run_id = search_store.start_run(workspace.store, query_name="asthma", database="MEDLINE/PubMed", term="asthma",
                                    params={})
    search_store.finish_run(workspace.store, run_id, hit_count=1585, new_records=1585)
    # (a seed set of 1,200 is far beyond a real one's tens: the line's counts are checked all the same)
    search_store.add_seed_check(workspace.store, query_name="asthma", term="asthma", params={}, seed_file="seeds.csv",
                                seed_file_sha256="c" * 64, n_seeds=1200, n_found=1100, recall=1100 / 1200, requests=3,
                                details={}, checked_at=datetime(2026, 12, 6, tzinfo=timezone.utc))
    for record_id in ids[:1100]:
        workspace.store.add_decision(record_id, "alice", "exclude")
    for record_id in ids[:1050]:
        workspace.store.add_decision(record_id, "bob", "include")

    status = _run(workspace, "status")
    assert status.exit_code == 0, status.output
    lines = status.stdout.splitlines()
    assert _plain_counts(lines) == [], status.stdout
    assert any(re.fullmatch(r"  PubMed +2,300", line) for line in lines), status.stdout
    assert "  alice                screened 1,100 = 0 included + 1,100 excluded + 0 maybe; relevant found 0; " \
           "remaining 1,202" in lines, status.stdout
    assert "  bob                  screened 1,050 = 1,050 included + 0 excluded + 0 maybe; relevant found 1,050; " \
           "remaining 1,252" in lines, status.stdout
    assert any(line.startswith("  conflicts            1,050 between reviewers, 0 resolved, 1,050 open")
               for line in lines), status.stdout
    assert any(re.match(r"  asthma +complete +hits +1,585 +new +1,585 ", line) for line in lines), status.stdout
    # walk20: the run's start read 2026-12-06T15:06:13.947787+00:00; now to the minute, as the PRISMA-S report has it
    assert any(re.match(r"  asthma +complete +hits +1,585 +new +1,585  \d{4}-\d\d-\d\d \d\d:\d\d UTC$", line)
               for line in lines), status.stdout
    assert any(line.startswith("  asthma               seed check 1,100/1,200 found (recall 0.92)") for line in lines), \
        status.stdout
    assert any(line.endswith("; 2,300 records imported since the last run are not deduplicated yet (review dedup)")
               for line in lines), status.stdout

    prisma = _run(workspace, "prisma", "--out", str(tmp_path / "prisma"))
    assert prisma.exit_code == 0, prisma.output
    (screened,) = [line for line in prisma.stderr.splitlines() if "= screened" in line]
    assert screened.endswith(": 2,302 vs 1,100 — 1,202 records not screened and not covered by a screening stop"), \
        screened
    # (The `note:` lines are also prisma.json's `notes`, kept as they are: a later change.)
    assert _plain_counts([line for line in prisma.stderr.splitlines() if not line.startswith("review: note: ")]) == [], \
        prisma.stderr
    # What scripts read keeps plain digits: the template lines on stdout and prisma.json.
    assert "database_results\t2302" in prisma.stdout.splitlines(), prisma.stdout
    data = json.loads((tmp_path / "prisma" / "prisma.json").read_text(encoding="utf-8"))
    assert data["identities"][0]["explanation"] == "1202 records not screened and not covered by a screening stop"
