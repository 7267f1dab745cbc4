"""A small TOML writer for the instrument's generated files (tomllib only reads).

Supports what the item bank needs: strings, booleans, ints, floats, lists of scalars, tables,
inline tables of scalars and arrays of tables (nested one level). Output is deterministic
(keys keep insertion order) so rebuilding from the same evidence gives identical bytes.
"""

from __future__ import annotations

import math
from typing import Any


def dumps(data: dict[str, Any], *, header: str = "") -> str:
    lines: list[str] = [f"# {line}" if line else "#" for line in header.splitlines()]
    if lines:
        lines.append("")
    _table(lines, data, prefix="")
    text = "\n".join(lines).rstrip("\n") + "\n"
    return text.replace("\n\n\n", "\n\n")


def _is_table(value: Any) -> bool:
    return isinstance(value, dict)


def _is_table_array(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def _table(lines: list[str], data: dict[str, Any], prefix: str) -> None:
    def inline(value: Any) -> bool:
        return bool(prefix) and _is_table(value) and _inline(value)

    for key, value in data.items():
        if value is None or (_is_table(value) and not inline(value)) or _is_table_array(value):
            continue
        lines.append(f"{_key(key)} = {_value(value)}")
    for key, value in data.items():
        name = f"{prefix}.{_key(key)}" if prefix else _key(key)
        if _is_table(value) and not inline(value):
            lines.append("")
            lines.append(f"[{name}]")
            _table(lines, value, name)
        elif _is_table_array(value):
            for element in value:
                lines.append("")
                lines.append(f"[[{name}]]")
                _table(lines, element, name)


def _inline(value: dict[str, Any]) -> bool:
    """Small tables whose values are all scalars or scalar lists are written inline."""
    return all(not isinstance(v, dict) and not _is_table_array(v) for v in value.values()) and len(value) <= 6


def _key(key: str) -> str:
    if key and all(c.isascii() and (c.isalnum() or c in "-_") for c in key):
        return key
    return _string(key)


def _value(value: Any) -> str:
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
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, dict):
        inner = ", ".join(f"{_key(k)} = {_value(v)}" for k, v in value.items() if v is not None)
        return "{" + (f" {inner} " if inner else "") + "}"
    raise TypeError(f"cannot write {type(value).__name__} to TOML")


def _string(text: str) -> str:
    out = ['"']
    for ch in text:
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)
