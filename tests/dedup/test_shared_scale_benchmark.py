"""benchmarks/dedup_shared_scale.py: the copies it builds are new publications whose members keep their
differences, and no two copies share a citation, a DOI or a Cochrane review number."""

from __future__ import annotations

import csv
from pathlib import Path
from types import ModuleType

import pytest

from script_module import load_script

HEADER = ["record_id", "dup_group", "title", "authors", "year", "journal", "volume", "issue", "pages", "doi",
          "abstract"]
ROWS = [
    ["r1", "g1", "Liraglutide suppresses foam cell formation in mice", "Tashiro Y.Sato K.", "2014", "Peptides",
     "54", "", "19-26", "http://dx.doi.org/10.1016/j.peptides.2013.12.015", "Macrophage foam cells in mice."],
    ["r2", "g1", "LIRAGLUTIDE SUPPRESSES FOAM CELL FORMATION IN MICE.", "Tashiro, Y.; Sato, K.", "2014",
     "Peptides", "54", "", "19-6", "10.1016/J.PEPTIDES.2013.12.015.", ""],
    ["r3", "g2", "Antibiotics for acute bronchitis", "Smith SM; Fahey T", "2007", "Cochrane Database Syst Rev",
     "", "", "CD000245", "10.1002/14651858.CD000245.pub2", ""],
    ["r4", "g3", "Exercise training in chronic heart failure", "Jones K", "2010", "Heart", "96 (3)", "", "1-9",
     "", ""],
]


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    return load_script("benchmarks/dedup_shared_scale.py", "dedup_shared_scale_benchmark")


@pytest.fixture()
def groups(bench: ModuleType, tmp_path: Path) -> list[list[dict[str, str]]]:
    with (tmp_path / "tiny.csv").open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([HEADER, *ROWS])
    return bench.shared_groups(tmp_path)


def test_copies_are_new_publications_with_their_members_differences(bench: ModuleType, groups) -> None:
    rows = bench.build(12, 3, groups)  # copy 0 and two more
    assert len(rows) == 12 and len({r["record_id"] for r in rows}) == 12
    by_group: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        by_group.setdefault(row["dup_group"], []).append(row)
    assert len(by_group) == 9
    pairs = [members for members in by_group.values() if len(members) == 2]
    assert len(pairs) == 3
    for one, other in pairs:  # the members still differ as exported: case, a full stop
        assert one["title"] != other["title"]
        assert one["title"].casefold().rstrip(".") == other["title"].casefold().rstrip(".")
    assert len({one["title"].casefold() for one, _ in pairs}) == 3  # each copy another title
    citations = [(r["journal"], r["volume"], r["pages"], r["doi"]) for r in rows]
    copies = {(c, r["dup_group"][:2]) for c, r in zip(citations, rows)}
    assert len({c for c, _ in copies}) == len(copies)  # no citation in two copies
    cochrane = {r["pages"] for r in rows if r["pages"].startswith("CD")}
    assert len(cochrane) == 3 and all(r["doi"].count(r["pages"]) == 1 for r in rows if r["pages"].startswith("CD"))


def test_dois_of_a_copy_keep_their_members_forms(bench: ModuleType) -> None:
    assert bench._doi_of_copy("10.1016/J.PEPTIDES.2013.12.015.", 3) == "10.1016/J.PEPTIDES.2013.12.015-3."
    assert bench._doi_of_copy("http://dx.doi.org/10.1/x", 2) == "http://dx.doi.org/10.1/x-2"
    assert bench._doi_of_copy("", 2) == "" and bench._doi_of_copy("10.1/x", 0) == "10.1/x"


def test_what_each_record_past_the_previous_size_added(bench: ModuleType) -> None:
    before = {"records": 20_000, "cpu_seconds": 4.0, "peak_mb": 200.0}
    after = {"records": 50_000, "cpu_seconds": 10.0, "peak_mb": 380.0}
    added = bench.marginal(before, after)
    assert added["cpu_ms_per_record_added"] == pytest.approx(0.2)  # 6 s over 30,000 records
    assert added["kb_per_record_added"] == pytest.approx(6.144)  # 180 MB over 30,000 records
    assert bench.marginal(after, before) == {}  # a smaller size adds nothing
