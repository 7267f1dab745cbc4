"""The known traps of bibliographic deduplication, one test each."""

from __future__ import annotations

from review.dedup.kinds import ARTICLE, ERRATUM, PREPRINT, PROTOCOL, RETRACTION, is_generic_title, publication_kind
from review.dedup.normalise import normalise_title

from .helpers import dedup, merged, record, verdict


def test_plain_duplicate_with_export_noise_is_merged() -> None:
    a = record()
    b = record(title=a.title.upper() + ".", doi="https://doi.org/10.1016/J.PEPTIDES.2013.12.015",
               authors=["Tashiro Y", "Sato K", "Watanabe T", "Nohtomi K"], pages="19-6", abstract="")
    assert verdict(a, b) == "duplicate"


def test_conference_abstracts_sharing_a_supplement_doi_stay_apart() -> None:
    doi = "http://dx.doi.org/10.1007/s00125-014-3355-0"
    common = dict(journal="Diabetologia", volume="57", issue="1 SUPPL. 1", pages="S354", doi=doi, year=2014)
    a = record(title="A DPP-4 inhibitor remarkably suppresses foam cell formation in peritoneal macrophages",
               authors=["Terasaki M.", "Nagashima M.", "Hiromura M."], abstract="Foam cells " * 30, **common)
    b = record(title="A DPP-4 inhibitor suppresses atherosclerotic lesions in the aorta of diabetic mice",
               authors=["Hirano T.", "Yamashita S.", "Takahashi M."], abstract="Lesions " * 30, **common)
    c = record(title="Glucagon-like peptide-1 reduces intestinal lipoprotein production in hamsters",
               authors=["Farr S. L.", "Baker C."], abstract="Lipoproteins " * 30, **common)
    result = dedup([a, b, c])
    assert not result.pairs
    assert not merged(result, 0, 1) and not merged(result, 0, 2)


def test_same_abstract_at_two_meetings_is_two_publications() -> None:
    a = record(journal="Diabetes", volume="61", issue="SUPPL. 1", pages="A237", doi="", year=2012)
    b = record(journal="Diabetologie und Stoffwechsel. Conference: 48th meeting", volume="8",
               issue="SUPPL. 1", pages="P12", doi="", year=2013)
    assert verdict(a, b) != "duplicate"


def test_generic_titles_are_not_matched_on_title() -> None:
    assert is_generic_title("editorial") and is_generic_title("reply") and is_generic_title("erratum")
    assert is_generic_title("letter to the editor") and not is_generic_title("liraglutide and foam cells")
    a = record(title="Editorial", authors=["Smith, J."], journal="BMJ", volume="340", pages="c101", doi="",
               abstract="")
    b = record(title="Editorial", authors=["Jones, K."], journal="BMJ", volume="341", pages="c2200", doi="",
               abstract="")
    c = record(title="Reply", authors=["Smith, J."], journal="Lancet", volume="380", pages="12", doi="", abstract="")
    result = dedup([a, b, c])
    assert not result.clusters


def test_generic_title_duplicate_still_found_on_other_fields() -> None:
    a = record(title="Editorial", authors=["Smith, J.", "Brown, A."], journal="BMJ", volume="340",
               pages="c101", doi="10.1136/bmj.c101", abstract="")
    b = record(title="EDITORIAL.", authors=["Smith J", "Brown A"], journal="Br Med J", volume="340",
               pages="c101", doi="https://doi.org/10.1136/BMJ.C101", abstract="")
    assert verdict(a, b) == "duplicate"


def test_erratum_is_not_merged_with_the_original() -> None:
    original = record()
    erratum = record(title=f"Erratum: {original.title}", pages="201", doi="10.1016/j.peptides.2014.05.001")
    correction = record(title=f"Correction to: {original.title}", pages="", doi="")
    assert publication_kind(erratum.title) == ERRATUM
    result = dedup([original, erratum, correction])
    # The two notices may be one erratum exported twice; neither is the original article.
    assert not merged(result, 0, 1) and not merged(result, 0, 2)


def test_retraction_notice_is_not_the_article_but_a_flagged_copy_is() -> None:
    original = record()
    notice = record(title=f"Retraction note: {original.title}", doi="10.1016/j.peptides.2020.170001")
    flagged = record(title=f"RETRACTED ARTICLE: {original.title}")
    assert publication_kind(notice.title) == RETRACTION
    assert publication_kind(flagged.title) == ARTICLE
    result = dedup([original, notice, flagged])
    assert merged(result, 0, 2)
    assert not merged(result, 0, 1)


def test_preprint_and_journal_version_go_to_a_human() -> None:
    article = record()
    preprint = record(journal="medRxiv", volume="", pages="", doi="10.1101/2013.11.02.123456", year=2013)
    assert publication_kind(preprint.title, preprint.journal, "10.1101/2013.11.02.123456") == PREPRINT
    result = dedup([article, preprint])
    assert not result.clusters
    # It was "distinct", never shown: the DOI, journal and year that a preprint never shares cost 4.5.
    [pair] = result.pairs
    assert pair.status == "borderline" and "(preprint vs published version)" in pair.explanation
    # Published two years later under a revised title: still the reviewer's question.
    revised = record(title="Liraglutide suppresses macrophage foam cell formation and atherosclerosis "
                           "in apolipoprotein E-null mice", year=2015)
    assert verdict(revised, preprint) == "borderline"
    # Another study of the same group stays apart.
    other = record(title="Exenatide reduces atherosclerotic lesions in apolipoprotein E knockout mice",
                   abstract="Exenatide, a GLP-1 receptor agonist, was given to mice fed a western diet.")
    assert verdict(other, preprint) == "distinct"


def test_trial_protocol_and_results_are_different_publications() -> None:
    results = record(title="Problem-solving therapy for return to work in employees with common mental "
                           "disorders: a randomised controlled trial", journal="Occup Environ Med",
                     doi="10.1136/oemed-2020-1", pages="101-108")
    protocol = record(title="Problem-solving therapy for return to work in employees with common mental "
                            "disorders: study protocol for a randomised controlled trial",
                      journal="Trials", doi="10.1186/s13063-2017-1", pages="55", year=2017)
    assert publication_kind(protocol.title) == PROTOCOL
    assert verdict(results, protocol) == "distinct"


def test_translated_versions_are_linked() -> None:
    english = record(title="[Treatment of pleural empyema with fibrinolytic agents]",
                     authors=["Muller, H.", "Schmidt, K.", "Weber, F."], journal="Dtsch Med Wochenschr",
                     volume="109", pages="935-40", year=1984, doi="", abstract="")
    german = record(title="Behandlung des Pleuraempyems mit Fibrinolytika",
                    authors=["Müller, H.", "Schmidt, K.", "Weber, F."],
                    journal="Deutsche Medizinische Wochenschrift", volume="109", pages="935-940",
                    year=1984, doi="", abstract="")
    assert verdict(english, german) in ("duplicate", "borderline")
    bracketed = record(title="[Treatment of pleural empyema with fibrinolytic agents].", doi="", abstract="",
                       authors=english.authors, journal="Deutsche medizinische Wochenschrift (1946)",
                       volume="109", pages="935-940", year=1984)
    assert verdict(english, bracketed) == "duplicate"


def test_non_latin_titles_do_not_collapse_to_empty() -> None:
    a = record(title="Лечение плеврального выпота у пациентов", doi="", authors=["Ivanov, I."], pages="1-5")
    b = record(title="Диагностика туберкулеза легких у детей", doi="", authors=["Petrov, P."], pages="6-9")
    assert verdict(a, b) == "distinct"


def test_numbered_sibling_publications_stay_apart() -> None:
    # Part 1 / Part 2 of a series, or phase II / phase III of one drug: same authors, same
    # journal and year, no pages yet (ahead of print). One number apart, two publications.
    part1 = record(title="Return to work after common mental disorders. Part 1: a cohort study",
                   pages="", doi="", abstract="")
    part2 = record(title="Return to work after common mental disorders. Part 2: a cohort study",
                   pages="", doi="", abstract="")
    phase2 = record(title="A phase II trial of liraglutide in employees on sick leave", pages="", doi="",
                    abstract="")
    phase3 = record(title="A phase III trial of liraglutide in employees on sick leave", pages="", doi="",
                    abstract="")
    result = dedup([part1, part2, phase2, phase3])
    assert not result.clusters
    # A number the other title simply leaves out is not a conflict.
    with_subtitle = record(title="Liraglutide and foam cells: 2 experiments in 3 mouse strains", doi="")
    without = record(title="Liraglutide and foam cells: 2 experiments", doi="")
    assert verdict(with_subtitle, without) != "distinct"


def test_an_ampersand_in_a_title_is_and() -> None:
    # "&" folded to nothing: a short title lost 2.5 points and the pair went to a human.
    assert verdict(record(title="Work & stress in nurses", doi="", abstract=""),
                   record(title="Work and stress in nurses", doi="", abstract="", pages="")) == "duplicate"
    assert normalise_title("Depression &amp; work") == normalise_title("Depression and work")
