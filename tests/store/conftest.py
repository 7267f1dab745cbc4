"""The store's tests run on both engines: every test taking ``workspace`` runs on SQLite and on
PostgreSQL (a database of its own on the test server; see tests/postgres.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from postgres import fresh_database
from review.workspace import Workspace, init_workspace


@pytest.fixture(params=["sqlite", "postgresql"])
def engine_name(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def workspace(tmp_path: Path, engine_name: str) -> Iterator[Workspace]:
    if engine_name == "sqlite":
        yield init_workspace(tmp_path / "ws", title="Test review", reviewers=["alice", "bob"], seed=7)
        return
    with fresh_database() as url:
        ws = init_workspace(tmp_path / "ws", title="Test review", reviewers=["alice", "bob"], seed=7,
                            database_url=url)
        yield ws
        ws.store.engine.dispose()
