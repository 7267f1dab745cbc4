"""Explicit schema migrations: one function per version step, tested on old stores."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from pathlib import PurePath

import sqlalchemy as sa

from .in_lists import in_list_slices


def _one_row_per_instrument_version(conn: sa.Connection) -> None:
    """1 -> 2: ``instrument_versions.version`` becomes unique.

    Schema 1 let a build killed between its store row and its file, rebuilt the same day, record
    one version twice. Of such rows the latest is kept (the build whose file was written); the
    earlier ones describe the same version (same date, evidence and content hash). The table is
    named here as it was at schema 1, not imported: a step must not change when the table does."""
    if not sa.inspect(conn).has_table("instrument_versions"):
        return  # a store from before the instrument: create_all makes the table with its index
    t = sa.table("instrument_versions", sa.column("id"), sa.column("version"))
    latest = sa.select(sa.func.max(t.c.id)).group_by(t.c.version)
    conn.execute(t.delete().where(t.c.id.not_in(latest)))
    conn.execute(sa.text("CREATE UNIQUE INDEX IF NOT EXISTS uq_instrument_versions_version "
                         "ON instrument_versions (version)"))


#: The MEDLINE layout's database and PubMed id lines, as the reader read them on 2026-12-06 (frozen here: a
#: step must not change when the reader does).
_DB_LINE = re.compile(r"^DB {0,3}- ?(.*?)\s*$", re.MULTILINE)
_PMID_LINE = re.compile(r"^PMID- *\d", re.MULTILINE)


def _medline_databases_from_their_lines(conn: sa.Connection) -> None:
    """2 -> 3: MEDLINE-layout file imports named by the rules before this one get the database their own
    lines name, per file.

    Until 97bef2c every record of such a file was stored as PubMed (a PsycInfo or Embase export from Ovid
    or EBSCO too); from then a record naming no database and carrying no PMID took the file's name, so
    one PubMed export split in two sources. Whether ``--source`` was given is not recorded, and it names
    every record alike: a ``medline`` file batch (no search run) whose records hold several names had none;
    one whose records are all "PubMed" had none or ``--source PubMed``; one whose records all hold another
    one name is left alone (``--source``, or what this rule gives anyway). Each record takes its ``DB``
    line, else the file's (its most common ``DB`` line; PubMed when it has numeric ``PMID`` lines), else the
    file's name, read from the ``raw`` text every record keeps; the batch's source becomes its records'
    most common. Nothing else of a record changes (ids, decisions and ``raw`` stay)."""
    batches = sa.table("import_batches", sa.column("id"), sa.column("file_name"), sa.column("source_name"),
                       sa.column("format"), sa.column("search_run_id"))
    records = sa.table("records", sa.column("id"), sa.column("batch_id"), sa.column("source_name"),
                       sa.column("raw"))
    candidates = conn.execute(sa.select(batches.c.id, batches.c.file_name).where(
        batches.c.format == "medline", batches.c.search_run_id.is_(None))).all()
    for batch_id, file_name in candidates:
        rows = conn.execute(sa.select(records.c.id, records.c.source_name, records.c.raw)
                            .where(records.c.batch_id == batch_id).order_by(records.c.id)).all()
        old_sources = {source for _, source, _ in rows}
        if not rows or (len(old_sources) == 1 and old_sources != {"PubMed"}):
            continue  # one name, not PubMed: --source gave it, or this rule would too
        named = Counter(m.group(1) for _, _, raw in rows for m in _DB_LINE.finditer(raw or "") if m.group(1))
        if named:
            file_database = named.most_common(1)[0][0]
        elif any(_PMID_LINE.search(raw or "") for _, _, raw in rows):
            file_database = "PubMed"
        else:
            file_database = PurePath(str(file_name)).stem
        new_sources: dict[int, str] = {}
        for record_id, _, raw in rows:
            own = next((m.group(1) for m in _DB_LINE.finditer(raw or "") if m.group(1)), "")
            new_sources[int(record_id)] = own or file_database
        old_of = {int(record_id): source for record_id, source, _ in rows}
        for name in set(new_sources.values()):
            ids = [record_id for record_id, source in new_sources.items() if source == name and old_of[record_id] != name]
            for id_slice in in_list_slices(ids):
                conn.execute(records.update().where(records.c.id.in_(id_slice)).values(source_name=name))
        most = Counter(new_sources.values()).most_common(1)[0][0]
        conn.execute(batches.update().where(batches.c.id == batch_id).values(source_name=most))


def _decisions_record_blind_mode(conn: sa.Connection) -> None:
    """3 -> 4: ``screening_decisions.blind``, whether the TUI's blind mode was on at the decision. The rows
    before it did not record that: NULL (not recorded), never a guess. Skipped when the column is there (a
    step run again after a crash between its ALTER and its commit on an engine without transactional DDL)."""
    if not sa.inspect(conn).has_table("screening_decisions"):
        return  # (create_all makes the table with the column)
    if "blind" in {c["name"] for c in sa.inspect(conn).get_columns("screening_decisions")}:
        return
    conn.execute(sa.text("ALTER TABLE screening_decisions ADD COLUMN blind BOOLEAN"))


#: ``MIGRATIONS[n]`` upgrades a store at version ``n`` to ``n + 1`` inside one transaction.
MIGRATIONS: dict[int, Callable[[sa.Connection], None]] = {
    1: _one_row_per_instrument_version,
    2: _medline_databases_from_their_lines,
    3: _decisions_record_blind_mode,
}
