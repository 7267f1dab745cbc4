"""Reading the TOML files users edit, with one-line errors that name the file.

Every configuration and data file of a workspace (review.toml, criteria, queries, factors,
extraction forms, item-bank templates, ...) is read through here, so a bad file gives the same
kind of message wherever it is read: ``<file>: <what>``, with tomllib's line and column for a
syntax error. The caller chooses the error class (``ValidationError`` for data files,
``WorkspaceError`` for review.toml) and checks the contents itself.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from .errors import ReviewError, ValidationError


def read_toml(path: Path | str, *, error: type[ReviewError] = ValidationError) -> dict[str, Any]:
    """The TOML file at ``path``; unreadable, non-UTF-8 or malformed files raise ``error``."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        raise error(f"{path}: not UTF-8 text ({err.reason})") from err
    except OSError as err:
        raise error(f"{path}: cannot read ({err.strerror or err})") from err
    return loads_toml(text, path, error=error)


def loads_toml(text: str, source: Path | str, *, error: type[ReviewError] = ValidationError) -> dict[str, Any]:
    """``text`` parsed as TOML; a syntax error raises ``error`` naming ``source``, line and column."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise error(f"{source}: {err}") from err
