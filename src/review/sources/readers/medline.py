"""PubMed/MEDLINE tagged text (.nbib "Send to citation manager", efetch ``rettype=medline``).

Records are the blank-line-separated blocks; each is parsed by Biopython's ``Bio.Medline``
(the field's reference parser) and keeps its first line number and original text.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from collections.abc import Iterator
from typing import Any

from Bio import Medline

from ...errors import ImportFormatError
from ...records import Record
from ..fields import OTHER_DOIS, bare_doi, first_text, parse_year, text_list
from .base import Reader, SourceFile, _most_common, iter_lines, register

_TAG_LINE = re.compile(r"^[A-Z][A-Z0-9]{1,3} {0,3}-")
#: A tag line and its value, however the tag is padded (``PMID- 1``, ``PMID-1``, ``PMC -1``, ``TI-``).
_TAG_AND_VALUE = re.compile(r"^([A-Z][A-Z0-9]{1,3}) {0,3}- ?(.*)$", re.MULTILINE)
_PMID_LINE = re.compile(r"^PMID- *\d", re.MULTILINE)
#: Ovid's record number line (``<1. >``, ``<12>``) opening each record of an Ovid "tagged" export.
_OVID_RECORD_NUMBER = re.compile(r"^<\d+\.?\s*>\s*$")
#: A database line, however padded (Ovid and EBSCO write ``DB  - Embase`` in this layout).
_DB_LINE = re.compile(r"^DB {0,3}- ?(.*?)\s*$", re.MULTILINE)
#: A database whose accession numbers are PubMed ids (Ovid MEDLINE's ``AN``).
_PUBMED_DB = re.compile(r"pubmed|medline", re.IGNORECASE)
_MEDLINE_TAG = re.compile(r"^(TI|AB|FAU|AU|DP|PT|JT|TA|PG|VI|IP|LID|AID|MH|OT|LA|OWN|STAT|BTI) {0,2}- ",
                          re.MULTILINE)
_RIS_TY = re.compile(r"^TY  -", re.MULTILINE)
#: An article identifier and its bracketed type: ``10.1/x [doi]``, ``S0140-6736(20)30183-5 [pii]``.
_ARTICLE_ID = re.compile(r"^(.*?)\s*(?:\[(\w+)\])?\s*$")
#: What a DOI looks like once a ``doi:`` prefix is gone (Crossref's pattern for modern DOIs).
_DOI_SHAPE = re.compile(r"^10\.\d{4,9}/\S+$")

#: MEDLINE tags that become ``Record`` fields; these few more are kept in ``extra``.
_EXTRA_TAGS = {
    "TA": "journal_abbreviation", "IS": "issn", "PMC": "pmcid", "DP": "date", "STAT": "status",
    "BTI": "book_title", "PB": "publisher", "CN": "collective_name", "PHST": "history",
}


@register
class MedlineReader(Reader):
    name = "medline"
    label = "MEDLINE"
    extensions = (".nbib", ".txt", ".medline")
    # No default: the layout is PubMed's, but Ovid and EBSCO export PsycInfo, Embase or CINAHL in it too
    # (each record's database comes from its own lines, ``_database``; else the file's name).

    def sniff(self, head: str) -> int:
        if _PMID_LINE.search(head):
            return 95
        if _MEDLINE_TAG.search(head) and not _RIS_TY.search(head):
            return 60
        return 0

    def records(self, source: SourceFile) -> Iterator[Record]:
        file_database = _file_database(source.text)
        count, earlier_have_so = 0, True
        last_start, last_has_so = 0, True
        for start, block in _blocks(source):
            try:
                fields = Medline.read(io.StringIO(_in_columns(block)))
            except Exception as err:  # Bio.Medline raises ValueError on malformed lines
                raise ImportFormatError(source.path, f"line {start}", f"unreadable MEDLINE record: {err}") from None
            earlier_have_so = earlier_have_so and last_has_so
            count, last_start, last_has_so = count + 1, start, "SO" in fields or _book(fields)  # (a book has none)
            yield _record(dict(fields), start, block, file_database)
        # PubMed ends every record but a book's with its SO line, and every line with a line break: a last record
        # without one and no book (BTI, PT Book), where every record before it has one, in a file without a final
        # line break, was cut off (a download stopped early). The file is refused whole: an import stores nothing before its last record is read.
        if count > 1 and earlier_have_so and not last_has_so and not source.text.endswith(("\n", "\r")):
            raise ImportFormatError(source.path, f"line {last_start}", TRUNCATED_RECORD)


def _book(fields: Medline.Record) -> bool:
    """Whether a record is PubMed's book or book chapter, which has no SO line (GeneReviews' chapters)."""
    return "BTI" in fields or any(kind.strip().lower() in ("book", "book chapter") for kind in fields.get("PT", []))


#: The refusal of a last record cut off (``MedlineReader.records``).
TRUNCATED_RECORD = ("the file ends inside this record (no SO line, which every record before it has, and no line "
                    "break after it): cut off? If the record is complete as it stands, end the file with a line break")


def _file_database(text: str) -> str:
    """The database a whole file names, for its records that name none: the most common of its ``DB``
    lines, else PubMed when it has numeric ``PMID`` lines (PubMed's export writes no ``DB``), else ""
    (the file's name then stands in). Decided per file so one export is never split across two sources."""
    named = Counter(match.group(1) for match in _DB_LINE.finditer(text) if match.group(1))
    return _most_common(named) or ("PubMed" if _PMID_LINE.search(text) else "")


def _blocks(source: SourceFile) -> Iterator[tuple[int, str]]:
    """``(first line, text)`` per record, one at a time: blocks split on blank lines, ``PMID-`` lines and
    Ovid's record number lines (``<1. >``, which are not kept in the record's text).

    A paragraph that does not start with a tag line (a note a person typed between
    records) is skipped, as PubMed and reference managers do; one that goes on with tag
    lines is refused, naming the line, since skipping it would drop a record unseen.
    """
    found = False
    start, current, skipping = 0, [], 0  # type: int, list[str], int
    for number, line in enumerate(iter_lines(source.text), start=1):
        if _OVID_RECORD_NUMBER.match(line):
            line = ""
        if not line.strip() or (line.startswith("PMID-") and current):
            if current:
                found = True
                yield start, "\n".join(current) + "\n"
                current = []
            skipping = 0
            if not line.strip():
                continue
        if skipping:
            if _TAG_LINE.match(line):
                raise ImportFormatError(
                    source.path, f"line {number}",
                    f"MEDLINE tag line {line[:4].strip()!r} in a paragraph that starts with text that is not a "
                    f"tag line (line {skipping}); a record starts with a tag line such as 'PMID- '")
            continue
        if not current:
            if not _TAG_LINE.match(line):
                skipping = number
                continue
            start = number
        current.append(line)
    if current:
        found = True
        yield start, "\n".join(current) + "\n"
    if not found:
        raise ImportFormatError(source.path, None, "no MEDLINE record (no tag lines such as 'PMID- ')")


def _in_columns(block: str) -> str:
    """Tag lines in PubMed's layout (tag in 4 columns, ``- ``, value from column 7).

    ``Bio.Medline`` reads the value from column 7 whatever precedes it, so ``PMID-22664220``
    (no space, as some tools write it) would be stored as PMID 2664220.
    """
    return _TAG_AND_VALUE.sub(lambda m: f"{m.group(1):<4}- {m.group(2)}", block)


def _dois(ids: list[str]) -> list[str]:
    """The DOIs among ``LID``/``AID`` values, once each: those tagged ``[doi]`` first, then untagged values
    that are DOIs (``10.1/x``, ``doi:10.1/x``, as some tools write them); a ``[pii]`` or other tagged id never is."""
    tagged: list[str] = []
    untagged: list[str] = []
    for value in ids:
        match = _ARTICLE_ID.match(value)
        if match is None:
            continue
        text, kind = bare_doi(match.group(1)), (match.group(2) or "").lower()
        if kind == "doi":
            tagged.append(text)
        elif not kind and _DOI_SHAPE.match(text):
            untagged.append(text)
    return list(dict.fromkeys(tagged + untagged))


def _is_number(text: str) -> bool:
    return text.isascii() and text.isdigit()


def _record(fields: dict[str, Any], line: int, raw: str, file_database: str) -> Record:
    dois = _dois(text_list(fields.get("LID")) + text_list(fields.get("AID")))
    doi = dois[0] if dois else ""
    authors = text_list(fields.get("FAU")) or text_list(fields.get("AU"))
    authors += [name for name in text_list(fields.get("CN")) if name not in authors]
    extra = {key: fields[tag] for tag, key in _EXTRA_TAGS.items() if fields.get(tag)}
    # The record's own DB line, else the file's (``DP`` is the date of publication here, not RIS's
    # database provider).
    database = first_text(fields.get("DB")) or file_database
    pmid = first_text(fields.get("PMID"))
    accession = first_text(fields.get("AN"))
    # Ovid MEDLINE writes the PubMed id as its accession number; any other database's AN is its own id.
    if not pmid and _is_number(accession) and _PUBMED_DB.search(database):
        pmid = accession
    elif accession:
        extra["accession_number"] = accession
    if len(dois) > 1:
        extra[OTHER_DOIS] = dois[1:]
    return Record(
        source=database,
        title=first_text(fields.get("TI"), fields.get("BTI")),
        abstract=first_text(fields.get("AB")),
        authors=authors,
        year=parse_year(first_text(fields.get("DP"))),
        journal=first_text(fields.get("JT"), fields.get("TA")),
        volume=first_text(fields.get("VI")),
        issue=first_text(fields.get("IP")),
        pages=first_text(fields.get("PG")),
        doi=doi,
        pmid=pmid,
        keywords=text_list(fields.get("OT")),
        mesh=text_list(fields.get("MH")),
        publication_types=text_list(fields.get("PT")),
        language="; ".join(text_list(fields.get("LA"))),
        external_id=pmid or accession,
        position=f"line {line}",
        raw=raw,
        extra=extra,
    )
