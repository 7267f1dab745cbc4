"""kill -9 after keys on the record browser, the full-text screen and the dedup review: every key
the screen confirmed is in the store reopened from disk (test_tui_kill.py does it for screening)."""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

import pytest

from review.store.dedup import pair_log
from review.store.fulltext import fulltext_events
from review.workspace import Workspace
from test_tui_kill import START_TIMEOUT, KEY_TIMEOUT, Terminal
from tui_workspace import build_workspace

pytestmark = [pytest.mark.slow, pytest.mark.skipif(sys.platform == "win32", reason="needs a pty")]


def test_sigkill_after_the_browser_full_text_and_dedup_keys_loses_nothing_confirmed(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    workspace = build_workspace(root, with_conflicts=False)  # 12 records, two borderline pairs
    first, second = sorted(r.id for r in workspace.store.records())[:2]
    env = dict(os.environ, TERM="xterm-256color", COLUMNS="110", LINES="32")
    env.pop("TEXTUAL", None)
    argv = [sys.executable, "-c", "from review.cli import main; main()", "-w", str(root), "-r", "alice",
            "tui", "--start", "browser"]
    terminal = Terminal(argv, env)
    try:
        terminal.wait_for("of 12 records to screen", START_TIMEOUT)
        terminal.send("i")
        terminal.wait_for(f"#{first}: include", KEY_TIMEOUT)  # the notification after the commit
        terminal.send("e")
        terminal.wait_for(f"#{second}: exclude", KEY_TIMEOUT)
        terminal.send("6")
        terminal.wait_for("1 reports at full text", KEY_TIMEOUT)
        terminal.send("o")
        terminal.wait_for("sought", KEY_TIMEOUT)
        terminal.send("3")
        terminal.wait_for("Pair 1 of 2", KEY_TIMEOUT)
        terminal.send("d")
        terminal.wait_for("1 decided", KEY_TIMEOUT)
    finally:
        status = terminal.kill()
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL

    store = Workspace(root).store  # reopened from disk after the kill
    assert [(d.record_id, d.label) for d in store.decisions(reviewer="alice")] == [(first, "include"),
                                                                                   (second, "exclude")]
    assert [(e.record_id, e.event) for e in fulltext_events(store)] == [(first, "sought")]
    assert [r["verdict"] for r in pair_log(store) if r["origin"] == "human"] == ["different"]
