"""The demo's ground truth read back against a built workspace: which publication each record is.

``imports/demo_truth.csv`` lists every generated copy (source, ``pub_id``, PMID, title); the
workspace holds the PubMed copies by PMID and the two exports in file order, which is how a
record is matched to its publication. Scripts and tests answer the dedup review from it.
"""

from __future__ import annotations

import csv

from ..workspace import Workspace

__all__ = ["publication_of_each_record"]


def publication_of_each_record(workspace: Workspace) -> dict[int, str]:
    """Record id → ``pub_id`` of the demo publication it is a copy of."""
    with workspace.path("imports", "demo_truth.csv").open(encoding="utf-8", newline="") as handle:
        truth = list(csv.DictReader(handle))
    by_pmid = {row["pmid"]: row["pub_id"] for row in truth if row["source"] == "PubMed"}
    records = workspace.store.records()
    out = {int(r.id): by_pmid[r.pmid] for r in records if r.source == "PubMed" and r.id is not None}
    for source in ("Embase", "PsycINFO"):  # import keeps file order
        rows = [row for row in truth if row["source"] == source]
        stored = [r for r in records if r.source == source and r.id is not None]
        if len(stored) != len(rows):
            raise ValueError(f"{source}: {len(stored)} records stored, {len(rows)} in demo_truth.csv")
        out.update((int(r.id or 0), row["pub_id"]) for r, row in zip(stored, rows))
    return out
