"""Snapshots of the four main screens on the small deterministic workspace.

Regenerate (Python 3.11, Textual 8.2.8 only) with
``python -m pytest -n 0 tests/tui/test_tui_snapshots.py --snapshot-update``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import textual

from review.tui.app import make_app
from tui_workspace import build_workspace, settle

pytestmark = pytest.mark.skipif(textual.__version__ != "8.2.8",
                                reason="snapshots are pinned to Textual 8.2.8")

SIZE = (110, 34)


def _app(tmp_path: Path, start: str, reviewer: str = "alice"):  # type: ignore[no-untyped-def]
    return make_app(build_workspace(tmp_path / "ws"), reviewer, start)


async def _settled(pilot) -> None:  # type: ignore[no-untyped-def]
    await settle(pilot)


def test_dashboard(snap_compare, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(_app(tmp_path, "dashboard"), terminal_size=SIZE, run_before=_settled)


def test_screening(snap_compare, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(_app(tmp_path, "screening"), terminal_size=SIZE, run_before=_settled)


def test_dedup_review(snap_compare, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(_app(tmp_path, "dedup"), terminal_size=SIZE, run_before=_settled)


def test_conflicts_unblinded(snap_compare, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    async def unblind(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        await pilot.press("b")
        await settle(pilot)
        pilot.app.clear_notifications()
        await pilot.pause()

    assert snap_compare(_app(tmp_path, "conflicts", "carol"), terminal_size=SIZE, run_before=unblind)
