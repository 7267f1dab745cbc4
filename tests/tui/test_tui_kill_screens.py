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


def _keys_then_kill(root: Path, reviewer: str, start: str, loaded: str, keys: list[tuple[str, str]]) -> None:
    """``review tui --start START`` as ``reviewer`` in a pty: once ``loaded`` shows, each key and the text that says
    the screen confirmed it, then kill -9 (whatever happened, the process is killed; it must die by SIGKILL)."""
    env = dict(os.environ, TERM="xterm-256color", COLUMNS="110", LINES="32")
    env.pop("TEXTUAL", None)
    argv = [sys.executable, "-c", "from review.cli import main; main()", "-w", str(root), "-r", reviewer,
            "tui", "--start", start]
    terminal = Terminal(argv, env)
    try:
        terminal.wait_for(loaded, START_TIMEOUT)
        for key, confirmed in keys:
            terminal.send(key)
            terminal.wait_for(confirmed, KEY_TIMEOUT)
    finally:
        status = terminal.kill()
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL


def test_sigkill_after_the_browser_full_text_and_dedup_keys_loses_nothing_confirmed(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    workspace = build_workspace(root, with_conflicts=False)  # 12 records, two borderline pairs
    first, second = sorted(r.id for r in workspace.store.records())[:2]
    _keys_then_kill(root, "alice", "browser", "of 12 records to screen", [
        ("i", f"#{first}: include"),  # the notification after the commit
        ("e", f"#{second}: exclude"),
        ("6", "1 reports at full text"),
        ("o", "sought"),
        ("3", "Pair 1 of 2"),
        ("d", "1 decided"),
    ])

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
    _keys_then_kill(root, "carol", "conflicts", "Blind mode: other reviewers", [  # loaded, blind: the list is empty
        ("b", "AC1"),  # the agreement table, unblinded
        ("e", "exclude (carol)"),  # the first conflict, shown once stored; the cursor moves on to the second
        ("u", "took back exclude"),  # on the open second row: takes back the resolution just made
        ("i", "include (carol)"),
    ])

    store = Workspace(root).store  # reopened from disk after the kill
    alice, bob = ({d.record_id: d.label for d in store.decisions(reviewer=who)} for who in ("alice", "bob"))
    first, second = sorted(r for r, label in alice.items() if bob.get(r) not in (None, label))
    assert store_resolutions(store) == {second: ("include", "carol")}  # first's taken back, second's there
