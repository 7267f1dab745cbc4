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
    # As printed on leaving: wrapped at the terminal's width, which may break a long path anywhere (a pytest-xdist
    # worker's tmp folder did: '.../fresh/r eview.db'), so the words are compared with every space taken out.
    message = "".join(capsys.readouterr().err.split())
    assert message.startswith("".join(f"review: {ws.root / 'review.db'}: the store file is not there".split())), message
    assert message.endswith("".join(f"review init --store-only {ws.root}".split()))
    assert not (ws.root / "review.db").exists()
