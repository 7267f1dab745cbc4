"""Stores of an older schema open and upgrade (store/migrations.py), on both engines."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest
import sqlalchemy as sa

from review.store import instrument as versions_table
from review.store import schema
from review.workspace import Workspace


def _row(version: str, hour: int) -> dict[str, Any]:
    return dict(version=version, built_at=datetime(2026, 11, 26, hour, tzinfo=timezone.utc),
                evidence_sha256="e" * 64, evidence_taken_at="2026-11-26T01:00:00+00:00",
                evidence_source="extraction/synthesis.csv", item_bank_sha256=f"{hour:064d}", n_items=3,
                n_signals=1, n_not_included=2, weights={}, settings={})


def _as_schema_1(workspace: Workspace) -> None:
    """The workspace's store as schema 1 left it: no unique index on the instrument version."""
    with workspace.store.transaction() as conn:
        versions_table.VERSION_INDEX.drop(conn)
        conn.execute(schema.schema_info.update().where(schema.schema_info.c.key == "version").values(value="1"))


def test_a_schema_1_store_upgrades_to_one_row_per_instrument_version(workspace: Workspace) -> None:
    _as_schema_1(workspace)
    t = versions_table.instrument_versions
    with workspace.store.transaction() as conn:  # schema 1 allowed a version twice
        conn.execute(t.insert(), [_row("2026-11-26+eeeeeeee.aaaaaa", 1), _row("2026-11-26+eeeeeeee.aaaaaa", 3),
                                  _row("2026-11-26+eeeeeeee.bbbbbb", 4)])
    reopened = Workspace(workspace.root)
    assert reopened.store.schema_version() == schema.SCHEMA_VERSION == 4
    rows = versions_table.versions(reopened.store)
    # Of the twice-recorded version the latest row (the build whose file was written) is kept.
    assert [(r.version, r.built_at.hour) for r in rows] == [("2026-11-26+eeeeeeee.aaaaaa", 3),
                                                            ("2026-11-26+eeeeeeee.bbbbbb", 4)]
    assert versions_table.record_version(reopened.store, **_row("2026-11-26+eeeeeeee.bbbbbb", 5)) is None
    with pytest.raises(sa.exc.IntegrityError), reopened.store.transaction() as conn:
        conn.execute(t.insert().values(**_row("2026-11-26+eeeeeeee.bbbbbb", 6)))
    assert len(versions_table.versions(reopened.store)) == 2
    # The same index a new store gets (the migration names it itself).
    indexes = sa.inspect(reopened.store.engine).get_indexes("instrument_versions")
    assert {(i["name"], tuple(i["column_names"]), bool(i["unique"])) for i in indexes} >= {
        (versions_table.VERSION_INDEX.name, ("version",), True)}


def test_a_schema_1_store_without_the_instrument_table_upgrades(workspace: Workspace) -> None:
    _as_schema_1(workspace)
    with workspace.store.transaction() as conn:
        versions_table.instrument_versions.drop(conn)
    reopened = Workspace(workspace.root)
    assert reopened.store.schema_version() == schema.SCHEMA_VERSION
    assert versions_table.record_version(reopened.store, **_row("v", 1)) is not None
    assert versions_table.record_version(reopened.store, **_row("v", 2)) is None
    with pytest.raises(sa.exc.IntegrityError), reopened.store.transaction() as conn:
        conn.execute(versions_table.instrument_versions.insert().values(**_row("v", 3)))


PSYCINFO_MEDLINE_LAYOUT = """\
VN  - Ovid Technologies
DB  - APA PsycInfo
AN  - 2019-12345-001
TI  - Recurrent sickness absence after common mental disorders.

TI  - A record of the same export without its own DB line.
"""

NO_DATABASE = "TI  - Burnout and repeated sick leave in nurses.\n"


def _as_schema_2_with_the_old_rule(workspace: Workspace, batch_ids: list[int]) -> None:
    """The rule before 2026-12-06: every record of a MEDLINE-layout file (no --source) stored as PubMed."""
    with workspace.store.transaction() as conn:
        conn.execute(schema.records.update().where(schema.records.c.batch_id.in_(batch_ids))
                     .values(source_name="PubMed"))
        conn.execute(schema.import_batches.update().where(schema.import_batches.c.id.in_(batch_ids))
                     .values(source_name="PubMed"))
        conn.execute(schema.schema_info.update().where(schema.schema_info.c.key == "version").values(value="2"))


def _sources(workspace: Workspace) -> dict[str, list[str]]:
    with workspace.store.connect() as conn:
        batches = dict(conn.execute(sa.select(schema.import_batches.c.id, schema.import_batches.c.file_name)).all())
        rows = conn.execute(sa.select(schema.records.c.batch_id, schema.records.c.source_name)
                            .order_by(schema.records.c.id)).all()
    by_file: dict[str, list[str]] = {}
    for batch_id, source in rows:
        by_file.setdefault(str(batches[batch_id]).rsplit("/", 1)[-1], []).append(source)
    return by_file


def test_a_schema_2_store_names_old_medline_imports_by_their_own_lines(workspace: Workspace, shared, tmp_path) -> None:
    from review.sources import import_files

    psycinfo = tmp_path / "psycinfo.nbib"
    psycinfo.write_text(PSYCINFO_MEDLINE_LAYOUT, encoding="utf-8")
    nameless = tmp_path / "cinahl_2024.txt"
    nameless.write_text(NO_DATABASE, encoding="utf-8")
    named = tmp_path / "embase_named.nbib"
    named.write_text(PSYCINFO_MEDLINE_LAYOUT.replace("2019-12345-001", "2019-99999-001"), encoding="utf-8")
    pubmed = shared("fixtures", "exports", "medline_nbib", "jabref_MedlinePlainImporterTestMultipleEntries.txt")
    import_files(workspace, [psycinfo, nameless, pubmed])
    import_files(workspace, [named], source="Embase (Ovid)")  # --source: not the old rule's batch
    batch_ids = [b["id"] for b in workspace.store.batches()][:3]
    _as_schema_2_with_the_old_rule(workspace, batch_ids[:2])
    with workspace.store.transaction() as conn:  # the rule of 97bef2c split this file: PubMed 5 + its name 2
        conn.execute(schema.records.update().where(schema.records.c.batch_id == batch_ids[2], schema.records.c.pmid == "")
                     .values(source_name=pubmed.stem))
    first = workspace.store.records()[0]
    workspace.store.add_decision(int(first.id), "alice", "include")
    reopened = Workspace(workspace.root)
    assert reopened.store.schema_version() == schema.SCHEMA_VERSION == 4
    assert _sources(reopened) == {
        "psycinfo.nbib": ["APA PsycInfo", "APA PsycInfo"], "cinahl_2024.txt": ["cinahl_2024"],
        pubmed.name: ["PubMed"] * 7, "embase_named.nbib": ["Embase (Ovid)", "Embase (Ovid)"]}
    assert [b["source_name"] for b in reopened.store.batches()] == [
        "APA PsycInfo", "cinahl_2024", "PubMed", "Embase (Ovid)"]
    again = reopened.store.records([int(first.id)])[0]
    assert again.raw == first.raw and again.title == first.title
    assert [d.record_id for d in reopened.store.decisions(reviewer="alice")] == [first.id]


def _as_schema_3(workspace: Workspace) -> None:
    """The workspace's store as schema 3 left it: decisions without the ``blind`` column."""
    with workspace.store.transaction() as conn:
        conn.execute(sa.text("ALTER TABLE screening_decisions DROP COLUMN blind"))
        conn.execute(schema.schema_info.update().where(schema.schema_info.c.key == "version").values(value="3"))


def test_a_schema_3_store_upgrades_with_its_decisions_blind_mode_not_recorded(workspace: Workspace) -> None:
    from review.records import Record

    workspace.store.add_batch([Record(title=f"T{i}") for i in range(3)], file_name="f.ris", file_sha256="d" * 64,
                              source_name="db", format="ris", encoding="utf-8")
    first, second, third = sorted(int(r.id) for r in workspace.store.records() if r.id is not None)
    workspace.store.add_decision(first, "alice", "include", blind=True)
    workspace.store.add_decision(second, "bob", "exclude", blind=False)
    _as_schema_3(workspace)
    with pytest.raises(sa.exc.DBAPIError):  # (the old store cannot take this review's insert before its upgrade)
        workspace.store.add_decision(third, "alice", "include", blind=True)
    reopened = Workspace(workspace.root)
    assert reopened.store.schema_version() == schema.SCHEMA_VERSION == 4
    # Made before the store recorded it: NULL, never a guess.
    assert [(d.record_id, d.label, d.blind) for d in reopened.store.decisions()] == [
        (first, "include", None), (second, "exclude", None)]
    made = reopened.store.add_decision(third, "alice", "include", blind=True)
    assert made.blind is True
    assert {d.record_id: d.blind for d in reopened.store.decisions()}[third] is True
    reopened.store.undo_last("alice")
    assert reopened.store.decisions()[-1].blind is None  # an undo is no decision made blind or not
    columns = {c["name"]: c for c in sa.inspect(reopened.store.engine).get_columns("screening_decisions")}
    assert columns["blind"]["nullable"]
