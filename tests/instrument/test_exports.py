"""FHIR, REDCap and printable exports of the item bank."""

from __future__ import annotations

import csv
import io
import json
import random
import re

import pytest

from review import __version__
from review.errors import ValidationError
from review.instrument import fhir, redcap, render
from review.instrument.english_runs import english_run
from review.instrument.scoring import score
from review.tool_version import tool_version

from .programme_bank import programme_bank_with_sources


def _items(resource):
    for item in resource.get("item", []):
        yield item
        yield from _items(item)


def test_questionnaire_validates_and_carries_translations_weights_enablewhen(bank):
    q = fhir.questionnaire(bank)
    from fhir.resources.R4B.questionnaire import Questionnaire
    Questionnaire.model_validate(q)  # validated again: the export is not just a dict
    by_id = {i["linkId"]: i for i in _items(q)}
    assert [g["linkId"] for g in q["item"]] == ["domain-social", "domain-work", "domain-health", fhir.WEIGHTS_GROUP]
    signal = by_id["company"]["answerOption"]
    assert [o["extension"][0]["valueDecimal"] for o in signal[:2]] == [0.0, 0.0]  # not weighed
    assert by_id["company"]["code"][0]["code"] == "company_size"
    conflict = by_id["conflict"]
    assert conflict["text"] == "Is er een conflict met de leidinggevende?"
    translation = conflict["_text"]["extension"][0]
    assert translation["url"] == fhir.TRANSLATION
    assert {"url": "content", "valueString": "Is there a conflict with the supervisor?"} in translation["extension"]
    # The weight goes in R4's own ordinalValue (what R4 tools and SDC's ordinal() read) and, with the
    # same value, in itemWeight, its R5-era name; R4 tools do not know itemWeight.
    for url in (fhir.ORDINAL_VALUE, fhir.ITEM_WEIGHT):
        weights = {o["valueCoding"]["code"]: {e["url"]: e["valueDecimal"] for e in o.get("extension", [])}.get(url)
                   for o in conflict["answerOption"]}
        assert weights == {"no": 0.0, "some": 1.0, "yes": 2.0, "unknown": None}
    assert fhir.ORDINAL_VALUE == "http://hl7.org/fhir/StructureDefinition/ordinalValue"
    assert conflict["enableWhen"] == [{"question": "has_supervisor", "operator": "=",
                                       "answerCoding": {"system": fhir.ANSWER_SYSTEM, "code": "yes"}}]
    assert conflict["code"][0]["code"] == "supervisor_conflict"
    assert len({i["linkId"] for i in _items(q)}) == len(list(_items(q)))  # linkIds unique


def test_questionnaire_names_the_review_that_wrote_it_in_a_tag_not_in_its_version(bank):
    # Decision 0080: Questionnaire.version is the instrument's own (the item bank's); the software goes in meta.tag.
    q = fhir.questionnaire(bank)
    made_by = tool_version()
    assert {"system": fhir.TOOL_SYSTEM, "code": made_by.local_version, "display": made_by.text} in q["meta"]["tag"]
    assert made_by.local_version.startswith(__version__) and q["version"] == bank.version
    assert q["meta"]["tag"][0] == {"system": "urn:review:evidence-sha256", "code": bank.evidence.sha256}


def test_questionnaire_names_its_factors_in_dutch_with_the_english_as_translation(bank):
    # The Questionnaire (language nl) named each question's factor in English ('Conflict with supervisor') among
    # Dutch texts and answer displays, each of those with its English as a translation extension.
    q = fhir.questionnaire(bank)
    from fhir.resources.R4B.questionnaire import Questionnaire
    Questionnaire.model_validate(q)
    codes = [c for i in _items(q) for c in i.get("code", [])]
    labels = {i.factor_id: (i.label_nl, i.label_en) for i in bank.items}
    assert codes and all(c["display"] == labels[c["code"]][0] for c in codes), codes
    assert all({"url": "content", "valueString": labels[c["code"]][1]} in c["_display"]["extension"][0]["extension"]
               for c in codes)


def test_questionnaire_says_a_medical_question_needs_consent(bank):
    bank.question("prev_absence").medical = True
    by_id = {i["linkId"]: i for i in _items(fhir.questionnaire(bank))}
    # The FHIR export was the one output without the consent note every other output carries.
    (consent,) = [c for c in by_id["prev_absence"]["item"] if c["linkId"] == "prev_absence-consent"]
    assert consent["type"] == "display" and consent["text"].startswith("Medische informatie: niet verplicht.")
    assert "only if the client consents" in consent["_text"]["extension"][0]["extension"][1]["valueString"]
    assert by_id["prev_absence"]["required"] is False
    assert "item" not in by_id["company"]  # no help, not medical: no display child


@pytest.mark.parametrize("change, message", [
    (lambda q: q.update(status="not-a-status"), "status 'not-a-status'"),
    (lambda q: q["item"][0]["item"][0].pop("linkId"), "linkId"),
    (lambda q: q["item"][0]["item"][1].update(linkId="has_supervisor"), "not unique"),
    (lambda q: q["item"][0]["item"][1].update(type="bogus"), "type 'bogus'"),
    (lambda q: q["item"][0]["item"][1]["enableWhen"][0].update(question="nope"), "unknown item 'nope'"),
    (lambda q: q["item"][0]["item"][1]["enableWhen"][0].update(operator="=="), "operator '=='"),
    (lambda q: q["item"][0]["item"][1]["enableWhen"][0]["answerCoding"].update(code="ja"),
     "has_supervisor offers no answer 'ja'"),
    (lambda q: q["item"][0]["item"][1]["enableWhen"][0].update(operator="exists"), "que-7"),
    (lambda q: q["item"][0]["item"][1]["enableWhen"].__setitem__(
        0, {"question": "has_supervisor", "operator": "=", "answerString": "yes"}), "so answerCoding"),
    (lambda q: q["item"][0]["item"][1]["enableWhen"].append(dict(q["item"][0]["item"][1]["enableWhen"][0])),
     "que-12"),
    (lambda q: q["item"][0]["item"][1]["answerOption"][0]["extension"][0].update(valueDecimal="x"),
     "valueDecimal"),
])
def test_invalid_questionnaire_is_rejected(bank, change, message):
    q = fhir.questionnaire(bank)
    change(q)
    with pytest.raises(ValidationError, match=f"FHIR Questionnaire invalid.*{message}"):
        fhir.validate_questionnaire(q)


def test_fhir_json_has_no_empty_arrays(bank):
    # An empty array is invalid FHIR JSON (the HL7 validator and strict servers refuse it).
    empty = fhir.response(bank, {})
    assert "item" not in empty and empty["status"] == "completed"
    q = fhir.questionnaire(bank)
    q["item"][0]["item"][1]["code"] = []
    with pytest.raises(ValidationError, match=r"item\[0\]\.item\[1\]\.code is an empty array"):
        fhir.validate_questionnaire(q)
    # Read leniently: another tool's response with "item": [] is scored, as no answers.
    answers, _notes = fhir.read_response(json.dumps({"resourceType": "QuestionnaireResponse",
                                                     "status": "completed", "item": []}), bank)
    assert answers == {}


def test_response_round_trip_gives_the_same_profile(bank, config):
    answers = {"prev_absence": "yes", "has_supervisor": "yes", "conflict": "some", "support": "unknown"}
    resource = fhir.response(bank, answers, authored="2026-11-26T10:00:00+01:00")
    read, notes = fhir.read_response(json.dumps(resource), bank)
    assert read == answers and notes == []
    assert score(bank, read, config) == score(bank, answers, config)


def test_response_from_other_tools_booleans_and_version_notes(bank):
    resource = {"resourceType": "QuestionnaireResponse", "status": "in-progress",
                "questionnaire": "urn:review:instrument|2020-01-01+abc",
                "item": [{"linkId": "prev_absence", "answer": [{"valueBoolean": True}]}]}
    answers, notes = fhir.read_response(json.dumps(resource), bank, "r.json")
    assert answers == {"prev_absence": "yes"}
    assert any("version 2020-01-01+abc" in n.en for n in notes) and any("in-progress" in n.en for n in notes)
    assert any("versie 2020-01-01+abc" in n.nl for n in notes)
    with pytest.raises(ValidationError, match="r.json: resourceType is not QuestionnaireResponse"):
        fhir.read_response('{"resourceType": "Patient"}', bank, "r.json")
    with pytest.raises(ValidationError, match="r.json: not JSON"):
        fhir.read_response("{", bank, "r.json")


def test_redcap_dictionary_has_the_18_columns_and_branching(bank):
    text = redcap.data_dictionary(bank)
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == list(redcap.REDCAP_COLUMNS) and len(rows[0]) == 18
    assert rows[0][0] == "Variable / Field Name" and rows[0][-1] == "Field Annotation"
    table = list(csv.DictReader(io.StringIO(text)))
    assert table[0]["Variable / Field Name"] == "record_id" and table[0]["Field Type"] == "text"
    assert {r["Form Name"] for r in table} == {"recurrence_profile"}
    conflict = next(r for r in table if r["Variable / Field Name"] == "conflict")
    assert conflict["Field Type"] == "radio"
    assert conflict["Choices, Calculations, OR Slider Labels"] == (
        "no, Nee | some, Spanningen | yes, Ja | unknown, Weet niet / niet besproken")
    assert conflict["Branching Logic (Show field only if...)"] == "[has_supervisor] = 'yes'"
    assert conflict["Field Note"] == ""  # no help text
    assert conflict["Field Annotation"].endswith("EN: Is there a conflict with the supervisor?")
    assert table[1]["Section Header"] == "Sociaal"
    company = next(r for r in table if r["Variable / Field Name"] == "company")
    assert company["Field Annotation"].startswith("signal (not weighed): company_size; weights:")
    risk = next(r for r in table if r["Variable / Field Name"] == "risk_weight_sum")
    assert risk["Field Type"] == "calc"
    assert risk["Choices, Calculations, OR Slider Labels"] == (
        "if(([conflict]='yes' and [has_supervisor]='yes'),2,if(([conflict]='some' and [has_supervisor]='yes'),1,0))"
        " + if(([prev_absence]='yes'),3,0)")


def _shows(logic: str, record: dict[str, str]) -> bool:
    """REDCap's branching logic of the kind we write (``[q] = 'code'``, ``or``, brackets) on one record."""
    python = re.sub(r"\[(\w+)\] = '(\w+)'", r"(R.get('\1') == '\2')", logic)
    return not logic or bool(eval(python, {"R": record}))  # noqa: S307 (our own test input)


def _section_headers_follow_their_questions(bank, seed: int) -> int:
    """On random records, each domain's section header shows (REDCap shows it with the field it sits on) exactly
    when a question of the domain may show; returns how many records hid a domain's first question."""
    from review.instrument.evidence import DOMAINS
    from review.instrument.itembank import DOMAIN_LABELS

    table = list(csv.DictReader(io.StringIO(redcap.data_dictionary(bank))))
    names = {redcap.field_name(q.link_id): q for q in bank.questions}
    labels = {DOMAIN_LABELS[d][0]: d for d in DOMAINS}
    rng = random.Random(seed)
    first_hidden = 0
    for _ in range(300):
        record = {redcap.field_name(q.link_id): rng.choice([o.code for o in q.options])
                  for q in bank.questions if rng.random() < 0.8}
        section = None
        shown: dict[str, tuple[bool, list[bool]]] = {}
        for row in table:
            if row["Section Header"]:
                section = labels[row["Section Header"]]
                shown[section] = (_shows(row[redcap.BRANCHING], record), [])
            if row["Variable / Field Name"] in names:
                assert names[row["Variable / Field Name"]].domain == section
                shown[section][1].append(_shows(row[redcap.BRANCHING], record))
        for header, questions in shown.values():
            assert header == any(questions), (record, shown)
            first_hidden += not questions[0]
    return first_hidden


def test_redcap_section_headers_show_while_any_question_of_their_domain_may():
    """A header sits on a field and hides with it: the programme's Sociaal and Werk headers sat on has_supervisor
    and company_size, shown only for an employee, so a self-employed client's social and work questions showed
    under Persoonlijk (walk25)."""
    bank, _ = programme_bank_with_sources()
    assert _section_headers_follow_their_questions(bank, 20261207) > 100
    table = {r["Variable / Field Name"]: r for r in csv.DictReader(io.StringIO(redcap.data_dictionary(bank)))}
    social = table["section_social"]
    assert (social["Field Type"], social["Section Header"], social[redcap.BRANCHING]) == ("descriptive", "Sociaal", "")
    assert table["household_income"]["Section Header"] == "Persoonlijk"  # an ungated first question keeps it
    assert "section_personal" not in table and table["has_supervisor"]["Section Header"] == ""


def test_redcap_section_header_of_a_domain_whose_questions_all_have_branching_logic(bank):
    from dataclasses import replace

    # social: has_supervisor now asked after an earlier absence, conflict and support after a supervisor
    gated = [replace(q, enable_when=("prev_absence", "yes")) if q.link_id in ("has_supervisor", "company") else q
             for q in bank.questions]
    bank = replace(bank, questions=gated)
    assert _section_headers_follow_their_questions(bank, 7) > 50
    table = {r["Variable / Field Name"]: r for r in csv.DictReader(io.StringIO(redcap.data_dictionary(bank)))}
    assert table["section_social"][redcap.BRANCHING] == "([prev_absence] = 'yes') or ([has_supervisor] = 'yes')"
    assert table["section_work"][redcap.BRANCHING] == "([prev_absence] = 'yes')"
    named = replace(bank, questions=[replace(q, link_id="section_social") if q.link_id == "support" else q
                                     for q in bank.questions])
    with pytest.raises(ValidationError, match="question 'section_social' gives variable name 'section_social', which "
                                              "the dictionary uses for the section header of domain 'social'"):
        redcap.data_dictionary(named)


def test_redcap_cells_we_write_never_carry_the_spreadsheet_guard(bank):
    # The sums' annotation was '@READONLY': the guard against spreadsheet formulas turned it into
    # "'@READONLY", which REDCap shows as text. A calc field is read-only in REDCap anyway.
    table = list(csv.DictReader(io.StringIO(redcap.data_dictionary(bank))))
    assert not [(r["Variable / Field Name"], k) for r in table for k, v in r.items() if v.startswith("'")]
    risk = next(r for r in table if r["Variable / Field Name"] == "risk_weight_sum")
    assert risk["Field Annotation"] == "EN: Sum of the risk weights"


def _redcap_calc(expression: str, answers: dict[str, str]) -> float:
    """Evaluate a REDCap calc of the kind we write (if, and, or, ='code', +) on one record."""
    python = re.sub(r"\[(\w+)\]", r"A.get('\1', '')", expression).replace("')='", "')=='").replace("if(", "_if(")
    return float(eval(python, {"A": answers, "_if": lambda c, a, b: a if c else b}))  # noqa: S307 (our own test input)


def test_redcap_sums_equal_the_profile_weights(bank, config):
    # The sums added each answer option's weight: a factor counted once per question, and an answer
    # to a question switched off by its gate still counted, unlike the profile.
    rng = random.Random(20261205)
    table = {r["Variable / Field Name"]: r["Choices, Calculations, OR Slider Labels"]
             for r in csv.DictReader(io.StringIO(redcap.data_dictionary(bank)))}
    checked = 0
    for _ in range(300):
        answers = {q.link_id: rng.choice([o.code for o in q.options]) for q in bank.questions if rng.random() < 0.85}
        profile = score(bank, answers, config)
        assert _redcap_calc(table["risk_weight_sum"], answers) == pytest.approx(profile.risk_weight)
        assert _redcap_calc(table["protective_weight_sum"], answers) == pytest.approx(profile.protective_weight)
        checked += profile.risk_weight > 0
    assert checked > 50
    # the old per-option sum differed here: the gate says no supervisor, the conflict answer is left over
    assert _redcap_calc(table["risk_weight_sum"], {"has_supervisor": "no", "conflict": "yes"}) == 0


def test_redcap_keeps_help_texts_and_drops_sums_when_nothing_is_weighed(bank):
    from dataclasses import replace

    bank.questions[0].help_nl, bank.questions[0].medical = "Vraag dit na bij de cliënt.", True
    table = list(csv.DictReader(io.StringIO(redcap.data_dictionary(bank))))
    first = table[1]
    assert first["Field Note"].startswith("Vraag dit na bij de cliënt. Medische informatie: niet verplicht.")
    unweighted = replace(bank, items=[replace(i, scored=False) for i in bank.items],
                         questions=[replace(q, options=[replace(o, weight=0.0 if o.weight is not None else None)
                                                        for o in q.options]) for q in bank.questions])
    names = [r["Variable / Field Name"] for r in csv.DictReader(io.StringIO(redcap.data_dictionary(unweighted)))]
    assert "risk_weight_sum" not in names and "protective_weight_sum" not in names


def test_redcap_field_names_are_valid():
    assert redcap.field_name("Prev-Absence 2") == "prev_absence_2"
    assert redcap.field_name("2nd") == "q_2nd"
    assert redcap.field_name("a" * 26) == "a" * 26
    # REDCap advises 26 characters at most; cutting a name short could merge two questions.
    with pytest.raises(ValidationError, match="of 27 characters .REDCap advises at most 26 for statistics exports.; "
                                              "shorten its id"):
        redcap.field_name("first_episode_severity_rate")


def test_redcap_refuses_names_it_reserves_and_labels_that_split_choices(bank):
    from dataclasses import replace

    clash = replace(bank, questions=[replace(bank.questions[0], link_id="record_id")] + bank.questions[1:])
    with pytest.raises(ValidationError, match="'record_id', as does a name REDCap or this dictionary uses"):
        redcap.data_dictionary(clash)
    q = bank.questions[0]
    piped = replace(q, options=[replace(q.options[0], text_nl="Ja | soms")] + q.options[1:])
    with pytest.raises(ValidationError, match="may not contain '|'"):
        redcap.data_dictionary(replace(bank, questions=[piped] + bank.questions[1:]))


def test_summary_lists_each_study_of_a_signal_once(bank):
    signal = bank.signal_items[0]
    signal.studies = ["ervasti2013", "virtanen2011"]
    signal.effects = [{"study": "ervasti2013", "label": "Ervasti 2013", "measure": "HR", "estimate": 1.16},
                      {"study": "ervasti2013", "label": "Ervasti 2013", "measure": "HR", "estimate": 1.14}]
    md = render.bank_summary_markdown(bank, "nl")
    # Two estimates of one study are one study, and the study without an estimate stays listed.
    assert "| Ervasti 2013, virtanen2011 |" in md


def test_negative_bounds_are_joined_by_to_not_a_dash():
    # a mean difference's CI read "-5,00–-2,00"; the en dash stays between positive bounds
    effect = {"label": "Own 2026", "measure": "MD", "estimate": -3.5, "ci_low": -5.0, "ci_high": -2.0}
    assert render.effect_text(render.T("nl"), effect) == "MD -3,50 (-5,00 tot -2,00), Own 2026"
    assert render.effect_text(render.T("en"), effect) == "MD -3.50 (-5.00 to -2.00), Own 2026"
    effect.update(measure="OR", estimate=2.59, ci_low=1.4, ci_high=4.8)
    assert render.effect_text(render.T("nl"), effect) == "OR 2,59 (1,40–4,80), Own 2026"


def test_a_missing_effect_size_says_why_and_never_more():
    t_nl, t_en = render.T("nl"), render.T("en")
    effect = {"label": "Norder 2015", "estimate": None, "status": "not reported in abstract"}
    # Only the abstract was extracted: the number may be in the full text, so never 'not published'.
    assert render.effect_text(t_nl, effect) == "Norder 2015: geen effectmaat in de samenvatting (abstract) van het artikel"
    assert render.effect_text(t_en, effect) == "Norder 2015: no effect size in the article's abstract"
    effect["status"] = "not found in published text"
    assert render.effect_text(t_nl, effect).endswith("geen effectmaat gevonden in de publicatie")
    effect["status"] = "HR 0.95 per unit of the opposite factor, without a CI"
    assert render.effect_text(t_nl, effect).endswith("geen bruikbare effectmaat (zie de extractie)")
    assert render.effect_text(t_en, effect).endswith("no usable effect size (HR 0.95 per unit of the opposite "
                                                     "factor, without a CI)")
    # The study file's Dutch reason is shown on the Dutch pages; the English pages keep the English one.
    effect["status_nl"] = "HR 0,95 per eenheid van de omgekeerde factor, zonder betrouwbaarheidsinterval"
    assert render.effect_text(t_nl, effect) == ("Norder 2015: geen bruikbare effectmaat (HR 0,95 per eenheid van de "
                                                "omgekeerde factor, zonder betrouwbaarheidsinterval)")
    assert render.effect_text(t_en, effect).endswith("no usable effect size (HR 0.95 per unit of the opposite "
                                                     "factor, without a CI)")


def test_a_number_says_what_it_compares_and_for_which_outcome():
    # 'HR 1,29 (1,09–1,52), Mattila-Holappa 2017; HR 1,20 (1,03–1,41), Mattila-Holappa 2017' could not be
    # read: which age groups, and an OR per 10 years looked like one for old vs young.
    t_nl, t_en = render.T("nl"), render.T("en")
    effect = {"label": "Mattila-Holappa 2017", "measure": "HR", "estimate": 1.29, "ci_low": 1.09, "ci_high": 1.52,
              "contrast": "age >50 vs 21-34 years", "contrast_nl": "leeftijd >50 vs 21-34 jaar"}
    assert render.effect_text(t_nl, effect) == "leeftijd >50 vs 21-34 jaar: HR 1,29 (1,09–1,52), Mattila-Holappa 2017"
    assert render.effect_text(t_en, effect) == "age >50 vs 21-34 years: HR 1.29 (1.09–1.52), Mattila-Holappa 2017"
    # Without a Dutch wording the contrast is shown as extracted (marked English), never left out.
    del effect["contrast_nl"]
    assert render.effect_text(t_nl, effect).startswith(english_run("age >50 vs 21-34 years") + ": HR 1,29")
    # Another outcome is named as extracted; a favourable one without a name is the absence of recurrence.
    indirect = {"label": "Lammerts 2016", "measure": "OR", "estimate": 0.67, "ci_low": 0.47, "ci_high": 0.95,
                "favourable": True, "outcome": "sustainable return to work",
                "outcome_nl": "duurzame werkhervatting"}
    assert render.effect_text(t_nl, indirect) == ("OR 0,67 (0,47–0,95) voor een gunstige andere uitkomst "
                                                  "(duurzame werkhervatting), Lammerts 2016")
    assert render.effect_text(t_en, indirect) == ("OR 0.67 (0.47–0.95) for a favourable other outcome "
                                                  "(sustainable return to work), Lammerts 2016")
    ci = {"ci_low": 0.25, "ci_high": 4.0}
    complement = {"label": "X 2020", "measure": "OR", "estimate": 0.5, "favourable": True, **ci}
    assert render.effect_text(t_nl, complement) == "OR 0,50 (0,25–4,00) voor het uitblijven van terugval, X 2020"
    assert render.effect_text(t_en, complement) == "OR 0.50 (0.25–4.00) for no recurrence, X 2020"
    other = {"label": "Y 2021", "measure": "OR", "estimate": 1.5, "outcome": "all-cause sick leave", **ci}
    assert render.effect_text(t_en, other) == "OR 1.50 (0.25–4.00) for another outcome (all-cause sick leave), Y 2021"
    # A subgroup without a Dutch name is shown as extracted: dropping it made a subgroup's number
    # read as the whole sample's.
    sub = {"label": "Z 2019", "measure": "OR", "estimate": 2.0, "subgroup": "workers over 60", **ci}
    assert render.effect_text(t_nl, sub) == f"OR 2,00 (0,25–4,00), Z 2019 ({english_run('workers over 60')})"
    sub["subgroup_nl"] = "werkenden ouder dan 60"
    assert render.effect_text(t_nl, sub) == "OR 2,00 (0,25–4,00), Z 2019 (werkenden ouder dan 60)"


def test_a_number_without_its_interval_says_so():
    # Reis's 'HR 21,44' stood bare: the reader could not tell a missing CI from one left out.
    t_nl, t_en = render.T("nl"), render.T("en")
    effect = {"label": "Reis", "measure": "HR", "estimate": 21.44, "status": "CI not reported in abstract"}
    assert render.effect_text(t_nl, effect) == ("HR 21,44 (geen betrouwbaarheidsinterval in de samenvatting "
                                                "(abstract) van het artikel), Reis")
    assert render.effect_text(t_en, effect) == "HR 21.44 (no confidence interval in the article's abstract), Reis"
    effect["status"] = ""
    assert render.effect_text(t_en, effect) == "HR 21.44 (no confidence interval in the extraction), Reis"


def test_an_interval_that_is_not_95_percent_says_its_level():
    t_nl, t_en = render.T("nl"), render.T("en")
    effect = {"label": "X 2020", "measure": "OR", "estimate": 1.5, "ci_low": 1.05, "ci_high": 2.14, "ci_level": 0.9}
    assert render.effect_text(t_nl, effect) == "OR 1,50 (90 %-betrouwbaarheidsinterval 1,05–2,14), X 2020"
    assert render.effect_text(t_en, effect) == "OR 1.50 (90 % CI 1.05–2.14), X 2020"
    effect["ci_level"] = 0.975  # the language's decimal sign in the level too ('97.5 %' in Dutch before)
    assert render.effect_text(t_nl, effect) == "OR 1,50 (97,5 %-betrouwbaarheidsinterval 1,05–2,14), X 2020"
    assert render.effect_text(t_en, effect) == "OR 1.50 (97.5 % CI 1.05–2.14), X 2020"


def test_printable_questionnaire_and_guide(bank):
    md = render.questionnaire_markdown(bank)
    assert "## Sociaal" in md and "- ☐ Spanningen" in md
    assert "Alleen als “Heeft de cliënt een direct leidinggevende?” = Ja" in md
    assert "| Vrouw | matig | geen | geen eenduidige richting in de studies; nog geen vraag" in md
    assert "Bedrijfsgrootte >100: signaal (risicofactor, weegt niet mee)" in md
    english = render.questionnaire_markdown(bank, "en")
    assert "female_sex" in english and "no consistent direction" in english
    page = render.to_html(md, bank.title_nl)
    assert page.startswith("<!DOCTYPE html>") and "<table role=\"table\">" in page and "@media print" in page
    guide = render.guide_markdown(bank)
    social = guide.index("## Sociaal")
    health = guide.index("## Gezondheid")
    assert social < guide.index("Conflict met leidinggevende") < health
    assert "◆" in guide.split("## Gezondheid")[0]  # modifiable social topics are marked
    assert "**Mogelijke vervolgstappen**: Overweeg bemiddeling. (voorstel van het reviewteam" in guide
    # Within a domain, the more certain evidence first: conflict (GRADE low) before support? same
    # GRADE, so strength, then studies; in health the strong factor stands alone.
    work = guide[guide.index("## Werk"):health]
    assert "Bedrijfsgrootte >100" in work and "signaal (weegt niet mee)" in work
    english = render.guide_markdown(bank, "en")
    assert "## Social" in english and "Conversation guide" in english


def test_report_leads_from_an_unconfirmed_signal_repeat_its_caution(bank, config):
    """A lead for advice drawn from a signal marked 'let op: nog niet bevestigd' read as settled advice."""
    answers = {"has_supervisor": "yes", "conflict": "some", "support": "no"}
    for item in bank.items:
        item.caution = {"supervisor_conflict": "unreplicated", "supervisor_support": "counter_intuitive"}.get(
            item.factor_id, "")
    profile = score(bank, answers, config)
    md = render.report_markdown(bank, profile, answers)
    # 'verband': right after 'deels aanwezig;', a bare 'nog niet bevestigd' read as the conflict itself unconfirmed
    assert ("- **Conflict met leidinggevende** (deels aanwezig; let op: verband nog niet bevestigd): Overweeg "
            "bemiddeling. (voorstel van het reviewteam)") in md
    assert ("- **Steun van leidinggevende** (beschermende factor ontbreekt; let op: één studie, en de richting is "
            "tegen de verwachting in)") in md
    english = render.report_markdown(bank, profile, answers, lang="en")
    assert ("- **Conflict with supervisor** (partly present; caution: association not yet replicated): Consider "
            "mediation.") in english
    for item in bank.items:
        item.caution = ""
    md = render.report_markdown(bank, score(bank, answers, config), answers)
    assert "- **Conflict met leidinggevende** (deels aanwezig): Overweeg bemiddeling." in md


def test_report_lists_profile_leads_and_missing(bank, config):
    answers = {"prev_absence": "yes", "has_supervisor": "yes", "conflict": "yes", "company": "small"}
    profile = score(bank, answers, config)
    md = render.report_markdown(bank, profile, answers, client_ref="dossier 12")
    assert "Cliënt: dossier 12" in md
    risks, protective = md.index("## Risicofactoren"), md.index("## Beschermende factoren")
    assert risks < md.index("| Conflict met leidinggevende ◆ | ja | Sociaal |") < protective
    assert "OR 2,21 (1,21–4,04)" in md and "zekerheid (GRADE): laag" in md
    assert "## Aanknopingspunten voor advies" in md
    assert "- **Conflict met leidinggevende** (aanwezig): Overweeg bemiddeling. (voorstel van het reviewteam)" in md
    unanswered = md[md.index("## Niet beantwoord"):]
    assert "- Steun van leidinggevende" in unanswered and "Ervaart de cliënt steun" in unanswered
    assert "| Ervaart de cliënt steun van de leidinggevende? | niet beantwoord |" in md
    assert " van " not in md[md.index("## Samenvatting"):risks].split("- Dit is")[0]  # no "k van n"
    html = render.to_html("<script>alert(1)</script>", "t")
    assert "<script>" not in html


def test_markdown_exports_never_carry_raw_html(synthesis_file, questions_file, config) -> None:
    """Text from the evidence or the question templates cannot open a tag in a Markdown viewer."""
    from .conftest import make_bank
    from review.instrument.project import render_export

    hostile = '<script>alert(1)</script><img src=x onerror=alert(2)>'
    questions_file.write_text(questions_file.read_text(encoding="utf-8").replace(
        "Heeft de cliënt zich eerder ziek gemeld?", f"Heeft de cliënt zich eerder ziek gemeld? {hostile}"),
        encoding="utf-8")
    bank = make_bank(synthesis_file, questions_file, config)
    for fmt in ("markdown", "guide"):
        text = render_export(bank, fmt, "nl")
        assert "<script" not in text and "<img" not in text, fmt
    assert "&lt;script>" in render_export(bank, "markdown", "nl")


def test_fhir_calculated_sums_equal_the_profile_weights(bank, config):
    # A FHIR filler summing the answers' itemWeight counted a factor once per question and kept an
    # answer its gate switched off; the SDC calculatedExpression items give the profile's weights,
    # checked here with an independent FHIRPath engine on the responses we write.
    from fhirpathpy import evaluate
    from fhirpathpy.models import models

    resource = fhir.questionnaire(bank)
    group = next(g for g in resource["item"] if g["linkId"] == fhir.WEIGHTS_GROUP)
    expressions = {i["linkId"]: i["extension"][0]["valueExpression"]["expression"] for i in group["item"]}
    assert set(expressions) == {"risk_weight_sum", "protective_weight_sum"}
    assert all(i["readOnly"] and i["type"] == "decimal" for i in group["item"])

    def calc(link_id: str, answers: dict[str, str]) -> float:
        qr = fhir.response(bank, answers)
        return float(sum(evaluate(qr, expressions[link_id], {"resource": qr}, models["r4"])))

    rng = random.Random(20261205)
    checked = 0
    for _ in range(60):
        answers = {q.link_id: rng.choice([o.code for o in q.options]) for q in bank.questions if rng.random() < 0.85}
        profile = score(bank, answers, config)
        assert calc("risk_weight_sum", answers) == pytest.approx(profile.risk_weight)
        assert calc("protective_weight_sum", answers) == pytest.approx(profile.protective_weight)
        checked += profile.risk_weight > 0
    assert checked > 10
    assert calc("risk_weight_sum", {"has_supervisor": "no", "conflict": "yes"}) == 0  # the gate says no
    # A response that carries the filler's sums is read as the answers alone.
    answers = {"has_supervisor": "yes", "conflict": "yes"}
    qr = fhir.response(bank, answers)
    qr["item"].append({"linkId": fhir.WEIGHTS_GROUP, "item": [
        {"linkId": "risk_weight_sum", "answer": [{"valueDecimal": calc("risk_weight_sum", answers)}]}]})
    assert fhir.read_response(json.dumps(qr), bank, "r.json")[0] == answers


def test_fhir_calculated_sums_read_questions_nested_under_an_answer(bank, config):
    # A filler may put a gated question under its gate's answer (answer.item), as read_response
    # reads it; the sums looked only along item.item and gave 0 for it.
    from fhirpathpy import evaluate
    from fhirpathpy.models import models

    group = next(g for g in fhir.questionnaire(bank)["item"] if g["linkId"] == fhir.WEIGHTS_GROUP)
    expression = next(i for i in group["item"] if i["linkId"] == "risk_weight_sum")
    expression = expression["extension"][0]["valueExpression"]["expression"]
    answers = {"has_supervisor": "yes", "conflict": "yes"}
    coding = {"system": fhir.ANSWER_SYSTEM}
    qr = {"resourceType": "QuestionnaireResponse", "status": "completed", "item": [
        {"linkId": "domain-social", "item": [{"linkId": "has_supervisor", "answer": [
            {"valueCoding": {**coding, "code": "yes"},
             "item": [{"linkId": "conflict", "answer": [{"valueCoding": {**coding, "code": "yes"}}]}]}]}]}]}
    assert fhir.read_response(json.dumps(qr), bank, "r.json")[0] == answers
    expected = score(bank, answers, config).risk_weight
    assert expected == 2.0  # the supervisor conflict present: its full weight (tests/instrument/test_scoring.py)
    assert float(sum(evaluate(qr, expression, {"resource": qr}, models["r4"]))) == pytest.approx(expected)
