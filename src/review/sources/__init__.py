"""Sources stage: read bibliographic exports into the store and write records back out.

Readers (RIS, MEDLINE/.nbib, PubMed XML, BibTeX, CSV, EndNote XML/tagged, Web of Science) live in
``sources.readers`` as a registry; ``import_files`` is what ``review import`` and the TUI dashboard's ``f``
call (through ``services.sources``), and ``review demo``.

The names below are loaded when first asked for (PEP 562), so a module that needs only ``sources.fields``
(dedup's name reading and CSV mode) does not load the readers and the importer, and with them Biopython and the
store's SQLAlchemy: 30 MB and 0.9 s of a CSV-mode ``review dedup`` at 50,000 records.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .detect import detect_format
    from .export import export_records, render_records
    from .importer import FileImport, ImportReport, import_files, read_file
    from .readers import READERS, ReadResult

#: Where each name of ``__all__`` lives.
_HOMES = {
    "READERS": "readers", "FileImport": "importer", "ImportReport": "importer", "ReadResult": "readers",
    "detect_format": "detect", "export_records": "export", "import_files": "importer", "read_file": "importer",
    "render_records": "export",
}

#: Written out for linters and type checkers; tests/sources/test_lazy_names.py keeps it equal to ``_HOMES``.
__all__ = [
    "READERS", "FileImport", "ImportReport", "ReadResult", "detect_format", "export_records",
    "import_files", "read_file", "render_records",
]

if not TYPE_CHECKING:  # mypy reads the imports above; a module __getattr__ would make every name Any to it

    def __getattr__(name: str) -> Any:
        home = _HOMES.get(name)
        if home is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        value = getattr(import_module(f".{home}", __name__), name)
        globals()[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted({*globals(), *_HOMES})
