"""Versions of one work that share no DOI, and the traps each rule could fall into.

Cochrane review versions, the English-language edition of a non-English journal, a full
citation matched under two translations of the title, and one article paginated twice.
"""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st

from review.dedup.citation import cochrane_review_number, full_range_equal, numeric_range, ranges_overlap
from review.dedup.normalise import normalise_doi, parse_pages

from .helpers import dedup, merged, record, verdict

# -- Cochrane reviews ---------------------------------------------------------------------------

POEMS = "Treatment for POEMS (polyneuropathy, organomegaly, endocrinopathy, M-protein, and skin changes) syndrome"
CDSR = "Cochrane Database of Systematic Reviews"
KUWABARA = ["Kuwabara, S.", "Dispenzieri, A.", "Arimura, K.", "Misawa, S."]


def _cochrane(**changes: object):  # type: ignore[no-untyped-def]
    values: dict[str, object] = dict(title=POEMS, authors=KUWABARA, journal=CDSR, volume="", issue="",
                                     pages="", abstract="", doi="")
    values.update(changes)
    return record(**values)


def test_cochrane_number_from_doi_or_article_number() -> None:
    assert cochrane_review_number(normalise_doi("https://doi.org/10.1002/14651858.CD006828.pub3")) == "cd006828"
    assert cochrane_review_number("10.1002/14651858.cd006828") == "cd006828"
    assert cochrane_review_number("", CDSR, "CD006828") == "cd006828"
    assert cochrane_review_number("", CDSR, "", "6", "Art. No.: CD006828") == "cd006828"
    # A CD number outside the Cochrane Library is not taken for one; other DOIs say nothing.
    assert cochrane_review_number("", "Lancet", "CD006828") == ""
    assert cochrane_review_number("10.1002/14651858.ED000123", CDSR) == ""


@given(st.integers(0, 999999), st.integers(1, 20))
def test_every_version_doi_gives_the_same_number(number: int, version: int) -> None:
    base = f"10.1002/14651858.CD{number:06d}"
    assert cochrane_review_number(base) == cochrane_review_number(f"{base}.pub{version}") == f"cd{number:06d}"


def test_versions_of_one_cochrane_review_years_apart_are_merged() -> None:
    protocol = _cochrane(year=2008, pages="CD006828", doi="10.1002/14651858.CD006828")
    review = _cochrane(year=2012, volume="6", pages="CD006828", doi="10.1002/14651858.CD006828.pub2")
    update = _cochrane(year=2016, doi="10.1002/14651858.CD006828.pub3", title=POEMS.upper())
    result = dedup([protocol, review, update])
    assert merged(result, 0, 1) and merged(result, 1, 2)


def test_different_cochrane_reviews_by_one_group_stay_apart() -> None:
    # Same authors, same year, near-identical titles: a different CD number is a different review.
    adults = _cochrane(year=2012, title="Interventions for preventing falls in older people in care facilities",
                       pages="CD005465")
    hospitals = _cochrane(year=2012, title="Interventions for preventing falls in older people in hospitals",
                          pages="CD005466")
    same_title = _cochrane(year=2012, pages="CD007000")
    other = _cochrane(year=2012, pages="CD008000")
    result = dedup([adults, hospitals, same_title, other])
    # Not even a question for a human: the CD numbers settle it.
    assert not result.clusters and not result.pairs


def test_cochrane_review_is_not_merged_with_its_journal_reprint_by_number_alone() -> None:
    # The number helps only between records that carry it; a journal article with the same title
    # and authors but years apart still pays for the year gap.
    review = _cochrane(year=2008, pages="CD006828")
    journal_copy = record(title=POEMS, authors=KUWABARA, journal="Muscle Nerve", volume="40", pages="12-20",
                          year=2012, doi="", abstract="")
    assert verdict(review, journal_copy) != "duplicate"


# -- English-language editions and translated titles ----------------------------------------------

AD_P53 = ("Clinical research on recombinant human Ad-p53 injection combined with cisplatin in treatment "
          "of malignant pleural effusion induced by lung cancer")
ZHAO = ["Zhao, W. Z.", "Wang, J. K.", "Li, W.", "Zhang, X. L."]


def _chinese(**changes: object):  # type: ignore[no-untyped-def]
    values: dict[str, object] = dict(title=f"[{AD_P53}]", authors=ZHAO, year=2009, volume="28",
                                     journal="Ai zheng = Aizheng = Chinese journal of cancer",
                                     pages="1324-1327", doi="", abstract="")
    values.update(changes)
    return record(**values)


def test_english_edition_with_its_own_pagination_is_merged() -> None:
    original = _chinese()
    english = _chinese(title=AD_P53, journal="Chinese Journal of Cancer", pages="84-87")
    assert verdict(original, english) == "duplicate"


def test_english_edition_found_from_an_embase_original_title_too() -> None:
    embase = _chinese(title=f"{AD_P53} <ORIGINAL> Chong zu ren p53 xian bing du zhu she ye lian he shun bo",
                      journal="Ai Zheng")
    english = _chinese(title=AD_P53, journal="Chinese Journal of Cancer", pages="84-87")
    assert verdict(embase, english) == "duplicate"


def test_english_edition_rule_needs_the_same_authors_and_volume() -> None:
    original = _chinese()
    other_team = _chinese(title=AD_P53, journal="Chinese Journal of Cancer", pages="84-87",
                          authors=["Li, Q.", "Chen, H.", "Xu, Y."])
    other_volume = _chinese(title=AD_P53, journal="Chinese Journal of Cancer", pages="84-87", volume="29")
    assert verdict(original, other_team) == "distinct"
    assert verdict(original, other_volume) != "duplicate"


def test_two_bracketed_records_with_different_pages_are_not_editions() -> None:
    # Both records carry MEDLINE's translation: same database style, so different pages are
    # two articles (e.g. a series by one team), not an edition.
    first = _chinese()
    second = _chinese(pages="1401-1405")
    assert verdict(first, second) != "duplicate"


def test_full_citation_matches_two_translations_of_one_title() -> None:
    embase = record(title="Postoperative local immunostimulation in non-oatcell bronchial carcinoma",
                    authors=[], journal="Dtsch-Med-Wochenschr", volume="109", pages="935-940", year=1984,
                    doi="", abstract="")
    medline = record(title="[Postoperative immunostimulation in non-small-cell bronchial carcinoma. "
                           "Outcome and complications]", authors=["Toomes, H."],
                     journal="Deutsche Medizinische Wochenschrift", volume="109", pages="935-40", year=1984,
                     doi="", abstract="")
    assert verdict(embase, medline) == "duplicate"


def test_full_citation_does_not_override_clearly_different_titles() -> None:
    # A record with the wrong pages typed in: same citation, unrelated English titles, neither
    # a translation. The citation alone must not merge them.
    a = record(title="Liraglutide suppresses macrophage foam cell formation in mice", doi="", abstract="")
    b = record(title="Exenatide improves endothelial function in patients with heart failure", doi="",
               abstract="")
    assert verdict(a, b) == "distinct"


def test_conference_abstracts_sharing_a_supplement_page_range_stay_apart() -> None:
    common = dict(journal="Diabetologia", volume="57", issue="1 SUPPL. 1", pages="S354-S355", year=2014,
                  doi="", abstract="")
    a = record(title="[A DPP-4 inhibitor suppresses foam cell formation in macrophages of db/db mice]",
               authors=["Terasaki M."], **common)
    b = record(title="Sitagliptin reduces atherosclerotic lesions in the aorta of ApoE-null mice",
               authors=["Terasaki M."], **common)
    # One record's title is a translation, so titles cannot tell them apart; the shared page
    # range of a supplement must not then act as a citation match.
    assert verdict(a, b) != "duplicate"
    # Nor when the export lost the "Suppl" issue: lettered pages mark the supplement.
    a2, b2 = replace(a, issue="", external_id=""), replace(b, issue="", external_id="")
    assert verdict(a2, b2) != "duplicate"


def test_same_citation_with_a_different_author_is_not_forced_together() -> None:
    a = record(title="[Neoadjuvant chemotherapy in locally advanced non-small cell lung cancer]",
               authors=["Eberhardt, W."], journal="Praxis", volume="86", pages="1647-1653", year=1997, doi="",
               abstract="")
    b = record(title="Neoadjuvant chemoradiotherapy in stage IIIA and IIIB bronchial carcinoma",
               authors=["Stamatis, G."], journal="Schweizerische Rundschau fur Medizin Praxis", volume="86",
               pages="1647-1653", year=1997, doi="", abstract="")
    assert verdict(a, b) != "duplicate"


# -- one article paginated twice -----------------------------------------------------------------


def test_overlapping_page_ranges_of_one_article_are_merged() -> None:
    title = "Phase I trial of ATRA-IV and depakote in patients with advanced solid tumor malignancies"
    print_version = record(title=title, pages="678-684", doi="", abstract="")
    online_first = record(title=title, pages="676-682", doi="", abstract="")
    assert verdict(print_version, online_first) == "duplicate"


def test_articles_meeting_on_one_page_do_not_overlap() -> None:
    # One article ends on the page where the next begins: different articles, full penalty.
    assert not ranges_overlap(parse_pages("676-678"), parse_pages("678-684"))
    assert ranges_overlap(parse_pages("676-682"), parse_pages("678-84"))
    comment = record(title="Foam cells and liraglutide: a comment", pages="26-27", doi="", abstract="")
    article = record(pages="19-26", doi="", abstract="")
    assert verdict(article, comment) == "distinct"


def test_erratum_on_overlapping_pages_is_not_the_article() -> None:
    article = record(pages="19-26", doi="", abstract="")
    erratum = record(title=f"Erratum: {article.title}", pages="24-26", doi="", abstract="")
    result = dedup([article, erratum])
    assert not merged(result, 0, 1)


@given(st.integers(1, 5000), st.integers(0, 30), st.integers(1, 5000), st.integers(0, 30))
def test_page_relations_are_symmetric_and_exclusive(s1: int, n1: int, s2: int, n2: int) -> None:
    a, b = parse_pages(f"{s1}-{s1 + n1}"), parse_pages(f"{s2}-{s2 + n2}")
    assert ranges_overlap(a, b) == ranges_overlap(b, a)
    assert full_range_equal(a, b) == full_range_equal(b, a)
    assert not (ranges_overlap(a, b) and full_range_equal(a, b))
    assert full_range_equal(a, a) == (n1 > 0)
    assert numeric_range(a) == ("", s1, s1 + n1)


def test_spreadsheet_dates_and_e_locators_have_no_numeric_range() -> None:
    assert numeric_range(parse_pages("21-Apr")) is None
    assert not full_range_equal(parse_pages("e43268"), parse_pages("e43268"))
