"""Shared fixtures: the read-only ../shared data and throwaway workspaces."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from review.workspace import Workspace, init_workspace

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("REVIEW_SHARED", REPO_ROOT.parent / "shared"))


def shared_path(*parts: str) -> Path:
    """A path under ../shared; skips the test when it is absent, fails under CI=true."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        message = f"shared data missing: {path}"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture
def shared() -> "callable":
    return shared_path


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    return init_workspace(tmp_path / "ws", title="Test review", reviewers=["alice", "bob"], seed=7)
