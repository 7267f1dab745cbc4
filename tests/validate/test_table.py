"""The CSV reader: what a spreadsheet writes comes back cell for cell, with the file's row numbers."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from review.validate.table import joined_notes, read_table

cells = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=12)


@settings(max_examples=40, deadline=None)
@given(rows=st.lists(st.lists(cells, min_size=3, max_size=3), min_size=1, max_size=6),
       comments=st.integers(0, 2))
def test_cells_round_trip(tmp_path_factory, rows: list[list[str]], comments: int) -> None:
    rows = [r for r in rows if any(c.strip() for c in r)] or [["x", "", ""]]
    buffer = io.StringIO()
    for i in range(comments):
        buffer.write(f"# comment {i}\n")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["a", "b", "c"])
    writer.writerows(rows)
    path = Path(tmp_path_factory.mktemp("t")) / "x.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    table = read_table(path)
    assert table.columns == ["a", "b", "c"] and table.header_row == comments + 1
    assert [[r["a"], r["b"], r["c"]] for r in table.rows] == rows
    assert table.row_numbers[0] == comments + 2


def test_a_line_separator_inside_a_cell_stays_in_the_cell(tmp_path: Path) -> None:
    # hypothesis found it: str.splitlines() broke the quoted cell at U+2028 and shifted the cells
    path = tmp_path / "x.csv"
    path.write_text('a,b,c\n,,"\u20280"\nx,"y\u0085z",\n', encoding="utf-8")
    table = read_table(path)
    assert [[r["a"], r["b"], r["c"]] for r in table.rows] == [["", "", "\u20280"], ["x", "y\u0085z", ""]]
    assert table.row_numbers == [2, 3]


def test_semicolons_and_decimal_commas(tmp_path: Path) -> None:
    path = tmp_path / "nl.csv"
    path.write_text("target;rater;score\nt1;r1;3,5\n", encoding="utf-8")
    table = read_table(path)
    assert table.number(0, "score") == 3.5


def test_a_fifo_is_read_and_a_device_refused(tmp_path: Path) -> None:
    # `review validate sus <(gpg -d sus.csv.gpg)` keeps decrypted answers off disk; /dev/zero never ends.
    import os
    import threading

    import pytest

    from review.errors import ValidationError
    from review.validate.table import is_synthetic

    with pytest.raises(ValidationError, match="/dev/zero: not a regular file"):
        read_table("/dev/zero")
    if not hasattr(os, "mkfifo"):
        pytest.skip("needs FIFOs")
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)

    def write() -> None:
        with open(fifo, "wb") as pipe:
            pipe.write(b"# SYNTHETIC demo\ntarget,rater,score\nt1,r1,3\n")

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    table = read_table(fifo)
    writer.join(5)
    assert table.number(0, "score") == 3.0
    assert not is_synthetic(fifo)  # cannot be read again: real data, the cautious reading (and no wait)


def test_only_a_leading_synthetic_mark_makes_a_file_synthetic(tmp_path: Path) -> None:
    from review.validate.demo import write_demo_data
    from review.validate.table import is_synthetic

    def first_line(text: str) -> Path:
        path = tmp_path / "c.csv"
        path.write_bytes(text.encode("utf-8") + b"\nclient,score\nc1,1\n")
        return path

    # a comment that merely contains the word exempted real data from the privacy refusals
    assert not is_synthetic(first_line("# not synthetic: real clients"))
    assert not is_synthetic(first_line("# real clients, NOT SYNTHETIC"))
    assert not is_synthetic(first_line("client,SYNTHETIC"))
    assert is_synthetic(first_line("\ufeff# SYNTHETIC demo data"))
    written = write_demo_data(tmp_path / "demo")
    assert written and all(is_synthetic(p) for p in written if p.suffix == ".csv")


def test_a_case_control_indicator_is_no_client_id(tmp_path: Path) -> None:
    from review.errors import ValidationError

    path = tmp_path / "c.csv"
    # a 0/1 'case' column (with an empty cell) was refused as 'client '1' appears twice'
    path.write_text("case,score\n1,3\n0,1\n1,2\n,4\n", encoding="utf-8")
    assert read_table(path).require_unique_ids() is None
    path.write_text("client,case,score\nc1,1,3\nc2,0,1\nc1,1,2\n", encoding="utf-8")
    with pytest.raises(ValidationError, match=r"line 4: column 'client': client 'c1' appears twice"):
        read_table(path).require_unique_ids()
    path.write_text("case,score\nk7,3\nk8,1\nk7,2\n", encoding="utf-8")  # case numbers are ids
    with pytest.raises(ValidationError, match=r"line 4: column 'case': client 'k7' appears twice"):
        read_table(path).require_unique_ids()


@pytest.mark.parametrize(("cell", "number"), [("1.5", 1.5), ("1,5", 1.5), ("0,125", 0.125), ("-2,25", -2.25),
                                              ("1e3", 1000.0), (" 7 ", 7.0)])
def test_numbers_people_type(cell: str, number: float) -> None:
    from review.csvcells import parse_number

    assert parse_number(cell) == number
    with pytest.raises(ValueError, match="'1_0' is not a number"):  # float() reads Python's 10
        parse_number("1_0")


@pytest.mark.parametrize(("cell", "number"), [("1,250", 1.25), ("1,000", 1.0), ("-12,345", -12.345), ("0,5", 0.5),
                                              ("1.25", 1.25), ("0.250", 0.25), ("1.2500", 1.25), ("1e3", 1000.0)])
def test_a_semicolon_file_has_the_comma_as_its_decimal_mark(cell: str, number: float) -> None:
    from review.csvcells import parse_number

    assert parse_number(cell, decimal_comma=True) == number


@pytest.mark.parametrize(("cells", "comma"), [
    (["2,5", "1.250"], True), (["1,250", "0,5"], True), (["1,250"], True), ([], True), (["abc", "12"], True),
    (["2.5", "12.345"], False), ([".5", "1.250"], False), (["0.125", "1,5"], True), (["1.250", "12.345"], True)])
def test_a_semicolon_file_has_a_decimal_point_only_where_its_cells_show_one_and_no_comma(cells: list[str],
                                                                                        comma: bool) -> None:
    # A ';' file written with points (pandas' to_csv(sep=";"), rounded to three decimals) read '12.345' as 12.345 and
    # would have been refused; a cell that may group thousands ('1.250', '1,250') shows neither mark.
    from review.csvcells import reads_decimal_comma

    assert reads_decimal_comma(";", cells) is comma
    assert reads_decimal_comma(",", cells) is False


def test_a_semicolon_file_written_with_points_reads_three_decimals(tmp_path: Path) -> None:
    path = tmp_path / "pandas.csv"
    path.write_text("client;days;score\nc1;2.5;1\nc2;12.345;2\nc3;1.250;3\n", encoding="utf-8")
    table = read_table(path)
    assert [table.number(i, "days") for i in range(3)] == [2.5, 12.345, 1.25]


@pytest.mark.parametrize("cell", ["1.250", "-12.345", "1.000"])
def test_a_point_that_may_group_thousands_in_a_semicolon_file_is_refused(cell: str, tmp_path: Path) -> None:
    # Dutch Excel writes 1250 as '1.250' in a column formatted with a thousands separator: it was read as 1.25
    from review.errors import ValidationError

    path = tmp_path / "nl.csv"
    path.write_text(f"client;days;score\nc1;2,5;1\nc2;{cell};2\n", encoding="utf-8")
    table = read_table(path)
    assert table.number(0, "days") == 2.5
    whole, fraction = cell.split(".")
    with pytest.raises(ValidationError, match=(
            rf"nl\.csv:line 3: column 'days': '{re.escape(cell)}' is ambiguous in a file separated by ';', whose "
            rf"decimal mark is the comma: a thousands separator or a decimal point[?] write {whole}{fraction} or "
            rf"{whole},{fraction}$")):
        table.number(1, "days")


@pytest.mark.parametrize(("cell", "error"), [
    ("1,000", "'1,000' is ambiguous: a thousands separator or a decimal comma? write 1000 or 1.000"),
    ("12,345", "'12,345' is ambiguous"), ("nan", "'nan' is not a finite number"),
    ("-inf", "'-inf' is not a finite number"), ("1e999", "'1e999' is not a finite number")])
def test_numbers_we_will_not_guess_at_name_their_cell(cell: str, error: str, tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    rows = [f"c{i},{i % 4},{40 + i % 7},{int(i % 3 == 0)}" for i in range(60)]
    rows[4] = f'c4,"{cell}",44,1'
    path.write_text("client,score,age,recurrence\n" + "\n".join(rows) + "\n", encoding="utf-8")
    _each_analysis_refuses_the_score(path, rf"c\.csv:line 6: column 'score': {error.replace('?', '[?]').replace('.', '[.]')}")


def _each_analysis_refuses_the_score(path: Path, where: str) -> None:
    """The predictor, an adjustment column and a candidate factor found by default: each refusal matches ``where``."""
    from review.errors import ValidationError
    from review.validate.factors import factor_associations
    from review.validate.predictive import predictive_check

    with pytest.raises(ValidationError, match=where):
        predictive_check(path, outcome="recurrence", predictor="score", n_boot=10)
    with pytest.raises(ValidationError, match=where):
        factor_associations(path, outcome="recurrence", factors=["age"], adjust=["score"])
    with pytest.raises(ValidationError, match=where):  # a candidate factor found by default, too
        factor_associations(path, outcome="recurrence", adjust=["age"])


def test_each_analysis_reads_a_semicolon_file_by_its_decimal_comma(tmp_path: Path) -> None:
    # The predictor, an adjustment column and a candidate factor are read cell by cell outside Table.number: '1.250'
    # was 1.25 there, '1,250' refused.
    from review.validate.factors import factor_associations
    from review.validate.predictive import predictive_check

    def cohort(name: str, score: str) -> Path:
        rows = [f"c{i};{i % 4},{i % 10}00;{40 + i % 7};{int(i % 3 == 0)}" for i in range(60)]
        rows[4] = f"c4;{score};44;1"
        path = tmp_path / name
        path.write_text("client;score;age;recurrence\n" + "\n".join(rows) + "\n", encoding="utf-8")
        return path

    decimals, grouped = cohort("decimals.csv", "1,250"), cohort("grouped.csv", "1.250")
    assert predictive_check(decimals, outcome="recurrence", predictor="score", n_boot=10).c_statistic > 0
    assert factor_associations(decimals, outcome="recurrence", factors=["age"], adjust=["score"]).factors
    _each_analysis_refuses_the_score(
        grouped, r"grouped\.csv:line 6: column 'score': '1\.250' is ambiguous in a file separated by ';'")


@pytest.mark.parametrize(("text", "row"), [
    # The quote took rows 4 and 5 into row 3's note: 2 clients read of 4, silently.
    ('client,score,note\nc1,3,ok\nc2,4,"fine\nc3,5,x\nc4,2,y\n', 3),
    ('# a comment\n\nclient;score;note\nc1;3;"open; still open\n', 4),  # semicolons, comment and blank lines
    ('"client,score\nc1,3\n', 1),  # the header's
])
def test_a_quoted_cell_never_closed_is_refused_naming_its_row(tmp_path: Path, text: str, row: int) -> None:
    from review.errors import ValidationError

    path = tmp_path / "x.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValidationError) as raised:
        read_table(path)
    assert str(raised.value).startswith(f"{path}:line {row}: a quoted cell is never closed")


def test_trailing_empty_cells_are_dropped_as_the_importer_drops_them(tmp_path: Path) -> None:
    # a spreadsheet's export pads rows with empty cells; only a filled cell past the header shifts the row
    path = tmp_path / "pad.csv"
    path.write_text("a,b,c\n1,2,3,,\n4,5,6, \n", encoding="utf-8")
    assert [[r["a"], r["b"], r["c"]] for r in read_table(path).rows] == [["1", "2", "3"], ["4", "5", "6"]]
    path.write_text("a,b,c\n1,2,3,,x,\n", encoding="utf-8")
    with pytest.raises(Exception, match=r"pad\.csv:line 2: 5 cells but the header has 3"):
        read_table(path)


def test_notes_are_joined_one_way() -> None:
    # The factor table's "(6 incomplete rows left out; few events: …)", the Schoenfeld flag added to a
    # factor's few-events note: empty notes say nothing and leave no stray separator.
    assert joined_notes("6 incomplete rows left out", "", "few events") == "6 incomplete rows left out; few events"
    assert joined_notes("", "") == "" and joined_notes() == "" and joined_notes("", "a") == "a"


def test_a_row_is_named_by_the_line_it_starts_on(tmp_path: Path) -> None:
    # A note typed over two lines in a spreadsheet cell (Alt+Enter): the rows after it, and a refusal of a cell in
    # one, named the row's last line (the header's too), not the line a reader finds the row on.
    from review.errors import ValidationError

    path = tmp_path / "x.csv"
    path.write_text('target,"rater\nid",score\nt1,r1,"3"\nt2,"r2\nsecond line",x\n\nt3,r3,4\n', encoding="utf-8")
    table = read_table(path)
    assert (table.header_row, table.row_numbers) == (1, [3, 4, 7])
    with pytest.raises(ValidationError, match=r"x\.csv:line 4: column .score."):
        table.number(1, "score")
    path.write_text('a,b\n"1\n2",3\n"4\n5",6,7\n', encoding="utf-8")
    with pytest.raises(ValidationError, match=r"x\.csv:line 4\b.*3 cells but the header has 2"):
        read_table(path)


@pytest.mark.parametrize(("text", "refused"), [
    # a full row before it ends in an empty cell: the writer keeps empty cells, so the short last row is a cut
    ("item,expert,rating,note\nq1,e1,4,\nq1,e2,3,ok\nq1,e3,4", True),
    ("item,expert,rating,note\nq1,e1,4,fine\nq1,e2,3,ok\nq1,e3,", True),  # the row itself ends in an empty cell
    # no such sign: a writer that leaves trailing empty cells out writes this row whole, so it is read, with a warning
    ("# a comment\nitem,expert,rating,note\nq1,e1,4,fine\nq1,e2,3,ok\nq1,e3,4", False),
], ids=["empty_cell_kept_before", "ends_in_an_empty_cell", "may_be_whole"])
def test_a_file_cut_inside_its_last_row_is_refused_or_warned_of_as_the_import_does(
        tmp_path: Path, text: str, refused: bool) -> None:
    # The import's CSV reader (csvcells.LastRowWatch) tells a file cut off inside its last row from one whose last
    # row only leaves its empty cells out; this reader read either as it stood, the missing cells empty.
    from review.csvcells import SHORT_LAST_ROW, TRUNCATED_ROW
    from review.errors import ValidationError

    path = tmp_path / "ratings.csv"
    path.write_text(text, encoding="utf-8")
    line = text.count("\n") + 1
    if refused:
        with pytest.raises(ValidationError) as raised:
            read_table(path)
        assert str(raised.value) == f"{path}:line {line}: {TRUNCATED_ROW.format(cells=3, width=4)}"
    else:
        table = read_table(path)
        assert len(table) == 3 and table.warnings == [f"{path}:line {line}: {SHORT_LAST_ROW.format(cells=3, width=4)}"]
        path.write_text(text + "\n", encoding="utf-8")  # ended by a line break: no warning
        assert read_table(path).warnings == []


@pytest.mark.parametrize("tail", ["  ", ",,,", "\r\n,,,"])
def test_a_short_last_row_followed_by_a_blank_row_is_read_without_a_word(tmp_path: Path, tail: str) -> None:
    # The blank row after it (no line break of its own) shows the row before it was ended by one: it is whole, and
    # 'the file ends inside this row (3 of 4 cells, no line break after it): cut off?' refused the file, exit 4.
    path = tmp_path / "ratings.csv"
    path.write_text("item,expert,rating,note\nq1,e1,4,\nq1,e2,3,ok\nq1,e3,4\n" + tail, encoding="utf-8")
    table = read_table(path)
    assert (len(table), table.rows[-1]["rating"], table.warnings) == (3, "4", [])
