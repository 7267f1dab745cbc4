"""Long ``IN (…)`` lists cut into slices, one statement each.

Every value of an IN list is a bound parameter, and the engines cap them per statement: SQLite at 32,766
(999 before 3.32), PostgreSQL at 65,535. 500 stays under all of them with room
for the statement's other values (a subquery repeating the list, a reviewer, a stage)."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from itertools import islice
from typing import Any, TypeVar, TypeVarTuple, Unpack

import sqlalchemy as sa

#: Values bound in one IN list at most.
IN_LIST_MAX = 500

Value = TypeVar("Value")
Columns = TypeVarTuple("Columns")


def in_list_slices(values: Iterable[Value], size: int = IN_LIST_MAX) -> Iterator[list[Value]]:
    """``values`` in their order, as lists of at most ``size`` (none for no values): one IN list each."""
    if size < 1:
        raise ValueError(f"size {size}: an IN list holds at least one value")
    iterator = iter(values)
    while chunk := list(islice(iterator, size)):
        yield chunk


def rows_among(conn: sa.Connection, query: sa.Select[Unpack[Columns]], column: sa.ColumnElement[Any],
               values: Collection[Any] | None) -> list[sa.Row[Unpack[Columns]]]:
    """``query``'s rows, or with ``values`` only those whose ``column`` is among them: one statement per slice of
    the sorted values, the slices' rows one after another. So every row of one value comes from one statement, in
    ``query``'s order (a log ordered by id, read per record, stays in order record by record)."""
    if values is None:
        return list(conn.execute(query).all())
    return [row for value_slice in in_list_slices(sorted(set(values)))
            for row in conn.execute(query.where(column.in_(value_slice))).all()]
