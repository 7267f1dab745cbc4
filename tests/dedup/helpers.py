"""Small record builders for dedup tests."""

from __future__ import annotations

from review.dedup.engine import DedupResult, deduplicate
from review.records import Record

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
