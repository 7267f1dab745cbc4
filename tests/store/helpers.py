"""Small builders for the store's tests."""

from __future__ import annotations

import sqlalchemy as sa

from review.records import Record
from review.store.opening import engine_url
from review.workspace import Workspace


def stored_record_ids(workspace: Workspace, n: int, *, title: str = "T{}", file_sha256: str = "d" * 64) -> list[int]:
    """Store ``n`` records titled ``title.format(i)`` as one imported RIS file; every record id in the store, in order.
    ``file_sha256``: the file's hash (a second file in one test needs another)."""
    workspace.store.add_batch([Record(title=title.format(i)) for i in range(n)], file_name="f.ris",
                              file_sha256=file_sha256, source_name="db", format="ris", encoding="utf-8")
    return sorted(r.id for r in workspace.store.records() if r.id is not None)


def table_names(url: str) -> list[str]:
    """The tables of the database at ``url``, sorted, read on an engine of their own (disposed)."""
    engine = sa.create_engine(engine_url(url))
    try:
        return sorted(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()
