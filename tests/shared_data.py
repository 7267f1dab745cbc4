"""Access to the read-only ../shared data: skipped when absent, a failure under CI=true.

Import it as ``from shared_data import shared_path`` (tests/ is on pytest's pythonpath);
not from ``conftest``, which is ambiguous once sub-folders have their own conftest.py.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

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
