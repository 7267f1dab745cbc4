"""The programme's own instrument: authored templates match the factor list and build cleanly."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from review.errors import ValidationError
from review.instrument import fhir, redcap
from review.instrument.build import build_item_bank
from review.instrument.config import load_config
from review.instrument.evidence import load_evidence, snapshot_of
from review.instrument.itembank import load_templates, read_bank

ROOT = Path(__file__).resolve().parents[2]
QUESTIONS = ROOT / "instrument" / "questions.toml"
FACTORS = ROOT / "extraction" / "factors.toml"
SYNTHESIS = ROOT / "extraction" / "synthesis.csv"


def test_templates_name_real_factors_and_cover_every_assessable_one():
    templates = load_templates(QUESTIONS)
    factors = tomllib.loads(FACTORS.read_text(encoding="utf-8"))["factor"]
    ids = {f["id"] for f in factors}
    assert set(templates.factors) <= ids, sorted(set(templates.factors) - ids)
    assessable = {f["id"] for f in factors if f.get("assessable", True)}
    assert assessable <= set(templates.factors), sorted(assessable - set(templates.factors))


def test_scoring_rules_load():
    config = load_config(ROOT / "instrument" / "scoring.toml")
    assert config.min_level == "moderate" and config.weight_rule == "level"
    assert all(rate.source for rate in config.base_rates)


@pytest.mark.skipif(not SYNTHESIS.is_file(), reason="programme synthesis not written yet")
def test_programme_instrument_builds_and_exports_validate():
    evidence = load_evidence(SYNTHESIS)
    bank = build_item_bank(evidence, load_templates(QUESTIONS), load_config(ROOT / "instrument" / "scoring.toml"),
                           snapshot_of(SYNTHESIS, len(evidence)))
    assert len(bank.items) + len(bank.not_included) == len(evidence)
    fhir.validate_questionnaire(fhir.questionnaire(bank))
    assert redcap.data_dictionary(bank).startswith("Variable / Field Name,Form Name")
    committed = ROOT / "instrument" / "item_bank.toml"
    if committed.is_file():
        json.dumps(fhir.questionnaire(read_bank(committed)))  # the committed bank still reads


def test_a_hand_edited_bank_saved_as_cp1252_is_one_line_naming_the_file(tmp_path: Path):
    # A bank edited in a Windows editor (ë as one cp1252 byte) ended in a UnicodeDecodeError traceback.
    bank = tmp_path / "item_bank.toml"
    bank.write_bytes('[instrument]\ntitle = "Terugval na verzuim; cliënt"\n'.encode("cp1252"))
    with pytest.raises(ValidationError) as err:
        read_bank(bank)
    message = str(err.value)
    assert message.startswith(f"{bank}:line 2: not UTF-8 (byte 0xeb at offset ") and "\n" not in message


def test_every_number_the_programme_instrument_shows_says_in_dutch_what_it_compares():
    from review.instrument.project import extraction_studies, study_evidence

    effects, _ = study_evidence(extraction_studies(ROOT / "extraction"))
    numbered = [(factor, e) for factor, rows in effects.items() for e in rows if e.get("estimate") is not None]
    assert numbered
    for factor, e in numbered:
        where = f"{e['study']}:{factor}"
        assert e.get("contrast") and e.get("contrast_nl"), where
        assert not e.get("outcome") or e.get("outcome_nl"), where
        assert not e.get("subgroup") or e.get("subgroup_nl") or e["subgroup"] in ("men", "women"), where


def test_every_base_rate_the_profile_shows_is_a_number_of_the_study_it_cites():
    # The base rates are typed into scoring.toml; each must name a study of extraction/studies by its DOI,
    # and each of its numbers (rate, sample, years) must be that study's (base_rate, n, follow_up).
    import re

    from review.instrument.project import extraction_studies

    studies = {s.doi.lower(): s for s in extraction_studies(ROOT / "extraction") if s.doi}

    def numbers(text: str) -> set[float]:
        return {float(x.replace(",", "")) for x in re.findall(r"\d[\d,]*(?:\.\d+)?", text)}

    config = load_config(ROOT / "instrument" / "scoring.toml")
    assert config.base_rates
    for rate in config.base_rates:
        doi = re.search(r"doi:(\S+)", rate.source)
        assert doi and doi.group(1).lower() in studies, rate.source
        study = studies[doi.group(1).lower()]
        known = numbers(f"{study.base_rate} {study.n} {study.follow_up}")
        assert numbers(rate.text_en) <= known, (rate.text_en, sorted(known))
        assert numbers(rate.text_nl.replace(".", ",")) <= known | numbers(rate.text_en), rate.text_nl
