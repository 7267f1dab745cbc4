"""Instrument service: build, export, diff and score the questionnaire; the fill-in session.

``instrument.project`` already has the service's shape (workspace in, typed results out), so
this module names it for the shells and adds what they assembled themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..errors import ValidationError
from ..instrument.answers import (
    AnswerSet, check_private_path, load_answers, new_answer_path, prepare_answer_folder, save_answers, write_private,
)
from ..instrument.config import InstrumentConfig
from ..instrument.evidence import DOMAINS
from ..instrument.itembank import DOMAIN_LABELS, ItemBank, Question
from ..instrument.project import (
    BILINGUAL_EXPORTS, EXPORT_FORMATS, BuildResult, ScoredResponse, build, current_bank, diff_with_evidence, export,
    render_export, report_text, score_answer_set, score_file, version_history, workspace_config,
)
from ..instrument.render import T, bank_summary_markdown, medical_note, report_markdown, to_html
from ..instrument.scoring import Profile, check_answers, enabled, profile_json, question_progress
from ..instrument.status import instrument_status
from ..workspace import Workspace

__all__ = [
    "BILINGUAL_EXPORTS", "DOMAINS", "DOMAIN_LABELS", "EXPORT_FORMATS", "AnswerSet", "BuildResult", "FillSession", "InstrumentConfig",
    "ItemBank", "Profile", "Question", "ScoredResponse", "T", "bank_summary_markdown", "build", "check_private_path",
    "current_bank", "diff_with_evidence", "enabled", "export", "instrument_status", "medical_note", "open_fill", "prepare_answer_folder",
    "profile_json", "question_progress", "render_export",
    "report_markdown", "report_text", "save_answers", "score_answer_set", "score_file", "to_html", "version_history",
    "write_private",
]


@dataclass(slots=True)
class FillSession:
    """What fill-in mode needs: the bank, the scoring config and the answers being given."""

    bank: ItemBank
    config: InstrumentConfig
    answer_set: AnswerSet
    answers_path: Path


def open_fill(workspace: Workspace, *, answers_path: Path | None = None, client_ref: str = "") -> FillSession:
    """The current item bank and the answer file to continue (or a new one outside the repository). Checks only:
    nothing on disk is made or changed until :func:`prepare_answer_folder` (``fill`` may still refuse, as without a
    terminal)."""
    bank = current_bank(workspace)
    config = workspace_config(workspace)
    path = (check_private_path(answers_path, workspace.root, tighten=False) if answers_path
            else new_answer_path(workspace_root=workspace.root, create=False))
    if path.is_file():
        answer_set = load_answers(path)
        try:
            check_answers(bank, answer_set.answers)
        except ValidationError as err:
            # Said before the form opens (it crashed on the first profile) and the file is kept as it is.
            # a file naming no version read "the answers are for version , the item bank is …" (walk28)
            version = (f"version {answer_set.instrument_version}" if answer_set.instrument_version
                       else "no version of the instrument")
            given = (f" (the answers are for {version}, the item bank is {bank.version})"
                     if answer_set.instrument_version != bank.version else "")
            raise ValidationError(f"{path}: {err}{given}; the file was not changed") from None
        if client_ref:
            answer_set.client_ref = client_ref
    else:
        answer_set = AnswerSet(bank.version, bank.evidence.sha256, {}, client_ref)
    return FillSession(bank, config, answer_set, path)
