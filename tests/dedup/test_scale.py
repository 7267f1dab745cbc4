"""Dedup at scale: candidate pairs scored chunk by chunk (``engine.CHUNK_PAIRS``) get the verdicts they get
scored all at once, and CSV mode loads no library it does not use."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from review.dedup import engine
from review.dedup.cluster import build_clusters
from review.dedup.csvio import load_records_csv
from review.dedup.engine import DedupResult, deduplicate

from .helpers import borderline_copies, record


def _outcome(result: DedupResult) -> list[str]:
    """Every pair with its fields and explanation, the cannot-links and the clusters, as text (NaN == NaN)."""
    lines = [repr((p.left, p.right, p.status, p.score, sorted(p.fields.items()), p.explanation)) for p in result.pairs]
    lines += [repr(link) for link in result.cannot_links]
    lines += [repr((c.members, c.canonical, c.explanation)) for c in result.clusters]
    return lines


@pytest.mark.slow
@pytest.mark.parametrize("related", ["link", "merge"])
def test_small_chunks_decide_the_shared_set_as_one_chunk(shared, monkeypatch, related: str) -> None:  # type: ignore[no-untyped-def]
    records = load_records_csv(shared("data", "dedup", "asysd_diabetes.csv")).records
    whole = deduplicate(records, related=related)
    assert whole.n_candidates < engine.CHUNK_PAIRS  # one chunk
    # 997 pairs a chunk: key groups, journals and abstracts of one record meet across chunk borders.
    monkeypatch.setattr(engine, "CHUNK_PAIRS", 997)
    chunked = deduplicate(records, related=related)
    assert chunked.n_candidates == whole.n_candidates
    assert len(whole.pairs) > 2000 and whole.cannot_links and len(whole.clusters) > 500
    assert _outcome(chunked) == _outcome(whole)


def test_one_pair_a_chunk(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    records = [record(), record(doi=""), record(title="Another study of something else entirely", doi="",
                                                  authors=["Smith, J."]), *borderline_copies("1-5", "7-9")]
    whole = deduplicate(records)
    monkeypatch.setattr(engine, "CHUNK_PAIRS", 1)
    steps: list[tuple[str, int, int]] = []
    chunked = deduplicate(records, progress=lambda stage, done, total: steps.append((stage, done, total)))
    assert _outcome(chunked) == _outcome(whole)
    assert {p.status for p in whole.pairs} == {"duplicate", "borderline"}
    scored = [(done, total) for stage, done, total in steps if stage == "score"]
    assert scored == [(k, whole.n_candidates) for k in range(1, whole.n_candidates + 1)]


def test_csv_mode_loads_neither_the_store_nor_the_readers(tmp_path: Path) -> None:
    """SQLAlchemy and Biopython cost CSV mode 30 MB and 0.9 s at 50,000 records (``sources/__init__``)."""
    data = tmp_path / "records.csv"
    row = "Liraglutide suppresses foam cell formation,Tashiro Y; Sato K,2014,Peptides,54,19-26,10.1016/j.x.2013.12.015"
    data.write_text(f"record_id,title,authors,year,journal,volume,pages,doi\nr1,{row}\nr2,{row}\n", encoding="utf-8")
    code = ("import sys\nfrom review.cli import main\n"
            f"main(['dedup', {str(data)!r}, '--out', {str(tmp_path / 'out.csv')!r}], standalone_mode=False)\n"
            "print(sorted(m for m in ('sqlalchemy', 'Bio', 'rispy') if m in sys.modules))")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert (tmp_path / "out.csv").read_text(encoding="utf-8").splitlines()[1:] == ["r1,r1,auto", "r2,r1,auto"]
    assert run.stdout.strip().splitlines()[-1] == "[]"


def _clusters_by_hand(n: int, edges: list[tuple[int, int, float]], cannot: list[tuple[int, int]]) -> list[list[int]]:
    """``build_clusters`` as its docstring says it: strongest edge first, never two groups with a cannot-link
    between any of their members."""
    groups = {i: {i} for i in range(n)}
    owner = list(range(n))
    apart = {frozenset(pair) for pair in cannot}
    for a, b, _ in sorted(edges, key=lambda e: (-e[2], e[0], e[1])):
        ga, gb = owner[a], owner[b]
        if ga == gb or any(frozenset((x, y)) in apart for x in groups[ga] for y in groups[gb]):
            continue
        groups[ga] |= groups.pop(gb)
        for member in groups[ga]:
            owner[member] = ga
    return sorted(sorted(g) for g in groups.values() if len(g) > 1)


_PAIR = st.tuples(st.integers(0, 11), st.integers(0, 11)).filter(lambda p: p[0] != p[1])


@given(edges=st.lists(st.tuples(_PAIR, st.sampled_from([4.5, 7.0, 7.5, 9.0, 12.0])), max_size=40),
       cannot=st.lists(_PAIR, max_size=12))
def test_clusters_join_strongest_first_and_never_across_a_cannot_link(edges, cannot) -> None:  # type: ignore[no-untyped-def]
    scored = [(a, b, score) for (a, b), score in edges]
    assert build_clusters(12, scored, cannot) == _clusters_by_hand(12, scored, cannot)
