"""Fields the readers must get right beyond parsing: cut author lists, BibTeX crossref, MEDLINE DOIs."""

from __future__ import annotations

import pytest

from review.sources import read_file
from review.sources.fields import AUTHORS_INCOMPLETE, OTHER_DOIS, bare_doi, drop_et_al, split_authors, split_dois


def _read(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return read_file(path).records


@pytest.mark.parametrize(("name", "text"), [
    ("a.ris", "TY  - JOUR\nTI  - Cut list\nAU  - Smith, J.\nAU  - Jones, K.\nAU  - et al.\nER  - \n"),
    ("a.csv", "id,title,authors\n1,Cut list,\"Smith J, Jones K, et al\"\n"),
    ("b.csv", "id,title,authors\n1,Cut list,Smith J; Jones K et al.\n"),
    ("a.bib", "@article{k, title={Cut list}, author={Smith, J. and Jones, K. and others}}\n"),
    ("a.nbib", "PMID- 1\nTI  - Cut list\nAU  - Smith J\nAU  - Jones K\nAU  - et al\n"),
])
def test_et_al_is_not_an_author_and_marks_the_list_incomplete(tmp_path, name, text):
    (record,) = _read(tmp_path, name, text)
    assert [a.replace(".", "").replace(",", "") for a in record.authors] == ["Smith J", "Jones K"]
    assert record.extra[AUTHORS_INCOMPLETE] is True


def test_a_complete_list_gets_no_mark_and_names_with_al_stay():
    assert drop_et_al(["Al-Hassan, M.", "Alves, K.", "Smith, J."]) == (["Al-Hassan, M.", "Alves, K.", "Smith, J."], False)
    assert drop_et_al(["Smith, J.", "et al"]) == (["Smith, J."], True)
    assert drop_et_al(["and others"]) == ([], True)


def test_every_spelling_of_et_al_marks_a_cut_list():
    # One rule for import and dedup: an RIS "AU  - Jones, K. and others" was kept as an author.
    assert drop_et_al(["Smith, J.", "Jones, K. and others"]) == (["Smith, J.", "Jones, K."], True)
    assert drop_et_al(["Smith J", "und andere"]) == (["Smith J"], True)
    assert drop_et_al(["Smith J", "Jones K et coll."]) == (["Smith J", "Jones K"], True)
    assert drop_et_al(["Smith J", "Jones K et. al."]) == (["Smith J", "Jones K"], True)
    assert drop_et_al(["Smith J", "Alvarez K", "Brothers A"]) == (["Smith J", "Alvarez K", "Brothers A"], False)
    # "others" ends a comma list as "et al" does ("Smith J, Jones K, others" was one name).
    assert split_authors("Smith J, Jones K, others") == ["Smith J", "Jones K", "others"]
    assert split_authors("Smith J, Jones K, et alii") == ["Smith J", "Jones K", "et alii"]


def test_pubmed_xml_author_list_marked_incomplete_by_nlm(tmp_path):
    xml = ("<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>1</PMID><Article><ArticleTitle>T</ArticleTitle>"
           "<AuthorList CompleteYN=\"N\"><Author><LastName>Smith</LastName><Initials>J</Initials></Author>"
           "</AuthorList></Article></MedlineCitation></PubmedArticle></PubmedArticleSet>")
    (record,) = _read(tmp_path, "a.xml", xml)
    assert record.authors == ["Smith, J"] and record.extra[AUTHORS_INCOMPLETE] is True


CROSSREF = """\
@inproceedings{paper1,
  author = {Smith, John},
  title = {A paper in the proceedings},
  pages = {10--20},
  crossref = {Proc2020},
}
@inproceedings{paper2,
  author = {Jones, Karl},
  title = {A paper with its own year},
  year = {2019},
  crossref = {proc2020},
}
@inproceedings{orphan,
  title = {A paper whose proceedings are missing},
  crossref = {nowhere},
}
@proceedings{Proc2020,
  title = {Proceedings of the Example Conference},
  editor = {Brown, Anna},
  year = {2020},
  publisher = {Example Press},
  doi = {10.1000/proceedings},
}
@inproceedings{paper3,
  title = {A paper after its proceedings},
  crossref = {Proc2020},
}
"""


def test_bibtex_crossref_inherits_booktitle_year_and_editor(tmp_path):
    records = {r.external_id: r for r in _read(tmp_path, "a.bib", CROSSREF)}
    assert set(records) == {"paper1", "paper2", "orphan", "Proc2020", "paper3"}
    for key in ("paper1", "paper3"):
        paper = records[key]
        assert paper.journal == "Proceedings of the Example Conference"
        assert paper.year == 2020 and paper.extra["editor"] == "Brown, Anna"
        assert paper.extra["publisher"] == "Example Press"
        assert paper.doi == ""  # the proceedings' DOI identifies the proceedings, not the paper
    assert records["paper1"].position == "line 1" and records["paper1"].pages == "10-20"
    assert records["paper2"].year == 2019  # its own field wins
    assert records["orphan"].journal == "" and records["orphan"].year is None
    assert records["Proc2020"].title == "Proceedings of the Example Conference"


@pytest.mark.parametrize(("aids", "doi"), [
    (["10.1186/s12889-020-1 [doi]"], "10.1186/s12889-020-1"),
    (["10.1186/s12889-020-1"], "10.1186/s12889-020-1"),
    (["doi:10.1186/s12889-020-1"], "10.1186/s12889-020-1"),
    (["S0140-6736(20)30183-5 [pii]", "10.1016/S0140-6736(20)30183-5"], "10.1016/S0140-6736(20)30183-5"),
    (["10.1016/S0140-6736(20)30183-5 [pii]"], ""),
    (["e1234", "PMC123456 [pmc]"], ""),
    (["10.1234/untagged", "10.1000/tagged [doi]"], "10.1000/tagged"),
    # An untagged resolver address is a DOI as fields.bare_doi reads it (only "doi:" was stripped).
    (["https://doi.org/10.1186/s12889-020-1"], "10.1186/s12889-020-1"),
])
def test_medline_article_id_is_a_doi_only_when_it_is_one(tmp_path, aids, doi):
    text = "PMID- 1\nTI  - A title\n" + "".join(f"AID - {a}\n" for a in aids)
    (record,) = _read(tmp_path, "a.nbib", text)
    assert record.doi == doi


@pytest.mark.parametrize(("name", "text"), [
    ("a.ris", "TY  - JOUR\nTI  - A title\nDO  - http://dx.doi.org/10.1016/j.x.2014.01.002\nER  - \n"),
    ("b.ris", "TY  - JOUR\nTI  - A title\nDO  - https://doi.org/10.1016/j.x.2014.01.002\nER  - \n"),
    ("c.ris", "TY  - JOUR\nTI  - A title\nDO  - doi: 10.1016/j.x.2014.01.002\nER  - \n"),
    ("a.csv", "id,title,doi\n1,A title,https://doi.org/10.1016%2Fj.x.2014.01.002\n"),
    ("a.bib", "@article{k, title={A title}, doi={https://doi.org/10.1016/j.x.2014.01.002}}\n"),
])
def test_every_reader_stores_the_bare_doi(tmp_path, name, text):
    # The DOI is the identifier, as PubMed gives it: a resolver's prefix is the export's wrapping.
    (record,) = _read(tmp_path, name, text)
    assert record.doi == "10.1016/j.x.2014.01.002"


def test_an_address_escape_that_is_no_utf8_is_kept_as_written() -> None:
    # "%E9" is Latin-1 é: decoding it leniently stored U+FFFD, which matches no other copy's DOI.
    assert bare_doi("https://doi.org/10.1234/%E9t") == "10.1234/%E9t"
    assert bare_doi("https://doi.org/10.1234/%C3%A9t") == "10.1234/\u00e9t"
    # One escape that is no UTF-8 keeps only itself: "%2F" is still "/", so the DOI is found.
    assert bare_doi("https://doi.org/10.1234%2F%E9t%20x") == "10.1234/%E9t x"


def test_a_doi_field_without_a_doi_is_kept_as_written(tmp_path):
    text = "TY  - JOUR\nTI  - A title\nDO  - not given\nER  - \n"
    (record,) = _read(tmp_path, "a.ris", text)
    assert record.doi == "not given"


@pytest.mark.parametrize(("pages", "stored"), [
    ("123--", "123"), ("123--130", "123-130"), ("{e123}", "e123"), ("123\u2013130", "123-130"), ("123", "123"),
])
def test_bibtex_pages_without_an_end_are_one_page(tmp_path, pages, stored):
    (record,) = _read(tmp_path, "a.bib", f"@article{{k, title={{A title}}, pages={{{pages}}}}}\n")
    assert record.pages == stored


@pytest.mark.parametrize(("cell", "names"), [
    # A generation suffix between names belongs to the name before it ("S. S. Easter, Jr." was glued
    # to its neighbours into one name), and the names around it are split as without it.
    ("P. A. Raymond, S. S. Easter, Jr., J. A. Burnham", ["P. A. Raymond", "S. S. Easter, Jr.", "J. A. Burnham"]),
    ("P. A. Raymond, S. S. Easter, J. A. Burnham", ["P. A. Raymond", "S. S. Easter", "J. A. Burnham"]),
    ("J. Smith, K. L. Jones", ["J. Smith", "K. L. Jones"]),
    ("P. A. Raymond, S. S. Easter, III, J. A. Burnham, et al.", ["P. A. Raymond", "S. S. Easter, III", "J. A. Burnham",
                                                                "et al."]),
    ("Raymond, P. A., Easter, S. S., Jr., Burnham, J. A.", ["Raymond, P. A.", "Easter, S. S., Jr.", "Burnham, J. A."]),
    ("Smith, J., Sr., Jones, K.", ["Smith, J., Sr.", "Jones, K."]),
    ("Bunn PA Jr, Smith J", ["Bunn PA Jr", "Smith J"]),
    ("Gordon JR 3rd, Smith J", ["Gordon JR 3rd", "Smith J"]),
    ("John Smith, Jr., Karl Jones, Anna Brown", ["John Smith, Jr.", "Karl Jones", "Anna Brown"]),
    # One name with its suffix stays one name.
    ("Bunn, Paul A., Jr.", ["Bunn, Paul A., Jr."]), ("Smith, John, Jr.", ["Smith, John, Jr."]),
    ("G. E. Seidel, Jr.", ["G. E. Seidel, Jr."]), ("Martin Luther King, Jr.", ["Martin Luther King, Jr."]),
    ("Smith, J. A., III", ["Smith, J. A., III"]), ("Lewis, J. S., II", ["Lewis, J. S., II"]),
    ("Ivanov, II", ["Ivanov, II"]), ("J. A., Smith", ["J. A., Smith"]), ("Smith, JR", ["Smith, JR"]),
])
def test_a_generation_suffix_between_names_joins_the_name_before_it(cell, names):
    assert split_authors(cell) == names


@pytest.mark.parametrize(("cell", "names"), [
    # A suffix written without its full stop ends an APA name as "Jr." does.
    ("Easter, S. S., Jr, Burnham, J. A.", ["Easter, S. S., Jr", "Burnham, J. A."]),
    # "St." begins a surname word of a name with its initials first.
    ("M. St. John, K. Smith", ["M. St. John", "K. Smith"]), ("K. Smith, M. Ste. Marie", ["K. Smith", "M. Ste. Marie"]),
])
def test_names_split_around_an_undotted_suffix_and_a_saint(cell, names):
    assert split_authors(cell) == names


@pytest.mark.parametrize(("value", "dois"), [
    ("10.1000/a.1; 10.1000/b.2", ["10.1000/a.1", "10.1000/b.2"]),
    ("https://doi.org/10.1000/a.1, doi:10.1000/b.2", ["10.1000/a.1", "10.1000/b.2"]),
    ("10.1000/a.1 10.1000/a.1", ["10.1000/a.1"]),
    # labels before each DOI: they were parts that are no DOI, so the field stayed whole (two DOIs glued)
    ("doi: 10.1000/a.1; doi: 10.1000/b.2", ["10.1000/a.1", "10.1000/b.2"]),
    ("DOI 10.1000/a.1, DOI 10.1000/b.2", ["10.1000/a.1", "10.1000/b.2"]),
    ("doi:10.1000/a.1;DOI 10.1000/b.2", ["10.1000/a.1", "10.1000/b.2"]),
    ("DOI 10.1000/a.1", ["10.1000/a.1"]),
    # a DOI is case-insensitive: the same one in two cases is one
    ("10.1000/A.1; 10.1000/a.1", ["10.1000/A.1"]),
    ("10.1000/a.1;10.1000/b.2", ["10.1000/a.1", "10.1000/b.2"]),
    # a SICI DOI holds ';' and '<…>': one DOI, not two
    ("10.1002/(SICI)1097-4571(199806)49:8<693::AID-ASI4>3.0.CO;2-O", ["10.1002/(SICI)1097-4571(199806)49:8<693::AID-ASI4>3.0.CO;2-O"]),
    ("not given", ["not given"]),
    ("10.1000/a.1; see erratum", ["10.1000/a.1; see erratum"]),
])
def test_a_field_holding_several_dois_is_split(value, dois):
    assert split_dois(value) == dois


@pytest.mark.parametrize(("name", "text"), [
    ("two.ris", "TY  - JOUR\r\nTI  - Old and new DOI\r\nDO  - 10.1000/a.1\r\nDO  - https://doi.org/10.1000/b.2\r\nER  - \r\n"),
    ("one.ris", "TY  - JOUR\nTI  - Old and new DOI\nDO  - 10.1000/a.1; 10.1000/b.2\nER  - \n"),
    ("two.nbib", "PMID- 1\nTI  - Old and new DOI\nLID - 10.1000/a.1 [doi]\nAID - 10.1000/a.1 [doi]\n"
                 "AID - S0001 [pii]\nAID - 10.1000/b.2 [doi]\n"),
    ("two.csv", "\ufefftitle,doi\r\nOld and new DOI,\"10.1000/a.1; 10.1000/b.2\"\r\n"),
    ("two.bib", "@article{k, title={Old and new DOI}, doi={10.1000/a.1 10.1000/b.2}}\n"),
    # EndNote: the first DOI's match alone was kept ('10.1000/a.1;'), and a second %R line was dropped
    ("one.enw", "%0 Journal Article\n%T Old and new DOI\n%R 10.1000/a.1; 10.1000/b.2\n"),
    ("two.enw", "%0 Journal Article\n%T Old and new DOI\n%R 10.1000/a.1\n%R doi:10.1000/b.2\n"),
    ("one.xml", "<?xml version=\"1.0\"?><xml><records><record><ref-type name=\"Journal Article\">17</ref-type>"
                "<titles><title>Old and new DOI</title></titles>"
                "<electronic-resource-num>10.1000/a.1; 10.1000/b.2</electronic-resource-num></record></records></xml>"),
])
def test_a_second_doi_is_kept_apart_not_lost_or_glued_to_the_first(tmp_path, name, text):
    """A second RIS DO line and MEDLINE's second [doi] id were dropped; two DOIs in one cell were
    stored as one DOI ('10.1000/a.1; 10.1000/b.2'), which matches no record in dedup."""
    (record,) = _read(tmp_path, name, text)
    assert record.doi == "10.1000/a.1"
    assert record.extra[OTHER_DOIS] == ["10.1000/b.2"]


def test_the_first_doi_again_in_another_case_is_no_other_doi(tmp_path):
    """MEDLINE's LID and AID can give one DOI in two cases; DOIs are case-insensitive, so it is the record's
    DOI once, not a second DOI of the record."""
    (record,) = _read(tmp_path, "case.nbib", "PMID- 1\nTI  - Case\nLID - 10.1000/ABC.1 [doi]\n"
                                             "AID - 10.1000/abc.1 [doi]\nAID - 10.1000/b.2 [doi]\n")
    assert record.doi == "10.1000/ABC.1"
    assert record.extra[OTHER_DOIS] == ["10.1000/b.2"]


def test_other_dois_survive_a_csv_export_and_reimport(tmp_path):
    from review.sources.export import records_to_csv

    (record,) = _read(tmp_path, "two.ris", "TY  - JOUR\nTI  - T\nDO  - 10.1000/a.1\nDO  - 10.1000/b.2\nER  - \n")
    (again,) = _read(tmp_path, "again.csv", records_to_csv([record]))
    assert again.doi == "10.1000/a.1" and again.extra[OTHER_DOIS] == ["10.1000/b.2"]
