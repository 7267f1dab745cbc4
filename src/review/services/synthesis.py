"""Synthesis service: pool a CSV of estimates (``review meta``) and the evidence per factor
(``review synthesis``)."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ChoiceError, ReviewError, ValidationError
from ..levels import STANDARD_LEVEL, is_standard_level, level_percent
from ..plotformats import check_plot_path
from ..synthesis.methods import METHODS
from ..textdecode import fallback_warning
from ..tomlread import SettingProblem

if TYPE_CHECKING:  # (the pooling engine loads numpy and scipy, ~1 s: imported where a file is pooled, so the
    # commands' help and the checks before the work do without them)
    from ..synthesis.effects_csv import EffectTable
    from ..synthesis.meta import MetaResult
    from ..synthesis.run import FolderSynthesis

__all__ = [
    "METHODS", "MetaRun", "check_forest_plot", "check_plot_path", "check_rule_set", "favours_labels", "meta_json", "pool_file", "synthesise_extraction",
    "write_forest_plot",
]


@dataclass(frozen=True, slots=True)
class MetaRun:
    """A pooled CSV: the result, the common-effect one beside a random-effects result, the table read."""

    file: Path
    measure: str
    result: MetaResult
    fixed: MetaResult | None
    table: EffectTable
    #: Neither ``--measure`` nor a ``measure`` column named the measure: OR was taken.
    measure_assumed: bool = False

    @property
    def warnings(self) -> list[str]:
        fallback = fallback_warning(self.file, self.table.encoding)
        assumed = [f"{self.file}: no --measure and no measure column: the estimates are read as odds ratios "
                   "(OR); name the measure if they are not"] if self.measure_assumed else []
        single = [f"{self.file}: one study: nothing is pooled; its own estimate is shown as the common-effect "
                  "result (metafor fits that model for k = 1)"] if self.result.k == 1 else []
        fe_hk = [f"{self.file}: Hartung–Knapp with --method FE: the adjustment is meant for random-effects "
                 "models (metafor warns the same)"] if self.result.method == "FE" and self.result.hk else []
        return ([fallback] if fallback else []) + assumed + single + fe_hk + self._level_warning() + list(
            self.table.warnings)

    def _level_warning(self) -> list[str]:
        """One line when --level is not 95 % and some entered CI gives no ``ci_level``: that CI is read
        as 95 % (what papers report), not at --level (as before 2026-12-06)."""
        if is_standard_level(self.result.level):
            return []
        unstated = [study for study, ci, given in zip(self.table.studies, self.table.entered_ci,
                                                       self.table.level_given, strict=True)
                    if ci is not None and not given]
        if not unstated:
            return []
        return [f"{self.file}: --level {self.result.level:g} sets the pooled and computed intervals only; "
                f"the entered CIs of {len(unstated)} of {self.result.k} studies have no ci_level and are read as "
                f"{level_percent(STANDARD_LEVEL)} CIs (add a ci_level column if they are not)"]

    @property
    def shown_ci(self) -> list[tuple[float, float] | None]:
        """Per study the CI as entered where it is at the level asked, else None (the table and the plot
        then draw the CI at ``--level`` from the study's SE, so their header and axis stay true)."""
        return [ci if ci is not None and at is not None and math.isclose(at, self.result.level) else None
                for ci, at in zip(self.table.entered_ci, self.table.entered_level, strict=True)]

    def report(self) -> str:
        """The printed table (like ``print(metagen)``) and, if cells were corrected, the note."""
        from ..synthesis.effects_csv import correction_note
        from ..synthesis.tables import meta_table

        text = meta_table(self.result, fixed=self.fixed, entered_ci=self.shown_ci)
        note = correction_note(self.table)
        return text + ("\n" + note if note else "")


def pool_file(file: Path, *, measure: str | None = None, method: str = "REML", hk: bool = False,
              hk_adhoc: bool = False, level: float = STANDARD_LEVEL, prediction: str = "meta") -> MetaRun:
    """Pool the estimates in ``file`` like R's metagen."""
    from ..synthesis.effects_csv import read_effects_csv
    from ..synthesis.meta import pool

    method = method.upper()
    if not 0 < level < 1:
        raise ValidationError(f"--level {level}: must lie between 0 and 1")
    table = read_effects_csv(file, measure=measure)  # entered CIs are 95 % unless ci_level says otherwise
    assumed = not table.measure and measure is None
    measure = table.measure or (measure or "OR").upper()
    fixed = pool(table.yi, table.vi, method="FE", level=level, measure=measure, studies=table.studies)
    result = fixed
    if method != "FE" and len(table.yi) > 1:  # k = 1: no between-study variance, no HK (as metafor)
        result = pool(table.yi, table.vi, method=method, hk=hk, hk_adhoc=hk_adhoc, level=level, measure=measure,
                      studies=table.studies, prediction=prediction)
    elif (hk or hk_adhoc) and len(table.yi) > 1:
        result = pool(table.yi, table.vi, method="FE", hk=True, hk_adhoc=hk_adhoc, level=level, measure=measure,
                      studies=table.studies)
    return MetaRun(Path(file), measure, result, fixed if result is not fixed else None, table,
                   measure_assumed=assumed)


def meta_json(run: MetaRun) -> str:
    """The full result as JSON (non-finite numbers as null), as ``review meta --json`` writes it."""
    from ..synthesis.meta import CONTINUITY_CORRECTION

    payload: dict[str, Any] = {"input": str(run.file), "result": run.result.to_dict()}
    if run.fixed is not None:
        payload["common_effect"] = run.fixed.to_dict()
    payload["entered_ci"] = [list(ci) if ci is not None else None for ci in run.table.entered_ci]
    payload["continuity_correction"] = {"add": CONTINUITY_CORRECTION, "studies": run.table.corrected}
    payload["warnings"] = run.table.warnings
    return json.dumps(payload, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def favours_labels(favours: str | None) -> tuple[str, str] | None:
    """``--favours 'LEFT|RIGHT'``: the forest plot's labels below and above the null."""
    if favours is None:
        return None
    parts = [p.strip() for p in favours.split("|")]
    if len(parts) != 2 or not all(parts):
        raise ValidationError(f"--favours {favours!r}: expected 'LEFT|RIGHT', e.g. 'favours treatment|favours control'")
    return parts[0], parts[1]


def check_forest_plot(run: MetaRun, out: Path) -> None:
    """Refuse a forest plot that cannot be drawn (a PNG too tall), before anything is written."""
    from ..synthesis.forest import png_height_problem, rows_from_result

    problem = png_height_problem(rows_from_result(run.result, run.shown_ci), out, result=run.result, fixed=run.fixed,
                                 title=run.file.stem)
    if problem is not None:
        raise ReviewError(problem)


def write_forest_plot(run: MetaRun, out: Path, *, favours: tuple[str, str] | None = None) -> None:
    """A forest plot (.png or .svg); ``favours`` labels the sides of the null."""
    from ..synthesis.forest import forest_plot, rows_from_result

    try:
        forest_plot(rows_from_result(run.result, run.shown_ci), out, measure=run.measure,
                    result=run.result, fixed=run.fixed, title=run.file.stem, favours=favours)
    except ValueError as err:
        raise ReviewError(str(err)) from err


def check_rule_set(name: str) -> str:
    """``name`` as ``--rule-set`` gives it; one that names no rule set (an old name does) raises
    ``ChoiceError``, a command-line mistake, before anything is read or written."""
    from ..synthesis.evidence import canonical_rule_set, rule_set_choices

    try:
        canonical_rule_set(name)
    except ValidationError:
        raise ChoiceError("--rule-set", name, f"is not a rule set (expected one of: {rule_set_choices()})") from None
    return name


def synthesise_extraction(extraction_dir: Path, rule_set: str | None = None, *, reviewer: str = "",
                          plots: bool = True) -> FolderSynthesis:
    """Evidence level per factor from an extraction folder: synthesis.csv, synthesis.md, plots/;
    GRADE judgements go to the folder's workspace, whose store first gets every study file it lacks
    (a form save killed before its store write), so it never disagrees with what was synthesised."""
    from ..synthesis.run import synthesise_extraction as run
    from ..paths import WORKSPACE_FILE
    from ..workspace import Workspace
    from .extraction import store_changed_files

    root = Path(extraction_dir).resolve().parent
    if not (root / WORKSPACE_FILE).is_file():
        return run(extraction_dir, rule_set, workspace=None, reviewer=reviewer, plots=plots)
    folder_workspace = Workspace(root)  # opened once, for the catch-up and the GRADE rows
    try:
        # No store (not in this copy): the files are synthesised all the same; the GRADE history and the study
        # rows catch up from the files on the first run with the store (decision 0041's addendum).
        if (store := folder_workspace.store_if_there()) is not None:
            # One that cannot be written here (a read-only workspace folder) is refused before the files: they
            # were written, then the GRADE rows refused with "nothing was written".
            store.refuse_if_read_only()
            store_changed_files(folder_workspace, Path(extraction_dir))
        return run(extraction_dir, rule_set, workspace=folder_workspace, reviewer=reviewer, plots=plots)
    except SettingProblem as problem:
        # The folder's own review.toml and the key's line: a shell locates a setting in the workspace the command
        # runs in, which named the wrong file for `--extraction` of another workspace (rrev24b).
        raise folder_workspace.located(problem) from None
    finally:  # its own engine: release the connections now, not whenever it is garbage collected
        if "store" in folder_workspace.__dict__:
            folder_workspace.store.engine.dispose()
