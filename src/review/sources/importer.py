"""Import bibliographic files into a workspace store: per file all or nothing, never twice.

Records are parsed one at a time and stored in slices, all inside one
transaction per file: a problem anywhere in the file (a bad last record) rolls back every
slice, and memory holds one slice, not the file's records. Every file is parsed completely
before the store's write lock is taken (records past the first slice wait in a temporary
file), so the lock is held only while rows are written. A file whose SHA-256 matches an
earlier batch is skipped.
"""

from __future__ import annotations

import hashlib
import pickle
import re
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import IO

from ..errors import ImportFormatError, check_input_file
from ..records import Record
from ..store import Store
from ..store.batches import INSERT_SLICE
from ..textdecode import check_not_binary, fallback_warning
from ..timestamps import minute_utc
from ..workspace import Workspace
from .detect import detect_reader
from .readers import ReadResult, RecordStream

__all__ = ["FileImport", "ImportProgress", "ImportReport", "import_files", "read_file"]

#: Told ``(file, phase, records parsed so far)`` as an import goes: phase "parsing" after each
#: slice read, then "writing" once the file is parsed and its rows go into the store.
ImportProgress = Callable[[Path, str, int], None]

#: Any byte but the ASCII whitespace ``bytes.strip`` removes.
_CONTENT_BYTE = re.compile(rb"[^ \t\n\r\x0b\x0c]")


def read_file(path: Path | str, *, source: str | None = None, data: bytes | None = None) -> ReadResult:
    """Read, detect, decode and parse one file; raises ``ImportFormatError`` on any problem.

    ``data``: the file's bytes when the caller has read them already (``path`` then only names it).
    """
    path = Path(path)
    if data is None:
        data = read_input_bytes(path)
    check_not_binary(data, path)
    return detect_reader(data, path).read(path, data, source_name=source)


@dataclass(slots=True)
class FileImport:
    """The outcome for one file: imported, skipped (already imported) or failed."""

    path: Path
    status: str  # imported | skipped | failed
    format: str = ""
    encoding: str = ""
    source_name: str = ""
    n_records: int = 0
    batch_id: int | None = None
    message: str = ""
    deleted_pmids: list[str] = field(default_factory=list)
    #: Records per source name, most first, when the file's records name more than one.
    several_sources: dict[str, int] = field(default_factory=dict)
    error: ImportFormatError | None = None
    seconds: float = 0.0
    #: What the reader warned of (a CSV's short last row read as it stands).
    warnings: list[str] = field(default_factory=list)


@dataclass(slots=True)
class ImportReport:
    """Per-file outcomes of one ``import_files`` call, in the order given."""

    files: list[FileImport] = field(default_factory=list)

    @property
    def n_imported(self) -> int:
        return sum(f.n_records for f in self.files if f.status == "imported")

    @property
    def errors(self) -> list[ImportFormatError]:
        return [f.error for f in self.files if f.error is not None]

    @property
    def warnings(self) -> list[str]:
        """One line per file imported now that was not UTF-8 and was read as cp1252, and what its reader warned of."""
        return [warning for f in self.files if f.status == "imported"
                for warning in [fallback_warning(f.path, f.encoding), *f.warnings] if warning is not None]

    def raise_first_error(self) -> None:
        if self.errors:
            raise self.errors[0]


def import_files(
    target: Workspace | Store, paths: Iterable[Path | str], source: str | None = None,
    progress: ImportProgress | None = None,
) -> ImportReport:
    """Import each file in its own transaction; bad files are reported, not raised.

    ``source`` names the database for every record (otherwise taken from the file: RIS
    ``DB``, a CSV ``source_database`` column, a MEDLINE record's ``DB`` line, "PubMed" for PubMed XML
    and a MEDLINE record with a PMID, else the file name). Call ``report.raise_first_error()`` to turn failures into an exception.
    ``progress`` hears how far each file has got (a 1,000,000-record file takes over a minute).
    """
    store = target.store if isinstance(target, Workspace) else target
    root = target.root if isinstance(target, Workspace) else None
    report = ImportReport()
    for given in paths:
        path = Path(given)
        started = time.perf_counter()
        try:
            outcome = _import_one(store, path, source, root, progress)
        except ImportFormatError as err:
            outcome = FileImport(path=path, status="failed", message=str(err), error=err)
        outcome.seconds = time.perf_counter() - started
        report.files.append(outcome)
    _name_skipped_files_databases(store, report.files)
    return report


def _name_skipped_files_databases(store: Store, files: list[FileImport]) -> None:
    """A skipped file whose records name several databases names them as its first import did (each with
    the count then stored, most first): the import prints a row per database for it again."""
    skipped = {f.batch_id: f for f in files if f.status == "skipped" and f.batch_id is not None}
    if not skipped:
        return
    for batch_id, per_source in store.batch_source_counts(skipped).items():
        if len(per_source) > 1:
            skipped[batch_id].several_sources = dict(sorted(per_source.items(), key=lambda item: -item[1]))


def _import_one(store: Store, path: Path, source: str | None, root: Path | None,
                progress: ImportProgress | None = None) -> FileImport:
    data = read_input_bytes(path)
    digest = hashlib.sha256(data).hexdigest()
    # Cheap check first so a re-import skips parsing; the insert checks again under the lock.
    previous = store.find_batch(digest)
    if previous is not None:
        return _skipped(path, previous)
    # A store that cannot be written here (a read-only workspace) is refused before the parsing, most of an
    # import's time (it was refused at the first write); not before the checks above: a missing file is still
    # exit 3 and a file imported before still skipped, which write nothing.
    store.refuse_if_read_only()
    stream = _open(path, data, source, digest)
    records = iter(stream)
    first = list(islice(records, INSERT_SLICE))
    parsed = len(first)

    def parsed_slice(n_records: int) -> None:
        nonlocal parsed
        parsed += n_records
        if progress is not None:
            progress(path, "parsing", parsed)

    parsed_slice(0)
    with _ParsedSpill(records, parsed_slice) as rest:  # a large file is parsed whole before the lock is taken
        if progress is not None:
            progress(path, "writing", parsed)
        with store.locked_transaction() as conn:
            previous = store.find_batch(digest, conn=conn)
            if previous is not None:
                return _skipped(path, previous)
            batch = store.begin_batch(conn, file_name=_stored_name(path, root), file_sha256=digest,
                                      source_name=stream.source_name, format=stream.format,
                                      encoding=stream.encoding)
            batch.add(first)
            del first
            batch.add(rest)
            batch_id = batch.finish(source_name=stream.source_name)
    return FileImport(
        path=path, status="imported", format=stream.format, encoding=stream.encoding,
        source_name=stream.source_name, n_records=stream.n_records, batch_id=batch_id,
        deleted_pmids=stream.deleted_pmids, several_sources=stream.per_source if len(stream.per_source) > 1 else {},
        warnings=stream.warnings,
    )


class _ParsedSpill:
    """The records after the first slice, parsed now and kept in an anonymous temporary file.

    Parsing is most of a large import (1,000,000 RIS records: about 100 s under load).
    Parsing under the store's write lock would make a screening decision in another window
    wait that long and fail its busy timeout; holding the records in memory
    would cost ~1.5 KB each. So they are pickled slice by slice to a file only this process
    can open (mode 0600, gone when closed) and read back under the lock.
    """

    def __init__(self, records: Iterator[Record], on_slice: Callable[[int], None] | None = None) -> None:
        self._file: IO[bytes] | None = None
        try:
            while chunk := list(islice(records, INSERT_SLICE)):
                if self._file is None:
                    self._file = tempfile.TemporaryFile(prefix="review-import-")
                pickle.dump(chunk, self._file, protocol=pickle.HIGHEST_PROTOCOL)
                if on_slice is not None:
                    on_slice(len(chunk))
        except BaseException:
            self.__exit__()
            raise

    def __enter__(self) -> Iterator[Record]:
        return self._read()

    def __exit__(self, *exc: object) -> None:
        if self._file is not None:
            self._file.close()

    def _read(self) -> Iterator[Record]:
        if self._file is None:
            return
        self._file.seek(0)
        while True:
            try:
                chunk = pickle.load(self._file)  # our own file, written just above
            except EOFError:
                return
            yield from chunk


def _skipped(path: Path, previous: dict) -> FileImport:
    return FileImport(
        path=path, status="skipped", format=previous["format"], encoding=previous["encoding"],
        source_name=previous["source_name"], batch_id=previous["id"],
        message=f"already imported as batch {previous['id']} ({previous['n_records']} "
                f"record{'' if previous['n_records'] == 1 else 's'}, "
                f"{previous['file_name']}, {minute_utc(previous['imported_at'])})",
    )


def read_input_bytes(path: Path) -> bytes:
    """The bytes of a regular, non-empty input file, or one ImportFormatError naming it.

    A FIFO is refused, as it always was here (docs/sources.md), unlike the commands that read one
    file once: an import's batch keeps the file's name as the records' provenance, and a pipe's
    (``/dev/fd/63``) names nothing; search exports are no client data to keep off disk. So does a
    seed check (``search --check-seeds``), which records its seed file's name."""
    check_input_file(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ImportFormatError(path, None, "no such file") from None
    except OSError as err:
        raise ImportFormatError(path, None, f"cannot read: {err.strerror or err}") from None
    # A search, not data.strip(): stripping a file's last newline copies all of it (+1x its size at peak).
    if _CONTENT_BYTE.search(data, 3 if data.startswith(b"\xef\xbb\xbf") else 0) is None:
        raise ImportFormatError(path, None, "empty file" if not data else "empty file (only whitespace)")
    return data


def _open(path: Path, data: bytes, source: str | None, sha256: str) -> RecordStream:
    """Check, detect and decode now; the records come as the stream is read."""
    check_not_binary(data, path)
    return detect_reader(data, path).stream(path, data, source_name=source, sha256=sha256)


def _stored_name(path: Path, root: Path | None) -> str:
    """The path recorded on the batch: relative to the workspace when inside it."""
    resolved = path.resolve()
    if root is not None and resolved.is_relative_to(root):
        return resolved.relative_to(root).as_posix()
    return str(resolved)
