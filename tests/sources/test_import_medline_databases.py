"""Which database a MEDLINE-layout record belongs to, and Ovid's record layout (record numbers, AN)."""

from __future__ import annotations

from review.sources import read_file

#: Written here in the layout of Ovid's "tagged" export: each record opens with its number line
#: (``<1. >``), then VN and DB lines, and the accession number (the PubMed id for Ovid MEDLINE).
OVID_TAGGED = """\
<1. >
VN  - Ovid Technologies
DB  - Embase
AN  - 2014567890
TI  - Graded activity after sick leave for back pain.
AU  - Smit, K.
YR  - 2018

<2. >
VN  - Ovid Technologies
DB  - Ovid MEDLINE(R) ALL
AN  - 29876543
TI  - Relapse of sickness absence in depression.
AU  - Bakker, L.
YR  - 2019

<3>
VN  - Ovid Technologies
DB  - APA PsycInfo
AN  - 2020-11111-002
TI  - Workplace interventions for common mental disorders.
YR  - 2020
"""


def test_ovid_tagged_export_reads_each_numbered_record(tmp_path):
    path = tmp_path / "ovid.txt"
    path.write_text(OVID_TAGGED, encoding="utf-8")
    embase, medline, psycinfo = read_file(path).records
    assert [r.source for r in (embase, medline, psycinfo)] == ["Embase", "Ovid MEDLINE(R) ALL", "APA PsycInfo"]
    assert embase.position == "line 2" and not embase.raw.startswith("<")
    assert medline.title == "Relapse of sickness absence in depression."


def test_ovid_medline_accession_number_is_the_pmid_and_others_stay_ids(tmp_path):
    path = tmp_path / "ovid.txt"
    path.write_text(OVID_TAGGED, encoding="utf-8")
    embase, medline, psycinfo = read_file(path).records
    assert (medline.pmid, medline.external_id) == ("29876543", "29876543")
    # Embase's AN is digits too, but not a PubMed id.
    assert (embase.pmid, embase.external_id, embase.extra["accession_number"]) == ("", "2014567890", "2014567890")
    assert (psycinfo.pmid, psycinfo.external_id) == ("", "2020-11111-002")


def test_records_naming_no_database_take_the_files(shared, tmp_path):
    """JabRef's MultipleEntries file is PubMed's layout with five numeric PMIDs and two records without
    one: all seven are PubMed, never split between PubMed and the file's name."""
    path = shared("fixtures", "exports", "medline_nbib", "jabref_MedlinePlainImporterTestMultipleEntries.txt")
    result = read_file(path)
    assert {r.source for r in result.records} == {"PubMed"} and len(result.records) == 7
    renamed = tmp_path / "citation_search.txt"
    renamed.write_bytes(path.read_bytes())
    assert {r.source for r in read_file(renamed).records} == {"PubMed"}
    ovid = tmp_path / "ovid.txt"
    ovid.write_text("DB  - Embase\nTI  - One\n\nTI  - Two\n\nDB  - Embase\nTI  - Three\n", encoding="utf-8")
    assert [r.source for r in read_file(ovid).records] == ["Embase", "Embase", "Embase"]


def test_a_file_naming_no_database_is_named_by_its_stem(shared):
    """JabRef's MultiTitle and MultiAbstract files are hand-made fragments in PubMed's layout with no PMID
    and no DB line: nothing names a database, so the file's name stands in (not PubMed)."""
    for name in ("jabref_MedlinePlainImporterTestMultiTitle.txt", "jabref_MedlinePlainImporterTestMultiAbstract.txt"):
        (record,) = read_file(shared("fixtures", "exports", "medline_nbib", name)).records
        assert record.source == name.removesuffix(".txt")
