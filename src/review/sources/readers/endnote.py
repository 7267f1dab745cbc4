"""EndNote exports: XML (``<xml><records><record>``) and tagged text (``.enw``, ``%0``/``%A``…).

Libraries curated in EndNote (the SRA and many Cochrane searches) leave EndNote only in these
forms; both map onto the same ``Record`` fields as RIS.
"""

from __future__ import annotations

import itertools
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator

from ...errors import ImportFormatError
from ...records import Record
from ..fields import OTHER_DOIS, collapse, parse_year, split_dois
from ..xmlsafe import check_declared_encoding, safe_iterparse
from .base import Reader, SourceFile, iter_lines, register

_XML_SIGNATURE = re.compile(r"<xml>\s*<records>|<records>\s*<record>")
_PUBMED_DB = re.compile(r"pubmed|medline", re.IGNORECASE)
_DOI = re.compile(r"10\.\d{4,9}/\S+")
_ENW_TAG = re.compile(r"^%([0-9A-Z@!#$&()*+~^>\]|?])(?: (.*))?$")
_ENW_START = re.compile(r"^%0(?: |$)", re.MULTILINE)
_ENW_ANY = re.compile(r"^%[ATDJKX] ", re.MULTILINE)


@register
class EndnoteXmlReader(Reader):
    name = "endnote-xml"
    label = "EndNote XML"
    extensions = (".xml",)

    def sniff(self, head: str) -> int:
        return 95 if head.lstrip().startswith("<") and _XML_SIGNATURE.search(head) else 0

    def decode(self, source: SourceFile) -> None:
        source.encoding = check_declared_encoding(source.data, source.path)

    def records(self, source: SourceFile) -> Iterator[Record]:
        count = 0
        parents: list[ET.Element] = []
        open_records = 0
        try:
            for event, elem in safe_iterparse(source.data, source.path, events=("start", "end")):
                if event == "start":
                    parents.append(elem)
                    open_records += elem.tag == "record"
                    continue
                parents.pop()
                if elem.tag == "record":
                    open_records -= 1
                    # Re-serialised from the parsed element: a byte search would also match
                    # a <record> inside an XML comment and shift every later record's raw text.
                    raw = ET.tostring(elem, encoding="unicode")
                    count += 1
                    yield _xml_record(elem, count, raw)
                    if parents and not open_records:  # detached: the tree never holds every record read
                        parents[-1].remove(elem)
                    elem.clear()
        except ET.ParseError as err:
            line, column = err.position
            raise ImportFormatError(
                source.path, f"line {line}", f"invalid or truncated EndNote XML (column {column + 1})"
            ) from None


def _text(elem: ET.Element | None) -> str:
    return collapse("".join(elem.itertext())) if elem is not None else ""


def _texts(parent: ET.Element, path: str) -> list[str]:
    return [t for t in (_text(e) for e in parent.iterfind(path)) if t]


def _doi_field(text: str) -> str:
    """The DOI in an EndNote DOI field (``electronic-resource-num``, ``%R``), or the field whole when it holds
    several (``10.1/a; 10.1/b``), which the import splits into the DOI and ``other_dois``: the first DOI's
    match alone kept its ``;`` and lost the others."""
    if len(split_dois(text)) > 1:
        return text
    found = _DOI.search(text)
    return found.group(0) if found else text


def _xml_record(elem: ET.Element, index: int, raw: str) -> Record:
    database = _text(elem.find("remote-database-name")) or _text(elem.find("remote-database-provider"))
    accession = _text(elem.find("accession-num"))
    is_pmid = accession.isdigit() and bool(_PUBMED_DB.search(database))
    doi_text = _text(elem.find("electronic-resource-num"))
    ref_type = elem.find("ref-type")
    extra = {
        "type_of_reference": ref_type.get("name", "") if ref_type is not None else "",
        "label": _text(elem.find("label")),
        "isbn": _text(elem.find("isbn")),
        "urls": _texts(elem, "urls/related-urls/url"),
        "alt_title": _text(elem.find("titles/alt-title")),
    }
    if accession and not is_pmid:
        extra["accession_number"] = accession
    return Record(
        title=_text(elem.find("titles/title")),
        abstract=_text(elem.find("abstract")),
        authors=_texts(elem, "contributors/authors/author"),
        year=parse_year(_text(elem.find("dates/year"))),
        journal=_text(elem.find("titles/secondary-title")) or _text(elem.find("periodical/full-title")),
        volume=_text(elem.find("volume")),
        issue=_text(elem.find("number")),
        pages=_text(elem.find("pages")),
        doi=_doi_field(doi_text),
        pmid=accession if is_pmid else "",
        keywords=_texts(elem, "keywords/keyword"),
        language=_text(elem.find("language")),
        external_id=_text(elem.find("rec-number")),
        source=database,
        position=f"record {index}",
        raw=raw,
        extra={k: v for k, v in extra.items() if v},
    )


#: EndNote tag → Record field (``%K`` lines are one keyword each; ``%A`` one author each).
_ENW_FIELDS = {
    "T": "title", "X": "abstract", "J": "journal", "V": "volume", "N": "issue", "P": "pages",
    "G": "language", "F": "external_id",
}
_ENW_EXTRA = {"0": "type_of_reference", "B": "secondary_title", "I": "publisher", "@": "isbn",
              "U": "urls", "M": "accession_number", "~": "database", "E": "editors", "8": "date"}


@register
class EndnoteTaggedReader(Reader):
    name = "endnote-tagged"
    label = "EndNote tagged"
    extensions = (".enw",)

    def sniff(self, head: str) -> int:
        return 85 if _ENW_START.search(head) and _ENW_ANY.search(head) else 0

    def records(self, source: SourceFile) -> Iterator[Record]:
        block: list[str] = []
        start = 0
        # One blank line after the last so the last record ends like the others.
        for number, line in enumerate(itertools.chain(iter_lines(source.text), [""]), start=1):
            starts_record = line.startswith("%0") and _ENW_TAG.match(line)
            if (not line.strip() or starts_record) and block:
                yield _enw_record(block, start)
                block = []
            if not line.strip():
                continue
            if not block:
                if not _ENW_TAG.match(line):
                    raise ImportFormatError(source.path, f"line {number}",
                                            f"not an EndNote tag line: {line[:40]!r}")
                start = number
            block.append(line)


def _enw_record(lines: list[str], start: int) -> Record:
    tags: list[tuple[str, str]] = []
    for line in lines:
        match = _ENW_TAG.match(line)
        if match:
            tags.append((match.group(1), match.group(2) or ""))
        elif tags:  # continuation of a wrapped value
            tags[-1] = (tags[-1][0], f"{tags[-1][1]} {line}")
    record = Record(position=f"line {start}", raw="\n".join(lines) + "\n")
    extra: dict[str, object] = {}
    other_dois: list[str] = []
    for tag, value in tags:
        value = collapse(value)
        if not value:
            continue
        if tag == "A":
            record.authors.append(value)
        elif tag == "K":
            record.keywords.extend(k for k in (collapse(p) for p in value.split(";")) if k)
        elif tag == "D":
            record.year = record.year or parse_year(value)
        elif tag == "R":
            if not record.doi:
                record.doi = _doi_field(value)
            else:  # a second %R line: another DOI of the record (an article moved to a new publisher)
                other_dois.append(_doi_field(value))
        elif tag in _ENW_FIELDS and not getattr(record, _ENW_FIELDS[tag]):
            setattr(record, _ENW_FIELDS[tag], value)
        elif tag in _ENW_EXTRA:
            key = _ENW_EXTRA[tag]
            extra[key] = f"{extra[key]}; {value}" if key in extra else value
    database = str(extra.get("database", ""))
    accession = str(extra.get("accession_number", ""))
    if accession.isdigit() and _PUBMED_DB.search(database):
        record.pmid = accession
        del extra["accession_number"]
    record.source = database
    if other_dois:  # (made bare, and told from the first, with every format's in RecordStream)
        extra[OTHER_DOIS] = other_dois
    record.extra = extra
    return record
