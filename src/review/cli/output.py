"""Where command output goes: ``-`` is stdout for every export, anything else a file written atomically."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

import click

from ..atomic import check_writable, write_text_atomic
from ..errors import ReviewError
from ..paths import WORKSPACE_FILE, named_here, same_file

__all__ = ["check_outputs", "has_terminal", "is_stdout", "output_name", "require_terminal", "write_output"]


def is_stdout(out: Path | str) -> bool:
    return str(out) == "-"


def output_name(out: Path | str) -> str:
    """``out`` as a status line names it: ``stdout`` for ``-``, a file as ``paths.named_here`` does (from the current
    folder when below it, else in full), as every ``wrote`` line names one."""
    return "stdout" if is_stdout(out) else named_here(out)


def check_outputs(*outs: Path | str | None, reading: Path | Sequence[Path | None] | None = None) -> None:
    """Refuse, before the command does its work, an output file it could not write (``OSError`` naming
    it: one line, exit 1), or one that is a file it reads (``reading``), the workspace's own review.toml
    or store (SQLite's file and those beside it), or another output of the same command (a command-line
    mistake each, exit 2, as ``dedup FILE.csv --out FILE.csv``); ``-`` (stdout) and None (not asked for)
    pass. Without it an unwritable OUT was found after a whole simulation, or after ``meta`` had printed
    its table; ``meta est.csv --json est.csv`` replaced the estimates with the result, ``export records
    review.db`` the store with a CSV file, and ``meta est.csv --json p.svg --plot p.svg`` the JSON with
    the plot. Paths are compared as the system resolves them, without raising on a symlink loop."""
    inputs = [reading] if isinstance(reading, Path) else [path for path in reading or () if path is not None]
    own: tuple[Path, ...] | None = None  # (read on the first file output: none asked reads no review.toml)
    seen: list[Path] = []
    for out in outs:
        if out is None or is_stdout(out):
            continue
        path = Path(out)
        if any(same_file(path, source) for source in inputs):
            raise click.UsageError(f"{out} is the input file; write the result to another file")
        if own is None:
            own = _workspace_own_files()
        for kept in own:
            if same_file(path, kept):
                what = WORKSPACE_FILE if kept.name == WORKSPACE_FILE else f"store ({kept.name})"
                raise click.UsageError(f"{out} is the workspace's {what}; write the result to another file")
        if any(same_file(path, earlier) for earlier in seen):
            raise click.UsageError(f"{out} is named for two outputs; give each its own file")
        seen.append(path)
        check_writable(path)


def _workspace_own_files() -> tuple[Path, ...]:
    """review.toml and the SQLite store's files of the workspace the command runs in or is pointed at
    (``-w``), also for a command that needs none (``meta --json review.db`` in a workspace); none
    outside a workspace, or where its review.toml cannot be read."""
    from ..services.workspace import own_files
    from .context import command_workspace

    workspace = command_workspace()
    return () if workspace is None else own_files(workspace)


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


def require_terminal(command: str = "") -> None:
    """Refuse a terminal UI without a terminal: it would draw escape codes into a pipe and wait forever. The line
    names ``command`` (a subcommand's, ``review screen``); bare ``review`` gives none, as the shell's ``review: ``
    prefix names it already (it read ``review: review: the terminal UI …``)."""
    if not has_terminal():
        raise ReviewError(f"{command + ': ' if command else ''}the terminal UI needs an interactive terminal (stdin "
                          "and stdout are not one here); run it in a terminal window, or over SSH with ssh -t")
