"""Shared fixtures: the read-only ../shared data and throwaway workspaces."""

from __future__ import annotations

from pathlib import Path

import pytest

from review.workspace import Workspace, init_workspace
from shared_data import REPO_ROOT, SHARED, shared_path  # noqa: F401  (re-exported for old imports)


@pytest.fixture
def shared() -> "callable":
    return shared_path


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    return init_workspace(tmp_path / "ws", title="Test review", reviewers=["alice", "bob"], seed=7)
