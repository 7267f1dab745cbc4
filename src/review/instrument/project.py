"""The instrument inside a workspace: where its files live, build + record, exports, scoring.

The CLI and the TUI call these functions; they never reach into build/scoring details.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..levels import is_standard_level
from ..timestamps import local_day
from ..atomic import write_text_atomic
from ..errors import ValidationError
from ..store import instrument as versions_table
from ..workspace import Workspace
from . import fhir, redcap, render
from .against_studies import check_rows_against_studies
from .answers import AnswerSet, read_json_text
from .base_rates import untraced_base_rates
from .build import build_item_bank
from .config import InstrumentConfig, load_config, unknown_rule_factors
from .diff import Change, diff_banks
from .evidence import evidence_rows, snapshot_of
from .files import SYNTHESIS, paths
from .itembank import ItemBank, Note, Source, dumps_bank, load_templates, read_bank
from .scoring import Profile, score

if TYPE_CHECKING:
    from ..extraction.model import Study
    from ..synthesis.factors import FactorResult

EXPORT_FORMATS: tuple[str, ...] = ("fhir", "redcap", "html", "markdown", "guide", "guide-html", "form")
#: Default file names under ``instrument/`` per export format.
EXPORT_FILES: dict[str, str] = {
    "fhir": "questionnaire.fhir.json",
    "redcap": "redcap_data_dictionary.csv",
    "html": "questionnaire.html",
    "markdown": "questionnaire.md",
    "guide": "gesprekshandleiding.md",
    "guide-html": "gesprekshandleiding.html",
    "form": "questionnaire-form.html",
}


def workspace_config(workspace: Workspace) -> InstrumentConfig:
    """Defaults < instrument/scoring.toml < review.toml [instrument]; the titles default to the review's."""
    return load_config(paths(workspace).scoring, workspace.config.section("instrument"),
                       review_title=workspace.config.title, review_title_nl=workspace.config.title_nl)


@dataclass(slots=True)
class BuildResult:
    bank: ItemBank
    previous: ItemBank | None
    changes: list[Change]
    written: bool
    exports: list[Path] = field(default_factory=list)
    not_recorded: str = ""  # the note of a build without the store: what it did not record
    #: Studies behind the bank's items with no study file (``extraction/studies/``): the bank names them without
    #: their citation or numbers (a synthesis.csv older than a renamed or removed file, or one given with --synthesis).
    unsourced: list[str] = field(default_factory=list)
    #: Base rates of scoring.toml that do not trace to a study file (``base_rates.untraced_base_rates``): every
    #: profile shows them, with numbers no study of extraction/studies/ holds.
    untraced_base_rates: list[str] = field(default_factory=list)
    #: One warning line per study file whose effect numbers name neither DOI nor PMID (the instrument shows numbers
    #: a reader cannot trace to their paper).
    untraceable: list[str] = field(default_factory=list)
    #: One warning line per factor id a display rule of scoring.toml names that the synthesis lacks
    #: (``config.unknown_rule_factors``): a misspelt id leaves the pre-registered rule without effect.
    unknown_rule_factors: list[str] = field(default_factory=list)


def compile_bank(workspace: Workspace, synthesis: Path | None = None,
                 now: datetime | None = None, config: InstrumentConfig | None = None) -> ItemBank:
    """Build the item bank from the workspace's synthesis without writing anything (``config``:
    ``workspace_config``, when the caller has read it)."""
    return _compile(workspace, synthesis, now, config)[0]


def _compile(workspace: Workspace, synthesis: Path | None, now: datetime | None,
             config: InstrumentConfig | None) -> tuple[ItemBank, list[Study]]:
    """``compile_bank`` and the study files it parsed (``build`` checks the base rates on them: a second parse
    of a 300-file folder cost 345 ms)."""
    p = paths(workspace)
    # review.toml first: its bad value is named before a missing file
    config = workspace_config(workspace) if config is None else config
    source = Path(synthesis) if synthesis else p.synthesis
    numbered = evidence_rows(source)
    evidence = [row for _, row in numbered]
    try:
        shown = str(source.resolve().relative_to(workspace.root))
    except ValueError:
        shown = str(source)
    snapshot = snapshot_of(source, len(evidence), source=shown, now=now)
    studies = extraction_studies(workspace.root / SYNTHESIS[0])  # parsed once, for estimates, sources and k
    # One re-run of the synthesis on the study files: a row's level, direction, certainty or pooled number they
    # do not give is refused, and a pooled factor's k and studies come from it.
    again = (check_rows_against_studies(evidence, studies, workspace.root / SYNTHESIS[0], workspace.config.raw,
                                        source, [line for line, _ in numbered]) if studies else {})
    effects, expert = study_evidence(studies)
    pooled = pooled_study_units(again)
    return build_item_bank(evidence, load_templates(p.questions), config,
                           snapshot, built_at=now, effects=effects, expert=expert,
                           sources=study_sources(studies), pooled_studies=pooled,
                           agreeing=agreeing_study_units(again)), studies


def agreeing_study_units(again: Mapping[str, FactorResult]) -> dict[str, tuple[str, ...]]:
    """Per factor the re-run checked: the independent studies agreeing on its direction (``Verdict.agreeing``;
    papers of one cohort as one, ``a+b``), which decide whether a signal is replicated. The row's ``studies``
    column names every paper, of one cohort or without a direction too."""
    return {factor_id: result.verdict.agreeing for factor_id, result in again.items()}


def pooled_study_units(again: Mapping[str, FactorResult]) -> dict[str, tuple[str, ...]]:
    """Per factor with a pooled estimate: the studies it pools (``paper[cohort]`` for one cohort of a paper
    reporting several), from the synthesis re-run on the study files (``check_rows_against_studies``, which
    refused any row whose pooled estimate the re-run does not give). synthesis.csv has no such column (a stable
    output), and its explanation is prose; a row the re-run could not check (a study without its file, another
    synthesis given with --synthesis naming such studies) gets no k rather than a wrong one."""
    return {factor_id: tuple(r.unit for r in result.pool_rows)
            for factor_id, result in again.items() if result.pooled is not None}


def extraction_studies(extraction_dir: Path) -> list[Study]:
    """The extraction folder's study files, checked (none when it has no ``studies/``)."""
    from ..extraction.forms import load_studies

    if not (extraction_dir / "studies").is_dir():
        return []
    return load_studies(extraction_dir)


def study_evidence(studies: Sequence[Study]) -> tuple[dict[str, list[dict[str, Any]]], dict[str, list[dict[str, Any]]]]:
    """Per factor: the published estimate of each study, and expert (Delphi) ratings, for the report."""
    effects: dict[str, list[dict[str, Any]]] = {}
    expert: dict[str, list[dict[str, Any]]] = {}
    for study in studies:
        label = short_citation(study.citation, study.id)
        for est in study.estimates:
            effects.setdefault(est.factor, []).append({
                "study": study.id, "label": label, "measure": est.measure, "estimate": est.estimate,
                # the label the source prints beside this number, so a reader of the source finds it
                "measure_as_published": est.measure_as_published if est.estimate is not None else "",
                "ci_low": est.ci_low, "ci_high": est.ci_high, "subgroup": est.subgroup,
                "ci_level": None if is_standard_level(est.ci_level) else est.ci_level,
                "status": est.estimate_status if not est.has_ci else "",  # why a number or its CI is missing
                "status_nl": est.estimate_status_nl if not est.has_ci else "",
                "favourable": est.outcome_favourable, "outcome": est.outcome, "outcome_nl": est.outcome_nl,
                "contrast": est.contrast, "contrast_nl": est.contrast_nl, "subgroup_nl": est.subgroup_nl,
                # adjusted or crude, and where in the paper: `instrument diff` names a study's corrected number by them
                "p": est.p, "estimate_type": est.estimate_type, "source_location": est.source_location,
                # which way a study without a number went (its words in the study file's finding_basis): the
                # outputs said only why the number is missing, so a study that found the opposite read as support
                "finding": est.finding if est.estimate is None else "",
            })
        for rating in study.expert_ratings:
            expert.setdefault(rating.factor, []).append({
                "study": study.id, "label": label, "percent_agree": rating.percent_agree,
                "consensus": rating.consensus,
            })
    return effects, expert


def study_sources(studies: Sequence[Study]) -> dict[str, Source]:
    """Per study id: its short label, full citation, DOI and PMID, for the bank's list of sources."""
    return {study.id: Source(study.id, short_citation(study.citation, study.id), study.citation, study.doi,
                             study.pmid) for study in studies}


#: Saint/Sainte/Santa written short at the start of a surname ("St. Clair", "Ste. Marie").
_ABBREVIATED_PARTICLE = re.compile(r"\b(St|Ste|Sta)\.(?= [^\W\d])")


def short_citation(citation: str, fallback: str) -> str:
    """'Arends 2014' from 'Arends I, van der Klink JJL, … 2014;40(2):195-202.'"""
    # The first author ends at a comma, a semicolon or a full stop: a lone author ('Jones K. Title.
    # J 2021') has no comma, and the title must not become part of the name.
    # "St. Clair K" keeps its abbreviated first word: that full stop is part of the name.
    head = _ABBREVIATED_PARTICLE.sub(lambda m: m.group(1) + "\0", citation)
    author = re.split(r"[,;.]", head, maxsplit=1)[0].replace("\0", ".").split(" ")
    surname = " ".join(w for w in author if not (w.isupper() and len(w) <= 4)) or fallback
    year = re.search(r"\b(19|20)\d{2}\b", citation)
    return f"{surname} {year.group(0)}" if year else surname


def build(workspace: Workspace, synthesis: Path | None = None, *, now: datetime | None = None,
          exports: bool = True) -> BuildResult:
    """Compile, compare with the bank on disk, and write + record it when anything changed. A store that cannot
    be written here (a read-only workspace folder) is refused first: the bank file went before its row, which was
    refused, leaving the new bank beside the old exports."""
    if (store := workspace.store_if_there()) is not None:
        store.refuse_if_read_only()
    p = paths(workspace)
    previous = record_bank_file(workspace)
    config = workspace_config(workspace)  # read once: the bank's weights and the exports' thresholds
    bank, studies = _compile(workspace, synthesis, now, config)
    recorded = None
    changes = diff_banks(previous, bank) if previous is not None else []
    written = previous is None or bool(changes) or previous.content_sha256 != bank.content_sha256
    if not written:
        assert previous is not None
        bank = previous  # same evidence, same rules: keep the recorded version and its date
    else:
        store = workspace.store_if_there()
        recorded = versions_table.version_row(store, bank.version) if store is not None else None
        if recorded is not None:
            # This version was recorded before (its file since removed): the bank keeps that build's
            # dates, so the file is the one the row describes.
            bank.built_at = recorded.built_at.isoformat()
            bank.evidence = replace(bank.evidence, taken_at=recorded.evidence_taken_at)
    # Every export is rendered (and validated) before anything is written or recorded, so an
    # export that refuses the bank (an invalid FHIR item, a REDCap name) leaves the old files whole.
    texts = {fmt: export_file_text(bank, fmt, "nl", config) for fmt in EXPORT_FORMATS} if exports else {}
    if "fhir" in texts:
        texts["fhir"] = fhir.kept_if_only_the_tool_differs(_text_or_empty(p.folder / EXPORT_FILES["fhir"]),
                                                           texts["fhir"])
    if written:
        text = dumps_bank(bank)
        # The file first, then its row: a kill in between leaves a file whose version the next
        # build or history records (record_bank_file), never a row whose file was not written.
        write_text_atomic(p.item_bank, text)
        if recorded is None and workspace.store_if_there() is not None:  # (the row read above: not read again)
            _insert_version(workspace, bank, hashlib.sha256(text.encode("utf-8")).hexdigest())
    result = BuildResult(bank, previous, changes, written)
    sourced = {source.study for source in bank.sources}
    result.unsourced = sorted({s for item in bank.items for s in item.studies} - sourced)
    if config.base_rates:
        result.untraced_base_rates = untraced_base_rates(config.base_rates, studies)
    from ..extraction.forms import untraceable_warnings

    result.untraceable = untraceable_warnings(Path(SYNTHESIS[0]), studies)
    synthesised = {i.factor_id for i in bank.items} | {n.factor_id for n in bank.not_included}  # every row
    result.unknown_rule_factors = unknown_rule_factors(config, synthesised, p.scoring)
    if workspace.missing_store is not None:
        result.not_recorded = workspace.not_recorded_note("the item bank's version", plural=False)
    for fmt, text in texts.items():
        target = p.folder / EXPORT_FILES[fmt]
        write_text_atomic(target, text)
        result.exports.append(target)
    return result


def _text_or_empty(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):  # none yet, or not ours to keep: written anew
        return ""


def record_bank_file(workspace: Workspace) -> ItemBank | None:
    """The item bank on disk (None: no file yet), its version recorded in the store first if a build
    was killed between writing the file and recording it. A file whose content no longer matches its
    own hash (edited by hand) is not a build's and is not recorded."""
    path = paths(workspace).item_bank
    if not path.is_file():
        return None
    bank = read_bank(path)
    if bank.digest() == bank.content_sha256:
        _record(workspace, bank, hashlib.sha256(path.read_bytes()).hexdigest())
    return bank


def _record(workspace: Workspace, bank: ItemBank, item_bank_sha256: str) -> None:
    """One row for the bank's version in the store's history (nothing when it is there already)."""
    # A plain read first: history and an unchanged build must not wait for (or need) the write lock.
    store = workspace.store_if_there()  # (none: a build without the store records nothing; the next one does)
    if store is not None and versions_table.version_row(store, bank.version) is None:
        _insert_version(workspace, bank, item_bank_sha256)


def _insert_version(workspace: Workspace, bank: ItemBank, item_bank_sha256: str) -> None:
    versions_table.record_version(
        workspace.store, version=bank.version,
        built_at=datetime.fromisoformat(bank.built_at), evidence_sha256=bank.evidence.sha256,
        evidence_taken_at=bank.evidence.taken_at, evidence_source=bank.evidence.source,
        item_bank_sha256=item_bank_sha256,
        n_items=len(bank.scored_items), n_signals=len(bank.signal_items),
        n_not_included=len(bank.not_included),
        weights={i.factor_id: {"weight": i.weight, "level": i.level, "direction": i.direction,
                               "scored": i.scored} for i in bank.items},
        settings=bank.config,
    )


def current_bank(workspace: Workspace) -> ItemBank:
    return read_bank(paths(workspace).item_bank)


def export_file_text(bank: ItemBank, fmt: str, lang: str = "nl", config: InstrumentConfig | None = None) -> str:
    """What an export FILE holds: ``render_export``'s text, the REDCap dictionary behind a UTF-8 BOM.

    REDCap's own dictionary download starts with one, and without it Excel (whose sheet REDCap's
    instructions edit the dictionary in) reads the file as Windows-1252 and saves 'cliënt' back as
    'cliÃ«nt'. Standard output gets none: a pipe's reader does not expect one.
    """
    text = render_export(bank, fmt, lang, config)
    return redcap.UTF8_BOM + text if fmt == "redcap" else text


#: Exports that always hold both languages whatever ``lang`` asks, and where the English is.
BILINGUAL_EXPORTS: dict[str, str] = {"fhir": "FHIR translation extensions", "redcap": "each field's annotation"}


def render_export(bank: ItemBank, fmt: str, lang: str = "nl", config: InstrumentConfig | None = None) -> str:
    """The text of one export format (``config``: profile thresholds for the browser form)."""
    if fmt == "form":
        from .form import form_html

        return form_html(bank, config or InstrumentConfig(), lang)
    if fmt == "fhir":
        return fhir.questionnaire_text(fhir.questionnaire(bank))
    if fmt == "redcap":
        return redcap.data_dictionary(bank)
    if fmt == "markdown":
        return render.without_raw_html(render.questionnaire_markdown(bank, lang))
    if fmt == "html":
        title = bank.title_en if lang == "en" else bank.title_nl
        return render.to_html(render.questionnaire_markdown(bank, lang, english_marks=True), title, lang)
    if fmt == "guide":
        return render.without_raw_html(render.guide_markdown(bank, lang))
    if fmt == "guide-html":
        title = "Conversation guide" if lang == "en" else "Gesprekshandleiding"
        return render.to_html(render.guide_markdown(bank, lang, english_marks=True), title, lang)
    raise ValidationError(f"export format {fmt!r} is not one of {', '.join(EXPORT_FORMATS)}")


def export(workspace: Workspace, fmt: str, out: Path | None = None, *, lang: str = "nl",
           bank: ItemBank | None = None) -> Path:
    """Write one export (default: ``instrument/<EXPORT_FILES[fmt]>``); returns the path."""
    bank = bank or current_bank(workspace)
    text = export_file_text(bank, fmt, lang, workspace_config(workspace))
    target = Path(out) if out else paths(workspace).folder / EXPORT_FILES[fmt]
    write_text_atomic(target, text)
    return target


def diff_with_evidence(workspace: Workspace, synthesis: Path | None = None) -> list[Change]:
    """What a rebuild from the current synthesis would change in the bank on disk."""
    return diff_banks(current_bank(workspace), compile_bank(workspace, synthesis))


def version_history(workspace: Workspace) -> list[versions_table.InstrumentVersion]:
    """Every recorded build, oldest first, the bank on disk among them (``record_bank_file``)."""
    try:
        record_bank_file(workspace)
    except ValidationError:
        pass  # an unreadable bank file is the next build's to report; the history is still there
    return versions_table.versions(workspace.store)


@dataclass(slots=True)
class ScoredResponse:
    answers: dict[str, str]
    profile: Profile
    notes: list[Note]
    client_ref: str = ""
    answered_on: str = ""  # YYYY-MM-DD (local) the answers were last saved or authored; "" when unknown (today)


def score_answer_set(bank: ItemBank, config: InstrumentConfig, answer_set: AnswerSet) -> ScoredResponse:
    """A saved (or open) answer set scored against ``bank``, noting a version mismatch."""
    notes = ([Note(f"De antwoorden zijn gegeven bij versie {answer_set.instrument_version} van het "
                   f"instrument; gescoord met versie {bank.version}.",
                   f"The answers were given for instrument version {answer_set.instrument_version}; "
                   f"scored with version {bank.version}.")]
             if answer_set.instrument_version and answer_set.instrument_version != bank.version else [])
    answers = answer_set.answers
    return ScoredResponse(answers, score(bank, answers, config), notes, answer_set.client_ref,
                          local_day(answer_set.updated_at or ""))


def score_file(workspace: Workspace, path: Path) -> ScoredResponse:
    """Score a FHIR QuestionnaireResponse or a saved answer file against the current bank."""
    bank = current_bank(workspace)
    config = workspace_config(workspace)
    text = read_json_text(Path(path))
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        data = None
    kind = data.get("resourceType") if isinstance(data, dict) else None
    try:
        if kind == "QuestionnaireResponse":
            answers, notes = fhir.read_response(text, bank, str(path))
            # dated the day it was authored (the browser form's download), as the form's paper and file name
            authored = data.get("authored")
            return ScoredResponse(answers, score(bank, answers, config), notes,
                                  answered_on=local_day(authored) if isinstance(authored, str) else "")
        if isinstance(data, dict) and "answers" not in data:
            found = f"resourceType {kind!r}" if kind else "no resourceType"
            raise ValidationError(f"{path}: neither a FHIR QuestionnaireResponse ({found}) nor a saved answer "
                                  "file (no 'answers')")
        return score_answer_set(bank, config, AnswerSet.from_json(text, str(path)))
    except ValidationError as err:
        # Scoring's own refusals (an answer code the question does not offer) name no file.
        raise err if str(err).startswith(str(path)) else ValidationError(f"{path}: {err}") from None


def report_text(bank: ItemBank, scored: ScoredResponse, fmt: str = "markdown", lang: str = "nl") -> str:
    """The client report in Markdown or HTML (the CLI's and fill-in mode's): dated the day the
    answers were last saved (a FHIR response: authored), else today, in this machine's time zone."""
    date = scored.answered_on or datetime.now().astimezone().date().isoformat()
    markdown = render.report_markdown(bank, scored.profile, scored.answers, lang=lang,
                                      client_ref=scored.client_ref, date=date, notes=scored.notes,
                                      english_marks=fmt == "html")
    if fmt == "html":
        return render.to_html(markdown, "Profiel" if lang != "en" else "Profile", lang)
    return render.without_raw_html(markdown)
