"""IN lists cut at ``IN_LIST_MAX`` values: the slices hold every value once, in order, and the store's readers
that slice give at 499, 500, 501 and 1,001 ids the rows one query gives."""

from __future__ import annotations

from collections import defaultdict

import pytest
import sqlalchemy as sa

from review.records import Record
from review.store import schema, utcnow
from review.store import dedup as dedup_store
from review.store import searches as search_store
from review.store.fulltext import (current_fulltext_events, current_screening_labels, fulltext_events_table,
                                   reports_fulltext_events)
from review.store.in_lists import IN_LIST_MAX, in_list_slices
from review.workspace import Workspace

BOUNDARY = (IN_LIST_MAX - 1, IN_LIST_MAX, IN_LIST_MAX + 1, 2 * IN_LIST_MAX + 1)


@pytest.mark.parametrize("n", (0, 1, *BOUNDARY))
def test_slices_hold_every_value_once_in_order(n: int) -> None:
    values = [f"v{i}" for i in range(n)]
    slices = list(in_list_slices(iter(values)))  # (any iterable: a generator too)
    assert [v for s in slices for v in s] == values
    assert all(1 <= len(s) <= IN_LIST_MAX for s in slices)
    assert len(slices) == -(-n // IN_LIST_MAX)  # as few as the limit allows: 1,001 values are 3 statements


def test_a_slice_holds_at_least_one_value() -> None:
    with pytest.raises(ValueError, match="size 0"):
        next(in_list_slices([1, 2], size=0))


def _filled(workspace: Workspace) -> tuple[list[int], list[str]]:
    """1,099 records with PMIDs (all but 50 from a search run), half decided by two reviewers (corrections, undos),
    full-text events on every third (a third of the retrievals undone); returns the record ids and the PMIDs."""
    store = workspace.store
    n = 2 * IN_LIST_MAX + 99
    pmids = [str(30_000_000 + i) for i in range(n)]
    run_id = search_store.start_run(store, query_name="q", database="pubmed", term="x", params={})
    searched = [Record(title=f"Record {i}", pmid=pmids[i], abstract="a" * (i % 3)) for i in range(n - 50)]
    search_store.store_fetched_batch(store, run_id, searched, query_name="q", slice_label="s", retstart=0,
                                     n_requested=len(searched), n_received=len(searched))
    store.add_batch([Record(title=f"Other {i}", pmid=pmids[n - 50 + i]) for i in range(50)], file_name="o.ris",
                    file_sha256="0" * 64, source_name="Embase", format="ris", encoding="utf-8")
    ids = sorted(r.id for r in store.records() if r.id is not None)
    now = utcnow()

    def decision(record_id: int, reviewer: str, label: str, undoes_id: int | None = None) -> dict[str, object]:
        return dict(record_id=record_id, reviewer=reviewer, stage="title_abstract", label=label, reasons=[],
                    note="", created_at=now, model_rank=None, model_info={}, undoes_id=undoes_id)

    with store.transaction() as conn:
        conn.execute(schema.screening_decisions.insert(),
                     [decision(r, who, "include" if r % 7 == 0 else "exclude") for r in ids[::2]
                      for who in ("alice", "bob")])
        conn.execute(schema.screening_decisions.insert(), [decision(r, "alice", "maybe") for r in ids[::10]])
        logged = conn.execute(sa.select(schema.screening_decisions.c.id, schema.screening_decisions.c.record_id)
                              .where(schema.screening_decisions.c.reviewer == "bob")).all()
        conn.execute(schema.screening_decisions.insert(),
                     [decision(record_id, "bob", "undo", undoes_id=row_id) for row_id, record_id in logged[::5]])
        conn.execute(fulltext_events_table.insert(),
                     [dict(record_id=r, reviewer="alice", event=event, reason="", note="", created_at=now,
                           undoes_id=None) for r in ids[::3] for event in ("sought", "retrieved")])
        events = conn.execute(sa.select(fulltext_events_table.c.id, fulltext_events_table.c.record_id)
                              .where(fulltext_events_table.c.event == "retrieved")).all()
        conn.execute(fulltext_events_table.insert(),
                     [dict(record_id=record_id, reviewer="alice", event="undo", reason="", note="", created_at=now,
                           undoes_id=event_id) for event_id, record_id in events[::3]])
    return ids, pmids


def test_sliced_reads_give_the_rows_of_one_query(workspace: Workspace) -> None:
    store = workspace.store
    ids, pmids = _filled(workspace)
    labels = current_screening_labels(store)
    events: dict[int, list[object]] = defaultdict(list)
    for event in current_fulltext_events(store):
        events[event.record_id].append(event)
    stored_pmids = search_store.stored_search_pmids(store)
    t = schema.records
    with store.connect() as conn:
        richness = {row.id: row for row in conn.execute(sa.select(t.c.id, t.c.abstract, t.c.pmid))}
    assert len(stored_pmids) > 2 * IN_LIST_MAX and {r for r, _ in labels} and events  # (each read has rows to lose)
    for n in BOUNDARY:
        wanted = ids[-n:][::-1]  # (the last ones: every read below must reach the last slice; any order)
        assert current_screening_labels(store, record_ids=wanted) == {
            key: label for key, label in labels.items() if key[0] in wanted}
        assert reports_fulltext_events(store, wanted) == {r: events.get(r, []) for r in wanted}
        with store.connect() as conn:
            decided = dedup_store.records_with_decisions(conn, wanted)
            assert decided == {r for r in wanted if any(key[0] == r for key in labels) or events.get(r)}
            found = dedup_store.richness_records(conn, wanted)
            assert {r: (record.abstract, record.pmid) for r, record in found.items()} == {
                r: (richness[r].abstract or "", richness[r].pmid or "") for r in wanted}
            asked = pmids[-n:]
            assert search_store._stored_among(conn, asked, "PubMed") == stored_pmids & set(asked)
