"""Write corpus copies in the formats databases export: PubMed XML, RIS and MEDLINE (.nbib)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence

import rispy

from .corpus import SourceCopy


def pubmed_xml(copies: Sequence[SourceCopy]) -> bytes:
    """A PubmedArticleSet as EFetch returns it (retmode=xml)."""
    root = ET.Element("PubmedArticleSet")
    for copy in copies:
        root.append(_pubmed_article(copy))
    ET.indent(root, space=" ")
    body = ET.tostring(root, encoding="unicode")
    header = ('<?xml version="1.0" ?>\n<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, '
              '1st January 2025//EN" "https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">\n')
    return (header + body + "\n").encode("utf-8")


def _pubmed_article(copy: SourceCopy) -> ET.Element:
    pub = copy.pub
    article_el = ET.Element("PubmedArticle")
    citation = ET.SubElement(article_el, "MedlineCitation", Status="MEDLINE", Owner="NLM")
    ET.SubElement(citation, "PMID", Version="1").text = pub.pmid
    article = ET.SubElement(citation, "Article", PubModel="Print")
    journal = ET.SubElement(article, "Journal")
    issue = ET.SubElement(journal, "JournalIssue", CitedMedium="Internet")
    ET.SubElement(issue, "Volume").text = pub.volume
    ET.SubElement(issue, "Issue").text = pub.issue
    ET.SubElement(ET.SubElement(issue, "PubDate"), "Year").text = str(copy.year)
    ET.SubElement(journal, "Title").text = pub.journal[0]
    ET.SubElement(journal, "ISOAbbreviation").text = pub.journal[1]
    ET.SubElement(article, "ArticleTitle").text = copy.title
    ET.SubElement(ET.SubElement(article, "Pagination"), "MedlinePgn").text = copy.pages
    if copy.doi:
        ET.SubElement(article, "ELocationID", EIdType="doi", ValidYN="Y").text = copy.doi
    abstract = ET.SubElement(article, "Abstract")
    for label, text in pub.sections:
        attrs = {"Label": label, "NlmCategory": label} if label else {}
        ET.SubElement(abstract, "AbstractText", attrs).text = text
    authors = ET.SubElement(article, "AuthorList", CompleteYN="Y")
    for last, fore in copy.authors:
        author = ET.SubElement(authors, "Author", ValidYN="Y")
        ET.SubElement(author, "LastName").text = last
        ET.SubElement(author, "ForeName").text = fore
        ET.SubElement(author, "Initials").text = fore[0]
    ET.SubElement(article, "Language").text = "eng"
    types = ET.SubElement(article, "PublicationTypeList")
    ET.SubElement(types, "PublicationType").text = pub.publication_type
    info = ET.SubElement(citation, "MedlineJournalInfo")
    ET.SubElement(info, "MedlineTA").text = pub.journal[1]
    mesh = ET.SubElement(citation, "MeshHeadingList")
    for term in pub.mesh:
        heading = ET.SubElement(mesh, "MeshHeading")
        ET.SubElement(heading, "DescriptorName", MajorTopicYN="N").text = term
    keywords = ET.SubElement(citation, "KeywordList", Owner="NOTNLM")
    for word in pub.keywords:
        ET.SubElement(keywords, "Keyword", MajorTopicYN="N").text = word
    data = ET.SubElement(article_el, "PubmedData")
    ids = ET.SubElement(data, "ArticleIdList")
    ET.SubElement(ids, "ArticleId", IdType="pubmed").text = pub.pmid
    if copy.doi:
        ET.SubElement(ids, "ArticleId", IdType="doi").text = copy.doi
    return article_el


def _abstract_text(copy: SourceCopy) -> str:
    return " ".join(f"{label}: {text}" if label else text for label, text in copy.pub.sections)


def ris(copies: Sequence[SourceCopy], *, database: str) -> str:
    """An RIS export as Embase/Ovid writes it (one TY..ER block per record)."""
    entries = []
    for n, copy in enumerate(copies, 1):
        pub = copy.pub
        start, _, end = copy.pages.partition("-")
        entry = {
            "type_of_reference": "CONF" if pub.kind == "conference_twin" else "JOUR",
            "id": f"{database[:2].upper()}{n:05d}",
            "title": copy.title,
            "authors": [f"{last}, {fore[0]}." for last, fore in copy.authors],
            "year": str(copy.year),
            "journal_name": copy.journal_name,
            "volume": pub.volume,
            "number": pub.issue,
            "start_page": start,
            "abstract": _abstract_text(copy),
            "keywords": list(pub.keywords) + list(pub.mesh[:3]),
            "name_of_database": database,
            "language": "English",
        }
        if end:
            entry["end_page"] = end
        if copy.doi:
            entry["doi"] = copy.doi
        if pub.pmid and database != "PubMed":
            entry["notes"] = [f"PMID: {pub.pmid}"] if n % 3 == 0 else []
        entries.append(entry)
    # rispy numbers the entries ("1."); exports from databases do not.
    text = rispy.dumps(entries)
    return "\n".join(line for line in text.splitlines() if not _is_entry_number(line)) + "\n"


def _is_entry_number(line: str) -> bool:
    return line.endswith(".") and line[:-1].isdigit()


def medline(copies: Sequence[SourceCopy]) -> str:
    """MEDLINE tagged format (.nbib / Ovid MEDLINE export); long values wrap at column 6."""
    blocks = []
    for n, copy in enumerate(copies, 1):
        pub = copy.pub
        lines: list[str] = []
        lines += _tag("PMID", pub.pmid or f"9{n:07d}")
        lines += _tag("TI", copy.title)
        lines += _tag("AB", _abstract_text(copy))
        for last, fore in copy.authors:
            lines += _tag("FAU", f"{last}, {fore}")
            lines += _tag("AU", f"{last} {fore[0]}")
        lines += _tag("DP", str(copy.year))
        lines += _tag("TA", pub.journal[1])
        lines += _tag("JT", pub.journal[0])
        lines += _tag("VI", pub.volume)
        lines += _tag("IP", pub.issue)
        lines += _tag("PG", copy.pages)
        if copy.doi:
            lines += _tag("LID", f"{copy.doi} [doi]")
        lines += _tag("LA", "eng")
        lines += _tag("PT", pub.publication_type)
        for term in pub.mesh:
            lines += _tag("MH", term)
        for word in pub.keywords:
            lines += _tag("OT", word)
        lines += _tag("DB", "PsycINFO")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


def _tag(tag: str, value: str, width: int = 82) -> list[str]:
    words = value.split()
    lines, current = [], ""
    for word in words:
        if current and len(current) + 1 + len(word) > width - 6:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}" if current else word
    lines.append(current)
    head = f"{tag:<4}- {lines[0]}"
    return [head] + [f"      {line}" for line in lines[1:]]
