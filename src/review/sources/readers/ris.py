"""RIS (Scopus, Embase, EndNote, Zotero, Ovid exports), parsed record by record with rispy.

Records are split into ``TY`` … ``ER`` blocks by ``tagged.read_entries`` (line numbers, original
text, a record without ``ER`` is an error instead of being dropped).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import rispy

from ...records import Record
from ..fields import MESH_TAG, OTHER_DOIS, first_text, join_pages, parse_year, text_list
from .base import Reader, SourceFile, register
from .tagged import TaggedFormat, read_entries

class _RisParser(rispy.RisParser):
    """rispy's RIS parser with ``MH`` read as the MeSH terms (``mesh``), one a line."""

    DEFAULT_MAPPING = {**rispy.RisParser.DEFAULT_MAPPING, MESH_TAG: "mesh"}


#: ``DO`` repeated (an export giving a record's DOIs one per line) is read whole: rispy kept only the first.
RIS = TaggedFormat("RIS", re.compile(r"^([A-Z][A-Z0-9])  -(?: |$)"), "TY", "TY  - ", _RisParser,
                   list_tags=(*rispy.RisParser.DEFAULT_LIST_TAGS, "DO", MESH_TAG))
_TY = re.compile(r"^TY  -(?: |$)", re.MULTILINE)
_PUBMED_DB = re.compile(r"pubmed|medline", re.IGNORECASE)
_PMID = re.compile(r"^\d{1,9}$")
#: ``M3`` (EndNote's "Type of Article", Embase's and Scopus's document type) holds publication types, "; " between
#: them as `review export records` writes them; some exports put a DOI there instead, kept in ``extra``.
_DOI_INSIDE = re.compile(r"\b10\.\d{4,9}/")

#: rispy keys that become ``Record`` fields (everything else is kept in ``extra``).
_USED = {
    "title", "primary_title", "authors", "first_authors", "year", "publication_year", "date",
    "abstract", "notes_abstract", "secondary_title", "journal_name", "alternate_title3",
    "alternate_title1", "alternate_title2", "volume", "number", "start_page", "end_page", "doi",
    "keywords", "language", "id", "accession_number", "name_of_database", "database_provider",
    "end_of_reference", "short_title", "type_of_work", "mesh",
}


@register
class RisReader(Reader):
    name = "ris"
    label = "RIS"
    extensions = (".ris", ".txt")

    def sniff(self, head: str) -> int:
        # A TY line after an odd number of double quotes sits inside a quoted CSV cell.
        for match in _TY.finditer(head):
            if head.count('"', 0, match.start()) % 2 == 0:
                return 90
        return 0

    def records(self, source: SourceFile) -> Iterator[Record]:
        for start, block, entry in read_entries(source, RIS):
            yield _record(entry, start, block)


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
    type_of_work = first_text(entry.get("type_of_work"))
    publication_types = [] if _DOI_INSIDE.search(type_of_work) else [t for t in map(str.strip, type_of_work.split(";")) if t]
    if type_of_work and not publication_types:
        extra["type_of_work"] = type_of_work
    dois = text_list(entry.get("doi"))
    if len(dois) > 1:  # (made bare, and told from the first, with every format's in RecordStream)
        extra[OTHER_DOIS] = dois[1:]
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
        doi=first_text(*dois),
        pmid=accession if is_pubmed_id else "",
        keywords=text_list(entry.get("keywords")),
        mesh=text_list(entry.get("mesh")),
        publication_types=publication_types,
        language=first_text(entry.get("language")),
        external_id=first_text(entry.get("id")) or accession,
        source=database,
        position=f"line {line}",
        raw=raw,
        extra=extra,
    )
