"""Fixtures for driving the app: a small workspace and a helper that waits for workers."""

from __future__ import annotations

from pathlib import Path

import pytest

from review.workspace import Workspace
from tui_workspace import build_workspace


@pytest.fixture
def tui_ws(tmp_path: Path) -> Workspace:
    """Twelve records, alice and bob disagreeing on two of the first four, two borderline pairs."""
    return build_workspace(tmp_path / "ws")


@pytest.fixture
def fresh_ws(tmp_path: Path) -> Workspace:
    """Twelve records, no decisions and no dedup pairs."""
    return build_workspace(tmp_path / "fresh", with_conflicts=False, with_pairs=False)
