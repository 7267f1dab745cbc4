"""Where things live: workspace discovery and per-user directories."""

from __future__ import annotations

import os
import re
from pathlib import Path

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


def find_workspace(start: Path | None = None) -> Path | None:
    """Return the nearest directory at or above ``start`` holding ``review.toml``."""
    here = (start or Path.cwd()).resolve()
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


def user_data_dir() -> Path:
    """Per-user directory for data that must never sit in a repository (client answers)."""
    override = os.environ.get(ENV_DATA_DIR)
    path = Path(override) if override else user_data_path("review", appauthor=False)
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


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
