"""kill -9 at random points of what a team does: a burst of decisions, a large import, dedup
merges and undos, full-text links, a migration. Real child processes get SIGKILL; afterwards every
change whose call returned is in the store, nothing is half-stored, and the workspace opens and
goes on without repair. (benchmarks/durability.py runs the same with hundreds of kills.)"""

from __future__ import annotations

import random
import sys
from pathlib import Path

import pytest

import kill_harness
from kill_harness import DECIDE, DEDUP, LINK, MIGRATE
from review.dedup import decisions as dedup_decisions
from review.records import Record
from review.services import prisma as prisma_service
from review.services import screening as screening_service
from review.services.sources import import_files
from review.store import dedup as dedup_store
from review.store import fulltext as fulltext_store
from review.workspace import Workspace, init_workspace

pytestmark = [pytest.mark.slow, pytest.mark.skipif(sys.platform == "win32", reason="needs SIGKILL")]

#: A child that starts up (imports, opening the store) slowly on a loaded 2-core machine.
START_TIMEOUT = 120.0


def run_until_killed(code: str, *args: object, after_lines: int, delay: float) -> list[str]:
    """The lines (changes that returned) of a child killed ``delay`` s after its ``after_lines``-th."""
    lines, returncode, err = kill_harness.run_until_killed(code, *args, after_lines=after_lines, delay=delay,
                                                           start_timeout=START_TIMEOUT)
    assert returncode == kill_harness.SIGKILLED, f"the child ended before the kill: {err}"
    assert len(lines) >= after_lines, err
    return lines


def _workspace(tmp_path: Path, n: int) -> Workspace:
    ws = init_workspace(tmp_path / "ws", title="t", reviewers=["alice", "bob"], seed=7)
    ws.store.add_batch([Record(title=f"Study {i} of sickness absence", abstract=f"workers {i}") for i in range(n)],
                       file_name="f.ris", file_sha256="e" * 64, source_name="db", format="ris", encoding="utf-8")
    return ws




def test_a_killed_decision_burst_keeps_every_returned_decision(workspace: Workspace) -> None:
    """Both engines: kills at random points of a burst of `review decide` calls."""
    workspace.store.add_batch([Record(title=f"record {i}") for i in range(120)], file_name="f",
                              file_sha256="f" * 64, source_name="s", format="csv", encoding="utf-8")
    ids = sorted(r.id for r in workspace.store.records() if r.id is not None)
    rng = random.Random(3)
    next_index = 0
    for _ in range(3 if workspace.store.dialect == "sqlite" else 2):
        todo = ids[next_index:next_index + 30]
        confirmed = {int(r) for r in run_until_killed(DECIDE, workspace.root, "alice", *todo,
                                                      after_lines=rng.randint(1, 6), delay=rng.uniform(0, 0.05))}
        stored = {rid for rid, _ in screening_service.current_decisions(Workspace(workspace.root), "alice")}
        assert confirmed <= stored  # every decision whose call returned is there
        in_flight = set(todo[len(confirmed):len(confirmed) + 1])
        assert stored - set(ids[:next_index]) - confirmed <= in_flight  # and at most the one under way
        next_index = ids.index(max(stored)) + 1
    # The killed process's claim on alice does not lock her out: the next command takes it over.
    made = screening_service.decide_records(Workspace(workspace.root), "alice", [str(ids[next_index])], "maybe")
    assert [d.record_id for d in made] == [ids[next_index]]


IMPORT = """
import sys
from pathlib import Path
from review.workspace import Workspace
from review.services.sources import import_files
def progress(path, phase, n):
    if phase == "writing":
        print("writing", flush=True)
import_files(Workspace(sys.argv[1]), [Path(sys.argv[2])], progress=progress)
print("imported", flush=True)
import time; time.sleep(60)
"""


def _ris(path: Path, n: int) -> Path:
    path.write_text("".join(f"TY  - JOUR\nTI  - Imported study {i} on return to work\nAU  - Author, A{i % 97}\n"
                            f"PY  - {2000 + i % 20}\nAB  - Abstract {i} about workers.\nER  - \n\n"
                            for i in range(n)), encoding="utf-8")
    return path


#: Records in the imported file: its rows take a few tenths of a second to write.
N_IMPORT = 6000


def test_an_import_killed_while_writing_leaves_all_or_nothing_and_imports_again(tmp_path: Path) -> None:
    ws = _workspace(tmp_path, 10)
    big = _ris(tmp_path / "big.ris", N_IMPORT)
    lines = run_until_killed(IMPORT, ws.root, big, after_lines=1, delay=random.Random(5).uniform(0, 0.3))
    store = Workspace(ws.root).store
    n_records, batches = store.count_records(), store.batches()
    assert (n_records, len(batches)) in ((10, 1), (N_IMPORT + 10, 2))  # the file whole, or not at all
    assert sum(b["n_records"] for b in batches) == n_records
    assert "imported" not in lines or n_records == N_IMPORT + 10
    with store.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
    again = import_files(Workspace(ws.root), [big])  # the same command, run again
    assert Workspace(ws.root).store.count_records() == N_IMPORT + 10
    assert again.files[0].status == ("skipped" if n_records > 10 else "imported")




def test_dedup_merges_and_undos_killed_leave_clusters_in_line_with_the_log(tmp_path: Path) -> None:
    ws = _workspace(tmp_path, 6)
    a, b, c, d = sorted(r.id for r in ws.store.records() if r.id is not None)[:4]
    rng = random.Random(11)
    confirmed_total = 0
    for _ in range(2):
        confirmed_total += len(run_until_killed(DEDUP, ws.root, a, b, c, d, after_lines=rng.randint(1, 9),
                                                delay=rng.uniform(0, 0.03)))
        store = Workspace(ws.root).store
        with store.connect() as conn:
            rows = dedup_store.state_rows(conn)
        implied = {frozenset(g) for g in dedup_decisions._components(dedup_decisions._state(rows)) if len(g) > 1}
        assert {frozenset(m) for m in dedup_store.clusters(store).values()} == implied
        human = [r for r in rows if r["origin"] == "human"]
        assert len(human) >= confirmed_total  # (an undo-merge appends one row per pair)




def test_a_link_of_several_reports_killed_is_all_or_nothing(tmp_path: Path) -> None:
    ws = _workspace(tmp_path, 10)
    study, *reports = sorted(r.id for r in ws.store.records() if r.id is not None)[:9]
    rng = random.Random(2)
    for _ in range(2):
        lines = run_until_killed(LINK, ws.root, study, *reports, after_lines=rng.randint(1, 6),
                                 delay=rng.uniform(0, 0.02))
        links = fulltext_store.report_links(Workspace(ws.root).store)
        studies = {links[r].study_id for r in reports}
        assert studies in ({study}, {None})  # the command's reports move together
        assert len({r: links[r] for r in reports}) == len(reports)
        assert lines[-1] in ("linked", "unlinked")


def test_a_link_that_fails_part_way_keeps_none_of_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ws = _workspace(tmp_path, 5)
    study, *reports = sorted(r.id for r in ws.store.records() if r.id is not None)
    require = fulltext_store._require_record
    calls: list[int] = []

    def fail_on_the_fourth(conn: object, record_id: int) -> None:
        calls.append(record_id)
        if len(calls) == 4:
            raise OSError("the process dies here")
        require(conn, record_id)  # type: ignore[arg-type]

    monkeypatch.setattr(fulltext_store, "_require_record", fail_on_the_fourth)
    with pytest.raises(OSError):
        prisma_service.link_reports(ws, study, reports, "alice")
    assert fulltext_store.report_links(ws.store) == {}




def test_a_migration_killed_part_way_leaves_a_workspace_that_opens_and_migrates_again(tmp_path: Path) -> None:
    ws = _workspace(tmp_path, 4000)
    ids = [str(r.id) for r in ws.store.records()][:20]
    screening_service.decide_records(ws, "alice", ids, "exclude")
    target = tmp_path / "moved.db"
    rng = random.Random(4)
    finished = False
    for _ in range(2):
        lines = run_until_killed(MIGRATE, ws.root, f"sqlite:///{target}", after_lines=1, delay=rng.uniform(0.1, 0.8))
        reopened = Workspace(ws.root)
        assert len(reopened.store.decisions()) == 20  # whichever store review.toml names holds them all
        assert reopened.store.count_records() == 4000
        if "migrated" in lines:
            finished = True  # (the kill came after the end: a loaded machine)
            break
    from review.errors import ReviewError
    from review.services.workspace import migrate_store

    if finished:
        # It returned before a test ran on this branch: the move is done, review.toml names the copy, and the
        # same command again says so instead of copying over it.
        assert Workspace(ws.root).database_url == f"sqlite:///{target}"
        with pytest.raises(ReviewError, match="the review is already there"):
            migrate_store(Workspace(ws.root), f"sqlite:///{target}")
    else:
        report = migrate_store(Workspace(ws.root), f"sqlite:///{target}")  # the same command, run again
        assert report.same
    assert len(Workspace(ws.root).store.decisions()) == 20
