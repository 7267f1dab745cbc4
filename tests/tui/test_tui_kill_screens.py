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


def test_sigkill_after_conflict_resolutions_and_a_take_back_loses_nothing_confirmed(tmp_path: Path) -> None:
    """rrev31b: kill -9 after keys on the conflicts screen (screen 4): a resolution, `u` on the next row taking it
    back (walk31, bc1d586a: the cursor had moved on), another resolution. What the screen confirmed is what the store
    reopened from disk holds: the take-back stands, the last resolution is there."""
    from resolutions import store_resolutions

    root = tmp_path / "ws"
    build_workspace(root, with_pairs=False)  # alice and bob disagree on two records
    env = dict(os.environ, TERM="xterm-256color", COLUMNS="110", LINES="32")
    env.pop("TEXTUAL", None)
    argv = [sys.executable, "-c", "from review.cli import main; main()", "-w", str(root), "-r", "carol",
            "tui", "--start", "conflicts"]
    terminal = Terminal(argv, env)
    try:
        terminal.wait_for("Blind mode: other reviewers", START_TIMEOUT)  # loaded, blind: the list is empty
        terminal.send("b")
        terminal.wait_for("AC1", KEY_TIMEOUT)  # the agreement table, unblinded
        terminal.send("e")  # the first conflict; the cursor moves on to the second
        terminal.wait_for("exclude (carol)", KEY_TIMEOUT)  # the row shows it once it is stored
        terminal.send("u")  # on the open second row: takes back the resolution just made
        terminal.wait_for("took back exclude", KEY_TIMEOUT)
        terminal.send("i")
        terminal.wait_for("include (carol)", KEY_TIMEOUT)
    finally:
        status = terminal.kill()
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL

    store = Workspace(root).store  # reopened from disk after the kill
    alice, bob = ({d.record_id: d.label for d in store.decisions(reviewer=who)} for who in ("alice", "bob"))
    first, second = sorted(r for r, label in alice.items() if bob.get(r) not in (None, label))
    assert store_resolutions(store) == {second: ("include", "carol")}  # first's taken back, second's there
