"""Format detection looks at content first; the extension only breaks ties."""

from __future__ import annotations

import pytest

from review.errors import ImportFormatError
from review.sources import detect_format, read_file

RIS = b"TY  - JOUR\nTI  - A title\nER  - \n"
MEDLINE = b"PMID- 123\nTI  - A title\nAU  - Smith J\n"
BIBTEX = b"@article{key, title={A title}}\n"
CSV = b"record_id,title\n1,A title\n"
XML = b'<?xml version="1.0"?>\n<PubmedArticleSet><PubmedArticle/></PubmedArticleSet>'


@pytest.mark.parametrize(
    ("data", "expected"),
    [(RIS, "ris"), (MEDLINE, "medline"), (BIBTEX, "bibtex"), (CSV, "csv"), (XML, "pubmed-xml")],
)
@pytest.mark.parametrize("name", ["export.txt", "export.dat", "export", "wrong.csv", "wrong.bib"])
def test_content_wins_over_misleading_names(data, expected, name):
    if expected == "csv" and name == "wrong.bib":
        # By design a weak CSV header loses to an explicit .bib name: the BibTeX reader then says what is wrong.
        expected = "bibtex"
    assert detect_format(data, name) == expected


def test_semicolon_csv_and_tsv():
    assert detect_format(b"Title;Authors;Year\nA;B;2001\n", "refs.txt") == "csv"
    assert detect_format(b"title\tyear\nA\t2001\n", "refs") == "csv"


def test_medline_weak_signal_loses_to_ris_extension(shared):
    # JabRef's corrupted RIS has no TY line; its tags also look like MEDLINE.
    path = shared("fixtures", "exports", "ris", "jabref_RisImporterCorrupted.ris")
    with pytest.raises(ImportFormatError, match="no TY line"):
        read_file(path)


@pytest.mark.parametrize(
    ("folder", "fmt"),
    [("ris", "ris"), ("medline_nbib", "medline"), ("bibtex", "bibtex"), ("endnote_xml", "endnote-xml"),
     ("endnote_tagged", "endnote-tagged")],
)
def test_every_real_export_detected(shared, folder, fmt):
    skip = {"rispy_example_wos.ris", "jabref_RisImporterCorrupted.ris", "bibtexparser_gbk_test.bib"}
    if folder == "ris":
        wos = shared("fixtures", "exports", "ris", "rispy_example_wos.ris")
        assert detect_format(wos.read_bytes(), wos.name) == "wos"  # despite its .ris name
    paths = [p for p in sorted(shared("fixtures", "exports", folder).iterdir()) if p.name not in skip]
    assert paths
    for path in paths:
        assert detect_format(path.read_bytes(), path.name) == fmt, path.name


def test_real_pubmed_xml_and_medline_text_detected(shared):
    base = shared("fixtures", "pubmed")
    assert detect_format((base / "biopython" / "pubmed4.xml").read_bytes(), "x.xml") == "pubmed-xml"
    assert detect_format((base / "jabref" / "MedlineImporterTestPubmedBook.xml").read_bytes()) == "pubmed-xml"
    assert detect_format((base / "biopython" / "pubmed_result3.txt").read_bytes(), "a.txt") == "medline"


def test_other_xml_named_by_its_root(shared):
    with pytest.raises(ImportFormatError, match="eSearchResult"):
        read_file(shared("fixtures", "pubmed", "biopython", "esearch1.xml"))


def test_utf16_with_bom_is_read(tmp_path):
    path = tmp_path / "win.ris"
    path.write_bytes("TY  - JOUR\r\nTI  - Zo\u00eb\r\nER  - \r\n".encode("utf-16"))
    result = read_file(path)
    assert result.encoding == "utf-16"
    assert result.records[0].title == "Zoë"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("FN Clarivate Analytics Web of Science\nVR 1.0\nPT J\nTI A title\nPY 2020\n", "line 3: .*no ER line"),
        ("FN Clarivate Analytics Web of Science\nVR 1.0\nTI A title\nPT J\nER\n", "line 3: Web of Science tag TI outside a record"),
        ("FN Clarivate Analytics Web of Science\nVR 1.0\nPT J\nTI One\nPT J\nTI Two\nER\n", "line 3: .*before the next PT at line 5"),
    ],
)
def test_broken_web_of_science_files_name_the_line(tmp_path, text, message):
    path = tmp_path / "savedrecs.txt"
    path.write_text(text, encoding="utf-8")
    assert detect_format(path.read_bytes(), path.name) == "wos"
    with pytest.raises(ImportFormatError, match=message):
        read_file(path)


def test_medline_publication_type_lines_are_not_web_of_science():
    medline = "TI  - A title\nPT  - Journal Article\nAB  - Text.\n"
    assert detect_format(medline.encode(), "x.txt") == "medline"
