"""A second ``Store.open`` of a store file this process already holds must not drop the process's SQLite locks
on it. POSIX advisory locks belong to a process and an inode: closing any descriptor of the file (a Python
``open()`` to read its header, say) releases every lock the process holds on it, so another process could then
switch it out of WAL mode or checkpoint and delete the -wal under the open connections ("database disk image is
malformed": two in-process TUI sessions and the retrain worker)."""

from __future__ import annotations

import subprocess
import sys
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
