"""Where command output goes: ``-`` is stdout for every export, anything else a file written atomically."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..atomic import check_writable, write_text_atomic
from ..errors import ReviewError

__all__ = ["check_outputs", "has_terminal", "is_stdout", "output_name", "require_terminal", "write_output"]


def is_stdout(out: Path | str) -> bool:
    return str(out) == "-"


def output_name(out: Path | str) -> str:
    """``out`` as a status line names it: ``stdout`` for ``-``."""
    return "stdout" if is_stdout(out) else str(out)


def check_outputs(*outs: Path | str | None, reading: Path | None = None) -> None:
    """Refuse, before the command does its work, an output file it could not write (``OSError`` naming
    it: one line, exit 1) or that is the file it reads (``reading``: a command-line mistake, exit 2, as
    ``dedup FILE.csv --out FILE.csv``); ``-`` (stdout) and None (not asked for) pass. Without it an
    unwritable OUT was found after a whole simulation, or after ``meta`` had printed its table, and
    ``meta est.csv --json est.csv`` replaced the estimates with the result."""
    for out in outs:
        if out is None or is_stdout(out):
            continue
        if reading is not None and Path(out).resolve() == reading.resolve():
            raise click.UsageError(f"{out} is the input file; write the result to another file")
        check_writable(Path(out))


def write_output(out: Path | str, text: str) -> None:
    """Write ``text`` to ``out`` ('-' for stdout); an unwritable path raises ``OSError`` naming it."""
    if is_stdout(out):
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    write_text_atomic(Path(out), text)


def has_terminal() -> bool:
    """Whether both ends are a terminal, as a full-screen UI needs."""
    return sys.stdin.isatty() and sys.stdout.isatty()


def require_terminal(command: str) -> None:
    """Refuse a terminal UI without a terminal: it would draw escape codes into a pipe and wait forever."""
    if not has_terminal():
        raise ReviewError(f"{command}: the terminal UI needs an interactive terminal (stdin and stdout are not "
                          "one here); run it in a terminal window, or over SSH with ssh -t")
