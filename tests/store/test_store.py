from __future__ import annotations


from review.records import Record
from review.store import Store
from review.store import schema
from review.workspace import Workspace


def _add(workspace: Workspace, n: int = 3) -> list[int]:
    records = [Record(title=f"Title {i}", authors=["A B"], year=2000 + i) for i in range(n)]
    workspace.store.add_batch(records, file_name="f.ris", file_sha256="x" * 64, source_name="db",
                              format="ris", encoding="utf-8")
    return [r.id for r in workspace.store.records()]


def test_sqlite_runs_in_wal_mode_with_foreign_keys(workspace: Workspace) -> None:
    if workspace.store.dialect != "sqlite":
        return  # PostgreSQL has neither PRAGMA nor a journal mode to choose
    with workspace.store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_records_round_trip(workspace: Workspace) -> None:
    ids = _add(workspace)
    got = workspace.store.records()
    assert [r.title for r in got] == ["Title 0", "Title 1", "Title 2"]
    assert got[1].year == 2001 and got[1].authors == ["A B"] and got[1].id == ids[1]


def test_undo_appends_and_reverses_latest_effective_decision(workspace: Workspace) -> None:
    a, b, _ = _add(workspace)
    store = workspace.store
    store.add_decision(a, "alice", "include")
    store.add_decision(b, "alice", "exclude", reasons=["wrong population"])
    undone = store.undo_last("alice")
    assert undone is not None and undone.record_id == b
    assert set(store.current_decisions()) == {(a, "alice")}
    # A second undo reaches the earlier decision, not the undo row.
    assert store.undo_last("alice").record_id == a
    assert store.current_decisions() == {}
    assert store.undo_last("alice") is None
    assert [d.label for d in store.decisions()] == ["include", "exclude", "undo", "undo"]


def test_undo_is_per_reviewer(workspace: Workspace) -> None:
    a, b, _ = _add(workspace)
    workspace.store.add_decision(a, "alice", "include")
    workspace.store.add_decision(b, "bob", "exclude")
    workspace.store.undo_last("alice")
    assert set(workspace.store.current_decisions()) == {(b, "bob")}


def test_bad_label_is_refused(workspace: Workspace) -> None:
    import pytest
    from review.errors import ReviewError
    (a, *_rest) = _add(workspace)
    with pytest.raises(ReviewError, match="label 'yes'"):
        workspace.store.add_decision(a, "alice", "yes")
    assert workspace.store.decisions() == []


def test_migration_steps_run_in_order(tmp_path, monkeypatch) -> None:
    from review.store import migrations
    url = f"sqlite:///{tmp_path / 'old.db'}"
    store = Store.open(url)
    with store.engine.begin() as conn:
        conn.execute(schema.schema_info.update().values(value="0"))
    ran: list[int] = []
    monkeypatch.setitem(migrations.MIGRATIONS, 0, lambda conn: ran.append(0))
    reopened = Store.open(url)
    assert ran == [0]
    assert reopened.schema_version() == schema.SCHEMA_VERSION


def test_newer_store_is_refused(tmp_path) -> None:
    import pytest
    from review.errors import ReviewError
    url = f"sqlite:///{tmp_path / 'new.db'}"
    store = Store.open(url)
    with store.engine.begin() as conn:
        conn.execute(schema.schema_info.update().values(value="999"))
    with pytest.raises(ReviewError, match="newer"):
        Store.open(url)
