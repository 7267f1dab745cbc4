"""The reviewer's decision in force on one record (``if_undecided``, corrections, undo by record): the right row on both
engines, and on SQLite read by the record's index, not the reviewer's (every decision of theirs, 7-11 ms a decision in
the TUI at 13,600 decisions: benchmarks/scale_walk.py)."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from review.errors import DecisionConflict
from review.store.core import _latest_effective
from review.workspace import Workspace

from .helpers import stored_record_ids


def test_the_decision_in_force_is_the_reviewers_latest_on_the_stage_not_undone(workspace: Workspace) -> None:
    store = workspace.store
    a, b = stored_record_ids(workspace, 2)
    first = store.add_decision(a, "alice", "exclude")
    store.add_decision(a, "bob", "include")  # another reviewer's, later
    store.add_decision(a, "alice", "include", stage="full_text")  # another stage, later
    store.add_decision(b, "alice", "maybe")  # another record
    correction = store.add_decision(a, "alice", "include", if_in_force=first.id)
    with store.connect() as conn:
        assert _latest_effective(conn, "alice", "title_abstract", a)["id"] == correction.id  # type: ignore[index]
    store.undo_latest("alice", record_id=a)  # the correction taken back: the first stands again
    with store.connect() as conn:
        assert _latest_effective(conn, "alice", "title_abstract", a)["id"] == first.id  # type: ignore[index]
        assert _latest_effective(conn, "carol", "title_abstract", a) is None
    with pytest.raises(DecisionConflict):
        store.add_decision(a, "alice", "exclude", if_undecided=True)


def test_sqlite_reads_the_decision_in_force_by_the_records_index(workspace: Workspace) -> None:
    store = workspace.store
    if store.engine.dialect.name != "sqlite":
        return  # (PostgreSQL plans by its statistics)
    a, b = stored_record_ids(workspace, 2)
    store.add_decision(b, "alice", "include")
    statements: list[tuple[str, Any]] = []

    def seen(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append((statement, parameters))

    sa.event.listen(store.engine, "before_cursor_execute", seen)
    try:
        with store.connect() as conn:
            _latest_effective(conn, "alice", "title_abstract", a)
    finally:
        sa.event.remove(store.engine, "before_cursor_execute", seen)
    with store.connect() as conn:
        plans = [" ".join(str(row[-1]) for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters))
                 for statement, parameters in statements]
    assert plans and all("ix_screening_decisions_record_id" in plan for plan in plans), plans
    assert not any("ix_screening_decisions_reviewer" in plan for plan in plans), plans
