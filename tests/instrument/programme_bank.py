"""The programme's item bank as ``review instrument build`` makes it, for the tests that read its real texts.

Import as ``from .programme_bank import programme_bank_with_sources`` (test_form_browser, test_language).
"""

from __future__ import annotations

from pathlib import Path

from review.instrument.config import InstrumentConfig
from review.instrument.itembank import ItemBank

ROOT = Path(__file__).resolve().parents[2]


def programme_bank_with_sources() -> tuple[ItemBank, InstrumentConfig]:
    """The programme's item bank with its studies' estimates and citations (their long DOIs), and its scoring
    config: this repository's extraction/ and instrument/ files, compiled as the build compiles them (the
    synthesis re-run on the study files gives k and which studies replicate a signal)."""
    from review.instrument.project import compile_bank, workspace_config
    from review.workspace import Workspace

    workspace = Workspace(ROOT)
    config = workspace_config(workspace)
    return compile_bank(workspace, config=config), config
