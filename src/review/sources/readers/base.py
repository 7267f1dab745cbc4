"""The reader template: bytes → decode → parse → checked records, one at a time; and the registry.

A format is one ``Reader`` subclass registered with :func:`register`; it says how to
recognise its content (``sniff``) and how to turn decoded text into records (``records``, a
generator). Everything around that (encoding, empty files, oversized fields, provenance)
happens here once, in :class:`RecordStream`, so a million-record file never holds all its
records at once: the importer stores them slice by slice as they come.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from ...errors import ImportFormatError
from ...records import BIB_FIELDS, Record
from ...textdecode import decode_text
from ..decode import MAX_FIELD_CHARS
from ..fields import AUTHORS_INCOMPLETE, OTHER_DOIS, bare_doi, distinct_dois, drop_et_al, drop_no_author, split_dois

__all__ = [
    "READERS", "ReadResult", "Reader", "RecordStream", "SourceFile", "iter_lines", "register", "text_lines",
]


@dataclass(slots=True)
class SourceFile:
    """One input file as the template passes it along: bytes, then the decoded text."""

    path: Path
    data: bytes
    text: str = ""
    encoding: str = ""
    #: PMIDs the file withdrew (PubMed XML ``DeleteCitation``), filled while its records are read.
    deleted_pmids: list[str] = field(default_factory=list)
    #: Lines for stderr the reader found (a CSV's short last row read as it stands), once its records are read.
    warnings: list[str] = field(default_factory=list)


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
    warnings: list[str] = field(default_factory=list)


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

    def records(self, source: SourceFile) -> Iterator[Record]:
        """Turn decoded text into records, one at a time, with ``position``/``raw``/``external_id`` set.

        A generator: a problem anywhere in the file raises ``ImportFormatError`` when the reading
        gets there, so callers that store records as they come do so inside one transaction.
        """
        raise NotImplementedError

    def stream(self, path: Path, data: bytes, *, source_name: str | None = None,
               sha256: str | None = None) -> RecordStream:
        """Decode ``data`` now; its checked records come one at a time from the returned stream."""
        source = SourceFile(path=path, data=data)
        self.decode(source)
        return RecordStream(self, source, source_name, sha256 or hashlib.sha256(data).hexdigest())

    def read(self, path: Path, data: bytes, *, source_name: str | None = None) -> ReadResult:
        """Decode, parse and check one file completely; raises ``ImportFormatError``, never half-reads."""
        stream = self.stream(path, data, source_name=source_name)
        records = list(stream)
        return ReadResult(
            path=path,
            format=stream.format,
            encoding=stream.encoding,
            sha256=stream.sha256,
            source_name=stream.source_name,
            records=records,
            deleted_pmids=stream.deleted_pmids,
            warnings=stream.warnings,
        )


class RecordStream:
    """One file's checked records, produced as they are parsed; what must be global is counted.

    Iterate it once. Each record is checked (field sizes, control characters, empty records)
    and gets its source before it is yielded; a file without records raises when the stream
    ends. ``n_records``, ``source_name`` and ``deleted_pmids`` are final once it has ended.
    """

    def __init__(self, reader: Reader, source: SourceFile, source_name: str | None, sha256: str) -> None:
        self.path = source.path
        self.format = reader.name
        self.encoding = source.encoding
        self.sha256 = sha256
        self.n_records = 0
        self._reader = reader
        self._source = source
        self._given_source = source_name
        self._fallback = source_name or reader.default_source or source.path.stem
        #: Records per source name (a handful of names, not one entry per record).
        self._per_source: dict[str, int] = {}

    @property
    def source_name(self) -> str:
        """The batch's source: the one given, else the most common among the records read."""
        return self._given_source or _most_common(self._per_source) or self._fallback

    @property
    def per_source(self) -> dict[str, int]:
        """Records per source name read so far, most first (a file may name several databases)."""
        return dict(sorted(self._per_source.items(), key=lambda item: -item[1]))

    @property
    def deleted_pmids(self) -> list[str]:
        return list(self._source.deleted_pmids)

    @property
    def warnings(self) -> list[str]:
        return list(self._source.warnings)

    def __iter__(self) -> Iterator[Record]:
        reader, source, path = self._reader, self._source, self._source.path
        given, fallback = self._given_source, self._fallback
        has_controls = _CONTROL_BYTES.search(source.data) is not None
        per_source = self._per_source
        for record in reader.records(source):
            check_field_sizes(record, path, trust_raw=reader.raw_bounds_fields)
            if has_controls:
                strip_control_characters(record)
            if record.doi:
                _keep_other_dois(record)
            if record.authors:
                record.authors, cut = drop_et_al(drop_no_author(record.authors))
                if cut:
                    record.extra[AUTHORS_INCOMPLETE] = True
            if not reader.allows_empty_records and is_empty(record):
                raise ImportFormatError(
                    path, record.position or None,
                    "empty record (no title, abstract, authors, DOI, PMID or id); remove it from the file",
                )
            if given:
                record.source = given
            elif not record.source:
                record.source = fallback
            per_source[record.source] = per_source.get(record.source, 0) + 1
            self.n_records += 1
            yield record
        if not self.n_records and not source.deleted_pmids:
            raise ImportFormatError(path, None, f"no {reader.label} records found")


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


def _keep_other_dois(record: Record) -> None:
    """``record.doi`` as its first DOI, bare; the others (several in the field, or given apart by the
    reader: a second RIS ``DO`` line, MEDLINE ``[doi]`` ids) go to ``extra["other_dois"]``, not lost."""
    dois = split_dois(record.doi)
    record.doi = dois[0]
    given = record.extra.get(OTHER_DOIS) or []
    if isinstance(given, str):  # a CSV column: our own export writes the list as JSON
        given = _json_list(given) or split_dois(given)
    others = distinct_dois([record.doi, *dois[1:], *(bare_doi(str(d)) for d in given)])[1:]
    if others:
        record.extra[OTHER_DOIS] = others
    else:
        record.extra.pop(OTHER_DOIS, None)


def _json_list(text: str) -> list[str]:
    """The strings of a JSON list (``["10.1/b"]``); none when ``text`` is no such list."""
    try:
        value = json.loads(text)
    except ValueError:
        return []
    return [str(item) for item in value] if isinstance(value, list) else []


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


def _most_common(counts: dict[str, int]) -> str:
    """The key counted most often (the first one seen among ties); '' when none."""
    return max(counts, key=counts.__getitem__) if counts else ""
