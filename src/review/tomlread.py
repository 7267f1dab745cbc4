"""Reading the TOML files users edit, with one-line errors that name the file.

Every configuration and data file of a workspace (review.toml, criteria, queries, factors,
extraction forms, item-bank templates, ...) is read through here, so a bad file gives the same
kind of message wherever it is read: ``<file>: <what>``, with tomllib's line and column for a
syntax error. The caller chooses the error class (``ValidationError`` for data files,
``WorkspaceError`` for review.toml) and checks the contents itself. A wrong key or value is one line
``PATH:WHERE: WHAT (line N)``: the checks raise :class:`TomlProblem` (where, what), and the reader,
which knows the file and the line of each table and key (``read_toml_located``), names them
(:func:`problems_located`). review.toml's settings are checked by the stage that reads them, which knows neither
the file's path nor its lines: they raise :class:`SettingProblem`, which a shell names the same way
(:func:`located_setting`, ``Workspace.say``).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .errors import ImportFormatError, ReviewError, ValidationError, WorkspaceError
from .paths import WORKSPACE_FILE
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


def read_toml_located(path: Path) -> tuple[dict[str, Any], dict[str, int]]:
    """A TOML file's data (a study file, grade.toml) and the line of each of its tables and keys (for problem
    messages)."""
    text = read_toml_text(path)  # as read_toml reads it, keeping the text for toml_lines
    return loads_toml(text, path), toml_lines(text)


_ARRAY_HEADER = re.compile(r"\[\[\s*([^\]]+?)\s*\]\]")
_TABLE_HEADER = re.compile(r"\[\s*([^\]]+?)\s*\]")
#: One part of a dotted key or table name: bare, a basic string (escapes and all) or a literal string.
_KEY_PART = r"""(?:[A-Za-z0-9_\-]+|"(?:\\.|[^"\\])*"|'[^']*')"""
_KEY = re.compile(rf"({_KEY_PART}(?:\s*\.\s*{_KEY_PART})*)\s*=\s*(.*)")
_KEY_PARTS = re.compile(_KEY_PART)
_INLINE_KEY = re.compile(r"([A-Za-z0-9_\-]+)\s*=")


_BARE_KEY = re.compile(r"[A-Za-z0-9_\-]+")
_STRING_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r"}


def toml_key(key: str) -> str:
    """``key`` as TOML spells it in a dotted path: bare where it can be (``Embase``), else quoted (``"Bing.com"``,
    ``"UWV kennisbank"``), so the path a message names, ``prisma.sources."Bing.com"``, is the one to type into the
    file (unquoted it reads as table ``Bing`` holding key ``com``). Every message naming a key a user chose (a
    source, a reason, a misspelt key) builds its path with this."""
    return key if _BARE_KEY.fullmatch(key) else toml_string(key)


def toml_string(text: str) -> str:
    """``text`` as a TOML basic string, in double quotes with TOML's escapes (a line break as ``\\n``)."""
    out = []
    for char in text:
        if char in _STRING_ESCAPES:
            out.append(_STRING_ESCAPES[char])
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def _dotted(name: str) -> str:
    """A dotted key or table name in one spelling, each part as :func:`toml_key` writes it: ``"a.b" . c`` →
    ``"a.b".c``, ``'x'`` → ``x``, ``"in\\u000Aclude"`` → ``"in\\nclude"``."""
    return ".".join(toml_key(_key_part(part)) for part in _KEY_PARTS.findall(name))


def _path_parts(path: str) -> list[str]:
    """``path`` cut at each dot outside quotes: ``prisma.sources."Bing.com"`` → ``prisma``, ``sources``,
    ``"Bing.com"`` (``questions[3]`` is one part)."""
    return re.findall(r'(?:"(?:\\.|[^"\\])*"|[^."])+', path)


def _as_read(path: str) -> str:
    """``path`` with its quoted parts as tomllib reads them (``prisma.sources.Bing.com``): the spelling of a check
    that names a key without :func:`toml_key`, found all the same. An entry's index stays outside the key
    (``"odd q"[2]`` → ``odd q[2]``)."""
    read = []
    for part in _path_parts(path):
        indexed = _ENTRY_INDEX.search(part)
        key, index = (part[:indexed.start()], indexed.group()) if indexed else (part, "")
        read.append((_key_part(key) if key.startswith('"') else key) + index)
    return ".".join(read)


#: The index of an array's entry at the end of a path part (``"odd q"[2]``: ``[2]``).
_ENTRY_INDEX = re.compile(r"(?:\[\d+\])+\Z")


def _key_part(part: str) -> str:
    if part.startswith('"'):
        try:
            return str(tomllib.loads(f"k = {part}")["k"])
        except tomllib.TOMLDecodeError:  # (not a key tomllib read: the file parsed, so never here in practice)
            return part[1:-1]
    return part.strip("'")


def toml_lines(text: str) -> dict[str, int]:
    """The 1-based line of every table and key of a TOML file (a study file, grade.toml), by the path a problem names.

    ``[study]`` → ``study``, its ``country = ...`` → ``study.country``, the second ``[[estimates]]``
    → ``estimates[2]`` (the first → ``estimates`` too), ``[quips.alice]`` → ``quips.alice`` (and ``quips``),
    ``[[questions.options]]`` after the third ``[[questions]]`` → ``questions[3].options[1]``; keys of an inline table
    share its line. A locator for messages, not a parser: tomllib has read the file already.
    """
    found: dict[str, int] = {}
    arrays: dict[str, int] = {}
    prefix = ""
    in_string = ""
    open_brackets = 0  # inside a multi-line array: its entries ('[1, 2],', '"a = b",') are no header and no key
    # Lines as tomllib counts them: at \n only (str.splitlines also breaks at U+2028 or U+0085 in a string).
    for number, raw in enumerate(re.split(r"\r?\n", text.removeprefix("\ufeff")), start=1):
        line = raw.strip()
        if in_string:  # inside a multi-line string: nothing here is a key
            if line.count(in_string) % 2 == 1:
                in_string = ""
            continue
        if open_brackets > 0:
            open_brackets += _bracket_balance(line)
            continue
        if not line or line.startswith("#"):
            continue
        if match := _ARRAY_HEADER.match(line):
            parent, _, last = _dotted(match.group(1)).rpartition(".")
            name = f"{_in_arrays(parent, arrays)}.{last}" if parent else last
            arrays[name] = arrays.get(name, 0) + 1
            prefix = f"{name}[{arrays[name]}]"
            found.setdefault(prefix, number)
            _found_tables(found, name, number)  # the array itself: its first table (a [[study]] where [study] goes)
        elif match := _TABLE_HEADER.match(line):
            prefix = _in_arrays(_dotted(match.group(1)), arrays)
            _found_tables(found, prefix, number)
        elif match := _KEY.match(line):
            path = f"{prefix}.{_dotted(match.group(1))}" if prefix else _dotted(match.group(1))
            _found_tables(found, path, number)  # a dotted key 'a.b = 1' stands where table 'a' does, unless seen before
            value = match.group(2)
            if value.startswith("{"):
                for inner in _INLINE_KEY.finditer(value):
                    found.setdefault(f"{path}.{inner.group(1)}", number)
            for quotes in ('"""', "'''"):
                if value.count(quotes) == 1:
                    in_string = quotes
            if not in_string and value.startswith("["):
                open_brackets = _bracket_balance(value)
    for path, number in list(found.items()):
        found.setdefault(_as_read(path), number)
    return found


_STRING = re.compile(r""""(?:\\.|[^"\\])*"|'[^']*'""")


def _bracket_balance(text: str) -> int:
    """How many more ``[`` than ``]`` a line of an array holds, outside its strings and its comment."""
    code = _STRING.sub("", text).split("#", 1)[0]
    return code.count("[") - code.count("]")


def _in_arrays(name: str, arrays: Mapping[str, int]) -> str:
    """A header's dotted ``name`` as the path of the table it adds to: each array of tables it passes through is its
    last entry so far (``[[questions.options]]`` after the third ``[[questions]]`` → ``questions[3].options``)."""
    path = ""
    for part in _path_parts(name):
        path = f"{path}.{part}" if path else part
        if path in arrays:
            path = f"{path}[{arrays[path]}]"
    return path


def _found_tables(found: dict[str, int], name: str, number: int) -> None:
    """``name`` (``quips.alice``) and each table holding it (``quips``) stand at line ``number`` unless seen before."""
    parts = _path_parts(name)
    for i in range(1, len(parts) + 1):
        found.setdefault(".".join(parts[:i]), number)


def line_of(located: Mapping[str, int], where: str) -> int | None:
    """The line of ``where`` (e.g. ``estimates[2].ci_low``) or of the nearest table holding it."""
    while where:
        if where in located:
            return located[where]
        cut = _last_step(where)
        if cut <= 0:
            return None
        where = where[:cut]
    return None


def _last_step(where: str) -> int:
    """Where the last part of ``where`` starts, its ``.`` or ``[``, outside quotes (-1 for none)."""
    cut, quoted, escaped = -1, False, False
    for i, char in enumerate(where):
        if quoted:
            escaped, quoted = (False, True) if escaped else (char == "\\", char != '"')
        elif char == '"':
            quoted = True
        elif char in ".[":
            cut = i
    return cut


def located_problem(path: object, where: str, what: str, located: Mapping[str, int]) -> str:
    """``PATH:WHERE: WHAT (line N)``: a problem named by file, key (``estimates[2].ci_low``) and the line of the key
    or of the nearest table holding it (``line_of``); no line where the file's lines are not known."""
    line = line_of(located, where)
    return f"{path}:{_one_line(where)}: {what}" + (f" (line {line})" if line else "")


def _one_line(where: str) -> str:
    """``where`` as written in a message: a quoted key may hold a line break (``"a\\nb" = 1``), shown escaped."""
    return where if where.isprintable() else where.encode("unicode_escape").decode("ascii")


class TomlProblem(ValidationError):
    """A wrong key or value of a TOML file, raised by a check that knows its place in the data (``factor[2].id``)
    but not the file: :func:`problems_located` names file and line. Uncaught, it is still one line."""

    def __init__(self, where: str, what: str) -> None:
        super().__init__(f"{_one_line(where)}: {what}")
        self.where = where
        self.what = what


@contextmanager
def problems_located(path: object, located: Mapping[str, int]) -> Iterator[None]:
    """Checks of the data of the TOML file at ``path``: a :class:`TomlProblem` they raise leaves as the
    ``ValidationError`` ``PATH:WHERE: WHAT (line N)`` (:func:`located_problem`, ``located`` from
    ``read_toml_located``)."""
    try:
        yield
    except TomlProblem as problem:
        raise ValidationError(located_problem(path, problem.where, problem.what, located)) from None


class SettingProblem(WorkspaceError):
    """A wrong review.toml setting (``where``, dotted: ``prisma.sources.Embase``), raised by the stage that checks it,
    which knows neither the file's path nor its lines: a shell that knows the workspace names both
    (``Workspace.say``, :func:`located_setting`: ``PATH:WHERE: WHAT (line N)``). Uncaught, it is still one line
    naming the file and the key, ``review.toml:WHERE: WHAT``; exit 2, as every bad workspace setting."""

    def __init__(self, where: str, what: str) -> None:
        super().__init__(f"{WORKSPACE_FILE}:{_one_line(where)}: {what}")
        self.where = where
        self.what = what


def located_setting(problem: SettingProblem, path: object, text: str) -> str:
    """``PATH:WHERE: WHAT (line N)``: ``problem`` named in the review.toml at ``path`` whose text is ``text`` (the
    line of its key, or of the nearest table holding it; none when neither is in ``text``)."""
    return located_problem(path, problem.where, problem.what, toml_lines(text))


def setting_refusal(check: Callable[[], object]) -> SettingProblem | None:
    """The :class:`SettingProblem` ``check`` (a stage's reading of its review.toml table) raises, None when it takes
    the settings: the refusal its command would make now, for a shell that says it before the command runs."""
    try:
        check()
    except SettingProblem as problem:
        return problem
    return None


def unknown_setting_problem(section: Iterable[str], known: Sequence[str], table: str) -> SettingProblem | None:
    """The refusal of the first key of review.toml's ``[table]`` (``section``'s keys, in the file's order) that is
    not in ``known``, naming it and the known ones; None when every key is known. A misspelt key was read by
    nothing, and the default stood without a word."""
    unknown = next((key for key in section if key not in known), None)
    if unknown is None:
        return None
    return SettingProblem(f"{table}.{toml_key(unknown)}", f"unknown key (known: {', '.join(known)})")
