"""Bytes → text for bibliographic files: refuse binaries, try UTF-8, UTF-8-BOM, cp1252.

The encoding actually used is returned so the import report can show it; a file that is
none of those (or is plainly not text) raises one ``ImportFormatError`` naming the line.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import ImportFormatError

__all__ = ["MAX_FIELD_CHARS", "check_not_binary", "decode_text", "line_of_offset", "sniff_text"]

#: Longest value accepted in any one field (1,000,000 characters). Real abstracts stay far below
#: (the longest in the shared sets is about 10,000); anything larger is a broken export.
MAX_FIELD_CHARS = 1_000_000

#: Bytes read for binary checks and format sniffing.
SNIFF_BYTES = 65_536

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (an .xlsx or .docx? save it as CSV)"),
    (b"\x1f\x8b", "a gzip archive (decompress it first)"),
    (b"\xd0\xcf\x11\xe0", "an old Office document (.xls/.doc; save it as CSV)"),
    (b"SQLite format 3\x00", "an SQLite database"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
)
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_CONTROL = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f]")
_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xf4][\x80-\xbf]+")
#: A UTF-8 accented Latin letter or symbol (U+0080-U+027F) or typographic punctuation (U+2000-U+203F:
#: ’ “ ” – —). Read as cp1252 these become "Ã©", "â€™": a pair genuine cp1252 text all but never has.
_UTF8_LATIN = re.compile(rb"[\xc2-\xc9][\x80-\xbf]|\xe2\x80[\x80-\xbf]")
_HIGH_RUN = re.compile(rb"[\x80-\xff]{4,}")


def line_of_offset(data: bytes, offset: int) -> int:
    """1-based line number of byte ``offset``."""
    return data.count(b"\n", 0, offset) + 1


def check_not_binary(data: bytes, path: Path | str) -> None:
    """Raise when ``data`` is a known binary format or full of control bytes."""
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise ImportFormatError(path, None, f"binary file: {what}, not a bibliographic export")
    if data.startswith(_UTF16_BOMS):
        return
    head = data[:SNIFF_BYTES]
    nul = head.find(b"\x00")
    if nul >= 0 and max(head[0::2].count(0), head[1::2].count(0)) * 3 > len(head):
        raise ImportFormatError(path, None, "looks like UTF-16 without a byte-order mark; re-save it as UTF-8")
    if nul >= 0:
        raise ImportFormatError(
            path, f"line {line_of_offset(data, nul)}", "binary file (NUL byte), not a bibliographic export"
        )
    controls = _CONTROL.findall(head)
    if len(controls) >= 8 and len(controls) > len(head) // 200:
        raise ImportFormatError(
            path, None, f"binary file ({len(controls)} control bytes in the first {len(head):,}), not text"
        )


def decode_text(data: bytes, path: Path | str) -> tuple[str, str]:
    """Decode ``data``; returns ``(text, encoding)`` with the BOM removed.

    Tries UTF-8 (``utf-8-sig`` when a BOM is present), then cp1252 (Windows exports).
    UTF-16 is accepted only with a BOM. Text that is mostly UTF-8 with a stray byte, or a
    multi-byte Asian encoding that cp1252 would turn into mojibake, is refused rather than
    silently garbled.
    """
    if data.startswith(_UTF16_BOMS):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as err:
            raise ImportFormatError(path, f"line {line_of_offset(data, err.start)}",
                                    "invalid UTF-16 despite a UTF-16 byte-order mark") from None
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            # Through a memoryview: data[3:] would copy the whole file once more before decoding.
            return str(memoryview(data)[3:], "utf-8"), "utf-8-sig"
        except UnicodeDecodeError as err:
            raise ImportFormatError(
                path, f"line {line_of_offset(data, err.start + 3)}",
                f"byte 0x{data[err.start + 3]:02x} is not UTF-8 although the file starts with a UTF-8 BOM",
            ) from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as utf8_error:
        first_bad = utf8_error.start
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError as err:
        asian = _asian_encoding(data)
        if asian:
            raise ImportFormatError(
                path, f"line {line_of_offset(data, first_bad)}",
                f"not UTF-8 or cp1252: the bytes read as the multi-byte encoding {asian}; re-save the file as UTF-8",
            ) from None
        raise ImportFormatError(
            path, f"line {line_of_offset(data, err.start)}",
            f"byte 0x{data[err.start]:02x} is neither UTF-8 nor cp1252 (tried utf-8, utf-8-sig, cp1252); "
            "re-save the file as UTF-8",
        ) from None
    where = f"line {line_of_offset(data, first_bad)}"
    asian = _asian_encoding(data)
    if asian:
        raise ImportFormatError(
            path, where, f"not UTF-8 or cp1252: the bytes read as the multi-byte encoding {asian}; re-save the file as UTF-8",
        )
    # Even one UTF-8 "é" beside the stray byte would import as "Ã©" (a journal name, say).
    if len(_UTF8_MULTIBYTE.findall(data)) >= 3 or _UTF8_LATIN.search(data):
        raise ImportFormatError(
            path, where, f"mixed encoding: UTF-8 text with a stray byte 0x{data[first_bad]:02x}; "
            "re-save the file as UTF-8",
        )
    high = sum(1 for b in data if b >= 0x80)
    in_runs = sum(len(m) for m in _HIGH_RUN.findall(data))
    if high >= 8 and in_runs * 2 >= high:
        raise ImportFormatError(
            path, where, "not UTF-8 or cp1252 (looks like a multi-byte encoding such as GBK or "
            "Shift-JIS); re-save the file as UTF-8",
        )
    return text, "cp1252"


#: Multi-byte encodings exports come in when not UTF-8, most specific first.
_ASIAN_CODECS: tuple[tuple[str, str], ...] = (
    ("shift_jis", "Shift-JIS (Japanese)"), ("euc_jp", "EUC-JP (Japanese)"), ("gbk", "GBK (Chinese)"),
    ("big5", "Big5 (Chinese)"), ("euc_kr", "EUC-KR (Korean)"),
)
_KANA = re.compile("[\u3040-\u30ff]")
_CJK = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uff00-\uffef]")


def _asian_encoding(data: bytes) -> str:
    """The multi-byte Asian encoding ``data`` decodes cleanly in, mostly to CJK text ('' if none).

    UTF-8 with one stray byte has many valid UTF-8 sequences and rarely decodes as any of
    these, so the check runs first and a GBK file is no longer called "UTF-8 with a stray byte".
    """
    high = sum(1 for b in data if b >= 0x80)
    if high < 4:
        return ""
    for codec, label in _ASIAN_CODECS:
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        non_ascii = [c for c in text if ord(c) >= 0x80]
        if codec in ("shift_jis", "euc_jp") and not _KANA.search(text):
            continue  # Japanese text has kana; Chinese bytes often also decode as EUC-JP kanji
        if non_ascii and len(_CJK.findall(text)) * 10 >= len(non_ascii) * 9:
            return label
    return ""


def sniff_text(data: bytes) -> str:
    """The first bytes decoded leniently, BOM stripped: enough to recognise a format."""
    head = data[:SNIFF_BYTES]
    if head.startswith(_UTF16_BOMS):
        return head.decode("utf-16", errors="replace")
    return head.decode("utf-8", errors="replace").lstrip("\ufeff")
