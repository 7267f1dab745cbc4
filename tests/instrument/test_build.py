"""Building the item bank from small synthesis tables: items, weights, exclusions, diff."""

from __future__ import annotations

import math
import re
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, strategies as st

from review.errors import ImportFormatError, ValidationError, WorkspaceError
from review.instrument.build import build_item_bank
from review.instrument.diff import diff_banks
from review.instrument.config import InstrumentConfig, load_config
from review.instrument.evidence import EvidenceSnapshot, parse_synthesis_csv, snapshot_of
from review.instrument.itembank import dumps_bank, load_templates, loads_bank
from review.instrument.project import short_citation
from review.instrument.render import T, bank_summary_markdown, evidence_text

from .conftest import HEADER, QUESTIONS, SYNTHESIS, make_bank


def test_included_items_and_level_weights(bank):
    assert [i.factor_id for i in bank.scored_items] == [
        "supervisor_conflict", "supervisor_support", "prev_episodes"]
    weights = {i.factor_id: i.weight for i in bank.scored_items}
    assert weights == {"supervisor_conflict": 2.0, "supervisor_support": 2.0, "prev_episodes": 3.0}
    conflict = bank.item("supervisor_conflict")
    assert conflict.studies == ["arends2014", "x2020"]
    assert conflict.pooled_estimate == 2.21 and "not used" in conflict.weight_basis
    assert bank.item("prev_episodes").modifiable is False


def test_option_sides_and_signed_weights(bank):
    conflict = bank.question("conflict")
    assert [(o.code, o.side, o.weight) for o in conflict.options] == [
        ("no", "neutral", 0.0), ("some", "risk", 1.0), ("yes", "risk", 2.0), ("unknown", "unknown", None)]
    support = bank.question("support")
    assert support.option("yes").side == "protective" and support.option("yes").weight == -2.0


def test_gate_question_precedes_and_is_unscored(bank):
    ids = [q.link_id for q in bank.questions]
    assert ids.index("has_supervisor") < ids.index("conflict")
    gate = bank.question("has_supervisor")
    assert not gate.scored and gate.domain == "social"
    assert bank.question("conflict").enable_when == ("has_supervisor", "yes")


def test_weak_evidence_is_asked_as_an_unweighted_signal(bank, synthesis_file, questions_file):
    (signal,) = bank.signal_items
    assert signal.factor_id == "company_size" and signal.weight == 0.0 and not signal.scored
    assert signal.weight_basis.startswith("signal, not weighed: evidence level 'some' below minimum")
    question = bank.question("company")
    assert question.signals == ["company_size"] and question.factors == []
    assert question.option("large").side == "risk" and question.option("large").weight == 0.0
    assert bank.questions[-1].link_id == "company"  # signals come after the scored items
    strict = make_bank(synthesis_file, questions_file, load_config(None, {"signal_min_level": ""}))
    assert strict.signal_items == []
    reasons = {n.factor_id: n.reason for n in strict.not_included}
    assert reasons["company_size"] == "evidence level 'some' below minimum 'moderate'"


def test_not_included_with_reasons(bank):
    reasons = {n.factor_id: n.reason for n in bank.not_included}
    assert "company_size" not in reasons
    assert reasons["female_sex"].startswith("direction 'none'")
    assert "assessable = false" in reasons["neuroticism"]
    assert reasons["job_demands"] == "no question template in instrument/questions.toml"
    assert bank.missing_templates == ["female_sex", "neuroticism", "job_demands"]
    assert bank.unused_templates == ["orphan"]


def test_min_level_is_configurable(synthesis_file, questions_file):
    config = load_config(None, {"min_level": "some"})
    bank = make_bank(synthesis_file, questions_file, config)
    assert bank.item("company_size").weight == 1.0


def test_pooled_log_asks_a_factor_without_its_own_pooled_ratio_as_an_unweighted_signal(synthesis_file, questions_file):
    config = load_config(None, {"weights": {"weight_rule": "pooled_log"}})
    bank = make_bank(synthesis_file, questions_file, config)
    assert bank.item("supervisor_conflict").weight == round(math.log(2.21), 3)
    assert bank.item("supervisor_support").weight == round(abs(math.log(0.5)), 3)
    # prev_episodes (strong, no pooled estimate) once got supervisor_support's 0.693: another factor's effect size
    prev = bank.item("prev_episodes")
    assert (prev.scored, prev.weight, prev.caution) == (False, 0.0, "unpooled")
    assert prev.weight_basis == ("signal, not weighed: no pooled estimate, and weight_rule = pooled_log weighs only a "
                                 "factor's own pooled ratio (pooled_fallback = signal; evidence level 'strong')")
    assert sorted(i.factor_id for i in bank.scored_items) == ["supervisor_conflict", "supervisor_support"]
    # its answer carries no weight in any export, only the side the evidence gives it
    option = next(q for q in bank.questions if q.link_id == "prev_absence").option("yes")
    assert option is not None and (option.weight, option.side) == (0.0, "risk")
    summary = bank_summary_markdown(bank)
    assert ("Not weighed as they have no pooled ratio estimate of their own (weight_rule pooled_log, decision "
            "0056): prev_episodes") in summary
    assert "0.693" not in summary.split("### Asked as signal")[1]
    assert evidence_text(T("nl"), prev).startswith("weegt niet mee: geen gepoolde effectmaat voor deze factor")


@pytest.mark.parametrize(("fallback", "why"), [("min_pooled", "another factor's effect size"),
                                               ("level", "level points (1-3) on the scale of |ln ratio| weights")])
def test_fallbacks_that_borrow_or_mix_scales_are_refused(fallback, why, tmp_path):
    with pytest.raises(WorkspaceError, match=re.escape(
            f"review.toml:instrument.pooled_fallback: '{fallback}' is no longer offered (it ")) as err:
        load_config(None, {"weight_rule": "pooled_log", "pooled_fallback": fallback})
    assert why in str(err.value) and "decision 0056" in str(err.value)
    scoring = tmp_path / "scoring.toml"
    scoring.write_text(f'[weights]\npooled_fallback = "{fallback}"\n', encoding="utf-8")
    with pytest.raises(ValidationError, match=re.escape(f"{scoring}:weights.pooled_fallback: '{fallback}'")):
        load_config(scoring)
    assert load_config(None, {"pooled_fallback": "signal"}).pooled_fallback == "signal"


def test_item_bank_toml_round_trips(bank):
    text = dumps_bank(bank)
    again = loads_bank(text)
    assert dumps_bank(again) == text
    assert again.evidence.sha256 == bank.evidence.sha256 and len(again.evidence.sha256) == 64
    assert again.partly_fraction == 0.5
    # scoring and both exports read the bank's partly_fraction: a hand-edited bad one is one line
    with pytest.raises(ValidationError, match=r"^item_bank.toml:instrument.config.partly_fraction: 2 is not a number"):
        loads_bank(text.replace("partly_fraction = 0.5", "partly_fraction = 2"))


def test_same_inputs_give_identical_bytes(synthesis_file, questions_file, config):
    a = dumps_bank(make_bank(synthesis_file, questions_file, config))
    b = dumps_bank(make_bank(synthesis_file, questions_file, config))
    assert a == b


def test_diff_reports_weight_level_and_membership_changes(tmp_path, bank, questions_file, config):
    changed = SYNTHESIS.replace("risk,strong,ariens,sado2014", "risk,moderate,ariens,sado2014").replace(
        "risk,some,ariens,arends2014", "risk,strong,ariens,arends2014")
    changed = changed.replace("supervisor_support,Support", "supervisor_supp,Support")
    path = tmp_path / "new.csv"
    path.write_text(changed, encoding="utf-8")
    new = make_bank(path, questions_file, config)
    lines = [c.line() for c in diff_banks(bank, new)]
    assert lines[0].startswith("~ synthesis: evidence")
    assert "~ company_size: role signal -> scored" in lines
    assert "~ company_size: weight 0.0 -> 3.0" in lines
    assert not any("supervisor_supp:" in line for line in lines)  # no template: not asked
    assert "- supervisor_support: no longer asked (factor no longer in the synthesis)" in lines
    assert "~ prev_episodes: weight 3.0 -> 2.0" in lines
    assert "~ prev_episodes: level strong -> moderate" in lines
    assert diff_banks(bank, bank) == []


def test_bad_synthesis_rows_name_line_and_column():
    with pytest.raises(ImportFormatError, match="line 2: domain 'family'"):
        parse_synthesis_csv(HEADER + "f,a,b,family,false,true,risk,strong,ariens,,,,,,,,\n")
    with pytest.raises(ImportFormatError, match="line 2: pooled_estimate '-1'"):
        parse_synthesis_csv(HEADER + "f,a,b,work,false,true,risk,strong,ariens,s,OR,-1,,,,,\n")
    with pytest.raises(ImportFormatError, match="missing column"):
        parse_synthesis_csv("factor_id,label_en\n")


@pytest.mark.parametrize(("cells", "said"), [
    # a verdict or a pooled number that traces to no study
    ("risk,strong,ariens,,,,,", "factor 'f' has direction 'risk' but its studies column names no study"),
    ("none,inconclusive,ariens,,OR,2.1,1.2,3.4", "factor 'f' has a pooled_estimate but its studies column names no study"),
    # a pooled number without its measure was weighed |ln x| as if a ratio; without its CI it was shown bare
    ("risk,strong,ariens,s1;s2,,2.1,1.2,3.4", "factor 'f' has a pooled_estimate but no measure (OR, HR, RR, MD, …)"),
    ("risk,strong,ariens,s1;s2,OR,2.1,,", "factor 'f' has a pooled_estimate without both bounds of its CI"),
    ("risk,strong,ariens,s1;s2,OR,2.1,2.5,3.4", "factor 'f' has pooled_estimate 2.1 outside its CI 2.5 to 3.4"),
    ("risk,strong,ariens,s1;s2,OR,,1.2,3.4", "factor 'f' has a CI (ci_low, ci_high) but no pooled_estimate"),
])
def test_a_synthesis_row_whose_numbers_trace_to_no_study_or_are_not_whole_is_refused(tmp_path, cells, said):
    from review.instrument.evidence import load_evidence

    text = HEADER + f"f,a,b,work,false,true,{cells},,,\n"
    with pytest.raises(ImportFormatError, match="line 2: " + re.escape(said)):
        parse_synthesis_csv(text)
    path = tmp_path / "synthesis.csv"  # the synthesis stage's reader, which `instrument build` uses
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ImportFormatError, match=re.escape(f"{path}:line 2: {said}")):
        load_evidence(path)
    # the same rows whole and traced are read
    parse_synthesis_csv(HEADER + "f,a,b,work,false,true,risk,strong,ariens,s1;s2,OR,2.1,1.2,3.4,,,\n"
                                 "g,a,b,work,false,true,none,inconclusive,ariens,,,,,,,,\n")


def test_template_errors_are_one_line(tmp_path):
    path = tmp_path / "q.toml"
    path.write_text(QUESTIONS.replace('present = { company = ["large"] }', 'present = { company = ["huge"] }'),
                    encoding="utf-8")
    with pytest.raises(ValidationError, match=r"factors.company_size.present.company: 'huge'"):
        load_templates(path)


def test_unknown_setting_is_rejected():
    with pytest.raises(WorkspaceError, match="^review.toml:instrument.min_levle: unknown setting$"):
        load_config(None, {"min_levle": "strong"})


@given(st.lists(st.sampled_from(["strong", "moderate", "some", "limited", "conflicting", "inconclusive"]),
                min_size=1, max_size=8))
def test_every_factor_is_either_included_or_explained(levels):
    rows = [f"f{i},F{i},F{i},work,true,true,risk,{lvl},ariens,s{i},,,,,,,"
            for i, lvl in enumerate(levels)]
    evidence = parse_synthesis_csv(HEADER + "\n".join(rows) + "\n")
    text = '[questions.q]\ntext_nl="v"\ntext_en="q"\ntype="yesno"\n' + "".join(
        f'[factors.f{i}]\npresent = {{ q = ["yes"] }}\n' for i in range(len(levels)))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "q.toml"
        path.write_text(text, encoding="utf-8")
        templates = load_templates(path)
    bank = build_item_bank(evidence, templates, load_config(None),
                           EvidenceSnapshot("0" * 64, "2026-01-01T00:00:00+00:00", "s", len(levels)))
    assert len(bank.items) + len(bank.not_included) == len(levels)
    assert all(i.level in ("strong", "moderate") for i in bank.scored_items)
    assert all(i.level in ("some", "limited") for i in bank.signal_items)
    assert all(n.reason for n in bank.not_included)


def test_diff_reports_wording_and_template_changes(tmp_path, bank, synthesis_file, config):
    path = tmp_path / "q2.toml"
    path.write_text(QUESTIONS.replace("Is er een conflict met de leidinggevende?", "Conflict?")
                    .replace('partly = { conflict = ["some"] }', ""), encoding="utf-8")
    lines = [c.line() for c in diff_banks(bank, make_bank(synthesis_file, path, config))]
    assert "~ conflict: question changed (text_nl, options)" in lines
    assert "~ supervisor_conflict: template changed (partly)" in lines
    other = make_bank(synthesis_file, path, config)
    assert other.content_sha256 != bank.content_sha256 and other.version != bank.version
    assert bank.version == f"2026-11-26+{bank.evidence.sha256[:8]}.{bank.content_sha256[:6]}"


def test_diff_names_a_question_added_or_removed_without_a_factor_status(tmp_path, bank, synthesis_file, config):
    """walk24: a first questions.toml made `review instrument build` print "~ support: question added (absent)",
    "absent" being what the profile says of a factor; the words in brackets name what changed, and nothing did."""
    path = tmp_path / "q3.toml"
    path.write_text(QUESTIONS.replace('[factors.prev_episodes]\npresent = { prev_absence = ["yes"] }', ""),
                    encoding="utf-8")
    narrower = make_bank(synthesis_file, path, config)
    assert "~ prev_absence: question removed" in [c.line() for c in diff_banks(bank, narrower)]
    assert "~ prev_absence: question added" in [c.line() for c in diff_banks(narrower, bank)]


def test_pooled_log_ignores_non_ratio_measures(tmp_path, questions_file):
    text = SYNTHESIS.replace("supervisor_conflict,Conflict with supervisor,Conflict met leidinggevende,social,"
                             "true,true,risk,moderate,ariens,arends2014;x2020,OR,2.21,1.21,4.04",
                             "supervisor_conflict,Conflict with supervisor,Conflict met leidinggevende,social,"
                             "true,true,risk,moderate,ariens,arends2014;x2020,MD,-0.4,-0.9,0.1")
    path = tmp_path / "md.csv"
    path.write_text(text, encoding="utf-8")
    config = load_config(None, {"weight_rule": "pooled_log"})
    item = make_bank(path, questions_file, config).item("supervisor_conflict")
    assert (item.weight, item.scored, item.caution) == (0.0, False, "unpooled")
    assert "pooled MD -0.40 [-0.90 to 0.10] is not a ratio" in item.weight_basis


def _bank_with(tmp_path: Path, extra_rows: str = "", extra_questions: str = "", **overrides):
    synthesis = tmp_path / "s.csv"
    synthesis.write_text(SYNTHESIS + extra_rows, encoding="utf-8")
    questions = tmp_path / "q.toml"
    questions.write_text(QUESTIONS + extra_questions, encoding="utf-8")
    return make_bank(synthesis, questions, load_config(None, overrides))


def test_display_rules_caution_or_hide_weak_signals(tmp_path):
    bank = _bank_with(tmp_path)
    assert bank.item("company_size").caution == "unreplicated"  # one study, no GRADE
    lenient = _bank_with(tmp_path, signal_min_studies=1)
    assert lenient.item("company_size").caution == ""
    hidden = _bank_with(tmp_path, expected_direction={"company_size": "protective"})
    assert hidden.item("company_size") is None
    (out,) = [n for n in hidden.not_included if n.factor_id == "company_size"]
    assert "against the expected direction" in out.reason
    assert _bank_with(tmp_path, unreplicated_signal="hide").item("company_size") is None


def test_one_answer_counts_for_one_factor_unless_declared_independent(tmp_path):
    row = "big_employer,Large employer,Grote werkgever,work,false,true,risk,moderate,ariens,a2020;b2021,,,,,,low,\n"
    template = '\n[factors.big_employer]\npresent = { company = ["large"] }\n'
    bank = _bank_with(tmp_path, row, template)
    assert bank.item("big_employer").scored and bank.item("company_size") is None
    (out,) = [n for n in bank.not_included if n.factor_id == "company_size"]
    assert out.reason.startswith("one answer never counts for two factors: company=large (big_employer)")
    both = _bank_with(tmp_path, row, template, independent_factors=[["big_employer", "company_size"]])
    assert both.item("big_employer") is not None and both.item("company_size") is not None


def test_every_cited_study_is_listed_with_its_source(synthesis_file, questions_file, config):
    from review.instrument import render
    from review.instrument.itembank import Source
    from review.instrument.scoring import score

    from .conftest import FIXED

    evidence = parse_synthesis_csv(synthesis_file.read_text(encoding="utf-8"), synthesis_file)
    arends = Source("arends2014", "Arends 2014", "Arends I, et al. Scand J Work Environ Health 2014;40:195.",
                    doi="10.5271/sjweh.3384")
    sources = {"arends2014": arends, "sado2014": Source("sado2014", "Sado 2014", "Sado M, et al. 2014.", pmid="1"),
               "unrelated": Source("unrelated", "Else 2000", "Else E. 2000.")}
    bank = build_item_bank(evidence, load_templates(questions_file), config,
                           EvidenceSnapshot("0" * 64, FIXED.isoformat(), "s.csv", len(evidence)),
                           built_at=FIXED, sources=sources)
    # Only studies some asked factor rests on; a study the bank does not cite stays out.
    assert [s.study for s in bank.sources] == ["arends2014", "sado2014"]
    assert loads_bank(dumps_bank(bank)).sources == bank.sources
    md = render.questionnaire_markdown(bank)
    assert "## Bronnen" in md and "- Arends 2014: Arends I, et al. Scand J Work Environ Health " \
        "2014;40:195. doi:10.5271/sjweh.3384" in md and "- Sado 2014: Sado M, et al. 2014. PMID 1" in md
    assert "## Sources" in render.guide_markdown(bank, "en")
    from review.instrument.form import form_html
    page = form_html(bank, config)
    assert '<section id="sources">' in page and "Arends I, et al." in page
    # The report lists the sources of the factors it shows as present, no others.
    answers = {"prev_absence": "yes", "company": "small"}
    report = render.report_markdown(bank, score(bank, answers, config), answers)
    assert "- Sado 2014:" in report and "Arends 2014:" not in report and report.endswith("PMID 1\n")


def test_a_workspace_bank_takes_estimates_and_sources_from_the_study_files(workspace, monkeypatch) -> None:
    """compile_bank reads the programme's study files once for both the per-study estimates
    each item shows and the bank's list of sources."""
    import shutil

    from review.extraction import forms
    from review.instrument.project import compile_bank

    repo = Path(__file__).resolve().parents[2]
    shutil.rmtree(workspace.root / "extraction")
    shutil.copytree(repo / "extraction", workspace.root / "extraction")
    for name in ("questions.toml", "scoring.toml"):
        shutil.copy(repo / "instrument" / name, workspace.root / "instrument" / name)
    reads = []
    real = forms.load_studies
    monkeypatch.setattr(forms, "load_studies", lambda *args, **kwargs: reads.append(1) or real(*args, **kwargs))
    bank = compile_bank(workspace)
    assert len(reads) == 1
    items = {i.factor_id: i for i in bank.items}
    assert items["company_size_gt100"].effects == [{
        "study": "arends2014", "label": "Arends 2014", "measure": "OR", "estimate": 2.59, "measure_as_published": "",
        "ci_low": 1.4, "ci_high": 4.8, "subgroup": "", "ci_level": None, "status": "", "status_nl": "", "favourable": False, "outcome": "",
        "outcome_nl": "",
        "contrast": "company size >100 employees", "contrast_nl": "bedrijfsgrootte >100 werknemers",
        "subgroup_nl": "", "p": None, "estimate_type": "adjusted", "source_location": "Abstract (Results)",
        "finding": ""}]  # (which way a study went: only for one without a number)
    # A number without its CI keeps why (ba7703e): the bank dropped Reis's status, so HR 21,44 stood bare.
    reis = [e for e in items["previous_sick_leave_episodes"].effects if e["study"] == "reis"]
    assert [(e["estimate"], e["ci_low"], e["status"]) for e in reis if e["estimate"] == 21.44] == [
        (21.44, None, "CI not reported in abstract")]
    assert all(e["status"] == "" for e in reis if e["ci_low"] is not None)  # a full CI needs no reason
    cited = {s for i in bank.items for s in i.studies}
    assert cited <= {s.study for s in bank.sources} and len(bank.sources) == 13  # (and the Delphi study)
    arends = next(s for s in bank.sources if s.study == "arends2014")
    assert (arends.label, arends.doi) == ("Arends 2014", "10.5271/sjweh.3384")


def test_summary_names_the_real_shortfall_when_nothing_is_scored(tmp_path, synthesis_file, config):
    # Factors reach 'moderate' but have no question template: the summary must not blame the level.
    questions = tmp_path / "bare.toml"
    questions.write_text(QUESTIONS.split("[factors.prev_episodes]")[0], encoding="utf-8")
    bank = make_bank(synthesis_file, questions, config)
    assert bank.scored_items == [] and bank.signal_items == []
    summary = bank_summary_markdown(bank, "en")
    assert "None: no factor meets every condition for scoring" in summary
    assert "reaches the minimum evidence level" not in summary
    assert "### Asked as signal, not weighed (0)\n\nNone." in summary
    weak = tmp_path / "weak.csv"
    weak.write_text(HEADER + "company_size,Company size >100,Bedrijfsgrootte >100,work,false,true,"
                    "risk,some,ariens,arends2014,OR,2.59,1.40,4.80,,,\n", encoding="utf-8")
    only_weak = make_bank(weak, questions, load_config(None, {"signal_min_level": ""}))
    weak_summary = bank_summary_markdown(only_weak, "nl")
    assert "Geen: geen enkele factor haalt de minimale bewijskracht." in weak_summary
    assert "(1 factor, " in weak_summary and "(7 factors, " in summary


def test_summary_says_a_factor_reaching_the_level_without_a_pooled_estimate_is_unweighed(tmp_path, questions_file):
    # weight_rule = pooled_log: a strong factor with no pooled ratio is asked as a signal (decision 0056). The
    # summary said 'None: no factor reaches the minimum evidence level' under the build's own note that it does.
    strong = tmp_path / "strong.csv"
    strong.write_text(HEADER + "prev_episodes,Previous sickness absence episodes,Eerdere verzuimepisodes,health,"
                      "false,true,risk,strong,ariens,sado2014;reis2012,,,,,,moderate,\n", encoding="utf-8")
    bank = make_bank(strong, questions_file, load_config(None, {"weight_rule": "pooled_log"}))
    assert bank.scored_items == [] and [i.factor_id for i in bank.unpooled_items] == ["prev_episodes"]
    english, dutch = bank_summary_markdown(bank, "en"), bank_summary_markdown(bank, "nl")
    assert "reaches the minimum evidence level." not in english and "haalt de minimale bewijskracht." not in dutch
    assert ("None: the factors that reach the minimum evidence level have no pooled effect size of their own, and "
            "the weights follow the pooled effect sizes; they are asked as signals below.") in english
    assert ("Geen: de factoren die de minimale bewijskracht halen hebben geen eigen gepoolde effectmaat, en de "
            "gewichten volgen de gepoolde effectmaten; ze worden hieronder als signaal gevraagd.") in dutch


def test_short_citation_of_a_single_author():
    assert short_citation("Jones K. Another cohort. Scand J Work 2021;2:3-4.", "jones2021") == "Jones 2021"
    assert short_citation("Arends I, van der Klink JJL, de Boer MR. Predictors. Scand J 2014;40:195.", "a") == \
        "Arends 2014"
    assert short_citation("van der Klink JJL; Smith A. Title. J 2010", "v") == "van der Klink 2010"


def test_short_citation_keeps_particles_and_abbreviated_first_words():
    # The full stop that ends a lone author cut "St. Clair K, ..." to "St 2014".
    assert short_citation("St. Clair K, Smith A. Return to work. J Occup 2014;1:2.", "s") == "St. Clair 2014"
    assert short_citation("Ste. Marie J. Title. J 2019", "s") == "Ste. Marie 2019"
    assert short_citation("Van Dijk FJ, Jones K. Title. J 2011", "v") == "Van Dijk 2011"
    assert short_citation("de Vries AB. Title. J 2012", "d") == "de Vries 2012"
    assert short_citation("Stone K. St. Title. J 2013", "s") == "Stone 2013"


def test_a_factor_answer_map_error_shows_the_form(tmp_path):
    path = tmp_path / "q.toml"
    path.write_text(QUESTIONS.replace('present = { company = ["large"] }', 'present = ["large"]'), encoding="utf-8")
    with pytest.raises(ValidationError, match=r'factors.company_size.present: must map question ids to answer '
                                              r'codes, e.g. present = \{ prev_absence = \["yes"\] \}'):
        load_templates(path)


@pytest.mark.parametrize(("old", "new", "said"), [
    # walk28: a traceback (TypeError), an alias per letter, a question asked as '3'
    ('present = { company = ["large"] }', 'present = { company = 3 }',
     "factors.company_size.present.company: 3: expected an answer code or a list of them, e.g. [\"small\"]"),
    ('present = { company = ["large"] }', 'present = { company = ["large"] }\naliases = "abc"',
     "factors.company_size.aliases: 'abc': expected a list of factor ids, e.g. [\"old_id\"]"),
    ('present = { company = ["large"] }', 'present = { company = ["groot"] }',
     "factors.company_size.present.company: 'groot' is not an option code"),
    ('text_nl = "Hoeveel werknemers heeft de organisatie?"', "text_nl = 3",
     "questions.company.text_nl: expected text in quotes, got 3"),
    ('present = { company = ["large"] }', 'present = { firm = ["large"] }',
     "factors.company_size.present: unknown question 'firm'"),
])
def test_a_questions_file_error_names_its_line(tmp_path, old, new, said):
    # walk28: 'review: instrument/questions.toml: factors.job_insecurity.present.job_insecure: 'ja' is not an option
    # code' named file and field but not the line, as every study file's problem does.
    assert old in QUESTIONS
    path = tmp_path / "q.toml"
    path.write_text(QUESTIONS.replace(old, new), encoding="utf-8")
    last = new.splitlines()[-1]
    line = next(i for i, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if last in text)
    with pytest.raises(ValidationError) as raised:
        load_templates(path)
    assert str(raised.value) == f"{path}:{said} (line {line})"


def test_a_quoted_question_id_is_named_as_the_file_spells_it(tmp_path):
    # rrev32b: a question id that is no bare key was named bare in a factor's answer map ('present.company size'),
    # as no TOML path spells it
    path = tmp_path / "q.toml"
    path.write_text(QUESTIONS.replace("[questions.company]", '[questions."company size"]')
                    .replace('present = { company = ["large"] }', 'present = { "company size" = ["groot"] }'),
                    encoding="utf-8")
    with pytest.raises(ValidationError) as raised:
        load_templates(path)
    assert 'factors.company_size.present."company size": \'groot\' is not an option code' in str(raised.value)


def test_choice_options_that_are_no_list_are_one_line(tmp_path):
    # rrev28a: 'options = 3' was a TypeError ('int' object is not iterable), a traceback from review instrument build
    old = 'type = "choice"\noptions = ['
    assert old in QUESTIONS
    path = tmp_path / "q.toml"
    path.write_text(QUESTIONS.replace(old, 'type = "choice"\noptions = 3\nmeant = ['), encoding="utf-8")
    line = path.read_text(encoding="utf-8").splitlines().index("options = 3") + 1
    with pytest.raises(ValidationError) as raised:
        load_templates(path)
    assert str(raised.value) == (f"{path}:questions.conflict.options: expected a list of {{ code, nl, en }} tables, "
                                 f"got 3 (line {line})")


def test_a_questions_file_of_the_wrong_shape_is_one_line(tmp_path):
    # walk28: 'questions = 3' was an AttributeError traceback in every instrument command
    path = tmp_path / "q.toml"
    path.write_text("questions = 3\n", encoding="utf-8")
    with pytest.raises(ValidationError) as raised:
        load_templates(path)
    assert str(raised.value) == f"{path}:questions: expected [questions.<id>] tables, one per question (line 1)"


def test_pooled_estimates_in_the_weight_basis_have_two_decimals_and_their_k(tmp_path, questions_file):
    # It read 'pooled OR 1.98234 [0.1527-26.3318] shown, not used': a client-facing text with four
    # decimals, and nothing saying the interval is that wide because two studies were pooled.
    text = SYNTHESIS.replace("arends2014;x2020,OR,2.21,1.21,4.04,,low,",
                             "arends2014;x2020,OR,1.98234,0.1527,26.3318,,low,")
    path = tmp_path / "wide.csv"
    path.write_text(text, encoding="utf-8")
    evidence = parse_synthesis_csv(text, path)

    def basis(config: InstrumentConfig, factor: str) -> str:
        bank = build_item_bank(evidence, load_templates(questions_file), config, snapshot_of(path, len(evidence)),
                               pooled_studies={"supervisor_conflict": ("arends2014", "x2020")})
        return bank.item(factor).weight_basis

    assert basis(load_config(None, {}), "supervisor_conflict").endswith(
        "; pooled OR 1.98 [0.15-26.33] (k = 2: arends2014, x2020) shown, not used")
    assert basis(load_config(None, {"weight_rule": "pooled_log"}), "supervisor_conflict") == (
        "|ln OR 1.98 [0.15-26.33] (k = 2: arends2014, x2020)| = 0.684 (weight_rule = pooled_log)")
    # k unknown (project.pooled_study_units found no pooling that gives this estimate): none shown
    assert basis(load_config(None, {}), "supervisor_support").endswith("; pooled OR 0.50 [0.30-0.80] shown, not used")


def test_a_pooled_weight_names_the_studies_it_pools(tmp_path, questions_file):
    # 'OR 1.95 [0.16-23.22] (k = 2)' gave the number of pooled studies, not which: the item lists every study
    # of the factor (an HR not pooled among them), so the weight could not be traced to its studies.
    path = tmp_path / "s.csv"
    path.write_text(SYNTHESIS, encoding="utf-8")
    evidence = parse_synthesis_csv(SYNTHESIS, path)
    bank = build_item_bank(evidence, load_templates(questions_file), load_config(None, {"weight_rule": "pooled_log"}),
                           snapshot_of(path, len(evidence)),
                           pooled_studies={"supervisor_conflict": ("arends2014", "x2020")})
    assert bank.item("supervisor_conflict").weight_basis == (
        "|ln OR 2.21 [1.21-4.04] (k = 2: arends2014, x2020)| = 0.793 (weight_rule = pooled_log)")


def test_diff_names_a_change_in_the_number_of_pooled_studies(tmp_path, questions_file):
    # Only k changed: the content hash changed and a new version was written, yet the diff said "no changes".
    path = tmp_path / "s.csv"
    path.write_text(SYNTHESIS, encoding="utf-8")
    evidence = parse_synthesis_csv(SYNTHESIS, path)

    def bank_with(pooled):
        return build_item_bank(evidence, load_templates(questions_file), load_config(None, {}),
                               snapshot_of(path, len(evidence)), pooled_studies=pooled)

    two = bank_with({"supervisor_conflict": ("arends2014", "x2020")})
    three = bank_with({"supervisor_conflict": ("arends2014", "x2020", "y2021")})
    assert two.digest() != three.digest()
    assert [c.line() for c in diff_banks(two, three)] == ["~ supervisor_conflict: k 2 -> 3",
                                                          "~ supervisor_conflict: pooled studies added y2021"]
    assert [c.line() for c in diff_banks(bank_with(None), two)] == ["~ supervisor_conflict: k unknown -> 2"]


def test_diff_names_a_study_replaced_by_another_at_the_same_k(tmp_path, questions_file):
    # x2020 replaced by y2021: k, level, weight and direction stayed, the hash changed and the diff said
    # "no changes", though the evidence behind the item was another study's.
    def bank_with(studies, pooled):
        text = SYNTHESIS.replace("arends2014;x2020,OR,2.21", f"{studies},OR,2.21")
        path = tmp_path / "s.csv"
        path.write_text(text, encoding="utf-8")
        evidence = parse_synthesis_csv(text, path)
        return build_item_bank(evidence, load_templates(questions_file), load_config(None, {}),
                               snapshot_of(path, len(evidence)), pooled_studies={"supervisor_conflict": pooled})

    old = bank_with("arends2014;x2020", ("arends2014", "x2020"))
    new = bank_with("arends2014;y2021", ("arends2014", "y2021"))
    lines = [c.line() for c in diff_banks(old, new) if c.kind != "evidence"]
    assert lines == ["~ supervisor_conflict: pooled studies added y2021; removed x2020",
                     "~ supervisor_conflict: studies added y2021; removed x2020"]
    # the same studies counted, another one pooled (x2020's estimate became an HR, y2021's an OR)
    both = "arends2014;x2020;y2021"
    lines = [c.line() for c in diff_banks(bank_with(both, ("arends2014", "x2020")),
                                          bank_with(both, ("arends2014", "y2021"))) if c.kind != "evidence"]
    assert lines == ["~ supervisor_conflict: pooled studies added y2021; removed x2020"]
    # kept through the bank file; a bank written before the names were kept gives no pooled-studies line
    assert loads_bank(dumps_bank(new)).item("supervisor_conflict").pooled_studies == ["arends2014", "y2021"]
    unnamed = loads_bank(dumps_bank(old).replace('pooled_studies = ["arends2014", "x2020"]', ""))
    assert unnamed.item("supervisor_conflict").pooled_studies == []
    assert [c.line() for c in diff_banks(unnamed, new) if c.kind == "pooled studies"] == []


def test_a_build_reads_its_settings_and_the_new_versions_row_once(workspace, monkeypatch):
    # review.toml and scoring.toml were read twice per build (compile, then exports), the new
    # version's row three times (build, then the record step read it again).
    from review.instrument import project
    from review.store import instrument as versions_table

    (workspace.root / "extraction" / "synthesis.csv").write_text(SYNTHESIS, encoding="utf-8")
    (workspace.root / "instrument" / "questions.toml").write_text(QUESTIONS, encoding="utf-8")
    reads = {"config": 0, "row": 0}

    def counted(key, real):  # type: ignore[no-untyped-def]
        def wrapper(*args, **kwargs):  # type: ignore[no-untyped-def]
            reads[key] += 1
            return real(*args, **kwargs)
        return wrapper

    monkeypatch.setattr(project, "load_config", counted("config", project.load_config))
    monkeypatch.setattr(versions_table, "version_row", counted("row", versions_table.version_row))
    result = project.build(workspace, exports=True)
    assert result.written and versions_table.versions(workspace.store)[-1].version == result.bank.version
    assert reads == {"config": 1, "row": 1}


def test_a_refused_synthesis_row_is_named_by_its_line_after_a_line_break_in_a_cell():
    # An explanation typed over two lines (a spreadsheet's Alt+Enter) in the row above: "line 3" counted rows.
    above = 'g,a,b,work,false,true,none,inconclusive,ariens,,,,,,,,"first line\nsecond line"\n'
    with pytest.raises(ImportFormatError, match="line 4: domain 'family'"):
        parse_synthesis_csv(HEADER + above + "f,a,b,family,false,true,risk,strong,ariens,,,,,,,,\n")


@pytest.mark.parametrize(("setting", "said"), [
    ("base_rates = 3", "profile.base_rates: must be [[profile.base_rates]] tables, got 3"),  # a TypeError traceback
    ('base_rates = ["19 %"]', "profile.base_rates[1]: needs text_nl, text_en and source, got '19 %'"),
    ('many_signals_share = "half"', "profile.many_signals_share: must be a number, got 'half'"),
    ('min_level = "sterk"', "profile.min_level: 'sterk' is not a known evidence level"),
])
def test_a_scoring_file_problem_names_its_line(tmp_path, setting, said):
    # walk28: 'review: instrument/scoring.toml: many_signals_share must be float, got 'half'' named no line and
    # spoke Python ('float').
    path = tmp_path / "scoring.toml"
    path.write_text(f'[inclusion]\nrequire_assessable = true\n\n[profile]\n{setting}\n', encoding="utf-8")
    with pytest.raises(ValidationError) as raised:
        load_config(path)
    assert str(raised.value) == f"{path}:{said} (line 5)"


@pytest.mark.parametrize("group", ["profile", "inclusion", "weights"])
def test_a_scoring_table_written_as_a_value_is_refused_as_such(tmp_path, group):
    # rrev28a: 'profile = 3' was refused as "unknown setting 'profile'", a setting scoring.toml does have (a table).
    path = tmp_path / "scoring.toml"
    path.write_text(f"# scoring\n{group} = 3\n", encoding="utf-8")
    with pytest.raises(ValidationError) as raised:
        load_config(path)
    assert str(raised.value) == f"{path}:{group}: must be a [{group}] table of settings, got 3 (line 2)"
