"""``review dedup FILE.csv --out`` reads a ``;``-separated file (Dutch Excel's "CSV" export of a screening set) as its
comma-separated twin, by the one sniff of ``review meta`` and ``review validate`` (``csvcells.sniff_delimiter``)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from click.testing import CliRunner

from review.cli import main
from review.csvcells import sniff_delimiter
from review.dedup.csvio import load_records_csv

HEADER = ["record_id", "title", "authors", "year", "journal", "pages", "doi", "publication_types"]
#: Cells holding commas and semicolons (author lists, publication types), quoted by whichever delimiter is used.
ROWS = [
    ["a1", "Sickness absence, depression and return to work; a cohort", "Smith, J; Jones, K", "2019",
     "J Occup Rehabil", "12-20", "10.1007/s1-019", "Journal Article"],
    ["a2", "Sickness absence, depression and return to work: a cohort", "Smith J; Jones K", "2019",
     "Journal of Occupational Rehabilitation", "12-20", "10.1007/S1-019", "Journal Article"],
    ["a3", "Erratum: Sickness absence, depression and return to work", "Smith, J", "2020", "J Occup Rehabil", "99",
     "", "Journal Article; Published Erratum"],
    ["a4", "Knee surgery in older workers", "Bakker, P; de Vries, A", "2018", "Knee", "1-9", "10.1016/k.2018",
     "Journal Article"],
    ["a5", "Müller's burnout scale, revised", "Müller, H", "2021", "Arbeid & Gezondheid", "5-11", "", ""],
]


def _written(path: Path, delimiter: str) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, delimiter=delimiter).writerows([HEADER, *ROWS])
    return path


def _deduplicated(tmp_path: Path, name: str, delimiter: str) -> tuple[bytes, str, str]:
    folder = tmp_path / name
    folder.mkdir()
    source, out = _written(folder / "records.csv", delimiter), folder / "clusters.csv"
    result = CliRunner().invoke(main, ["dedup", str(source), "--out", str(out)])
    assert result.exit_code == 0, result.output
    # (the run's own seconds at the end of the summary line differ)
    return out.read_bytes(), result.stdout, result.stderr.replace(str(folder), "DIR").rsplit(", ", 1)[0]


def test_a_semicolon_file_gives_the_clusters_of_its_comma_twin(tmp_path: Path) -> None:
    # It was refused: "missing column 'record_id' (columns are separated by ';', not commas: save the file as
    # comma-separated CSV)", exit 3.
    comma = _deduplicated(tmp_path, "comma", ",")
    assert comma == _deduplicated(tmp_path, "semicolon", ";")
    assert b"a1,a1,auto\na2,a1,auto\n" in comma[0]  # (the twin is no trivial file: a cluster was found)


def test_a_semicolon_files_records_are_its_twins(tmp_path: Path) -> None:
    comma = load_records_csv(_written(tmp_path / "c.csv", ","))
    semicolon = load_records_csv(_written(tmp_path / "s.csv", ";"))
    assert [r.authors for r in semicolon.records] == [r.authors for r in comma.records]
    assert semicolon.records[2].publication_types == ["Journal Article", "Published Erratum"]
    assert semicolon.records == comma.records


def test_a_comma_file_with_semicolons_in_its_cells_stays_comma_separated(tmp_path: Path) -> None:
    # the header decides: cells full of ';' (author lists) do not
    path = tmp_path / "c.csv"
    path.write_text("record_id,title,authors\nb1,A;B;C;D,X; Y; Z; W\nb2,E,F\n", encoding="utf-8")
    records = load_records_csv(path).records
    assert [r.title for r in records] == ["A;B;C;D", "E"] and records[0].authors == ["X", "Y", "Z", "W"]


@pytest.mark.parametrize("delimiter", [";", "\t"])
def test_a_semicolon_or_tab_file_gives_the_clusters_of_its_comma_twin(tmp_path: Path, delimiter: str) -> None:
    # A tab-separated one was refused until 2026-12-08: "missing column 'record_id' (columns are separated by a tab,
    # not commas: save the file as comma-separated CSV)", exit 3; review validate read it.
    assert _deduplicated(tmp_path, "comma", ",") == _deduplicated(tmp_path, "other", delimiter)


def test_a_header_that_tabs_and_commas_both_split_is_refused_naming_its_line(tmp_path: Path) -> None:
    # (validate's refusal: which separates the columns is a guess)
    path = tmp_path / "t.csv"
    path.write_text("record_id\ttitle, short\nb1\tA\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["dedup", str(path), "--out", str(tmp_path / "o.csv")])
    assert result.exit_code == 3 and not (tmp_path / "o.csv").exists()
    assert result.stderr.startswith(f"review: {path}:line 1: the header holds both tabs and ','")
    assert result.stderr.count("\n") == 1


def test_a_semicolon_file_without_a_column_gets_no_hint_to_save_it_with_commas(tmp_path: Path) -> None:
    # It said 'missing column 'record_id' (columns are separated by ';', not commas: save the file as comma-separated
    # CSV)' of a file it had read by its ';' (b90abacb).
    path = tmp_path / "s.csv"
    path.write_text("id;title\n1;x\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["dedup", str(path), "--out", str(tmp_path / "o.csv")])
    assert result.exit_code == 3
    assert result.stderr == f"review: {path}:line 1: missing column 'record_id' (the header has id, title)\n"


def test_a_comma_file_whose_quoted_header_cell_holds_semicolons_stays_comma_separated(tmp_path: Path) -> None:
    # The sniff counted the ';' inside the quotes (4 against 3 commas) and read the file by ';': "missing column
    # 'record_id'" of a file that has it.
    path = tmp_path / "c.csv"
    path.write_text('record_id,title,authors,"notes; screener; date; source; round"\nb1,A,X,n\n', encoding="utf-8")
    records = load_records_csv(path).records
    assert [(r.external_id, r.title) for r in records] == [("b1", "A")]


@pytest.mark.parametrize(("header", "delimiter"), [
    ('record_id,"a;b;c;d",title', ","),  # quoted ';' are a cell's, not separators
    ('record_id;"a, b, c";title', ";"),  # quoted ',' likewise
    ('"record_id";"title"', ";"),
    ('record_id,"title ""a;b;c"""', ","),  # an escaped quote inside the quoted cell
    ("record_id;title,x", ","),  # a tie still reads as commas, as before
])
def test_the_sniff_counts_separators_outside_quotes(header: str, delimiter: str) -> None:
    assert sniff_delimiter(header) == delimiter


def test_a_tab_header_with_a_comma_inside_quotes_is_tab_separated() -> None:
    # It was refused as ambiguous ("the header holds both tabs and ','"): the ',' is inside a quoted name.
    assert sniff_delimiter('client\t"age, years"\tscore', tabs=True) == "\t"


def test_a_header_of_quoted_names_between_tabs_is_tab_separated() -> None:
    # R's write.table(sep = "\t") quotes every name: nothing but tabs between the quoted cells
    assert sniff_delimiter('"target"\t"rater"\t"score"\n', tabs=True) == "\t"
