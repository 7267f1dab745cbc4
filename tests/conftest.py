"""Shared fixtures: the read-only ../shared data and throwaway workspaces."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

from review.workspace import Workspace
from shared_data import REPO_ROOT, SHARED, shared_path  # noqa: F401  (re-exported for old imports)


# CI replays the same examples on every run (a red CI run is reproducible, never a lucky draw) and does
# not time single examples on a shared, loaded machine; locally each run draws new examples.
settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
if os.environ.get("CI", "").lower() == "true":
    settings.load_profile("ci")


@pytest.fixture(autouse=True)
def _no_store_override(monkeypatch: pytest.MonkeyPatch) -> None:
    """A REVIEW_DATABASE_URL in the developer's shell would send every test workspace to one store."""
    monkeypatch.delenv("REVIEW_DATABASE_URL", raising=False)


@pytest.fixture
def shared() -> "callable":
    return shared_path


@pytest.fixture
def workspace(tmp_path: Path) -> Iterator[Workspace]:
    """A fresh workspace; on PostgreSQL (a database of its own) when REVIEW_TEST_ENGINE=postgresql,
    which runs the whole suite on the team engine (tests/store runs on both engines always)."""
    from postgres import throwaway_workspace

    with throwaway_workspace(tmp_path / "ws", os.environ.get("REVIEW_TEST_ENGINE", "sqlite")) as ws:
        yield ws
