"""CSV mode: read a record table (the schema of the labelled dedup sets), write clusters.

Input columns: ``record_id,title,authors,year,journal,volume,issue,pages,doi,abstract`` (any
extra column such as ``dup_group`` is kept in ``Record.extra``). Output columns:
``record_id,cluster_id,decision``.
"""

from __future__ import annotations

from typing import Any

import csv
import io
from collections.abc import Sequence
from pathlib import Path

from ..csvcells import delimiter_hint, empty_file, header_line, neutralising_writer
from ..errors import ImportFormatError
from ..records import Record
from .normalise import normalise_year, split_author_list

REQUIRED_COLUMNS = ("record_id", "title")
FIELD_COLUMNS = ("title", "journal", "volume", "issue", "pages", "doi", "abstract", "pmid")
OUTPUT_COLUMNS = ("record_id", "cluster_id", "decision")


def _decode(path: Path) -> tuple[str, str]:
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise ImportFormatError(path, None, "cannot decode as UTF-8 or cp1252")  # pragma: no cover


def read_records_csv(path: Path) -> list[Record]:
    """Records from a CSV file; every row becomes one Record with ``external_id = record_id``."""
    path = Path(path)
    if not path.is_file():
        raise ImportFormatError(path, None, "no such file")
    text, encoding = _decode(path)
    header = header_line(text)
    if header is None:
        raise ImportFormatError(path, None, empty_file("record_id, title, …"))
    reader = csv.DictReader(io.StringIO(text, newline=""))
    columns = reader.fieldnames or []
    for column in REQUIRED_COLUMNS:
        if column not in columns:
            raise ImportFormatError(path, "line 1", f"missing column {column!r}{delimiter_hint(header)}")
    records: list[Record] = []
    seen: set[str] = set()
    for line, row in enumerate(reader, start=2):
        record_id = (row.get("record_id") or "").strip()
        if not record_id:
            raise ImportFormatError(path, f"line {line}", "empty record_id")
        if record_id in seen:
            raise ImportFormatError(path, f"line {line}", f"duplicate record_id {record_id!r}")
        seen.add(record_id)
        values: dict[str, Any] = {name: (row.get(name) or "").strip() for name in FIELD_COLUMNS}
        year = normalise_year(row.get("year") or "")
        extra = {k: v for k, v in row.items() if k and k not in FIELD_COLUMNS
                 and k not in ("record_id", "authors", "year")}
        records.append(Record(
            **values,
            authors=split_author_list(row.get("authors") or ""),
            year=year,
            external_id=record_id,
            source=(row.get("source_database") or "").strip(),
            position=f"line {line}",
            extra=extra,
        ))
    return records


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
