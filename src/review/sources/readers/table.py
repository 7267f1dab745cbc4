"""CSV/TSV tables (Rayyan, Covidence, ASReview, spreadsheets, our own ``export records``).

Columns are matched case-insensitively through a declarative alias table; every other
column (``label_included``, ``dup_group`` …) is kept verbatim in ``Record.extra``.
Values are kept as exported (dedup does the cleaning), except that authors and keywords
are split into lists.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from pathlib import Path

from ...csvcells import TEXT_LINE, AmbiguousDelimiter, LastRowWatch, excel_separator, shown_columns, sniff_delimiter
from ...errors import ImportFormatError
from ...records import Record
from ..decode import MAX_FIELD_CHARS
from ..fields import join_pages, parse_year, split_authors, split_keywords, unneutralise_cell
from .base import Reader, SourceFile, register

# The csv module refuses fields over 131,072 characters by default; allow up to our own
# limit (one process-wide setting, only ever raised) and report bigger fields ourselves.
csv.field_size_limit(max(csv.field_size_limit(), MAX_FIELD_CHARS + 1))

#: Record field ← accepted column names (lower case, spaces as underscores), first wins.
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "external_id": ("external_id", "id", "record_id"),
    "title": ("title", "primary_title"),
    "abstract": ("abstract",),
    "authors": ("authors", "author"),
    "year": ("year", "publication_year"),
    "journal": ("journal", "secondary_title", "source_title"),  # (Scopus: "Source title")
    "volume": ("volume",),
    "issue": ("issue",),
    "pages": ("pages",),
    "doi": ("doi",),
    "pmid": ("pmid", "pubmed_id"),
    "keywords": ("keywords", "keyword", "author_keywords"),
    "mesh": ("mesh",),
    "publication_types": ("publication_types", "document_type"),
    "language": ("language", "language_of_original_document"),
    "source": ("source", "source_database"),
}
_LIST_FIELDS = {"authors", "keywords", "mesh", "publication_types"}
#: Where a file has no pages column, the pages from its first page and last (Scopus: "Page start", "Page end"), else
#: its article number ("Art. No.") as Web of Science's reader takes one.
PAGE_PARTS = ("page_start", "page_end", "art._no.")
_KNOWN = {alias for aliases in COLUMN_ALIASES.values() for alias in aliases}


def column_key(header: str) -> str:
    """``" Record ID"`` → ``"record_id"``: how column names are compared."""
    return re.sub(r"\s+", "_", header.strip().lower())


@register
class CsvReader(Reader):
    name = "csv"
    label = "CSV"
    extensions = (".csv", ".tsv", ".tab")

    def sniff(self, head: str) -> int:
        first = next((line for line in head.splitlines() if line.strip()), "")
        try:
            delimiter = sniff_delimiter(first, tabs=True)
        except AmbiguousDelimiter:  # (scored as a table still: reading it names the line and why)
            delimiter = "\t"
        cells = [column_key(c.strip('"')) for c in first.split(delimiter)]
        if len(cells) < 2:
            return 0
        if "title" in cells or len(_KNOWN.intersection(cells)) >= 2:
            return 70
        return 20 if all(0 < len(c) <= 40 for c in cells) else 0

    def records(self, source: SourceFile) -> Iterator[Record]:
        path = source.path
        lines = _RowLines(source.text)
        header_text = lines.first_nonblank()
        if header_text is None:
            raise ImportFormatError(path, None, "empty CSV (no header row)")
        named = excel_separator(header_text, None)
        if named is not None:  # Excel's "sep=;" first line names the delimiter
            delimiter = named
            lines.replace_peeked("")
        else:
            delimiter = _delimiter(header_text, path, lines.peeked_number())
        # strict: an unclosed quote must fail, not swallow the rest of the file into one cell
        reader = csv.reader(lines, delimiter=delimiter, strict=True)
        end = 0
        try:
            found = next((row for row in reader if any(cell.strip() for cell in row)), None)
            if found is None:  # only Excel's "sep=" line
                raise ImportFormatError(path, None, "empty CSV (no header row)")
            header = [unneutralise_cell(cell) for cell in found]  # our exports neutralise headers too
            columns = _columns(header, path, reader.line_num)
            page_parts = _page_parts(header, columns)
            end = reader.line_num
            lines.take_row()
            last_row = LastRowWatch(len(header))
            for row in reader:
                start, end = end + 1, reader.line_num
                raw = lines.take_row()  # the lines this row came from (csv reads no further ahead)
                if not any(cell.strip() for cell in row):
                    last_row.see(start, row)  # (no row: it shows the one before it ended with a line break)
                    continue
                if len(row) > len(header):
                    raise ImportFormatError(
                        path, f"line {start}",
                        f"{len(row)} cells but the header has {len(header)} columns (unquoted '{delimiter}'?)",
                    )
                last_row.see(start, row)
                yield _record(row, header, columns, start, raw, page_parts)
            # (the file is refused whole: an import stores nothing before its last record is read)
            last_row.conclude(source.text, path, source.warnings)
        except csv.Error as err:
            raise ImportFormatError(path, f"line {end + 1}", f"malformed CSV: {_csv_problem(err)}") from None


class _RowLines:
    """The lines of a text, one at a time, remembering those handed out since the last row.

    ``csv.reader`` asks for exactly the lines of one row, so what was handed out between two
    rows is that row's original text; no list of every line of a large file is kept.
    """

    def __init__(self, text: str) -> None:
        self._matches = TEXT_LINE.finditer(text)
        self._peeked: list[str] = []
        self._row: list[str] = []

    def first_nonblank(self) -> str | None:
        """The first line with more than whitespace, kept to be handed out again (None: none)."""
        for match in self._matches:
            self._peeked.append(match.group())
            if match.group().strip():
                return match.group()
        return None

    def peeked_number(self) -> int:
        """The line number of the line :meth:`first_nonblank` returned."""
        return len(self._peeked)

    def replace_peeked(self, line: str) -> None:
        """Hand out ``line`` instead of the line :meth:`first_nonblank` returned."""
        self._peeked[-1] = line

    def take_row(self) -> str:
        """The lines handed out since the last call, joined."""
        text = "".join(self._row)
        self._row.clear()
        return text

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        if self._peeked:
            line = self._peeked.pop(0)
        else:
            match = next(self._matches, None)
            if match is None:
                raise StopIteration
            line = match.group()
        self._row.append(line)
        return line


def _csv_problem(err: csv.Error) -> str:
    what = str(err)
    if "field larger than field limit" in what:
        return f"a field is longer than {MAX_FIELD_CHARS:,} characters (the limit)"
    if "unexpected end of data" in what:
        return "a quoted field in this row is never closed (truncated file or stray '\"')"
    if "expected after" in what:
        return f"text after a closing quote ({what})"
    return what


def _delimiter(header: str, path: Path, line: int) -> str:
    """A tab for a ``.tsv`` or ``.tab`` file (its name says so), else the one rule of ``review meta``, ``dedup``,
    ``simulate`` and ``validate`` (``csvcells.sniff_delimiter``, tabs taken); a header that tabs and commas (or
    semicolons) both split is refused, naming its ``line``, not guessed at."""
    if path.suffix.lower() in (".tsv", ".tab"):
        return "\t"
    try:
        return sniff_delimiter(header, tabs=True)
    except AmbiguousDelimiter as err:
        raise ImportFormatError(path, f"line {line}", f"{err}; or name it .tsv (review import reads a .tsv file "
                                "by its tabs)") from None


def _columns(header: list[str], path: object, line: int) -> dict[str, int]:
    """Record field → column index; raises when there is no title column."""
    keys = [column_key(h) for h in header]
    columns: dict[str, int] = {}
    for name, aliases in COLUMN_ALIASES.items():
        for alias in aliases:
            if alias in keys:
                columns[name] = keys.index(alias)
                break
    if "title" not in columns:
        if {"pt", "ti", "ut"} <= set(keys):  # (its tags as columns: the title is TI, the record's id UT)
            raise ImportFormatError(path, f"line {line}", WOS_TAB_DELIMITED)
        shown = shown_columns(header)
        raise ImportFormatError(path, f"line {line}", f"CSV has no title column (columns: {shown})")
    return columns


#: Web of Science's "Tab delimited file" export, which its "Plain text file" export holds whole (the ``wos`` reader).
WOS_TAB_DELIMITED = ("a Web of Science 'Tab delimited file' export (columns PT, AU, TI, …, UT), which review does not "
                     "read: export the records again from Web of Science as 'Plain text file' (Record Content: Full "
                     "Record), which review imports")


def _page_parts(header: list[str], columns: dict[str, int]) -> dict[str, int]:
    """The columns of :data:`PAGE_PARTS` in ``header`` by name, none where a pages column is (it wins)."""
    if "pages" in columns:
        return {}
    keys = [column_key(h) for h in header]
    return {part: keys.index(part) for part in PAGE_PARTS if part in keys}


def _record(row: list[str], header: list[str], columns: dict[str, int], line: int, raw: str,
            page_parts: dict[str, int] | None = None) -> Record:
    cells = [unneutralise_cell(c) for c in row] + [""] * (len(header) - len(row))
    parts = page_parts or {}
    used = set(columns.values()) | set(parts.values())
    record = Record(position=f"line {line}", raw=raw)
    for name, index in columns.items():
        value = cells[index]
        if name == "year":
            record.year = parse_year(value)
        elif name == "authors":
            record.authors = split_authors(value)
        elif name == "keywords":
            record.keywords = split_keywords(value)
        elif name in _LIST_FIELDS:
            setattr(record, name, [v.strip() for v in value.split(";") if v.strip()])
        else:
            setattr(record, name, value.strip())
    if parts:
        part = {name: cells[index].strip() for name, index in parts.items()}
        record.pages = join_pages(part.get("page_start"), part.get("page_end")) or part.get("art._no.", "")
    record.extra = {header[i].strip(): cells[i] for i in range(len(header)) if i not in used}
    return record
