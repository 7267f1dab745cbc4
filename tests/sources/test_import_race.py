"""Two importers of one file must store it once, even when their checks interleave."""

from __future__ import annotations

import threading
import time

import sqlalchemy as sa

from review.sources.importer import import_files, read_file
from review.store import schema
from review.workspace import Workspace

RIS = "TY  - JOUR\nTI  - Relapse of sickness absence\nAU  - Doe, J\nPY  - 2020\nER  - \n"


def _batch_count(ws: Workspace) -> int:
    with ws.store.engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(schema.import_batches)).scalar_one()


def test_insert_rechecks_when_another_import_landed_after_the_first_check(workspace, tmp_path, monkeypatch):
    path = tmp_path / "embase.ris"
    path.write_text(RIS, encoding="utf-8")
    first = import_files(workspace, [path]).files[0]
    assert first.status == "imported"
    # The cheap pre-check sees nothing, as when the other process's insert commits just after it.
    locked_check = workspace.store.find_batch
    monkeypatch.setattr(workspace.store, "find_batch",
                        lambda digest, conn=None: None if conn is None else locked_check(digest, conn=conn))
    second = import_files(workspace, [path]).files[0]
    assert second.status == "skipped"
    assert second.batch_id == first.batch_id
    assert _batch_count(workspace) == 1
    assert workspace.store.count_records() == 1


def test_insert_waits_for_a_concurrent_import_and_then_skips(workspace, tmp_path):
    """A second importer blocks on the first one's open transaction, then sees its batch."""
    path = tmp_path / "embase.ris"
    path.write_text(RIS, encoding="utf-8")
    store = workspace.store
    outcomes: list = []
    with store.locked_transaction() as first:
        parsed = read_file(path)
        store.add_batch(parsed.records, file_name="embase.ris", file_sha256=parsed.sha256,
                        source_name="Embase", format=parsed.format, encoding=parsed.encoding, conn=first)
        racer = threading.Thread(target=lambda: outcomes.append(import_files(workspace, [path]).files[0]))
        racer.start()
        time.sleep(0.3)  # the racer has passed its pre-check and now waits on our lock
    racer.join(10)
    (second,) = outcomes
    assert second.status == "skipped"
    assert _batch_count(workspace) == 1
