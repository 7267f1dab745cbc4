"""The reader template: bytes → decode → parse → checked ``list[Record]``, and the registry.

A format is one ``Reader`` subclass registered with :func:`register`; it says how to
recognise its content (``sniff``) and how to parse decoded text (``parse``). Everything
around that (encoding, empty files, oversized fields, provenance) happens here once.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from ...errors import ImportFormatError
from ...records import BIB_FIELDS, Record
from ..decode import MAX_FIELD_CHARS, decode_text

__all__ = ["READERS", "ParsedFile", "ReadResult", "Reader", "SourceFile", "iter_lines", "register", "text_lines"]


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
    #: True when every field value is a piece of the record's ``raw`` text (no macro expansion),
    #: so a short ``raw`` proves every field is within the limit without measuring each.
    raw_bounds_fields: ClassVar[bool] = True
    #: False: a record with nothing to screen or identify it by fails the file (an empty RIS
    #: ``TY``/``ER`` pair, ``<PubmedArticle/>``) instead of being stored as a blank record.
    allows_empty_records: ClassVar[bool] = False

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
        has_controls = _CONTROL_BYTES.search(data) is not None
        for record in parsed.records:
            check_field_sizes(record, path, trust_raw=self.raw_bounds_fields)
            if has_controls:
                strip_control_characters(record)
            if not self.allows_empty_records and is_empty(record):
                raise ImportFormatError(
                    path, record.position or None,
                    "empty record (no title, abstract, authors, DOI, PMID or id); remove it from the file",
                )
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


def iter_lines(text: str) -> Iterator[str]:
    """The lines of :func:`text_lines`, one at a time (no list of every line of a large file)."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    start = 0
    while True:
        end = text.find("\n", start)
        if end < 0:
            yield text[start:]
            return
        yield text[start:end]
        start = end + 1


def text_lines(text: str) -> list[str]:
    """Lines split on CRLF, CR or LF only (``str.splitlines`` also splits on form feeds)."""
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


#: C0 controls but tab/LF/CR, and DEL: terminal escapes (ESC, BEL) have no place in a field. C1
#: stays: real exports carry it inside mojibake ("â€\x9d") that data sets keep as published.
_CONTROL_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
#: The same as bytes, plus XML character references that could spell them.
_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]|&#")


def is_empty(record: Record) -> bool:
    """True when a record has nothing to screen or identify it by (a labelled data set's row id counts)."""
    return not (record.title.strip() or record.abstract.strip() or record.authors or record.doi.strip()
                or record.pmid.strip() or record.external_id.strip())


def strip_control_characters(record: Record) -> None:
    """Remove control characters (ESC, BEL, DEL …) from every field but ``raw``."""
    for name in ("title", "abstract", "journal", "volume", "issue", "pages", "doi", "pmid", "language",
                 "external_id", "source"):
        value = getattr(record, name)
        if _CONTROL_CHARS.search(value):
            setattr(record, name, _CONTROL_CHARS.sub("", value))
    for name in ("authors", "keywords", "mesh", "publication_types"):
        setattr(record, name, [_CONTROL_CHARS.sub("", v) if isinstance(v, str) else v for v in getattr(record, name)])
    record.extra = {key: _strip_value(value) for key, value in record.extra.items()}


def _strip_value(value: Any) -> Any:
    if isinstance(value, str):
        return _CONTROL_CHARS.sub("", value)
    if isinstance(value, list):
        return [_strip_value(v) for v in value]
    if isinstance(value, dict):
        return {k: _strip_value(v) for k, v in value.items()}
    return value


def check_field_sizes(record: Record, path: Path, *, trust_raw: bool = True) -> None:
    """Refuse any field longer than ``MAX_FIELD_CHARS`` (a broken or hostile export)."""
    if trust_raw and record.raw and len(record.raw) <= MAX_FIELD_CHARS:
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
