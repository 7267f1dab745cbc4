"""kill -9 between a build's two writes (the item bank file, then its version row): the file is
what exports and fill-in mode read, so the next build or history records its version, and a
version is never recorded twice (a unique index, store schema 2)."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from datetime import datetime, timedelta, timezone

import pytest

from kill_harness import SIGKILLED
from review.instrument.itembank import read_bank
from review.instrument.project import build, paths, version_history
from review.store import instrument as versions_table
from review.workspace import Workspace

from .conftest import QUESTIONS, SYNTHESIS

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs SIGKILL")

#: ``review instrument build`` (the service's build), killed with SIGKILL from inside its store step:
#: the kill lands between the file write and the row every run.
BUILD_KILLED_BEFORE_STORE = """
import os, signal, sys
from review.services import instrument as service
from review.store import instrument as versions_table
from review.workspace import Workspace

def killed(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)

versions_table.record_version = killed
service.build(Workspace(sys.argv[1]))
print("store step returned", flush=True)
"""


@pytest.fixture
def ws(workspace: Workspace) -> Workspace:
    (workspace.root / "extraction" / "synthesis.csv").write_text(SYNTHESIS, encoding="utf-8")
    (workspace.root / "instrument" / "questions.toml").write_text(QUESTIONS, encoding="utf-8")
    return workspace


def _killed_build(ws: Workspace) -> None:
    child = subprocess.run([sys.executable, "-c", BUILD_KILLED_BEFORE_STORE, str(ws.root)],
                           capture_output=True, text=True, timeout=120)
    assert child.returncode == SIGKILLED, child.stderr[-800:]
    assert "returned" not in child.stdout


def test_a_build_killed_before_its_row_is_recorded_by_the_next_history(ws: Workspace) -> None:
    _killed_build(ws)
    path = paths(ws).item_bank
    bank = read_bank(path)  # whole: written atomically before the store step
    assert versions_table.versions(ws.store) == []  # the state the kill left: a file, no row
    reopened = Workspace(ws.root)
    (row,) = version_history(reopened)
    assert row.version == bank.version and row.n_items == len(bank.scored_items)
    assert row.item_bank_sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert len(version_history(reopened)) == 1  # level now: nothing recorded twice


def test_the_next_build_after_a_killed_one_records_it_once(ws: Workspace) -> None:
    _killed_build(ws)
    first = read_bank(paths(ws).item_bank)
    result = build(Workspace(ws.root))
    assert not result.written and result.bank.version == first.version  # unchanged, not rebuilt
    assert [v.version for v in versions_table.versions(ws.store)] == [first.version]


def test_a_rebuild_of_a_recorded_version_keeps_one_row_and_its_date(ws: Workspace) -> None:
    """A row whose file is gone (left by a build that recorded before writing, or a deleted file):
    the same day's rebuild writes the file with the recorded date and adds no second row."""
    built = datetime.now(timezone.utc).replace(hour=1, minute=0, second=0, microsecond=0)
    first = build(ws, now=built).bank
    paths(ws).item_bank.unlink()
    again = build(ws, now=built + timedelta(hours=2))
    assert again.written and again.bank.version == first.version
    assert read_bank(paths(ws).item_bank).built_at == first.built_at
    (row,) = version_history(ws)
    assert row.item_bank_sha256 == hashlib.sha256(paths(ws).item_bank.read_bytes()).hexdigest()


def test_a_hand_edited_bank_is_not_recorded(ws: Workspace) -> None:
    build(ws)
    with ws.store.transaction() as conn:
        conn.execute(versions_table.instrument_versions.delete())
    path = paths(ws).item_bank
    path.write_text(path.read_text(encoding="utf-8").replace("Overweeg bemiddeling.", "Bemiddel."),
                    encoding="utf-8")
    assert version_history(ws) == []  # its content no longer matches its hash: not a build's file


def test_history_and_an_unchanged_build_read_a_recorded_version_without_the_write_lock(
        ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    # Both took the write lock to find the row there: behind an import they waited and exited 7,
    # and on a read-only store they failed.
    first = build(ws).bank

    def busy() -> None:
        raise AssertionError("the write lock was taken")

    monkeypatch.setattr(type(ws.store), "locked_transaction", lambda self: busy())
    assert [v.version for v in version_history(ws)] == [first.version]
    assert not build(ws).written
