"""The TUI on a workspace whose store file is not there: it leaves with the one line the command line prints,
and makes no empty store in its place (tests/store/test_store_missing.py has the commands)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from review.workspace import Workspace
from tui_workspace import async_test, open_app


@async_test
async def test_the_window_leaves_with_the_line_and_creates_no_store(fresh_ws: Workspace, tmp_path: Path,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    fresh_ws.store.engine.dispose()
    for side in ("", "-wal", "-shm"):  # (moved whole: a -wal left behind is refused with its own line)
        if (fresh_ws.root / f"review.db{side}").exists():
            shutil.move(fresh_ws.root / f"review.db{side}", tmp_path / f"aside.db{side}")
    ws = Workspace(fresh_ws.root)
    async with open_app(ws, "alice", "screening") as (app, _pilot):
        pass  # refused at start-up: the app has already ended
    assert app.return_code == 1 and app.project is None
    message = " ".join(capsys.readouterr().err.split())  # (as printed on leaving, wrapped at the width)
    assert message.startswith(f"review: {ws.root / 'review.db'}: the store file is not there"), message
    assert message.endswith(f"review init --store-only {ws.root}")
    assert not (ws.root / "review.db").exists()
