"""Two-letter tagged formats read one record at a time with rispy: RIS and Web of Science.

Both put a record between a start tag (``TY`` / ``PT``) and ``ER``. We split the records
ourselves so that each keeps its first line number and original text, a tag outside a record
or a record without ``ER`` is an error naming the line (not a record silently dropped), and
rispy parses one record at a time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from collections.abc import Iterator
from typing import Any

import rispy

from ...errors import ImportFormatError
from .base import SourceFile, iter_lines


@dataclass(frozen=True, slots=True)
class TaggedFormat:
    label: str  # in messages: "RIS", "Web of Science"
    tag: re.Pattern[str]  # a tag line; group 1 is the tag
    start: str  # the tag that opens a record
    start_line: str  # how an opening line looks, for "no record found"
    parser: type[rispy.BaseParser]
    file_tags: frozenset[str] = frozenset()  # allowed outside records (a file header)
    #: Tags kept as lists when repeated (rispy's own list otherwise: a repeated other tag keeps its first line).
    list_tags: tuple[str, ...] | None = None


def read_entries(source: SourceFile, fmt: TaggedFormat) -> Iterator[tuple[int, str, dict[str, Any]]]:
    """``(first line, original text, rispy's fields)`` of every record in ``source``, one at a time.

    A generator, like ``_blocks``: a million-record file never holds all its lines or all of
    rispy's dicts at once, only the records made from them.
    """
    for start, block in _blocks(source, fmt):
        try:
            options = {} if fmt.list_tags is None else {"list_tags": list(fmt.list_tags)}
            parsed = rispy.loads(block, implementation=fmt.parser, **options)
        except Exception as err:  # rispy raises plain IOError/ValueError on bad structure
            raise ImportFormatError(source.path, f"line {start}", f"unreadable {fmt.label} record: {err}") from None
        if len(parsed) != 1:
            raise ImportFormatError(source.path, f"line {start}", f"unreadable {fmt.label} record")
        yield start, block, parsed[0]


def _blocks(source: SourceFile, fmt: TaggedFormat) -> Iterator[tuple[int, str]]:
    """``(first line, text)`` of each start-tag … ``ER`` block."""
    found = False
    start = 0
    current: list[str] = []
    for number, line in enumerate(iter_lines(source.text), start=1):
        tag = _tag(fmt, line)
        if not current:
            if tag == fmt.start:
                start, current = number, [line]
            elif tag and tag != "ER" and tag not in fmt.file_tags:
                raise ImportFormatError(source.path, f"line {number}",
                                        f"{fmt.label} tag {tag} outside a record (no {fmt.start} line before it)")
            continue
        if tag == fmt.start:
            raise ImportFormatError(source.path, f"line {start}",
                                    f"{fmt.label} record has no ER line before the next {fmt.start} at line {number}")
        current.append(line)
        if tag == "ER":
            found = True
            yield start, "\n".join(current) + "\n"
            current = []
    if current:
        raise ImportFormatError(source.path, f"line {start}",
                                f"{fmt.label} record has no ER line (file ends inside it; truncated export?)")
    if not found:
        raise ImportFormatError(source.path, None, f"no {fmt.label} record (no '{fmt.start_line}' line)")


def _tag(fmt: TaggedFormat, line: str) -> str:
    match = fmt.tag.match(line)
    return match.group(1) if match else ""
