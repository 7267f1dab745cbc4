"""The reader template: bytes → decode → parse → checked ``list[Record]``, and the registry.

A format is one ``Reader`` subclass registered with :func:`register`; it says how to
recognise its content (``sniff``) and how to parse decoded text (``parse``). Everything
around that (encoding, empty files, oversized fields, provenance) happens here once.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from ...errors import ImportFormatError
from ...records import BIB_FIELDS, Record
from ..decode import MAX_FIELD_CHARS, decode_text

__all__ = ["READERS", "ParsedFile", "ReadResult", "Reader", "SourceFile", "register", "text_lines"]


@dataclass(slots=True)
class SourceFile:
    """One input file as the template passes it along: bytes, then the decoded text."""

    path: Path
    data: bytes
    text: str = ""
    encoding: str = ""


@dataclass(slots=True)
class ParsedFile:
    """What ``Reader.parse`` returns: records in file order, and PMIDs a file withdrew."""

    records: list[Record]
    deleted_pmids: list[str] = field(default_factory=list)


@dataclass(slots=True)
class ReadResult:
    """A fully parsed and checked file, ready for one ``store.add_batch``."""

    path: Path
    format: str
    encoding: str
    sha256: str
    source_name: str
    records: list[Record]
    deleted_pmids: list[str] = field(default_factory=list)


class Reader:
    """Base class of the format readers (template method: ``read`` calls the steps)."""

    #: Registry key and the ``format`` stored on the import batch.
    name: ClassVar[str] = ""
    #: Human name for messages ("RIS", "BibTeX").
    label: ClassVar[str] = ""
    #: Lower-case suffixes that hint at this format when the content is ambiguous.
    extensions: ClassVar[tuple[str, ...]] = ()
    #: Source database when neither ``--source`` nor the record names one (None: file stem).
    default_source: ClassVar[str | None] = None

    def sniff(self, head: str) -> int:
        """0–100: how sure this reader is that ``head`` (the file's start) is its format."""
        raise NotImplementedError

    def decode(self, source: SourceFile) -> None:
        """Fill ``source.text`` and ``source.encoding``."""
        source.text, source.encoding = decode_text(source.data, source.path)

    def parse(self, source: SourceFile) -> ParsedFile:
        """Turn decoded text into records with ``position``/``raw``/``external_id`` set."""
        raise NotImplementedError

    def read(self, path: Path, data: bytes, *, source_name: str | None = None) -> ReadResult:
        """Decode, parse and check one file; raises ``ImportFormatError``, never half-reads."""
        source = SourceFile(path=path, data=data)
        self.decode(source)
        parsed = self.parse(source)
        if not parsed.records and not parsed.deleted_pmids:
            raise ImportFormatError(path, None, f"no {self.label} records found")
        fallback = source_name or self.default_source or path.stem
        for record in parsed.records:
            check_field_sizes(record, path)
            if source_name:
                record.source = source_name
            elif not record.source:
                record.source = fallback
        return ReadResult(
            path=path,
            format=self.name,
            encoding=source.encoding,
            sha256=hashlib.sha256(data).hexdigest(),
            source_name=source_name or _most_common(r.source for r in parsed.records) or fallback,
            records=parsed.records,
            deleted_pmids=parsed.deleted_pmids,
        )


#: Registered readers by name, in registration order.
READERS: dict[str, Reader] = {}


def register(reader_class: type[Reader]) -> type[Reader]:
    """Class decorator adding a reader to ``READERS``."""
    READERS[reader_class.name] = reader_class()
    return reader_class


def text_lines(text: str) -> list[str]:
    """Lines split on CRLF, CR or LF only (``str.splitlines`` also splits on form feeds)."""
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def check_field_sizes(record: Record, path: Path) -> None:
    """Refuse any field longer than ``MAX_FIELD_CHARS`` (a broken or hostile export)."""
    if record.raw and len(record.raw) <= MAX_FIELD_CHARS:
        return  # every field is taken from the record's own text, so none can be longer
    for name, value in _field_values(record):
        size = len(value)
        if size > MAX_FIELD_CHARS:
            raise ImportFormatError(
                path, record.position or None,
                f"field '{name}' is {size:,} characters long (limit {MAX_FIELD_CHARS:,})",
            )


def _field_values(record: Record) -> list[tuple[str, str]]:
    values: list[tuple[str, str]] = []
    for name in (*BIB_FIELDS, "external_id"):
        _collect(name, getattr(record, name), values)
    for key, value in record.extra.items():
        _collect(str(key), value, values)
    return values


def _collect(name: str, value: Any, out: list[tuple[str, str]]) -> None:
    if isinstance(value, str):
        out.append((name, value))
    elif isinstance(value, (list, tuple)):
        for item in value:
            _collect(name, item, out)
    elif isinstance(value, dict):
        for key, item in value.items():
            _collect(f"{name}.{key}", item, out)


def _most_common(values: Any) -> str:
    counts: dict[str, int] = {}
    for value in values:
        counts[value] = counts.get(value, 0) + 1
    return max(counts, key=counts.__getitem__) if counts else ""
