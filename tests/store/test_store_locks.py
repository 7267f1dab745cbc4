"""A second ``Store.open`` of a store file this process already holds must not drop the process's SQLite locks
on it. POSIX advisory locks belong to a process and an inode: closing any descriptor of the file (a Python
``open()`` to read its header, say) releases every lock the process holds on it, so another process could then
switch it out of WAL mode or checkpoint and delete the -wal under the open connections ("database disk image is
malformed": two in-process TUI sessions and the retrain worker)."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa

from review.store.core import Store

# Run by a separate process: what a SHARED lock held by the test process must prevent. Leaving WAL mode needs
# the EXCLUSIVE lock; it prints "locked" when refused, else the journal mode it got.
_LEAVE_WAL = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], timeout=0)
try:
    print(conn.execute("PRAGMA journal_mode=DELETE").fetchone()[0])
except sqlite3.OperationalError as err:
    print("locked" if "locked" in str(err) else f"error: {err}")
finally:
    conn.close()
"""


def _another_process_leaves_wal_mode(file: Path) -> str:
    done = subprocess.run([sys.executable, "-c", _LEAVE_WAL, str(file)], capture_output=True, text=True,
                          timeout=60, check=True)
    return done.stdout.strip()


@pytest.mark.parametrize("checkpointed", [False, True], ids=["changes-in-wal", "wal-emptied"])
def test_a_second_open_of_a_store_this_process_holds_keeps_its_locks(tmp_path: Path, checkpointed: bool) -> None:
    """With the -wal emptied the second open reads the file itself (nothing beside it is newer)."""
    file = tmp_path / "review.db"
    url = f"sqlite:///{file}"
    first = Store.open(url)
    try:
        if checkpointed:
            with first.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            assert file.with_name("review.db-wal").stat().st_size == 0
        with first.connect() as conn, conn.begin():
            conn.execute(sa.text("SELECT count(*) FROM sqlite_master")).scalar_one()  # a read transaction
            # Held now: the child is refused (the test's own premise; it holds on every version).
            assert _another_process_leaves_wal_mode(file) == "locked"
            second = Store.open(url, create=False)  # (reads the file before its engine connects)
            try:
                assert _another_process_leaves_wal_mode(file) == "locked"
            finally:
                second.engine.dispose()
        # The first store's pooled connection still holds the file's SHARED lock after its transaction.
        assert _another_process_leaves_wal_mode(file) == "locked"
    finally:
        first.engine.dispose()
    assert _another_process_leaves_wal_mode(file) == "delete"  # (no lock left: the child may; it could fail)


class _WrittenDuringTheRead:
    """A connection whose query is answered, then another connection writes the file (``write``): what a
    process creating a store, or checkpointing one, may do while the lock-free read is under way."""

    def __init__(self, conn: sqlite3.Connection, write: Callable[[], None]) -> None:
        self.conn, self.write = conn, write

    def execute(self, *args: object) -> sqlite3.Cursor:
        cursor = self.conn.execute(*args)  # type: ignore[arg-type]
        self.write()
        return cursor

    def close(self) -> None:
        self.conn.close()


@pytest.mark.parametrize("journal", ["DELETE", "WAL"])
def test_a_file_written_while_its_schema_is_read_without_a_lock_is_left_to_the_store(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, journal: str) -> None:
    """The schema is read with immutable=1 (no lock): a file another process writes meanwhile (its tables into the
    -wal of a store being created, or into the file itself) is not judged "without the review's tables" from that
    read; the store's own connection judges it, under its locks."""
    from review.store import opening

    file = tmp_path / "review.db"
    setup = sqlite3.connect(file)
    setup.execute(f"PRAGMA journal_mode={journal}")
    setup.execute("CREATE TABLE notes (x)")
    setup.commit()
    setup.close()
    assert opening._sqlite_file_without_store(file)  # nothing written meanwhile: another program's file
    writer = sqlite3.connect(file)

    def write() -> None:
        writer.execute("CREATE TABLE schema_info (key TEXT, value TEXT)")
        writer.commit()  # (WAL: into review.db-wal, the writer kept open so it stays there)

    real_connect = sqlite3.connect
    monkeypatch.setattr(sqlite3, "connect", lambda *a, **k: _WrittenDuringTheRead(real_connect(*a, **k), write))
    try:
        assert not opening._sqlite_file_without_store(file)
    finally:
        writer.close()

