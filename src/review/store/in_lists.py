"""Long ``IN (…)`` lists cut into slices, one statement each.

Every value of an IN list is a bound parameter, and the engines cap them per statement: SQLite at 32,766
(999 before 3.32), PostgreSQL at 65,535. 500 stays under all of them with room
for the statement's other values (a subquery repeating the list, a reviewer, a stage)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice
from typing import TypeVar

#: Values bound in one IN list at most.
IN_LIST_MAX = 500

Value = TypeVar("Value")


def in_list_slices(values: Iterable[Value], size: int = IN_LIST_MAX) -> Iterator[list[Value]]:
    """``values`` in their order, as lists of at most ``size`` (none for no values): one IN list each."""
    if size < 1:
        raise ValueError(f"size {size}: an IN list holds at least one value")
    iterator = iter(values)
    while chunk := list(islice(iterator, size)):
        yield chunk
