"""Moving a store between engines (SQLite <-> PostgreSQL) without loss.

Every table on ``metadata`` is copied row for row (ids, timestamps, undo rows, rankings), then
both sides are hashed table by table over a normal form of their rows (ordered by primary key;
timestamps in UTC, JSON with sorted keys) so the same content hashes the same on either engine.
The copy and the check are one transaction on the target: if any hash differs nothing is kept.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, NoReturn

import sqlalchemy as sa

from ..errors import ReviewError
from ..paths import SQLITE_SIDE_FILES
from .core import INIT_KEY, MOVED_KEY, MOVING_OPTION, UPGRADING_KEY, Store, init_mark, read_init_mark
from .opening import engine_url, safe_url
from .schema import SCHEMA_VERSION, metadata, schema_info

__all__ = ["TableCount", "TransferReport", "content_hashes", "copy_store", "foreign_tables", "foreign_tables_said",
           "nonempty_table"]

_CHUNK = 5000


@dataclass(frozen=True, slots=True)
class TableCount:
    table: str
    source_rows: int
    target_rows: int
    source_hash: str
    target_hash: str

    @property
    def same(self) -> bool:
        return self.source_rows == self.target_rows and self.source_hash == self.target_hash


@dataclass(frozen=True, slots=True)
class TransferReport:
    source: str  # URLs with passwords masked
    target: str
    tables: tuple[TableCount, ...]
    source_hash: str  # over every table
    target_hash: str

    @property
    def same(self) -> bool:
        return self.source_hash == self.target_hash and all(t.same for t in self.tables)


def _normal(value: Any) -> Any:
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(timezone.utc).replace(tzinfo=None)
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)
    return value


def _ordered(table: sa.Table, dialect: str) -> sa.Select[Any]:
    """Every row of ``table`` in primary-key order, the same order on both engines: text keys (a reviewer's
    name) bytewise, as SQLite sorts them, also on a PostgreSQL database set up in a language (en_US.UTF-8
    sorts 'ann' before 'Ben'), where the hashes of both sides differed and every such migration was refused."""
    keys: list[Any] = list(table.primary_key.columns) or list(table.columns)
    if dialect == "postgresql":
        keys = [key.collate("C") if isinstance(key.type, sa.String) else key for key in keys]
    query = sa.select(table).order_by(*keys)
    if table is schema_info:  # a store's "moved to", "upgrading" and "initialized" marks are about that store, not
        query = query.where(schema_info.c.key.not_in((MOVED_KEY, UPGRADING_KEY, INIT_KEY)))  # the review's content
    return query


def _table_hash(conn: sa.Connection, table: sa.Table) -> tuple[int, str]:
    digest = hashlib.sha256()
    n = 0
    for row in conn.execute(_ordered(table, conn.dialect.name)):
        normal = [_normal(v) for v in row]
        digest.update(json.dumps(normal, sort_keys=True, ensure_ascii=False, default=str).encode("utf-8"))
        digest.update(b"\n")
        n += 1
    return n, digest.hexdigest()


def content_hashes(conn: sa.Connection) -> dict[str, tuple[int, str]]:
    """Row count and content hash per table, on either engine."""
    return {table.name: _table_hash(conn, table) for table in metadata.sorted_tables}


def foreign_tables(conn: sa.Connection) -> dict[str, list[str]]:
    """The tables named as one of the review's that are not a review's, each with its columns: one with a
    column the review's table never had, or without its primary key (another program's ``records`` in a
    database it shares). The review would keep that table and break on it (a traceback from the first
    foreign key, or from the first command on SQLite). An older review's table passes: schema upgrades only
    add columns and tables; a newer review's has columns this one does not know, and is left to the checks that
    call it newer (``store schema version 5 is newer than this review``), not another program's."""
    inspector = sa.inspect(conn)
    present = set(inspector.get_table_names())
    if _newer_schema(conn, inspector, present):
        return {}
    found: dict[str, list[str]] = {}
    for table in metadata.sorted_tables:
        if table.name not in present:
            continue
        columns = {column["name"] for column in inspector.get_columns(table.name)}
        ours = {column.name for column in table.columns}
        key = {column.name for column in table.primary_key.columns}
        if not columns <= ours or not key <= columns:
            found[table.name] = sorted(columns)
    return found


def _newer_schema(conn: sa.Connection, inspector: sa.Inspector, present: set[str]) -> bool:
    """Whether the database's ``schema_info`` names a schema version past this review's (a newer review's store)."""
    if schema_info.name not in present:
        return False
    if not {"key", "value"} <= {column["name"] for column in inspector.get_columns(schema_info.name)}:
        return False  # (another program's schema_info: a failed read would end a PostgreSQL transaction)
    version = conn.execute(sa.select(schema_info.c.value).where(schema_info.c.key == "version")).scalar()
    return str(version).isdigit() and int(str(version)) > SCHEMA_VERSION


def foreign_tables_said(found: dict[str, list[str]]) -> str:
    """``table records is not the review's (columns label, x)`` for the tables ``foreign_tables`` found."""
    return "; ".join(f"table {name} is not the review's (columns {', '.join(columns)})"
                     for name, columns in found.items())


def nonempty_table(conn: sa.Connection) -> str | None:
    """The first of the store's tables that holds a row (``schema_info`` aside), or None: an empty store.
    Tables the database lacks (an older schema, or none yet) count as empty; nothing is created."""
    present = set(sa.inspect(conn).get_table_names())
    for table in metadata.sorted_tables:
        if table.name == "schema_info" or table.name not in present:
            continue
        if conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one():
            return table.name
    return None


def _compare(source: Store, target_url: str, src: sa.Connection, dst: sa.Connection) -> TransferReport:
    """Row counts and content hashes of the source (``src``) and the target (``dst``), table by table."""
    before, after = content_hashes(src), content_hashes(dst)
    counts = tuple(TableCount(name, before[name][0], after[name][0], before[name][1], after[name][1])
                   for name in sorted(before))
    return TransferReport(safe_url(source.engine.url), safe_url(target_url), counts, _overall(before),
                          _overall(after))


def _overall(hashes: dict[str, tuple[int, str]]) -> str:
    digest = hashlib.sha256()
    for name in sorted(hashes):
        digest.update(f"{name}:{hashes[name][0]}:{hashes[name][1]}\n".encode("utf-8"))
    return digest.hexdigest()


def _reset_sequences(conn: sa.Connection, table: sa.Table) -> None:
    """PostgreSQL: after rows came in with their ids, the next generated id follows the largest."""
    for column in table.primary_key.columns:
        if column.autoincrement is True or (column.autoincrement == "auto" and isinstance(column.type, sa.Integer)
                                            and len(table.primary_key.columns) == 1):
            conn.execute(sa.text(
                f"SELECT setval(pg_get_serial_sequence(:table, :column), "
                f"COALESCE((SELECT MAX({column.name}) FROM {table.name}), 0) + 1, false)"
            ), {"table": table.name, "column": column.name})


def copy_store(source: Store, target_url: str) -> TransferReport:
    """Copy every table of ``source`` into the empty store at ``target_url``; refuse if the
    content hashes of both sides differ. A refused copy leaves the target as it was: the rows
    are rolled back, the tables opening it created are dropped, a SQLite file it created is removed."""
    # The target is told apart from another workspace's store by the id in its "initialized" mark: an empty
    # review hashes like any empty store, so only the id says the target is this migration's own earlier copy.
    source_id = source.store_id()
    new_file, tables_before, held, mark, foreign = _target_before(target_url)
    if foreign:
        raise ReviewError(f"database {safe_url(target_url)}: {foreign_tables_said(foreign)}; nothing was copied "
                          "— migrate only into an empty database (one of review's own, not shared with "
                          "another program's tables of these names)", title="Migrate")
    ours = mark is not None and read_init_mark(mark)[1] == source_id
    if held is not None or (mark is not None and not ours):
        done = _copied_already(source, target_url) if held is not None else None
        if done is None:
            _refuse_taken(target_url, held, mark)
        return done
    if ours and (done := _copied_already(source, target_url)) is not None:
        return done
    # (moved_ok: no commit check on the target, whose tables a refused copy drops again)
    target = Store.open(target_url, moved_ok=True)
    kept = False
    try:
        # The source's write lock for the whole copy: a decision made meanwhile waits (or is refused
        # as busy); the source is marked moved in the same transaction that releases the lock, so
        # a write that waited is refused (StoreMoved), never lands in the old store after the copy.
        with source.locked_transaction() as src:
            _hold_writes(src)
            _refuse_live_sessions(src)
            with target.transaction() as dst:
                held, mark = nonempty_table(dst), _init_mark(dst)
                if held is not None or (mark is not None and read_init_mark(mark)[1] != source_id):
                    _refuse_taken(target_url, held, mark)
                for table in metadata.sorted_tables:
                    if table.name == "schema_info":
                        continue
                    result = src.execute(_ordered(table, src.dialect.name)).mappings()
                    while chunk := result.fetchmany(_CHUNK):
                        dst.execute(table.insert(), [dict(row) for row in chunk])
                    if target.dialect == "postgresql":
                        _reset_sequences(dst, table)
                # The target is now this workspace's store: a later review init naming it is refused even while
                # the review holds no row (the mark is left out of the content hashes).
                dst.execute(schema_info.delete().where(schema_info.c.key == INIT_KEY))
                dst.execute(schema_info.insert().values(key=INIT_KEY, value=init_mark(source_id)))
                report = _compare(source, target_url, src, dst)
                if not report.same:
                    differing = ", ".join(t.table for t in report.tables if not t.same) or "overall"
                    raise TransferMismatch(report, f"migration refused: content differs after the copy "
                                                   f"({differing}); nothing was kept on the target")
            kept = True  # the target committed; a kill before the mark commits is finished by running again
            _mark_moved(src, target_url)
        return report
    finally:
        if not kept and tables_before is not None:
            _drop_created_tables(target, tables_before)
        target.engine.dispose()
        if not kept and new_file is not None:
            for suffix in ("", *SQLITE_SIDE_FILES):
                Path(f"{new_file}{suffix}").unlink(missing_ok=True)


def _refuse_taken(target_url: str, held: str | None, mark: str | None) -> NoReturn:
    """One line: the target holds another review's rows, or another workspace's init (or migration) took it."""
    why = (f"table {held} is not empty" if held is not None
           else f"a workspace took it as its store on {read_init_mark(mark or '')[0]}")
    raise ReviewError(f"database {safe_url(target_url)}: {why}; migrate only into an empty database")


def _init_mark(conn: sa.Connection) -> str | None:
    """The target's ``INIT_KEY`` value (None: no mark, or no schema_info yet)."""
    if not sa.inspect(conn).has_table(schema_info.name):
        return None
    value = conn.execute(sa.select(schema_info.c.value).where(schema_info.c.key == INIT_KEY)).scalar()
    return None if value is None else str(value)


def _mark_moved(conn: sa.Connection, target_url: str) -> None:
    """Mark the source as moved to ``target_url`` (inside the transaction holding its write lock):
    every later commit on it, and every opening, is refused with one line naming the new store."""
    conn.execution_options(**{MOVING_OPTION: True})  # (this connection only: it commits the mark)
    conn.execute(schema_info.delete().where(schema_info.c.key == MOVED_KEY))
    conn.execute(schema_info.insert().values(key=MOVED_KEY, value=safe_url(target_url)))


def _hold_writes(conn: sa.Connection) -> None:
    """PostgreSQL: block every write to the source's tables until the copy commits.

    ``locked_transaction`` locks one row, which serialises other check-then-inserts on SQLite
    (one writer at a time) but not ``review decide`` on PostgreSQL, whose lock is per reviewer.
    SHARE mode lets readers (and another copy) on but makes INSERT/UPDATE/DELETE wait, so no row
    lands between the copy, its hash check and the commit.
    """
    if conn.dialect.name != "postgresql":
        return
    present = set(sa.inspect(conn).get_table_names())
    quote = conn.dialect.identifier_preparer.quote
    names = [quote(t.name) for t in metadata.sorted_tables if t.name in present]
    if names:
        conn.execute(sa.text(f"LOCK TABLE {', '.join(names)} IN SHARE MODE"))


def _refuse_live_sessions(conn: sa.Connection) -> None:
    """A review window still open on the source would go on saving decisions into the old store,
    where nobody reads them after the move (and a search its records): refuse while any reviewer's
    session or search's hold is live (checked under the copy's lock, so none opens between the
    check and the copy)."""
    from .sessions import live_sessions

    live = live_sessions(conn)
    if live:
        who = "; ".join(h.describe_use() for h in live)
        advice = [what for what, present in (
            ("close every window (review, review screen)", any(not h.is_search for h in live)),
            ("let every review search end (or stop it: the next one resumes its run)", any(h.is_search for h in live)),
        ) if present]
        raise ReviewError(f"migration refused: this store is in use ({who}); {' and '.join(advice)} first "
                          "— nothing was copied", title="Migrate")


def _target_before(target_url: str) -> tuple[Path | None, set[str] | None, str | None, str | None,
                                               dict[str, list[str]]]:
    """A SQLite file the copy would create (None if it exists or the target is a server), the
    tables already on the target (None when it cannot be looked at: opening it will say why),
    the first of them that holds rows (None: the target is empty), its "initialized" mark (None: none)
    and the tables named as the review's that are another program's (``foreign_tables``), looked at
    before anything is touched."""
    parsed = engine_url(target_url)
    if parsed.get_backend_name() == "sqlite":
        if not parsed.database or parsed.database == ":memory:":
            return None, None, None, None, {}
        file = Path(parsed.database)
        if not file.exists():
            return file, set(), None, None, {}
    engine = sa.create_engine(parsed)
    try:
        names = set(sa.inspect(engine).get_table_names())
        with engine.connect() as conn:
            foreign = foreign_tables(conn)
            if foreign:  # (counting rows would say 'not empty' of a table that is not the review's)
                return None, names, None, None, foreign
            return None, names, nonempty_table(conn), _init_mark(conn), {}
    except sa.exc.SQLAlchemyError:
        return None, None, None, None, {}
    finally:
        engine.dispose()


def _copied_already(source: Store, target_url: str) -> TransferReport | None:
    """The report of a target that already holds exactly the source's content (a migration killed
    after its copy committed, before review.toml was rewritten, or a move back to a store the review
    came from), else None. When it matches, the target loses any "moved to" mark of its own and the
    source is marked moved (as the copy does)."""
    try:
        target = Store.open(target_url, prepare=False)
    except ReviewError:
        return None
    try:
        # Under the source's write lock, like the copy: it is marked moved when it matches.
        with source.locked_transaction() as src:
            _hold_writes(src)
            with target.connect() as dst:
                report = _compare(source, target_url, src, dst)
            if not report.same:
                return None
            # A move back to where the review came from (A -> B -> A): the target still carries its own
            # "moved to" mark, which would leave no live store. Cleared first: a kill in between leaves
            # both stores open, and running the command again finishes the move.
            with target.engine.begin() as dst:
                dst.execution_options(**{MOVING_OPTION: True})
                dst.execute(schema_info.delete().where(schema_info.c.key == MOVED_KEY))
            _mark_moved(src, target_url)
    except sa.exc.SQLAlchemyError:
        return None
    finally:
        target.engine.dispose()
    return report


def _drop_created_tables(target: Store, tables_before: set[str]) -> None:
    """Drop the store's tables that were not on the target before the copy (a refused copy)."""
    created = [t for t in metadata.sorted_tables if t.name not in tables_before]
    if created:
        with target.engine.begin() as conn:
            metadata.drop_all(conn, tables=created)


class TransferMismatch(ReviewError):
    """The copy does not hash like its source: the target transaction was rolled back."""

    def __init__(self, report: TransferReport, message: str) -> None:
        super().__init__(message, title="Migrate")
        self.report = report
