"""Recognise a file's format from its content; the extension only breaks ties.

Each registered reader scores the first 64 KB. Things we know but do not read (HTML pages,
other XML) get a message saying so, rather than a guess.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import ImportFormatError
from .decode import sniff_text
from .readers import READERS, Reader

__all__ = ["detect_format", "detect_reader"]

_UNSUPPORTED: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^\s*(?:<!DOCTYPE html|<html)", re.IGNORECASE),
     "an HTML page, not an export (a login page, or efetch with the wrong retmode?)"),
)
#: A content score at or above this wins over the file extension.
_CERTAIN = 80
_XML_ROOT = re.compile(r"<([A-Za-z_][\w.:-]*)[\s/>]")


def detect_reader(data: bytes, path: Path) -> Reader:
    """The reader for ``data``: best content score, extension as tie-break or last resort."""
    head = sniff_text(data)
    suffix = path.suffix.lower()
    hinted = [r for r in READERS.values() if suffix in r.extensions and suffix != ".txt"]
    scores = {name: reader.sniff(head) for name, reader in READERS.items()}
    best = max(scores.values(), default=0)
    if best >= _CERTAIN or (best > 0 and not hinted and not _unsupported(head)):
        candidates = [READERS[name] for name, score in scores.items() if score == best]
        return next((r for r in candidates if suffix in r.extensions), candidates[0])
    message = _unsupported(head)
    if message:
        raise ImportFormatError(path, None, message)
    if head.lstrip().startswith("<"):
        root = _XML_ROOT.search(head.lstrip().split("?>", 1)[-1])
        what = f"XML with root <{root.group(1)}>" if root else "XML-like text"
        raise ImportFormatError(path, None, f"{what} is not a supported export (PubMed or EndNote XML expected)")
    if hinted:
        return hinted[0]  # content is unclear: let the named format's reader say what is wrong
    known = ", ".join(reader.label for reader in READERS.values())
    raise ImportFormatError(path, "line 1", f"unrecognised format (expected one of: {known})")


def detect_format(data: bytes, path: Path | str = "<data>") -> str:
    """The registered format name for ``data`` (``ris``, ``medline``, ``pubmed-xml`` …)."""
    return detect_reader(data, Path(path)).name


def _unsupported(head: str) -> str:
    for pattern, message in _UNSUPPORTED:
        if pattern.search(head):
            return message
    return ""
