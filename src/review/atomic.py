"""Crash-safe file writes: temp file, fsync, rename."""

from __future__ import annotations

import errno
import glob
import os
import tempfile
import time
from pathlib import Path


def make_folders(folder: Path, mode: int) -> None:
    """Create ``folder`` and every missing folder above it with ``mode``: ``mkdir(parents=True)`` gives the ones
    above the umask's (0755), so a private folder named two levels down left its parent listing it to other accounts.
    Folders that exist keep their mode."""
    missing = []
    for here in (Path(folder), *Path(folder).parents):
        if here.is_dir():
            break
        missing.append(here)
    for here in reversed(missing):
        here.mkdir(mode=mode, exist_ok=True)


def write_text_atomic(path: Path, text: str, *, mode: int | None = None) -> None:
    """Write ``text`` to ``path`` so that readers see either the old or the new file."""
    write_bytes_atomic(path, text.encode("utf-8"), mode=mode)


#: A temporary file of a write this old was left by a killed process (a write takes well under a second).
STALE_TEMP_SECONDS = 60.0


def remove_stale_temps(path: Path) -> int:
    """Delete ``.NAME.*.tmp`` files beside ``path`` left by a write that was killed (kill -9, power
    loss) before its rename, once they are ``STALE_TEMP_SECONDS`` old; returns how many.

    They hold a whole or partial copy of what was being written (client answers too) and would
    show up in ``git status`` of a workspace.
    """
    now = time.time()
    removed = 0
    for temp in Path(path).parent.glob(f".{glob.escape(Path(path).name)}.*.tmp"):
        try:
            if now - temp.stat().st_mtime > STALE_TEMP_SECONDS:
                temp.unlink()
                removed += 1
        except OSError:
            pass  # gone meanwhile, or not ours to remove
    return removed


def write_bytes_atomic(path: Path, data: bytes, *, mode: int | None = None) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temps(path)
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as err:
        raise _naming_target(err, path) from err
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        # mkstemp makes 0600 files; ordinary files get the usual umask-based mode.
        os.chmod(tmp, mode if mode is not None else 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException as err:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(err, OSError):
            raise _naming_target(err, path) from err
        raise


def check_writable(path: Path) -> None:
    """Raise the ``OSError`` (naming ``path``) that writing ``path`` would meet, before any work is done:
    ``path`` is a folder, a file stands where a folder on its way is needed, or the nearest existing
    folder cannot be written. Folders still missing are fine: :func:`write_bytes_atomic` makes them."""
    path = Path(path)
    if path.is_dir():
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
    folder = Path(os.path.abspath(path.parent))
    while not os.path.lexists(folder) and folder != folder.parent:
        folder = folder.parent
    if not folder.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(path))
    if not os.access(folder, os.W_OK | os.X_OK):  # (also a read-only file system, for root too)
        code = errno.EROFS if _read_only_file_system(folder) else errno.EACCES
        raise PermissionError(code, os.strerror(code), str(path))


def _read_only_file_system(folder: Path) -> bool:
    try:
        return bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    except (AttributeError, OSError):  # (no statvfs on Windows)
        return False


def _naming_target(err: OSError, path: Path) -> OSError:
    """``err`` naming ``path``, the file the user asked for, where it named our temporary file
    (``.NAME.x1y2.tmp`` beside it, never typed by the user and gone by now)."""
    if err.errno is None:
        return err
    if err.filename is not None:  # (a disk full or over quota (ENOSPC, EDQUOT) names no file: name the target)
        named = Path(os.path.abspath(os.fsdecode(err.filename)))
        if named.parent != Path(os.path.abspath(path.parent)) or not named.name.startswith(f".{path.name}."):
            return err
    return type(err)(err.errno, err.strerror, str(path))


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current
