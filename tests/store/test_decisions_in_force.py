"""``store.screening.decisions_in_force``: a session's lean reading of a reviewer's decisions, one value of the
model info taken out by the engine, gives what ``Store.current_decisions`` gives (on SQLite and PostgreSQL)."""

from __future__ import annotations

import sqlalchemy as sa

from review.store import screening as ranking_store
from review.workspace import Workspace

from .helpers import stored_record_ids


def test_the_lean_reading_gives_the_decisions_in_force_and_their_phase(workspace: Workspace) -> None:
    store = workspace.store
    ids = stored_record_ids(workspace, 12)
    infos = [{"phase": "ranked"}, {"phase": "sample", "sample_start": 3}, {}, {"phase": "prior"}, {"phase": None}]
    for n, record_id in enumerate(ids):
        store.add_decision(record_id, "alice", "include" if n % 3 == 0 else "exclude", model_info=infos[n % 5])
        store.add_decision(record_id, "bob", "maybe", model_info={"phase": "sample"})
    store.add_decision(ids[2], "alice", "maybe", model_info={"phase": "sample"})  # a correction, later in order
    store.add_decision(ids[4], "alice", "include", model_info={"phase": "ranked"})
    store.undo_last("alice")  # ids[4]'s correction: the first decision stands again
    store.add_decision(ids[6], "alice", "include", model_info={"phase": "sample"})
    store.undo_last("alice")
    store.undo_last("alice")  # ids[2]'s correction too
    store.add_decision(ids[9], "alice", "include", stage="full_text")  # another stage: not read
    whole = sorted((d for (_, who), d in store.current_decisions(reviewer="alice").items()), key=lambda d: d.id)
    lean = ranking_store.decisions_in_force(store, "alice", info_key="phase")
    assert [(d.id, d.record_id, d.reviewer, d.label) for d in lean] == [
        (d.id, d.record_id, d.reviewer, d.label) for d in whole]
    # The phase as the engine reads it: the text stored, None where the key is missing or null.
    expected = [d.model_info.get("phase") for d in whole]
    assert [d.info for d in lean] == expected and {"sample", "prior", None} <= set(expected)
    some = [ids[2], ids[4], ids[6], ids[11]]  # (undo rows among their rows)
    assert ranking_store.decisions_in_force(store, "alice", info_key="phase", record_ids=some) == [
        d for d in lean if d.record_id in some]
    assert ranking_store.records_with_info(store, "alice", info_key="phase", value="sample") == {
        ids[1], ids[2], ids[6], ids[11]}  # (undone or superseded rows count: the caller reads those records)
    assert ranking_store.records_with_info(store, "carol", info_key="phase", value="sample") == set()


def test_record_ids_among_gives_those_the_store_holds(workspace: Workspace) -> None:
    ids = stored_record_ids(workspace, 3)
    assert ranking_store.record_ids(workspace.store) == ids
    assert ranking_store.record_ids(workspace.store, among={ids[2], ids[0], 10_000}) == [ids[0], ids[2]]
    assert ranking_store.record_ids(workspace.store, among=()) == []


def test_the_narrow_readings_reach_every_slice_of_a_long_id_list(workspace: Workspace) -> None:
    """``review decide`` names any number of records: past one IN list (``IN_LIST_MAX``) the readings of a
    deciding session still give every named record and the reviewer's decisions in force on each (the last ones
    named, in reverse: a reading cut at the first slice loses them)."""
    from review.store import schema, utcnow
    from review.store.in_lists import IN_LIST_MAX

    store = workspace.store
    ids = stored_record_ids(workspace, 2 * IN_LIST_MAX + 99)
    now = utcnow()

    def row(record_id: int, label: str, phase: str | None = None, undoes_id: int | None = None) -> dict[str, object]:
        return dict(record_id=record_id, reviewer="alice", stage="title_abstract", label=label, reasons=[], note="",
                    created_at=now, model_rank=None, model_info={} if phase is None else {"phase": phase},
                    undoes_id=undoes_id)

    t = schema.screening_decisions
    with store.transaction() as conn:
        conn.execute(t.insert(), [row(r, "exclude", "sample" if r % 3 == 0 else "ranked") for r in ids[1::2]])
        conn.execute(t.insert(), [row(r, "include") for r in ids[1::6]])  # corrections
        corrections = conn.execute(sa.select(t.c.id, t.c.record_id).where(t.c.label == "include")).all()
        conn.execute(t.insert(), [row(r, "undo", undoes_id=i) for i, r in corrections[::2]])  # half undone
    whole = ranking_store.decisions_in_force(store, "alice", info_key="phase")
    assert [(d.id, d.record_id, d.label) for d in whole] == sorted(
        (d.id, d.record_id, d.label) for d in store.current_decisions(reviewer="alice").values())
    assert len(whole) > 2 * IN_LIST_MAX // 2 and {d.label for d in whole} == {"include", "exclude"}
    for n in (IN_LIST_MAX - 1, IN_LIST_MAX, IN_LIST_MAX + 1, 2 * IN_LIST_MAX + 1):
        named = ids[-n:][::-1]
        assert ranking_store.record_ids(store, among=[*named, 10**9]) == sorted(named)
        assert ranking_store.decisions_in_force(store, "alice", info_key="phase", record_ids=named) == [
            d for d in whole if d.record_id in set(named)]


def test_a_reading_among_records_looks_them_up_by_record_not_by_reviewer(workspace: Workspace) -> None:
    """Among a few records (the screening screen's look on coming back, ``review decide``'s session) SQLite went
    through every decision of the reviewer (its reviewer index: 15 ms for 3 records of 20,000, 0.4 through the
    record index). The statement it runs now finds them by record; the rows are the same."""
    store = workspace.store
    ids = stored_record_ids(workspace, 30)
    for record_id in ids:
        store.add_decision(record_id, "alice", "include", model_info={"phase": "ranked"})
        store.add_decision(record_id, "bob", "exclude")
    statements: list[tuple[str, object]] = []

    def heard(_conn: object, _cursor: object, statement: str, parameters: object, *_args: object) -> None:
        if "FROM screening_decisions" in statement:
            statements.append((statement, parameters))

    sa.event.listen(store.engine, "before_cursor_execute", heard)
    try:
        some = ranking_store.decisions_in_force(store, "alice", info_key="phase", record_ids=[ids[3], ids[17]])
    finally:
        sa.event.remove(store.engine, "before_cursor_execute", heard)
    assert [(d.record_id, d.reviewer, d.label, d.info) for d in some] == [
        (ids[3], "alice", "include", "ranked"), (ids[17], "alice", "include", "ranked")]
    if store.dialect != "sqlite":
        return  # (PostgreSQL plans from its statistics)
    (statement, parameters), = statements
    with store.engine.connect() as conn:
        plan = " ".join(str(row[-1]) for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters))
    assert "ix_screening_decisions_record_id" in plan, plan
