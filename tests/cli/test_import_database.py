"""``review import`` names a MEDLINE-format file's database from the file's own fields, never "PubMed"
for a file PubMed did not write: a record's ``DB`` line (Ovid's and EBSCO's MEDLINE-style exports
name the database there), else the file's (its DB lines; PubMed where its records carry PubMed ids,
``PMID`` digits), else the file's name, as every other format without a database field. ``psycinfo.nbib`` was stored as PubMed,
and PRISMA-S counted its records under PubMed. ``DP`` is left alone: in MEDLINE text it is the date of
publication (RIS's ``DP``, the database provider, was read already)."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from review.cli import main
from review.services.prisma import prisma_counts

#: APA PsycInfo through Ovid, in its MEDLINE-style layout: a DB line per record, an accession number, no PMID.
PSYCINFO_OVID = """\
VN  - Ovid Technologies
DB  - APA PsycInfo
AN  - 2019-12345-001
TI  - Recurrent sickness absence after common mental disorders: a cohort study.
AU  - Jansen, A.
DP  - 2019
SO  - Journal of Occupational Rehabilitation. 29(2), 2019, 301-310.

VN  - Ovid Technologies
DB  - APA PsycInfo
AN  - 2020-54321-002
TI  - Return to work and relapse in depression.
AU  - de Vries, B.
DP  - 2020 Mar
"""

#: A MEDLINE-style export that names no database and carries no PubMed id.
NO_DATABASE = """\
TI  - Burnout and repeated sick leave in nurses.
AU  - Smith J
DP  - 2018
AB  - A longitudinal study.
"""


def _import(workspace, *args: object):
    return CliRunner().invoke(main, ["-w", str(workspace.root), "import", *map(str, args)])


def _rows(result) -> list[list[str]]:
    return [line.split("\t") for line in result.stdout.splitlines()[1:]]


def test_a_psycinfo_export_in_medline_layout_is_stored_as_psycinfo(workspace, tmp_path: Path) -> None:
    export = tmp_path / "psycinfo.nbib"
    export.write_text(PSYCINFO_OVID, encoding="utf-8")
    result = _import(workspace, export)
    assert result.exit_code == 0, result.output
    assert [row[1:5] for row in _rows(result)] == [["medline", "utf-8", "APA PsycInfo", "2"]]
    assert {r.source for r in workspace.store.records()} == {"APA PsycInfo"}
    assert {r.pmid for r in workspace.store.records()} == {""}
    report = CliRunner().invoke(main, ["-w", str(workspace.root), "export", "searches", "-"])
    assert "- APA PsycInfo (database, item 1): 2 records from files (item 15)" in report.stdout
    assert "PubMed (database" not in report.stdout
    assert prisma_counts(workspace).n("database_results") == 2


def test_a_medline_layout_file_naming_no_database_takes_the_file_name(workspace, tmp_path: Path) -> None:
    export = tmp_path / "cinahl_2024.txt"
    export.write_text(NO_DATABASE, encoding="utf-8")
    result = _import(workspace, export)
    assert result.exit_code == 0, result.output
    assert [row[1:5] for row in _rows(result)] == [["medline", "utf-8", "cinahl_2024", "1"]]


def test_pubmed_files_stay_pubmed_and_source_still_names_every_record(workspace, shared, tmp_path: Path) -> None:
    nbib = shared("fixtures", "exports", "medline_nbib", "jabref_NbibImporterTest.nbib")
    efetch = shared("fixtures", "pubmed", "biopython", "pubmed_result2.txt")
    book = shared("fixtures", "exports", "medline_nbib", "pybtexnbib_marcelis-20301770.nbib")  # PMID, no OWN
    result = _import(workspace, nbib, efetch, book)
    assert result.exit_code == 0, result.output
    assert [row[3] for row in _rows(result)] == ["PubMed", "PubMed", "PubMed"]
    export = tmp_path / "psycinfo.nbib"
    export.write_text(PSYCINFO_OVID, encoding="utf-8")
    named = _import(workspace, export, "--source", "PsycINFO (Ovid)")
    assert [row[3] for row in _rows(named)] == ["PsycINFO (Ovid)"]
    counts = CliRunner().invoke(main, ["-w", str(workspace.root), "status"])
    assert "PsycINFO (Ovid)" in counts.stdout


def test_the_rule_is_written_in_sources_md() -> None:
    doc = (Path(__file__).resolve().parents[2] / "docs" / "sources.md").read_text(encoding="utf-8")
    row = next(line for line in doc.splitlines() if line.startswith("| `medline`"))
    assert row.endswith("| a record's `DB` line, then the file's (its records' most common `DB` line; `PubMed` when it "
                        "has numeric `PMID`s and no `DB` line), then the file name |")
