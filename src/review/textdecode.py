"""Bytes → text for every file a user gives us: one policy (docs/decisions/0022).

UTF-8, with or without a byte-order mark, is read as is; UTF-16 only with its BOM; bytes that are
not UTF-8 are read as cp1252 (Excel's "CSV" on Dutch and English Windows), and the caller tells
the user so once (:func:`fallback_warning`). Binaries, and bytes that cp1252 would turn into
mojibake (UTF-8 with a stray byte, GBK, Shift-JIS …), are refused with one ``ImportFormatError``
naming the file, the line and the byte offset.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .errors import ImportFormatError

__all__ = [
    "CP1252", "DecodedText", "check_not_binary", "decode_text", "decode_user_bytes", "decode_utf8", "fallback_warning",
    "line_of_offset", "read_user_text", "read_utf8_text", "SNIFF_BYTES", "UTF16_BOMS",
]

#: The one fallback encoding: Windows-1252, what Excel writes as "CSV" on Western European Windows.
CP1252 = "cp1252"

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
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_UTF8_BOM = b"\xef\xbb\xbf"
#: U+FEFF at the text's or a line's start (after LF, CR or CRLF): a byte-order mark, never content there.
_LINE_START_BOMS = re.compile("(?:\\A|(?<=[\\n\\r]))\ufeff+")
_CONTROL = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f]")
_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xf4][\x80-\xbf]+")
#: A UTF-8 accented Latin letter or symbol (U+0080-U+027F) or typographic punctuation (U+2000-U+203F:
#: ’ “ ” – —). Read as cp1252 these become "Ã©", "â€™": a pair genuine cp1252 text all but never has.
_UTF8_LATIN = re.compile(rb"[\xc2-\xc9][\x80-\xbf]|\xe2\x80[\x80-\xbf]")
_HIGH_RUN = re.compile(rb"[\x80-\xff]{4,}")
_HIGH_BYTES = bytes(range(0x80, 0x100))
#: Every byte as b"0" (ASCII) or b"1" (0x80-0xff), to count runs of high bytes in C.
_HIGH_MASK = bytes.maketrans(bytes(range(256)), b"0" * 0x80 + b"1" * 0x80)


@dataclass(frozen=True, slots=True)
class DecodedText:
    """A user file's text (byte-order mark removed) and the encoding it was read in."""

    text: str
    #: ``utf-8``, ``utf-8-sig``, ``utf-16`` or ``cp1252`` (the fallback the user is told about).
    encoding: str


def line_of_offset(data: bytes, offset: int) -> int:
    """1-based line number of byte ``offset``."""
    return data.count(b"\n", 0, offset) + 1


def _at(data: bytes, offset: int) -> str:
    """``line N`` of byte ``offset``: the ``where`` of an ``ImportFormatError``."""
    return f"line {line_of_offset(data, offset)}"


def check_not_binary(data: bytes, path: Path | str) -> None:
    """Raise when ``data`` is a known binary format or full of control bytes."""
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise ImportFormatError(path, _at(data, 0), f"binary file: {what}, not text (its signature at offset 0)")
    if data.startswith(UTF16_BOMS):
        return
    head = data[:SNIFF_BYTES]
    nul = head.find(b"\x00")
    if nul >= 0 and max(head[0::2].count(0), head[1::2].count(0)) * 3 > len(head):
        raise ImportFormatError(path, _at(data, nul), f"looks like UTF-16 without a byte-order mark (NUL byte at "
                                f"offset {nul}); re-save it as UTF-8")
    if nul >= 0:
        raise ImportFormatError(path, _at(data, nul), f"binary file (NUL byte at offset {nul}), not text")
    controls = _CONTROL.findall(head)
    if len(controls) >= 8 and len(controls) > len(head) // 200:
        first = _CONTROL.search(head)
        offset = first.start() if first else 0
        raise ImportFormatError(
            path, _at(data, offset), f"binary file ({len(controls)} control bytes in the first {len(head):,}, "
            f"the first at offset {offset}), not text"
        )


def decode_text(data: bytes, path: Path | str) -> tuple[str, str]:
    """Decode ``data``; returns ``(text, encoding)`` with the BOM removed, and any BOM at a line's start.

    Tries UTF-8 (``utf-8-sig`` when a BOM is present), then cp1252 (Windows exports).
    UTF-16 is accepted only with a BOM. Text that is mostly UTF-8 with a stray byte, or a
    multi-byte Asian encoding that cp1252 would turn into mojibake, is refused rather than
    silently garbled.
    """
    if data.startswith(UTF16_BOMS):
        try:
            return _without_line_start_boms(data.decode("utf-16")), "utf-16"
        except UnicodeDecodeError as err:
            raise ImportFormatError(path, _at(data, err.start),
                                    f"invalid UTF-16 at offset {err.start} despite a UTF-16 byte-order mark") from None
    if data.startswith(_UTF8_BOM):  # it says UTF-8: no cp1252 fallback for a byte that breaks it
        text = decode_utf8(data, path, "the file starts with a UTF-8 byte-order mark; re-save it as UTF-8")
        return _without_line_start_boms(text), "utf-8-sig"
    try:
        return _without_line_start_boms(data.decode("utf-8")), "utf-8"
    except UnicodeDecodeError as utf8_error:
        first_bad = utf8_error.start
    where = _at(data, first_bad)
    high = _count_high(data)
    asian = _asian_encoding(data, high)  # first, whether or not cp1252 can read the bytes
    if asian:
        raise ImportFormatError(
            path, where, f"not UTF-8 or cp1252 (byte 0x{data[first_bad]:02x} at offset {first_bad}): the bytes "
            f"read as the multi-byte encoding {asian}; re-save the file as UTF-8",
        )
    try:
        text = data.decode(CP1252)
    except UnicodeDecodeError as err:
        raise ImportFormatError(
            path, _at(data, err.start),
            f"byte 0x{data[err.start]:02x} at offset {err.start} is neither UTF-8 nor cp1252 "
            "(tried utf-8, utf-8-sig, cp1252); re-save the file as UTF-8",
        ) from None
    # Even one UTF-8 "é" beside the stray byte would import as "Ã©" (a journal name, say).
    if len(_UTF8_MULTIBYTE.findall(data)) >= 3 or _UTF8_LATIN.search(data):
        raise ImportFormatError(
            path, where, f"mixed encoding: UTF-8 text with a stray byte 0x{data[first_bad]:02x} at offset "
            f"{first_bad}; re-save the file as UTF-8",
        )
    in_runs = sum(len(m) for m in _HIGH_RUN.findall(data))
    if high >= 8 and in_runs * 2 >= high:
        raise ImportFormatError(
            path, where, f"not UTF-8 or cp1252 (byte 0x{data[first_bad]:02x} at offset {first_bad}; looks like "
            "a multi-byte encoding such as GBK or Shift-JIS); re-save the file as UTF-8",
        )
    return text, CP1252


def _without_line_start_boms(text: str) -> str:
    """``text`` without the byte-order marks that begin a line: a file saved twice with one, or two exports
    joined with ``cat``, keep a BOM there, which would glue itself to the tag or column name after it."""
    if "\ufeff" not in text:  # (the common case costs one scan, no copy)
        return text
    return _LINE_START_BOMS.sub("", text)


def decode_user_bytes(data: bytes, path: Path | str) -> DecodedText:
    """The whole policy on bytes already read: refuse binaries, then :func:`decode_text`."""
    check_not_binary(data, path)
    text, encoding = decode_text(data, path)
    return DecodedText(text, encoding)


def _read_bytes(path: Path | str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as err:
        raise ImportFormatError(path, None, f"cannot read ({err.strerror or err})") from err


def read_user_text(path: Path | str, *, fallback: bool = True) -> DecodedText:
    """Read and decode a user's file by the policy; unreadable files are an ``ImportFormatError`` too.

    ``fallback=False`` for a file the tool wrote in UTF-8 and reads back where no warning can be
    shown (``synthesis.csv``): a cp1252 copy is then refused, naming the first byte that is not UTF-8.
    """
    data = _read_bytes(path)
    if fallback or data.startswith(UTF16_BOMS):
        return decode_user_bytes(data, path)
    check_not_binary(data, path)
    text = decode_utf8(data, path, "a spreadsheet's copy? Save it as CSV UTF-8")
    return DecodedText(text, "utf-8-sig" if data.startswith(_UTF8_BOM) else "utf-8")


def read_utf8_text(path: Path | str, advice: str) -> str:
    """The text of a file that is UTF-8 by its format (TOML, JSON) or because the tool wrote it:
    no fallback, a byte-order mark dropped. Unreadable, or not UTF-8: one ``ImportFormatError``
    naming the line and offset, ending with ``advice`` (callers may re-raise its text as their own class)."""
    return decode_utf8(_read_bytes(path), path, advice)


def decode_utf8(data: bytes, path: Path | str, advice: str) -> str:
    """``data`` as UTF-8 (a byte-order mark dropped), or :func:`read_utf8_text`'s refusal."""
    start = len(_UTF8_BOM) if data.startswith(_UTF8_BOM) else 0
    try:
        # Through a memoryview: data[3:] would copy the whole file once more before decoding.
        return str(memoryview(data)[start:], "utf-8")
    except UnicodeDecodeError as err:
        offset = err.start + start  # (the error's offset is the BOM's end's, not the file's)
        raise ImportFormatError(path, _at(data, offset),
                                f"not UTF-8 (byte 0x{data[offset]:02x} at offset {offset}); {advice}") from None


def fallback_warning(path: Path | str, encoding: str) -> str | None:
    """The one line a shell shows when a file was not UTF-8 and was read as cp1252; else None."""
    if encoding != CP1252:
        return None
    return (f"{path}: not UTF-8, read as cp1252 (Windows); check accented letters, or save the file "
            "as UTF-8 (Excel: CSV UTF-8)")


def _count_high(data: bytes) -> int:
    """Bytes 0x80-0xff in ``data`` (in C: a Python loop took seconds on a large export)."""
    return len(data) - len(data.translate(None, _HIGH_BYTES))


def _count_lone_high(data: bytes) -> int:
    """High bytes with an ASCII byte (or the file's edge) on both sides: runs of length one.

    Runs start at "01" in the 0/1 mask and runs of two or more at "011"; neither pattern overlaps
    itself, so ``bytes.count`` counts them exactly (a look-around regex took 2 s on 50 MB).
    """
    mask = b"0" + data.translate(_HIGH_MASK) + b"0"
    return mask.count(b"01") - mask.count(b"011")


#: Multi-byte encodings exports come in when not UTF-8, most specific first.
_ASIAN_CODECS: tuple[tuple[str, str], ...] = (
    ("shift_jis", "Shift-JIS (Japanese)"), ("euc_jp", "EUC-JP (Japanese)"), ("gbk", "GBK (Chinese)"),
    ("big5", "Big5 (Chinese)"), ("euc_kr", "EUC-KR (Korean)"),
)
_KANA = re.compile("[\u3040-\u30ff]")
_CJK = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uff00-\uffef]")


def _asian_encoding(data: bytes, high: int | None = None) -> str:
    """The multi-byte Asian encoding ``data`` decodes cleanly in, mostly to CJK text ('' if none).

    UTF-8 with one stray byte has many valid UTF-8 sequences and rarely decodes as any of
    these, so the check runs first and a GBK file is no longer called "UTF-8 with a stray byte".
    ``high``: :func:`_count_high` of ``data`` when the caller has it.
    """
    if high is None:
        high = _count_high(data)
    if high < 4:
        return ""
    # Western text has its accents one at a time inside words ("coördinatie", "patiënten"); such
    # bytes decode as GBK too (an ASCII letter is a valid GBK trail byte). CJK text has its high
    # bytes in pairs and runs: at most 12 % stand alone in GBK, Big5, Shift-JIS, EUC samples.
    if _count_lone_high(data) * 2 >= high:
        return ""
    for codec, label in _ASIAN_CODECS:
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        non_ascii = len(text) - len(text.encode("ascii", "ignore"))  # in C: a Python loop took seconds
        if codec in ("shift_jis", "euc_jp") and not _KANA.search(text):
            continue  # Japanese text has kana; Chinese bytes often also decode as EUC-JP kanji
        if non_ascii and len(_CJK.findall(text)) * 10 >= non_ascii * 9:
            return label
    return ""
