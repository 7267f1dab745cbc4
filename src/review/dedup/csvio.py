"""CSV mode: read a record table (the schema of the labelled dedup sets), write clusters.

Input columns: ``record_id,title,authors,year,journal,volume,issue,pages,doi,abstract``, and
``pmid``, ``publication_types`` and ``source_database`` or ``source`` when present (the columns of
``review export records`` all read); any other column such as ``dup_group`` is kept in
``Record.extra``. Output columns: ``record_id,cluster_id,decision``.
"""

from __future__ import annotations

from typing import Any

import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..csvcells import TABLE_DELIMITERS, neutralising_writer, read_csv_text
from ..errors import ImportFormatError, check_input_file
from ..records import Record
from ..sources.fields import split_authors
from .normalise import normalise_year

REQUIRED_COLUMNS = ("record_id", "title")
FIELD_COLUMNS = ("title", "journal", "volume", "issue", "pages", "doi", "abstract", "pmid")
OUTPUT_COLUMNS = ("record_id", "cluster_id", "decision")
#: Field columns whose values repeat across records (loaded as one string each).
_REPEATED = ("journal", "volume", "issue", "pages")


@dataclass(frozen=True, slots=True)
class RecordsCsv:
    """The records of a CSV file and the encoding it was read in (``review.textdecode``)."""

    records: list[Record]
    encoding: str
    #: What the reading warned of (a short last row read as it stands: ``CsvText.warnings``).
    warnings: tuple[str, ...] = ()


def load_records_csv(path: Path) -> RecordsCsv:
    """Records from a CSV file, every row one Record with ``external_id = record_id``, and the
    encoding, so the caller can say when cp1252 was taken."""
    path = Path(path)
    check_input_file(path, pipe_ok=True)  # read once, so `<(gpg -d …)` works
    # ';' or tabs between the cells where the header says so (Dutch Excel's "CSV" of a screening set), as review meta reads
    csv_text = read_csv_text(path, "record_id, title, …", delimiters=TABLE_DELIMITERS)
    # "Title" and " title" (a space after the comma) name the title column too.
    columns, rows = csv_text.dict_rows(_column_name)
    for column in REQUIRED_COLUMNS:
        if column not in columns:
            raise ImportFormatError(path, f"line {csv_text.header_number}",  # (below Excel's sep= line: 2)
                                   f"missing column {column!r}{csv_text.missing_column_note()}")
    records: list[Record] = []
    seen: set[str] = set()
    # One string per distinct author name, journal, volume, issue and pages: they repeat across a large file's
    # records (exports of the same articles from several databases), and each copy cost its own str object.
    shared: dict[str, str] = {}
    intern = shared.setdefault
    for line, row in rows:
        record_id = (row.get("record_id") or "").strip()
        if not record_id:
            raise ImportFormatError(path, f"line {line}", "empty record_id")
        if record_id in seen:
            raise ImportFormatError(path, f"line {line}", f"duplicate record_id {record_id!r}")
        seen.add(record_id)
        values: dict[str, Any] = {name: (row.get(name) or "").strip() for name in FIELD_COLUMNS}
        for name in _REPEATED:
            values[name] = intern(values[name], values[name])
        year = normalise_year(row.get("year") or "")
        extra = {k: v for k, v in row.items() if k and k not in FIELD_COLUMNS
                 and k not in ("record_id", "authors", "year", "publication_types")}
        records.append(Record(
            **values,
            authors=[intern(name, name) for name in split_authors(row.get("authors") or "")],
            year=year,
            external_id=record_id,
            source=(row.get("source_database") or row.get("source") or "").strip(),
            # As ``review export records`` writes them ("Journal Article; Published Erratum"): an
            # erratum or preprint marked only there is told apart as in a workspace.
            publication_types=[t.strip() for t in (row.get("publication_types") or "").split(";") if t.strip()],
            position=f"line {line}",
            extra=extra,
        ))
    return RecordsCsv(records, csv_text.encoding, tuple(csv_text.warnings))


def _column_name(name: str) -> str:
    """A header cell as a column name: case and surrounding spaces do not count."""
    return name.strip().lower()


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
