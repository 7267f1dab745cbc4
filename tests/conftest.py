"""Shared fixtures: the read-only ../shared data and throwaway workspaces."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

from review.workspace import Workspace
from shared_data import REPO_ROOT, SHARED, shared_path  # noqa: F401  (re-exported for old imports)


# No example is timed anywhere: performance goals live in benchmarks/, and Hypothesis's 200 ms deadline
# turned a loaded machine into a red test. CI replays the same examples on every run (a red CI run is
# reproducible, never a lucky draw); locally each run draws new examples and prints how to replay a failure.
settings.register_profile("local", deadline=None, print_blob=True)
settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
settings.load_profile("ci" if os.environ.get("CI", "").lower() == "true" else "local")


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
