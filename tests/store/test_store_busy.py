"""SQLite's "database is locked" (another process kept the write lock past the busy wait: a large
import, a dedup run) reaches the user as one line and exit 7, never a traceback, and says what was saved."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from review.cli import main
from review.records import Record
from review.store import core
from review.store.errors import StoreBusy
from review.workspace import Workspace, init_workspace
from store_lock import shorten_busy_wait, write_lock_held


@pytest.fixture
def sqlite_ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Workspace:
    shorten_busy_wait(monkeypatch)
    ws = init_workspace(tmp_path / "ws", title="t", reviewers=["alice", "bob"], seed=7)
    ws.store.add_batch([Record(title=f"record {n}") for n in range(3)], file_name="f", file_sha256="b" * 64,
                       source_name="s", format="csv", encoding="utf-8")
    return ws


def test_a_decision_on_a_locked_store_is_one_line_and_exit_7(sqlite_ws: Workspace) -> None:
    ids = [str(r.id) for r in sqlite_ws.store.records()]
    with write_lock_held(sqlite_ws):
        result = CliRunner().invoke(main, ["-w", str(sqlite_ws.root), "-r", "bob", "decide", ids[0], "--include"])
    assert result.exit_code == 7, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("review: the store is busy") and "not saved" in lines[0]
    assert sqlite_ws.store.decisions() == []
    result = CliRunner().invoke(main, ["-w", str(sqlite_ws.root), "-r", "bob", "decide", ids[0], "--include"])
    assert result.exit_code == 0 and result.stdout == f"{ids[0]}\tinclude\tbob\n"  # the retry works


def test_a_lock_taken_mid_command_names_the_decisions_already_saved(sqlite_ws: Workspace,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    ids = [str(r.id) for r in sqlite_ws.store.records()]
    add_decision = core.Store.add_decision
    held: list[object] = []

    def lock_after_first(self: core.Store, *args: object, **kwargs: object) -> object:
        decision = add_decision(self, *args, **kwargs)  # type: ignore[arg-type]
        if not held:
            other = sqlite3.connect(sqlite_ws.path("review.db"), isolation_level=None)
            other.execute("BEGIN IMMEDIATE")
            held.append(other)
        return decision

    monkeypatch.setattr(core.Store, "add_decision", lock_after_first)
    try:
        result = CliRunner().invoke(main, ["-w", str(sqlite_ws.root), "-r", "bob", "decide", *ids, "--exclude"])
    finally:
        for other in held:
            other.execute("ROLLBACK")  # type: ignore[attr-defined]
            other.close()  # type: ignore[attr-defined]
    assert result.exit_code == 7
    assert result.stdout == f"{ids[0]}\texclude\tbob\n"  # the decision saved keeps its line
    (line,) = result.stderr.splitlines()
    untried = f"; not tried: {', '.join(ids[2:])}" if ids[2:] else ""
    assert line.startswith(f"review: record {ids[1]}: the store is busy")
    assert line.endswith(f"not saved — try again when that has finished; saved before it: {ids[0]}{untried}")
    assert [str(d.record_id) for d in sqlite_ws.store.decisions()] == [ids[0]]
    # The claim the busy store kept this (still running) process from releasing does not lock bob out.
    monkeypatch.setattr(core.Store, "add_decision", add_decision)
    result = CliRunner().invoke(main, ["-w", str(sqlite_ws.root), "-r", "bob", "decide", ids[1], "--exclude"])
    assert result.exit_code == 0, result.stderr


def test_an_earlier_claim_still_too_busy_to_release_does_not_stop_the_next_command(
        sqlite_ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    """A long-lived process (the TUI, a script) retries an unreleased claim first; a store still
    busy for that release keeps the claim for the call after, and this call's decisions go in."""
    from review.services import screening as service

    ids = [str(r.id) for r in sqlite_ws.store.records()]
    left = service.claim_reviewer(sqlite_ws, "alice")  # an earlier call's release found the store busy
    monkeypatch.setattr(service, "_UNRELEASED", [(sqlite_ws.database_url, left)])
    release = service.release_reviewer

    def busy_for_the_earlier_claim(workspace: Workspace, claim: object) -> None:
        if claim is left:
            raise StoreBusy("the store is busy")
        release(workspace, claim)  # type: ignore[arg-type]

    monkeypatch.setattr(service, "release_reviewer", busy_for_the_earlier_claim)
    made = service.decide_records(sqlite_ws, "bob", [ids[0]], "include")
    assert [d.record_id for d in made] == [int(ids[0])]
    assert service._UNRELEASED == [(sqlite_ws.database_url, left)]  # kept for the next command
    monkeypatch.setattr(service, "release_reviewer", release)
    service.decide_records(sqlite_ws, "bob", [ids[1]], "include")
    assert service._UNRELEASED == []
