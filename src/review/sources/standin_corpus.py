"""The stand-in's corpus: PubMed records indexed by PMID and dates, and synthetic records.

Tests and benchmarks generate tens of thousands of minimal, valid ``PubmedArticle`` records
with seeded dates; ``review demo`` loads its generated PubMed XML export.
"""

from __future__ import annotations

import random
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from xml.sax.saxutils import escape

from .pubmed_xml import article_chunks

__all__ = ["StandInArticle", "StandInCorpus", "synthetic_article", "synthetic_corpus"]

_MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)}

@dataclass(slots=True, frozen=True)
class StandInArticle:
    pmid: str
    xml: bytes
    pdat: date
    edat: date
    doi: str = ""


class StandInCorpus:
    """PubMed records by PMID, newest PMID first (PubMed's default "most recent" order)."""

    def __init__(self, articles: Iterable[StandInArticle]) -> None:
        by_pmid = {a.pmid: a for a in articles}
        self.articles = by_pmid
        #: Lower-case DOI → PMID, for ``[doi]`` terms.
        self.by_doi = {a.doi.lower(): a.pmid for a in by_pmid.values() if a.doi}
        self.order = sorted(by_pmid, key=lambda p: (-int(p) if p.isdigit() else 0, p))

    def __len__(self) -> int:
        return len(self.articles)

    @classmethod
    def from_xml(cls, data: bytes) -> "StandInCorpus":
        """Index a PubMed XML document (one ``PubmedArticleSet``) by PMID and dates."""
        articles = []
        for chunk in article_chunks(data):
            elem = ET.fromstring(chunk)
            pmid = (elem.findtext("MedlineCitation/PMID") or elem.findtext("BookDocument/PMID") or "").strip()
            pdat = _pub_date(elem.find(".//PubDate"))
            edat = _history_date(elem.find("PubmedData/History/PubMedPubDate[@PubStatus='entrez']")) or pdat
            doi = (elem.findtext("PubmedData/ArticleIdList/ArticleId[@IdType='doi']") or "").strip()
            if pmid:
                articles.append(StandInArticle(pmid, chunk, pdat, edat, doi))
        return cls(articles)

    @classmethod
    def from_path(cls, path: str | Path) -> "StandInCorpus":
        return cls.from_xml(Path(path).read_bytes())

    def select(self, start: date | None, end: date | None, field_name: str) -> list[str]:
        use_edat = field_name.lower() in {"edat", "crdt", "mhda"}
        found = []
        for pmid in self.order:
            article = self.articles[pmid]
            when = article.edat if use_edat else article.pdat
            if (start is None or when >= start) and (end is None or when <= end):
                found.append(pmid)
        return found


def synthetic_article(pmid: int | str, year: int, month: int = 1, day: int = 1, *, title: str = "",
                      doi: str = "") -> bytes:
    """A minimal but valid ``PubmedArticle`` (tests and benchmarks generate thousands of these)."""
    title = escape(title or f"Synthetic record {pmid}")
    doi_id = f'<ArticleId IdType="doi">{escape(doi)}</ArticleId>' if doi else ""
    return (
        f'<PubmedArticle><MedlineCitation Status="MEDLINE" Owner="NLM"><PMID Version="1">{pmid}</PMID>'
        f'<Article PubModel="Print"><Journal><JournalIssue CitedMedium="Print"><PubDate><Year>{year}</Year>'
        f"<Month>{month:02d}</Month><Day>{day:02d}</Day></PubDate></JournalIssue><Title>Journal of Tests</Title>"
        f"</Journal><ArticleTitle>{title}</ArticleTitle><Language>eng</Language></Article></MedlineCitation>"
        f'<PubmedData><History><PubMedPubDate PubStatus="entrez"><Year>{year}</Year><Month>{month}</Month>'
        f"<Day>{day}</Day></PubMedPubDate></History><ArticleIdList>"
        f'<ArticleId IdType="pubmed">{pmid}</ArticleId>{doi_id}</ArticleIdList></PubmedData></PubmedArticle>'
    ).encode()


def synthetic_corpus(n: int, *, seed: int = 0, first_year: int = 1990, last_year: int = 2025,
                     first_pmid: int = 10_000_001) -> StandInCorpus:
    """``n`` tiny records with seeded random dates, built without any XML parsing (fast)."""
    rng = random.Random(seed)
    articles = []
    for i in range(n):
        when = date(rng.randint(first_year, last_year), rng.randint(1, 12), rng.randint(1, 28))
        pmid = str(first_pmid + i)
        articles.append(StandInArticle(pmid, synthetic_article(pmid, when.year, when.month, when.day), when, when))
    return StandInCorpus(articles)


def _pub_date(elem: ET.Element | None) -> date:
    if elem is None:
        return date(1900, 1, 1)
    text = (elem.findtext("Year") or "").strip()
    if not text:
        found = re.search(r"\d{4}", elem.findtext("MedlineDate") or "")
        return date(int(found.group(0)), 1, 1) if found else date(1900, 1, 1)
    month_text = (elem.findtext("Month") or "1").strip().lower()[:3]
    month = int(month_text) if month_text.isdigit() else _MONTHS.get(month_text, 1)
    day_text = (elem.findtext("Day") or "1").strip()
    return _safe_date(int(text), month, int(day_text) if day_text.isdigit() else 1)


def _history_date(elem: ET.Element | None) -> date | None:
    if elem is None or not (elem.findtext("Year") or "").strip().isdigit():
        return None
    return _safe_date(int(elem.findtext("Year") or ""), int(elem.findtext("Month") or 1),
                      int(elem.findtext("Day") or 1))


def _safe_date(year: int, month: int, day: int) -> date:
    month = min(max(month, 1), 12)
    for d in (day, 28, 1):
        try:
            return date(year, month, d)
        except ValueError:
            continue
    return date(year, 1, 1)
