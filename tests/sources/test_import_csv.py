"""CSV import on the shared labelled sets: counts equal the files', fields round-trip."""

from __future__ import annotations

import csv
import re

import pytest

from review.errors import ImportFormatError
from review.sources import import_files, read_file
from review.sources.fields import AUTHORS_INCOMPLETE, bare_doi, split_authors

CSV_SETS = [
    ("data", "dedup", "asysd_diabetes.csv"),
    ("data", "dedup", "sra_respiratory.csv"),
    ("data", "screening", "cohen2006_betablockers.csv"),
    ("data", "screening", "nagtegaal2019_nudging.csv"),
]


_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _rows(path):
    """The file's rows counted independently of the reader (plain csv module), control characters
    removed as the import does (nagtegaal2019 has \\x01 where '=' was)."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return [{k: _CONTROLS.sub("", v) for k, v in row.items()} for row in csv.DictReader(handle)]


@pytest.mark.parametrize("parts", CSV_SETS, ids=lambda p: p[-1])
def test_csv_sets_count_and_fields_round_trip(shared, parts):
    path = shared(*parts)
    rows = _rows(path)
    result = read_file(path)
    assert result.format == "csv" and result.encoding == "utf-8"
    assert len(result.records) == len(rows)
    cut_rows = 0
    for row, record in zip(rows, result.records, strict=True):
        assert record.external_id == row["record_id"]
        assert record.title == row["title"].strip()
        assert record.abstract == row["abstract"].strip()
        assert record.doi == bare_doi(row["doi"])  # the identifier, without its resolver address
        assert record.year == (int(row["year"]) if row["year"].strip() else None)
        names, cut = [n for n in split_authors(row["authors"]) if n != "Anonymous"], False  # no author
        if names and names[-1] == "et al.":  # SRA's "Kawamura, K. and Yoshida, T. and et al.,": a cut list
            names, cut = names[:-1], True
        cut_rows += cut
        assert record.authors == names and record.extra.get(AUTHORS_INCOMPLETE, False) is cut
        for column in ("journal", "volume", "issue", "pages"):
            if column in row:
                assert getattr(record, column) == row[column].strip()
        for column in ("label_included", "label_abstract_included", "dup_group", "dup_group_alt", "orig_id"):
            if column in row:
                assert record.extra[column] == row[column]
    # Counted in the file with grep: only SRA ends some lists in "and et al.,".
    assert cut_rows == {"sra_respiratory.csv": 9}.get(parts[-1], 0)


def test_csv_labels_and_groups_kept_as_metadata(shared):
    records = read_file(shared("data", "screening", "cohen2006_betablockers.csv")).records
    included = sum(r.extra["label_included"] == "1" for r in records)
    assert included == 42  # the dataset README: 42 final inclusions
    groups = {r.extra["dup_group"] for r in read_file(shared("data", "dedup", "sra_respiratory.csv")).records}
    assert len(groups) == 1552  # the dataset README: 1,552 true publications


def test_csv_author_conventions(shared):
    asysd = read_file(shared("data", "dedup", "asysd_diabetes.csv")).records[0]
    assert asysd.authors[:2] == ["Tashiro Y.", "Sato K."]  # glued "Tashiro Y.Sato K." split
    sra = read_file(shared("data", "dedup", "sra_respiratory.csv")).records[0]
    assert sra.authors[:2] == ["Blumenschein, G.", "Schwartzberg, L. S."]
    cohen = read_file(shared("data", "screening", "cohen2006_betablockers.csv")).records[1]
    assert cohen.authors[0] == "K P Bensky"


def test_csv_positions_and_raw_rows(shared):
    path = shared("data", "dedup", "sra_respiratory.csv")
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    records = read_file(path).records
    first = records[0]
    assert first.position == "line 2"
    assert first.raw == lines[1]
    for record in records[:200]:
        number = int(record.position.split()[1])
        assert lines[number - 1].startswith(record.external_id + ",")


def test_import_into_workspace_then_reimport_is_skipped(shared, workspace):
    path = shared("data", "dedup", "sra_respiratory.csv")
    first = import_files(workspace, [path])
    (outcome,) = first.files
    assert outcome.status == "imported" and outcome.n_records == 1988
    assert workspace.store.count_records() == 1988
    again = import_files(workspace, [path, path])
    assert [f.status for f in again.files] == ["skipped", "skipped"]
    assert "already imported as batch" in again.files[0].message
    assert workspace.store.count_records() == 1988
    assert len(workspace.store.batches()) == 1
    stored = workspace.store.records()[0]
    assert stored.source == "sra_respiratory" and stored.position == "line 2"
    assert stored.extra["dup_group"]


def test_copy_of_same_bytes_is_also_detected(shared, workspace, tmp_path):
    path = shared("fixtures", "exports", "ris", "rispy_example_full.ris")
    copy = tmp_path / "renamed.ris"
    copy.write_bytes(path.read_bytes())
    import_files(workspace, [path])
    report = import_files(workspace, [copy])
    assert report.files[0].status == "skipped"
    assert workspace.store.count_records() == 2


def test_source_database_column_becomes_source(tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_text("Title;Source_Database;Label_Included\nA;Embase;1\nB;;0\n", encoding="cp1252")
    result = read_file(path)
    assert [r.source for r in result.records] == ["Embase", "mixed"]
    assert result.records[0].extra == {"Label_Included": "1"}


def test_cp1252_csv_is_decoded_and_reported(tmp_path):
    path = tmp_path / "win.csv"
    path.write_bytes("title,authors\nCaf\u00e9 \u2013 study,M\u00fcller A\n".encode("cp1252"))
    result = read_file(path)
    assert result.encoding == "cp1252"
    assert result.records[0].title == "Café – study"
    assert result.records[0].authors == ["Müller A"]
    # Capitals, ß and quotes beside each other stay cp1252 text (no pair that reads as UTF-8 "é").
    path.write_bytes("title,journal\n“ÉTUDE” – Straße,Revue d’Épidémiologie\n".encode("cp1252"))
    result = read_file(path)
    assert result.encoding == "cp1252" and result.records[0].journal == "Revue d’Épidémiologie"


@pytest.mark.parametrize(
    ("cell", "authors"),
    [
        ("Tashiro Y.Sato K.Watanabe T.", ["Tashiro Y.", "Sato K.", "Watanabe T."]),
        ("Chien C. T.Fan S. C.", ["Chien C. T.", "Fan S. C."]),
        ("Smith J.de Vries A. B.", ["Smith J.", "de Vries A. B."]),
        ("Smith J.O'Brien K.", ["Smith J.", "O'Brien K."]),
        ("J.Smith, A.Jones", ["J.Smith, A.Jones"]),  # not the glued pattern: left whole
        ("Smith JA, Jones K", ["Smith JA", "Jones K"]),
        ("Smith, John", ["Smith, John"]),
        ("Smith, J. and Jones, K.", ["Smith, J.", "Jones, K."]),
        ("A Smith; B Jones;", ["A Smith", "B Jones"]),
        ("Anonymous", ["Anonymous"]),
        ("  ", []),
    ],
)
def test_author_cell_conventions(cell, authors):
    assert split_authors(cell) == authors


def test_excel_sep_line_and_tab_separated(tmp_path):
    path = tmp_path / "excel.csv"
    path.write_text("sep=;\nTitle;Year\nA, with comma;2001\n", encoding="utf-8")
    (record,) = read_file(path).records
    assert (record.title, record.year, record.position) == ("A, with comma", 2001, "line 3")
    tsv = tmp_path / "rayyan.tsv"
    tsv.write_text("key\ttitle\tauthors\nk1\tA title\tSmith J; Jones K\n", encoding="utf-8")
    (row,) = read_file(tsv).records
    assert row.authors == ["Smith J", "Jones K"] and row.extra == {"key": "k1"}


@pytest.mark.parametrize(("name", "refused"), [
    ("kitchenham2010_software.csv", True),     # its rows end in an empty cell: the writer keeps empty cells
    ("cohen2006_antihistamines.csv", False),   # no row ends in one: a writer may leave them out (rrev29b)
])
def test_a_csv_cut_off_inside_its_last_row(shared, tmp_path, name, refused):
    """A screening set cut after 25 bytes of its fourth row was imported whole, the fourth record titled 'The
    changing face of an', without a word (walk29). Where the file shows its writer keeps a row's empty cells, it is
    refused; where it does not, the row may be whole (trailing empty cells left out, only in the last row) and the
    file is read with a warning naming the row. The same rows ended by a line break read without one."""
    from review.csvcells import SHORT_LAST_ROW, TRUNCATED_ROW
    from review.errors import ImportFormatError

    lines = shared("data", "screening", name).read_bytes().split(b"\n")
    cut = tmp_path / "cut.csv"
    cut.write_bytes(b"\n".join(lines[:4]) + b"\n" + lines[4][:25])
    if refused:
        with pytest.raises(ImportFormatError) as raised:
            read_file(cut)
        assert str(raised.value) == f"{cut}:line 5: {TRUNCATED_ROW.format(cells=2, width=8)}"
    else:
        result = read_file(cut)
        assert len(result.records) == 4
        assert result.warnings == [f"{cut}:line 5: {SHORT_LAST_ROW.format(cells=2, width=8)}"]
    cut.write_bytes(cut.read_bytes() + b"\n")
    result = read_file(cut)
    assert (len(result.records), result.warnings) == (4, [])


def test_a_short_last_row_followed_by_a_blank_row_is_imported_without_a_word(tmp_path):
    # ',,' after the last line break (a spreadsheet's empty row, its own line break missing): the row before it was
    # ended by one, so it is whole; the file was refused as cut off inside that row (rrev30a).
    path = tmp_path / "typed.csv"
    path.write_text("title,abstract,doi\nA first title,Its abstract,\nA second title,Its abstract\n,,", encoding="utf-8")
    result = read_file(path)
    assert ([r.title for r in result.records], result.warnings) == (["A first title", "A second title"], [])


def test_a_short_last_row_warning_reaches_the_import_report(workspace, tmp_path):
    from review.csvcells import SHORT_LAST_ROW

    typed = tmp_path / "typed.csv"
    typed.write_text("title,abstract,doi\nA first title,Its abstract,10.1/a\nA second title", encoding="utf-8")
    report = import_files(workspace, [typed])
    assert report.n_imported == 2
    assert report.warnings == [f"{typed}:line 3: {SHORT_LAST_ROW.format(cells=1, width=3)}"]


#: Scopus's CSV export ("Export > CSV", every field), its header as Scopus writes it.
SCOPUS_HEADER = ('"Authors","Author full names","Author(s) ID","Title","Year","Source title","Volume","Issue","Art. No.",'
                 '"Page start","Page end","Page count","Cited by","DOI","Link","Abstract","Author Keywords",'
                 '"Index Keywords","Publisher","ISSN","PubMed ID","Language of Original Document",'
                 '"Abbreviated Source Title","Document Type","Publication Stage","Open Access","Source","EID"')


def test_a_scopus_csv_keeps_its_journal_pages_keywords_type_and_language(tmp_path):
    # Scopus names them 'Source title', 'Page start'/'Page end', 'Author Keywords', 'Document Type' and 'Language of
    # Original Document': none was read, so the records had no journal or pages (dedup compares both) and the
    # columns stayed in the metadata only.
    path = tmp_path / "scopus.csv"
    path.write_text("\ufeff" + SCOPUS_HEADER + "\n" + ",".join(f'"{cell}"' for cell in (
        "Smith J.; Doe A.B.", "Smith, John (1); Doe, Anne B. (2)", "1;2", "Return to work after burnout", "2020",
        "Journal of Occupational Rehabilitation", "30", "1", "", "12", "25", "14", "3", "10.1007/s10926-019-09999-1",
        "https://www.scopus.com/x", "An abstract.", "burnout; return to work", "Human; Adult", "Springer", "10538038",
        "31234567", "English", "J Occup Rehabil", "Article", "Final", "", "Scopus", "2-s2.0-85000000000")) + "\n"
        "\"Roe K.\",,,\"A second one\",\"2021\",\"Work & Stress\",\"35\",\"2\",\"e101\",,,,,,,,,,,,,\"Dutch\",,"
        "\"Review\",,,\"Scopus\",\"2-s2.0-85000000001\"\n", encoding="utf-8")
    first, second = read_file(path).records
    assert (first.journal, first.pages, first.keywords, first.publication_types, first.language) == (
        "Journal of Occupational Rehabilitation", "12-25", ["burnout", "return to work"], ["Article"], "English")
    assert (first.title, first.doi, first.pmid, first.year, first.source) == (
        "Return to work after burnout", "10.1007/s10926-019-09999-1", "31234567", 2020, "Scopus")
    assert (second.journal, second.pages, second.language, second.publication_types) == (
        "Work & Stress", "e101", "Dutch", ["Review"])  # an article number where there are no pages, as WoS's
    assert first.extra["Index Keywords"] == "Human; Adult" and "Source title" not in first.extra


def test_delimiter_is_the_one_rule_of_meta_dedup_and_validate(tmp_path):
    """``review import`` sniffs a CSV's delimiter by ``csvcells.sniff_delimiter``: the marks inside a quoted header
    cell separate nothing (its own count read a comma-separated Covidence-style file by ';' and refused it as
    malformed), and a header that tabs and commas both split is refused, naming the line, instead of guessed."""
    quoted = tmp_path / "notes.csv"
    quoted.write_text('title,"notes; screener; date"\nA study,"x; y; z"\n', encoding="utf-8")
    (record,) = read_file(quoted).records
    assert (record.title, record.extra) == ("A study", {"notes; screener; date": "x; y; z"})
    both = tmp_path / "both.csv"
    both.write_text("title\tauthors, full\tyear\nA\tSmith J\t2001\n", encoding="utf-8")
    with pytest.raises(ImportFormatError, match=r"both\.csv:line 1: the header holds both tabs and ','.*\.tsv"):
        read_file(both)
    # named .tsv, the same file is read by its tabs (the suffix says so; no sniff)
    tsv = tmp_path / "both.tsv"
    tsv.write_bytes(both.read_bytes())
    (row,) = read_file(tsv).records
    assert (row.title, row.year, row.extra) == ("A", 2001, {"authors, full": "Smith J"})


def test_excel_sep_line_names_any_delimiter(tmp_path):
    """Excel reads a file by whatever its ``sep=`` line names; so does the import (a pipe too)."""
    path = tmp_path / "piped.csv"
    path.write_text("sep=|\ntitle|year\nA, b; c|2001\n", encoding="utf-8")
    (record,) = read_file(path).records
    assert (record.title, record.year, record.position) == ("A, b; c", 2001, "line 3")
