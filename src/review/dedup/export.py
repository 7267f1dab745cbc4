"""Rows for the CSV mode output: ``record_id,cluster_id,decision``."""

from __future__ import annotations

from .engine import DedupResult


def cluster_rows(result: DedupResult) -> list[tuple[str, str, str]]:
    """One row per input record, in input order.

    ``cluster_id`` is the ``record_id`` of the cluster's canonical record (a record on its own
    is its own cluster). ``decision`` is ``borderline`` for records in a borderline pair that
    was left unmerged (a human should look), otherwise ``auto``.
    """
    records = result.records
    canonical = result.cluster_of()
    pending: set[int] = set()
    for pair in result.borderline:
        if canonical[pair.left] != canonical[pair.right]:
            pending.update((pair.left, pair.right))
    rows = []
    for index, record in enumerate(records):
        record_id = record.external_id or str(index + 1)
        cluster_record = records[canonical[index]]
        cluster_id = cluster_record.external_id or str(canonical[index] + 1)
        rows.append((record_id, cluster_id, "borderline" if index in pending else "auto"))
    return rows
