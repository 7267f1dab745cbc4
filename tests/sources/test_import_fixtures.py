"""Every reader on the real exports in ../shared/fixtures (copied byte-for-byte upstream)."""

from __future__ import annotations

import pytest

from review.errors import ImportFormatError
from review.sources import read_file

EXPORTS = ("fixtures", "exports")


def _read(shared, *parts, **kwargs):
    return read_file(shared(*EXPORTS, *parts), **kwargs)


@pytest.mark.parametrize(
    ("folder", "name", "fmt", "count"),
    [
        ("ris", "rispy_example_basic.ris", "ris", 1),
        ("ris", "rispy_example_full.ris", "ris", 2),
        ("ris", "rispy_example_multiline.ris", "ris", 3),
        ("ris", "rispy_example_empty_tag.ris", "ris", 1),
        ("ris", "rispy_example_extraneous_data.ris", "ris", 2),
        ("ris", "rispy_example_starting_newlines.ris", "ris", 1),
        ("ris", "rispy_example_bom.ris", "ris", 1),
        ("ris", "rispy_example_utf_chars.ris", "ris", 1),
        ("ris", "rispy_example_multi_unknown_tags.ris", "ris", 1),
        ("ris", "rispy_example_custom_list_tags.ris", "ris", 1),
        ("ris", "rispy_example_urls.ris", "ris", 4),
        ("ris", "jabref_RisImporterTestScopus.ris", "ris", 1),
        ("ris", "jabref_RisImporterTestScience.ris", "ris", 1),
        ("ris", "jabref_RisImporterTest8_date.ris", "ris", 1),
        ("ris", "jabref_RisImporterTestWithEmptyER.ris", "ris", 1),
        ("medline_nbib", "pybtexnbib_marcelis-20301770.nbib", "medline", 1),
        ("medline_nbib", "jabref_NbibImporterTest.nbib", "medline", 1),
        ("medline_nbib", "jabref_MedlinePlainImporterTestMultipleEntries.txt", "medline", 7),
        ("medline_nbib", "jabref_MedlinePlainImporterTestCompleteEntry.txt", "medline", 1),
        ("medline_nbib", "jabref_MedlinePlainImporterTestMultiAbstract.txt", "medline", 1),
        ("medline_nbib", "jabref_MedlinePlainImporterTestMultiTitle.txt", "medline", 1),
        ("bibtex", "bibtexparser_article.bib", "bibtex", 1),
        ("bibtex", "bibtexparser_book.bib", "bibtex", 1),
        ("bibtex", "bibtexparser_multiple_entries_and_comments.bib", "bibtex", 3),
        ("bibtex", "bibtexparser_comments_percentage.bib", "bibtex", 2),
        ("bibtex", "bibtexparser_encoding.bib", "bibtex", 1),
        ("bibtex", "bibtexparser_article_with_special_characters.bib", "bibtex", 1),
        ("bibtex", "bibtexparser_article_with_protection_braces.bib", "bibtex", 1),
        ("bibtex", "bibtexparser_traps.bib", "bibtex", 1),
        ("bibtex", "bibtexparser_string.bib", "bibtex", 1),
        ("bibtex", "bibtexparser_crossref_entries.bib", "bibtex", 14),
        ("bibtex", "bibtexparser_article_start_with_bom.bib", "bibtex", 1),
        ("bibtex", "bibtexparser_article_comma_first.bib", "bibtex", 2),
        ("bibtex", "bibtexparser_article_no_braces.bib", "bibtex", 1),
        ("bibtex", "bibtexparser_wrong.bib", "bibtex", 2),
        ("endnote_xml", "jabref_EndnoteXmlImporterTestArticle.xml", "endnote-xml", 1),
        ("endnote_xml", "jabref_EndnoteXmlImporterTestArticle2.xml", "endnote-xml", 2),
        ("endnote_xml", "jabref_EndnoteXmlImporterTestLabelAndMultiTitle.xml", "endnote-xml", 3),
        ("endnote_xml", "jabref_EndnoteXmlImporterTestReport.xml", "endnote-xml", 1),
        ("endnote_xml", "jabref_EndnoteXmlImporterTest_EmptyKeywordStyle.xml", "endnote-xml", 1),
        ("endnote_xml", "jabref_EndnoteXmlImporterTest_WithoutUrlStyle.xml", "endnote-xml", 1),
        ("endnote_tagged", "jabref_Endnote.book.example.enw", "endnote-tagged", 1),
    ],
)
def test_real_exports_read_completely(shared, folder, name, fmt, count):
    result = _read(shared, folder, name)
    assert result.format == fmt
    assert len(result.records) == count
    for index, record in enumerate(result.records):
        assert record.position.startswith("record " if fmt == "endnote-xml" else "line "), record.position
        assert record.raw.strip(), f"record {index} lost its original text"
        assert record.source


def test_ris_scopus_fields_and_database(shared):
    (record,) = _read(shared, "ris", "jabref_RisImporterTestScopus.ris").records
    assert record.source == "Scopus"
    assert record.title.startswith("A transversely isotropic compo")
    assert record.doi == "10.1016/j.jmps.2004.03.010"
    assert record.year == 2004
    assert record.journal == "Journal of the Mechanics and Physics of Solids"
    assert record.authors[:2] == ["Federico, S.", "Grillo, A."]
    assert record.raw.startswith("TY  - ")


def test_ris_positions_are_record_start_lines(shared):
    result = _read(shared, "ris", "rispy_example_extraneous_data.ris")
    text = shared(*EXPORTS, "ris", "rispy_example_extraneous_data.ris").read_text(encoding="utf-8")
    lines = text.splitlines()
    for record in result.records:
        number = int(record.position.split()[1])
        assert lines[number - 1].startswith("TY  -")


def test_ris_bom_and_non_ascii(shared):
    result = _read(shared, "ris", "rispy_example_utf_chars.ris")
    assert result.encoding == "utf-8-sig"
    (record,) = result.records
    assert record.title.startswith("Состояние")  # short title used when there is no TI/T1
    assert record.authors[0] == "Dobrokhotova, Yu E."
    assert record.pages == "52-57" and record.year == 2009


def test_ris_multiline_values_are_joined(shared):
    records = _read(shared, "ris", "rispy_example_multiline.ris").records
    assert all("last line" in r.abstract for r in records)


def test_nbib_book_chapter_crlf_and_doi(shared):
    (book,) = _read(shared, "medline_nbib", "pybtexnbib_marcelis-20301770.nbib").records
    assert book.pmid == "20301770" and book.external_id == "20301770"
    assert book.title == "Feingold Syndrome 1."
    assert book.year == 1993
    assert book.authors[:2] == ["Marcelis, Carlo LM", "de Brouwer, Arjan PM"]
    assert book.source == "PubMed"
    (article,) = _read(shared, "medline_nbib", "jabref_NbibImporterTest.nbib").records
    assert article.doi == "10.4103/2277-9175.180636"
    assert article.title.startswith("Proteomics: A new perspective")


def test_medline_repeated_tags_and_skipped_note(shared):
    (multi,) = _read(shared, "medline_nbib", "jabref_MedlinePlainImporterTestMultiAbstract.txt").records
    assert multi.abstract == "Old Abstract new abstract"
    records = _read(shared, "medline_nbib", "jabref_MedlinePlainImporterTestMultipleEntries.txt").records
    assert records[0].pmid == "20481061"
    assert "Occupational Health/*history" in records[0].mesh
    assert not any("omitted" in r.raw for r in records)


def test_medline_tag_without_space_keeps_the_whole_value(shared, tmp_path):
    # Bio.Medline reads values from column 7: "PMID-22664220" used to be stored as PMID 2664220.
    records = _read(shared, "medline_nbib", "jabref_MedlinePlainImporterTestMultipleEntries.txt").records
    assert [r.pmid for r in records][3:] == ["22664220", "22664238", "96578310", "45984220"]
    assert records[1].extra["pmcid"] == "22664230"  # "PMC -22664230"
    path = tmp_path / "loose.nbib"
    path.write_text("PMID-12345678\nTI-A title\n      continued\nAU  - Doe J\n", encoding="utf-8")
    (record,) = read_file(path).records
    assert (record.pmid, record.title, record.authors) == ("12345678", "A title continued", ["Doe J"])
    assert record.raw.startswith("PMID-12345678\n")  # the original text is kept as written


def test_efetch_medline_text(shared):
    result = read_file(shared("fixtures", "pubmed", "biopython", "pubmed_result2.txt"))
    assert result.format == "medline"
    assert [r.pmid for r in result.records] == ["16403221", "16377612", "14871861", "14630660"]
    assert result.records[0].doi == "10.1186/1471-2105-7-10"


def test_bibtex_latex_braces_strings_and_keys(shared):
    (special,) = _read(shared, "bibtex", "bibtexparser_article_with_special_characters.bib").records
    assert special.authors == ["Jean Césarü"]
    (protected,) = _read(shared, "bibtex", "bibtexparser_article_with_protection_braces.bib").records
    assert protected.title == "An amazing title"
    (macro,) = _read(shared, "bibtex", "bibtexparser_string.bib").records
    assert macro.authors == ["Sang Kil Cha", "Maverick Woo", "David Brumley"]
    assert macro.journal.startswith("Proceedings of the IEEE")
    assert macro.external_id == "cha:oakland15"
    assert macro.extra["entry_type"] == "inproceedings"
    bom = _read(shared, "bibtex", "bibtexparser_article_start_with_bom.bib")
    assert bom.encoding == "utf-8-sig"


def test_endnote_xml_fields(shared):
    (record,) = _read(shared, "endnote_xml", "jabref_EndnoteXmlImporterTestArticle.xml").records
    assert record.title.startswith("Trends in the lifetime risk of developing cancer in Great Britain: comparison")
    assert record.authors == ["Ahmad, AS", "Ormiston-Smith, N", "Sasieni, PD"]
    assert (record.year, record.journal, record.volume, record.issue, record.pages) == (
        2015, "Br J Cancer", "112", "5", "943-7")
    assert record.doi == "10.1038/bjc.2014.606"
    assert record.external_id == "2954" and record.raw.lstrip().startswith("<record>")


def test_endnote_tagged_type_only_entries_are_refused_not_stored_empty(shared):
    # JabRef's test file holds one "%0 <type>" block per entry type with no fields at all (#21).
    with pytest.raises(ImportFormatError, match=r"jabref_Endnote\.entries\.enw:line 7: empty record"):
        _read(shared, "endnote_tagged", "jabref_Endnote.entries.enw")


def test_endnote_tagged_non_ascii_book(shared):
    (book,) = _read(shared, "endnote_tagged", "jabref_Endnote.book.example.enw").records
    assert book.authors[:2] == ["Preißel, René", "Stachmann, Bjørn"]
    assert book.year == 2016 and book.title.startswith("Git : dezentrale")
    assert book.position == "line 1"


def test_truncated_endnote_xml(tmp_path, shared):
    data = shared("fixtures", "exports", "endnote_xml", "jabref_EndnoteXmlImporterTestArticle2.xml").read_bytes()
    path = tmp_path / "cut.xml"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ImportFormatError, match=r"cut.xml:line \d+: invalid or truncated EndNote XML"):
        read_file(path)


def test_bibtex_in_non_utf8_multibyte_encoding_is_refused(shared):
    with pytest.raises(ImportFormatError, match="multi-byte encoding"):
        _read(shared, "bibtex", "bibtexparser_gbk_test.bib")


@pytest.mark.parametrize("name", ["pubmed1.xml", "pubmed2.xml", "pubmed4.xml", "pubmed7.xml"])
def test_pubmed_xml_files(shared, name):
    result = read_file(shared("fixtures", "pubmed", "biopython", name))
    assert result.format == "pubmed-xml"
    assert result.source_name == "PubMed"
    assert all(r.pmid and r.position for r in result.records)


def test_source_option_overrides_every_record(shared):
    result = _read(shared, "ris", "jabref_RisImporterTestScopus.ris", source="Embase")
    assert result.source_name == "Embase"
    assert {r.source for r in result.records} == {"Embase"}


@pytest.mark.parametrize(
    ("parts", "message"),
    [
        (("ris", "jabref_RisImporterCorrupted.ris"), "line 2: RIS tag JF outside a record"),
    ],
)
def test_unsupported_or_corrupt_exports_say_why(shared, parts, message):
    with pytest.raises(ImportFormatError, match=message):
        _read(shared, *parts)


def test_web_of_science_tagged_export(shared):
    """rispy's WoS example (a real 'Plain text' export: FN/VR header, two records, EF)."""
    result = _read(shared, "ris", "rispy_example_wos.ris")
    assert result.source_name == "Web of Science"
    first, second = result.records
    assert first.title.startswith("Interactions stabilizing the structure of the core light-harvesting")
    assert "\n" not in first.title  # the indented continuation line is joined
    assert first.authors[:2] == ["Parkes-Loach, PS", "Majeed, AP"] and len(first.authors) == 4
    assert (first.year, first.journal, first.volume, first.issue, first.pages) == (2004, "Biochemistry", "43", "22", "7003-7016")
    assert (first.doi, first.pmid, first.external_id) == ("10.1021/bi049798f", "15170338", "WOS:000221807500019")
    assert first.keywords[:2] == ["CHEMICALLY SYNTHESIZED POLYPEPTIDES", "IN-VITRO RECONSTITUTION"]
    assert first.publication_types == ["Article"] and first.language == "English"
    assert first.position == "line 3" and first.raw.startswith("PT J") and first.raw.rstrip().endswith("ER")
    assert first.extra["publisher"] == "AMER CHEMICAL SOC" and "cited_references" not in first.extra
    assert (second.position, second.pages, second.external_id) == ("line 112", "7017-7027", "WOS:000221807500020")


@pytest.mark.parametrize(("first", "second", "count"), [
    (("ris", "rispy_example_bom.ris"), ("ris", "rispy_example_utf_chars.ris"), 2),
    (("medline_nbib", "pybtexnbib_marcelis-20301770.nbib"), ("medline_nbib", "jabref_NbibImporterTest.nbib"), 2),
], ids=["ris", "medline"])
def test_two_exports_joined_with_cat_keep_both_byte_order_marks_and_read_whole(shared, tmp_path, first, second, count):
    """`cat a.ris b.ris > all.ris` of two exports that each start with a UTF-8 BOM put the second BOM at a line's
    start: the RIS reader refused the file, 'line 6: RIS tag AU outside a record (no TY line before it)' under a
    line that reads 'TY  - …', and a MEDLINE file as 'a paragraph that starts with text that is not a tag line' (walk29)."""
    joined = tmp_path / f"joined{shared(*EXPORTS, *first).suffix}"
    second_bytes = shared(*EXPORTS, *second).read_bytes()
    if not second_bytes.startswith(b"\xef\xbb\xbf"):
        second_bytes = b"\xef\xbb\xbf" + second_bytes
    joined.write_bytes(shared(*EXPORTS, *first).read_bytes() + b"\n" + second_bytes)
    result = read_file(joined)
    assert len(result.records) == count
    assert not any("\ufeff" in record.raw for record in result.records)


def test_a_medline_export_cut_off_inside_its_last_record_is_refused(shared, tmp_path):
    """efetch's MEDLINE text cut at 3,000 bytes (mid-abstract of its second record) imported 2 records, the second
    without authors, journal or the rest of its abstract (walk29). A record without SO after records that all have
    one, in a file that ends without a line break, is a cut; the same text ended by a line break still reads."""
    full = shared("fixtures", "pubmed", "biopython", "pubmed_result2.txt").read_bytes()
    cut = tmp_path / "cut.nbib"
    cut.write_bytes(full[:3000])
    with pytest.raises(ImportFormatError) as raised:
        read_file(cut)
    assert str(raised.value) == (f"{cut}:line 67: the file ends inside this record (no SO line, which every record "
                                 "before it has, and no line break after it): cut off? If the record is complete as "
                                 "it stands, end the file with a line break")
    cut.write_bytes(full[:3000] + b"\n")
    assert len(read_file(cut).records) == 2


def test_a_book_chapter_last_in_a_medline_file_without_a_final_line_break_reads(shared, tmp_path):
    """PubMed's book records have no SO line (GeneReviews' chapter 20301770, as PubMed gives it): one last in a
    file whose other records all have one, and that ends without a line break (copied from the browser, or an
    editor that strips it), was refused as cut off (rrev29b). A book record is told by its BTI or its PT."""
    articles = shared("fixtures", "pubmed", "biopython", "pubmed_result2.txt").read_bytes()
    chapter = shared("fixtures", "exports", "medline_nbib", "pybtexnbib_marcelis-20301770.nbib").read_bytes()
    joined = tmp_path / "joined.nbib"
    joined.write_bytes(articles.rstrip(b"\n") + b"\n\n" + chapter.rstrip(b"\r\n"))
    records = read_file(joined).records
    assert len(records) == 5 and records[-1].pmid == "20301770"
