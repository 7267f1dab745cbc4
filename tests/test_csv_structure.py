"""The shared CSV row reader (``CsvText.dict_rows``): structure errors name file and line."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from review.csvcells import (SHORT_LAST_ROW, TRUNCATED_ROW, UNCLOSED_QUOTE, AmbiguousDelimiter, find_header, read_csv_text,
                             text_lines)
from review.errors import ImportFormatError


def _rows(path: Path, text: str) -> list[tuple[int, dict[str, object]]]:
    path.write_text(text, encoding="utf-8")
    return list(read_csv_text(path, "a, b").dict_rows()[1])


@pytest.mark.parametrize(("text", "where"), [
    ('"a,b\n1,2\n3,4\n', "line 1: a quoted cell is never closed"),  # the header swallowed the file
    # A row over several lines with extra cells: the quote is the cause, not a comma.
    ('a,b\n1,2\n3,x,y,"open\n4,5\n', "line 3: a quoted cell is never closed"),
    # The row's first line, as every row error: a cell's line break carries the row on to line 3, which starts no row.
    ('a,b\n"1\n2",x,y\n', "line 2: 3 cells but 2 columns"),
    ('a,b\n\n\n1,2\n"3\n4",5,6\n', "line 5: 3 cells but 2 columns"),  # (past blank lines)
])
def test_structure_errors_name_file_and_line(tmp_path: Path, text: str, where: str) -> None:
    path = tmp_path / "in.csv"
    with pytest.raises(ImportFormatError) as raised:
        _rows(path, text)
    assert str(raised.value).startswith(f"{path}:{where}")


def test_lenient_cells_still_read(tmp_path: Path) -> None:
    # Stray quotes inside a cell, a quoted line break, trailing empty cells, a last row without a newline.
    rows = _rows(tmp_path / "in.csv", 'a,b\n1,x "y" z,,\n"2","p\nq"\n3,"r ""s"""')
    assert rows == [(2, {"a": "1", "b": 'x "y" z'}), (3, {"a": "2", "b": "p\nq"}), (5, {"a": "3", "b": 'r "s"'})]
    # A short row's missing cells are None, as csv.DictReader gave them; blank lines are no rows.
    assert _rows(tmp_path / "in.csv", 'a,b\n\n1\n\n2,3\n') == [(3, {"a": "1", "b": None}), (5, {"a": "2", "b": "3"})]


@given(st.text(alphabet=st.sampled_from(["a", ",", '"', "\r", "\n", "\u2028", "\x85", "\x0c", "\x1c", "é"])))
def test_the_rows_are_read_from_the_lines_a_stringio_gives(text: str) -> None:
    # dict_rows reads lines one at a time (a StringIO copied the whole text at four bytes a character); the
    # lines, so the rows and their line numbers, must be those of StringIO(newline=""): not split at U+2028.
    assert list(text_lines(text)) == io.StringIO(text, newline="").readlines()


@pytest.mark.parametrize(("text", "said"), [
    ('a,b,c\n1,x,y\n2,p,q\n3,"r s', UNCLOSED_QUOTE),
    # A full row before it ends in an empty cell: the writer keeps empty cells, so a short last row is a cut.
    ("a,b,c\n1,x,\n2,p,q\n3,r s", TRUNCATED_ROW.format(cells=2, width=3)),
    # The row itself ends in an empty cell: a writer that leaves trailing empty cells out writes none there.
    ("a,b,c,d\n1,x,y,z\n2,p,q,r\n3,r s,", TRUNCATED_ROW.format(cells=3, width=4)),
], ids=["quoted", "empty_cell_kept_before", "ends_in_an_empty_cell"])
def test_a_file_cut_off_inside_its_last_row_is_refused(tmp_path: Path, text: str, said: str) -> None:
    """A download or copy cut short ends inside a row: read as a short row, its last cell cut ('The changing face
    of an') went on as a record (review dedup FILE.csv, review simulate said 'label_included '' is not 0 or 1')
    (walk29). A quoted cell left open says so, as before; an unquoted one now too, where the file shows it."""
    path = tmp_path / "in.csv"
    with pytest.raises(ImportFormatError) as raised:
        _rows(path, text)
    assert str(raised.value) == f"{path}:line 4: {said}"


def _read(path: Path, text: str) -> tuple[list[int], list[str]]:
    path.write_text(text, encoding="utf-8")
    csv_text = read_csv_text(path, "a, b")
    lines = [line for line, _ in csv_text.dict_rows()[1]]
    return lines, csv_text.warnings


@pytest.mark.parametrize("text", [
    "a,b,c\n1,x,y\n3,r\n",   # a short last row ended by a line break: its empty cells left out
    "a,b,c\n1,x\n3,r",       # every row short: the file leaves empty cells out
    "a,b,c\n1,x,y\n3,r,",    # as many cells as the header, the last empty
    'a,b,c\r\n1,x,y\r\n3,r,"s\r\nt"',  # CRLF, a quoted line break in the last cell
], ids=["line_break", "all_short", "full", "crlf_multiline_cell"])
def test_a_short_last_row_that_is_no_cut_still_reads(tmp_path: Path, text: str) -> None:
    assert _read(tmp_path / "in.csv", text) == ([2, 3], [])


@pytest.mark.parametrize(("text", "lines"), [
    ("a,b,c\n1,x,y\n2,p,q\n3,r", [2, 3, 4]),  # the last row leaves its empty cells out, as a hand-typed file may
    ("a,b,c\n1,r", [2]),                       # a one-row file
    ("a,b,c\r\n1,x,y\r\n3,\"r\r\ns\"", [2, 3]),  # CRLF, a quoted line break in its last cell
])
def test_a_short_last_row_that_may_be_whole_is_read_with_a_warning(tmp_path: Path, text: str, lines: list[int]) -> None:
    """A writer that leaves a row's trailing empty cells out, in a file without a final line break, writes the
    same last row as a cut does when only that row has empty cells at its end: refusing it refused a whole file
    (rrev29b). It is read as it stands, with a warning naming its line."""
    path = tmp_path / "in.csv"
    assert _read(path, text) == (lines, [f"{path}:line {lines[-1]}: {SHORT_LAST_ROW.format(cells=2, width=3)}"])


def test_blank_cells_at_the_end_without_a_line_break_are_no_cut_row(tmp_path: Path) -> None:
    # Spaces after the last line break: a blank row (meta skips it), no cut row.
    assert _read(tmp_path / "in.csv", "a,b,c\n1,x,y\n2,p,q\n  ")[1] == []


@pytest.mark.parametrize("tail", ["  ", ",,", "\t"])
@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_a_short_last_row_followed_by_a_blank_row_was_ended_by_a_line_break(tmp_path: Path, tail: str,
                                                                          newline: str) -> None:
    # A blank row after it (spaces, a spreadsheet's empty cells, an editor's tab) without a line break of its own:
    # the row before it was ended by one, so it is whole. It was refused as 'the file ends inside this row (2 of 3
    # cells, no line break after it): cut off?' (rrev30a); review import and review validate read by the same rule.
    text = newline.join(["a,b,c", "1,x,", "2,p", tail])
    assert _read(tmp_path / "in.csv", text)[1] == []  # (its blank row is line 4, as every blank row is: meta skips it)
    with pytest.raises(ImportFormatError, match="line 3: the file ends inside this row"):
        _read(tmp_path / "in.csv", newline.join(["a,b,c", "1,x,", "2,p"]))  # without it, the row is cut


@pytest.mark.parametrize(("text", "options", "found"), [
    ("a;b\n1;2\n", {}, ("a;b", 1, ",", ())),  # a reader of commas only takes no other
    ("a;b\n1;2\n", {"delimiters": ",;"}, ("a;b", 1, ";", ())),
    ('"x; y",b\n', {"delimiters": ",;"}, ('"x; y",b', 1, ",", ())),  # a quoted name's marks separate nothing
    ("sep=;\na,b\n", {"delimiters": ",;"}, ("a,b", 2, ";", ())),  # Excel's line names it, the header below
    ("sep=\t\na,b\n", {"delimiters": ",;"}, ("sep=\t", 1, ",", ())),  # one the reader does not take: a header
    ("\n# SYNTHETIC\n\n#two\na\tb\n", {"delimiters": ",;\t", "comments": True}, ("a\tb", 5, "\t", ("SYNTHETIC", "two"))),
    ("\na,b\n", {"delimiters": ",;"}, ("", 1, ",", ())),  # no comments taken: the first line, blank, is the header
    ("\ufeff \n", {}, None), ("sep=;\n", {"delimiters": ",;"}, None), ("# only\n\n", {"comments": True}, None),
])
def test_find_header_is_the_one_rule(text: str, options: dict[str, object], found: object) -> None:
    """Every reader of a user's table finds its header by ``find_header`` (``read_csv_text``: meta, dedup, simulate;
    ``review validate``'s tables): where it is, what separates its cells, the comments before it."""
    heading = find_header(text, **options)  # type: ignore[arg-type]
    assert (heading if heading is None else (heading.line, heading.number, heading.delimiter, heading.comments)) == found


def test_find_header_names_the_line_of_an_ambiguous_header() -> None:
    with pytest.raises(AmbiguousDelimiter, match="both tabs and ','") as caught:
        find_header("# a comment\n\na\tb,c\n", delimiters=",;\t", comments=True)
    assert caught.value.line == 3


def test_a_tab_files_extra_cells_name_a_tab(tmp_path: Path) -> None:
    # (repr said "'\\t' in a cell not in quotes?")
    path = tmp_path / "in.tsv"
    path.write_text("a\tb\n1\t2\tx\n", encoding="utf-8")
    with pytest.raises(ImportFormatError, match=r"line 2: 3 cells but 2 columns in the header \(a tab in a cell not in "):
        list(read_csv_text(path, "a, b", delimiters="\t").dict_rows()[1])
