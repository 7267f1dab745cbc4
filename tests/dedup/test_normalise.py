"""Normalisers: examples from real exports plus hypothesis properties."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from review.dedup.journals import journal_similarity, journal_tokens, journal_variants
from review.dedup.names import normalise_authors, parse_author
from review.dedup.normalise import (
    clean_title, fold, is_translated_title, normalise_doi, normalise_pages, normalise_pmid, normalise_title,
    normalise_volume, normalise_year, parse_pages, strip_markup, title_numbers, title_variants,
)

text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=80)


# -- text -------------------------------------------------------------------------------------

def test_fold_removes_case_diacritics_and_punctuation() -> None:
    assert fold("Crème-Brûlée:  ÅNGSTRÖM  naïve!") == "creme brulee angstrom naive"


def test_fold_keeps_non_latin_letters() -> None:
    # [^a-z] folding would make every Cyrillic title equal to every other one.
    assert fold("Лечение депрессии") == "лечение депрессии"
    assert fold("Лечение депрессии") != fold("Другое название")


def test_fold_joins_letters_around_a_misdecoded_accent() -> None:
    assert fold("Estudio multic?ntrico") == "estudio multicntrico"


def test_strip_markup_html_entities_and_tags() -> None:
    assert strip_markup("<i>In vivo</i> effects of GLP&amp;1") == "In vivo effects of GLP&1"
    assert strip_markup("first<br/>second") == "first second"
    assert strip_markup("&amp;lt;b&amp;gt;bold") == "bold"


@settings(deadline=None)
@given(text)
def test_fold_is_idempotent(value: str) -> None:
    assert fold(fold(value)) == fold(value)


@settings(deadline=None)
@given(text)
def test_fold_ignores_case_and_whitespace(value: str) -> None:
    assert fold(value.upper()) == fold(value.lower()) or fold(value.upper().lower()) == fold(value.lower())
    assert fold(f"  {value}\t\n ") == fold(value)


@settings(deadline=None)
@given(text)
def test_normalise_title_is_idempotent(value: str) -> None:
    once = normalise_title(value)
    assert normalise_title(once) == once


# -- titles -----------------------------------------------------------------------------------

@pytest.mark.parametrize("raw, expected", [
    ("Comparison of regimens: a study.[Erratum appears in J Antimicrob Chemother 1989;24(4):629]",
     "comparison of regimens a study"),
    ("[Use of non-medicamentous methods in lung surgery]", "use of non medicamentous methods in lung surgery"),
    ("T262. A very long conference title about incretins", "a very long conference title about incretins"),
    ('"Motesanib or bevacizumab in combination"', "motesanib or bevacizumab in combination"),
    ("<b>Liraglutide</b> and foam cells", "liraglutide and foam cells"),
    ("Pleural effusion (author's transl)", "pleural effusion"),
    ("Effects on Ca<sup>2+</sup> handling in K<inf>Ca</inf>3.1 channels", "effects on ca2 handling in kca3 1 channels"),
])
def test_normalise_title(raw: str, expected: str) -> None:
    assert normalise_title(raw) == expected


def test_title_numbers_map_roman_numerals() -> None:
    assert title_numbers("a phase ii trial of drug 5") == "2|5"
    assert title_numbers("dipeptidyl peptidase iv") == title_numbers("dipeptidyl peptidase 4")
    assert title_numbers("no numbers here") == ""


def test_translated_title_in_brackets_is_recognised() -> None:
    assert is_translated_title("[Therapy of pleural empyema].")
    assert not is_translated_title("Therapy of pleural empyema [review]")


def test_title_variants_split_original_language() -> None:
    main, alt = title_variants("Neoadjuvant therapy in lung cancer <ORIGINAL> NEOADJUVANTE THERAPIE BEIM")
    assert fold(main) == "neoadjuvant therapy in lung cancer"
    assert fold(alt) == "neoadjuvante therapie beim"
    assert title_variants("A short; title")[1] == ""


def test_clean_title_keeps_short_numbers() -> None:
    assert clean_title("5. Short") == "5. Short"


# -- DOIs, ids, year, volume ------------------------------------------------------------------

@pytest.mark.parametrize("raw", [
    "10.1160/TH14-03-0258", "https://doi.org/10.1160/th14-03-0258", "http://dx.doi.org/10.1160/TH14-03-0258",
    "doi:10.1160/TH14-03-0258.", "DOI: 10.1160/th14-03-0258;", " https://dx.doi.org/10.1160%2FTH14-03-0258 ",
])
def test_doi_forms(raw: str) -> None:
    assert normalise_doi(raw) == "10.1160/th14-03-0258"


def test_wiley_sici_dois_keep_their_article_part() -> None:
    # "<857::AID-SIM777>" was removed as a markup tag: every article of the issue had one DOI.
    first = "10.1002/(SICI)1097-0258(19980415)17:7<857::AID-SIM777>3.0.CO;2-E"
    second = "10.1002/(SICI)1097-0258(19980415)17:7<873::AID-SIM779>3.0.CO;2-0"
    assert normalise_doi(first) == first.lower() and normalise_doi(first) != normalise_doi(second)
    for form in ("https://doi.org/10.1002/(SICI)1097-0258(19980415)17:7%3C857::AID-SIM777%3E3.0.CO;2-E",
                 "doi: 10.1002/(SICI)1097-0258(19980415)17:7&lt;857::AID-SIM777&gt;3.0.CO;2-E."):
        assert normalise_doi(form) == first.lower()
    assert normalise_doi(normalise_doi(first)) == normalise_doi(first)
    assert normalise_doi('<a href="x">10.1000/abc</a>') == "10.1000/abc"  # markup still goes


def test_doi_absent() -> None:
    assert normalise_doi("") == ""
    assert normalise_doi("not a doi") == ""


@settings(max_examples=60, deadline=None)
@given(st.from_regex(r"10\.\d{4,6}/[A-Za-z0-9._\-()]{1,20}", fullmatch=True),
       st.sampled_from(["", "doi:", "https://doi.org/", "http://dx.doi.org/", "DOI "]),
       st.sampled_from(["", ".", ",", ";"]))
def test_doi_prefix_case_and_trailing_punctuation_do_not_matter(doi: str, prefix: str, tail: str) -> None:
    expected = normalise_doi(doi)
    assert normalise_doi(f"{prefix}{doi.upper()}{tail}") == expected
    assert normalise_doi(expected) == expected


def test_pmid_year_volume() -> None:
    assert normalise_pmid("PMID: 0012345") == "12345"
    # Every digit of the field was joined: "12345 (PMCID: PMC67890)" gave 1234567890, a PMID that
    # differs from the PubMed copy's (-6 and never merged); a PMCID counted as a PMID.
    assert normalise_pmid("12345 (PMCID: PMC67890)") == normalise_pmid("12345; 67890") == "12345"
    assert normalise_pmid("https://pubmed.ncbi.nlm.nih.gov/12345/") == "12345"
    assert normalise_pmid("PMC67890") == normalise_pmid("pmc 67890") == ""
    # A labelled PMCID was read as a PMID: "PMCID: PMC6789" gave 6789.
    assert normalise_pmid("PMCID: PMC6789") == normalise_pmid("pmcid:pmc6789") == normalise_pmid("PMCID 6789") == ""
    assert normalise_year("2014 Mar") == 2014
    assert normalise_year("n.d.") is None
    assert normalise_year(1999) == 1999
    assert normalise_volume("Vol. 12 (Suppl 1)") == "12"
    assert normalise_volume("1)") == ""
    assert normalise_volume("054") == "54"


# -- pages ------------------------------------------------------------------------------------

@pytest.mark.parametrize("raw, expected", [
    ("21-Apr", "4-21"), ("01-Oct", "1-10"), ("Nov-19", "11-19"),
    ("1234-45", "1234-1245"), ("472-80", "472-480"), ("1051-64", "1051-1064"),
    ("S458s-9", "s458-s459"), ("742-8; discussion 748-9", "742-748"), ("pp. 12-14", "12-14"),
    ("e1234", "e1234"), ("A4486 [Poster #G115]", "a4486"), ("0012-0015", "12-15"),
    ('"339a, Abstract 1351"', "339"), ("iii428-iii429", "iii428-iii429"), ("", ""),
])
def test_pages(raw: str, expected: str) -> None:
    assert normalise_pages(raw) == expected


def test_spreadsheet_dates_keep_both_readings_of_the_start() -> None:
    parsed = parse_pages("11-Sep")  # typed as "11-9" (11-19) or "9-11"
    assert parsed.uncertain
    assert {"9", "11"} <= set(parsed.starts())


def test_several_ranges_offer_every_start() -> None:
    parsed = parse_pages("233-238+230-235+246-251")
    assert parsed.start == "233" and {"230", "246"} <= set(parsed.starts())


@settings(deadline=None)
@given(st.integers(1, 9999), st.integers(0, 60))
def test_page_ranges_round_trip_and_are_idempotent(start: int, length: int) -> None:
    end = start + length
    full = normalise_pages(f"{start}-{end}")
    assert full == (f"{start}-{end}" if length else str(start))
    assert normalise_pages(full) == full
    short_end = str(end)[-len(str(length + 1)):] if length else str(end)
    if int(short_end) >= int(str(start)[-len(short_end):]):
        assert normalise_pages(f"{start}-{short_end}") == full


@settings(deadline=None)
@given(text)
def test_pages_never_raise(value: str) -> None:
    normalise_pages(value)


# -- authors ----------------------------------------------------------------------------------

#: One name each after 64b6a67 folded dedup's splitter into sources.fields.split_authors, while
#: "Smith, J.; Jones, K." gave two: the same paper's authors disagreed across exports.
AUTHOR_CELLS_LOST_IN_THE_FOLD = [
    ("Smith John, Jones Karl, Brown A", ["Smith John", "Jones Karl", "Brown A"]),
    ("John Smith, Karl Jones, Anna Brown", ["John Smith", "Karl Jones", "Anna Brown"]),
    ("Smith J., Jones K., Brown A.", ["Smith J.", "Jones K.", "Brown A."]),  # Scopus
    ("Smith J.A., Jones K. L.", ["Smith J.A.", "Jones K. L."]),
    ("Wang Xiaoming, Li Hua, Zhang Wei", ["Wang Xiaoming", "Li Hua", "Zhang Wei"]),
    ("Smith J, Jones K, et al", ["Smith J", "Jones K", "et al"]),
    ("Smith J., et al.", ["Smith J.", "et al."]),
    # Still one name: an inverted name, its suffix, and full names with one comma.
    ("Smith, John", ["Smith, John"]), ("Bunn, Paul A., Jr.", ["Bunn, Paul A., Jr."]),
    ("Smith, John, Jones, Karl", ["Smith, John, Jones, Karl"]),
]


#: The table of dedup's own splitter before the fold (split_author_list, 64b6a67^).
OLD_SPLITTER_TABLE = [
    ("Tashiro Y.Sato K.Watanabe T.", ["Tashiro Y.", "Sato K.", "Watanabe T."]),
    ("Chien C. T.Fan S. C.", ["Chien C. T.", "Fan S. C."]),
    ("Davis, N. B. and Taber, D. A.", ["Davis, N. B.", "Taber, D. A."]),
    ("Smith JA; Jones K", ["Smith JA", "Jones K"]),
    ("Smith J, Jones K, Brown A", ["Smith J", "Jones K", "Brown A"]),
    # Each of these was one name: "&", APA's comma lists and two authors in the "Smith J" form.
    ("Smith, J. & Jones, K.", ["Smith, J.", "Jones, K."]),
    ("Smith, J., Jones, K. L., & Brown, A.", ["Smith, J.", "Jones, K. L.", "Brown, A."]),
    ("Smith, J., Jones, K. L., and van der Berg, A.", ["Smith, J.", "Jones, K. L.", "van der Berg, A."]),
    ("Smith J, Jones K & Brown A", ["Smith J", "Jones K", "Brown A"]),
    ("SMITH J, JONES KL", ["SMITH J", "JONES KL"]),
    ("van der Berg J, Smith K", ["van der Berg J", "Smith K"]),
    # One name stays one.
    ("Smith, J", ["Smith, J"]), ("Rodriguez Portal, Jose Antonio", ["Rodriguez Portal, Jose Antonio"]),
    ("Smith, J. A.", ["Smith, J. A."]), ("Ching-yi, Wu", ["Ching-yi, Wu"]),
]


@pytest.mark.parametrize("raw, expected", OLD_SPLITTER_TABLE + AUTHOR_CELLS_LOST_IN_THE_FOLD)
def test_split_authors(raw: str, expected: list[str]) -> None:
    # One splitter for import and dedup: the CSV cell "Smith, J., Jones, K. L., & Brown, A." was three
    # names in review dedup FILE.csv and one in review import FILE.csv.
    from review.sources.fields import split_authors

    assert split_authors(raw) == expected


def test_import_and_dedup_read_author_cells_alike(tmp_path: Path) -> None:
    """review import FILE.csv and review dedup FILE.csv read one cell into the same names, and dedup
    compares every author of the lists the fold had glued into one name."""
    from review.dedup.csvio import load_records_csv
    from review.sources import read_file
    cells = OLD_SPLITTER_TABLE + AUTHOR_CELLS_LOST_IN_THE_FOLD
    path = tmp_path / "authors.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["record_id", "title", "authors"])
        for number, (cell, _) in enumerate(cells):
            writer.writerow([f"r{number}", f"Title {number}", cell])
    expected = [names for _, names in cells]
    # The import drops a final "et al" (and marks the list incomplete); dedup keeps it and reads a cut list.
    imported = {"Smith J, Jones K, et al": ["Smith J", "Jones K"], "Smith J., et al.": ["Smith J."]}
    assert [r.authors for r in read_file(path).records] == [imported.get(cell, names) for cell, names in cells]
    assert [r.authors for r in load_records_csv(path).records] == expected
    assert normalise_authors("Smith J., Jones K., Brown A.") == (["smith", "jones", "brown"], False)
    assert normalise_authors("Smith J, Jones K, et al") == (["smith", "jones"], True)
    assert len(normalise_authors("Wang Xiaoming, Li Hua, Zhang Wei")[0]) == 3


@pytest.mark.parametrize("name", ["Smith, John A.", "Smith JA", "Smith J.A.", "John A. Smith", "SMITH, J. A.",
                                  "Smith, J. A."])
def test_author_name_forms_agree_on_last_name_and_first_initial(name: str) -> None:
    last, initials = parse_author(name)
    assert last == "smith" and initials.startswith("j")


def test_compound_and_accented_last_names() -> None:
    assert parse_author("Garcia Rodriguez, J. A.")[0] == "garciarodriguez"
    assert parse_author("Vázquez-Martínez, Aarón")[0] == "vazquezmartinez"


def test_et_al_marks_a_truncated_list() -> None:
    names, truncated = normalise_authors(["Acocella, G.", "Roux, J.", "et al."])
    assert names == ["acocella", "roux"] and truncated
    assert normalise_authors("Smith JA; Jones K; et al")[1]


@pytest.mark.parametrize("cell", ["Smith J; Jones K; Et Al.", "Smith, J.; Jones, K. and others", "Smith J; Jones K; Others",
                                  "Smith J, Jones K, et. al.", "John Smith; Karl Jones et al",
                                  # One rule with the import: these were one author "smithj", or "alii" a surname.
                                  "Smith J, Jones K, others", "Smith J; Jones K; et alii", "Smith J, Jones K, et alii",
                                  "Smith J; Jones K und andere", "Smith J; Jones K et coll."])
def test_no_spelling_of_et_al_is_read_as_a_surname(cell: str) -> None:
    names, truncated = normalise_authors(cell)
    assert names == ["smith", "jones"] and truncated
    from review.dedup.prepare import prepare
    from review.records import Record
    from review.sources.fields import split_authors

    (swapped,) = prepare([Record(authors=split_authors(cell))]).authors_swapped  # the second reading scoring uses
    assert not {"et", "al", "etal", "and", "others"} & set(swapped)


@settings(deadline=None)
@given(st.lists(st.sampled_from(["Smith", "Jones", "De Vries", "Müller", "O'Brien"]), min_size=1, max_size=5),
       st.lists(st.sampled_from(["J", "K", "AB"]), min_size=5, max_size=5))
def test_last_first_and_medline_forms_give_the_same_names(lasts: list[str], firsts: list[str]) -> None:
    comma = [f"{last}, {first}." for last, first in zip(lasts, firsts)]
    medline = [f"{last} {first}" for last, first in zip(lasts, firsts)]
    assert normalise_authors(comma)[0] == normalise_authors(medline)[0]


# -- journals ---------------------------------------------------------------------------------

@pytest.mark.parametrize("a, b", [
    ("Curr Protein Pept Sci", "Current Protein and Peptide Science"),
    ("J Clin Oncol", "Journal of clinical oncology : official journal of the American Society of Clinical Oncology"),
    ("Eur J Cardiothorac Surg", "European Journal of Cardio-Thoracic Surgery"),
    ("Thromb Haemost", "Thrombosis and Haemostasis"),
    ('"Acta oncologica (Stockholm, Sweden)"', "Acta Oncologica"),
    ("Pathologie-biologie", "Pathologie Biologie"),
    ("Journal of Thoracic Oncology: Official Publication of the IASLC", "J Thorac Oncol"),
    ("Jthoraccardiovascsurg", "The Journal of thoracic and cardiovascular surgery"),
    ("Chung-Hua Chung Liu Tsa Chih [Chinese Journal of Oncology]", "Chinese Journal of Oncology"),
    ("Circulation. Conference: American Heart Association's Scientific Sessions", "Circulation"),
    ("Ai zheng = Aizheng = Chinese journal of cancer", "Chin J Cancer"),
    ("Dtsch-Med-Wochenschr", "Deutsche Medizinische Wochenschrift"),
    ("Dtsch Med Wochenschr", "Deutsche medizinische Wochenschrift (1946)"),
    ("J Natl Cancer Inst", "Journal of the National Cancer Institute"),
])
def test_journal_abbreviations_match(a: str, b: str) -> None:
    assert max(journal_similarity(x, y) for x in journal_variants(a) for y in journal_variants(b)) == 1.0


@pytest.mark.parametrize("a, b", [("Diabetes", "Diabetologia"), ("Cancer", "Cancer Research"),
                                  ("Thorax", "Chest"), ("Cancer Res", "Cancer Reviews"),
                                  ("Med Hypotheses", "Medical History"), ("Neurology", "Neuroradiology")])
def test_different_journals_do_not_match(a: str, b: str) -> None:
    assert journal_similarity(journal_tokens(a), journal_tokens(b)) < 1.0


# Non-English titles and their abbreviations as NCBI's journal list gives them (JabRef's
# journal_abbreviations_entrez.csv), except the first, the occupational-health journal this
# programme reads, whose "-geneeskd" follows the same LTWA entry as "Ned Tijdschr Geneeskd".
@pytest.mark.parametrize("full, abbreviation", [
    ("Tijdschrift voor Bedrijfs- en Verzekeringsgeneeskunde", "Tijdschr Bedrijfs Verzekeringsgeneeskd"),
    ("Nederlands tijdschrift voor geneeskunde", "Ned Tijdschr Geneeskd"),
    ("Tijdschrift voor gerontologie en geriatrie", "Tijdschr Gerontol Geriatr"),
    ("Tijdschrift voor sociale geneeskunde", "Tijdschr Soc Geneeskd"),
    ("Nederlands tijdschrift voor tandheelkunde", "Ned Tijdschr Tandheelkd"),
    ("Huisarts en wetenschap", "Huisarts Wet"),
    ("Zeitschrift für Gerontologie und Geriatrie", "Z Gerontol Geriatr"),
    ("Zeitschrift fur Geburtshilfe und Neonatologie", "Z Geburtshilfe Neonatol"),
    ("Monatsschrift fur Kinderheilkunde", "Monatsschr Kinderheilkd"),
    ("Psychotherapie, Psychosomatik, medizinische Psychologie", "Psychother Psychosom Med Psychol"),
    ("Der Nervenarzt", "Nervenarzt"),
    ("Revue d'epidemiologie et de sante publique", "Rev Epidemiol Sante Publique"),
    ("La Presse médicale", "Presse Med"),
    ("Archives des maladies professionnelles de medecine du travail et de securite sociale", "Arch Mal Prof"),
    ("Tidsskrift for den Norske lægeforening", "Tidsskr Nor Laegeforen"),
    ("Ugeskrift for laeger", "Ugeskr Laeger"),
    ("Dansk tidsskrift for farmaci", "Dan Tidsskr Farm"),
    ("Nordisk psykiatrisk tidsskrift. Nordic journal of psychiatry", "Nord Psykiatr Tidsskr"),
    ("Läkartidningen", "Lakartidningen"),
    ("Fortschritte der Neurologie-Psychiatrie", "Fortschr Neurol Psychiatr"),
    ("Duodecim; laaketieteellinen aikakauskirja", "Duodecim"),
    ("Bulletin de l'Academie nationale de medecine", "Bull Acad Natl Med"),
    ("Il Giornale di chirurgia", "G Chir"),
    ("Revista espanola de anestesiologia y reanimacion", "Rev Esp Anestesiol Reanim"),
    ("Annali di ostetricia e ginecologia", "Ann Ostet Ginecol"),
    ("Archivio italiano di otologia, rinologia e laringologia", "Arch Ital Otol Rinol Laringol"),
    ("Medycyna doswiadczalna i mikrobiologia", "Med Dosw Mikrobiol"),
    ("The European physical journal. E, Soft matter", "Eur Phys J E Soft Matter"),  # a part letter
    ("Physical review. E, Statistical, nonlinear, and soft matter physics", "Phys Rev E Stat Nonlin Soft Matter Phys"),
])
def test_non_english_titles_match_their_iso_abbreviations(full: str, abbreviation: str) -> None:
    similarity = max(journal_similarity(x, y) for x in journal_variants(full) for y in journal_variants(abbreviation))
    assert similarity == 1.0


# Different journals (all in NCBI's list) that share words, stems or a language's function words.
@pytest.mark.parametrize("abbreviation, other", [
    ("Tijdschr Soc Geneeskd", "Tijdschrift voor sociale geschiedenis"),
    ("Tijdschr Diergeneeskd", "Tijdschrift voor geneeskunde"),
    ("Ned Tijdschr Geneeskd", "Nederlands tijdschrift voor tandheelkunde"),
    ("Ned Tijdschr Geneeskd", "Nederlands militair geneeskundig tijdschrift"),
    ("Z Geburtshilfe Neonatol", "Zeitschrift fur Geburtshilfe und Perinatologie"),
    ("Z Gerontol", "Zeitschrift fur Gerontologie und Geriatrie"),
    ("Rev Epidemiol Sante Publique", "Revue d'epidemiologie, medecine sociale et sante publique"),
    ("Lakartidningen", "Tandlakartidningen"),
    ("Nor Teol Tidsskr", "Norsk geografisk tidsskrift"),
    ("Knee", "Die Krankenschwester"),             # one-word titles are never abbreviated (ISO 4)
    ("Nature", "Die Naturwissenschaften"),
    ("Endocrine", "Endocrinologie"),
    ("Physical Review E", "Physical Review"),
    ("Acta Crystallogr Sect E Struct Rep Online", "Acta crystallographica. Section D, Biological crystallography"),
])
def test_non_english_near_misses_do_not_match(abbreviation: str, other: str) -> None:
    similarity = max(journal_similarity(x, y) for x in journal_variants(abbreviation) for y in journal_variants(other))
    assert similarity < 1.0


@settings(deadline=None)
@given(text)
def test_journal_tokens_ignore_case(value: str) -> None:
    assert journal_tokens(value.upper()) == journal_tokens(value.lower()) or value.upper().lower() != value.lower()


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=8, max_size=14), st.data())
def test_iso4_contractions_of_a_word_match_it(word: str, data: st.DataObject) -> None:
    # Keep the first letter and an ordered subset of the rest, 4 to 6 letters: "dtsch"; a
    # 4-letter contraction keeps the last letter too: "natl".
    keep = sorted(data.draw(st.lists(st.integers(1, len(word) - 1), min_size=3,
                                     max_size=min(5, (3 * len(word)) // 4 - 1), unique=True)))
    if len(keep) == 3:
        keep[-1] = len(word) - 1
    short = word[0] + "".join(word[i] for i in keep)
    assert journal_similarity((short, "med"), (word, "medicine")) == 1.0


@pytest.mark.parametrize("short, word", [("natl", "nationale"), ("knee", "krankenschwester"),
                                         ("pain", "praticiens"), ("chil", "chirurgicala")])
def test_four_letter_contractions_end_with_the_word(short: str, word: str) -> None:
    # "Natl" ← "Nationale" (ISO 4); "Br J Nurs" must not become "British journal of neurosurgery".
    matches = journal_similarity((short, "med"), (word, "medicine")) == 1.0
    assert matches == (short == "natl")
    assert journal_similarity(journal_tokens("Br J Nurs"), journal_tokens("British journal of neurosurgery")) < 1.0


def test_a_cut_list_in_any_spelling_is_not_the_richer_record() -> None:
    """An old record's "Jones K et. al." (stored before the import dropped it) is a cut list, as the
    scorer reads it, so the canonical choice does not take it for a full one."""
    from review.dedup.cluster import authors_cut
    from review.records import Record

    assert authors_cut(Record(title="t", authors=["Smith J", "Jones K et. al."]))
    assert authors_cut(Record(title="t", authors=["Smith J", "et alii"]))
    assert not authors_cut(Record(title="t", authors=["Smith J", "Alvarez K", "Brothers A"]))
