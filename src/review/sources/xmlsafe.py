"""XML input that cannot expand, lie about its encoding or name a codec Python lacks.

Every XML reader parses through here: defusedxml refuses entity declarations (an internal
entity can blow a 1 KB file up past the field limit) and external references; the declared
encoding is checked before the parser sees it, so a typo'd codec or a Latin-1 declaration
over UTF-8 bytes gives one line instead of a traceback or mojibake.
"""

from __future__ import annotations

import codecs
import io
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import Protocol

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET

from ..errors import ImportFormatError
from ..textdecode import line_of_offset

__all__ = ["check_declared_encoding", "declared_encoding", "safe_fromstring", "safe_iterparse"]

class SupportsRead(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


_DECLARED = re.compile(rb"""^\s*<\?xml[^>]*encoding\s*=\s*["']([^"']*)["']""")
_SINGLE_BYTE = {"iso8859-1", "latin-1", "cp1252", "iso8859-15", "ascii", "mac-roman", "cp1250"}
_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xf4][\x80-\xbf]+")


def declared_encoding(data: bytes) -> str:
    """The encoding named in the XML declaration, lower-case ('' when none)."""
    match = _DECLARED.match(data.lstrip(b"\xef\xbb\xbf"))
    return match.group(1).decode("ascii", "replace").strip().lower() if match else ""


def check_declared_encoding(data: bytes, path: object) -> str:
    """The declared encoding (default utf-8) after checking Python knows it and the bytes fit it."""
    declared = declared_encoding(data)
    if not declared:
        return "utf-8"
    try:
        codec = codecs.lookup(declared).name
    except LookupError:
        raise ImportFormatError(path, "line 1", f"unknown encoding {declared!r} in the XML declaration") from None
    if codec in _SINGLE_BYTE:
        multibyte = _UTF8_MULTIBYTE.search(data)
        if multibyte is not None and _is_utf8(data):
            raise ImportFormatError(
                path, f"line {line_of_offset(data, multibyte.start())}",
                f"declares encoding {declared!r} but the bytes are UTF-8 (would import as mojibake); "
                "correct the XML declaration",
            )
    return declared


def safe_fromstring(data: bytes, path: object) -> ET.Element:
    """Parse a whole document; entity declarations and external references raise ``ImportFormatError``."""
    check_declared_encoding(data, path)
    try:
        return SafeET.fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as err:
        raise ImportFormatError(path, None, f"refused: {_defused_reason(err)}") from None


def safe_iterparse(data: bytes, path: object, events: tuple[str, ...] = ("end",),
                   stream: SupportsRead | None = None) -> Iterator[tuple[str, ET.Element]]:
    """``iterparse`` with the same refusals as :func:`safe_fromstring`; of ``stream`` (``data`` as read
    another way, such as without blocks nobody reads) when given, else of ``data``."""
    check_declared_encoding(data, path)
    try:
        yield from SafeET.iterparse(stream or io.BytesIO(data), events=events, forbid_dtd=False,
                                    forbid_entities=True, forbid_external=True)
    except DefusedXmlException as err:
        raise ImportFormatError(path, None, f"refused: {_defused_reason(err)}") from None


def _defused_reason(err: DefusedXmlException) -> str:
    name = type(err).__name__
    if name == "EntitiesForbidden":
        return "the XML declares entities (<!ENTITY>), which imports do not expand"
    if name == "ExternalReferenceForbidden":
        return "the XML refers to an external resource, which imports never load"
    return f"unsafe XML ({name})"


def _is_utf8(data: bytes) -> bool:
    # Piece by piece: decoding a large file at once would hold all of it again as text.
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        for start in range(0, len(data), _PIECE):
            decoder.decode(data[start:start + _PIECE])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


_PIECE = 1 << 20
