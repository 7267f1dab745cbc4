"""Reading the CSV files of ``review validate``: every bad cell is one line naming file, line and column.

A row is named by the line of the file it starts on, as every CSV refusal names it (a line break typed in a cell
makes the row's later lines no row's). ``#`` lines before the header are comments (``csvcells.uncommented_lines``,
``review meta``'s rule too), which is how the demo files say they are synthetic.
"""

from __future__ import annotations

import io
import math
import re
import stat
import unicodedata
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path

from ..csvcells import (TABLE_DELIMITERS, UNCLOSED_QUOTE, AmbiguousDelimiter, LastRowWatch, csv_rows, find_header, parse_number,
                        quote_left_open, reads_decimal_comma)
from ..errors import ImportFormatError, ValidationError, check_input_file
from ..textdecode import fallback_warning, read_user_text


SYNTHETIC_MARK = "SYNTHETIC"
#: The first line must open with the mark (as the demo writes it): a comment that merely contains the
#: word, such as "# not synthetic: real clients", must not exempt real data from the privacy refusals.
_SYNTHETIC_LINE = re.compile(rf"#\s*{SYNTHETIC_MARK}\b")
#: Columns that name a client rather than measure something: never candidate factors, and unique per file.
ID_COLUMNS: frozenset[str] = frozenset({
    "id", "client", "client_id", "respondent", "target", "record_id", "case", "participant", "patient", "patient_id",
    # the programme's Dutch exports (accents are folded first: cliënt is client)
    "clientnummer", "clientnr", "client_nr", "dossier", "dossiernummer", "dossiernr", "dossier_nr", "deelnemer",
})


#: Separators a spreadsheet's header puts between words (``Client ID``, ``Cliënt-ID``, ``client.id``).
_WORD_SEPARATORS = re.compile(r"[\s.\-]+")


def is_id_column(name: str) -> bool:
    """A column that names a client, in English or Dutch, with or without accents (``Cliënt``), its words
    apart by a space, dash or dot as by an underscore (``Client ID`` only got "no client id column"), and an
    abbreviation's closing dot dropped (``Dossiernr.``, ``Client nr.``)."""
    folded = unicodedata.normalize("NFKD", name.strip().lower())
    plain = "".join(c for c in folded if not unicodedata.combining(c))
    return _WORD_SEPARATORS.sub("_", plain).strip("_") in ID_COLUMNS


#: Events per model parameter below which an estimate is unstable (logistic regression: Peduzzi et
#: al. 1996; Cox models: Peduzzi et al. 1995): fewer in all is refused, fewer per parameter is flagged.
MIN_EVENTS_PER_PARAMETER = 10
PEDUZZI_LOGISTIC = "Peduzzi et al. 1996"  # J Clin Epidemiol 49:1373, simulations of logistic regression
PEDUZZI_COX = "Peduzzi et al. 1995"  # J Clin Epidemiol 48:1503, simulations of Cox regression


def too_few_events(events_per_parameter: float | None) -> bool:
    """Fewer than ten events per model parameter (None: no model, nothing to flag)."""
    return events_per_parameter is not None and events_per_parameter < MIN_EVENTS_PER_PARAMETER


def few_events_note(events_per_parameter: float, parameters: int) -> str:
    """The flag of a model with fewer than ten events per parameter; empty when it has enough."""
    if not too_few_events(events_per_parameter):
        return ""
    return (f"few events: {events_per_parameter:.1f} per parameter ({parameters} parameters; "
            f"at least {MIN_EVENTS_PER_PARAMETER} advised)")


def joined_notes(*notes: str) -> str:
    """The notes that say something, in order, as one note ("a; b"); "" when none does. The one way a
    result's notes are put together (a factor's few-events and proportional-hazards flags, the rows
    its model left out)."""
    return "; ".join(note for note in notes if note)


def is_synthetic(path: Path | str) -> bool:
    """Whether the file says it is synthetic (a leading ``# SYNTHETIC ...`` comment, as the demo writes).
    A FIFO (``<(gpg -d …)``) was read already and cannot be read again: it counts as real data, the
    cautious reading (the privacy refusals apply)."""
    try:
        if stat.S_ISFIFO(Path(path).stat().st_mode):
            return False
        with Path(path).open("rb") as handle:
            # The mark is ASCII: a cp1252 letter further on must not hide it.
            first = handle.readline(4096).decode("utf-8", errors="replace").lstrip("\ufeff")
    except OSError:
        return False
    return _SYNTHETIC_LINE.match(first) is not None


def cell_error(path: Path | str, line: int | None, column: str | None, what: str) -> ValidationError:
    """The one-line error every check raises: ``FILE:line N: column 'C': what``, ``line N`` the line of the file
    the row starts on (as ``review.csvcells`` names it for every other CSV file; until 2026-12-07 it read
    ``row N``, which named that line too)."""
    location = f"{path}:line {line}" if line is not None else f"{path}"
    return ValidationError(f"{location}: {f'column {column!r}: ' if column is not None else ''}{what}")


def require_events(table: Table, status: list[int], column: str, *, both_outcomes: bool = False) -> None:
    """Refuse data too small for any model: fewer than ten events (``both_outcomes``, i.e. a logistic
    model of a 0/1 outcome: of either outcome; otherwise a Cox model of time to event)."""
    events = sum(status)
    non_events = len(status) - events
    if events < MIN_EVENTS_PER_PARAMETER:
        what = f"{events} event{'' if events == 1 else 's'}"
    elif both_outcomes and non_events < MIN_EVENTS_PER_PARAMETER:
        what = f"{non_events} row{'' if non_events == 1 else 's'} without an event"
    else:
        return
    raise cell_error(table.path, None, column,
                     f"too few events: {what} in {len(status)} row{'' if len(status) == 1 else 's'}; a model needs at least "
                     f"{MIN_EVENTS_PER_PARAMETER} (events per parameter, "
                     f"{PEDUZZI_LOGISTIC if both_outcomes else PEDUZZI_COX})")


@dataclass(slots=True)
class Table:
    """A CSV file as text cells, with the line of the file each data row starts on."""

    path: Path
    columns: list[str]
    rows: list[dict[str, str]]
    row_numbers: list[int]
    comments: list[str]
    header_row: int = 1
    #: What the reading warned of: a last row without its line break read as it stands (``LastRowWatch``).
    warnings: list[str] = field(default_factory=list)
    #: Whether its decimal mark is the comma (:func:`reads_decimal_comma`: a ``;`` file whose cells show no point as
    #: that mark), read by :meth:`number_in`.
    decimal_comma: bool = False
    #: What separates its cells (:func:`sniff_delimiter`): ``,``, ``;`` or a tab, named by a refusal of a number.
    delimiter: str = ","

    def __len__(self) -> int:
        return len(self.rows)

    def require(self, *names: str) -> None:
        """Every named column exists (the option that named it is the usual culprit)."""
        for name in names:
            if name not in self.columns:
                raise cell_error(self.path, self.header_row, name, f"no such column (the header has {', '.join(self.columns)})")

    def require_one_part(self, *parts: tuple[str, str | Sequence[str] | None]) -> None:
        """No column named by two of the options (``("--outcome", "recurrence")``, ``("--adjust", [...])``): the
        outcome as a covariate or as its own predictor gave a separation note or a C-statistic of 1, as findings;
        nor one named twice by one option (``--adjust age --adjust age`` was a traceback, ``--factor`` twice two
        equal rows, its p Holm-adjusted over both)."""
        named: dict[str, str] = {}
        for option, columns in parts:
            seen = set[str]()
            for column in [columns] if isinstance(columns, str) else columns or []:
                if column in seen:
                    raise cell_error(self.path, self.header_row, column,
                                     f"named twice by {option}: a column takes one part in the analysis")
                seen.add(column)
                if named.setdefault(column, option) != option:
                    raise cell_error(self.path, self.header_row, column,
                                     f"named by {named[column]} and {option}: a column takes one part in the analysis")

    def text(self, index: int, column: str, *, required: bool = True) -> str:
        value = self.rows[index].get(column, "") or ""
        value = value.strip()
        if required and not value:
            raise cell_error(self.path, self.row_numbers[index], column, "empty cell")
        return value

    def number(self, index: int, column: str, *, required: bool = True) -> float | None:
        value = self.text(index, column, required=required)
        if not value:
            return None
        try:
            return self.number_in(value)
        except ValueError as err:
            raise cell_error(self.path, self.row_numbers[index], column, str(err)) from None

    def number_in(self, text: str) -> float:
        """``text``, a cell of this file, as a number (:func:`parse_number` by this file's decimal mark: where it is the
        comma, ``1,250`` is 1.25 and ``1.250`` is refused); ``ValueError`` when it is none."""
        return parse_number(text, self.decimal_comma, self.delimiter)

    def integer_in(self, index: int, column: str, low: int, high: int) -> int:
        """A whole number in ``low..high`` (a rating on a fixed scale)."""
        number = self.number(index, column)
        assert number is not None
        if not low <= number <= high:
            raise cell_error(self.path, self.row_numbers[index], column,
                             f"rating {self.text(index, column)!r} out of range {low}-{high}")
        if number != int(number):  # inside the range, so "out of range" would send the reader looking wrongly
            raise cell_error(self.path, self.row_numbers[index], column,
                             f"rating {self.text(index, column)!r} is not a whole point of the {low}-{high} scale")
        return int(number)

    def binary(self, index: int, column: str, *, required: bool = True) -> int | None:
        """0 or 1 (an outcome or event indicator)."""
        value = self.text(index, column, required=required)
        if not value:
            return None
        try:
            number = self.number_in(value)
        except ValueError:
            number = math.nan  # 'yes', 'ja': the message below says what is expected
        if number not in (0.0, 1.0):
            raise cell_error(self.path, self.row_numbers[index], column,
                             f"{self.text(index, column)!r} is not 0 or 1")
        return int(number)

    def where(self, index: int) -> int:
        return self.row_numbers[index]

    def id_column(self) -> str | None:
        """The column that names the client (``client``, ``id``, ...), if the file has one."""
        return next((c for c in self.columns if is_id_column(c) and not self._is_case_indicator(c)), None)

    def _is_case_indicator(self, column: str) -> bool:
        """A ``case`` column of 0/1 cells is a case-control study's outcome, not a client id."""
        return column.lower() == "case" and all(
            self.text(i, column, required=False) in ("", "0", "1") for i in range(len(self)))

    def require_unique_ids(self) -> str | None:
        """One row per client: a client id seen twice is an error naming both rows, also written in two Unicode forms
        (``Müller`` with a composed ü and with u and a combining diaeresis: one text to every reader, and by Unicode's
        conformance rule C6 to any process). Two ids that differ only in case (``C01``, ``c01``) or in the marks
        between their letters and digits (``C-01``, ``C01``, ``C_01``; :func:`_punctuation_twins`) are two clients, as
        an id system that tells them apart has them, with one warning per kind naming both and their lines
        (:meth:`warn`): more often one client typed twice, which only the reader can tell."""
        column = self.id_column()
        if column is None:
            return None
        seen: dict[str, tuple[str, int]] = {}  # an id's NFC form -> the id as first written, its line
        by_folded: dict[str, str] = {}  # an id's NFC casefold -> the first id written so
        by_runs: dict[str, str] = {}  # its letters and digits alone -> the first id written so
        twins: dict[str, list[tuple[str, str, int]]] = {}  # "case" or "punctuation" -> (id, the other id, its line)
        for i in range(len(self)):
            value = self.text(i, column)
            nfc = composed(value)
            if nfc in seen:
                other, line = seen[nfc]
                forms = "" if other == value else (f", its accents encoded otherwise: {_unicode_form(value)[0]} here, "
                                                   f"{_unicode_form(other)[0]} there, Unicode {_unicode_form(value)[1]} "
                                                   f"and {_unicode_form(other)[1]}")
                raise cell_error(self.path, self.where(i), column,
                                 f"client {value!r} appears twice (also line {line}{forms}); one row per client")
            seen[nfc] = (value, self.where(i))
            folded = nfc.casefold()
            other = by_folded.setdefault(folded, value)
            if other != value:
                twins.setdefault("case", []).append((value, other, self.where(i)))
                continue
            runs = _ID_MARKS.sub("", folded)
            other = by_runs.setdefault(runs, value) if runs else value
            if other != value and _punctuation_twins(value, other):
                twins.setdefault("punctuation", []).append((value, other, self.where(i)))
        for kind, found in twins.items():
            value, other, line = found[0]
            how = kind
            if kind == "punctuation" and _ID_MARKS.sub("", value) != _ID_MARKS.sub("", other):
                how = "case and punctuation"
            more = len(found) - 1
            others = f"{', '.join(str(t[2]) for t in found[1:4])}{', …' if more > 3 else ''}"
            also = f", as {more} more id{' does' if more == 1 else 's do'} (line{'' if more == 1 else 's'} {others})"
            other_line = seen[composed(other)][1]
            self.warn(f"{self.path}:line {line}: column {column!r}: client {value!r} differs from {other!r} "
                      f"(line {other_line}) only in {how}{also if more else ''}: read as different clients; if they "
                      "are one client, keep one row per client")
        return column

    def warn(self, line: str) -> None:
        """A warning found after the reading (a client id twice but for case), shown with the reading's own: added to
        :attr:`warnings` and, inside :func:`collected_warnings`, to what that block shows, once."""
        if line not in self.warnings:
            self.warnings.append(line)
        if (sink := _COLLECTED.get()) is not None and line not in sink:
            sink.append(line)


#: The marks between the letters and digits of an id (``C-004``, ``C 004``, ``C.004``, ``C_004``).
_ID_MARKS = re.compile(r"[\W_]+")


def _id_runs(text: str) -> list[str]:
    """The runs of letters and digits of an id, the marks between them left out: ``C-0.04`` is ``C``, ``0``, ``04``."""
    return [run for run in _ID_MARKS.split(text) if run]


def _punctuation_twins(one: str, other: str) -> bool:
    """Whether two ids whose letters and digits are the same (but for case) may be one typed two ways: the same runs
    with other marks between (``C-004``, ``C_004``), or one of them without marks (``C004``, ``C-004``; ``C.0.04``),
    not two whose marks split other runs (``1-23`` and ``12-3``: site 1's client 23, site 12's client 3)."""
    runs = [_id_runs(composed(text).casefold()) for text in (one, other)]
    return runs[0] == runs[1] or min(len(runs[0]), len(runs[1])) == 1


def composed(name: str) -> str:
    """``name`` in Unicode's composed form (NFC), the one text of every way its accents may be encoded, by which
    client ids and the ratings' targets, raters and items are matched (an ASCII name, as most ids are, is its own)."""
    return name if name.isascii() else unicodedata.normalize("NFC", name)


def _unicode_form(text: str) -> tuple[str, str]:
    """How ``text``'s accents are encoded, in words and by Unicode's name: composed (NFC), decomposed (NFD) or
    mixed."""
    if text == unicodedata.normalize("NFC", text):
        return "composed", "NFC"
    if text == unicodedata.normalize("NFD", text):
        return "decomposed", "NFD"
    return "partly composed", "neither NFC nor NFD"


#: The warnings of the tables read inside :func:`collected_warnings` (None outside it). The analyses take a path and
#: keep no table, so their reading says what it warned of here; reading the file again for them waited forever on a
#: named pipe (client data kept off disk) and found nothing in a ``<(…)`` one.
_COLLECTED: ContextVar[list[str] | None] = ContextVar("validate_table_warnings", default=None)


@contextmanager
def collected_warnings() -> Iterator[list[str]]:
    """The lines to show of every file :func:`read_table` reads inside the block, each once, in order: read as
    cp1252 (it was not UTF-8), a last row read without its line break (:attr:`Table.warnings`)."""
    sink: list[str] = []
    token = _COLLECTED.set(sink)
    try:
        yield sink
    finally:
        _COLLECTED.reset(token)


def read_table(path: Path | str) -> Table:
    """A CSV file (UTF-8, or cp1252 by ``review.textdecode``; comma, semicolon or tab separated) as a :class:`Table`."""
    path = Path(path)
    try:  # read once: a FIFO is fine (`<(gpg -d answers.csv.gpg)`), a device would never end
        check_input_file(path, pipe_ok=True)
    except ImportFormatError as err:
        raise ValidationError(str(err)) from None
    try:
        decoded = read_user_text(path)  # one policy for user files: docs/decisions/0022
    except ImportFormatError as err:
        raise ValidationError(str(err)) from None
    table = _table_from_text(path, decoded.text)
    if (sink := _COLLECTED.get()) is not None:
        encoding = fallback_warning(path, decoded.encoding)
        for warning in ([encoding] if encoding else []) + table.warnings:
            if warning not in sink:  # (a file read twice in one analysis says it once)
                sink.append(warning)
    return table


#: The hint of a first row one cell longer than the header.
R_ROW_NAMES = (" (R's write.table writes each row's name under no header: write the file with row.names = FALSE, "
               "or give that column a name)")


def _table_from_text(path: Path, text: str) -> Table:
    try:  # (review meta's rule: Excel's sep= line, '#' comments; a tab-separated export of SPSS or R's write.table too)
        heading = find_header(text, delimiters=TABLE_DELIMITERS, comments=True)
    except AmbiguousDelimiter as err:
        raise cell_error(path, err.line, None, str(err)) from None
    if heading is None:
        raise ValidationError(f"{path}: empty file (expected a header row)")
    delimiter, comments = heading.delimiter, list(heading.comments)
    # Lines end at \n, \r\n or \r only (csv's newline=''): str.splitlines also breaks at U+2028
    # and other separators, cutting a quoted cell that holds one in two.
    lines = list(io.StringIO(text, newline=""))
    lines[:heading.number - 1] = ["\n"] * (heading.number - 1)  # (the sep= line, comments: none is read as cells)
    header: list[str] | None = None
    header_row = 1
    rows: list[dict[str, str]] = []
    numbers: list[int] = []
    last_start = 0  # the lines before the last row that is not blank
    last_row: LastRowWatch | None = None  # (the header's width once read)
    for found in csv_rows(lines, delimiter):
        cells = found.cells
        if not any(c.strip() for c in cells):
            if last_row is not None:  # (no row: it shows the one before it ended with a line break)
                last_row.see(found.first_line, cells)
            continue
        line = found.first_line  # (its last, after a line break typed in a cell, was named until 2026-12-07)
        last_start = line - 1
        if header is None:
            header = [c.strip() for c in cells]
            header_row = line
            duplicate = next((c for c in header if header.count(c) > 1), None)
            if duplicate is not None:
                raise cell_error(path, header_row, duplicate, "column appears twice in the header")
            last_row = LastRowWatch(len(header))
            continue
        filled = max(i + 1 for i, c in enumerate(cells) if c.strip())  # empty cells past the end are dropped,
        if filled > len(header):  # as csvcells.dict_rows drops them
            # R's write.table (row.names = TRUE, its default) writes each row's name under no header: every row, the
            # first one too, one cell longer
            names = R_ROW_NAMES if not rows and filled == len(header) + 1 else ""
            raise cell_error(path, line, None, f"{filled} cells but the header has {len(header)}{names}")
        rows.append({name: (cells[i] if i < len(cells) else "") for i, name in enumerate(header)})
        numbers.append(line)
        if last_row is not None:
            last_row.see(line, cells)
    if '"' in text and quote_left_open(lines[last_start:], delimiter):  # it swallowed every later row
        raise cell_error(path, last_start + 1, None, UNCLOSED_QUOTE)
    if header is None:
        raise ValidationError(f"{path}: empty file (expected a header row)")
    if not rows:
        raise ValidationError(f"{path}: no data rows under the header")
    # A file cut inside its last row (a copy or download stopped early) is refused or warned of by the import's rule:
    # read as a short row, its missing cells were empty answers.
    warnings: list[str] = []
    try:
        if last_row is not None:
            last_row.conclude(text, path, warnings)
    except ImportFormatError as err:
        raise ValidationError(str(err)) from None
    decimal_comma = reads_decimal_comma(delimiter, (cell for row in rows for cell in row.values()))
    return Table(path, header, rows, numbers, comments, header_row, warnings, decimal_comma, delimiter)
