"""What a labour expert needs beside the profile to read it: the measures and the base rates.

The ratios beside each factor are explained where they are shown (report, form and guide): a reader
saw "HR 1,29 (1,09–1,52)" or "gepoold OR 2,21 (1,21–4,04)", and none of the outputs said what HR or
OR is, which way above 1 points, or what the brackets hold. The published base rates stand in the
browser form as in the report.
"""

from __future__ import annotations

from review.instrument import render
from review.instrument.form import form_html
from review.instrument.scoring import score


def _report(bank, config, answers, lang="nl"):
    return render.report_markdown(bank, score(bank, answers, config), answers, lang=lang)


def test_report_explains_the_measures_of_the_factors_it_shows(bank, config):
    answers = {"has_supervisor": "yes", "conflict": "yes"}  # conflict: pooled OR 2.21
    dutch, english = _report(bank, config, answers), _report(bank, config, answers, "en")
    assert "OR 2,21 (1,21–4,04)" in dutch
    assert "OR = oddsratio. Boven 1: de uitkomst kwam vaker" in dutch
    assert "95 %-betrouwbaarheidsinterval" in dutch
    assert "OR = odds ratio. Above 1: the outcome occurred more often" in english
    assert "HR =" not in dutch  # only what the report shows


def test_report_without_a_number_has_no_legend(bank, config):
    report = _report(bank, config, {"prev_absence": "yes"})  # present, but no effect size
    assert "Eerdere" in report and "oddsratio" not in report and "Boven 1" not in report


def test_form_and_guide_explain_the_measures(bank, config):
    assert "OR = oddsratio. Boven 1" in form_html(bank, config)
    assert 'id="measures">OR = odds ratio. Above 1' in form_html(bank, config, "en")
    guide = render.guide_markdown(bank)
    assert guide.index("OR = oddsratio") < guide.index("OR 2,21")  # read before the first number


def test_form_gives_the_base_rates_the_report_gives(bank):
    # The browser form's profile is what gets printed for the dossier; only the CLI report carried
    # the published recurrence rates (with their sources) as context.
    from pathlib import Path

    from review.instrument.config import load_config

    config = load_config(Path(__file__).resolve().parents[2] / "instrument" / "scoring.toml")
    assert config.base_rates
    report = _report(bank, config, {})
    # Each rate is led by what it is (a group's figure, no probability for this client; "Ter
    # vergelijking" invited comparing the client with it), and the reason the rates differ follows.
    for lang, lead in (("nl", "Achtergrond uit onderzoek (cijfers over groepen, geen kans voor deze cliënt): "),
                       ("en", "Background from research (figures about groups, not a probability for this client): ")):
        page = form_html(bank, config, lang).replace("&#x27;", "'")
        assert "Ter vergelijking" not in page and "For context" not in page
        for rate in config.base_rates:
            text = rate.text_nl if lang == "nl" else rate.text_en
            source = f'<span lang="en">{rate.source}</span>' if lang == "nl" else rate.source  # a citation
            assert f"{lead}{text} ({source})." in page
            if lang == "nl":
                assert f"{lead}{text} ({rate.source})." in report
        note = config.base_rates_note_nl if lang == "nl" else config.base_rates_note_en
        assert "follow-up" in note and note in page
    assert config.base_rates_note_nl in report and "Ter vergelijking" not in report


def test_printable_questionnaire_explains_the_measures_before_its_first_number(bank, config):
    # instrument/questionnaire.md printed HR/OR figures under its questions and no legend.
    for lang, legend in (("nl", "OR = oddsratio. Boven 1"), ("en", "OR = odds ratio. Above 1")):
        text = render.questionnaire_markdown(bank, lang)
        assert legend in text and text.index(legend) < text.index("## ")  # after the header, before question 1
        assert text.index(legend) < text.index("OR 2,21" if lang == "nl" else "OR 2.21")


def test_legend_says_below_1_is_later_too_the_unit_and_how_to_read_an_interval_holding_1(bank):
    from review.instrument.render import T

    dutch, english = render.measures_legend(T("nl"), bank.items), render.measures_legend(T("en"), bank.items)
    assert "onder 1: minder vaak of later;" in dutch and "per eenheid hoger, bijv. per 10 jaar" in dutch
    assert "Ligt 1 binnen het interval, dan is een verschil niet aangetoond." in dutch
    assert "below 1: less often or later;" in english and "per unit higher" in english
    assert "If 1 lies within the interval, a difference has not been shown." in english
    assert "per stap" not in dutch and "per step" not in english


def test_form_says_the_browser_asks_whether_to_leave_and_that_some_do_not(bank, config):
    dutch, english = form_html(bank, config), form_html(bank, config, "en")
    assert "de browser vraagt u eerst of u de pagina wilt verlaten" in dutch and "Safari" in dutch
    assert "the browser asks you first" in english and "Safari" in english
    assert "vraagt dat eerst" not in dutch


def test_report_date_and_response_status_are_in_the_reports_language(bank, config):
    # A Dutch report read 'Datum: 2026-12-07' and 'De vragenlijst is niet afgerond (status ‘in-progress’).'
    import json

    from review.instrument import fhir

    answers = {"has_supervisor": "yes"}
    dutch = render.report_markdown(bank, score(bank, answers, config), answers, date="2026-12-07")
    english = render.report_markdown(bank, score(bank, answers, config), answers, lang="en", date="2026-12-07")
    assert "Datum: 7 december 2026" in dutch and "Date: 7 December 2026" in english
    response = fhir.response(bank, answers, status="in-progress")
    _answers, notes = fhir.read_response(json.dumps(response), bank)
    # 'ingevuld', as the form's bar: the form writes in-progress when a question that applies is left empty, and a
    # response filled in with 'Weet niet' (which the profile counts as unanswered) is completed.
    assert [n.nl for n in notes] == ["De vragenlijst is niet afgerond: niet alle vragen zijn ingevuld "
                                     "(FHIR-status ‘in-progress’)."]
    assert [n.en for n in notes] == ["The questionnaire was not completed: not every question was filled in "
                                     "(FHIR status 'in-progress')."]


def test_form_lists_under_sources_the_studies_its_profile_names_and_no_others():
    # The programme's form listed Norder 2012 (the Delphi, an expert topic only the conversation guide shows)
    # under Bronnen, a study nothing on the page named: a reader looked for the factor it supports.
    import re

    from .programme_bank import programme_bank_with_sources

    bank, config = programme_bank_with_sources()
    for lang in ("nl", "en"):
        page = form_html(bank, config, lang)
        body, sources = page.split('<section id="sources">')
        listed = re.findall(r"<li>([^:<]+):", sources)
        evidence = " ".join(re.findall(r'<span class="evidence">(.*?)</span></li>', body))
        assert listed and all(label in evidence for label in listed), (lang, [s for s in listed if s not in evidence])
        named = {s.label for s in bank.sources if re.search(rf"\b{re.escape(s.label)}\b", evidence)}
        assert named == set(listed), lang


def test_printed_questionnaire_lists_under_sources_the_studies_its_questions_name_and_no_others():
    # The shipped questionnaire listed Norder 2012 (the Delphi, cited only by the conversation guide's expert
    # lines) under Bronnen, as the browser form did until inst29: a reader looked for the factor it supports.
    import re
    from pathlib import Path

    from review.instrument.itembank import read_bank

    bank = read_bank(Path(__file__).resolve().parents[2] / "instrument" / "item_bank.toml")
    assert any(s.label == "Norder 2012" for s in bank.sources)  # the guide's, so the bank holds it
    for lang in ("nl", "en"):
        printed = render.questionnaire_markdown(bank, lang)
        body, sources = printed.split(f"## {'Bronnen' if lang == 'nl' else 'Sources'}\n")
        listed = re.findall(r"^- ([^:\n]+):", sources, flags=re.M)
        assert listed and "Norder 2012" not in listed, lang
        named = {s.label for s in bank.sources if re.search(rf"\b{re.escape(s.label)}\b", body)}
        assert named == set(listed), (lang, named ^ set(listed))
        # and the same list as the browser form's: one rule for both
        assert listed == [s.label for s in render.cited_sources(bank, bank.items)], lang
