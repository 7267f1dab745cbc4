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

from .errors import ImportFormatError, ReviewError, ValidationError
from .textdecode import read_utf8_text


def read_toml(path: Path | str, *, error: type[ReviewError] = ValidationError) -> dict[str, Any]:
    """The TOML file at ``path``; unreadable, non-UTF-8 or malformed files raise ``error``."""
    return loads_toml(read_toml_text(path, error=error), path, error=error)


def read_toml_text(path: Path | str, *, error: type[ReviewError] = ValidationError) -> str:
    """The text of the TOML file at ``path`` (for callers that also locate lines or edit it in place);
    an unreadable or non-UTF-8 file raises ``error``."""
    try:
        # TOML is UTF-8 by its specification (no cp1252 fallback, docs/decisions/0022); Notepad's BOM is fine.
        return read_utf8_text(path, "TOML files are UTF-8: save it as UTF-8")
    except ImportFormatError as err:
        raise error(str(err)) from None


def loads_toml(text: str, source: Path | str, *, error: type[ReviewError] = ValidationError) -> dict[str, Any]:
    """``text`` parsed as TOML; a syntax error raises ``error`` naming ``source``, line and column."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise error(f"{source}: {err}") from err
