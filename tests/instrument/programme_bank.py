"""The programme's item bank as ``review instrument build`` makes it, for the tests that read its real texts.

Import as ``from .programme_bank import programme_bank_with_sources`` (test_form_browser, test_language).
"""

from __future__ import annotations

from pathlib import Path

from review.instrument.build import build_item_bank
from review.instrument.config import InstrumentConfig, load_config
from review.instrument.evidence import load_evidence, snapshot_of
from review.instrument.itembank import ItemBank, load_templates

ROOT = Path(__file__).resolve().parents[2]


def programme_bank_with_sources() -> tuple[ItemBank, InstrumentConfig]:
    """The programme's item bank with its studies' estimates and citations (their long DOIs), and its scoring
    config: this repository's extraction/ and instrument/ files."""
    from review.instrument.project import extraction_studies, study_evidence, study_sources

    synthesis = ROOT / "extraction" / "synthesis.csv"
    evidence = load_evidence(synthesis)
    config = load_config(ROOT / "instrument" / "scoring.toml")
    studies = extraction_studies(ROOT / "extraction")
    effects, expert = study_evidence(studies)
    bank = build_item_bank(evidence, load_templates(ROOT / "instrument" / "questions.toml"), config,
                           snapshot_of(synthesis, len(evidence)), effects=effects, expert=expert,
                           sources=study_sources(studies))
    return bank, config
