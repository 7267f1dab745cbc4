"""A file saved "later": for tests of watchers that poll a file's modification time."""

from __future__ import annotations

import os
from pathlib import Path


def save_later(path: Path, text: str, seconds: int = 1) -> None:
    """Write ``text`` to ``path`` and move its mtime ``seconds`` past what the write left, so a
    watcher comparing mtimes sees the save even on a coarse clock or within the same tick."""
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(0, path.stat().st_mtime_ns + seconds * 10**9))
