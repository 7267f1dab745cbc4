"""Validate service: the programme's own data, content validity, pilot agreement, evaluation.

One analysis (with the workspace's factor list and ``--to-extraction``), the analysis plan
(``validate/analyses.toml``) and the synthetic demo data. Returns typed results and raises
``ReviewError``s; never formats for a terminal. Stage code loads inside the functions.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ReviewError, ValidationError, check_input_file
from ..validate.delphi import DelphiRule
from ..validate.options import NumberRange, number_range
from ..validate.progress import reporting_progress
from ..validate.run import FIGURE_KINDS, PLAN_FILE, RESULTS_DIR, VALIDATE_DIR, PlannedAnalysis, result_json
from ..workspace import Workspace

if TYPE_CHECKING:
    from ..validate.own_data import OwnDataStudy

#: Kinds with a row per client, whose files should name each client once.
COHORT_KINDS = frozenset({"factors", "predictive", "survival"})
ID_COLUMN_EXAMPLES = "client, client_id, id, cliënt, clientnummer, dossiernummer, ..."

__all__ = [
    "PLAN_FILE", "VALIDATE_DIR", "Analysed", "Analysis", "AnalysisCancelled", "DelphiRule", "NumberRange", "number_range", "analyse",
    "analyse_planned", "check_planned", "planned_analyses", "reporting_progress", "result_json", "results_folder",
    "run_planned", "write_analysed", "write_demo",
]


class AnalysisCancelled(ReviewError):
    """The caller cancelled the analysis (the TUI: a later run superseded it) before it wrote anything."""

    title = "Validate"


#: One analysis writes its files at a time, and asks whether it was cancelled inside this lock: a run
#: cancelled before it got here writes nothing, and one that got here first has written all its files
#: before a later run (the one that cancelled it) writes any, so the files left are the latest run's.
_WRITING = threading.Lock()


@dataclass(slots=True)
class Analysis:
    """One finished analysis: the result dataclass, its report lines and what was written."""

    kind: str
    result: Any
    lines: list[str]
    written: list[Path] = field(default_factory=list)
    own_data: OwnDataStudy | None = None
    warnings: list[str] = field(default_factory=list)


def extraction_folder(workspace: Workspace | None, extraction_dir: Path | None) -> Path | None:
    if extraction_dir is not None:
        return Path(extraction_dir)
    return workspace.path("extraction") if workspace is not None else None


def _factor_list(extraction_dir: Path | None) -> Any:
    from ..extraction.factors import load_factors
    from ..extraction.forms import FACTORS_FILE

    if extraction_dir is None or not (extraction_dir / FACTORS_FILE).is_file():
        return None
    return load_factors(extraction_dir / FACTORS_FILE)


def analyse(kind: str, path: Path, options: dict[str, Any] | None = None, *, workspace: Workspace | None = None,
            extraction_dir: Path | None = None, json_out: Path | None = None,
            plot_out: Path | None = None, planned: bool = False,
            cancelled: Callable[[], bool] | None = None) -> Analysis:
    """Run one analysis; ``to_extraction`` (factors) writes the own-data study file. ``planned``: the run comes
    from the analysis plan file, so its adjustment set is on record as pre-specified. ``cancelled`` is asked
    before the analysis and before its files are written: once true, :class:`AnalysisCancelled` is raised and
    nothing is written."""
    _stop_if(cancelled)
    return write_analysed(_analysed(kind, path, options, workspace=workspace, extraction_dir=extraction_dir,
                                    json_out=json_out, plot_out=plot_out, planned=planned), cancelled=cancelled)


@dataclass(slots=True)
class Analysed:
    """An analysis run and checked, its files not yet written (:func:`write_analysed` writes them)."""

    analysis: Analysis
    options: dict[str, Any]
    folder: Path | None
    factor_list: Any
    json_out: Path | None
    plot_out: Path | None
    planned: bool
    figure: bytes | None = None  # drawn before the first file of a plan is written (analyse_planned)

    @property
    def to_extraction(self) -> bool:
        return self.analysis.kind == "factors" and bool(self.options.get("to_extraction"))


def _analysed(kind: str, path: Path, options: dict[str, Any] | None, *, workspace: Workspace | None,
              extraction_dir: Path | None, json_out: Path | None, plot_out: Path | None, planned: bool) -> Analysed:
    from ..validate.report import report_lines
    from ..validate.run import check_figure, check_privacy, run_analysis
    from ..validate.table import collected_warnings

    options = dict(options or {})
    warnings = check_privacy(kind, Path(path), [p for p in (json_out, plot_out) if p is not None])
    if plot_out is not None:
        check_figure(kind, Path(plot_out))
    folder = extraction_folder(workspace, extraction_dir)
    factor_list = _factor_list(folder) if kind == "factors" else None
    if kind == "factors" and options.get("to_extraction") and (folder is None or factor_list is None):
        raise ReviewError(f"--to-extraction: no extraction folder with factors.toml "
                          f"({folder or 'not in a workspace'}); use --extraction DIR or --workspace")
    if kind == "factors" and options.get("to_extraction") and not Path(path).is_file():
        # (through <(…) the study named '63' and hashed no content; a FIFO waited forever to be hashed)
        raise ValidationError(f"{path}: --to-extraction needs the data as a file, not a pipe: the study file names the "
                              "file and the SHA-256 of its content, and a pipe is read only once")
    if kind == "factors" and factor_list is not None and not options.get("factor"):
        options["known_factors"] = {f.id for f in factor_list}
    with collected_warnings() as read:  # (the data file's and any other it reads, as delphi's previous round)
        result = run_analysis(kind, path, options)
    if kind == "predictive" and folder is not None:
        warnings.extend(_built_from_warnings(Path(path), folder))
    analysis = Analysis(kind, result, report_lines(result), warnings=read + warnings)
    if kind in COHORT_KINDS and result.id_column is None:
        analysis.warnings.append(f"{Path(path).name}: no client id column ({ID_COLUMN_EXAMPLES}): a client who appears "
                                 "twice cannot be found; name the column that holds each client once like one of these")
    return Analysed(analysis, options, folder, factor_list, json_out, plot_out, planned)


def write_analysed(analysed: Analysed, *, cancelled: Callable[[], bool] | None = None) -> Analysis:
    """Write what an analysis writes: the own-data study file (checked like every study file: a refusal comes
    before the JSON and figure), the JSON and the figure."""
    from ..validate.run import write_json, write_plot

    analysis = analysed.analysis
    with _WRITING:
        _stop_if(cancelled)
        if analysed.to_extraction:
            analysis.own_data = _own_data_study(analysed)
            analysis.written.append(analysis.own_data.path)
            analysis.warnings.extend(analysis.own_data.warnings)
        if analysed.json_out is not None:
            analysis.written.append(write_json(analysis.result, analysed.json_out))
        if analysed.plot_out is not None:
            analysis.written.append(write_plot(analysis.result, analysed.plot_out, analysed.figure))
    return analysis


def _own_data_study(analysed: Analysed, *, dry_run: bool = False) -> OwnDataStudy:
    from ..validate.own_data import write_own_data_study

    assert analysed.folder is not None and analysed.factor_list is not None
    return write_own_data_study(analysed.analysis.result, analysed.folder, analysed.factor_list,
                                study_id=analysed.options.get("study_id"),
                                description=analysed.options.get("description"), planned=analysed.planned,
                                dry_run=dry_run)


def _stop_if(cancelled: Callable[[], bool] | None) -> None:
    if cancelled is not None and cancelled():
        raise AnalysisCancelled("analysis cancelled before it wrote anything")


def _built_from_warnings(path: Path, folder: Path) -> list[str]:
    """A predictive check on clients whose own-data estimates went into the instrument is optimistic."""
    from ..validate.own_data import own_data_studies, studies_built_from

    if not path.is_file():  # a pipe was read by the analysis and cannot be read again to hash its content
        studies = own_data_studies(folder)
        return [f"{path.name}: read from a pipe, so its content cannot be compared with the own-data studies of "
                f"{folder / 'studies'} ({', '.join(p.stem for p in studies)}): if these clients helped build the "
                "instrument, its C-statistic here is optimistic"] if studies else []
    return [f"{path.name}: own-data study {study.path.stem} ({study.path}) was estimated from "
            + ("this file (the same content)" if study.same_content else "a file of this name")
            + ", so these clients helped build the instrument and its C-statistic here is optimistic; check it on "
              "clients outside that study" for study in studies_built_from(path, folder)]


def plan_path(workspace: Workspace | None, plan: Path | None) -> Path:
    if plan is not None:
        return Path(plan)
    if workspace is None:
        raise ReviewError("no analysis plan: give --plan FILE or run inside a workspace with validate/analyses.toml")
    return workspace.root / VALIDATE_DIR / PLAN_FILE


def planned_analyses(workspace: Workspace | None, plan: Path | None = None,
                     out_dir: Path | None = None) -> list[PlannedAnalysis]:
    """The plan's analyses, refused when two would write one file where they will be run: beside their data
    files (the TUI, ``validate run``) or into ``out_dir`` (``validate run --out``). The one check of it."""
    from ..validate.run import load_plan

    path = plan_path(workspace, plan)
    if path.exists() and not path.is_dir():
        # A plan names its data files relative to its own folder, which a pipe (/dev/fd/63) lacks;
        # plans hold no client data. So, unlike the data files, the plan must be a regular file.
        check_input_file(path)
    if not path.is_file():
        raise ReviewError(f"{path}: no analysis plan (write one, or `review validate demo` for an example)")
    planned = load_plan(path)
    _check_distinct_outputs(planned, out_dir)
    return planned


def results_folder(item: PlannedAnalysis, out_dir: Path | None = None) -> Path:
    """Where a planned analysis writes: ``out_dir``, else ``results/`` beside its data file (personal data,
    and so its results, lie outside any repository: :func:`check_planned` refuses them inside one)."""
    return Path(out_dir) if out_dir is not None else item.file.parent / RESULTS_DIR


def planned_outputs(item: PlannedAnalysis, out_dir: Path | None = None) -> list[Path]:
    """The files a planned analysis writes: its JSON and, for the kinds that draw one, its figure."""
    out = results_folder(item, out_dir)
    return [out / f"{item.slug}.json"] + ([out / f"{item.slug}.png"] if item.kind in FIGURE_KINDS else [])


def _check_distinct_outputs(items: list[PlannedAnalysis], out_dir: Path | None = None) -> None:
    """Refuse two analyses that would write one file (the second result silently replacing the first),
    compared on the resolved paths: one name in two data folders writes two ``results/`` folders, while
    ``--out`` (one folder for all) makes them one file."""
    writers: dict[Path, tuple[int, PlannedAnalysis]] = {}
    for number, item in enumerate(items, 1):
        for path in planned_outputs(item, out_dir):
            first_number, first = writers.setdefault(path.resolve(), (number, item))
            if first is not item:
                raise ValidationError(f"{path}: analysis[{first_number}] {first.name!r} and analysis[{number}] "
                                      f"{item.name!r} would both write this file: give one of them another name")


def check_planned(items: list[PlannedAnalysis], out_dir: Path | None = None) -> None:
    """Every privacy check of a plan, every output it writes and every column it names, before anything runs:
    one refused analysis, a column missing from its file or one output that cannot be written (the ``OSError``
    naming it, as the CLI's ``check_outputs`` raises for one command) writes nothing. ``items`` come from :func:`planned_analyses` with the same ``out_dir``,
    which refused two analyses writing one file."""
    from ..atomic import check_writable
    from ..validate.run import check_columns, check_privacy

    for item in items:
        outputs = planned_outputs(item, out_dir)
        check_privacy(item.kind, item.file, outputs)
        for path in outputs:
            check_writable(path)
    for item in items:  # read once every output is known to be writable and every file allowed where it lies
        check_columns(item)


def run_planned(item: PlannedAnalysis, *, workspace: Workspace | None = None,
                out_dir: Path | None = None, cancelled: Callable[[], bool] | None = None) -> Analysis:
    """One analysis of the plan, its JSON (and figure) written under :func:`results_folder` (nothing once
    ``cancelled`` says so: :func:`analyse`)."""
    json_out, *figure = planned_outputs(item, out_dir)
    return analyse(item.kind, item.file, item.options, workspace=workspace, json_out=json_out,
                   plot_out=figure[0] if figure else None, planned=True, cancelled=cancelled)


def analyse_planned(item: PlannedAnalysis, *, workspace: Workspace | None = None,
                    out_dir: Path | None = None) -> Analysed:
    """One analysis of the plan run and checked, its own-data study file too, nothing written: ``validate run``
    analyses the whole plan first and writes (:func:`write_analysed`) only once every analysis has passed, so a
    refusal by the last one's data writes nothing (until 2026-12-07 the analyses before it had written their
    results, beside the older results of the ones after it)."""
    json_out, *figure = planned_outputs(item, out_dir)
    analysed = _analysed(item.kind, item.file, item.options, workspace=workspace, extraction_dir=None,
                         json_out=json_out, plot_out=figure[0] if figure else None, planned=True)
    if analysed.to_extraction:
        _own_data_study(analysed, dry_run=True)
    if analysed.plot_out is not None:  # drawn now: drawing the plan's figures took a second or more of its writing
        from ..validate.run import draw_plot

        analysed.figure = draw_plot(analysed.analysis.result, analysed.plot_out)
    return analysed


def write_demo(folder: Path, seed: int | None = None) -> list[Path]:
    """The synthetic data sets and their analysis plan."""
    from ..validate.demo import DEFAULT_SEED, write_demo_data

    return write_demo_data(Path(folder), DEFAULT_SEED if seed is None else seed)
