"""The store's core: opening the database (SQLite or PostgreSQL), the schema version, import
batches, records and screening decisions. Stage tables live in their own modules; beside this one, ``opening``
holds the SQLite file's checks and the database URL, ``errors`` the store's errors, ``decision_log`` the undo rule
and ``batches`` the import batch writer."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from types import MappingProxyType
from typing import Any
import contextlib
import functools
import json
import shlex
import threading
import time
import uuid
import zlib

import sqlalchemy as sa

from ..errors import DecisionConflict, ReviewError, UnknownRecord
from ..records import BIB_FIELDS, SCREENING_LABELS, Decision, Record
from . import schema
from .batches import BatchWriter
from .decision_log import LabelLogRow, effective_decisions, in_effect, label_log_query
from .errors import NewerStore, StatementCancelled, StoreBusy, StoreLost, StoreMissing, StoreMoved, StoreReadOnly
from .migrations import MIGRATIONS
from .opening import (ReadOnlyConnections, _connect_error, _not_a_database, _opens_read_only, _read_only_place,
                      _sqlite_file_check, _sqlite_file_without_store, _sqlite_path, _store_read_only, driver_line,
                      engine_url, passwords_masked, safe_url, unsaved_side_files, without_password)
from .schema import SCHEMA_VERSION, metadata

__all__ = [
    "BUSY_TIMEOUT_MS", "INIT_KEY", "MOVED_KEY", "MOVING_OPTION", "UPGRADE_WAIT_MS", "UPGRADING_KEY", "Connection", "DecisionConflict",
    "Store", "Undone", "inserted_id", "metadata", "utcnow",
]

#: A connection inside ``Store.transaction()`` or ``Store.connect()``, for stage code that passes one on.
Connection = sa.Connection


#: How long a write waits for another process's lock before ``StoreBusy`` (SQLite's busy timeout,
#: PostgreSQL's lock_timeout).
BUSY_TIMEOUT_MS = 5000

#: A write transaction of this process open longer than this (SQLite) beats, as it commits, for the session claims
#: the process holds on that store (``sessions.hold_claim``) and moves every other live session's heartbeat on by its
#: length (``sessions.carry_over_lock``): their heartbeats waited for the write lock that transaction held, gave up
#: after the busy timeout (a missed beat), and a write longer than ``sessions.STALE_AFTER`` left the claims stale as
#: the lock came free, for another window or a shell of the same reviewer to take over.
LONG_WRITE_S = BUSY_TIMEOUT_MS / 1000

#: ``Connection.info`` key: when the statement that began the connection's transaction started (``time.monotonic``),
#: its first write: SQLite's transactions are deferred and take the write lock there, not at ``begin``.
_BEGAN = "review.began"

#: How long opening a store waits for another process's schema upgrade step (its write lock) before
#: ``StoreBusy``: a step may rewrite every record (2 -> 3 took 6 s on PostgreSQL, 15 s on SQLite at 50,000
#: records on a loaded machine: docs/benchmarks/store-migrations-2026-12-06.md).
UPGRADE_WAIT_MS = 600_000

#: How often a wait on opening says again how long it has waited (the command line's stderr: a line a minute).
UPGRADE_NOTICE_EVERY_S = 60.0

#: The ``schema_info`` key an upgrade sets before each step (JSON: the version it upgrades to, step N of M) and
#: the step's transaction removes: a writer kept waiting past the busy timeout is told why.
UPGRADING_KEY = "upgrading"

#: The ``schema_info`` key ``review init`` sets as its last step (value: when): the store belongs to a workspace
#: even while it holds no row, so a second ``review init --database`` naming the same database is refused.
#: (Without it, a database left by an init killed midway is empty and may be taken again.)
INIT_KEY = "initialized"

#: The ``schema_info`` key ``review migrate`` sets on a store it moved away from (value: the new
#: store's URL, password masked). Every later commit on that store is refused (``StoreMoved``).
MOVED_KEY = "moved_to"
#: Execution option of the migration's own source transaction: the commit that sets the mark.
MOVING_OPTION = "review_moving"


def init_mark(store_id: str, when: str | None = None) -> str:
    """The ``INIT_KEY`` value: when the store was taken (UTC, now unless given) and the review's store id."""
    return f"{when or utcnow().isoformat(timespec='seconds')} store {store_id}"


def read_init_mark(value: str) -> tuple[str, str | None]:
    """``init_mark``'s (when, store id); a mark from before ids were kept is only a date (id None)."""
    when, sep, store_id = value.partition(" store ")
    return when, (store_id.strip() or None) if sep else None

#: PostgreSQL's SQLSTATE for a statement the role has no privilege for (CREATE on the schema, owning a table).
_INSUFFICIENT_PRIVILEGE = "42501"
#: PostgreSQL's SQLSTATE for a CREATE with no schema on the search path the role may use.
_NO_SCHEMA_SELECTED = "3F000"


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL: readers never block the writer; synchronous=NORMAL is still durable per commit in WAL
    # for application crashes (kill -9), which is the guarantee decisions need.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_MS)}")
    cursor.close()


def _advisory_lock_key(key: str) -> int:
    """The PostgreSQL advisory lock number for ``key``: its CRC-32, the same in every process."""
    return zlib.crc32(key.encode("utf-8"))


def _named_lock_key(name: str) -> str:
    """The advisory key of ``Store.lock(conn, name)``, which ``Store.lock_shared`` must share to conflict with it."""
    return f"review-lock:{name}"


def _store_busy(context: Any) -> None:
    """Turn SQLite's "database is locked" or PostgreSQL's lock timeout (another process held the
    lock past ``BUSY_TIMEOUT_MS``: a large import, a dedup run) into ``StoreBusy``: one line, not a traceback."""
    original = context.original_exception
    locked = type(original).__name__ == "OperationalError" and "database is locked" in str(original)
    if locked or getattr(original, "sqlstate", None) == "55P03":  # lock_not_available
        if upgrade := _upgrade_under_way(context.engine):
            raise StoreBusy(f"the store is being upgraded ({upgrade}) by a review that opened it; this change was "
                            "not saved — press the key (or run the command) again when the upgrade has finished")
        raise StoreBusy(
            f"the store is busy: another review window or command has been writing to it for over "
            f"{BUSY_TIMEOUT_MS / 1000:g} s (an import, a dedup run?); this change was not saved — "
            "try again when that has finished") from None


#: PostgreSQL's query_canceled: a statement_timeout, or pg_cancel_backend from another session.
_QUERY_CANCELED = "57014"


def _statement_cancelled(context: Any) -> None:
    """A statement the server cancelled (``StatementCancelled``): one line naming the cause and, for a timeout,
    the setting and how to lift it for review. The driver's error printed the SQL and the rows it carried (an
    import's records) over the terminal, or read 'cannot connect' while the store opened."""
    original = context.original_exception
    if getattr(original, "sqlstate", None) != _QUERY_CANCELED:
        return
    # (the server's message, without the CONTEXT lines that follow it: a foreign key's check names its SQL there)
    diagnosis = getattr(original, "diag", None)
    detail = str(getattr(diagnosis, "message_primary", None) or driver_line(str(original)) or type(original).__name__)
    if "statement timeout" in detail:
        raise StatementCancelled(
            f"the server cancelled a statement ({detail}); nothing of it was saved — the database or your role "
            "has a statement_timeout (a server's administrator sets one), which review's long writes outlast (an "
            "import, a dedup run): lift it for review with options=-c%20statement_timeout%3D0 in the store's URL "
            "(review.toml's database_url, after ?, joined by & to what is there), or ask the administrator to lift "
            "it for this database") from None
    raise StatementCancelled(f"the server cancelled a statement ({detail}); nothing of it was saved — run the "
                             "command again") from None


def _store_lost(context: Any) -> None:
    """Once a store is open, turn a lost PostgreSQL connection (the server restarted, the backend was terminated,
    the network dropped, or a new connection refused) into ``StoreLost``: one ``ReviewError`` for every caller, as
    ``StoreBusy`` is, never a driver's error that one shell names and another does not. (A server that stops
    answering on an open connection raises nothing: the driver waits.) A connection the pool finds dead before use
    (its pre-ping) is not reported: the pool opens a new one."""
    if context.is_pre_ping or context.dialect.name != "postgresql":
        return
    original = context.original_exception
    connect_failed = context.connection is None and type(original).__name__ == "OperationalError"
    if not (context.is_disconnect or connect_failed):
        return
    detail = driver_line(str(original)) or type(original).__name__
    if context.engine is not None:
        detail = passwords_masked(detail, context.engine.url)
    raise StoreLost(f"the connection to the store was lost ({detail}); the change under way, if any, was not "
                    "confirmed — run the command again when the server answers") from None


def _set_upgrading(conn: sa.Connection, note: str | None) -> None:
    """Record (``note``) or clear (None) the upgrade step under way in ``schema_info``."""
    t = schema.schema_info
    conn.execute(t.delete().where(t.c.key == UPGRADING_KEY))
    if note is not None:
        conn.execute(t.insert().values(key=UPGRADING_KEY, value=note))


#: How long one attempt at the write lock waits while opening waits for an upgrade (``_upgrade_transaction``):
#: SQLite's busy handler sleeps in C, where Ctrl-C (and the TUI's quit) cannot get through; between attempts
#: they do (the TUI's quit through ``open_wait_hooks``: Ctrl-C never reaches its worker thread).
UPGRADE_WAIT_SLICE_MS = 250


def _say_waiting(text: str) -> None:
    """Where a store that waits on opening says why (stderr; a front end may replace it, e.g. the TUI's loading
    line)."""
    import sys

    print(f"review: {text}", file=sys.stderr, flush=True)


#: Called with one line when opening the store starts to wait for another process's write lock, and again each
#: ``UPGRADE_NOTICE_EVERY_S`` with the time waited so far.
waiting_notice: Callable[[str], None] = _say_waiting

#: This thread's ``open_wait_hooks`` (a front end opening the store in a worker thread: the TUI).
_wait_hooks = threading.local()


@contextmanager
def open_wait_hooks(notice: Callable[[str], None], cancelled: Callable[[], bool]) -> Iterator[None]:
    """While this block runs in this thread, a store that waits on opening says why through ``notice`` (not
    stderr), and stops waiting (``StoreBusy``, nothing changed) once ``cancelled()`` is true. Ctrl-C never
    reaches a worker thread, so the TUI's quit, which cancels its load worker, gets through this way."""
    before = getattr(_wait_hooks, "hooks", None)
    _wait_hooks.hooks = (notice, cancelled)
    try:
        yield
    finally:
        _wait_hooks.hooks = before


def _wait_notice_and_cancel() -> tuple[Callable[[str], None], Callable[[], bool]]:
    hooks = getattr(_wait_hooks, "hooks", None)
    return hooks if hooks is not None else (waiting_notice, lambda: False)


@contextmanager
def _upgrade_transaction(engine: sa.Engine) -> Iterator[sa.Connection]:
    """A transaction holding the store's write lock for an upgrade step, waiting up to ``UPGRADE_WAIT_MS`` for
    another process's lock (its upgrade step, or a long writer), not the busy timeout. The wait is said at once
    and then each minute with the time waited (``waiting_notice``), and made of short attempts, each in a transaction of its own (a retried statement
    in the same SQLite transaction could keep a stale snapshot), so Ctrl-C gets through between them. Past
    the bound: ``StoreBusy`` naming it."""
    started = time.monotonic()
    deadline = started + UPGRADE_WAIT_MS / 1000
    next_notice = started  # (the first failed attempt says why at once, then once a minute with the time waited)
    notice, cancelled = _wait_notice_and_cancel()
    while True:
        with engine.connect() as conn:
            transaction = conn.begin()
            try:
                attempt_ms = max(1, min(UPGRADE_WAIT_SLICE_MS, int((deadline - time.monotonic()) * 1000)))
                _set_lock_wait(conn, attempt_ms)
                try:
                    _take_write_lock(conn)
                except StoreBusy:
                    transaction.rollback()
                    now = time.monotonic()
                    if now >= deadline:
                        raise StoreBusy(
                            f"gave up after waiting {_duration_words(UPGRADE_WAIT_MS / 1000)} for another review "
                            "window or command to finish with this review's database (this version of review updates "
                            "it before opening it); nothing was changed — try again when that has finished") from None
                    if cancelled():
                        raise StoreBusy("stopped waiting for another review window or command to finish with this "
                                        "review's database; nothing was changed") from None
                    if now >= next_notice:
                        notice(_upgrade_wait_words(_upgrade_step(engine), now - started))
                        next_notice = now + UPGRADE_NOTICE_EVERY_S
                    continue
                # The lock is held: the step's own waits (PostgreSQL's table and advisory locks) get the bound.
                _set_lock_wait(conn, max(1, int((deadline - time.monotonic()) * 1000)))
                yield conn
            except BaseException:
                if transaction.is_active:
                    transaction.rollback()
                raise
            else:
                transaction.commit()
            finally:
                if conn.dialect.name == "sqlite":
                    with contextlib.suppress(Exception):
                        conn.exec_driver_sql(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_MS)}")
            return


def _set_lock_wait(conn: sa.Connection, milliseconds: int) -> None:
    """How long this transaction's next lock waits (PostgreSQL's lock_timeout, SQLite's busy timeout)."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"SET LOCAL lock_timeout = {int(milliseconds)}")
    else:
        conn.exec_driver_sql(f"PRAGMA busy_timeout={int(milliseconds)}")


def _upgrade_step(engine: sa.Engine | None) -> tuple[int, int, int] | None:
    """(step N, of M, to schema version V) while a migration step holds the store (its ``schema_info`` row,
    read on a connection of its own), else None. A row a killed upgrade left is stale once the version it
    upgraded to is in; until then (the next opening runs the step again) it is taken at its word."""
    if engine is None:
        return None
    try:
        t = schema.schema_info
        with engine.connect() as conn:
            rows = dict(conn.execute(sa.select(t.c.key, t.c.value).where(t.c.key.in_(("version", UPGRADING_KEY)))).all())
        note = json.loads(str(rows[UPGRADING_KEY])) if UPGRADING_KEY in rows else None
        if not note or int(str(rows.get("version", 0))) >= int(note["to"]):
            return None
        return int(note["step"]), int(note["steps"]), int(note["to"])
    except Exception:  # noqa: BLE001 - only a better wording is lost; the busy line still stands
        return None


def _upgrade_under_way(engine: sa.Engine | None) -> str:
    """'step N of M: schema version V to V + 1' while a migration step holds the store, else ''."""
    step = _upgrade_step(engine)
    return "" if step is None else f"step {step[0]} of {step[1]}: schema version {step[2] - 1} to {step[2]}"


def _duration_words(seconds: float) -> str:
    """'10 min' from a whole number of minutes, else '20 s' or '1.2 s'."""
    return f"{seconds / 60:g} min" if seconds >= 60 and seconds % 60 == 0 else f"{seconds:g} s"


def _upgrade_wait_words(step: tuple[int, int, int] | None, waited_s: float) -> str:
    """What opening the store says while it waits to update the store (``waiting_notice``), in a researcher's
    words: what is happening, that review goes on by itself, the time waited so far, and how to stop."""
    # (Short: at 80 columns the record browser's loading line has three lines for it, its time and the quit key.)
    what = (f"another review window or command is updating the review's database for a newer version (step {step[0]} "
            f"of {step[1]})" if step is not None else
            "the review's database is busy in another review window or command, and this version of review must "
            "update it")
    return (f"{what}; review goes on by itself when that is done (waited {waited_s:.0f} s so far, gives up after "
            f"{_duration_words(UPGRADE_WAIT_MS / 1000)}; Ctrl-C stops waiting)")


def _moved_to(conn: sa.Connection) -> str | None:
    """Where ``review migrate`` moved this store, or None."""
    t = schema.schema_info
    value = conn.execute(sa.select(t.c.value).where(t.c.key == MOVED_KEY)).scalar()
    return None if value is None else str(value)


_UPGRADE_LOCK = "schema-upgrade"  # ``migrate`` holds it per step; every commit check waits for it (shared)


@functools.cache
def _marks_query() -> sa.Select[Any]:
    """The store's schema version and move mark in one read (``_refuse_commit_if_changed``, before every commit)."""
    t = schema.schema_info
    return sa.select(t.c.key, t.c.value).where(t.c.key.in_(("version", MOVED_KEY)))


def _schema_version(conn: sa.Connection) -> int | None:
    """The store's schema version; None when it has no schema yet."""
    if not sa.inspect(conn).has_table("schema_info"):
        return None
    t = schema.schema_info
    value = conn.execute(sa.select(t.c.value).where(t.c.key == "version")).scalar()
    return int(value) if value is not None else None


def _refuse_commit_if_changed(conn: sa.Connection) -> None:
    """Commit hook: a write that waited for ``review migrate``'s lock and gets it after the copy
    committed would land in the old store, where nobody reads it; it is rolled back instead. So is every
    write of this process once a newer review has upgraded the schema (``NewerStore``): it would leave out
    what that version's writers add (a decision without its change row, read by nobody's open session).

    On PostgreSQL it first waits for a migration step under way (the shared side of ``migrate``'s advisory lock):
    a plain read under READ COMMITTED neither waits for nor sees a step not yet committed, so a decision could
    commit beside a step that never saw it. An advisory lock needs no table privilege (SELECT … FOR KEY SHARE
    needs UPDATE: a reviewer role that may only SELECT and INSERT could not commit). The read is a statement of
    its own after the lock: it takes its snapshot after the wait, and so sees the new version."""
    Store.lock_shared(conn, _UPGRADE_LOCK)
    marks = {str(key): value for key, value in conn.execute(_marks_query())}
    moved_to = marks.get(MOVED_KEY)
    if moved_to is not None and not conn.get_execution_options().get(MOVING_OPTION):
        raise StoreMoved(str(moved_to))
    _refuse_if_newer(marks.get("version"), opened_before=True)


def _note_first_write(conn: sa.Connection, cursor: Any, *_statement: object) -> None:
    """Before each statement outside a transaction (SQLite): the time it starts, so the one that begins a transaction
    (pysqlite begins one at the first write) leaves when the write lock was asked for. From ``begin`` instead, the
    time a transaction read, computed or waited before its first write, holding no lock while others' beats went
    through, was credited to every session (``_beat_held_claims``), and two such transactions overlapping credited
    the same seconds twice, keeping a crashed window live."""
    if not cursor.connection.in_transaction:
        conn.info[_BEGAN] = time.monotonic()


def _beat_held_claims(conn: sa.Connection) -> None:
    """Commit hook (SQLite): a write transaction holding the lock past ``LONG_WRITE_S`` beats for the claims this process holds
    on the store, in the same commit, and the time it held the lock does not count against the other sessions
    (``sessions.carry_over_lock``), so neither a reviewer's own long write (an import, a dedup run) nor another
    process's leaves a live claim stale when it frees the lock. A transaction that only read holds no lock and
    waits for nobody: no beat."""
    began = conn.info.pop(_BEGAN, None)
    if began is None or (locked_for := time.monotonic() - began) < LONG_WRITE_S:
        return
    if not getattr(conn.connection.dbapi_connection, "in_transaction", False):
        return  # (pysqlite begins a transaction at the first write: none began, none wrote)
    if conn.execute(sa.text("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'reviewer_sessions'")
                    ).first() is None:
        return  # (a store being made, or upgraded from before sessions were kept)
    from .sessions import carry_over_lock, held_claims  # (sessions holds the registry: core imports it, never back)

    carry_over_lock(conn, held_claims(conn.engine), locked_for)


def _refuse_if_newer(version: object, *, opened_before: bool = False) -> None:
    """Raise ``NewerStore`` when the store's schema ``version`` is newer than this review's (``opened_before``:
    the store was upgraded while this process had it open)."""
    if version is not None and int(str(version)) > SCHEMA_VERSION:
        raise NewerStore(int(str(version)), opened_before=opened_before)


@dataclass(frozen=True, slots=True)
class Undone:
    """An undo just written (``Store.undo_latest``): the decision it took back, the undo row's id, and the
    reviewer's decision on the same record in force after it (the earlier one an undone correction leaves
    standing; None when there is none), read in the undo's own transaction."""

    decision: Decision
    undo_id: int
    in_force: Decision | None


class Store:
    """Persistence for one workspace. Every public write is one transaction."""

    #: Opened by ``review migrate`` (``Store.open(moved_ok=True)``): commits are not checked for a move.
    moved_ok = False
    #: The hooks of a store opened read-only (``ReadOnlyConnections``), else None.
    read_only: "ReadOnlyConnections | None" = None

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return str(self.engine.dialect.name)

    @classmethod
    def open(cls, url: str, *, create: bool = True, prepare: bool = True, moved_ok: bool = False) -> "Store":
        """Connect to ``url``; with ``prepare`` bring its schema up to date (created when absent and
        ``create``, migrated when older). ``prepare=False`` only connects and changes nothing: for
        looking at a database that may be someone else's.

        A store ``review migrate`` moved away from is refused (``StoreMoved``), and so is every
        commit on it after the move (a process that opened it before); ``moved_ok`` (only for
        ``review migrate`` itself, which reads it to finish or redo a move) lets it open."""
        parsed = engine_url(url)
        file = _sqlite_path(parsed)
        if prepare and not create and file is not None and not file.exists():
            # (before connecting: SQLite would make an empty file, and drop a -wal left beside it)
            raise StoreMissing(str(file), file=True, unsaved=unsaved_side_files(file))
        if prepare and not create and file is not None and file.is_file() and file.stat().st_size == 0:
            # A zero-byte file holds no table; not connected to (WAL mode would write its header into it).
            raise StoreMissing(str(file), file=False)
        if prepare and not create and file is not None and file.is_file() and _sqlite_file_without_store(file):
            # Nor a SQLite file without the review's tables: connecting would switch it to WAL mode.
            raise StoreMissing(str(file), file=False)
        # (not for review migrate, which marks the store it moves away from: refused at that write, after the copy)
        read_only = ReadOnlyConnections(file.resolve()) if prepare and not moved_ok and file is not None \
            and file.is_file() and _opens_read_only(file.resolve()) else None
        kwargs: dict[str, Any] = {"future": True}
        if parsed.get_backend_name() == "postgresql":
            # UTC sessions: timestamps read back equal on both engines. Credentials come from the
            # URL, PGPASSWORD or ~/.pgpass (libpq reads those itself).
            options = " ".join(filter(None, [str(parsed.query.get("options") or ""), "-c timezone=UTC"]))
            # lock_timeout: a claim or decision waiting for a long import's lock gives up after the
            # same bound as SQLite's busy timeout (StoreBusy, exit 7) instead of waiting forever.
            options += f" -c lock_timeout={int(BUSY_TIMEOUT_MS)}"
            kwargs["connect_args"] = {"options": options, "connect_timeout": 10}
            kwargs["pool_pre_ping"] = True
        try:
            engine = sa.create_engine(parsed, **kwargs)
        except (sa.exc.ArgumentError, ImportError) as err:
            raise ReviewError(f"database {safe_url(parsed)}: {err}", title="Database") from err
        if engine.dialect.name == "sqlite":
            sa.event.listen(engine, "connect", _sqlite_pragmas)
            # (PostgreSQL locks rows: a long write holds no heartbeat of another row back)
            sa.event.listen(engine, "before_cursor_execute", _note_first_write)
            sa.event.listen(engine, "commit", _beat_held_claims)
        if read_only is not None:
            read_only.listen(engine)
        sa.event.listen(engine, "handle_error", _store_busy)
        sa.event.listen(engine, "handle_error", _statement_cancelled)
        if engine.dialect.name == "sqlite":
            sa.event.listen(engine, "handle_error", _store_read_only)
        store = cls(engine)
        store.moved_ok = moved_ok
        store.read_only = read_only
        try:
            if prepare:
                try:
                    store._prepare(create=create)
                except ReviewError:
                    engine.dispose()
                    raise
            else:
                with engine.connect():
                    pass  # reach the server now: a wrong address or password is one line here
        except sa.exc.OperationalError as err:
            engine.dispose()
            raise _connect_error(parsed, err) from None
        except sa.exc.InterfaceError as err:
            engine.dispose()
            raise _connect_error(parsed, err) from None
        except sa.exc.DatabaseError as err:
            engine.dispose()
            if file is None or not _not_a_database(err):
                raise
            raise ReviewError(f"{file}: not a review store (not a SQLite database: a copy cut short, or a "
                              "placeholder such as git-lfs's?); nothing was changed — put the real file back",
                              title="Store") from None
        # Open: from now on a lost server or store file is StoreLost (while opening, "cannot connect" above).
        sa.event.listen(engine, "handle_error", _store_lost)
        if prepare and not moved_ok and file is not None and file.is_file():
            on_commit, on_connect = _sqlite_file_check(file.resolve())
            sa.event.listen(engine, "commit", on_commit)
            sa.event.listen(engine, "do_connect", on_connect)
        return store

    # -- schema (every stage's table is on ``metadata``: the package imports them all) -----
    def create(self) -> None:
        """Create the review's tables and record the schema version, in one transaction (PostgreSQL: nothing
        is left of a refused create). A role that may not create tables is one line naming the privilege and
        the owner's command (``_create_refused``)."""
        try:
            with self.engine.begin() as conn:
                metadata.create_all(conn)
                existing = conn.execute(
                    sa.select(schema.schema_info.c.value).where(schema.schema_info.c.key == "version")
                ).scalar()
                if existing is None:
                    conn.execute(schema.schema_info.insert().values(key="version", value=str(SCHEMA_VERSION)))
        except sa.exc.DBAPIError as err:
            if getattr(err.orig, "sqlstate", None) not in (_INSUFFICIENT_PRIVILEGE, _NO_SCHEMA_SELECTED):
                raise
            raise self._create_refused(err) from None
        self._check_commits()

    def _create_refused(self, err: sa.exc.DBAPIError) -> ReviewError:
        """One line for a PostgreSQL role that may not create the review's tables (no CREATE on the schema, as
        PostgreSQL 15 gives only the database's owner): the privilege, and the owner's command that grants it
        (no password: libpq takes the owner's from ~/.pgpass or PGPASSWORD)."""
        with self.engine.connect() as conn:
            role, schema_name, owner = conn.execute(sa.text(
                "SELECT current_user, coalesce(current_schema(), 'public'), "
                "(SELECT r.rolname FROM pg_namespace n JOIN pg_database d ON d.datname = current_database() "
                " JOIN pg_roles r ON r.oid = CASE WHEN n.nspowner = (SELECT oid FROM pg_roles "
                "  WHERE rolname = 'pg_database_owner') THEN d.datdba ELSE n.nspowner END "
                " WHERE n.nspname = coalesce(current_schema(), 'public'))")).one()
        quote = self.engine.dialect.identifier_preparer.quote
        detail = (str(err.orig).strip().splitlines() or [type(err.orig).__name__])[0]
        # (no password, not even masked: '***' would go on, overriding ~/.pgpass; URL.set ignores password=None)
        owner_url = safe_url(without_password(self.engine.url).set(username=str(owner or "OWNER")))
        grant = f"GRANT CREATE ON SCHEMA {quote(schema_name)} TO {quote(role)}"
        return ReviewError(
            f"database {safe_url(self.engine.url)}: role {role!r} may not create the review's tables: it needs "
            f"CREATE on schema {schema_name} ({detail}); nothing was written — the schema's owner can grant it: "
            f"run psql {shlex.quote(owner_url)} -c {shlex.quote(grant)} (a password from ~/.pgpass or PGPASSWORD), "
            "then run the command again", title="Database")

    def _check_commits(self) -> None:
        """From now on (the schema exists) every commit checks the store was neither moved away nor upgraded
        by a newer review. Not for ``review migrate``'s own stores (``moved_ok``): it reads the source under
        its lock and drops the target's tables when a copy is refused."""
        if not self.moved_ok and not sa.event.contains(self.engine, "commit", _refuse_commit_if_changed):
            sa.event.listen(self.engine, "commit", _refuse_commit_if_changed)

    def mark_initialized(self) -> None:
        """Record that ``review init`` finished on this store (``INIT_KEY``): the last step of an init. The mark
        names a new store id, which ``review migrate`` carries to the copy (``store_id``)."""
        t = schema.schema_info
        with self.engine.begin() as conn:
            conn.execute(t.delete().where(t.c.key == INIT_KEY))
            conn.execute(t.insert().values(key=INIT_KEY, value=init_mark(uuid.uuid4().hex)))

    def initialized(self) -> str | None:
        """When ``review init`` finished on this store (``mark_initialized``); None when it did not (an older
        store, a database not yet inited, or an init killed midway)."""
        value = self._init_value()
        return None if value is None else read_init_mark(value)[0]

    def _init_value(self) -> str | None:
        with self.engine.connect() as conn:
            if not sa.inspect(conn).has_table(schema.schema_info.name):
                return None
            t = schema.schema_info
            value = conn.execute(sa.select(t.c.value).where(t.c.key == INIT_KEY)).scalar()
        return None if value is None else str(value)

    def store_id(self) -> str:
        """This review's store id, kept in the ``INIT_KEY`` mark (``review migrate`` copies it to the target, so a
        migration's own earlier copy is told apart from another workspace's store even when both are empty).
        A store marked before ids were kept, or never marked, gets one here (the date kept)."""
        value = self._init_value()
        when, store_id = read_init_mark(value) if value is not None else (None, None)
        if store_id is not None:
            return store_id
        store_id = uuid.uuid4().hex
        t = schema.schema_info
        with self.engine.begin() as conn:
            conn.execute(t.delete().where(t.c.key == INIT_KEY))
            conn.execute(t.insert().values(key=INIT_KEY, value=init_mark(store_id, when)))
        return store_id

    def stop_checking_commits(self) -> None:
        """Undo ``_check_commits``: only for ``review init`` dropping the tables it has just made (the check reads
        ``schema_info``, which the drop removes)."""
        if sa.event.contains(self.engine, "commit", _refuse_commit_if_changed):
            sa.event.remove(self.engine, "commit", _refuse_commit_if_changed)

    def refuse_if_read_only(self) -> None:
        """Refuse now, in the words the first write would be refused in (``StoreReadOnly``), when the store was
        opened read-only and still cannot be written: for a command that reads and computes before its first
        write (``review dedup`` scored every record, ``review import`` parsed its files, then were refused)."""
        if self.read_only is not None and (found := _read_only_place(self.read_only.file)):
            raise StoreReadOnly(found[1], what=found[0])

    def schema_version(self) -> int | None:
        with self.engine.connect() as conn:
            return _schema_version(conn)

    def _prepare(self, *, create: bool) -> None:
        """Bring the schema up to date (``open``): created, migrated or its new tables added; a store
        moved away is refused (``StoreMoved``) unless ``moved_ok``. One connection reads both."""
        with self.engine.connect() as conn:
            version = _schema_version(conn)
            moved_to = _moved_to(conn) if version is not None and not self.moved_ok else None
        if version is None:
            if not create:
                file = _sqlite_path(self.engine.url)  # (a file named as the zero-byte one is, not by its URL)
                raise StoreMissing(str(file) if file is not None else safe_url(self.engine.url), file=False)
            self.create()
            return
        _refuse_if_newer(version)
        if moved_to is not None:
            raise StoreMoved(moved_to)  # (before any migration: a moved store is nobody's to upgrade)
        if self.read_only is not None:
            self._refuse_upgrade_read_only(version)
        try:
            if version < SCHEMA_VERSION:
                self.migrate(version)
            else:
                # New stage tables added without a version bump are created idempotently.
                metadata.create_all(self.engine)
        except sa.exc.DBAPIError as err:
            if getattr(err.orig, "sqlstate", None) != _INSUFFICIENT_PRIVILEGE:
                raise
            raise self._upgrade_refused(err) from None
        self._check_commits()

    def _refuse_upgrade_read_only(self, version: int) -> None:
        """A store opened read-only that this review must upgrade (an older schema version, or a table added
        since without a version bump) before it can read it: one line saying it cannot be read, and what to do,
        before the upgrade's first write is refused as "can be read but not written"."""
        assert self.read_only is not None
        if version < SCHEMA_VERSION:
            until = f"it is upgraded from schema version {version} to {SCHEMA_VERSION}"
        else:
            with self.engine.connect() as conn:
                there = set(sa.inspect(conn).get_table_names())
            missing = [t.name for t in metadata.sorted_tables if t.name not in there]
            if not missing:
                return
            until = (f"the table {missing[0]} is added to it" if len(missing) == 1 else
                     f"the tables {', '.join(missing)} are added to it")
        if found := _read_only_place(self.read_only.file, until=until):
            raise StoreReadOnly(found[1], what=found[0])

    def _upgrade_refused(self, err: sa.exc.DBAPIError) -> ReviewError:
        """One line for a PostgreSQL role that may not change the schema (no CREATE on it, not the tables'
        owner) when this review needs to: what it needs, and the command that does it as the owner role."""
        with self.engine.connect() as conn:
            # The version now, not the one found on opening: the steps may all have run and only adding a
            # table (create_all) been refused.
            version = _schema_version(conn) or 0
            role = conn.execute(sa.select(sa.func.current_user())).scalar()
            owner = conn.execute(sa.text("SELECT tableowner FROM pg_tables WHERE schemaname = current_schema() "
                                         "AND tablename = :name"), {"name": schema.schema_info.name}).scalar()
            inspector = sa.inspect(conn)
            missing = [t.name for t in metadata.sorted_tables if not inspector.has_table(t.name)]
        needs = (f"upgrades the store to schema version {SCHEMA_VERSION} (it is at {version})" if version < SCHEMA_VERSION
                 else f"adds the table{'s' if len(missing) != 1 else ''} {', '.join(missing)} to the store")
        detail = (str(err.orig).strip().splitlines() or [type(err.orig).__name__])[0]
        # (no password, not even masked: '***' would go on, overriding ~/.pgpass; URL.set ignores password=None)
        owner_url = safe_url(without_password(self.engine.url).set(username=str(owner or "OWNER")))
        return ReviewError(
            f"database {safe_url(self.engine.url)}: this review {needs}, and role {role!r} may not ({detail}) — "
            f"open the store once as the role that owns the review's tables, "
            f"REVIEW_DATABASE_URL='{owner_url}' review status (a password from ~/.pgpass or PGPASSWORD), "
            "then run the command again", title="Database")

    def migrate(self, from_version: int) -> None:
        """Apply each migration step in its own transaction, from ``from_version`` up. Each step takes the
        write lock first and runs only if the store is still at its version: another process that opened the
        same old store may have run it while this one waited (up to ``UPGRADE_WAIT_MS``, not the busy timeout:
        a step may rewrite every record). Before each step a row in ``schema_info`` says which step runs, so a
        writer that waits for it past the busy timeout is told the store is being upgraded (``_store_busy``);
        the step's own transaction removes it."""
        steps = SCHEMA_VERSION - from_version
        for version in range(from_version, SCHEMA_VERSION):
            step = MIGRATIONS.get(version)
            if step is None:
                raise ReviewError(f"no migration from store schema version {version}")
            note = json.dumps({"to": version + 1, "step": version - from_version + 1, "steps": steps})
            with _upgrade_transaction(self.engine) as conn:
                if _schema_version(conn) != version:
                    continue  # (run meanwhile by another process)
                _set_upgrading(conn, note)
            try:
                with _upgrade_transaction(self.engine) as conn:
                    _wait_for_writers(conn)
                    self.lock(conn, _UPGRADE_LOCK)  # every other process's commit check waits for this step
                    if _schema_version(conn) != version:
                        continue
                    step(conn)
                    conn.execute(
                        schema.schema_info.update()
                        .where(schema.schema_info.c.key == "version")
                        .values(value=str(version + 1))
                    )
                    _set_upgrading(conn, None)
            except BaseException:
                with contextlib.suppress(Exception), self.engine.begin() as conn:
                    _set_upgrading(conn, None)  # (a step refused or cut short: no writer told of an upgrade)
                raise
        metadata.create_all(self.engine)

    @contextmanager
    def transaction(self) -> Iterator[sa.Connection]:
        """One write transaction: committed when the block ends, rolled back on an error."""
        with self.engine.begin() as conn:
            yield conn

    @contextmanager
    def connect(self) -> Iterator[sa.Connection]:
        """A connection for reading."""
        with self.engine.connect() as conn:
            yield conn

    @contextmanager
    def locked_transaction(self) -> Iterator[sa.Connection]:
        """A transaction that holds the write lock before it reads.

        For check-then-insert: two processes doing it at once run one after the other, so
        the second one's check sees the first one's insert.
        """
        with self.engine.begin() as conn:
            _take_write_lock(conn)
            yield conn

    # -- import batches and records -----------------------------------------------------
    def find_batch(self, file_sha256: str, *, conn: sa.Connection | None = None) -> dict[str, Any] | None:
        if conn is None:
            with self.engine.connect() as own:
                return self.find_batch(file_sha256, conn=own)
        t = schema.import_batches
        row = conn.execute(sa.select(t).where(t.c.file_sha256 == file_sha256)).mappings().first()
        return dict(row) if row else None

    def batches(self) -> list[dict[str, Any]]:
        t = schema.import_batches
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(sa.select(t).order_by(t.c.id)).mappings()]

    def batch_source_counts(self, batch_ids: Collection[int] | None = None) -> dict[int, dict[str, int]]:
        """Per import batch (every one, or ``batch_ids``), how many of its records each source name holds, in
        the order each was first stored: one file may name several databases (a MEDLINE-layout export's
        ``DB`` lines, a CSV's source column)."""
        t = schema.records
        query = (sa.select(t.c.batch_id, t.c.source_name, sa.func.count())
                 .group_by(t.c.batch_id, t.c.source_name).order_by(sa.func.min(t.c.id)))
        if batch_ids is not None:
            query = query.where(t.c.batch_id.in_(sorted(set(batch_ids))))
        counts: dict[int, dict[str, int]] = {}
        with self.engine.connect() as conn:
            for batch_id, source, n in conn.execute(query):
                counts.setdefault(int(batch_id), {})[source] = int(n)
        return counts

    def add_batch(
        self,
        records: Iterable[Record],
        *,
        file_name: str,
        file_sha256: str,
        source_name: str,
        format: str,
        encoding: str,
        search_run_id: int | None = None,
        conn: sa.Connection | None = None,
    ) -> int:
        """Store an import batch and its records atomically; returns the batch id.

        ``records`` may be a generator: it is stored slice by slice, never held whole.
        """
        if conn is None:
            with self.engine.begin() as own:
                return self.add_batch(
                    records, file_name=file_name, file_sha256=file_sha256, source_name=source_name,
                    format=format, encoding=encoding, search_run_id=search_run_id, conn=own,
                )
        batch = self.begin_batch(conn, file_name=file_name, file_sha256=file_sha256, source_name=source_name,
                                 format=format, encoding=encoding, search_run_id=search_run_id)
        batch.add(records)
        return batch.finish()

    def begin_batch(
        self,
        conn: sa.Connection,
        *,
        file_name: str,
        file_sha256: str,
        source_name: str,
        format: str,
        encoding: str,
        search_run_id: int | None = None,
    ) -> BatchWriter:
        """Start an import batch inside ``conn``'s transaction; add its records with the writer.

        The batch row says 0 records until :meth:`BatchWriter.finish`, all in the one
        transaction: a reader never sees a half-stored batch, and an error (a bad record
        late in a file) rolls back every slice already inserted.
        """
        batch_id = inserted_id(conn.execute(
            schema.import_batches.insert().values(
                file_name=file_name, file_sha256=file_sha256, source_name=source_name,
                format=format, encoding=encoding, n_records=0,
                imported_at=utcnow(), search_run_id=search_run_id,
            )
        ))
        return BatchWriter(conn, batch_id, source_name)

    def count_records(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(schema.records)).scalar_one())

    def records(self, ids: Iterable[int] | None = None) -> list[Record]:
        t = schema.records
        query = sa.select(t).order_by(t.c.id)
        if ids is not None:
            query = query.where(t.c.id.in_(list(ids)))
        with self.engine.connect() as conn:
            return [_row_record(row) for row in conn.execute(query).mappings()]

    def record(self, record_id: int) -> Record:
        found = self.records([record_id])
        if not found:
            raise UnknownRecord(record_id)
        return found[0]

    def counts_by_source(self) -> dict[str, int]:
        t = schema.records
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(t.c.source_name, sa.func.count()).group_by(t.c.source_name))
            return {name: int(n) for name, n in rows}

    def data_version(self) -> tuple[int, ...]:
        """A stamp of what the stages recorded, read in one query: the highest row id and the number of
        rows of every table that has ids, plus what a table lists in ``info["changes_in_place"]`` for the
        rows it updates (a search run's status and end). Decisions and their undos, removals and
        restores, pair verdicts, full-text events and imports are appended rows, so a screen can tell
        cheaply whether what it counted may have changed. The count: PostgreSQL does not serialise two
        reviewers' inserts, so a lower id can commit after a higher one is seen and leave the highest
        where it was. Rows kept up to date in place for no one to count (a session's heartbeat, the
        saved queue) do not move it."""
        with self.engine.connect() as conn:
            return tuple(int(value or 0) for value in conn.execute(_data_version_query()).one())

    # -- screening decisions (append-only) ----------------------------------------------
    def add_decision(
        self,
        record_id: int,
        reviewer: str,
        label: str,
        *,
        stage: str = "title_abstract",
        reasons: Sequence[str] = (),
        note: str = "",
        model_rank: int | None = None,
        model_info: dict[str, Any] | None = None,
        blind: bool | None = None,
        if_undecided: bool = False,
        if_in_force: int | None = None,
        session_token: str | None = None,
        check: Callable[[sa.Connection], None] | None = None,
    ) -> Decision:
        """Append one decision in its own transaction; it is durable when this returns.

        ``blind``: the TUI's blind mode at the decision (None: not known), written in the same insert.
        ``if_undecided``: refuse (``DecisionConflict``) when the reviewer already has an effective
        decision on the record, e.g. from a second session of the same reviewer on another
        machine. ``if_in_force`` (a correction): refuse likewise unless the reviewer's decision in force on the
        record is the one with this id, so a correction never overwrites a decision the caller has not seen.
        The check and the insert run under a per-reviewer lock, so two sessions never
        both pass it. ``session_token`` (an interactive window's claim, ``store.sessions``): the
        write happens only while that claim still holds the reviewer, checked under the same lock.
        ``check`` (the caller's rule, e.g. the record was removed before screening meanwhile) reads in
        the same transaction, after those checks and before the insert: what it raises refuses the
        decision, nothing written. Nothing it read may change before the insert: on SQLite it runs under
        the write lock (taken first); PostgreSQL reads what is committed at each statement, so the check
        takes the lock the writers of what it reads conflict with (``fulltext.removal_reason`` does).
        """
        if label not in SCREENING_LABELS:
            raise ReviewError(f"label {label!r}: expected one of {', '.join(SCREENING_LABELS)}")
        values = dict(
            record_id=record_id, reviewer=reviewer, stage=stage, label=label,
            reasons=list(reasons), note=note, created_at=utcnow(), model_rank=model_rank,
            model_info=model_info or {}, undoes_id=None, blind=blind,
        )
        with self.engine.begin() as conn:
            expects = if_undecided or if_in_force is not None
            self._lock_reviewer(conn, reviewer)  # (also numbers the change: ``_count_change``)
            if session_token is not None:
                from .sessions import check_claim

                check_claim(conn, reviewer, session_token)
            if expects:
                in_force = _effective_decision(conn, record_id, reviewer, stage)
                if in_force != (None if if_undecided else if_in_force):
                    raise DecisionConflict(
                        f"record {record_id}: already decided by {reviewer} (in another session)"
                        if if_undecided else f"record {record_id}: {reviewer}'s decision changed (in another session)",
                        record_id=record_id)
            if check is not None:
                check(conn)
            new_id = inserted_id(conn.execute(schema.screening_decisions.insert().values(**values)))
            _count_change(conn, reviewer, stage)
        return _decision(dict(values, id=new_id))

    def _lock_reviewer(self, conn: sa.Connection, reviewer: str) -> None:
        """Serialise this reviewer's check-then-insert across processes and machines.

        PostgreSQL: a transaction-scoped advisory lock per reviewer (other reviewers never wait).
        SQLite has one writer at a time anyway: take its write lock before the check.
        """
        self._advisory_lock(conn, f"review-decide:{reviewer}")

    def lock(self, conn: sa.Connection, name: str) -> None:
        """Serialise this transaction against every other one that locks ``name`` (until commit).

        For a read-modify-write of derived rows (dedup's clusters from its pair log): PostgreSQL
        reads committed rows per statement, so two such transactions at once would each rebuild
        from a log without the other's row. PostgreSQL: an advisory lock per name; SQLite: its write lock.
        """
        self._advisory_lock(conn, _named_lock_key(name))

    def _advisory_lock(self, conn: sa.Connection, key: str) -> None:
        """PostgreSQL: a transaction-scoped advisory lock on ``key`` (only holders of the same key
        wait); SQLite, one writer at a time anyway: its write lock."""
        if self.dialect == "postgresql":
            conn.execute(sa.select(sa.func.pg_advisory_xact_lock(_advisory_lock_key(key))))
        else:
            _take_write_lock(conn)

    @staticmethod
    def lock_shared(conn: sa.Connection, name: str) -> None:
        """PostgreSQL: a transaction-scoped shared advisory lock on ``name``: it waits only for a
        transaction holding ``lock(conn, name)`` and makes one that asks for that later wait for this
        transaction; shared holders never wait for each other. Needs no table privilege (a role that may
        only SELECT and INSERT takes it). SQLite: nothing (a caller that reads to decide a write holds the
        write lock already)."""
        if conn.dialect.name == "postgresql":
            conn.execute(sa.select(sa.func.pg_advisory_xact_lock_shared(_advisory_lock_key(_named_lock_key(name)))))

    def undo_last(self, reviewer: str, *, stage: str = "title_abstract",
                  session_token: str | None = None) -> Decision | None:
        """Undo the reviewer's most recent effective decision; returns the undone one."""
        undone = self.undo_latest(reviewer, stage=stage, session_token=session_token)
        return None if undone is None else undone.decision

    def undo_latest(self, reviewer: str, *, stage: str = "title_abstract",
                    session_token: str | None = None, record_id: int | None = None, note: str = "",
                    model_info: dict[str, Any] | None = None, only_id: int | None = None) -> Undone | None:
        """``undo_last``, and what a caller keeping the decisions in force needs to follow it without reading
        them all again: the undo row's id and the decision on the record in force after it, read in the
        undo's transaction (a read that fails leaves nothing undone; one after the commit could fail with
        the undo in). ``record_id``: the reviewer's latest decision on that record (a conflict's resolution
        taken back); ``note`` and ``model_info``: kept on the undo row (who took it back); ``only_id``: only while
        that decision is the one to take back (None, nothing undone, once another took its place or it was undone)."""
        with self.engine.begin() as conn:
            self._lock_reviewer(conn, reviewer)  # (also numbers the change: ``_count_change``)
            if session_token is not None:
                from .sessions import check_claim

                check_claim(conn, reviewer, session_token)
            target = _latest_effective(conn, reviewer, stage, record_id)
            if target is None or (only_id is not None and target["id"] != only_id):
                return None
            undo_id = inserted_id(conn.execute(
                schema.screening_decisions.insert().values(
                    record_id=target["record_id"], reviewer=reviewer, stage=stage, label="undo",
                    reasons=[], note=note, created_at=utcnow(), model_rank=None, model_info=model_info or {},
                    undoes_id=target["id"],
                )
            ))
            in_force = _latest_effective(conn, reviewer, stage, target["record_id"])
            _count_change(conn, reviewer, stage)
        return Undone(_decision(target), undo_id, None if in_force is None else _decision(in_force))

    def decision_changes(self, reviewer: str, *, stage: str = "title_abstract") -> int:
        """How many times ``reviewer``'s decisions at ``stage`` have changed (decisions and undos written since the
        store had the count): a session compares it with the number it read with the decisions, to tell before
        serving whether anyone else changed them. One primary-key read (the highest change number)."""
        with self.engine.connect() as conn:
            return int(conn.execute(_changes_query(), {"reviewer": reviewer, "stage": stage}).scalar() or 0)

    def decisions(self, *, reviewer: str | None = None, stage: str | None = "title_abstract") -> list[Decision]:
        """Every row of the log in order, undos included."""
        t = schema.screening_decisions
        query = sa.select(t).order_by(t.c.id)
        if reviewer is not None:
            query = query.where(t.c.reviewer == reviewer)
        if stage is not None:
            query = query.where(t.c.stage == stage)
        with self.engine.connect() as conn:
            return [_decision(dict(r)) for r in conn.execute(query).mappings()]

    def decision_labels(self, *, stage: str = "title_abstract", info_of: Collection[str] = ()) -> list[LabelLogRow]:
        """Every row of the log at ``stage`` in order, undos included, with only the columns the label counts
        read; ``model_info`` only of the reviewers in ``info_of`` (empty for the others). ``decisions`` decodes
        two JSON values per row, most of the time taken at 40,000 rows."""
        t = schema.screening_decisions
        info = sa.case((t.c.reviewer.in_(tuple(info_of)), t.c.model_info), else_=sa.null()) if info_of \
            else sa.null()
        query = label_log_query(stage, info)
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()  # (one fetch: iterating the result fetches row by row)
        return [LabelLogRow(row[0], row[1], row[2], row[3], row[4], row[5] or _NO_INFO) for row in rows]

    def decision(self, decision_id: int) -> Decision | None:
        """One row of the log by its id (None: no such row). One primary-key read."""
        t = schema.screening_decisions
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(t).where(t.c.id == decision_id)).mappings().first()
        return None if row is None else _decision(dict(row))

    def current_decisions(
        self, *, reviewer: str | None = None, stage: str = "title_abstract"
    ) -> dict[tuple[int, str], Decision]:
        """The effective decision per (record, reviewer): the latest one not undone."""
        return effective_decisions(self.decisions(reviewer=reviewer, stage=stage))


#: The ``model_info`` of a ``LabelLogRow`` not read (one shared, read-only: not a dict per row).
_NO_INFO: Mapping[str, Any] = MappingProxyType({})


@functools.cache
def _data_version_query() -> sa.Select[Any]:
    """``Store.data_version``'s query, built once: building it took longer than SQLite took to answer it."""
    terms: list[sa.Select[Any]] = []
    for table in metadata.sorted_tables:
        if "id" in table.c:
            # count(*), not count(id): SQLite answers it from the smallest index's page counts (0.02 ms for
            # 50,000 rows, count(id) reads every entry: 1.1 ms).
            terms += (sa.select(sa.func.max(table.c.id)), sa.select(sa.func.count()).select_from(table))
        terms.extend(sa.select(term) for term in table.info.get("changes_in_place", ()))
    return sa.select(*(term.scalar_subquery() for term in terms))


@functools.cache
def _changes_query() -> sa.Select[Any]:
    """``Store.decision_changes``'s statement, built once (it runs before every record a session serves)."""
    t = schema.decision_changes
    return sa.select(sa.func.max(t.c.n)).where(t.c.reviewer == sa.bindparam("reviewer", type_=sa.Text),
                                               t.c.stage == sa.bindparam("stage", type_=sa.String))


@functools.cache
def _count_change_statement() -> sa.Insert:
    """``_count_change``'s one statement: the next number read and inserted together (one round trip less per
    decision than a read, then an insert), built once."""
    t = schema.decision_changes
    reviewer = sa.bindparam("reviewer", type_=sa.Text)
    stage = sa.bindparam("stage", type_=sa.String)
    following = sa.select(reviewer, stage, sa.func.coalesce(sa.func.max(t.c.n), 0) + 1).where(
        t.c.reviewer == reviewer, t.c.stage == stage)
    return t.insert().from_select(["reviewer", "stage", "n"], following)


def _count_change(conn: sa.Connection, reviewer: str, stage: str) -> None:
    """Number a change of ``reviewer``'s decisions at ``stage`` in its own transaction (``Store.decision_changes``);
    the caller holds the per-reviewer lock, so no two changes take one number."""
    conn.execute(_count_change_statement(), {"reviewer": reviewer, "stage": stage})


def inserted_id(result: sa.CursorResult[Any]) -> int:
    """The primary key of the one row an INSERT made."""
    key = result.inserted_primary_key
    if key is None:  # (only for statements that insert no row)
        raise ReviewError("the store inserted no row")
    return int(key[0])


def _take_write_lock(conn: sa.Connection) -> None:
    """Serialise this transaction against other writers before it reads.

    A no-op UPDATE is portable: SQLite (deferred BEGIN) takes its RESERVED lock here and
    PostgreSQL locks the row, so a check-then-insert that follows cannot race another one.
    """
    t = schema.schema_info
    conn.execute(sa.update(t).where(t.c.key == "version").values(value=t.c.value))


def _wait_for_writers(conn: sa.Connection) -> None:
    """PostgreSQL: before a migration step takes the upgrade lock, lock the store's tables against writes (SHARE
    ROW EXCLUSIVE) until it commits. A writer under way finishes first (its commit check does not wait yet);
    later ones wait at their first write. Without it a step altering a table a writer had written to waited for
    that writer, whose commit check waited for the step: a deadlock. SQLite: its write lock already serialises."""
    if conn.dialect.name != "postgresql":
        return
    existing = set(sa.inspect(conn).get_table_names())
    names = [conn.dialect.identifier_preparer.quote(t.name) for t in metadata.sorted_tables if t.name in existing]
    if names:
        conn.exec_driver_sql(f"LOCK TABLE {', '.join(names)} IN SHARE ROW EXCLUSIVE MODE")


def _effective_decision(conn: sa.Connection, record_id: int, reviewer: str, stage: str) -> int | None:
    """The id of the reviewer's effective (not undone) decision on the record, if any."""
    row = _latest_effective(conn, reviewer, stage, record_id)
    return None if row is None else int(row["id"])


def _latest_effective(conn: sa.Connection, reviewer: str, stage: str,
                      record_id: int | None = None) -> dict[str, Any] | None:
    """The reviewer's latest decision at ``stage`` that is neither undone nor an undo, as a row (None: none);
    with ``record_id``, on that record: what a correction must still find and what an undo by record takes back.
    The undo rows looked at are the record's own: an undo row carries the record of the decision it undoes."""
    t = schema.screening_decisions
    if record_id is not None:
        # The record's rows by its index, the reviewer's and stage's picked here: with the reviewer in the WHERE
        # clause SQLite searched the reviewer's index, every decision of theirs (7-11 ms a decision in the TUI at
        # 13,600, where the record's few rows take 0.2-0.6 ms).
        rows = conn.execute(
            sa.select(t).where(t.c.record_id == record_id, in_effect(t, "label", t.c.record_id == record_id))
            .order_by(t.c.id.desc())
        ).mappings()
        return next((dict(r) for r in rows if r["reviewer"] == reviewer and r["stage"] == stage), None)
    row = conn.execute(
        sa.select(t)
        .where(t.c.reviewer == reviewer, t.c.stage == stage, in_effect(t, "label"))
        .order_by(t.c.id.desc())
        .limit(1)
    ).mappings().first()
    return dict(row) if row else None


def _row_record(row: Any) -> Record:
    values = {name: row[name] for name in BIB_FIELDS}
    return Record(
        **values,
        external_id=row["external_id"],
        source=row["source_name"],
        position=row["position"],
        raw=row["raw"],
        extra=dict(row["extra"] or {}),
        id=row["id"],
    )


def _decision(row: dict[str, Any]) -> Decision:
    return Decision(
        id=int(row["id"]),
        record_id=int(row["record_id"]),
        reviewer=row["reviewer"],
        label=row["label"],
        stage=row["stage"],
        reasons=tuple(row["reasons"] or ()),
        note=row["note"] or "",
        created_at=row["created_at"],
        model_rank=row["model_rank"],
        model_info=dict(row["model_info"] or {}),
        undoes_id=row["undoes_id"],
        blind=None if row.get("blind") is None else bool(row["blind"]),
    )
