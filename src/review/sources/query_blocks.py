"""PubMed query text at its top level: comment lines, parentheses and the Boolean operators between clauses.

PubMed reads Boolean operators (upper case ``AND``, ``OR``, ``NOT``) left to right; a clause in
parentheses is one operand.  The seed check runs each top-level block of a strategy alone, and
the E-utilities stand-in evaluates terms with the same splitter, so both read a query alike.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Clause", "strip_comments", "split_top_level", "unwrap", "unwrap_with_offset", "first_term",
           "comment_lines"]

_OPERATORS = ("AND", "OR", "NOT")
#: A comment line: ``#`` then a space or the line's end (``#1 AND #2`` history references stay).
_COMMENT = re.compile(r"^\s*#(?:\s|$)(.*)$")


@dataclass(slots=True, frozen=True)
class Clause:
    """One operand at the top level and the operator that joins it to what came before (None first)."""

    operator: str | None
    text: str
    #: Where the clause starts in the text that was split.
    start: int


def comment_lines(query: str) -> list[tuple[int, str]]:
    """``(offset in strip_comments(query), comment text)`` for every comment line, in order."""
    found, offset = [], 0
    for line in query.splitlines(keepends=True):
        match = _COMMENT.match(line)
        if match:
            found.append((offset, match.group(1).strip()))
        else:
            offset += len(line)
    return found


def strip_comments(query: str) -> str:
    """The query without its comment lines (what PubMed is sent)."""
    return "".join(line for line in query.splitlines(keepends=True) if not _COMMENT.match(line))


def split_top_level(text: str) -> list[Clause]:
    """Operands at parenthesis depth 0 outside quotes, with the operator before each."""
    clauses: list[Clause] = []
    depth, quoted, start, operator = 0, False, 0, None
    index = 0
    length = len(text)
    while index < length:
        char = text[index]
        if char == '"':
            quoted = not quoted
        elif not quoted and char == "(":
            depth += 1
        elif not quoted and char == ")":
            depth = max(0, depth - 1)
        elif not quoted and depth == 0 and char.isspace():
            word = _operator_at(text, index + 1)
            if word:
                piece = text[start:index].strip()
                if piece:
                    clauses.append(Clause(operator, piece, start + _lead(text[start:index])))
                    operator = word
                index += 1 + len(word)
                start = index
                continue
        index += 1
    piece = text[start:].strip()
    if piece:
        clauses.append(Clause(operator, piece, start + _lead(text[start:])))
    return clauses


def unwrap(text: str) -> str:
    """``text`` without parentheses that enclose all of it (repeatedly)."""
    return unwrap_with_offset(text)[0]


def unwrap_with_offset(text: str) -> tuple[str, int]:
    """``unwrap(text)`` and where it starts in ``text``."""
    offset = 0
    while True:
        offset += len(text) - len(text.lstrip())
        text = text.strip()
        if not (text.startswith("(") and _closing(text, 0) == len(text) - 1):
            return text, offset
        text = text[1:-1]
        offset += 1


def first_term(text: str) -> str:
    """The first operand of the innermost first clause: ``"Sick Leave"[Mesh]`` for block 1."""
    while True:
        clauses = split_top_level(unwrap(text))
        if not clauses:
            return ""
        head = unwrap(clauses[0].text)
        if head == text:
            return " ".join(head.split())
        text = head


def _operator_at(text: str, index: int) -> str:
    for word in _OPERATORS:
        end = index + len(word)
        if text.startswith(word, index) and (end == len(text) or text[end].isspace() or text[end] == "("):
            return word
    return ""


def _lead(piece: str) -> int:
    return len(piece) - len(piece.lstrip())


def _closing(text: str, open_index: int) -> int:
    """Index of the parenthesis closing the one at ``open_index`` (-1 if none)."""
    depth, quoted = 0, False
    for index in range(open_index, len(text)):
        char = text[index]
        if char == '"':
            quoted = not quoted
        elif not quoted and char == "(":
            depth += 1
        elif not quoted and char == ")":
            depth -= 1
            if depth == 0:
                return index
    return -1
