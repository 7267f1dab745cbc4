"""``review synthesis``: from the extraction folder to synthesis.csv, synthesis.md and plots."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ValidationError, WorkspaceError
from ..extraction.factors import load_factors
from ..extraction.forms import FACTORS_FILE, load_studies, untraceable_warnings
from ..extraction.model import Factor, Study
from ..paths import WORKSPACE_FILE
from ..store import Store
from ..tomlread import SettingProblem, read_toml
from ..tomlwrite import TomlEditError, set_table_keys
from ..workspace import Workspace, refused_edit
from .evidence import RULE_SET_ALIASES, RULE_SETS, canonical_rule_set
from .freshness import input_digests, write_inputs
from .factors import FactorResult, SynthesisSettings, recorded_rule_set, study_quality, synthesise_factor
from .settings import config_table, workspace_settings
from .grade import GRADE_FILE, load_overrides
from .report import write_outputs


@dataclass(slots=True)
class SynthesisRun:
    results: list[FactorResult]
    written: list[Path]
    settings: SynthesisSettings
    n_studies: int
    #: One warning line per study file whose effect numbers name neither DOI nor PMID (``untraceable_warnings``).
    untraceable: list[str] = field(default_factory=list)


def synthesise_folder(extraction_dir: Path, settings: SynthesisSettings) -> tuple[list[FactorResult], int]:
    """Verdicts for every factor of ``factors.toml`` from the folder's study files."""
    results, studies = _synthesise_folder(extraction_dir, settings)
    return results, len(studies)


def _synthesise_folder(extraction_dir: Path, settings: SynthesisSettings) -> tuple[list[FactorResult], list[Study]]:
    extraction_dir = Path(extraction_dir)
    factors = load_factors(extraction_dir / FACTORS_FILE)
    studies = load_studies(extraction_dir, factors)
    overrides = load_overrides(extraction_dir / GRADE_FILE)
    unknown = [f for f in overrides if f not in factors]
    if unknown:
        raise ValidationError(f"{extraction_dir / GRADE_FILE}:{unknown[0]}: unknown factor")
    return synthesise_studies(factors, studies, settings, overrides), studies


def synthesise_studies(factors: Iterable[Factor], studies: list[Study], settings: SynthesisSettings,
                       overrides: Mapping[str, dict[str, Any]] | None = None) -> list[FactorResult]:
    """Verdicts for ``factors`` from studies already loaded (and checked against ``factors.toml``)."""
    quality = study_quality(studies, settings.collapse)
    overrides = overrides or {}
    return [synthesise_factor(f, studies, quality, settings, overrides.get(f.id)) for f in factors]


def run_synthesis(extraction_dir: Path, settings: SynthesisSettings, *, plots: bool = True,
                  before_writing: Callable[[], None] | None = None, title: str = "") -> SynthesisRun:
    """Synthesise the folder and write its outputs; ``before_writing`` runs between the two (once
    every study file was read and checked, before any output is written). ``title`` (the review's,
    from review.toml) heads the report."""
    results, studies = _synthesise_folder(extraction_dir, settings)
    if before_writing is not None:
        before_writing()
    written = write_outputs(results, extraction_dir, settings, plots=plots, n_studies=len(studies), title=title)
    untraceable = untraceable_warnings(extraction_dir, studies)
    return SynthesisRun(results, written, settings, len(studies), untraceable)


def _config(root: Path) -> dict[str, Any]:
    path = root / WORKSPACE_FILE
    if not path.is_file():
        return {}
    return read_toml(path, error=WorkspaceError)


def record_rule_set(config_path: Path, rule_set: str, settings: SynthesisSettings | None = None) -> None:
    """Pre-register the rule set in review.toml: append ``[synthesis]`` with the rule set and the
    readings it depends on (unrated studies; for ariens, the multiple-low-quality gap) when absent."""
    section = read_toml(config_path, error=WorkspaceError).get("synthesis")
    if section is not None and section.get("rule_set") is not None:
        return
    rules = (settings or SynthesisSettings()).rules
    readings = {"unrated_as": rules.unrated_as}
    if canonical_rule_set(rule_set) == "ariens":
        readings["ariens_multiple_low_quality"] = rules.ariens_multiple_low_quality
    if section is None:
        keys = {"rule_set": rule_set, **readings}
        comments = {
            "unrated_as": "# studies without a QUIPS rating count as this risk of bias in every rule set and in GRADE",
            "ariens_multiple_low_quality": "# Ariens gap: >= 2 consistent cohort studies, none high quality: "
                                           "\"some\" or \"inconclusive\"",
        }
        table_comment = (f"# evidence-level rule set for `review synthesis` ({' | '.join(RULE_SETS)}); "
                         "pre-registered: change deliberately")
    else:
        # A [synthesis] table of the team's own readings but no rule set: the lines go under its
        # header, its own readings kept (refusing would leave the team to add what the run chose).
        keys = {"rule_set": rule_set, **{k: v for k, v in readings.items() if k not in section}}
        comments = {"rule_set": "# evidence-level rule set, pre-registered by the first review synthesis: "
                                "change deliberately"}
        table_comment = ""
    try:
        set_table_keys(config_path, "synthesis", keys, comments=comments, table_comment=table_comment)
    except TomlEditError as err:
        raise WorkspaceError(refused_edit(config_path, err, f"add rule_set = \"{rule_set}\" to the [synthesis] table "
                                                            "by hand")) from None


@dataclass(slots=True)
class FolderSynthesis:
    """A synthesis run on an extraction folder, and how many GRADE rows its workspace got."""

    run: SynthesisRun
    grade_stored: int | None  # None: the folder belongs to no workspace
    notes: list[str] = field(default_factory=list)  # about the settings used (old names, defaults)
    not_recorded: str = ""  # the note of a run without the store: what it did not record


def synthesise_extraction(extraction_dir: Path, rule_set: str | None = None, *, workspace: Workspace | None,
                          reviewer: str = "", plots: bool = True) -> FolderSynthesis:
    """Run the synthesis of a folder with its workspace's settings; pre-register the rule set
    and store the GRADE judgements in ``workspace``, the folder's own (not the cwd's), if it has one."""
    root = Path(extraction_dir).resolve().parent
    config = _config(root)
    synthesis_section = config_table(config, "synthesis")
    recorded = recorded_rule_set(synthesis_section)
    if rule_set is not None:
        try:
            canonical_rule_set(rule_set)
        except ValidationError as err:
            raise ValidationError(f"--rule-set: {err}") from None
    if rule_set and recorded and canonical_rule_set(rule_set) != RULE_SET_ALIASES.get(recorded, recorded):
        raise SettingProblem("synthesis.rule_set", f"records {recorded!r}; edit review.toml to change the "
                                                   f"pre-registered rule set (asked for {rule_set!r})")
    settings = workspace_settings(config, rule_set)
    if rule_set:
        synthesis_section["rule_set"] = rule_set
    register = workspace is not None and recorded is None

    def pre_register() -> None:
        # Registered before synthesis.csv is written, so no synthesis.csv exists whose rule set
        # review.toml does not record (a kill between the two leaves the rule set registered and
        # the outputs to the next run); only once the study files read: a bad one registers nothing.
        if register:
            record_rule_set(root / WORKSPACE_FILE, settings.rule_set, settings)

    review = config.get("review")
    title = str(review.get("title") or "") if isinstance(review, dict) else ""
    read = input_digests(Path(extraction_dir))  # (before the run reads them: a file saved meanwhile is not current)
    run = run_synthesis(Path(extraction_dir), settings, plots=plots, before_writing=pre_register, title=title)
    # review.toml as it is now (the registration added the rule set and its readings): ``review status`` compares it
    run.written.append(write_inputs(Path(extraction_dir), settings.rule_set, _config(root) if register else config,
                                    read))
    notes = []
    if register and rule_set:
        notes.append(f"pre-registered rule set {settings.rule_set!r} in review.toml ([synthesis] rule_set); "
                     "later runs keep it")
    elif register:  # nobody chose it: calling the default "pre-registered" read as the team's prior choice
        notes.append(f"review.toml named no rule set: recorded the default {settings.rule_set!r} as [synthesis] "
                     "rule_set, which later runs keep; if the protocol names another, edit review.toml and run again")
    chosen = synthesis_section.get("rule_set")
    if chosen in RULE_SET_ALIASES:
        notes.append(f"rule set {chosen!r} is the old name of {RULE_SET_ALIASES[chosen]!r} (same rules)")
    unregistered = "ariens_multiple_low_quality" not in synthesis_section
    if settings.rule_set == "ariens" and recorded is not None and unregistered:
        notes.append("review.toml does not pre-register synthesis.ariens_multiple_low_quality; "
                     f"using {settings.rules.ariens_multiple_low_quality!r}")
    store = workspace.store_if_there() if workspace is not None else None
    stored = store_grade(store, run.results, reviewer) if store is not None else None
    not_recorded = ""
    if workspace is not None and store is None:
        not_recorded = workspace.not_recorded_note("the GRADE judgements", plural=True)
    return FolderSynthesis(run, stored, notes, not_recorded)


def store_grade(store: Store, results: list[FactorResult], reviewer: str) -> int:
    """Append a GRADE row per factor whose judgement changed since the last stored one."""
    from ..store import extraction as tables

    latest = tables.latest_grade_judgements(store)
    stored = 0
    for r in results:
        if r.grade is None:
            continue
        domains = r.grade.domains_json()
        previous = latest.get(r.factor.id)
        if previous and previous["domains"] == domains and previous["certainty"] == r.grade.certainty \
                and previous["start"] == r.grade.start:
            continue
        tables.add_grade_judgement(store, r.factor.id, start=r.grade.start, domains=domains,
                                   certainty=r.grade.certainty, source=r.grade.source, reviewer=reviewer)
        stored += 1
    return stored
