"""Another process holding the SQLite store's write lock, as a large import does: for the tests of
``StoreBusy`` (one line, exit 7) in the CLI, the services and the TUI; and another review upgrading the store
(either engine), for the tests of a wait for that upgrade in the store and the TUI."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import sqlalchemy as sa

from review.store import core, schema
from review.store.opening import engine_url
from review.workspace import Workspace

#: The busy wait the tests take (the store's default waits seconds before giving up).
SHORT_BUSY_TIMEOUT_MS = 100


def shorten_busy_wait(monkeypatch: pytest.MonkeyPatch, workspace: Workspace | None = None) -> None:
    """New connections give up after :data:`SHORT_BUSY_TIMEOUT_MS`; ``workspace``'s open ones are
    dropped so that its next ones do too."""
    monkeypatch.setattr(core, "BUSY_TIMEOUT_MS", SHORT_BUSY_TIMEOUT_MS)
    if workspace is not None:
        workspace.store.engine.dispose()


@contextmanager
def write_lock_held(workspace: Workspace) -> Iterator[None]:
    """Another process's write transaction on the store, as an import holds while it writes. SQLite's lock: a
    test taking it skips on a PostgreSQL workspace (REVIEW_TEST_ENGINE=postgresql), where it locked a stray
    review.db and the test failed; PostgreSQL's busy store (lock_timeout) is tested in tests/store."""
    if not workspace.sqlite_databases():
        pytest.skip("holds SQLite's write lock; the workspace's store is on PostgreSQL")
    other = sqlite3.connect(workspace.path("review.db"), isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        other.execute("ROLLBACK")
        other.close()


@contextmanager
def upgrade_lock_held(workspace: Workspace) -> Iterator[str]:
    """The store one schema version behind, and another review's transaction holding its write lock until the
    block ends, as one upgrading it does: opening the store waits. Yields the store's URL. The workspace's own
    store is closed and forgotten, so its next use opens the store afresh, as a new window does."""
    url = workspace.database_url
    workspace.store.engine.dispose()
    workspace.__dict__.pop("store")
    owner = sa.create_engine(engine_url(url))
    with owner.begin() as conn:
        conn.execute(schema.schema_info.update().where(schema.schema_info.c.key == "version")
                     .values(value=str(schema.SCHEMA_VERSION - 1)))
    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        with owner.begin() as conn:
            core._take_write_lock(conn)
            held.set()
            release.wait(60)

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert held.wait(30)
        yield url
    finally:
        release.set()
        holder.join(60)
        owner.dispose()
