"""Scoring hand-made answer sets gives the expected profile; missing answers stay visible."""

from __future__ import annotations

import pytest

from review.errors import ValidationError
from review.instrument.config import BaseRate, load_config
from review.instrument.scoring import score


def test_all_risks_present_no_protection(bank, config):
    answers = {"prev_absence": "yes", "has_supervisor": "yes", "conflict": "yes", "support": "no",
               "company": "small"}
    profile = score(bank, answers, config)
    assert [f.factor_id for f in profile.risks] == ["supervisor_conflict", "prev_episodes"]
    assert profile.protective == []
    assert profile.risk_weight == 5.0 and profile.attainable_risk_weight == 5.0
    assert profile.indication == "many_risk_signals"
    assert [f.factor_id for f in profile.leads] == ["supervisor_conflict"]  # modifiable risk
    assert [i.factor_id for i in profile.strengthen] == ["supervisor_support"]  # modifiable, absent
    assert profile.missing == [] and profile.absent == ["supervisor_support", "company_size"]
    assert profile.in_domain("social")[0][0].factor_id == "supervisor_conflict"
    assert profile.in_domain("health")[0][0].level == "strong"


def test_partly_present_counts_half_and_protection_is_listed_not_netted(bank, config):
    answers = {"prev_absence": "no", "has_supervisor": "yes", "conflict": "some", "support": "yes"}
    profile = score(bank, answers, config)
    (conflict,) = profile.risks
    assert conflict.status == "partly" and conflict.weight == 1.0
    assert [f.factor_id for f in profile.protective] == ["supervisor_support"]
    assert profile.protective_weight == 2.0
    assert profile.risk_weight == 1.0
    assert profile.indication == "some_risk_signals"  # 1 of 5 attainable < 50 %


def test_no_risk_signals(bank, config):
    answers = {"prev_absence": "no", "has_supervisor": "yes", "conflict": "no", "support": "yes"}
    profile = score(bank, answers, config)
    assert profile.risks == [] and profile.indication == "no_risk_signals"
    assert "geen voorspelling" in profile.uncertainty_nl[0]
    assert "not a prediction" in profile.uncertainty_en[0]


def test_gate_answered_no_makes_questions_not_applicable_not_missing(bank, config):
    answers = {"prev_absence": "no", "has_supervisor": "no", "company": "small"}
    profile = score(bank, answers, config)
    assert profile.not_applicable == ["conflict", "support"]
    assert profile.missing == [] and profile.missing_factors == []
    assert profile.attainable_risk_weight == 3.0  # conflict not attainable without a supervisor
    assert profile.indication == "no_risk_signals"


def test_missing_answers_are_listed_and_block_the_indication(bank, config):
    profile = score(bank, {"prev_absence": "yes"}, config)
    # gate unanswered: the gated questions are missing (we do not know if they apply)
    assert [m.link_id for m in profile.missing] == ["conflict", "support", "company"]
    assert profile.missing_factors == ["supervisor_conflict", "supervisor_support"]
    assert profile.indication == "insufficient"
    assert "ook niet als afwezig" in profile.indication_nl
    assert "supervisor_conflict" not in profile.absent


def test_unknown_answer_is_missing_not_absent(bank, config):
    answers = {"prev_absence": "unknown", "has_supervisor": "yes", "conflict": "no", "support": "no"}
    profile = score(bank, answers, config)
    assert profile.missing_factors == ["prev_episodes"]
    assert profile.indication == "insufficient"  # 1 of 3 > 25 %
    lenient = load_config(None, {"max_missing_share": 0.5})
    assert score(bank, answers, lenient).indication == "no_risk_signals"


def test_bad_code_is_an_error_and_foreign_questions_are_reported(bank, config):
    with pytest.raises(ValidationError, match="answer to conflict: 'maybe'"):
        score(bank, {"conflict": "maybe"}, config)
    profile = score(bank, {"prev_absence": "no", "old_question": "yes"}, config)
    assert profile.unrecognised == ["old_question"]


def test_base_rates_carry_their_source(bank):
    config = load_config(None)
    config.base_rates = (BaseRate("37 % binnen 2 jaar", "37 % within 2 years", "Endo 2015"),)
    profile = score(bank, {}, config)
    assert profile.uncertainty_en[-1] == ("Background from research (figures about groups, not a probability "
                                          "for this client): 37 % within 2 years (Endo 2015).")


def test_signals_are_reported_but_never_weighed(bank, config):
    answers = {"prev_absence": "no", "has_supervisor": "yes", "conflict": "no", "support": "yes",
               "company": "large"}
    profile = score(bank, answers, config)
    (signal,) = profile.signals
    assert signal.factor_id == "company_size" and signal.weight == 0.0 and not signal.scored
    assert profile.risks == [] and profile.risk_weight == 0.0
    assert profile.indication == "no_risk_signals"
    assert "Eén signaal aanwezig (beperkt bewijs; weegt niet mee)." in profile.indication_nl


def test_only_signals_gives_no_indication(synthesis_file, questions_file):
    from .conftest import make_bank
    weak = load_config(None, {"min_level": "strong", "signal_min_level": "some"})
    bank = make_bank(synthesis_file, questions_file, weak)
    assert [i.factor_id for i in bank.scored_items] == ["prev_episodes"]
    nothing = load_config(None, {"min_level": "strong", "min_grade": "high"})
    bank = make_bank(synthesis_file, questions_file, nothing)
    assert bank.scored_items == [] and len(bank.signal_items) == 4  # GRADE floor: all signals
    profile = score(bank, {"has_supervisor": "yes", "conflict": "yes"}, nothing)
    assert profile.indication == "no_items" and profile.n_scored == 0
    assert [f.factor_id for f in profile.leads] == ["supervisor_conflict"]  # modifiable signal


def test_unanswered_factors_stay_out_of_the_attainable_weight(bank, config):
    profile = score(bank, {"prev_absence": "yes", "has_supervisor": "yes", "conflict": "unknown"}, config)
    assert profile.attainable_risk_weight == 3.0  # the conflict is unanswered, not absent
    states = {f.factor_id: f.status for f in profile.factors}
    assert states["supervisor_conflict"] == "unanswered" and states["prev_episodes"] == "present"


def test_answers_switched_off_by_enable_when_are_noted(bank, config):
    profile = score(bank, {"has_supervisor": "no", "conflict": "yes", "support": "unknown"}, config)
    assert [(i.link_id, i.reason) for i in profile.ignored] == [("conflict", "gate_off")]
    pending = score(bank, {"conflict": "yes"}, config)
    assert [(i.link_id, i.reason) for i in pending.ignored] == [("conflict", "gate_unanswered")]


def test_every_profile_says_the_factors_are_prognostic_not_causes(bank, config):
    # "Risicofactoren aanwezig" with leads for advice read as "change this and the risk falls";
    # the studies are prognostic cohorts and show an association only.
    from review.instrument.form import form_html
    from review.instrument.render import guide_markdown, report_markdown
    from review.instrument.scoring import PROGNOSTIC_EN, PROGNOSTIC_NL

    profile = score(bank, {"prev_absence": "yes"}, config)
    for lang, sentence in (("nl", PROGNOSTIC_NL), ("en", PROGNOSTIC_EN)):
        assert "niet aangetoond" in PROGNOSTIC_NL and "has not been shown" in PROGNOSTIC_EN
        assert sentence in report_markdown(bank, profile, {"prev_absence": "yes"}, lang=lang)  # CLI and fill-in mode
        assert sentence in form_html(bank, config, lang)
        assert sentence in guide_markdown(bank, lang)


def test_a_factor_unweighted_for_want_of_a_pooled_ratio_is_not_called_limited_evidence(synthesis_file, questions_file):
    """Decision 0056: under pooled_log prev_episodes (strong, two studies, nothing pooled) is asked unweighted."""
    from .conftest import make_bank
    pooled_log = load_config(None, {"weight_rule": "pooled_log", "signal_min_level": ""})
    bank = make_bank(synthesis_file, questions_file, pooled_log)
    profile = score(bank, {"prev_absence": "yes", "has_supervisor": "yes", "conflict": "no", "support": "no",
                           "company": "small"}, pooled_log)
    (signal,) = profile.signals
    assert (signal.factor_id, signal.weight, signal.level) == ("prev_episodes", 0.0, "strong")
    assert profile.risk_weight == 0.0
    assert "1 signal (limited evidence or no pooled effect size, not weighed) present." in profile.indication_en
    assert "Eén signaal aanwezig (beperkt bewijs of geen gepoolde effectmaat; weegt niet mee)." in profile.indication_nl
    assert not any(line.startswith("Signals rest on limited evidence") for line in profile.uncertainty_en)
    assert ("Asked without weight: Previous sickness absence episodes. The evidence reaches the level for weighing, "
            "but the weights follow the pooled effect sizes and this factor has none; borrowing another factor's "
            "weight would invent an effect size.") in profile.uncertainty_en
    assert any(line.startswith("Zonder gewicht gevraagd: Eerdere verzuimepisodes.") for line in profile.uncertainty_nl)


def test_several_factors_unweighted_for_want_of_a_pooled_ratio_are_spoken_of_in_the_plural(tmp_path, questions_file):
    # walk33: 'Asked without weight: A, B. … and this factor has none' (Dutch: 'voor deze factor is er geen')
    from .conftest import SYNTHESIS, make_bank
    unpooled = SYNTHESIS.replace("arends2014;x2020,OR,2.21,1.21,4.04,", "arends2014;x2020,,,,,")
    assert unpooled != SYNTHESIS
    path = tmp_path / "s.csv"
    path.write_text(unpooled, encoding="utf-8")
    pooled_log = load_config(None, {"weight_rule": "pooled_log", "signal_min_level": ""})
    bank = make_bank(path, questions_file, pooled_log)
    assert {i.factor_id for i in bank.unpooled_items} == {"prev_episodes", "supervisor_conflict"}
    profile = score(bank, {"prev_absence": "yes", "has_supervisor": "yes", "conflict": "yes"}, pooled_log)
    (english,) = [line for line in profile.uncertainty_en if line.startswith("Asked without weight: ")]
    (dutch,) = [line for line in profile.uncertainty_nl if line.startswith("Zonder gewicht gevraagd: ")]
    assert "the weights follow the pooled effect sizes and these factors have none;" in english
    assert "de gewichten volgen de gepoolde effectmaten en voor deze factoren is er geen;" in dutch
