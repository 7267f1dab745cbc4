"""Sources stage: read bibliographic exports into the store and write records back out.

Readers (RIS, MEDLINE/.nbib, PubMed XML, BibTeX, CSV, EndNote XML/tagged) live in
``sources.readers`` as a registry; ``import_files`` is what the CLI, the TUI and
``review demo`` call.
"""

from __future__ import annotations

from .detect import detect_format
from .export import export_records, render_records
from .importer import FileImport, ImportReport, import_files, read_file
from .readers import READERS, ReadResult

__all__ = [
    "READERS", "FileImport", "ImportReport", "ReadResult", "detect_format", "export_records",
    "import_files", "read_file", "render_records",
]
