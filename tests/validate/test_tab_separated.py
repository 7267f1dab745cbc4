"""``review validate``'s tables read a tab-separated file (SPSS's tab-delimited export, R's ``write.table(sep="\\t")``)
as its comma-separated twin, by the one sniff (``csvcells.sniff_delimiter``); a header that tabs and commas both split
is refused in one line saying how to save the file."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from review.cli import main
from review.errors import ValidationError
from review.validate.table import read_table

#: Two raters' scores with decimals (ICC reads them as numbers).
SCORES = [(1, 2.5, 3.0), (2, 4.0, 4.5), (3, 1.5, 1.0), (4, 3.5, 3.5), (5, 2.0, 2.5), (6, 5.0, 4.5), (7, 3.0, 2.0)]


def _ratings(separator: str, decimal: str = ".") -> str:
    rows = [f"t{t}{separator}{rater}{separator}{str(score).replace('.', decimal)}"
            for t, *scores in SCORES for rater, score in zip("ab", scores)]
    return separator.join(["target", "rater", "score"]) + "\n" + "\n".join(rows) + "\n"


def _icc(tmp_path: Path, name: str, text: str) -> tuple[int, str, str]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", "icc", str(path)])
    return result.exit_code, result.stdout.replace(str(path), "FILE"), result.stderr.replace(str(path), "FILE")


@pytest.mark.parametrize("decimal", [".", ","], ids=["points", "commas"])
def test_a_tab_separated_file_reads_as_its_comma_twin(tmp_path: Path, decimal: str) -> None:
    # It was read as one column, 'target\trater\tscore': "column 'target': no such column (the header has
    # target	rater	score)", exit 4. SPSS in a Dutch locale writes decimal commas between its tabs.
    comma = _icc(tmp_path, "comma.csv", _ratings(","))
    assert comma[0] == 0, comma
    assert _icc(tmp_path, "tabs.txt", _ratings("\t", decimal)) == comma


def test_a_tab_file_has_the_decimal_mark_its_cells_show(tmp_path: Path) -> None:
    path = tmp_path / "t.tsv"
    path.write_text("# SYNTHETIC\nclient\tdays\tscore\nc1\t2,5\t1\nc2\t1,250\t2\nc3\t1.250\t3\n", encoding="utf-8")
    table = read_table(path)
    assert table.columns == ["client", "days", "score"] and table.decimal_comma
    assert [table.number(i, "days") for i in range(2)] == [2.5, 1.25]
    with pytest.raises(ValidationError, match=r"t\.tsv:line 5: column 'days': '1\.250' is ambiguous in a file "
                                              r"separated by tabs, whose decimal mark is the comma"):
        table.number(2, "days")
    path.write_text("client\tdays\nc1\t2.5\nc2\t1,250\nc3\t1.250\n", encoding="utf-8")  # R's write.table: points
    table = read_table(path)
    assert not table.decimal_comma and [table.number(i, "days") for i in (0, 2)] == [2.5, 1.25]
    with pytest.raises(ValidationError, match="'1,250' is ambiguous: a thousands separator or a decimal comma"):
        table.number(1, "days")


@pytest.mark.parametrize(("header", "others"), [("client\tage, years\tscore", "','"),
                                                ("client\tage;years\tscore", "';'"),
                                                ("client,age\tyears;score", "',' and ';'")])
def test_a_header_split_by_tabs_and_commas_is_refused_in_one_line(tmp_path: Path, header: str, others: str) -> None:
    path = tmp_path / "mixed.txt"
    path.write_text(f"# exported\n{header}\nc1\t40\t3\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", "factors", str(path), "--outcome", "score"])
    assert result.exit_code == ValidationError.exit_code and result.stdout == ""
    assert result.stderr == (f"review: {path}:line 2: the header holds both tabs and {others}: which separates the "
                             "columns is a guess; save the file as comma-separated CSV (Excel: CSV UTF-8; R: "
                             "write.csv; SPSS: comma-delimited), or tab-separated with no "
                             f"{others.replace(' and ', ' or ')} in the header\n")


def test_tabs_around_a_comma_separated_header_are_no_separator(tmp_path: Path) -> None:
    # a header copied with a tab at its end (or its start) stays comma-separated, as it was read
    path = tmp_path / "c.csv"
    path.write_text("client,score\t\nc1,3\nc2,4\n", encoding="utf-8")
    assert read_table(path).columns == ["client", "score"]


def test_r_row_names_under_no_header_are_named(tmp_path: Path) -> None:
    # R's write.table(x, "f.txt", sep = "\t") writes '"target"\t"rater"\t"score"' over '"1"\t"t1"\t"a"\t2.5': every
    # row one cell longer than the header. The refusal said '4 cells but the header has 3' and no more.
    path = tmp_path / "r.txt"
    path.write_text('"target"\t"rater"\t"score"\n"1"\t"t1"\t"a"\t2.5\n"2"\t"t1"\t"b"\t3\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", "icc", str(path)])
    assert result.exit_code == ValidationError.exit_code
    assert result.stderr == (f"review: {path}:line 2: 4 cells but the header has 3 (R's write.table writes each row's "
                             "name under no header: write the file with row.names = FALSE, or give that column a "
                             "name)\n")
    path.write_text("target,rater,score\nt1,a,2.5\nt1,b,3,x\n", encoding="utf-8")  # a later row: a stray cell
    with pytest.raises(ValidationError, match=r"line 3: 4 cells but the header has 3$"):
        read_table(path)
