"""Format readers; importing this package registers every one of them in ``READERS``."""

from __future__ import annotations

from . import bibtex, endnote, medline, pubmed, ris, table, wos  # noqa: F401  (registration side effect)
from .base import READERS, Reader, ReadResult, RecordStream, SourceFile, register

__all__ = ["READERS", "ReadResult", "Reader", "RecordStream", "SourceFile", "register"]
