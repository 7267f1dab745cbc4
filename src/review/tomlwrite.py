"""A small deterministic TOML writer (tomllib only reads) for the files stages generate.

Writes strings, booleans, ints, floats (shortest round-trip form), lists, tables, arrays of
tables and, on request, small tables inline. Keys keep insertion order and ``None`` values are
left out, so the same data always gives the same bytes.
"""

from __future__ import annotations

import math
from typing import Any

_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r"}

#: Largest table written inline when ``inline_small_tables`` is on.
INLINE_MAX_KEYS = 6


def dumps(data: dict[str, Any], *, header: str = "", inline_small_tables: bool = False) -> str:
    """``data`` as TOML: top-level scalars first, then tables and arrays of tables.

    ``header`` becomes leading ``#`` comment lines. With ``inline_small_tables``, nested
    tables of at most six scalar values are written as ``{ k = v }`` on their key's line.
    """
    lines: list[str] = [f"# {line}" if line else "#" for line in header.splitlines()]
    if lines:
        lines.append("")
    _emit(data, [], lines, inline_small_tables)
    return "\n".join(lines).strip("\n") + "\n"


def value_text(value: Any) -> str:
    """One TOML value."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"cannot write non-finite number {value!r} to TOML")
        return repr(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(value_text(v) for v in value) + "]"
    if isinstance(value, dict):
        inner = ", ".join(f"{_key(k)} = {value_text(v)}" for k, v in value.items() if v is not None)
        return "{" + (f" {inner} " if inner else "") + "}"
    raise TypeError(f"cannot write {type(value).__name__} to TOML")


def _emit(table: dict[str, Any], prefix: list[str], lines: list[str], inline_small: bool) -> None:
    def inline(value: Any) -> bool:
        return inline_small and bool(prefix) and _is_table(value) and _small_scalar_table(value)

    for key, value in table.items():
        if value is None or (_is_table(value) and not inline(value)) or _is_table_array(value):
            continue
        lines.append(f"{_key(key)} = {value_text(value)}")
    for key, value in table.items():
        path = [*prefix, _key(key)]
        if _is_table(value) and not inline(value):
            # A table holding only sub-tables needs no header of its own.
            if not value or any(not _is_table(v) or inline_small for v in value.values()):
                lines.extend(["", f"[{'.'.join(path)}]"])
            _emit(value, path, lines, inline_small)
        elif _is_table_array(value):
            for item in value:
                lines.extend(["", f"[[{'.'.join(path)}]]"])
                _emit(item, path, lines, inline_small)


def _small_scalar_table(value: dict[str, Any]) -> bool:
    return len(value) <= INLINE_MAX_KEYS and all(
        not isinstance(v, dict) and not _is_table_array(v) for v in value.values()
    )


def _is_table(value: Any) -> bool:
    return isinstance(value, dict)


def _is_table_array(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def _key(key: str) -> str:
    if key and all(c.isascii() and (c.isalnum() or c in "-_") for c in key):
        return key
    return _string(key)


def _string(text: str) -> str:
    out = []
    for char in text:
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'
