"""Spreadsheet-safe CSV cells, shared by every CSV export (records, decisions, agreement, clusters,
synthesis, PRISMA, REDCap …).

A cell that starts with ``= + - @`` (or a tab or carriage return) is run as a formula when the
file is opened in a spreadsheet (OWASP "CSV injection"), so such a cell gets a leading ``'``.
Plain numbers (``-0.35``, ``+2``, ``1e-3``) are left as they are: a spreadsheet reads them as
numbers, never as formulas, and readers of our own files parse them unchanged.
"""

from __future__ import annotations

import csv
import io
import itertools
import math
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

__all__ = [
    "FORMULA_PREFIXES", "NeutralisingDictWriter", "neutralise_cell", "neutralise_value",
    "AmbiguousDelimiter", "CsvText", "NumberFormatError", "TABLE_DELIMITERS", "shown_columns", "parse_number", "reads_decimal_comma", "sniff_delimiter", "excel_separator", "uncommented_lines", "empty_file", "HeaderRow", "find_header", "neutralising_writer", "quote_left_open",
    "read_csv_text", "CsvRow", "LastRowWatch", "SHORT_LAST_ROW", "TRUNCATED_ROW", "csv_rows", "rows_by_line", "TEXT_LINE", "text_lines", "UNCLOSED_QUOTE",
    "unneutralise_cell",
]

#: Leading characters that make spreadsheets evaluate a cell (OWASP "CSV injection").
FORMULA_PREFIXES: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,]\d+)*|\.\d+)(?:[eE][+-]?\d+)?")
#: A value that starts like a formula behind any number of quotes: ours to quote (once more).
_QUOTED_FORMULA = re.compile("'*[" + re.escape("".join(FORMULA_PREFIXES)) + "]")


def neutralise_cell(value: str) -> str:
    """Prefix a quote to a cell a spreadsheet would run as a formula (numbers stay as they are)."""
    if _QUOTED_FORMULA.match(value) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def unneutralise_cell(value: str) -> str:
    """Undo :func:`neutralise_cell` so our own CSV exports re-import unchanged."""
    if value.startswith("'") and _QUOTED_FORMULA.match(value[1:]):
        return value[1:]
    return value


def neutralise_value(value: Any) -> Any:
    """:func:`neutralise_cell` for text; numbers and other values pass through."""
    return neutralise_cell(value) if isinstance(value, str) else value


class _NeutralisingWriter:
    """``csv.writer`` whose every text cell goes through :func:`neutralise_cell`."""

    def __init__(self, stream: IO[str], **options: Any) -> None:
        self._writer = csv.writer(stream, **options)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([neutralise_value(cell) for cell in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def neutralising_writer(stream: IO[str], **options: Any) -> _NeutralisingWriter:
    """A ``csv.writer`` (same options) that neutralises formula-like cells, the header too."""
    return _NeutralisingWriter(stream, **options)


if TYPE_CHECKING:
    _DictWriter = csv.DictWriter[str]
else:  # not subscriptable at run time before Python 3.12
    _DictWriter = csv.DictWriter


class NeutralisingDictWriter(_DictWriter):
    """``csv.DictWriter`` that neutralises formula-like cells, the header included."""

    def writerow(self, rowdict: Mapping[str, Any]) -> Any:
        return super().writerow({key: neutralise_value(value) for key, value in rowdict.items()})

    def writerows(self, rowdicts: Iterable[Mapping[str, Any]]) -> None:
        for row in rowdicts:
            self.writerow(row)

    def writeheader(self) -> Any:
        return self.writer.writerow([neutralise_cell(name) for name in self.fieldnames])


def sniff_delimiter(first_line: str, *, tabs: bool = False) -> str:
    """``;`` for a file whose first line (its header) holds more semicolons than commas, else ``,``: the one rule of
    the readers that take a spreadsheet's "CSV" of locales with a decimal comma (Dutch Excel writes ``;`` between
    cells and ``2,59`` in them) beside a comma-separated one: ``review validate``'s tables, ``review meta``, ``dedup``
    and ``simulate``. ``tabs`` (``review validate``'s tables: SPSS's and R's ``write.table`` exports): a tab for a
    header with tabs between its names and neither comma nor semicolon; one with both is
    :class:`AmbiguousDelimiter`, as no count says which separates the columns (tabs around it are no separator).
    Marks inside a quoted header cell are no separators and are not counted."""
    # A quoted header cell's own ',' or ';' ("notes; screener; date") separates nothing: only the rest is counted.
    header = _QUOTED_CELL.sub("x", first_line).strip()  # (a cell still, so tabs between quoted names stay inside)
    if tabs and "\t" in header:
        others = [repr(mark) for mark in (",", ";") if mark in header]
        if others:
            raise AmbiguousDelimiter(f"the header holds both tabs and {' and '.join(others)}: which separates the "
                                     "columns is a guess; save the file as comma-separated CSV (Excel: CSV UTF-8; "
                                     "R: write.csv; SPSS: comma-delimited), or tab-separated with no "
                                     f"{' or '.join(others)} in the header")
        return "\t"
    return ";" if header.count(";") > header.count(",") else ","


#: A quoted CSV cell (its doubled quotes inside it included): :func:`sniff_delimiter` counts no mark inside it.
_QUOTED_CELL = re.compile(r'"[^"]*"')


#: Excel's first line naming what separates the cells: Excel opens a file by it in any locale, so files written for
#: Excel carry it (``review import`` reads it too).
_EXCEL_SEPARATOR = re.compile(r"sep=(.)[ \t]*")


def excel_separator(first_line: str, taken: str | None = ",;") -> str | None:
    """The delimiter that Excel's ``sep=;`` line names, when ``first_line`` (a file's first, its end or not) is one and
    the reader takes that delimiter (``taken``; None: any, as Excel and ``review import`` do); else None. The reader
    reads the file by it and the header below it: the sniff would read ``sep=;`` as the header (``needs a 'study'
    column (the header has sep=)``)."""
    found = _EXCEL_SEPARATOR.fullmatch(first_line.rstrip("\r\n"))
    return found.group(1) if found is not None and (taken is None or found.group(1) in taken) else None


class AmbiguousDelimiter(ValueError):
    """A header that tabs and commas (or semicolons) both split: the reader refuses it, naming the file's ``line``
    (:func:`find_header` sets it)."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


class NumberFormatError(ValueError):
    """A cell that looks like a number but is refused: an ambiguous comma or a non-finite value."""


def parse_number(value: str, decimal_comma: bool = False, delimiter: str = ";") -> float:
    """A number as people type it in a CSV cell: ``1.5`` or, with one comma and no point, ``1,5`` (the decimal
    mark of a Dutch spreadsheet), in a file of either delimiter (:func:`sniff_delimiter`).

    Raises ``ValueError`` (its text names the value) when the text is not a number, and
    ``NumberFormatError`` when it is one we will not guess at: ``1,000`` (a thousands separator or a decimal comma?)
    or ``nan``/``inf``. Python's ``1_0`` (10) is no number people type. ``decimal_comma``: a file whose decimal mark
    is the comma (:func:`reads_decimal_comma`: Dutch or German Excel's, R's ``write.csv2``), where a point groups
    thousands: ``1,250`` is 1.25 there and ``1.250`` the one refused (its refusal names ``delimiter``, the file's).
    """
    text = value.strip()
    if text.count(",") == 1 and "." not in text:
        whole, _, fraction = text.partition(",")
        if not decimal_comma and _may_group_thousands(whole, fraction):
            raise NumberFormatError(f"{value!r} is ambiguous: a thousands separator or a decimal comma? "
                                    f"write {whole}{fraction} or {whole}.{fraction}")
        text = f"{whole}.{fraction}"
    elif decimal_comma and text.count(".") == 1 and "," not in text:
        whole, _, fraction = text.partition(".")
        if _may_group_thousands(whole, fraction):  # (Dutch Excel writes 1250 as '1.250' in a column formatted so)
            separated = "tabs" if delimiter == "\t" else repr(delimiter)
            raise NumberFormatError(f"{value!r} is ambiguous in a file separated by {separated}, whose decimal mark is the "
                                    f"comma: a thousands separator or a decimal point? write {whole}{fraction} or "
                                    f"{whole},{fraction}")
    try:
        if "_" in text:
            raise ValueError(text)
        number = float(text)
    except ValueError:
        raise ValueError(f"{value!r} is not a number") from None
    if not math.isfinite(number):
        raise NumberFormatError(f"{value!r} is not a finite number")
    return number


_DECIMAL = {mark: re.compile(rf"[+-]?(\d*)\{mark}(\d+)") for mark in ",."}


def reads_decimal_comma(delimiter: str, cells: Iterable[str]) -> bool:
    """Whether a file's numbers have the comma as their decimal mark (:func:`parse_number`): a ``;``-separated file
    (Dutch or German Excel writes ``;`` between cells, R's ``write.csv2`` too), unless its cells show the point as
    that mark and none the comma (``2.5`` or ``0.125``, never ``2,5``: a ``;`` file written with points, as pandas'
    ``to_csv(sep=";")``), where ``12.345`` is 12.345. A cell that may group thousands (``1.250``) shows neither. A
    tab-separated file (SPSS, R's ``write.table``) has no such default: its cells decide, the comma where they show
    it and none the point. A comma-separated file: never."""
    if delimiter not in (";", "\t"):
        return False
    shown = {",": False, ".": False}
    for cell in cells:
        text = cell.strip()
        for mark, pattern in _DECIMAL.items():
            found = pattern.fullmatch(text)
            if found and not _may_group_thousands(found.group(1), found.group(2)):
                shown[mark] = True
        if shown[","] and delimiter == ";":
            return True
    return not shown["."] if delimiter == ";" else shown[","] and not shown["."]


def _may_group_thousands(whole: str, fraction: str) -> bool:
    """Whether ``whole`` and three digits ``fraction`` may be one number written with a thousands separator between
    them (``1`` and ``250``; not ``0`` and ``250``, which no one writes for 250)."""
    digits = whole.lstrip("+-")
    return len(fraction) == 3 and fraction.isdigit() and digits.isdigit() and digits != "0"


def shown_columns(names: Sequence[str]) -> str:
    """A header's column names as a refusal names them, each stripped: the first 12, then ``, …`` (review meta's
    "the header has", the CSV import's "no title column", review dedup's and simulate's "missing column")."""
    return ", ".join(name.strip() for name in names[:12]) + (", …" if len(names) > 12 else "")


def uncommented_lines(lines: Iterable[str], comments: list[str]) -> Iterator[str]:
    """``lines`` (with their ends, as :func:`text_lines` gives them) with the comments before the header blanked: the
    one rule of the readers that take them (``review validate``'s tables, ``review meta``), by which the demo's files
    say they are synthetic. A line starting with ``#`` among the blank lines and ``#`` lines before the first other
    line (the header) is a comment: its text after the ``#`` is appended to ``comments`` and it is given as an empty
    line, so a csv reader's line numbers stay the file's and no ``;``, ``,`` or quote in it is read. Below the header
    a ``#`` is data (a study labelled ``#2``, a quoted cell's second line)."""
    before_header = True
    for line in lines:
        if before_header:
            if line.startswith("#"):
                comments.append(line[1:].strip())
                yield "\n"
                continue
            before_header = not line.strip()
        yield line


def empty_file(expected: str) -> str:
    """The one wording of the readers' "empty file" error; ``expected`` names the header row."""
    return f"empty file (expected a header row: {expected})"


@dataclass(frozen=True, slots=True)
class HeaderRow:
    """Where a CSV file's header is and what separates its cells (:func:`find_header`)."""

    #: The header's line, without its end (blank where the reader takes no comments and the file's first line is).
    line: str
    #: The line it is on: past 1 below Excel's ``sep=`` line and, where the reader takes comments, the comments and
    #: blank lines before it.
    number: int
    #: What separates its cells.
    delimiter: str
    #: The comments before it, each without its ``#``.
    comments: tuple[str, ...] = ()


#: What may separate the cells of a table a user gives us (``review meta``, ``dedup``, ``simulate``, ``validate``): a
#: comma, Dutch Excel's ``;``, or a tab (SPSS's tab-delimited export, R's ``write.table``), by :func:`find_header`.
TABLE_DELIMITERS = ",;\t"


#: Any character that is not whitespace (as ``str.strip`` sees it): a file with one has a header.
_NOT_BLANK = re.compile(r"\S")


def find_header(text: str, *, delimiters: str = ",", comments: bool = False) -> HeaderRow | None:
    """The header of a CSV file's ``text``, the one rule of every reader of a user's table (``review meta``,
    ``dedup``, ``simulate``, ``validate``): Excel's ``sep=`` first line names the delimiter when it is one of
    ``delimiters`` (those the reader takes), the header below it (:func:`excel_separator`); with ``comments``, the
    ``#`` lines and blank lines before the header are passed over (:func:`uncommented_lines`). Otherwise the header
    says (:func:`sniff_delimiter`, tabs where ``delimiters`` holds one; one delimiter alone is taken as it is).
    None: no header (nothing but whitespace, a ``sep=`` line, or comments). A header that tabs and commas both split
    is :class:`AmbiguousDelimiter`, its ``line`` the header's."""
    text = text.lstrip("\ufeff")
    if _NOT_BLANK.search(text) is None:
        return None
    lines = text_lines(text)  # (not splitlines(): it also splits at U+2028, U+0085 and form feeds inside a cell)
    first = next(lines)
    named = excel_separator(first, delimiters)
    below = lines if named is not None else itertools.chain([first], lines)
    found: list[str] = []
    if comments:
        below = uncommented_lines(below, found)
    number, line = next(((n, line) for n, line in enumerate(below, 2 if named else 1) if line.strip() or not comments),
                        (0, ""))
    if not number:  # nothing but comments, or Excel's sep= line
        return None
    header = line.rstrip("\r\n")
    if named is not None:
        return HeaderRow(header, number, named, tuple(found))
    try:
        delimiter = sniff_delimiter(header, tabs="\t" in delimiters) if len(delimiters) > 1 else delimiters
    except AmbiguousDelimiter as err:
        raise AmbiguousDelimiter(str(err), number) from None
    return HeaderRow(header, number, delimiter, tuple(found))


@dataclass(frozen=True, slots=True)
class CsvText:
    """A user's CSV file decoded by the one policy (``review.textdecode``): text, header line, encoding."""

    text: str
    header: str
    #: ``utf-8``, ``utf-8-sig``, ``utf-16`` or ``cp1252``; the service warns once for cp1252.
    encoding: str
    #: The file, named by the structure errors of :meth:`dict_rows`.
    path: Path
    #: Lines for stderr that :meth:`dict_rows` found (a short last row read as it stands), once read to the end.
    warnings: list[str] = field(default_factory=list)
    #: What separates its cells: ``,``, or ``;`` where the reader takes both (:func:`read_csv_text`).
    delimiter: str = ","
    #: The line the header is on: past 1 below Excel's ``sep=`` line (:func:`excel_separator`) and, where the reader
    #: takes comments (:func:`uncommented_lines`), the comments and blank lines before it.
    header_number: int = 1
    #: Those comments, each without its ``#``.
    comments: tuple[str, ...] = ()

    def missing_column_note(self) -> str:
        """What a "missing column" refusal adds: `` (the header has record_id, Titel)``, the header's cells as the
        file spells them (not as a reader case-folds them), so a misspelt or renamed column shows without opening
        the file (as review meta's). (Until 2026-12-08 a header of tabs got "columns are separated by a tab, not
        commas: save the file as comma-separated CSV": every reader takes tabs now.)"""
        # (its first line only: a quoted cell holding a line break is cut there, still a name to show)
        cells = next(csv_rows([self.header], self.delimiter)).cells
        return f" (the header has {shown_columns(cells)})" if any(c.strip() for c in cells) else " (the header is blank)"

    def dict_rows(self, column_name: Callable[[str], str] | None = None
                  ) -> tuple[list[str], Iterator[tuple[int, dict[str, Any]]]]:
        """The header's column names, and the rows as dicts keyed by them, each with the line of the file it
        starts on (past blank lines; a line break typed in a cell makes the row's later lines no row's), read as
        iterated. (Not ``splitlines()``: it also splits at U+2028, U+0085 and form feeds inside a cell.)

        ``column_name`` maps a header cell to the name the reader looks up (e.g. case folded); two
        cells with one name are refused. So is a row with more non-empty cells than the header (an
        unquoted comma shifted the later cells) and a quoted cell never closed (it swallowed every
        later row): an ``ImportFormatError`` naming file and line, raised before that row is
        returned. Empty cells past the header's end are dropped; a short row's missing cells are None."""
        from .errors import ImportFormatError

        lines = text_lines(self.text)
        if self.header_number > 1:  # (Excel's sep= line, comments, blank lines: none is read as cells)
            lines = itertools.chain(("\n" for _ in itertools.islice(lines, self.header_number - 1)), lines)
        rows = csv_rows(lines, self.delimiter)
        # the header: its line, even a blank one (as header_line reads it); the lines before it comments or blank
        first = next((row for row in rows if row.first_line >= self.header_number), None)
        header = first.cells if first is not None else []
        columns = [column_name(c) for c in header] if column_name is not None else header
        twice = next((c for n, c in enumerate(columns) if c and c in columns[:n]), None)
        if twice is not None:  # (the dicts would hold the last one's values, silently)
            raise ImportFormatError(self.path, f"line {self.header_number}", f"column {twice!r} appears twice")
        if first is not None and first.last_line > first.first_line:  # a header over several lines: did it swallow
            self._refuse_unclosed_quote(first.first_line - 1)  # the file?
        return columns, self._checked_rows(rows, columns)

    def _checked_rows(self, rows: Iterator[CsvRow], columns: list[str]) -> Iterator[tuple[int, dict[str, Any]]]:
        from .errors import ImportFormatError

        width = len(columns)
        pending: tuple[int, dict[str, Any]] | None = None
        last_row = LastRowWatch(width)
        for found in rows:
            if not found.cells:  # a blank line (no row)
                continue
            if pending is not None:
                yield pending
            line = found.first_line  # (its last one, after a line break in a cell, said "line 7" of a row a
            # spreadsheet user finds on line 5)
            spill = found.cells[width:]
            if any(cell.strip() for cell in spill):
                if found.last_line > line:  # a row over several lines: a quote never closed, rather?
                    self._refuse_unclosed_quote(line - 1)
                separator = {",": "a comma", "\t": "a tab"}.get(self.delimiter, repr(self.delimiter))
                raise ImportFormatError(self.path, f"line {line}", f"{width + len(spill)} cells but {width} "
                                        f"columns in the header ({separator} in a cell not in quotes?)")
            row: dict[str, Any] = dict(zip(columns, found.cells[:width]))
            for name in columns[len(found.cells):]:  # (as csv.DictReader fills a short row)
                row[name] = None
            pending = (line, row)
            last_row.see(line, found.cells)
        if pending is not None:
            self._refuse_unclosed_quote(pending[0] - 1)
            last_row.conclude(self.text, self.path, self.warnings)
            yield pending

    def _unclosed_from(self, lines_before: int) -> bool:
        if '"' not in self.text:
            return False
        return quote_left_open(itertools.islice(text_lines(self.text), lines_before, None), self.delimiter)

    def _refuse_unclosed_quote(self, lines_before: int) -> None:
        from .errors import ImportFormatError

        if self._unclosed_from(lines_before):
            raise ImportFormatError(self.path, f"line {lines_before + 1}", UNCLOSED_QUOTE)


#: A line and its end, as ``io.StringIO(text, newline="")`` splits them: at "\r\n", "\r" or "\n" only (not at
#: U+2028, U+0085 or form feeds, as ``str.splitlines`` does).
TEXT_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")


def text_lines(text: str) -> Iterator[str]:
    """The lines of ``text`` with their ends, as ``io.StringIO(text, newline="")`` reads them, one at a time:
    the StringIO holds a copy of the whole text at four bytes a character (a 61 MB file of 50,000 records took
    244 MB), and ``readlines()`` another of every line."""
    return (match.group() for match in TEXT_LINE.finditer(text))


@dataclass(frozen=True, slots=True)
class CsvRow:
    """One row as ``csv.reader`` reads it, with the lines of the file it spans (a blank line: no cells)."""

    #: The line it starts on, the one every refusal names: a line break typed in a cell (a spreadsheet's
    #: Alt+Enter) makes the row's later lines no row's, and a count of rows names the wrong line after one.
    first_line: int
    #: The line it ends on: past ``first_line`` when a cell holds a line break, or a quote was never closed.
    last_line: int
    cells: list[str]


def csv_rows(lines: Iterable[str], delimiter: str = ",") -> Iterator[CsvRow]:
    """Every row of ``lines`` (with their ends, as :func:`text_lines` gives them), blank lines as rows without
    cells, each with its first and last line: ``csv.reader``'s ``line_num`` before and after it. The one reader
    of lines behind every CSV refusal (:func:`rows_by_line`, :meth:`CsvText.dict_rows`, ``review validate``'s
    tables)."""
    reader = csv.reader(lines, delimiter=delimiter)
    lines_before = 0
    for cells in reader:
        yield CsvRow(lines_before + 1, reader.line_num, cells)
        lines_before = reader.line_num


def rows_by_line(text: str) -> Iterator[tuple[int, list[str]]]:
    """Every CSV row of ``text`` (blank lines skipped, as ``csv.DictReader`` skips them) with the line of the file
    it starts on (:func:`csv_rows`)."""
    return ((row.first_line, row.cells) for row in csv_rows(text_lines(text)) if row.cells)


#: The one wording of a quoted cell never closed (:func:`quote_left_open`).
UNCLOSED_QUOTE = "a quoted cell is never closed (a '\"' without its closing '\"': every later row became part of it)"
#: A line no CSV file holds (private-use characters), appended to find a quoted cell never closed.
_END_MARK = "\ue000review: end of file\ue000"


#: The refusal of a last row cut off: fewer cells than the header, every row before it full, no line break after
#: it (a download or copy stopped early), and a sign that the writer keeps empty cells (:class:`LastRowWatch`).
TRUNCATED_ROW = ("the file ends inside this row ({cells} of {width} cells, no line break after it): cut off? "
                 "If the row is complete as it stands, end the file with a line break")
#: The warning for such a row without that sign: a writer that leaves a row's trailing empty cells out (a hand-typed
#: file too) writes it so when only the last row has them, so the row is read as it stands.
SHORT_LAST_ROW = ("the file ends inside this row ({cells} of {width} cells, no line break after it): read as it "
                  "stands; if the file was cut off, get it whole again")


def cut_off(text: str) -> bool:
    """Whether ``text`` ends without a line break: every CSV writer ends its last row with one."""
    return not text.endswith(("\n", "\r"))


class LastRowWatch:
    """Whether a CSV's last row was cut off (a download or copy stopped early, its last cell likely cut): fewer
    cells than the header's ``width``, every row before it full, and no line break at the end. Shown rows one at a
    time (:meth:`see`); :meth:`verdict` at the end. A writer that keeps empty cells at a row's end never writes
    such a row: one that leaves them out does, when only its last row has them. So the row is refused only when
    the file shows the writer keeps them (a full row before it ending in an empty cell, or the row itself ending in
    one); otherwise it is read with a warning. Rows of blank cells are no rows here, but show them too: one after the
    last row (spaces or a spreadsheet's empty cells, its own line break missing) shows that row was ended by one."""

    __slots__ = ("width", "_last", "_short_before", "_keeps_empty", "_blank_after")

    def __init__(self, width: int) -> None:
        self.width = width
        self._last: tuple[int, list[str]] | None = None
        self._short_before = False
        self._keeps_empty = False
        self._blank_after = False

    def see(self, line: int, cells: list[str]) -> None:
        if not any(cell.strip() for cell in cells):
            self._blank_after = self._last is not None
            return
        self._blank_after = False
        if self._last is not None:
            before = self._last[1]
            self._short_before = self._short_before or len(before) < self.width
            self._keeps_empty = self._keeps_empty or (len(before) >= self.width and not before[self.width - 1].strip())
        self._last = (line, cells)

    def verdict(self, text: str) -> tuple[int, str, bool] | None:
        """``(line, what, refused)`` of a last row that looks cut off, else None."""
        if self._last is None or self._short_before or self._blank_after or not cut_off(text):
            return None
        line, cells = self._last
        if len(cells) >= self.width:
            return None
        refused = self._keeps_empty or not cells[-1].strip()
        said = (TRUNCATED_ROW if refused else SHORT_LAST_ROW).format(cells=len(cells), width=self.width)
        return line, said, refused

    def conclude(self, text: str, path: Path, warnings: list[str]) -> None:
        """At the end of the file whose ``text`` was read: a last row cut off is an ``ImportFormatError`` naming
        ``path`` and its line, one only short is a line added to ``warnings`` (:meth:`verdict`)."""
        from .errors import ImportFormatError

        if (cut := self.verdict(text)) is None:
            return
        line, said, refused = cut
        if refused:
            raise ImportFormatError(path, f"line {line}", said)
        warnings.append(f"{path}:line {line}: {said}")


def quote_left_open(last_row_lines: Iterable[str], delimiter: str = ",") -> bool:
    """Whether the lines of a file's last CSV row hold a quoted cell that the end of the file
    reaches: a lenient reader (``csv``'s default, Excel's too) takes every line after the opening
    quote into that cell, so the row holding it is the last. Read again with a marker line
    appended: a closed row leaves the marker a row of its own."""
    text = "".join(last_row_lines)
    rows = list(csv.reader(io.StringIO(f"{text}\n{_END_MARK}\n", newline=""), delimiter=delimiter))
    return rows[-1] != [_END_MARK]


def read_csv_text(path: Path, expected: str, *, delimiters: str = ",", comments: bool = False) -> CsvText:
    """A CSV file's text (byte-order mark removed), header line and encoding, decoded by the policy of
    ``review.textdecode``; an unreadable, binary, undecodable or empty file is an ``ImportFormatError``
    naming the file (and the line and byte offset). ``expected`` names the header row for :func:`empty_file`.
    ``delimiters``: those the reader takes (:data:`TABLE_DELIMITERS`: a file is read by what its header or Excel's
    ``sep=`` first line says, :func:`find_header`; a header that tabs and commas both split is refused, naming its
    line). ``comments``: ``#`` lines and blank lines before the header are passed over (:func:`uncommented_lines`)."""
    from .errors import ImportFormatError
    from .textdecode import read_user_text

    decoded = read_user_text(path)
    try:
        found = find_header(decoded.text, delimiters=delimiters, comments=comments)
    except AmbiguousDelimiter as err:
        raise ImportFormatError(path, f"line {err.line}", str(err)) from None
    if found is None:
        raise ImportFormatError(path, None, empty_file(expected))
    return CsvText(decoded.text, found.line, decoded.encoding, path, delimiter=found.delimiter,  # (textdecode removed
                   header_number=found.number, comments=found.comments)  # the BOM)
