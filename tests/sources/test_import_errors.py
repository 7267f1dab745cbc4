"""Bad input: one line naming file, line/record and what is wrong; nothing imported."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from review.cli import main
from review.errors import ImportFormatError
from review.sources import import_files, read_file
from review.sources.decode import MAX_FIELD_CHARS

GOOD_RIS = "TY  - JOUR\nTI  - Fine record\nER  - \n"
TEN_MB = "x" * 10_000_000


def _bad_inputs() -> dict[str, tuple[str, bytes, str]]:
    """name → (file name, bytes, expected message fragment incl. location)."""
    return {
        "empty": ("empty.ris", b"", "empty file"),
        "whitespace": ("blank.csv", b"  \n\r\n\t\n", "empty file (only whitespace)"),
        "undecodable": ("bad.ris", b"TY  - JOUR\nTI  - caf\x81\x8d\nER  - \n",
                        "line 2: byte 0x81 at offset 20 is neither UTF-8 nor cp1252"),
        "mixed_encoding": ("mixed.ris",
                           "TY  - JOUR\nTI  - Über café naïve\n".encode() + b"AB  - stray \xe9 byte\nER  - \n",
                           "line 3: mixed encoding"),
        # One UTF-8 journal name and a cp1252 en dash: read as cp1252 it was "MÃ©decine du Travail".
        "mixed_encoding_one_accent": ("journal.ris",
                                      "TY  - JOUR\nJO  - Médecine du Travail\n".encode() + b"SP  - 12\x9615\nER  - \n",
                                      "line 3: mixed encoding: UTF-8 text with a stray byte 0x96 at offset 46"),
        "mixed_encoding_curly_quote": ("journal.nbib",
                                       "PMID- 1\nJT  - Revue d’Epidemiologie\n".encode() + b"PG  - 12\x9615\n",
                                       "line 3: mixed encoding"),
        "truncated_xml": ("cut.xml",
                          b'<?xml version="1.0"?>\n<PubmedArticleSet>\n<PubmedArticle>\n<MedlineCitation>'
                          b"<PMID>1</PMID>\n<Article><ArticleTitle>Cut",
                          "line"),
        "ris_without_er_at_end": ("noer.ris", (GOOD_RIS + "TY  - JOUR\nTI  - Unfinished\n").encode(),
                                  "line 4: RIS record has no ER line"),
        "ris_without_er_midway": ("noer2.ris", ("TY  - JOUR\nTI  - A\n" + GOOD_RIS).encode(),
                                  "line 1: RIS record has no ER line before the next TY at line 3"),
        "bibtex_unbalanced": ("bad.bib",
                              b"@article{ok, title={Fine}, year=2001}\n\n"
                              b"@article{broken,\n  title={Unbalanced {braces},\n  year=2000}\n",
                              "line 3: BibTeX entry '@article{broken' is not closed properly"),
        "csv_no_title": ("notitle.csv", b"id,abstract,year\n1,Text,2020\n",
                         "line 1: CSV has no title column (columns: id, abstract, year)"),
        # Web of Science's "Tab delimited file" export: its tags as columns, no 'title'; 'CSV has no title column
        # (columns: PT, AU, …)' named no way out
        "wos_tab_delimited": ("savedrecs.txt",
                              b"PT\tAU\tAF\tTI\tSO\tDT\tAB\tPY\tDI\tPM\tUT\r\nJ\tSmith, J\tSmith, John\tBack to work"
                              b"\tJOURNAL OF OCCUPATIONAL REHABILITATION\tArticle\tText\t2020\t10.1/x\t1\tWOS:0001\r\n",
                              "line 1: a Web of Science 'Tab delimited file' export (columns PT, AU, TI, …, UT), which "
                              "review does not read: export the records again from Web of Science as 'Plain text file' "
                              "(Record Content: Full Record), which review imports"),
        "csv_ten_mb_field": ("huge.csv", f'title,abstract\nA,"{TEN_MB}"\n'.encode(),
                             f"line 2: malformed CSV: a field is longer than {MAX_FIELD_CHARS:,}"),
        "ris_ten_mb_field": ("huge.ris", f"TY  - JOUR\nTI  - A\nAB  - {TEN_MB}\nER  - \n".encode(),
                             "line 1: field 'abstract' is 10,000,000 characters long"),
        "binary_nul": ("data.ris", b"TY  - JOUR\x00\x01\x02\x00" * 50, "line 1: binary file (NUL byte at offset 10)"),
        "utf16_without_bom": ("win.ris", "TY  - JOUR\r\nTI  - A\r\nER  - \r\n".encode("utf-16-le"),
                              "looks like UTF-16 without a byte-order mark"),
        "binary_pdf": ("paper.csv", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "binary file: a PDF document"),
        "csv_extra_cells": ("cells.csv", b"title,year\nA,2001\nB, with comma,2002\n",
                            "line 3: 3 cells but the header has 2 columns"),
        "csv_unclosed_quote": ("open.csv", b'title,year\nA,2001\n"B is never closed,2002\nC,2003\n',
                               "line 3: malformed CSV: a quoted field in this row is never closed"),
        "html_page": ("efetch.xml", b"<!DOCTYPE html>\n<html><body>Error</body></html>", "an HTML page"),
        "unknown_text": ("notes.txt", b"Just some notes\nabout papers\n", "line 1: unrecognised format"),
        # A note before a record's tag lines used to swallow the record without a word.
        "medline_record_behind_a_note": ("pubmed.nbib",
                                         b"PMID- 1\nTI  - One\n\nsee also:\nPMID- 2\nTI  - Two\n",
                                         "line 5: MEDLINE tag line 'PMID' in a paragraph that starts with text"),
    }


BAD = _bad_inputs()


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_input_gives_one_line_and_imports_nothing(case, tmp_path, workspace):
    name, data, fragment = BAD[case]
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(ImportFormatError) as caught:
        read_file(path)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(str(path))
    assert fragment in message
    assert len(message) < 400
    report = import_files(workspace, [path])
    assert report.files[0].status == "failed"
    assert workspace.store.count_records() == 0
    assert workspace.store.batches() == []


def test_failed_file_does_not_stop_the_good_ones(tmp_path, workspace):
    good = tmp_path / "good.ris"
    good.write_text(GOOD_RIS, encoding="utf-8")
    bad = tmp_path / "bad.ris"
    bad.write_text(GOOD_RIS + "TY  - JOUR\nTI  - half\n", encoding="utf-8")
    report = import_files(workspace, [bad, good])
    assert [f.status for f in report.files] == ["failed", "imported"]
    assert workspace.store.count_records() == 1  # nothing at all from bad.ris
    with pytest.raises(ImportFormatError):
        report.raise_first_error()


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(ImportFormatError, match="no such file"):
        read_file(tmp_path / "nope.ris")
    with pytest.raises(ImportFormatError, match="is a directory"):
        read_file(tmp_path)


def test_truncated_real_pubmed_fixture(shared):
    with pytest.raises(ImportFormatError, match="line 4"):
        read_file(shared("fixtures", "pubmed", "jabref", "MedlineImporterTestMalformedEntry.xml"))


def test_cli_bad_file_exits_non_zero_with_one_stderr_line(tmp_path, workspace):
    name, data, fragment = BAD["ris_without_er_at_end"]
    path = tmp_path / name
    path.write_bytes(data)
    result = CliRunner().invoke(main, ["--workspace", str(workspace.root), "import", str(path)])
    assert result.exit_code == ImportFormatError.exit_code
    error_lines = [line for line in result.stderr.splitlines() if line.startswith("review:")]
    assert error_lines == [f"review: {path}:line 4: RIS record has no ER line "
                           "(file ends inside it; truncated export?)"]
    assert workspace.store.count_records() == 0
    assert result.stdout == ""  # no header over no rows


def test_cli_every_file_failing_prints_no_header_and_one_line_each(tmp_path, workspace):
    missing, empty_dir = tmp_path / "missing.ris", tmp_path / "folder"
    empty_dir.mkdir()
    result = CliRunner().invoke(main, ["--workspace", str(workspace.root), "import", str(missing), str(empty_dir)])
    assert result.exit_code != 0 and result.stdout == ""
    errors = [line for line in result.stderr.splitlines() if line.startswith("review:")]
    assert len(errors) == 2 and str(missing) in errors[0] and str(empty_dir) in errors[1]
    assert "imported 0 records from 0 of 2 files" in result.stderr
