"""Where things live: workspace discovery and per-user directories."""

from __future__ import annotations

import os
import re
from pathlib import Path, PurePosixPath, PureWindowsPath

from platformdirs import user_data_path

from .errors import WorkspaceError

WORKSPACE_FILE = "review.toml"
DATABASE_FILE = "review.db"
#: The suffixes of the files SQLite keeps beside a database (``review.db-wal``) while it is open or
#: mid-transaction: part of the store wherever the store's files are named.
SQLITE_SIDE_FILES: tuple[str, ...] = ("-wal", "-shm", "-journal")
#: Written (or added to) by ``review init``: what a workspace shared through git keeps out of it.
GITIGNORE_FILE = ".gitignore"
ENV_WORKSPACE = "REVIEW_WORKSPACE"
ENV_DATA_DIR = "REVIEW_DATA_DIR"
#: A store URL that overrides review.toml (team mode: ``postgresql://user@host/name``).
ENV_DATABASE_URL = "REVIEW_DATABASE_URL"


def same_file(first: Path, second: Path) -> bool:
    """Whether two paths name one file: the same real path (``os.path.realpath``, which leaves a symlink
    loop as it is where ``Path.resolve`` raised ``RuntimeError``), or, both existing, the same device and
    inode (a case-insensitive file system's ``Review.db`` is ``review.db``; a hard link). Only looked at,
    never opened."""
    if os.path.realpath(first) == os.path.realpath(second):
        return True
    try:
        return os.path.samefile(first, second)
    except (OSError, ValueError):  # (one of them is missing or cannot be looked at: not the same file)
        return False


def current_folder() -> Path | None:
    """The folder the command runs in, resolved; None when it is gone (removed while a shell was in it): a name is
    then given in full, and a workspace found only by ``--workspace``. ``Path.cwd()`` raised there, so a command that
    had written its files ended on ``review: No such file or directory`` at its 'wrote' line."""
    try:
        return Path.cwd().resolve()
    except OSError:
        return None


def removed_folder_error() -> WorkspaceError:
    """The one line for a command that must find its workspace from a current folder that is gone."""
    shell_says = os.environ.get("PWD", "")
    named = f"{shell_says}: " if shell_says and not os.path.isdir(shell_says) else ""
    return WorkspaceError(f"{named}the folder this command runs in was removed; cd to the review's folder (again, if "
                          "it was made anew), or name it with --workspace")


def find_workspace(start: Path | None = None) -> Path | None:
    """Return the nearest directory at or above ``start`` (the current folder) holding ``review.toml``."""
    if start is None and (start := current_folder()) is None:
        raise removed_folder_error()
    here = start.resolve()
    for candidate in (here, *here.parents):
        if (candidate / WORKSPACE_FILE).is_file():
            return candidate
    return None


def enclosing_repository(path: Path | str) -> Path | None:
    """The nearest git work tree or review workspace ``path`` lies in, if any (client data must not)."""
    for parent in Path(path).expanduser().resolve().parents:
        if (parent / ".git").exists() or (parent / WORKSPACE_FILE).is_file():
            return parent
    return None


def named_from(message: str, folder: Path) -> str:
    """``message`` with the (absolute) path it starts with written from ``folder`` when that path lies below it, else
    as it is: from the folder a command runs in, ``extraction/studies/a.toml:estimates[2]…`` at a workspace's root as
    the docs name it, ``a.toml:…`` in studies/, the full path from elsewhere, so each name opens where it is printed.
    Messages about a file start with its path. From the file system's root a path stays in full: ``tmp/ws/…`` named
    the same file less plainly (a container's commands run in ``/``)."""
    if folder.parent == folder:
        return message
    inside = str(folder).rstrip(os.sep) + os.sep
    return message[len(inside):] if message.startswith(inside) else message


def named_here(path: Path | str) -> str:
    """``path`` as the shell opens it from the current folder: from there when it lies below it (``instrument/…`` at
    a workspace's root), else in full (with ``-w DIR`` from elsewhere a name relative to a folder the user is not in
    opened nothing). What a command says it wrote; ``named_from``'s rule for one path. Where the current folder is
    gone, in full (a relative name as given: it cannot be resolved there)."""
    try:
        full = str(Path(path).resolve())
    except OSError:
        return str(path)
    here = current_folder()
    return full if here is None else named_from(full, here)


def broken_link(path: Path) -> Path | None:
    """The first link of ``path`` or a folder above it that leads nowhere (its target missing, or a loop), else None.
    Only looked at: making a folder through one failed as "File exists", read as a file where a folder is needed."""
    for part in (*reversed(path.parents), path):
        if part.is_symlink() and not part.exists():
            return part
    return None


def user_data_location() -> Path:
    """The per-user folder for data that must never sit in a repository (client answers): ``$REVIEW_DATA_DIR`` or the
    platform's folder, not created here (``instrument.answers`` makes its folders private). A ``~`` in
    ``$REVIEW_DATA_DIR`` is the home folder, as a shell reads it: a unit file's literal ``~/x`` was ``./~/x``; a
    relative one is refused."""
    override = os.environ.get(ENV_DATA_DIR)
    if not override:
        return user_data_path("review", appauthor=False)
    try:
        path = Path(override).expanduser()
    except RuntimeError as err:  # (~name of no account, or no HOME: a traceback where every bad input is a line)
        raise WorkspaceError(f"{ENV_DATA_DIR}={override}: {_home_not_known(override)}; give the folder as a full path") from err
    if not path.is_absolute():
        # (read from the current folder, it named another folder from each subfolder a workspace command runs in,
        # and from the workspace itself one inside it, where answers are refused)
        raise WorkspaceError(f"{ENV_DATA_DIR}={override}: a relative folder would be read from wherever a command "
                             "runs; give the folder as a full path")
    return path


def _home_not_known(override: str) -> str:
    """Why the ``~`` of ``override`` names no folder, in words: Python's own "Could not determine home directory"
    read, for ``~alice/x``, as if the user's own home were lost."""
    account = override[1:].split("/", 1)[0].split(os.sep, 1)[0]
    return f"no account named '{account}' on this machine" if account else "the home folder of this account is not known"


_SAFE_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")


def check_name(value: str, what: str) -> str:
    """``value`` when it is a plain file-name part (letters, digits, ``_ . -``; no ``/`` or ``..``).

    Names typed on the command line become file names inside the workspace; a name such as
    ``../../x`` would otherwise read or write outside it. Exit status 2, as every bad name typed on
    the command line (a reviewer's too: ``store.sessions.check_reviewer_name``).
    """
    if not _SAFE_NAME.match(value) or ".." in value:
        raise WorkspaceError(
            f"{what} {value!r}: use letters, digits, '_', '.' or '-' only (no '/' or '..'; names stay inside the workspace)",
            title="Name",
        )
    return value

#: The demo's build state file at the top of a demo workspace (``review.demo.files``): a workspace holding it
#: was generated by ``review demo``, which builds it again (``--rebuild``).
DEMO_BUILD_STATE_FILE = ".demo-build"


def shared_file_name(stored: str) -> str:
    """A stored file path as files meant to be shared show it (the search logs, the PRISMA-S appendix, prisma.json):
    relative to the workspace as stored, or, for a file outside it, its name only (an absolute path names the user's
    home folder)."""
    if stored.startswith("~") or PurePosixPath(stored).is_absolute() or PureWindowsPath(stored).is_absolute():
        return PureWindowsPath(stored).name  # (splits on both / and \)
    return stored
