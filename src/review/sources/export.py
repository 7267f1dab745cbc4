"""Write records back out as CSV or RIS.

CSV cells that a spreadsheet would evaluate (``= + - @``, tab, CR at the start) get a
leading apostrophe; our CSV reader strips it again, so an export re-imports unchanged.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import rispy

from ..atomic import write_text_atomic
from ..errors import ValidationError
from ..records import Record
from .fields import MESH_TAG, collapse, join_authors, marked_incomplete, neutralise_cell, split_pages

__all__ = ["CSV_COLUMNS", "EXPORT_FORMATS", "export_records", "records_to_csv", "records_to_ris"]

#: Fixed leading columns of ``export records --format csv``; ``extra`` keys follow.
CSV_COLUMNS: tuple[str, ...] = (
    "record_id", "source", "external_id", "title", "authors", "year", "journal", "volume",
    "issue", "pages", "doi", "pmid", "abstract", "keywords", "mesh", "publication_types", "language",
)
EXPORT_FORMATS: tuple[str, ...] = ("csv", "ris")


def export_records(records: Iterable[Record], out: Path | str, format: str) -> int:
    """Write ``records`` to ``out`` (atomically) in ``format``; returns how many were written."""
    items = list(records)
    write_text_atomic(Path(out), render_records(items, format))
    return len(items)


def render_records(records: Sequence[Record], format: str) -> str:
    """The export text for ``records`` in ``format`` (``csv`` or ``ris``)."""
    if format == "csv":
        return records_to_csv(records)
    if format == "ris":
        return records_to_ris(records)
    raise ValidationError(f"format {format!r}: expected one of {', '.join(EXPORT_FORMATS)}")


def records_to_csv(records: Sequence[Record]) -> str:
    """RFC 4180 CSV, one row per record, formula-like cells neutralised."""
    extra_keys: dict[str, None] = {}
    for record in records:
        for key in record.extra:
            if key not in CSV_COLUMNS:
                extra_keys.setdefault(key)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([*CSV_COLUMNS, *(neutralise_cell(str(key)) for key in extra_keys)])
    for record in records:
        row = [_cell(_csv_value(record, name)) for name in CSV_COLUMNS]
        row += [_cell(record.extra.get(key, "")) for key in extra_keys]
        writer.writerow(row)
    return buffer.getvalue()


class _RisWriter(rispy.RisWriter):
    """rispy's writer without the "1." counter line it puts above every record, and with the MeSH terms to ``MH``."""

    DEFAULT_MAPPING = {**rispy.RisWriter.DEFAULT_MAPPING, MESH_TAG: "mesh"}
    DEFAULT_LIST_TAGS = [*rispy.RisWriter.DEFAULT_LIST_TAGS, MESH_TAG]

    def set_header(self, count: int) -> None:
        return None


def records_to_ris(records: Sequence[Record]) -> str:
    """RIS via rispy; the source database goes to ``DB``, the PMID to ``AN`` plus a PubMed URL, the publication
    types to ``M3`` ("; " between them), the keywords to ``KW`` and the MeSH terms to ``MH`` (PubMed's tag; RIS has
    none), one a line.

    RIS is line-based, so line breaks inside values become spaces (a wrapped line that
    happened to start with ``ER  -`` would otherwise end the record early).
    """
    if not records:
        return ""
    return rispy.dumps([_ris_entry(r) for r in records], implementation=_RisWriter)


def _csv_value(record: Record, name: str) -> Any:
    if name == "record_id":
        return record.id if record.id is not None else ""
    if name == "source":
        return record.source
    if name == "authors":
        return join_authors(record.authors)
    if name in ("keywords", "mesh", "publication_types"):
        return "; ".join(getattr(record, name))
    return getattr(record, name)


def _cell(value: Any) -> str:
    if value is None:
        text = ""
    elif isinstance(value, str):
        text = value
    elif isinstance(value, (int, float)):
        text = str(value)
    else:
        text = json.dumps(value, ensure_ascii=False)
    return neutralise_cell(text)


def _ris_entry(record: Record) -> dict[str, Any]:
    kind = record.extra.get("type_of_reference")
    entry: dict[str, Any] = {"type_of_reference": kind if isinstance(kind, str) and kind else "JOUR"}
    start, end = split_pages(record.pages)
    values: dict[str, Any] = {
        "title": record.title,
        # A cut list ends in "et al." so that the import marks it again (it drops the entry).
        "authors": [*record.authors, "et al."] if marked_incomplete(record.extra) else list(record.authors),
        "year": str(record.year) if record.year is not None else "",
        "secondary_title": record.journal,
        "volume": record.volume,
        "number": record.issue,
        "start_page": start,
        "end_page": end,
        "doi": record.doi,
        "abstract": record.abstract,
        "keywords": list(record.keywords),
        "mesh": list(record.mesh),
        # EndNote's "Type of Article": dedup reads a comment, an erratum or a preprint from it, so a copy exported
        # without it was never merged with the same record from a CSV export (it kept a "Comment" type).
        "type_of_work": "; ".join(record.publication_types),
        "language": record.language,
        "id": record.external_id,
        "accession_number": record.pmid,
        "name_of_database": record.source,
        "urls": [f"https://pubmed.ncbi.nlm.nih.gov/{record.pmid}/"] if record.pmid else [],
    }
    for key, value in values.items():
        if isinstance(value, list):
            value = [collapse(v) for v in value if collapse(v)]
        elif isinstance(value, str):
            value = collapse(value)
        if value:
            entry[key] = value
    return entry
