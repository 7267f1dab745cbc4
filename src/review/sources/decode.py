"""Limits and format sniffing for bibliographic files; bytes → text is ``review.textdecode``."""

from __future__ import annotations

from ..textdecode import SNIFF_BYTES, UTF16_BOMS

__all__ = ["MAX_FIELD_CHARS", "sniff_text"]

#: Longest value accepted in any one field (1,000,000 characters). Real abstracts stay far below
#: (the longest in the shared sets is about 10,000); anything larger is a broken export.
MAX_FIELD_CHARS = 1_000_000


def sniff_text(data: bytes) -> str:
    """The first bytes decoded leniently, BOM stripped: enough to recognise a format."""
    head = data[:SNIFF_BYTES]
    if head.startswith(UTF16_BOMS):
        return head.decode("utf-16", errors="replace")
    return head.decode("utf-8", errors="replace").lstrip("\ufeff")
