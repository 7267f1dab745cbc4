"""The store's tests run on both engines: every test taking ``workspace`` runs on SQLite and on
PostgreSQL (a database of its own on the test server; see tests/postgres.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from postgres import throwaway_workspace
from review.workspace import Workspace


@pytest.fixture(params=["sqlite", "postgresql"])
def engine_name(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def workspace(tmp_path: Path, engine_name: str) -> Iterator[Workspace]:
    with throwaway_workspace(tmp_path / "ws", engine_name) as ws:
        yield ws
