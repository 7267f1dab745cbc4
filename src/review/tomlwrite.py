"""A small deterministic TOML writer (tomllib only reads) for the files stages generate, and the
one way to set keys in a file people edit (review.toml) keeping its comments and layout.

``dumps`` writes strings, booleans, ints, floats (shortest round-trip form), lists, tables, arrays
of tables and, on request, small tables inline. Keys keep insertion order and ``None`` values are
left out, so the same data always gives the same bytes. ``set_table_keys`` edits line by line.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any

from .atomic import write_text_atomic
from .tomlread import toml_key as _key
from .tomlread import toml_string as _string

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




# -- editing a file people write -----------------------------------------------------------
_ANY_TABLE = re.compile(r"^\s*\[")
#: The byte-order mark Windows Notepad may put before a UTF-8 file: kept as found, unseen by the parser.
_BOM = "\ufeff"
_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class TomlEditError(ValueError):
    """``set_table_keys`` could not set ``key`` so that the file reads it back (``detail``: the
    parser's complaint, "" when the file parsed but said something else); nothing was written."""

    def __init__(self, key: str, detail: str = "", line: int | None = None) -> None:
        super().__init__(f"cannot set {key}" + (f" ({detail})" if detail else ""))
        self.key = key
        self.detail = detail
        #: The line of the file as the user wrote it that holds the table or key in a shape the
        #: line editor does not edit (``review.x = …``, ``review = {…}``, ``["review"]``), or None.
        self.line = line


def with_table_keys(text: str, table: str, keys: Mapping[str, Any], *, comments: Mapping[str, str] | None = None,
                    table_comment: str = "", drop: Collection[str] = ()) -> str:
    """``text`` (a TOML document) with ``[table]``'s ``keys`` set, its ``drop`` keys removed and every
    other line as it was.

    A key the table has gets its line replaced, the comment after its value kept; the others go right
    under the table's header, in order, each below its ``comments`` line if it has one. A missing
    table is appended after one blank line, below ``table_comment``. Values are written by
    ``value_text``."""
    for key in [*keys, *drop]:
        if not _PLAIN_KEY.fullmatch(key):
            raise ValueError(f"not a plain TOML key: {key!r}")
    header = re.compile(rf"^\s*\[\s*{re.escape(table)}\s*\]\s*(#.*)?$")
    bom = _BOM if text.startswith(_BOM) else ""
    newline = _line_ending(text)
    ends_with_newline = text.endswith("\n") or not text.strip(_BOM)
    lines = _lines(text.removeprefix(_BOM))
    start = next((i for i, line in enumerate(lines) if header.match(line)), None)
    added: list[str] = []
    if start is None:
        if not keys:
            return text
        while lines and not lines[-1]:
            lines.pop()
        lines += ["", *([table_comment] if table_comment else []), f"[{table}]"]
        start = len(lines) - 1
    end = next((i for i in range(start + 1, len(lines)) if _ANY_TABLE.match(lines[i])), len(lines))
    for key, value in keys.items():
        line = f"{key} = {value_text(value)}"
        existing = _key_line(lines, start + 1, end, key)
        if existing is None:
            added += [*([comments[key]] if comments and key in comments else []), line]
        else:
            lines[existing] = line + _trailing_comment(lines[existing])
    removed = {i for key in drop if (at := _key_line(lines, start + 1, end, key)) is not None
               for i in _with_its_comment(lines, start, at)}
    lines = [line for i, line in enumerate(lines) if i not in removed]
    lines[start + 1:start + 1] = added
    return bom + newline.join(lines) + (newline if ends_with_newline else "")


def _line_ending(text: str) -> str:
    """The line ending ``text`` writes (its first line's): ``\\r\\n`` for a file saved on Windows,
    else ``\\n`` (also for a file of one line, which has none)."""
    first = text.find("\n")
    return "\r\n" if first > 0 and text[first - 1] == "\r" else "\n"


def _lines(text: str) -> list[str]:
    """``text``'s lines without their endings (``\\n`` or ``\\r\\n``), the empty one after a last line
    ending left out. Not ``str.splitlines``: it also breaks at U+2028, U+0085 and the like, which a
    TOML string may hold, and rejoining would change that string."""
    lines = re.split(r"\r?\n", text)
    return lines[:-1] if lines[-1] == "" else lines


def _with_its_comment(lines: list[str], header: int, line: int) -> range:
    """The lines a dropped key takes with it: its own (``line``) and the comment lines right above it
    (no blank line between: ``render_config``'s team-mode note over ``database_url``), unless they
    start right under the table's ``header``, where they are the table's ("# Settings of this
    review"); and the blank line above them when a blank line or the file's end follows the key, so
    that no double gap is left."""
    first = line
    while first - 1 > header and lines[first - 1].lstrip().startswith("#"):
        first -= 1
    if first - 1 == header:
        first = line  # the comment block under the header describes the table, not its first key
    if first - 1 > header and not lines[first - 1].strip() and (line + 1 == len(lines) or not lines[line + 1].strip()):
        first -= 1
    return range(first, line + 1)


def _key_line(lines: list[str], start: int, end: int, key: str) -> int | None:
    """The index of the line among ``lines[start:end]`` that sets ``key``, or None."""
    own = re.compile(rf"^\s*{key}\s*=")
    return next((i for i in range(start, end) if own.match(lines[i])), None)


def _trailing_comment(line: str) -> str:
    """The comment after a ``key = value`` line's value, with the spaces before it ("" when none): the
    first ``#`` before which the line reads as TOML (a ``#`` inside a string is no comment)."""
    for match in re.finditer(r"\s*#", line):
        try:
            tomllib.loads(line[:match.start()])
        except tomllib.TOMLDecodeError:
            continue
        return line[match.start():]
    return ""


def checked_table_keys(text: str, table: str, keys: Mapping[str, Any], *, comments: Mapping[str, str] | None = None,
                       table_comment: str = "", drop: Collection[str] = ()) -> str:
    """``with_table_keys(text, …)``, or ``TomlEditError`` when the result would not read every key
    back as given, or would still hold a dropped one: the edit tried without writing anything
    (``review migrate`` asks before it copies a store)."""
    updated = with_table_keys(text, table, keys, comments=comments, table_comment=table_comment, drop=drop)
    first = next(iter(keys), next(iter(drop), ""))
    try:
        written = tomllib.loads(updated.removeprefix(_BOM)).get(table, {})
    except tomllib.TOMLDecodeError as err:
        # The parser's line is of the edited text: name the user's line instead.
        detail = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(err))
        raise TomlEditError(f"{table}.{first}", detail, _shape_line(text, table, first)) from err
    for key, value in keys.items():
        if not isinstance(written, dict) or written.get(key) != value:
            raise TomlEditError(f"{table}.{key}", line=_shape_line(text, table, key))
    for key in drop:
        if isinstance(written, dict) and key in written:
            raise TomlEditError(f"{table}.{key}", "still set after removing its line", _shape_line(text, table, key))
    return updated


def _shape_line(text: str, table: str, key: str) -> int | None:
    """The 1-based line of ``text`` that writes ``table`` or its ``key`` in a shape
    ``with_table_keys`` does not edit: dotted (``review.database = …``), inline (``review = {…}``),
    a quoted header (``["review"]``), a dotted key under the table (``database.kind = …``)."""
    name, item = re.escape(table), re.escape(key)
    shapes = [
        re.compile(rf"""^\s*(["']?){name}\1\s*\.\s*(["']?){item}\2\s*[.=]"""),
        re.compile(rf"""^\s*(["']?){name}\1\s*[.=]"""),
        re.compile(rf"""^\s*\[\s*(["']){name}\1\s*\]"""),
        re.compile(rf"""^\s*(["']?){item}\1\s*\."""),
    ]
    lines = _lines(text.removeprefix(_BOM))
    for shape in shapes:
        found = next((i for i, line in enumerate(lines, start=1) if shape.match(line)), None)
        if found is not None:
            return found
    return None


def set_table_keys(path: Path, table: str, keys: Mapping[str, Any], *, comments: Mapping[str, str] | None = None,
                   table_comment: str = "", drop: Collection[str] = ()) -> None:
    """Set ``[table]``'s ``keys`` and remove its ``drop`` keys in the file at ``path``
    (``with_table_keys``), atomically and keeping the file's mode; ``TomlEditError`` (nothing
    written) when the result would not read every key back as given, or would still hold a dropped
    one (``checked_table_keys``).

    The one editor of files people write (review.toml): it keeps every line and comment it does not
    set. tomlkit (which ``extraction.forms`` uses for study files) was weighed for it and left out:
    it can add a key to an existing table only at the table's end, after its trailing blank line, and
    has no public way to put a key with its comment under the header (docs/workspaces.md)."""
    updated = checked_table_keys(text_as_written(path), table, keys, comments=comments,
                                 table_comment=table_comment, drop=drop)
    write_text_atomic(path, updated, mode=path.stat().st_mode & 0o777)


def text_as_written(path: Path) -> str:
    """The file at ``path`` as the editor takes it: UTF-8 with its line endings (``\\r\\n`` from Windows)
    and byte-order mark as they are, so that an edit changes only the lines it sets."""
    return path.read_bytes().decode("utf-8")
