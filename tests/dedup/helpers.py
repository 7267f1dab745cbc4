"""Small record builders for dedup tests."""

from __future__ import annotations

import hashlib

from review.dedup.engine import DedupResult, deduplicate
from review.dedup.run import run_dedup
from review.records import Record
from review.workspace import Workspace

ARTICLE = dict(
    title="Liraglutide suppresses macrophage foam cell formation and atherosclerosis in mice",
    authors=["Tashiro, Y.", "Sato, K.", "Watanabe, T.", "Nohtomi, K."],
    year=2014, journal="Peptides", volume="54", issue="", pages="19-26",
    doi="10.1016/j.peptides.2013.12.015",
    abstract="Macrophage foam cell formation characterized by the accumulation of cholesteryl esters "
             "is a hallmark of atherosclerosis. We examined the effects of liraglutide on foam cells "
             "and on atherosclerotic lesions in apolipoprotein E-null mice fed a high fat diet.",
)


def record(**changes: object) -> Record:
    values = dict(ARTICLE)
    values.update(changes)
    return Record(**values)  # type: ignore[arg-type]


#: A trial report whose copies share one author and disagree on pages: every pair is borderline.
BORDERLINE_TITLE = "Phase I trial of ATRA-IV and depakote in patients with advanced solid tumor malignancies"


def borderline_copies(*pages: str) -> list[Record]:
    """Copies of one report, one per page range: each pair goes to a human (one shared author is weak evidence)."""
    return [record(title=BORDERLINE_TITLE, pages=p, doi="", abstract="", authors=["Tashiro, Y."]) for p in pages]


def import_records(workspace: Workspace, records: list[Record], name: str) -> list[int]:
    """Store ``records`` as one imported file ``name``; the new record ids, sorted."""
    before = {r.id for r in workspace.store.records()}
    workspace.store.add_batch(records, file_name=name, file_sha256=hashlib.sha256(name.encode()).hexdigest(),
                              source_name=name, format="csv", encoding="utf-8")
    return sorted(r.id for r in workspace.store.records() if r.id not in before)  # type: ignore[misc]


def imported_borderline_copies(workspace: Workspace, *pages: str) -> list[int]:
    """``borderline_copies`` imported as ``p.csv`` and deduplicated: their record ids."""
    ids = import_records(workspace, borderline_copies(*pages), "p.csv")
    run_dedup(workspace)
    return ids


def verdict(a: Record, b: Record, *others: Record) -> str:
    """duplicate | borderline | distinct for the pair (a, b), with ``others`` as context."""
    result = dedup([a, b, *others])
    for pair in result.pairs:
        if (pair.left, pair.right) == (0, 1):
            return pair.status
    return "distinct"


def dedup(records: list[Record]) -> DedupResult:
    for n, r in enumerate(records):
        if not r.external_id:
            r.external_id = f"r{n + 1}"
    return deduplicate(records)


def merged(result: DedupResult, a: int, b: int) -> bool:
    canonical = result.cluster_of()
    return canonical[a] == canonical[b]
