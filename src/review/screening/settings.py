"""Change one ``[screening]`` setting in review.toml, keeping the file's comments and layout.

The dashboard lets the reviewer switch the stopping rule; the choice must survive a restart,
and review.toml is the reviewer's own file (comments, order), so it is edited line by line
rather than re-serialised.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from ..atomic import write_text_atomic
from ..errors import ReviewError

_TABLE = re.compile(r"^\s*\[\s*screening\s*\]\s*(#.*)?$")
_ANY_TABLE = re.compile(r"^\s*\[")


def write_screening_setting(path: Path, key: str, value: str) -> None:
    """Set ``[screening] key = "value"`` in ``path`` (added if missing), atomically."""
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key):
        raise ValueError(f"not a plain TOML key: {key!r}")
    text = path.read_text(encoding="utf-8")
    line = f'{key} = "{value}"'
    lines = text.splitlines()
    start = next((i for i, current in enumerate(lines) if _TABLE.match(current)), None)
    if start is None:
        lines += ["", "[screening]", line]
    else:
        end = next((i for i in range(start + 1, len(lines)) if _ANY_TABLE.match(lines[i])), len(lines))
        own = re.compile(rf"^\s*{key}\s*=")
        existing = next((i for i in range(start + 1, end) if own.match(lines[i])), None)
        if existing is None:
            lines.insert(start + 1, line)
        else:
            lines[existing] = line
    updated = "\n".join(lines) + "\n"
    try:
        written = tomllib.loads(updated).get("screening", {}).get(key)
    except tomllib.TOMLDecodeError as err:
        raise ReviewError(f"{path}: cannot set screening.{key} ({err}); edit the file by hand") from err
    if written != value:
        raise ReviewError(f"{path}: cannot set screening.{key}; edit the file by hand")
    write_text_atomic(path, updated, mode=path.stat().st_mode & 0o777)
