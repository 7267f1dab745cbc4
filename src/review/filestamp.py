"""Whether a file changed since the last look: the one stat stamp the open app's readers share
(``review.toml`` in ``Workspace.config``, ``screening/criteria.toml`` in ``screening.criteria``)."""

from __future__ import annotations

import os
import threading
from pathlib import Path

#: (modification time in ns, status-change time in ns, size, inode); None while the file does not exist.
Stamp = tuple[int, int, int, int] | None


def stamp(path: Path) -> Stamp:
    """The file's stamp now: a ``stat``, no read."""
    try:
        status = os.stat(path)
    except OSError:
        return None
    return status.st_mtime_ns, status.st_ctime_ns, status.st_size, status.st_ino


class FileStamp:
    """A file's stamp as last seen. ``changed`` is true once per change (an edit, a new file, a
    deleted one). The modification time alone misses a copy that keeps it (``cp -p``) and a save
    within the file system's clock tick: the status-change time (set by ``cp -p``'s own utime),
    the inode (an editor's save by rename) and the size catch most of those. A ``stat`` cannot see
    an in-place rewrite of the same size within one tick of both clocks; the next save shows it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()  # (the UI's poll and a worker thread may both ask)
        self._seen = stamp(path)

    def changed(self) -> bool:
        """True when the file differs from the last look (and takes it as seen); a ``stat`` otherwise."""
        now = stamp(self.path)
        with self._lock:
            if now == self._seen:
                return False
            self._seen = now
            return True
