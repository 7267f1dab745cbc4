"""Kill test: screen N records in a real pseudo-terminal, SIGKILL the app, every decision is there.

The app runs as ``review screen`` in a child process on a pty; a decision counts as confirmed
when the screen shows the new "Screened k / n". Then the process gets SIGKILL (no clean-up
at all) and the store is reopened from disk.
"""

from __future__ import annotations

import fcntl
import os
import pty
import signal
import struct
import sys
import termios
import threading
import time
from pathlib import Path

import pytest

from review.workspace import Workspace
from script_module import load_script
from tui_workspace import build_workspace

pytestmark = [pytest.mark.slow, pytest.mark.skipif(sys.platform == "win32", reason="needs a pty")]

_ANSI = load_script("benchmarks/tui.py", "benchmark_tui").ANSI  # (one reading of a terminal's output for both)
#: Start-up may import scikit-learn and scipy on a busy 2-core CI machine.
START_TIMEOUT = 120.0
KEY_TIMEOUT = 20.0


class Terminal:
    """A child process on a pty, with everything it prints collected by a reader thread."""

    def __init__(self, argv: list[str], env: dict[str, str], size: tuple[int, int] = (110, 32)) -> None:
        pid, fd = pty.fork()
        if pid == 0:  # child
            try:
                os.execvpe(argv[0], argv, env)
            finally:
                os._exit(127)
        self.pid, self.fd = pid, fd
        cols, rows = size
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        self.output = bytearray()
        self.lock = threading.Lock()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        while True:
            try:
                chunk = os.read(self.fd, 65536)
            except OSError:
                return
            if not chunk:
                return
            with self.lock:
                self.output.extend(chunk)

    def text(self) -> str:
        with self.lock:
            data = bytes(self.output)
        return _ANSI.sub(b"", data).decode("utf-8", "replace")

    def wait_for(self, needle: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if needle in self.text():
                return
            time.sleep(0.02)
        raise AssertionError(f"{needle!r} not on screen after {timeout:.0f}s; last output: {self.text()[-600:]!r}")

    def send(self, keys: str) -> None:
        os.write(self.fd, keys.encode())

    def kill(self) -> int:
        os.kill(self.pid, signal.SIGKILL)
        _, status = os.waitpid(self.pid, 0)
        try:
            os.close(self.fd)
        except OSError:
            pass
        return status


def _retrain_workers(parent: int) -> set[int]:
    """Pids of retrain worker processes (``review.tui.retrainer.worker_main``) started by ``parent``.

    Only this app's children count: other test runs on the same machine have workers of their own.
    """
    found = set()
    for entry in Path("/proc").iterdir() if Path("/proc").is_dir() else ():
        try:
            if not entry.name.isdigit() or b"worker_main" not in (entry / "cmdline").read_bytes():
                continue
            status = (entry / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":\t", 1) for line in status.splitlines() if ":\t" in line)
        if fields.get("PPid", "").strip() == str(parent):
            found.add(int(entry.name))
    return found


def _running(pid: int) -> bool:
    """Whether ``pid`` is a live process (a zombie awaiting its reaper has ended)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


@pytest.mark.parametrize("retrain", ["thread", "process"])
def test_sigkill_loses_no_confirmed_decision(tmp_path: Path, retrain: str) -> None:
    n_records, n_keys = 30, 12
    root = tmp_path / "ws"
    build_workspace(root, n=n_records, with_conflicts=False, with_pairs=False)
    config = root / "review.toml"
    config.write_text(config.read_text(encoding="utf-8").replace('retrain = "thread"', f'retrain = "{retrain}"'),
                      encoding="utf-8")
    workers: set[int] = set()
    env = dict(os.environ, TERM="xterm-256color", COLUMNS="110", LINES="32")
    env.pop("TEXTUAL", None)
    argv = [sys.executable, "-c", "from review.cli import main; main()",
            "-w", str(root), "screen", "--reviewer", "alice"]
    keys = "iemeeiemeeei"[:n_keys]
    terminal = Terminal(argv, env)
    try:
        terminal.wait_for(f"Screened 0 / {n_records}", START_TIMEOUT)
        for done, key in enumerate(keys, start=1):
            terminal.send(key)
            terminal.wait_for(f"Screened {done} / {n_records}", KEY_TIMEOUT)
        if retrain == "process":  # the worker runs (and must not outlive the app)
            deadline = time.monotonic() + START_TIMEOUT
            while not workers and time.monotonic() < deadline:
                workers = _retrain_workers(terminal.pid)
                time.sleep(0.05)
            assert workers
        else:
            assert not _retrain_workers(terminal.pid)
    finally:
        status = terminal.kill()
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL

    store = Workspace(root).store  # reopened from disk after the kill
    log = store.decisions(reviewer="alice")
    expected = {"i": "include", "e": "exclude", "m": "maybe"}
    assert [d.label for d in log] == [expected[k] for k in keys]
    assert len({d.record_id for d in log}) == n_keys  # each key decided a different record
    # The retrain worker process reads EOF when the app dies, and ends.
    deadline = time.monotonic() + 30
    while any(_running(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_running(pid) for pid in workers)
