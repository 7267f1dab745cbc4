"""RIS (Scopus, Embase, EndNote, Zotero, Ovid exports), parsed record by record with rispy.

We split the file into ``TY`` … ``ER`` blocks ourselves so that every record keeps its line
number and original text, and a record without ``ER`` is an error instead of being dropped.
"""

from __future__ import annotations

import re
from typing import Any

import rispy

from ...errors import ImportFormatError
from ...records import Record
from ..fields import first_text, join_pages, parse_year, text_list
from .base import ParsedFile, Reader, SourceFile, register, text_lines

_TAG = re.compile(r"^([A-Z][A-Z0-9])  -(?: |$)")
_TY = re.compile(r"^TY  -(?: |$)", re.MULTILINE)
_PUBMED_DB = re.compile(r"pubmed|medline", re.IGNORECASE)
_PMID = re.compile(r"^\d{1,9}$")

#: rispy keys that become ``Record`` fields (everything else is kept in ``extra``).
_USED = {
    "title", "primary_title", "authors", "first_authors", "year", "publication_year", "date",
    "abstract", "notes_abstract", "secondary_title", "journal_name", "alternate_title3",
    "alternate_title1", "alternate_title2", "volume", "number", "start_page", "end_page", "doi",
    "keywords", "language", "id", "accession_number", "name_of_database", "database_provider",
    "end_of_reference", "short_title",
}


@register
class RisReader(Reader):
    name = "ris"
    label = "RIS"
    extensions = (".ris", ".txt")

    def sniff(self, head: str) -> int:
        return 90 if _TY.search(head) else 0

    def parse(self, source: SourceFile) -> ParsedFile:
        records = []
        for start, block in _blocks(source):
            try:
                entries = rispy.loads(block)
            except Exception as err:  # rispy raises plain IOError/ValueError on bad structure
                raise ImportFormatError(source.path, f"line {start}", f"unreadable RIS record: {err}") from None
            if len(entries) != 1:
                raise ImportFormatError(source.path, f"line {start}", "unreadable RIS record")
            records.append(_record(entries[0], start, block))
        return ParsedFile(records)


def _blocks(source: SourceFile) -> list[tuple[int, str]]:
    """``(first line, text)`` of each ``TY`` … ``ER`` block; junk between records is skipped."""
    blocks: list[tuple[int, str]] = []
    start = 0
    current: list[str] = []
    for number, line in enumerate(text_lines(source.text), start=1):
        tag = _TAG.match(line)
        if not current:
            if tag and tag.group(1) == "TY":
                start, current = number, [line]
            elif tag and tag.group(1) != "ER":
                raise ImportFormatError(source.path, f"line {number}",
                                        f"RIS tag {tag.group(1)} outside a record (no TY line before it)")
            continue
        if tag and tag.group(1) == "TY":
            raise ImportFormatError(source.path, f"line {start}",
                                    f"RIS record has no ER line before the next TY at line {number}")
        current.append(line)
        if tag and tag.group(1) == "ER":
            blocks.append((start, "\n".join(current) + "\n"))
            current = []
    if current:
        raise ImportFormatError(source.path, f"line {start}",
                                "RIS record has no ER line (file ends inside it; truncated export?)")
    if not blocks:
        raise ImportFormatError(source.path, None, "no RIS record (no 'TY  - ' line)")
    return blocks


def _record(entry: dict[str, Any], line: int, raw: str) -> Record:
    database = first_text(entry.get("name_of_database"), entry.get("database_provider"))
    accession = first_text(entry.get("accession_number"))
    urls = " ".join(text_list(entry.get("urls")))
    is_pubmed_id = _PMID.match(accession) and (
        _PUBMED_DB.search(database) or f"pubmed.ncbi.nlm.nih.gov/{accession}" in urls
    )
    extra = {k: dict(v) if isinstance(v, dict) else v
             for k, v in entry.items() if k not in _USED and v not in (None, "", [], {})}
    if accession and not is_pubmed_id:
        extra["accession_number"] = accession
    return Record(
        title=first_text(entry.get("title"), entry.get("primary_title"), entry.get("short_title")),
        abstract=first_text(entry.get("abstract"), entry.get("notes_abstract")),
        authors=text_list(entry.get("authors")) + text_list(entry.get("first_authors")),
        year=parse_year(first_text(entry.get("year"), entry.get("publication_year"), entry.get("date"))),
        journal=first_text(
            entry.get("secondary_title"), entry.get("journal_name"), entry.get("alternate_title3"),
            entry.get("alternate_title1"), entry.get("alternate_title2"),
        ),
        volume=first_text(entry.get("volume")),
        issue=first_text(entry.get("number")),
        pages=join_pages(first_text(entry.get("start_page")), first_text(entry.get("end_page"))),
        doi=first_text(entry.get("doi")),
        pmid=accession if is_pubmed_id else "",
        keywords=text_list(entry.get("keywords")),
        language=first_text(entry.get("language")),
        external_id=first_text(entry.get("id")) or accession,
        source=database,
        position=f"line {line}",
        raw=raw,
        extra=extra,
    )
