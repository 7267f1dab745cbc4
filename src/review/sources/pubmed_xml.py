"""PubMed XML (EFetch ``retmode=xml`` and PubMed's "XML" export) → ``Record``s.

Streaming stdlib parser: ``iterparse`` over the bytes, one record per ``PubmedArticle`` or
``PubmedBookArticle``, each element cleared once read, so thousands of records parse in a
fraction of a second and nothing depends on Biopython's DTD download.  Each record keeps the
article's own XML in ``raw`` for audit.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ..errors import ImportFormatError
from ..records import Record
from .fields import AUTHORS_INCOMPLETE
from .xmlsafe import declared_encoding, safe_iterparse

__all__ = ["ParsedPubmed", "parse_pubmed_xml", "iter_pubmed_xml", "article_chunks", "RELATION_TYPES"]

_ROOTS = {"PubmedArticleSet", "PubmedBookArticleSet", "PubmedArticle", "PubmedBookArticle"}
_ARTICLES = {"PubmedArticle", "PubmedBookArticle"}
_YEAR = re.compile(r"\b(1[5-9]\d\d|2\d\d\d)\b")

#: CommentsCorrections kinds kept in ``Record.extra["relations"]`` (``Cites`` lists are not).
RELATION_TYPES: frozenset[str] = frozenset({
    "CommentIn", "CommentOn", "ErratumIn", "ErratumFor", "RetractionIn", "RetractionOf",
    "RetractedandRepublishedIn", "RetractedandRepublishedFrom", "ExpressionOfConcernIn",
    "ExpressionOfConcernFor", "UpdateIn", "UpdateOf", "RepublishedIn", "RepublishedFrom",
    "CorrectedandRepublishedIn", "CorrectedandRepublishedFrom", "PartialRetractionIn",
    "PartialRetractionOf", "ReprintIn", "ReprintOf", "SummaryForPatientsIn",
    "OriginalReportIn",
})
#: Relations that should make a reviewer look twice at a record.
_WARNING_RELATIONS = ("RetractionIn", "RetractedandRepublishedIn", "ExpressionOfConcernIn",
                      "PartialRetractionIn")


@dataclass(slots=True)
class ParsedPubmed:
    """Records in document order, and the PMIDs a ``DeleteCitation`` block withdrew."""

    records: list[Record] = field(default_factory=list)
    deleted_pmids: list[str] = field(default_factory=list)


def parse_pubmed_xml(data: bytes, *, path: str = "<pubmed>", source_name: str = "PubMed") -> ParsedPubmed:
    """Parse a PubMed XML document; raises ``ImportFormatError`` for anything else.

    Truncated or malformed XML, a non-PubMed root (an HTML error page, an ``eSearchResult``)
    and an E-utilities ``<ERROR>`` body all raise, naming the line, so that no half-read
    document is ever taken for a complete one.
    """
    result = ParsedPubmed()
    result.records = list(iter_pubmed_xml(data, path=path, source_name=source_name, deleted_pmids=result.deleted_pmids))
    return result


def iter_pubmed_xml(data: bytes, *, path: str = "<pubmed>", source_name: str = "PubMed",
                    deleted_pmids: list[str] | None = None) -> Iterator[Record]:
    """The records of :func:`parse_pubmed_xml`, one at a time, each article's elements freed once read.

    The same checks raise the same errors, but when the reading reaches them (an ``<ERROR>``
    or a foreign root when the document has ended), so a caller storing records as they come
    does it inside one transaction. ``DeleteCitation`` PMIDs are appended to ``deleted_pmids``.
    """
    if not isinstance(data, (bytes, bytearray)):
        raise TypeError("parse_pubmed_xml needs bytes (the raw response or file)")
    errors: list[str] = []
    root: ET.Element | None = None
    root_tag = ""
    depth = 0
    count = 0
    chunks = _iter_article_chunks(data)
    # (checked by safe_iterparse before the first record: a codec Python lacks never gets here)
    encoding = declared_encoding(data) or "utf-8"
    try:
        for event, elem in safe_iterparse(data, path, events=("start", "end"), stream=WithoutUnusedBlocks(data)):
            if event == "start":
                if root is None:
                    root, root_tag = elem, _local(elem.tag)
                depth += 1
                continue
            depth -= 1
            tag = elem.tag
            if tag == "ERROR":
                errors.append(_text(elem))
            elif tag == "DeleteCitation" and deleted_pmids is not None:
                deleted_pmids.extend(_text(p) for p in elem.iter("PMID") if _text(p))
            # Records are the root when it is an article, else the root's article children.
            if not errors and (
                (depth == 0 and root_tag in _ARTICLES)
                or (depth == 1 and tag in _ARTICLES and root_tag in _ROOTS and root_tag not in _ARTICLES)
            ):
                record = _article(elem, tag, f"record {count + 1}", source_name)
                record.raw = _raw(elem, next(chunks, None), record.pmid, encoding)
                count += 1
                yield record
                if depth == 1 and root is not None:  # detached: the tree never holds every article read
                    root.remove(elem)
                    elem.clear()
    except ET.ParseError as err:
        if not data.strip():
            raise ImportFormatError(path, None, "empty document") from None
        line, column = err.position
        raise ImportFormatError(
            path, f"line {line}", f"invalid or truncated XML ({_reason(err)}, column {column})"
        ) from None
    if errors:
        raise ImportFormatError(path, None, f"E-utilities error: {'; '.join(errors)}")
    if root_tag not in _ROOTS:
        raise ImportFormatError(path, "line 1", f"not PubMed XML (root element <{root_tag}>)")


# -- one article ----------------------------------------------------------------------------

def _article(elem: ET.Element, tag: str, position: str, source_name: str) -> Record:
    if tag == "PubmedBookArticle":
        return _book_article(elem, position, source_name)
    citation = elem.find("MedlineCitation")
    if citation is None:
        citation = ET.Element("MedlineCitation")
    article = citation.find("Article")
    if article is None:
        article = ET.Element("Article")
    pmid_elem = citation.find("PMID")
    pmid = _text(pmid_elem)
    journal = article.find("Journal")
    issue = journal.find("JournalIssue") if journal is not None else None
    pub_date = issue.find("PubDate") if issue is not None else None

    extra: dict[str, Any] = {"record_type": "journal-article"}
    _put(extra, "status", citation.get("Status", ""))
    if pmid_elem is not None and pmid_elem.get("Version", "1") != "1":
        extra["pmid_version"] = pmid_elem.get("Version")
    ids = _article_ids(_at(elem, "PubmedData", "ArticleIdList"))
    _put(extra, "pmcid", ids.get("pmc", ""))
    _put(extra, "pii", ids.get("pii", "") or _elocation(article, "pii"))
    _put(extra, "vernacular_title", _text(article.find("VernacularTitle")))
    _put(extra, "journal_abbreviation", _text(journal.find("ISOAbbreviation")) if journal is not None else "")
    _put(extra, "issn", _text(journal.find("ISSN")) if journal is not None else "")
    _put(extra, "pub_date", _date_text(pub_date))
    _put(extra, "epub_date", _ymd(article.find("ArticleDate")))
    _put(extra, "entrez_date", _ymd(_history(elem, "entrez")))
    _put(extra, "publication_status", _text(_at(elem, "PubmedData", "PublicationStatus")))
    _put(extra, "mesh_major", [
        _text(d) for d in _all(citation, "MeshHeadingList", "MeshHeading", "DescriptorName")
        if d.get("MajorTopicYN") == "Y"
    ])
    _relations(citation, extra)

    author_list = article.find("AuthorList")
    authors, _ = _authors(author_list)
    if author_list is not None and author_list.get("CompleteYN") == "N":
        extra[AUTHORS_INCOMPLETE] = True  # NLM's own mark of a list cut short (pre-2000 MEDLINE limits)
    return Record(
        title=_mixed(article.find("ArticleTitle")) or _text(article.find("VernacularTitle")),
        abstract=_abstract(article.find("Abstract")),
        authors=authors,
        year=_year(pub_date) or _year(article.find("ArticleDate")),
        journal=_text(journal.find("Title")) if journal is not None else "",
        volume=_text(issue.find("Volume")) if issue is not None else "",
        issue=_text(issue.find("Issue")) if issue is not None else "",
        pages=_pages(article.find("Pagination")),
        doi=ids.get("doi", "") or _elocation(article, "doi"),
        pmid=pmid,
        keywords=[_mixed(k) for k in _all(citation, "KeywordList", "Keyword") if _mixed(k)],
        mesh=[_text(d) for d in _all(citation, "MeshHeadingList", "MeshHeading", "DescriptorName")],
        publication_types=[_text(p) for p in _all(article, "PublicationTypeList", "PublicationType")],
        language="; ".join(_text(x) for x in article.findall("Language") if _text(x)),
        external_id=pmid,
        source=source_name,
        position=position,
        extra=extra,
    )


def _book_article(elem: ET.Element, position: str, source_name: str) -> Record:
    doc = elem.find("BookDocument")
    if doc is None:
        doc = ET.Element("BookDocument")
    book = doc.find("Book")
    if book is None:
        book = ET.Element("Book")
    pmid = _text(doc.find("PMID"))
    ids = _article_ids(doc.find("ArticleIdList"))
    extra: dict[str, Any] = {"record_type": "book"}
    _put(extra, "book_accession", ids.get("bookaccession", ""))
    _put(extra, "book_title", _mixed(book.find("BookTitle")))
    _put(extra, "collection_title", _mixed(book.find("CollectionTitle")))
    _put(extra, "publisher", _text(_at(book, "Publisher", "PublisherName")))
    _put(extra, "publisher_location", _text(_at(book, "Publisher", "PublisherLocation")))
    _put(extra, "isbn", [_text(i) for i in book.findall("Isbn")])
    _put(extra, "pub_date", _date_text(book.find("PubDate")))
    authors: list[str] = []
    for author_list in [*doc.findall("AuthorList"), *book.findall("AuthorList")]:
        names, kind = _authors(author_list)
        if kind == "editors":
            extra.setdefault("editors", []).extend(names)
        else:
            authors.extend(names)
    title = _mixed(doc.find("ArticleTitle"))
    book_title = extra.get("book_title", "")
    return Record(
        title=title or book_title,
        abstract=_abstract(doc.find("Abstract")),
        authors=authors,
        year=_year(book.find("PubDate")) or _year(doc.find("ContributionDate")),
        journal=book_title if title else "",
        pages=_pages(doc.find("Pagination")),
        doi=ids.get("doi", "") or _elocation(book, "doi") or _elocation(doc, "doi"),
        pmid=pmid,
        keywords=[_mixed(k) for k in _all(doc, "KeywordList", "Keyword") if _mixed(k)],
        publication_types=[_text(p) for p in doc.findall("PublicationType")],
        language="; ".join(_text(x) for x in doc.findall("Language") if _text(x)),
        external_id=pmid,
        source=source_name,
        position=position,
        extra=extra,
    )


# -- field helpers --------------------------------------------------------------------------

def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1] if tag.startswith("{") else tag


def _text(elem: ET.Element | None) -> str:
    """Whitespace-normalised text of an element and all its descendants."""
    if elem is None:
        return ""
    if not len(elem):
        return " ".join(elem.text.split()) if elem.text else ""
    return " ".join("".join(elem.itertext()).split())


def _at(elem: ET.Element | None, *tags: str) -> ET.Element | None:
    """``elem.find("A/B")`` as chained single-tag finds (C speed, no ElementPath)."""
    for tag in tags:
        if elem is None:
            return None
        elem = elem.find(tag)
    return elem


def _all(elem: ET.Element, *tags: str) -> list[ET.Element]:
    """``elem.findall("A/B/C")`` without ElementPath: every match at the last level."""
    current = [elem]
    for tag in tags:
        current = [child for parent in current for child in parent.findall(tag)]
    return current


def _history(elem: ET.Element, status: str) -> ET.Element | None:
    for when in _all(elem, "PubmedData", "History", "PubMedPubDate"):
        if when.get("PubStatus") == status:
            return when
    return None


#: Mixed content (``<i>``, ``<sup>``, MathML) reads as its plain text: markup is for display.
_mixed = _text


def _put(extra: dict[str, Any], key: str, value: Any) -> None:
    if value:
        extra[key] = value


def _abstract(abstract: ET.Element | None) -> str:
    """Sections as "LABEL: text", one per line; unlabelled text as is."""
    if abstract is None:
        return ""
    parts = []
    for section in abstract.findall("AbstractText"):
        text = _mixed(section)
        label = (section.get("Label") or "").strip()
        if label and text:
            parts.append(f"{label}: {text}")
        elif text:
            parts.append(text)
        elif label:
            parts.append(f"{label}:")
    return "\n".join(parts)


def _authors(author_list: ET.Element | None) -> tuple[list[str], str]:
    """"Last, ForeName" (initials when no fore name), collective names as is; and the list type."""
    if author_list is None:
        return [], "authors"
    names = []
    for author in author_list.findall("Author"):
        if author.get("ValidYN") == "N":
            continue
        collective = _mixed(author.find("CollectiveName"))
        if collective:
            names.append(collective)
            continue
        last = _text(author.find("LastName"))
        first = _text(author.find("ForeName")) or _text(author.find("Initials"))
        suffix = _text(author.find("Suffix"))
        name = f"{last}, {first}" if last and first else last or first
        if suffix:
            name = f"{name}, {suffix}"
        if name:
            names.append(name)
    return names, author_list.get("Type", "authors")


def _year(date: ET.Element | None) -> int | None:
    """The year of a PubDate-like element; the first 4-digit year of a MedlineDate."""
    if date is None:
        return None
    year = _text(date.find("Year"))
    if year.isdigit():
        return int(year)
    match = _YEAR.search(_text(date.find("MedlineDate")) or _text(date))
    return int(match.group(1)) if match else None


def _date_text(date: ET.Element | None) -> str:
    if date is None:
        return ""
    medline = _text(date.find("MedlineDate"))
    if medline:
        return medline
    parts = [_text(date.find(name)) for name in ("Year", "Month", "Day", "Season")]
    return " ".join(p for p in parts if p)


def _ymd(date: ET.Element | None) -> str:
    if date is None:
        return ""
    year, month, day = (_text(date.find(n)) for n in ("Year", "Month", "Day"))
    if not year:
        return ""
    if month.isdigit() and day.isdigit():
        return f"{year}-{int(month):02d}-{int(day):02d}"
    return year


def _pages(pagination: ET.Element | None) -> str:
    if pagination is None:
        return ""
    medline = _text(pagination.find("MedlinePgn"))
    if medline:
        return medline
    start, end = _text(pagination.find("StartPage")), _text(pagination.find("EndPage"))
    return f"{start}-{end}" if start and end else start


def _article_ids(id_list: ET.Element | None) -> dict[str, str]:
    found: dict[str, str] = {}
    if id_list is None:
        return found
    for article_id in id_list.findall("ArticleId"):
        kind = article_id.get("IdType", "")
        value = _text(article_id)
        if kind and value and kind not in found:
            found[kind] = value
    return found


def _elocation(parent: ET.Element, kind: str) -> str:
    for location in parent.findall("ELocationID"):
        if location.get("EIdType") == kind and location.get("ValidYN", "Y") != "N":
            return _text(location)
    return ""


def _relations(citation: ET.Element, extra: dict[str, Any]) -> None:
    """Errata, retractions, comments and updates (not ``Cites``) into ``extra``."""
    relations = []
    for item in _all(citation, "CommentsCorrectionsList", "CommentsCorrections"):
        kind = item.get("RefType", "")
        if kind not in RELATION_TYPES:
            continue
        relation = {"type": kind, "source": _text(item.find("RefSource"))}
        _put(relation, "pmid", _text(item.find("PMID")))
        _put(relation, "note", _text(item.find("Note")))
        relations.append(relation)
    _put(extra, "relations", relations)
    kinds = {r["type"] for r in relations}
    types = {_text(p) for p in _all(citation, "Article", "PublicationTypeList", "PublicationType")}
    if "RetractionIn" in kinds or "Retracted Publication" in types:
        extra["retracted"] = True
    warnings = [k for k in _WARNING_RELATIONS if k in kinds]
    _put(extra, "warnings", warnings)


def _reason(err: ET.ParseError) -> str:
    message = str(err)
    return message.split(":", 1)[0] if ":" in message else message


#: Blocks never read here but often half of a modern record: cited references.  Cut out before
#: parsing (tree building is most of the cost); ``raw`` still holds them.
_UNUSED_BLOCKS: tuple[tuple[bytes, bytes], ...] = (
    (b"<ReferenceList>", b"</ReferenceList>"),
    (b'<CommentsCorrections RefType="Cites">', b"</CommentsCorrections>"),
)


class WithoutUnusedBlocks:
    """``data`` read as a stream minus complete unused blocks, each replaced by its newlines (line numbers
    hold). Piece by piece: a stripped copy of the whole document (a 700 MB export of 50,000 records)
    doubled an import's memory, and building it tripled it for a moment."""

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._view = memoryview(data)
        self._position = 0
        self._newlines = 0  # of a block just cut out, still to be read
        #: The next complete block of each kind at or after the position: (begin, end), or None when no more.
        self._next: list[tuple[int, int] | None] = [self._find(kind, 0) for kind in range(len(_UNUSED_BLOCKS))]

    def _find(self, kind: int, start: int) -> tuple[int, int] | None:
        """The next block of ``kind`` from ``start``, to the closing tag that matches its opening: PubMed's DTD
        lets a ReferenceList hold ReferenceLists, and cut at the first closing tag the outer one's end was left
        behind, unmatched, and the whole file refused as XML with a mismatched tag."""
        opening, closing = _UNUSED_BLOCKS[kind]
        begin = self._data.find(opening, start)
        if begin < 0:
            return None
        depth, position = 1, begin + len(opening)
        while depth:
            end = self._data.find(closing, position)
            if end < 0:  # (a document cut short: its last block never closes)
                return None
            inner = self._data.find(opening, position, end)
            if inner >= 0:
                depth, position = depth + 1, inner + len(opening)
            else:
                depth, position = depth - 1, end + len(closing)
        return begin, position

    def _block_ahead(self) -> tuple[int, int] | None:
        for kind, block in enumerate(self._next):
            while block is not None and block[0] < self._position:  # (inside one cut out already)
                block = self._next[kind] = self._find(kind, self._position)
        found = [block for block in self._next if block is not None]
        return min(found) if found else None

    def read(self, size: int = -1, /) -> bytes:
        size = len(self._data) if size is None or size < 0 else size
        pieces: list[bytes] = []
        wanted = size
        while wanted > 0:
            if self._newlines:
                taken = min(wanted, self._newlines)
                pieces.append(b"\n" * taken)
                self._newlines -= taken
                wanted -= taken
                continue
            if self._position >= len(self._data):
                break
            block = self._block_ahead()
            if block is not None and block[0] == self._position:
                self._newlines = self._data.count(b"\n", block[0], block[1])
                self._position = block[1]
                continue
            stop = min(block[0] if block is not None else len(self._data), self._position + wanted)
            pieces.append(self._view[self._position:stop].tobytes())
            wanted -= stop - self._position
            self._position = stop
        return b"".join(pieces)


def without_unused_blocks(data: bytes) -> bytes:
    """All of :class:`WithoutUnusedBlocks` at once (for tests and small answers)."""
    return WithoutUnusedBlocks(data).read()


def article_chunks(data: bytes) -> list[bytes]:
    """Each article's bytes, found with ``bytes.find`` (C speed; a regex over 100 MB is not)."""
    return list(_iter_article_chunks(data))


def _iter_article_chunks(data: bytes) -> Iterator[bytes]:
    """:func:`article_chunks` one at a time."""
    names = (b"PubmedArticle", b"PubmedBookArticle")
    upcoming = {name: data.find(b"<" + name) for name in names}
    position = 0
    while True:
        for name in names:  # only re-scan for a tag whose last hit lies behind us
            if 0 <= upcoming[name] < position:
                upcoming[name] = data.find(b"<" + name, position)
        found = [(i, name) for name, i in upcoming.items() if i >= 0]
        if not found:
            return
        begin, name = min(found)
        after = data[begin + 1 + len(name):begin + 2 + len(name)]
        if after not in (b">", b" ", b"\t", b"\r", b"\n"):  # <PubmedArticleSet>, not an article
            position = begin + 1
            continue
        close = data.find(b"</" + name + b">", begin)
        if close < 0:
            return
        position = close + len(name) + 3
        yield data[begin:position]


def _raw(elem: ET.Element, chunk: bytes | None, pmid: str, encoding: str = "utf-8") -> str:
    """The article's own bytes from the document (``chunk``, in the document's declared
    ``encoding``); re-serialised if slicing went astray."""
    if chunk is not None:
        if not pmid or f">{pmid}<".encode() in chunk:
            return chunk.decode(encoding, errors="replace")
    return ET.tostring(elem, encoding="unicode")
