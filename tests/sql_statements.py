"""The SQL a block of code sends: for tests that a reader asks the store for no more than it needs."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa


@contextmanager
def sql_statements() -> Iterator[list[str]]:
    """Every statement any engine executes inside the block, whitespace folded to single spaces."""
    statements: list[str] = []

    def listen(_conn, _cursor, statement, *_args):  # type: ignore[no-untyped-def]
        statements.append(" ".join(statement.split()))

    sa.event.listen(sa.Engine, "before_cursor_execute", listen)
    try:
        yield statements
    finally:
        sa.event.remove(sa.Engine, "before_cursor_execute", listen)
