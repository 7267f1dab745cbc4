"""Scoring that degrades gracefully (issue 16): a malformed field counts as missing, not as
disagreement, and one disagreeing locator costs less when everything else agrees strongly."""

from __future__ import annotations

from review.dedup.engine import deduplicate
from review.dedup.name_pairs import second_reading
from review.dedup.names import first_initial, initial_beside
from review.dedup.normalise import normalise_volume, parse_pages
from review.sources.fields import split_authors
from review.dedup.prepare import main_title, prepare
from review.dedup.rules import Thresholds

from .helpers import record, verdict

#: No DOI and no abstract: the shape of the SRA records, where locators carry the decision.
BARE = dict(doi="", abstract="")


def test_garbled_page_field_is_irregular_and_counts_as_missing() -> None:
    assert parse_pages("pt-71").irregular and parse_pages("2.05031E+15").irregular
    for regular in ("965-971", "e1234", "S354-S355", "1234-45", "21-Apr", "25-9; discussion 39-40", "2S37-2S42"):
        assert not parse_pages(regular).irregular, regular
    assert verdict(record(**BARE), record(pages="pt-26", **BARE)) == "duplicate"


def test_equal_irregular_pages_still_agree() -> None:
    a, b = record(pages="A175.E1638", **BARE), record(pages="A175.E1638", **BARE)
    result = deduplicate([a, b])
    assert result.pairs[0].fields["pages"] == 1  # EQUAL


def test_single_page_inside_the_range_is_not_a_disagreement() -> None:
    assert verdict(record(**BARE), record(pages="26", **BARE)) == "duplicate"
    assert verdict(record(**BARE), record(pages="19", **BARE)) == "duplicate"
    # A single page outside the range is another locator.
    result = deduplicate([record(**BARE), record(pages="27", **BARE)])
    assert result.pairs == [] or result.pairs[0].fields["pages"] == 2


def test_volume_without_a_number_counts_as_missing() -> None:
    assert normalise_volume("(Jul)") == "" and normalise_volume("Suppl") == ""
    assert normalise_volume("Vol. 12") == "12"
    assert verdict(record(**BARE), record(volume="(Jul)", **BARE)) == "duplicate"


def test_names_written_the_other_way_round_still_match() -> None:
    a = record(authors=["Wu, C. Y.", "Lin, K. C.", "Chen, H. C.", "Hsieh, Y. W."], **BARE)
    b = record(authors=["Ching-yi, Wu", "Keh-chung, Lin", "Hsieh-ching, Chen", "Yu-wei, Hsieh"], **BARE)
    assert prepare([b]).authors_swapped == [["wu", "lin", "chen", "hsieh"]]  # the second reading scoring uses
    assert verdict(a, b) == "duplicate"
    # Initials before the comma cannot be a last name: read the other part.
    c = record(authors=["Y., Tashiro", "K., Sato", "T., Watanabe", "K., Nohtomi"], **BARE)
    assert verdict(record(**BARE), c) == "duplicate"


def test_swapped_reading_does_not_rescue_other_authors() -> None:
    a = record(authors=["Wu, C. Y.", "Lin, K. C."], pages="", volume="", **BARE)
    b = record(authors=["Mei, Chang", "Hua, Li"], pages="", volume="", **BARE)
    assert verdict(a, b) != "duplicate"


def test_subtitle_in_one_record_matches_even_for_a_short_main_title() -> None:
    assert main_title("Phase I trial of FK973: Description of a delayed vascular leak syndrome") == \
        "phaseitrialoffk973"
    assert main_title("Editorial: a new year") == ""  # generic main titles stand for nothing
    assert main_title("Short: title") == ""
    a = record(title="Phase I trial of FK973", **BARE)
    b = record(title="Phase I trial of FK973: Description of a delayed vascular leak syndrome", **BARE)
    assert verdict(a, b) == "duplicate"
    # Two different subtitles under one main title are not a prefix match.
    c = record(title="Phase I trial of FK973: Pharmacokinetics in twelve patients", **BARE)
    assert verdict(b, c) != "duplicate"


def test_one_disagreeing_locator_costs_less_when_all_else_agrees() -> None:
    # Different volume, same pages, same title/authors/year/journal: an export's wrong volume.
    assert verdict(record(**BARE), record(volume="5", **BARE)) == "duplicate"
    # Different pages: a series by one team is possible, so a human decides, but it is no
    # longer dismissed as distinct.
    assert verdict(record(**BARE), record(pages="1401-1405", **BARE)) == "borderline"
    # Both locators different: no relief.
    assert verdict(record(**BARE), record(volume="5", pages="1401-1405", **BARE)) == "distinct"
    # Not for one shared author, nor for supplements (abstracts on neighbouring pages).
    single = dict(authors=["Tashiro, Y."], **BARE)
    assert verdict(record(**single), record(volume="5", **single)) != "duplicate"
    supplement = dict(issue="Suppl 1", **BARE)
    [pair] = deduplicate([record(**supplement), record(pages="1401-1405", **supplement)]).pairs
    assert "pages -3" in pair.explanation
    [pair] = deduplicate([record(**BARE), record(pages="1401-1405", **BARE)]).pairs
    assert "pages -2" in pair.explanation


def test_thresholds_move_the_cut_between_merge_and_review() -> None:
    pair = [record(**BARE), record(pages="1401-1405", **BARE)]
    strict = deduplicate(pair, thresholds=Thresholds(duplicate=20.0, borderline=19.0))
    loose = deduplicate(pair, thresholds=Thresholds(duplicate=5.0, borderline=3.0))
    assert strict.pairs == [] and [p.status for p in loose.pairs] == ["duplicate"]


def test_full_names_written_surname_first_match_initials() -> None:
    """A CSV cell of full names surname first ("Tashiro Yuichi, Sato Kenji, …", as CNKI and Embase write
    them) is the same author list as "Tashiro, Y.; Sato, K."; "John Smith" order still matches too."""
    surname_first = split_authors("Tashiro Yuichi, Sato Kenji, Watanabe Takuya, Nohtomi Kyoko")
    assert len(surname_first) == 4
    assert prepare([record(authors=surname_first, **BARE)]).authors_swapped == [["tashiro", "sato", "watanabe", "nohtomi"]]
    assert verdict(record(**BARE), record(authors=surname_first, **BARE)) == "duplicate"
    given_first = split_authors("Yuichi Tashiro, Kenji Sato, Takuya Watanabe, Kyoko Nohtomi")
    assert verdict(record(**BARE), record(authors=given_first, **BARE)) == "duplicate"
    assert [second_reading(name)[0] for name in ("de Vries Anna", "Smith JA", "John A. Smith")] == ["devries", "", ""]


def test_surname_first_reading_does_not_rescue_other_authors() -> None:
    a = record(authors=["Tashiro, Y.", "Sato, K."], pages="", volume="", **BARE)
    b = record(authors=split_authors("Mei Chang, Hua Li, Wu Lin"), pages="", volume="", **BARE)
    assert verdict(a, b) != "duplicate"


def test_surname_first_reading_needs_the_given_names_initial() -> None:
    """The reviewer's counter-examples: full names whose first words are the other list's surnames
    but whose given names start otherwise are other people (a wrong merge silently drops a study)."""
    locators = dict(pages="19", doi="", abstract="")
    pairs = [
        (["Grant Morgan", "Scott Howard"], ["Grant J", "Scott L"]),
        (["Wei Zhang", "Jun Li"], ["Li Wei", "Wang Jun"]),
        (["Thomas Lee"], ["Thomas, K."]),
    ]
    for full, other in pairs:
        a, b = record(authors=full, volume="54", **locators), record(authors=other, volume="55", **locators)
        result = deduplicate([a, b])
        assert all(p.fields["authors"] < 75 for p in result.pairs), (full, other)
        assert verdict(a, b) != "duplicate", (full, other)
    # One author, everything else equal: a human's call, as in version 10, not an automatic merge.
    lee, thomas = record(authors=["Thomas Lee"], **locators), record(authors=["Thomas, K."], **locators)
    assert verdict(lee, thomas) == "borderline"
    assert second_reading("Grant Morgan") == ("grant", "m") and first_initial("Grant J") == "j"
    # The initial beside the re-read surname, even where the first reading took "Mj" for a surname.
    assert initial_beside("Grant J", "grant") == "j" and initial_beside("Ferrari Mj", "ferrari") == "m"
    # The same first words with agreeing initials are still one author list.
    same = (["Grant Morgan", "Scott Howard"], ["Grant M", "Scott H"])
    [pair] = deduplicate([record(authors=same[0], **locators), record(authors=same[1], **locators)]).pairs
    assert pair.fields["authors"] == 100
    [pair] = deduplicate([record(authors=["Tashiro Yuichi"], **locators),
                          record(authors=["Tashiro, Y."], **locators)]).pairs
    assert pair.fields["authors"] == 100
