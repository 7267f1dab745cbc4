"""Web of Science tagged text ("Plain text file" / "Other file formats → Plain text"), via rispy.

The format is a header (``FN``, ``VR``), then records from ``PT`` to ``ER``, then ``EF``; a tag
is two characters and a space, continuation lines are indented. Records are split as RIS
records are (``tagged.read_entries``) and rispy's ``WokParser`` reads each one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from string import capwords
from typing import Any

import rispy

from ...records import Record
from ..fields import first_text, join_pages, parse_year, text_list
from .base import Reader, SourceFile, register
from .tagged import TaggedFormat, read_entries

WOS = TaggedFormat("Web of Science", re.compile(r"^([A-Z][A-Z0-9])(?: |$)"), "PT", "PT ", rispy.WokParser,
                   file_tags=frozenset({"FN", "VR", "EF"}))
#: ``PT J`` (journal), ``B`` (book), ``S`` (series), ``P`` (patent): a single letter, no dash
#: (MEDLINE's publication type line is ``PT  - Journal Article``).
_PT = re.compile(r"^PT [A-Z]\s*$", re.MULTILINE)
_HEADER = re.compile(r"^FN ", re.MULTILINE)
_WOS_ID = re.compile(r"^UT (?:WOS|ISI):", re.MULTILINE)

#: rispy's WoS keys that become ``Record`` fields (everything else is kept in ``extra``).
_USED = {
    "document_title", "abstract", "authors", "author_full_name", "publication_year",
    "publication_name", "iso_source_abbreviation", "volume", "issue", "beginning_page",
    "ending_page", "article_number", "doi", "pubmed_id", "author_keywords", "keywords_plus",
    "document_type", "language", "accession_number", "cited_references",
}


@register
class WosReader(Reader):
    name = "wos"
    label = "Web of Science"
    extensions = (".txt", ".ciw")
    default_source = "Web of Science"

    def sniff(self, head: str) -> int:
        if _PT.search(head) and (_HEADER.search(head) or _WOS_ID.search(head)):
            return 95
        return 40 if _PT.search(head) else 0

    def records(self, source: SourceFile) -> Iterator[Record]:
        for start, block, entry in read_entries(source, WOS):
            yield _record(entry, start, block)


def _keywords(value: Any) -> list[str]:
    """``DE``/``ID`` come as one ``;``-separated string (continuation lines joined)."""
    return [k.strip() for text in text_list(value) for k in text.split(";") if k.strip()]


def _journal(name: str) -> str:
    # WoS writes source titles in capitals ("JOURNAL OF OCCUPATIONAL REHABILITATION").
    return capwords(name.lower()) if name.isupper() else name


def _record(entry: dict[str, Any], line: int, raw: str) -> Record:
    extra = {k: v for k, v in entry.items() if k not in _USED and v not in (None, "", [], {})}
    article = first_text(entry.get("article_number"))
    if article:
        extra["article_number"] = article
    return Record(
        title=first_text(entry.get("document_title")),
        abstract=first_text(entry.get("abstract")),
        authors=text_list(entry.get("author_full_name")) or text_list(entry.get("authors")),
        year=parse_year(first_text(entry.get("publication_year"))),
        journal=_journal(first_text(entry.get("publication_name"), entry.get("iso_source_abbreviation"))),
        volume=first_text(entry.get("volume")),
        issue=first_text(entry.get("issue")),
        pages=join_pages(first_text(entry.get("beginning_page")), first_text(entry.get("ending_page"))) or article,
        doi=first_text(entry.get("doi")),
        pmid=first_text(entry.get("pubmed_id")),
        keywords=_keywords(entry.get("author_keywords")) + _keywords(entry.get("keywords_plus")),
        publication_types=_keywords(entry.get("document_type")),
        language=first_text(entry.get("language")),
        external_id=first_text(entry.get("accession_number")),
        position=f"line {line}",
        raw=raw,
        extra=extra,
    )
