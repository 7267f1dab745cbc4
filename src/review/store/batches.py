"""Writing one import batch's records: ``BatchWriter`` (``Store.begin_batch``) inserts them in slices of
``INSERT_SLICE`` rows inside the batch's one transaction."""

from __future__ import annotations

from collections.abc import Iterable
from itertools import islice
from typing import Any

import sqlalchemy as sa

from ..records import BIB_FIELDS, Record
from . import schema

__all__ = ["INSERT_SLICE", "BatchWriter"]

#: Rows per INSERT statement of an import batch (bounds the records and row dicts held at once).
INSERT_SLICE = 5_000


class BatchWriter:
    """Inserts one import batch's records in slices of ``INSERT_SLICE`` rows (``Store.begin_batch``)."""

    def __init__(self, conn: sa.Connection, batch_id: int, source_name: str) -> None:
        self.conn = conn
        self.batch_id = batch_id
        self.source_name = source_name
        self.n_records = 0

    def add(self, records: Iterable[Record]) -> None:
        """Insert ``records`` (a list or a generator), one slice at a time."""
        # One parameter list for a million rows would hold every row's dict at once (over a
        # gigabyte); the slices share the one transaction, so the batch stays atomic.
        iterator = iter(records)
        while True:
            rows = [_record_row(r, self.batch_id, self.source_name) for r in islice(iterator, INSERT_SLICE)]
            if not rows:
                return
            self.conn.execute(schema.records.insert(), rows)
            self.n_records += len(rows)

    def finish(self, *, source_name: str | None = None) -> int:
        """Record the batch's size (and its source, when known only now); returns the batch id."""
        values: dict[str, Any] = {"n_records": self.n_records}
        if source_name is not None:
            values["source_name"] = source_name
        t = schema.import_batches
        self.conn.execute(sa.update(t).where(t.c.id == self.batch_id).values(**values))
        return int(self.batch_id)


def _record_row(record: Record, batch_id: int, source_name: str) -> dict[str, Any]:
    row: dict[str, Any] = {name: getattr(record, name) for name in BIB_FIELDS}
    row.update(
        batch_id=batch_id,
        external_id=record.external_id,
        source_name=record.source or source_name,
        position=record.position,
        extra=record.extra,
        raw=record.raw,
    )
    return row
