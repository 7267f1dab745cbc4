"""CSV mode: read a record table (the schema of the labelled dedup sets), write clusters.

Input columns: ``record_id,title,authors,year,journal,volume,issue,pages,doi,abstract``, and
``pmid``, ``publication_types`` and ``source_database`` or ``source`` when present (the columns of
``review export records`` all read); any other column such as ``dup_group`` is kept in
``Record.extra``. Output columns: ``record_id,cluster_id,decision``.
"""

from __future__ import annotations

from typing import Any

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..csvcells import delimiter_hint, neutralising_writer, read_csv_text
from ..errors import ImportFormatError
from ..records import Record
from .normalise import normalise_year, split_author_list

REQUIRED_COLUMNS = ("record_id", "title")
FIELD_COLUMNS = ("title", "journal", "volume", "issue", "pages", "doi", "abstract", "pmid")
OUTPUT_COLUMNS = ("record_id", "cluster_id", "decision")


@dataclass(frozen=True, slots=True)
class RecordsCsv:
    """The records of a CSV file and the encoding it was read in (``review.textdecode``)."""

    records: list[Record]
    encoding: str


def load_records_csv(path: Path) -> RecordsCsv:
    """Records from a CSV file, every row one Record with ``external_id = record_id``, and the
    encoding, so the caller can say when cp1252 was taken."""
    path = Path(path)
    if not path.is_file():
        raise ImportFormatError(path, None, "no such file")
    csv_text = read_csv_text(path, "record_id, title, …")
    header = csv_text.header
    columns, raw_rows = csv_text.dict_rows()
    # "Title" and " title" (a space after the comma) name the title column too.
    columns = [c.strip().lower() for c in columns]
    rows = ((line, {_column_name(k): v for k, v in row.items()}) for line, row in raw_rows)
    for column in REQUIRED_COLUMNS:
        if column not in columns:
            raise ImportFormatError(path, "line 1", f"missing column {column!r}{delimiter_hint(header)}")
    twice = next((c for n, c in enumerate(columns) if c in columns[:n]), None)
    if twice is not None:  # (the reader kept the last one's values, silently)
        raise ImportFormatError(path, "line 1", f"column {twice!r} appears twice")
    records: list[Record] = []
    seen: set[str] = set()
    lines_before_last = last_line = 1  # (the header's)
    for line, row in rows:
        lines_before_last, last_line = last_line, line
        spill = [cell for cell in row.get(None) or () if cell.strip()]  # type: ignore[call-overload]
        if spill:  # the other cells have shifted one column: a comma in a cell without quotes
            raise ImportFormatError(path, f"line {line}", f"{len(columns) + len(row[None])} cells but "  # type: ignore[index]
                                    f"{len(columns)} columns in the header (a comma in a cell not in quotes?)")
        record_id = (row.get("record_id") or "").strip()
        if not record_id:
            raise ImportFormatError(path, f"line {line}", "empty record_id")
        if record_id in seen:
            raise ImportFormatError(path, f"line {line}", f"duplicate record_id {record_id!r}")
        seen.add(record_id)
        values: dict[str, Any] = {name: (row.get(name) or "").strip() for name in FIELD_COLUMNS}
        year = normalise_year(row.get("year") or "")
        extra = {k: v for k, v in row.items() if k and k not in FIELD_COLUMNS
                 and k not in ("record_id", "authors", "year", "publication_types")}
        records.append(Record(
            **values,
            authors=split_author_list(row.get("authors") or ""),
            year=year,
            external_id=record_id,
            source=(row.get("source_database") or row.get("source") or "").strip(),
            # As ``review export records`` writes them ("Journal Article; Published Erratum"): an
            # erratum or preprint marked only there is told apart as in a workspace.
            publication_types=[t.strip() for t in (row.get("publication_types") or "").split(";") if t.strip()],
            position=f"line {line}",
            extra=extra,
        ))
    _refuse_unclosed_quote(path, csv_text.text, lines_before_last)
    return RecordsCsv(records, csv_text.encoding)


def _column_name(name: str | None) -> str | None:
    """A header cell as a column name: case and surrounding spaces do not count (None: cells past the header)."""
    return name.strip().lower() if name is not None else None


def _refuse_unclosed_quote(path: Path, text: str, lines_before_last: int) -> None:
    """A quoted cell never closed swallows every later row into one cell of the last row the
    lenient reader returns (one record, or many, fewer than the file holds); that last row alone is
    read again strictly to find it (stray quotes in earlier rows, which the lenient reader takes
    as text, do not matter)."""
    if '"' not in text:
        return
    tail = "".join(io.StringIO(text, newline="").readlines()[lines_before_last:])
    try:
        for _ in csv.reader(io.StringIO(tail, newline=""), strict=True):
            pass
    except csv.Error as error:
        if str(error) == "unexpected end of data":
            raise ImportFormatError(path, f"line {lines_before_last + 1}", "a quoted cell is never closed (a '\"' "
                                    "without its closing '\"': every later row became part of it)") from None


def clusters_csv(rows: Sequence[tuple[str, str, str]]) -> str:
    """``record_id,cluster_id,decision`` CSV text, formula-like cells neutralised."""
    buffer = io.StringIO(newline="")
    writer = neutralising_writer(buffer, lineterminator="\n")
    writer.writerow(OUTPUT_COLUMNS)
    writer.writerows(rows)
    return buffer.getvalue()


def write_clusters_csv(path: Path, rows: Sequence[tuple[str, str, str]]) -> None:
    """Write ``record_id,cluster_id,decision`` rows (atomically)."""
    from ..atomic import write_text_atomic

    write_text_atomic(Path(path), clusters_csv(rows))
