"""Search runs and their per-batch progress: the PRISMA-S log and what makes a search resumable.

A run is one execution of one query file.  Every EFetch batch is stored together with its
progress row in one transaction, so a run killed at any point resumes from the last stored
batch and no PMID is ever stored twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from ..records import Record
from .schema import UtcDateTime, import_batches, metadata, records

from .core import inserted_id
from .in_lists import in_list_slices

if TYPE_CHECKING:
    from .core import Store

#: One row per execution of a query: what was asked, what came back, how it went.
search_runs = sa.Table(
    "search_runs",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("query_name", sa.Text, nullable=False, index=True),
    sa.Column("database", sa.Text, nullable=False),
    # The exact term sent (query plus filters) and every other E-utilities parameter.
    sa.Column("term", sa.Text, nullable=False),
    sa.Column("params", sa.JSON, nullable=False),
    sa.Column("started_at", UtcDateTime(), nullable=False),
    sa.Column("finished_at", UtcDateTime(), nullable=True),
    # running | complete | failed  (a running row with no live process is an interrupted run)
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("hit_count", sa.Integer, nullable=True),
    sa.Column("retrieved", sa.Integer, nullable=True),
    sa.Column("new_records", sa.Integer, nullable=True),
    sa.Column("requests", sa.Integer, nullable=True),
    # Slices, retries by reason, QueryTranslation, warnings, client versions, errors.
    sa.Column("details", sa.JSON, nullable=False),
)
# A run's end is written in place (``update_run``), so its id alone does not show that a search finished
# (``Store.data_version``). A run leaves ``running`` once (to interrupted, complete or abandoned) and gets
# its ``finished_at`` once, so each count only grows and every change of status moves one of them.
search_runs.info["changes_in_place"] = (
    sa.func.count(search_runs.c.finished_at),
    sa.func.count(sa.case((search_runs.c.status != "running", 1))),
)

#: One row per stored EFetch batch of a run (written in the same transaction as its records).
search_batches = sa.Table(
    "search_batches",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("run_id", sa.Integer, sa.ForeignKey("search_runs.id"), nullable=False, index=True),
    sa.Column("slice_label", sa.Text, nullable=False),
    sa.Column("retstart", sa.Integer, nullable=False),
    sa.Column("n_requested", sa.Integer, nullable=False),
    sa.Column("n_received", sa.Integer, nullable=False),
    sa.Column("n_new", sa.Integer, nullable=False),
    sa.Column("import_batch_id", sa.Integer, sa.ForeignKey("import_batches.id"), nullable=True),
    sa.Column("fetched_at", UtcDateTime(), nullable=False),
)

_RUN_FIELDS = ("hit_count", "retrieved", "new_records", "requests", "details", "status", "finished_at")


def _now() -> datetime:
    return datetime.now(timezone.utc)


def start_run(store: "Store", *, query_name: str, database: str, term: str, params: dict[str, Any]) -> int:
    """Open a new run in status ``running``; returns its id."""
    with store.transaction() as conn:
        run_id = inserted_id(conn.execute(
            search_runs.insert().values(
                query_name=query_name, database=database, term=term, params=params,
                started_at=_now(), status="running", details={},
            )
        ))
    return int(run_id)


def unfinished_run(store: "Store", query_name: str) -> dict[str, Any] | None:
    """The latest run of ``query_name`` if it never completed (killed or failed)."""
    with store.connect() as conn:
        row = conn.execute(
            sa.select(search_runs)
            .where(search_runs.c.query_name == query_name)
            .order_by(search_runs.c.id.desc())
            .limit(1)
        ).mappings().first()
    if row is None or row["status"] == "complete":
        return None
    return dict(row)


def update_run(store: "Store", run_id: int, **values: Any) -> None:
    unknown = set(values) - set(_RUN_FIELDS)
    if unknown:
        raise ValueError(f"not run fields: {sorted(unknown)}")
    with store.transaction() as conn:
        conn.execute(search_runs.update().where(search_runs.c.id == run_id).values(**values))


def finish_run(store: "Store", run_id: int, *, status: str = "complete", **values: Any) -> None:
    update_run(store, run_id, status=status, finished_at=_now(), **values)


def runs(store: "Store", query_name: str | None = None) -> list[dict[str, Any]]:
    """Runs in order, optionally for one query."""
    query = sa.select(search_runs).order_by(search_runs.c.id)
    if query_name is not None:
        query = query.where(search_runs.c.query_name == query_name)
    with store.connect() as conn:
        return [dict(r) for r in conn.execute(query).mappings()]


def records_stored_by_run(store: "Store", run_id: int) -> int:
    """The new records a run's batches stored: what a run not finished (interrupted, running) has so far."""
    query = sa.select(sa.func.coalesce(sa.func.sum(search_batches.c.n_new), 0)).where(search_batches.c.run_id == run_id)
    with store.connect() as conn:
        return int(conn.execute(query).scalar_one())


def stored_search_pmids(store: "Store", source_name: str = "PubMed") -> set[str]:
    """PMIDs already stored by any search run of this source (the exactly-once reference)."""
    query = (
        sa.select(records.c.pmid)
        .join(import_batches, records.c.batch_id == import_batches.c.id)
        .where(import_batches.c.search_run_id.is_not(None), import_batches.c.source_name == source_name)
    )
    with store.connect() as conn:
        return {pmid for (pmid,) in conn.execute(query) if pmid}


def run_pmids(store: "Store", run_id: int) -> list[str]:
    """PMIDs stored by one run, in storage order."""
    query = (
        sa.select(records.c.pmid)
        .join(import_batches, records.c.batch_id == import_batches.c.id)
        .where(import_batches.c.search_run_id == run_id)
        .order_by(records.c.id)
    )
    with store.connect() as conn:
        return [pmid for (pmid,) in conn.execute(query)]


def store_fetched_batch(
    store: "Store",
    run_id: int,
    new_records: Sequence[Record],
    *,
    query_name: str,
    slice_label: str,
    retstart: int,
    n_requested: int,
    n_received: int,
    source_name: str = "PubMed",
    run_requests: int | None = None,
) -> int:
    """Store one EFetch batch's new records and its progress row atomically; returns the row id.

    A PMID some search of ``source_name`` stored already is left out, checked under the store's
    write lock: two searches running at once (two terminals, the dashboard and a shell) would
    otherwise both store every PMID they fetched.
    ``run_requests``: the run's requests so far, saved with the batch so that a run killed
    before it could log them (``kill -9``) still reports the requests its stored batches cost.
    """
    with store.locked_transaction() as conn:
        if run_requests is not None:
            conn.execute(search_runs.update().where(search_runs.c.id == run_id).values(requests=run_requests))
        stored = _stored_among(conn, [r.pmid for r in new_records if r.pmid], source_name)
        new_records = [r for r in new_records if r.pmid not in stored]
        import_batch_id = None
        if new_records:
            import_batch_id = store.add_batch(
                new_records,
                file_name=f"search:{query_name}#{run_id}:{slice_label}@{retstart}",
                file_sha256="",
                source_name=source_name,
                format="pubmed-xml",
                encoding="utf-8",
                search_run_id=run_id,
                conn=conn,
            )
        row_id = inserted_id(conn.execute(
            search_batches.insert().values(
                run_id=run_id, slice_label=slice_label, retstart=retstart, n_requested=n_requested,
                n_received=n_received, n_new=len(new_records), import_batch_id=import_batch_id,
                fetched_at=_now(),
            )
        ))
    return int(row_id)


def _stored_among(conn: sa.Connection, pmids: Sequence[str], source_name: str) -> set[str]:
    """Which of ``pmids`` a search run of ``source_name`` has stored."""
    found: set[str] = set()
    for pmid_slice in in_list_slices(pmids):
        query = (
            sa.select(records.c.pmid)
            .join(import_batches, records.c.batch_id == import_batches.c.id)
            .where(import_batches.c.search_run_id.is_not(None), import_batches.c.source_name == source_name,
                   records.c.pmid.in_(pmid_slice))
        )
        found.update(pmid for (pmid,) in conn.execute(query))
    return found


#: One row per seed check of a query: does the strategy find the studies it must find?
search_seed_checks = sa.Table(
    "search_seed_checks",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("query_name", sa.Text, nullable=False, index=True),
    sa.Column("checked_at", UtcDateTime(), nullable=False),
    sa.Column("term", sa.Text, nullable=False),
    sa.Column("params", sa.JSON, nullable=False),
    sa.Column("seed_file", sa.Text, nullable=False),
    sa.Column("seed_file_sha256", sa.String(64), nullable=False),
    sa.Column("n_seeds", sa.Integer, nullable=False),
    sa.Column("n_found", sa.Integer, nullable=False),
    sa.Column("recall", sa.Float, nullable=False),
    sa.Column("requests", sa.Integer, nullable=False),
    # Missed PMIDs (and DOIs of DOI-only seeds PubMed does not hold), blocks, per-seed results.
    sa.Column("details", sa.JSON, nullable=False),
)


def add_seed_check(store: "Store", *, query_name: str, term: str, params: dict[str, Any], seed_file: str,
                   seed_file_sha256: str, n_seeds: int, n_found: int, recall: float, requests: int,
                   details: dict[str, Any], checked_at: datetime) -> int:
    """Store one seed check (one transaction) made at ``checked_at``; returns its id."""
    with store.transaction() as conn:
        check_id = inserted_id(conn.execute(
            search_seed_checks.insert().values(
                query_name=query_name, checked_at=checked_at, term=term, params=params, seed_file=seed_file,
                seed_file_sha256=seed_file_sha256, n_seeds=n_seeds, n_found=n_found, recall=recall,
                requests=requests, details=details,
            )
        ))
    return int(check_id)


def seed_checks(store: "Store", query_name: str | None = None) -> list[dict[str, Any]]:
    """Seed checks in order, optionally for one query."""
    query = sa.select(search_seed_checks).order_by(search_seed_checks.c.id)
    if query_name is not None:
        query = query.where(search_seed_checks.c.query_name == query_name)
    with store.connect() as conn:
        return [dict(r) for r in conn.execute(query).mappings()]
