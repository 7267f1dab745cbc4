"""BibTeX (.bib from Zotero, JabRef, Google Scholar, Web of Science) via bibtexparser 2.

bibtexparser splits the blocks, removes enclosing braces and decodes LaTeX accents; an entry
it could not finish (unbalanced braces, missing ``}``) fails the file. ``@string`` macros and
``#`` concatenation are ours, in file order as BibTeX reads them: a macro applies from its
definition on, through every piece of a large file, and a redefinition from that point.
"""

from __future__ import annotations

import itertools
import logging
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from ...errors import ImportFormatError
from ...records import Record
from ..fields import collapse, first_text, join_pages, parse_year, split_keywords, split_pages
from ..decode import MAX_FIELD_CHARS
from .base import Reader, SourceFile, register

if TYPE_CHECKING:
    from bibtexparser.model import Entry

# bibtexparser logs each failed block; we raise our own one-line error instead.
logging.getLogger("bibtexparser").addHandler(logging.NullHandler())

_ENTRY = re.compile(r"^\s*@\s*[A-Za-z]+\s*[{(]", re.MULTILINE)
_BRACES = re.compile(r"[{}]")
_USED = {"title", "abstract", "author", "year", "journal", "booktitle", "volume", "number",
         "issue", "pages", "doi", "pmid", "keywords", "keyword", "language"}


@register
class BibtexReader(Reader):
    name = "bibtex"
    label = "BibTeX"
    extensions = (".bib", ".bibtex")

    #: ``@string`` macros expand, so a record's raw text does not bound its fields' length.
    raw_bounds_fields = False

    def sniff(self, head: str) -> int:
        return 80 if _ENTRY.search(head) else 0

    def records(self, source: SourceFile) -> Iterator[Record]:
        # Imported here: bibtexparser (and pylatexenc) cost more start-up than all other readers.
        from bibtexparser.model import DuplicateBlockKeyBlock, DuplicateFieldKeyBlock, Entry, ParsingFailedBlock

        from .bibtex_latex import FastLatexDecoding

        _refuse_oversized_entries(source)
        decoding = FastLatexDecoding()  # one for the file: it remembers values that repeat (journals, names)
        macros: dict[str, str] = {}  # @string values defined so far (lower-case names), across pieces
        crossrefs = _CrossRefs(source.text)
        for offset, piece in _pieces(source.text):
            try:
                library = self._parse_library(piece, macros, decoding)
            except _FieldTooLong as err:
                raise ImportFormatError(
                    source.path, f"line {err.line + offset}",
                    f"field '{err.key}' is {err.size:,} characters long after joining its parts "
                    f"(limit {MAX_FIELD_CHARS:,})",
                ) from None
            for block in library.blocks:
                if isinstance(block, (DuplicateBlockKeyBlock, DuplicateFieldKeyBlock)):
                    # A repeated key or field is common in real exports: keep the entry itself.
                    block = block.ignore_error_block
                if isinstance(block, Entry):
                    yield from crossrefs.resolve(block, offset)
                elif isinstance(block, ParsingFailedBlock):
                    line = (block.start_line or 0) + 1 + offset
                    what = _first_line(block.error) or "syntax error"
                    raise ImportFormatError(
                        source.path, f"line {line}",
                        f"BibTeX entry {_entry_head(block.raw)} is not closed properly "
                        f"(unbalanced braces or quotes?): {what}",
                    )
        yield from crossrefs.unresolved()

    @staticmethod
    def _parse_library(text: str, macros: dict[str, str], decoding: Any) -> Any:
        """One piece parsed; ``macros`` (updated in place) holds the @strings of the pieces before it.

        ``decoding`` decodes LaTeX as bibtexparser's ``LatexDecodingMiddleware`` does (bibtex_latex.py).
        """
        import bibtexparser
        from bibtexparser import middlewares

        return bibtexparser.parse_string(
            text,
            parse_stack=[_macro_middleware(macros), middlewares.RemoveEnclosingMiddleware(True),
                         decoding, middlewares.SeparateCoAuthors()],
        )


#: Entries per piece handed to bibtexparser, which builds a whole library per call (about
#: 3 KB per entry): a large file is parsed piece by piece, a file of up to this many at once.
_PIECE_ENTRIES = 2_000


def _pieces(text: str) -> Iterator[tuple[int, str]]:
    """``(lines before it, text)`` of consecutive pieces of ``_PIECE_ENTRIES`` entries, cut where one starts.

    bibtexparser ends an unclosed block at a line that starts a new one, so a cut there
    splits nothing it would have read as one block.
    """
    start = line = 0
    for index, match in enumerate(_ENTRY.finditer(text)):
        if index and index % _PIECE_ENTRIES == 0:
            cut = match.start()
            yield line, text[start:cut]
            line += text.count("\n", start, cut)
            start = cut
    yield line, text[start:]


def _refuse_oversized_entries(source: SourceFile) -> None:
    """Refuse an entry (or ``@string``) longer than the field limit before bibtexparser spends minutes on it."""
    text = source.text
    if len(text) <= MAX_FIELD_CHARS:
        return
    starts = itertools.chain((m.start() for m in _ENTRY.finditer(text)), [len(text)])
    for begin, end in itertools.pairwise(starts):
        if end - begin > MAX_FIELD_CHARS:
            line = text.count("\n", 0, begin) + 1
            raise ImportFormatError(
                source.path, f"line {line}",
                f"BibTeX entry {_entry_head(text[begin:begin + 200])} is {end - begin:,} characters long "
                f"(field limit {MAX_FIELD_CHARS:,})",
            )


_MONTHS = {m: m.capitalize() for m in ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep",
                                        "oct", "nov", "dec")}


def _macro_middleware(macros: dict[str, str]) -> Any:
    """A bibtexparser middleware expanding ``@string`` macros and joining ``"text" # macro # {text}``.

    Blocks are walked in file order with ``macros`` as defined so far, as BibTeX reads a file
    (bibtexparser's own resolver uses one table for the whole file, whose first definition of
    a name wins, and keeps ``#`` values literally). A redefinition comes as a duplicate block.
    """
    from bibtexparser.middlewares.middleware import LibraryMiddleware
    from bibtexparser.model import DuplicateBlockKeyBlock, DuplicateFieldKeyBlock, Entry, String

    class ExpandMacros(LibraryMiddleware):
        @classmethod
        def metadata_key(cls) -> str:
            return "review-macros"

        def transform(self, library: Any) -> Any:
            for block in library.blocks:
                if isinstance(block, (DuplicateBlockKeyBlock, DuplicateFieldKeyBlock)):
                    block = block.ignore_error_block
                if isinstance(block, String):
                    value = _expand(str(block.value), macros, block.start_line, block.key)
                    macros[block.key.lower()] = _unenclose(value)
                elif isinstance(block, Entry):
                    for item in block.fields:
                        if isinstance(item.value, str):
                            item.value = _expand(item.value, macros, block.start_line, item.key)
            return library

    return ExpandMacros(True)


def _expand(value: str, macros: dict[str, str], line: int | None, key: str) -> str:
    """``value`` with its macros expanded and ``#`` parts joined, enclosed in braces when it changed.

    A name not defined (yet) stays as written, and so does a bare month name (``month = jan``);
    in a ``#`` join a month name becomes ``Jan``.
    """
    parts = _top_level_parts(value) if "#" in value else [value]  # (no "#": one part, without walking it)
    if len(parts) == 1:
        name = value.strip().lower()
        return "{" + macros[name] + "}" if name in macros else value
    joined = "".join(_resolve(p, macros) for p in parts)
    if len(joined) > MAX_FIELD_CHARS:  # before LaTeX decoding spends minutes on it
        raise _FieldTooLong(line, key, len(joined))
    return "{" + joined + "}"


class _FieldTooLong(Exception):
    def __init__(self, start_line: int | None, key: str, size: int) -> None:
        super().__init__(key)
        self.line, self.key, self.size = (start_line or 0) + 1, key, size


def _top_level_parts(value: str) -> list[str]:
    """``value`` split on ``#`` outside braces and quotes."""
    parts: list[str] = []
    depth, quoted, start = 0, False, 0
    for index, char in enumerate(value):
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
        elif char == '"' and depth == 0:
            quoted = not quoted
        elif char == "#" and depth == 0 and not quoted:
            parts.append(value[start:index].strip())
            start = index + 1
    parts.append(value[start:].strip())
    return parts


def _unenclose(part: str) -> str:
    part = part.strip()
    if len(part) >= 2 and (part[0], part[-1]) in (('"', '"'), ("{", "}")):
        return part[1:-1]
    return part


def _resolve(part: str, strings: dict[str, str]) -> str:
    if part[:1] in ('"', "{"):
        return _unenclose(part)
    return strings.get(part.lower(), _MONTHS.get(part.lower(), part))


_CROSSREF = re.compile(r"\bcrossref\s*=\s*[{\"]?\s*([^\s,{}\"]+)", re.IGNORECASE)
#: What a child inherits from the entry its ``crossref`` names, when it lacks them (the book or
#: proceedings around a chapter or paper); the parent's title is the child's ``booktitle``. Never its
#: DOI, PMID, abstract or keywords: those identify the parent, and a shared DOI would read as a duplicate.
_INHERITED = ("booktitle", "year", "editor", "publisher", "address", "organization", "series", "volume",
              "month", "isbn", "journal")


class _CrossRefs:
    """Resolves BibTeX ``crossref`` as BibTeX does: a child gets the fields it lacks from its parent.

    The parent usually comes after its children (BibTeX requires it), so a child whose parent is
    not read yet waits and is yielded right after the parent; one whose parent never comes is
    yielded at the end of the file as it is. Only the parents named by some ``crossref`` are kept.
    """

    def __init__(self, text: str) -> None:
        self._wanted = {m.group(1).lower() for m in _CROSSREF.finditer(text)}
        self._parents: dict[str, dict[str, Any]] = {}
        self._waiting: dict[str, list[tuple[Entry, dict[str, Any], int]]] = {}

    def resolve(self, entry: Entry, offset: int) -> Iterator[Record]:
        fields = _fields(entry)
        if not self._wanted:
            yield _record(entry, fields, offset)
            return
        parent_key = _clean(fields.get("crossref")).lower()
        if parent_key and parent_key != entry.key.lower():
            parent = self._parents.get(parent_key)
            if parent is None:
                self._waiting.setdefault(parent_key, []).append((entry, fields, offset))
            else:
                yield _record(entry, _inherit(fields, parent), offset)
        else:
            yield _record(entry, fields, offset)
        key = entry.key.lower()
        if key in self._wanted and key not in self._parents:
            self._parents[key] = fields
            for child, child_fields, child_offset in self._waiting.pop(key, []):
                yield _record(child, _inherit(child_fields, fields), child_offset)

    def unresolved(self) -> Iterator[Record]:
        for waiting in self._waiting.values():
            for child, fields, offset in waiting:
                yield _record(child, fields, offset)
        self._waiting.clear()


def _inherit(child: dict[str, Any], parent: dict[str, Any]) -> dict[str, Any]:
    merged = dict(child)
    if not _clean(merged.get("booktitle")) and _clean(parent.get("title")) and not _clean(parent.get("booktitle")):
        merged["booktitle"] = parent["title"]
    for key in _INHERITED:
        if not _clean(merged.get(key)) and _clean(parent.get(key)):
            merged[key] = parent[key]
    return merged


def _fields(entry: Entry) -> dict[str, Any]:
    """The entry's fields by lower-case name, the first of a repeated one."""
    fields: dict[str, Any] = {}
    for item in entry.fields:
        fields.setdefault(item.key.lower(), item.value)
    return fields


def _record(entry: Entry, fields: dict[str, Any], line_offset: int = 0) -> Record:
    authors = fields.get("author", [])
    if isinstance(authors, str):
        authors = authors.split(" and ")
    keywords = _clean(fields.get("keywords") or fields.get("keyword") or "")
    extra = {key: _clean(value) for key, value in fields.items() if key not in _USED}
    extra["entry_type"] = entry.entry_type.lower()
    return Record(
        title=_clean(fields.get("title")),
        abstract=_clean(fields.get("abstract")),
        authors=[a for a in (_clean(a) for a in authors) if a],
        year=parse_year(_clean(fields.get("year"))),
        journal=_clean(fields.get("journal")) or _clean(fields.get("booktitle")),
        volume=_clean(fields.get("volume")),
        issue=_clean(fields.get("number")) or _clean(fields.get("issue")),
        pages=join_pages(*split_pages(_clean(fields.get("pages")))),  # "123--" is page 123, "10--20" 10-20
        doi=_clean(fields.get("doi")),
        pmid=_clean(fields.get("pmid")),
        keywords=split_keywords(keywords),
        language=_clean(fields.get("language")),
        external_id=entry.key,
        position=f"line {(entry.start_line or 0) + 1 + line_offset}",
        raw=entry.raw or "",
        extra=extra,
    )


def _clean(value: Any) -> str:
    """Field text without the case-protection braces the middlewares leave, on one line."""
    if value is None:
        return ""
    return collapse(_BRACES.sub("", first_text(value) if not isinstance(value, str) else value))


def _entry_head(raw: str | None) -> str:
    head = (raw or "").lstrip().split(",", 1)[0].split("\n", 1)[0]
    return f"'{head[:60]}'" if head else ""


def _first_line(error: Exception) -> str:
    text = getattr(error, "abort_reason", "") or str(error)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else ""

