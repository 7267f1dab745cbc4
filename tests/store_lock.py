"""Another process holding the SQLite store's write lock, as a large import does: for the tests of
``StoreBusy`` (one line, exit 7) in the CLI, the services and the TUI."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from review.store import core
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
    """Another process's write transaction on the store, as an import holds while it writes."""
    other = sqlite3.connect(workspace.path("review.db"), isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        other.execute("ROLLBACK")
        other.close()
