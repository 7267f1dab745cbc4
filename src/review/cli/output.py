"""Where command output goes: ``-`` is stdout for every export, anything else a file written atomically."""

from __future__ import annotations

import sys
from pathlib import Path

from ..atomic import write_text_atomic

__all__ = ["is_stdout", "write_output"]


def is_stdout(out: Path | str) -> bool:
    return str(out) == "-"


def write_output(out: Path | str, text: str) -> None:
    """Write ``text`` to ``out`` ('-' for stdout); an unwritable path raises ``OSError`` naming it."""
    if is_stdout(out):
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    write_text_atomic(Path(out), text)
