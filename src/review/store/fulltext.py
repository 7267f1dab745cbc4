"""Full-text stage and screening-stop tables, and the queries over them.

Everything here is append-only: a correction is a new row (``undoes_id`` points at the row it
reverses, a re-link supersedes the earlier link), so the PRISMA flow can always be rebuilt from
what was recorded and when.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from ..errors import ReviewError, UnknownRecord
from . import schema
from .core import Store, inserted_id, utcnow
from .decision_log import effective_decisions, in_effect, label_log_query
from .in_lists import in_list_slices, rows_among
from .schema import UtcDateTime, metadata

__all__ = [
    "append_links",
    "FULLTEXT_EVENTS", "FulltextEvent", "ReportLink", "ScreeningStop",
    "add_fulltext_event", "undo_last_fulltext_event", "fulltext_events", "current_fulltext_events",
    "reports_fulltext_events", "stored_exclusion_reasons",
    "unlink_report", "report_links",
    "record_screening_stop", "withdraw_screening_stop", "screening_stops", "current_screening_stop", "StopStands",
    "record_sources", "current_screening_labels",
    "remove_records", "restore_records", "current_removals", "removal_reason",
]

#: What can be recorded about a report at full text; retrieval facts first, then judgements.
FULLTEXT_EVENTS: tuple[str, ...] = ("sought", "retrieved", "not_retrieved", "eligible", "excluded")
RETRIEVAL_EVENTS: frozenset[str] = frozenset({"sought", "retrieved", "not_retrieved"})
ELIGIBILITY_EVENTS: frozenset[str] = frozenset({"eligible", "excluded"})

fulltext_events_table = sa.Table(
    "fulltext_events",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("record_id", sa.Integer, sa.ForeignKey("records.id"), nullable=False, index=True),
    sa.Column("reviewer", sa.Text, nullable=False),
    # sought | retrieved | not_retrieved | eligible | excluded | undo
    sa.Column("event", sa.String(16), nullable=False),
    sa.Column("reason", sa.Text, nullable=False, default=""),
    sa.Column("note", sa.Text, nullable=False, default=""),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("undoes_id", sa.Integer, sa.ForeignKey("fulltext_events.id"), nullable=True),
)

report_links_table = sa.Table(
    "fulltext_links",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("report_id", sa.Integer, sa.ForeignKey("records.id"), nullable=False, index=True),
    # The record standing for the study; NULL means "this report is its own study again".
    sa.Column("study_id", sa.Integer, sa.ForeignKey("records.id"), nullable=True),
    sa.Column("reviewer", sa.Text, nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False),
)

screening_stops_table = sa.Table(
    "screening_stops",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("reviewer", sa.Text, nullable=False),
    sa.Column("explanation", sa.Text, nullable=False),
    # The stopping rule's verdict as it stood (rule, parameters, estimate), when one was given.
    sa.Column("verdict", sa.JSON, nullable=False),
    # Records up to this id existed when screening stopped; later imports still need screening.
    sa.Column("last_record_id", sa.Integer, nullable=True),
    sa.Column("n_unscreened", sa.Integer, nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("undoes_id", sa.Integer, sa.ForeignKey("screening_stops.id"), nullable=True),
)


record_removals_table = sa.Table(
    "record_removals",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("record_id", sa.Integer, sa.ForeignKey("records.id"), nullable=False, index=True),
    sa.Column("reviewer", sa.Text, nullable=False),
    # Why it was removed before screening (e.g. "retracted", "published before 2000").
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("undoes_id", sa.Integer, sa.ForeignKey("record_removals.id"), nullable=True),
)


@dataclass(slots=True, frozen=True)
class FulltextEvent:
    """One row of the full-text log."""

    id: int
    record_id: int
    reviewer: str
    event: str
    reason: str = ""
    note: str = ""
    created_at: datetime | None = None
    undoes_id: int | None = None


@dataclass(slots=True, frozen=True)
class ReportLink:
    """The current study of one report (``study_id`` None: its own study)."""

    report_id: int
    study_id: int | None
    reviewer: str
    created_at: datetime | None = None


@dataclass(slots=True, frozen=True)
class ScreeningStop:
    """The recorded act of stopping title/abstract screening by a stopping rule."""

    id: int
    reviewer: str
    explanation: str
    verdict: dict[str, Any]
    last_record_id: int | None
    n_unscreened: int
    created_at: datetime | None = None
    undoes_id: int | None = None


# -- full-text events ----------------------------------------------------------------------
#: ``check(events)``: called inside the write with the report's effective events, in order; raising
#: refuses the write (the caller's stage rule: the store keeps none).
EventsCheck = Callable[[list[FulltextEvent]], None]


def add_fulltext_event(
    store: Store, record_id: int, reviewer: str, event: str, *, reason: str = "", note: str = "",
    check: EventsCheck | None = None,
) -> FulltextEvent:
    """Append one full-text event in its own transaction (after ``check`` on the report's events, read in it)."""
    if event not in FULLTEXT_EVENTS:
        raise ReviewError(f"full-text event {event!r}: expected one of {', '.join(FULLTEXT_EVENTS)}")
    values: dict[str, Any] = dict(record_id=record_id, reviewer=reviewer, event=event, reason=reason, note=note,
                                  created_at=utcnow(), undoes_id=None)
    with store.transaction() as conn:
        _require_record(conn, record_id)
        if check is not None:
            check(_report_events_locked(store, conn, record_id))
        new_id = inserted_id(conn.execute(fulltext_events_table.insert().values(**values)))
    return FulltextEvent(id=int(new_id), **values)


def undo_last_fulltext_event(
    store: Store, reviewer: str, check: Callable[[FulltextEvent, list[FulltextEvent]], None] | None = None,
    record_id: int | None = None,
) -> FulltextEvent | None:
    """Reverse the reviewer's latest effective full-text event (on ``record_id`` when given); returns the undone
    one. ``check(undone, events)`` is called inside the write with the report's effective events; raising
    refuses the undo."""
    t = fulltext_events_table
    mine = [t.c.reviewer == reviewer, in_effect(t, "event")]
    if record_id is not None:
        mine.append(t.c.record_id == record_id)
    with store.transaction() as conn:
        row = conn.execute(
            sa.select(t).where(*mine).order_by(t.c.id.desc()).limit(1)
        ).mappings().first()
        if row is None:
            return None
        if check is not None:
            check(_event(dict(row)), _report_events_locked(store, conn, int(row["record_id"])))
        conn.execute(t.insert().values(
            record_id=row["record_id"], reviewer=reviewer, event="undo", reason="", note="",
            created_at=utcnow(), undoes_id=row["id"],
        ))
    return _event(dict(row))


def fulltext_events(store: Store) -> list[FulltextEvent]:
    """Every row of the full-text log in order, undos included."""
    t = fulltext_events_table
    with store.connect() as conn:
        return [_event(dict(r)) for r in conn.execute(sa.select(t).order_by(t.c.id)).mappings()]


def stored_exclusion_reasons(store: Store) -> list[str]:
    """Every distinct reason a full-text exclusion was ever recorded with (undone ones too), in first-use order."""
    t = fulltext_events_table
    with store.connect() as conn:
        rows = conn.execute(sa.select(t.c.reason).where(t.c.event == "excluded", t.c.reason != "")
                            .group_by(t.c.reason).order_by(sa.func.min(t.c.id)))
        return [str(reason) for (reason,) in rows]


def current_fulltext_events(store: Store) -> list[FulltextEvent]:
    """The log without undo rows and without the rows they undid, in order."""
    return _in_force(fulltext_events(store))


def reports_fulltext_events(store: Store, record_ids: Collection[int]) -> dict[int, list[FulltextEvent]]:
    """The effective events of each of ``record_ids`` (every id a key, in order), reading only their rows:
    an undo row carries the record of the row it undoes."""
    t = fulltext_events_table
    ids = sorted(set(record_ids))
    log: list[FulltextEvent] = []
    with store.connect() as conn:
        for id_slice in in_list_slices(ids):
            log.extend(_event(dict(r)) for r in conn.execute(
                sa.select(t).where(t.c.record_id.in_(id_slice))).mappings())
    by_report: dict[int, list[FulltextEvent]] = {record_id: [] for record_id in record_ids}
    for event in _in_force(sorted(log, key=lambda e: e.id)):
        by_report[event.record_id].append(event)
    return by_report


def _in_force(log: list[FulltextEvent]) -> list[FulltextEvent]:
    """``log`` (in order, with the undo rows of its records) without undo rows and the rows they undid."""
    undone = {e.undoes_id for e in log if e.event == "undo"}
    return [e for e in log if e.event != "undo" and e.id not in undone]


def _report_events_locked(store: Store, conn: sa.Connection, record_id: int) -> list[FulltextEvent]:
    """The report's effective events as ``conn`` reads them, after a lock on the report's full-text log that
    every checked write takes (PostgreSQL: an advisory lock per report; SQLite: its write lock), so no
    other checked write to the report commits between this read and the caller's insert."""
    store.lock(conn, f"fulltext-report:{record_id}")
    t = fulltext_events_table
    return _in_force([_event(dict(r)) for r in conn.execute(
        sa.select(t).where(t.c.record_id == record_id).order_by(t.c.id)).mappings()])


# -- reports linked to studies ---------------------------------------------------------------
def unlink_report(store: Store, report_id: int, reviewer: str) -> ReportLink:
    """Make ``report_id`` its own study again (appends; the earlier link stays in the log)."""
    return append_links(store, [(report_id, None)], reviewer)[0]


def append_links(store: Store, links: Sequence[tuple[int, int | None]], reviewer: str) -> list[ReportLink]:
    """Append (report, study) links as one act in one transaction: a crash or error part-way
    keeps none of them. A study of None, or the report itself, makes the report its own study."""
    now = utcnow()
    made = [ReportLink(report_id=report_id, study_id=None if study_id == report_id else study_id,
                       reviewer=reviewer, created_at=now) for report_id, study_id in links]
    with store.transaction() as conn:
        for link in made:
            _require_record(conn, link.report_id)
            if link.study_id is not None:
                _require_record(conn, link.study_id)
            conn.execute(report_links_table.insert().values(
                report_id=link.report_id, study_id=link.study_id, reviewer=reviewer, created_at=now))
    return made


def report_links(store: Store) -> dict[int, ReportLink]:
    """The latest link per report (reports never linked are absent)."""
    t = report_links_table
    with store.connect() as conn:
        rows = conn.execute(sa.select(t).order_by(t.c.id)).mappings().all()
    return {
        int(r["report_id"]): ReportLink(
            report_id=int(r["report_id"]), study_id=r["study_id"], reviewer=r["reviewer"],
            created_at=r["created_at"],
        )
        for r in rows
    }


# -- screening stops -------------------------------------------------------------------------
#: The lock name a stop and a withdrawal take: each reads the stop in force and writes in one turn.
_STOPS_LOCK = "screening-stops"


class StopStands(ReviewError):
    """A screening stop stands already: nothing was recorded. Stops stacked on each other need as many
    withdrawals, and after one the earlier stop is back in force while the team thinks screening goes on."""

    def __init__(self, standing: ScreeningStop) -> None:
        super().__init__(f"screening stop {standing.id} (by {standing.reviewer}) stands already: nothing recorded")
        self.standing = standing


def record_screening_stop(
    store: Store, reviewer: str, explanation: str, *, n_unscreened: int, verdict: Any = None
) -> ScreeningStop:
    """Record that title/abstract screening stopped; the unscreened remainder becomes
    "records marked as ineligible by automation tools" in the PRISMA flow.

    ``verdict`` is the stopping rule's verdict as it stood: a mapping, or an object with
    ``as_dict()`` (the screening stage's ``StoppingStatus``) or a dataclass. The stop covers the
    records that exist now (``last_record_id``); records imported later (a search update)
    still need screening. ``n_unscreened`` is the count the caller reports: the PRISMA box, which
    leaves out duplicates and removed records (the store cannot count it: that is the PRISMA stage's).
    The explanation is stored as given: that a stop needs one is the stage's rule (``services.prisma``).
    A stop that stands already is refused (``StopStands``), read under the stops' lock in the same transaction:
    two stops at once (each checked before the other was written) were both stored.
    """
    verdict = _plain(verdict)
    r = schema.records
    with store.transaction() as conn:
        store.lock(conn, _STOPS_LOCK)
        standing = _current_stop(conn)
        if standing is not None:
            raise StopStands(standing)
        last = conn.execute(sa.select(sa.func.max(r.c.id))).scalar()
        values: dict[str, Any] = dict(reviewer=reviewer, explanation=explanation, verdict=dict(verdict or {}),
                      last_record_id=last, n_unscreened=int(n_unscreened), created_at=utcnow(),
                      undoes_id=None)
        new_id = inserted_id(conn.execute(screening_stops_table.insert().values(**values)))
    return ScreeningStop(id=int(new_id), **values)


def withdraw_screening_stop(store: Store, reviewer: str, explanation: str = "withdrawn") -> ScreeningStop | None:
    """Withdraw the current stop (screening resumed); returns the withdrawn stop. The stop is read under the
    stops' lock in the withdrawal's transaction: two at once withdraw it once (the second finds none)."""
    with store.transaction() as conn:
        store.lock(conn, _STOPS_LOCK)
        current = _current_stop(conn)
        if current is None:
            return None
        conn.execute(screening_stops_table.insert().values(
            reviewer=reviewer, explanation=explanation, verdict={}, last_record_id=None,
            n_unscreened=0, created_at=utcnow(), undoes_id=current.id,
        ))
    return current


def screening_stops(store: Store) -> list[ScreeningStop]:
    """Every stop and withdrawal, in order."""
    with store.connect() as conn:
        return _stops(conn)


def _stops(conn: sa.Connection) -> list[ScreeningStop]:
    t = screening_stops_table
    rows = conn.execute(sa.select(t).order_by(t.c.id)).mappings().all()
    return [_stop(dict(r)) for r in rows]


def current_screening_stop(store: Store) -> ScreeningStop | None:
    """The latest stop that has not been withdrawn, if any."""
    with store.connect() as conn:
        return _current_stop(conn)


def _current_stop(conn: sa.Connection) -> ScreeningStop | None:
    """``current_screening_stop`` read with ``conn`` (inside a writer's transaction, under the stops' lock)."""
    log = _stops(conn)
    withdrawn = {s.undoes_id for s in log if s.undoes_id is not None}
    effective = [s for s in log if s.undoes_id is None and s.id not in withdrawn]
    return effective[-1] if effective else None


# -- records removed before screening for other reasons ------------------------------------
#: The lock name removals and restores take exclusively and a decision's removal check shares.
_REMOVALS_LOCK = "record-removals"


def remove_records(store: Store, record_ids: list[int], reviewer: str, reason: str) -> int:
    """Record that these records were removed before screening (PRISMA: "removed for other
    reasons"), as one act in one transaction; returns how many were newly removed. The reason is
    stored as given: that a removal needs one is the stage's rule (``services.prisma``)."""
    now = utcnow()
    with store.transaction() as conn:
        store.lock(conn, _REMOVALS_LOCK)  # before the read: a decision's check never sees half of this
        current = _effective_removals_in(conn)
        fresh = [r for r in dict.fromkeys(record_ids) if r not in current]
        for record_id in fresh:
            _require_record(conn, record_id)
        if fresh:
            conn.execute(record_removals_table.insert(), [
                dict(record_id=r, reviewer=reviewer, reason=reason, created_at=now, undoes_id=None)
                for r in fresh
            ])
    return len(fresh)


def restore_records(store: Store, record_ids: list[int], reviewer: str) -> int:
    """Undo the removal of these records (appends undo rows); returns how many were restored.

    Every removal row in force on a record is undone, not only the newest: a second one (written by
    hand, or by two removals at once before ``remove_records`` read under its lock) would otherwise keep
    the record removed after a restore that said it was put back."""
    t = record_removals_table
    wanted = set(record_ids)
    with store.transaction() as conn:
        store.lock(conn, _REMOVALS_LOCK)
        targets = [row for row in _removals_in_force(_removal_log(conn)) if row["record_id"] in wanted]
        if targets:
            conn.execute(t.insert(), [
                dict(record_id=row["record_id"], reviewer=reviewer, reason="undo", created_at=utcnow(),
                     undoes_id=row["id"])
                for row in targets
            ])
    return len({row["record_id"] for row in targets})


def current_removals(store: Store) -> dict[int, str]:
    """Reason per record currently removed before screening."""
    with store.connect() as conn:
        effective = _effective_removals_in(conn)
    return {record_id: row["reason"] for record_id, row in effective.items()}


def _effective_removals_in(conn: sa.Connection) -> dict[int, Any]:
    """The removal row in force per record, as ``conn`` reads the log now (``_effective_removals``)."""
    return _effective_removals(_removal_log(conn))


def _removal_log(conn: sa.Connection) -> Sequence[sa.RowMapping]:
    """Every row of the removals' log (removals and their undo rows), in id order."""
    t = record_removals_table
    return conn.execute(sa.select(t).order_by(t.c.id)).mappings().all()


def removal_reason(conn: sa.Connection, record_id: int) -> str | None:
    """Why ``record_id`` is removed before screening as ``conn``'s transaction reads it now (None: it is
    not): one indexed read, for a check inside another write (``Store.add_decision``'s ``check``).

    The answer holds until that transaction ends. PostgreSQL: a shared advisory lock on the removals
    first (``Store.lock_shared``; no table privilege needed, so an append-only reviewer role takes it), so
    a removal or restore under way (``Store.lock``, exclusive) is waited for and one that starts later
    waits for this transaction. Shared locks do not conflict: deciding sessions do not wait for each
    other here, except behind a removal or restore that is waiting for one of them (PostgreSQL queues a
    later shared request behind a waiting exclusive one). SQLite: the caller holds the write lock
    (``add_decision`` takes it before a check)."""
    t = record_removals_table
    Store.lock_shared(conn, _REMOVALS_LOCK)
    rows = conn.execute(sa.select(t).where(t.c.record_id == record_id).order_by(t.c.id)).mappings().all()
    row = _effective_removals(rows).get(record_id)  # (a restore's undo row names the same record)
    return None if row is None else str(row["reason"])


def _effective_removals(rows: Any) -> dict[int, Any]:
    """The removal row in force per record (the newest, should there be two) in ``rows`` (id order)."""
    return {int(row["record_id"]): row for row in _removals_in_force(rows)}


def _removals_in_force(rows: Any) -> list[Any]:
    """The removal rows of ``rows`` (the log in id order) that no undo row takes back."""
    undone = {row["undoes_id"] for row in rows if row["undoes_id"] is not None}
    return [row for row in rows if row["undoes_id"] is None and row["id"] not in undone]


# -- slim reads for counting ----------------------------------------------------------------
def record_sources(store: Store) -> dict[int, str]:
    """``source_name`` per record id, without loading titles and abstracts."""
    t = schema.records
    with store.connect() as conn:
        return {int(i): name for i, name in conn.execute(sa.select(t.c.id, t.c.source_name))}


def source_names(store: Store) -> set[str]:
    """Every ``source_name`` records come from (one short query, for a queue refreshed often)."""
    t = schema.records
    with store.connect() as conn:
        return {name for (name,) in conn.execute(sa.select(t.c.source_name).distinct())}


def records_from_sources(store: Store, names: Collection[str]) -> dict[int, str]:
    """``source_name`` per record id, for the records of ``names`` only."""
    if not names:
        return {}
    t = schema.records
    with store.connect() as conn:
        query = sa.select(t.c.id, t.c.source_name).where(t.c.source_name.in_(sorted(names)))
        return {int(i): name for i, name in conn.execute(query)}


def current_screening_labels(store: Store, stage: str = "title_abstract", *,
                             record_ids: Collection[int] | None = None,
                             reviewer: str | None = None) -> dict[tuple[int, str], str]:
    """The effective label per (record, reviewer), as ``Store.current_decisions`` defines it,
    reading only the columns needed (fast enough for a live dashboard); with ``record_ids``, only their rows
    (an undo row carries the record of the row it undoes); with ``reviewer``, only theirs (an undo row is its
    reviewer's, as in ``current_decisions(reviewer=)``)."""
    t = schema.screening_decisions
    query = label_log_query(stage)
    if reviewer is not None:
        query = query.where(t.c.reviewer == reviewer)
    with store.connect() as conn:
        rows = rows_among(conn, query, t.c.record_id, record_ids)
    return {key: row.label for key, row in effective_decisions(rows).items()}


def _plain(verdict: Any) -> dict[str, Any]:
    """The verdict as JSON-safe plain data (numpy scalars become Python numbers)."""
    if verdict is None:
        return {}
    if hasattr(verdict, "as_dict"):
        verdict = verdict.as_dict()
    elif dataclasses.is_dataclass(verdict) and not isinstance(verdict, type):
        verdict = dataclasses.asdict(verdict)
    if not isinstance(verdict, dict):
        raise ReviewError(f"screening stop: verdict must be a mapping, not {type(verdict).__name__}")

    def default(value: Any) -> Any:
        return value.item() if hasattr(value, "item") else str(value)

    return dict(json.loads(json.dumps(verdict, default=default)))


# -- helpers ---------------------------------------------------------------------------------
def _require_record(conn: sa.Connection, record_id: int) -> None:
    t = schema.records
    if conn.execute(sa.select(t.c.id).where(t.c.id == record_id)).first() is None:
        raise UnknownRecord(record_id)


def _event(row: dict[str, Any]) -> FulltextEvent:
    return FulltextEvent(
        id=int(row["id"]), record_id=int(row["record_id"]), reviewer=row["reviewer"],
        event=row["event"], reason=row["reason"] or "", note=row["note"] or "",
        created_at=row["created_at"], undoes_id=row["undoes_id"],
    )


def _stop(row: dict[str, Any]) -> ScreeningStop:
    return ScreeningStop(
        id=int(row["id"]), reviewer=row["reviewer"], explanation=row["explanation"],
        verdict=dict(row["verdict"] or {}), last_record_id=row["last_record_id"],
        n_unscreened=int(row["n_unscreened"]), created_at=row["created_at"],
        undoes_id=row["undoes_id"],
    )
