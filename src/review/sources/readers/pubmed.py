"""PubMed XML (efetch ``retmode=xml``, PubMed's "XML" export): a thin reader around
``review.sources.pubmed_xml``, which the retrieval stage also uses for live searches."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..xmlsafe import check_declared_encoding
from ...records import Record
from .base import Reader, SourceFile, register

_PUBMED_ROOT = re.compile(r"<(PubmedArticleSet|PubmedBookArticleSet|PubmedArticle|PubmedBookArticle)[\s>]")


@register
class PubmedXmlReader(Reader):
    name = "pubmed-xml"
    label = "PubMed XML"
    extensions = (".xml",)
    default_source = "PubMed"

    def sniff(self, head: str) -> int:
        return 100 if head.lstrip().startswith("<") and _PUBMED_ROOT.search(head) else 0

    def decode(self, source: SourceFile) -> None:
        # The XML parser decodes by itself (declaration or UTF-8); just report which.
        source.encoding = check_declared_encoding(source.data, source.path)

    def records(self, source: SourceFile) -> Iterator[Record]:
        from ..pubmed_xml import iter_pubmed_xml  # owned by the retrieval stage

        records = iter_pubmed_xml(source.data, path=str(source.path), deleted_pmids=source.deleted_pmids)
        for index, record in enumerate(records, start=1):
            record.position = record.position or f"record {index}"
            yield record
