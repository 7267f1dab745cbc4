"""One entry point per kind, the analysis plan (``validate/analyses.toml``) and the files a run writes.

The CLI and the TUI both call :func:`run_analysis`; results are written as JSON (0600: some
hold per-person values such as SUS scores), a text report and, where one helps, a figure.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..atomic import make_folders, write_text_atomic
from ..errors import ImportFormatError, ReviewError, ValidationError, check_input_file
from ..tomlread import TomlProblem, problems_located, read_toml_located, toml_key
from ..paths import enclosing_repository
from .options import NUMBER_OPTIONS, number_range
from .table import is_synthetic

VALIDATE_DIR = "validate"
PLAN_FILE = "analyses.toml"
RESULTS_DIR = "results"

#: The options each kind takes (beyond its file), as in the CLI (dashes become underscores).
KIND_OPTIONS: dict[str, tuple[str, ...]] = {
    "factors": ("outcome", "time", "event", "adjust", "factor", "level", "to_extraction", "study_id", "description"),
    "cvi": ("threshold",),
    "delphi": ("previous", "consensus", "scale_min", "scale_max", "agree_from", "disagree_to"),
    "kappa": ("weights", "level", "bootstrap", "seed"),
    "icc": ("level",),
    "sus": ("level",),
    "predictive": ("outcome", "predictor", "time", "horizon", "level", "bootstrap", "seed"),
    "survival": ("time", "event", "group", "strata", "reference", "level"),
}
KINDS: tuple[str, ...] = tuple(KIND_OPTIONS)
#: Kinds that draw a figure (``--plot``; ``validate run`` writes it beside the JSON).
FIGURE_KINDS: frozenset[str] = frozenset({"survival", "predictive"})
FIGURE_SUFFIXES: tuple[str, ...] = (".png", ".svg", ".pdf")
#: Kinds whose file holds a row per client (or per labour expert): real files of these kinds, and
#: everything computed from them, stay outside any repository or workspace.
PERSONAL_KINDS: frozenset[str] = frozenset({"factors", "predictive", "survival", "kappa", "icc", "sus"})
REQUIRED_OPTIONS: dict[str, tuple[str, ...]] = {
    "factors": ("outcome",), "predictive": ("outcome", "predictor"), "survival": ("time", "event", "group"),
}
#: A plan's options take the values the command line's do, checked when the plan is read: a wrong value in
#: the last analysis stops the run before the first one writes (``horizon = "een jaar"`` was a traceback
#: after the analyses before it had written their results). Number options: :mod:`.options`.
COLUMN_TEXT_OPTIONS = frozenset({"outcome", "time", "event", "predictor", "group", "strata"})
#: what each other text option holds, as its refusal says it (``previous = 3`` "is not a column name" misled)
OTHER_TEXT_OPTIONS: dict[str, str] = {"previous": "a file name", "study_id": "text", "description": "text",
                                      "reference": "a group name (text)"}
LIST_OPTIONS = frozenset({"adjust", "factor"})  # a column name or a list of them
CHOICE_OPTIONS: dict[str, tuple[str, ...]] = {"weights": ("linear", "quadratic", "none")}


def _factors(path: Path, o: dict[str, Any]) -> Any:
    from .factors import factor_associations

    return factor_associations(path, outcome=o["outcome"], time=o.get("time"), event=o.get("event"),
                               adjust=list(o.get("adjust") or []), factors=list(o.get("factor") or []) or None,
                               known_factors=o.get("known_factors"), level=o.get("level", 0.95))


def _cvi(path: Path, o: dict[str, Any]) -> Any:
    from .cvi import DEFAULT_THRESHOLD, content_validity

    return content_validity(path, threshold=o.get("threshold", DEFAULT_THRESHOLD))


def _delphi(path: Path, o: dict[str, Any]) -> Any:
    from .delphi import RULE_FIELDS, DelphiRule, delphi_round

    rule = DelphiRule(**{k: o[k] for k in RULE_FIELDS if o.get(k) is not None})
    return delphi_round(path, previous=o.get("previous"), rule=rule)


def _kappa(path: Path, o: dict[str, Any]) -> Any:
    from .kappa import DEFAULT_BOOTSTRAP, rater_agreement

    return rater_agreement(path, weights=o.get("weights", "linear"), level=o.get("level", 0.95),
                           n_boot=o.get("bootstrap", DEFAULT_BOOTSTRAP), seed=o.get("seed", 0))


def _icc(path: Path, o: dict[str, Any]) -> Any:
    from .icc import intraclass

    return intraclass(path, level=o.get("level", 0.95))


def _sus(path: Path, o: dict[str, Any]) -> Any:
    from .sus import usability

    return usability(path, level=o.get("level", 0.95))


def _predictive(path: Path, o: dict[str, Any]) -> Any:
    from .predictive import DEFAULT_BOOTSTRAP, predictive_check

    return predictive_check(path, outcome=o["outcome"], predictor=o["predictor"], time=o.get("time"),
                            horizon=o.get("horizon"), level=o.get("level", 0.95),
                            n_boot=o.get("bootstrap", DEFAULT_BOOTSTRAP), seed=o.get("seed", 0))


def _survival(path: Path, o: dict[str, Any]) -> Any:
    from .survival import survival_by_group

    return survival_by_group(path, time=o["time"], event=o["event"], group=o["group"], strata=o.get("strata"),
                             reference=o.get("reference"), level=o.get("level", 0.95))


RUNNERS: dict[str, Callable[[Path, dict[str, Any]], Any]] = {
    "factors": _factors, "cvi": _cvi, "delphi": _delphi, "kappa": _kappa, "icc": _icc, "sus": _sus,
    "predictive": _predictive, "survival": _survival,
}


def run_analysis(kind: str, path: Path | str, options: dict[str, Any] | None = None) -> Any:
    """The result dataclass of one analysis; every bad input raises a one-line ``ValidationError``."""
    if kind not in RUNNERS:
        raise ValidationError(f"unknown kind {kind!r}: expected one of {', '.join(KINDS)}")
    options = {k: v for k, v in (options or {}).items() if v is not None}
    missing = [o for o in REQUIRED_OPTIONS.get(kind, ()) if not options.get(o)]
    if missing:
        raise ValidationError(f"{kind}: --{missing[0].replace('_', '-')} is required")
    for key, value in options.items():  # the command line and the plan checked these; other callers may not have
        if key in NUMBER_OPTIONS and not (spec := number_range(kind, key)).accepts(value):
            raise ValidationError(f"--{key.replace('_', '-')} {value}: out of range ({spec.describe()})")
    return RUNNERS[kind](Path(path), options)


def check_privacy(kind: str, data: Path, outputs: list[Path]) -> list[str]:
    """Refuse personal data, or its results, inside a repository or workspace; warnings for the rest.

    Files marked synthetic (a leading ``# SYNTHETIC`` line, as the demo writes) are exempt.
    """
    if is_synthetic(data):
        return []
    where = enclosing_repository(data)
    if where is not None and kind in PERSONAL_KINDS:
        raise ValidationError(f"{data}: personal data inside a repository or workspace ({where}); keep it outside "
                              "(demo data: mark it with a leading '# SYNTHETIC' line)")
    if kind in PERSONAL_KINDS:
        for out in outputs:
            inside = enclosing_repository(out)
            if inside is not None:
                raise ValidationError(f"{out}: results of personal data may not be written inside a repository "
                                      f"or workspace ({inside}); write them outside it")
    if where is not None:
        return [f"{data}: data inside a repository or workspace ({where}); keep personal data outside, "
                "or mark demo data with a leading '# SYNTHETIC' line"]
    return []


def result_json(result: Any) -> str:
    data = result.to_json()
    data["synthetic"] = is_synthetic(result.path)
    try:
        return json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    except ValueError:  # a NaN or infinity that slipped past the checks: one line, not a traceback
        raise ValidationError(f"{result.path}: the result holds a number that is not finite; "
                              "nothing written (please report the data's shape)") from None


@contextmanager
def _writing(path: Path) -> Iterator[None]:
    """Turn an unwritable output into one line naming it, with the exit code of every output a command
    cannot write (1; the callers check outputs before the work, so this is a failure during the write)."""
    try:
        yield
    except OSError as err:
        raise ReviewError(f"{path}: cannot write ({err.strerror or err})", title="Output") from None


def write_json(result: Any, path: Path) -> Path:
    """The result as JSON, readable by its owner only (results may hold per-person values)."""
    with _writing(Path(path)):
        make_folders(Path(path).parent, 0o700)  # a new results/ is its owner's only, and the folders above it
        write_text_atomic(Path(path), result_json(result), mode=0o600)
    return Path(path)


def check_figure(kind: str, path: Path) -> None:
    """A figure only for the kinds that have one, as .png, .svg or .pdf: checked before anything runs."""
    if kind not in FIGURE_KINDS:
        raise ValidationError(f"--plot: {kind} has no figure (survival and predictive do)")
    if Path(path).suffix.lower() not in FIGURE_SUFFIXES:
        raise ValidationError(f"{path}: a figure is written as .png, .svg or .pdf")


def draw_plot(result: Any, path: Path) -> bytes:
    """The figure of the kinds that have one (survival: KM curves; predictive: calibration), drawn in the format
    ``path`` names (as :func:`check_figure` allows, asked before the analysis ran), not written."""
    from . import plots
    from .predictive import PredictiveResult
    from .survival import SurvivalResult

    synthetic = is_synthetic(result.path)
    if isinstance(result, SurvivalResult):
        return plots.km_figure(result, plots.figure_format(path), synthetic=synthetic)
    if isinstance(result, PredictiveResult):
        return plots.calibration_figure(result, plots.figure_format(path), synthetic=synthetic)
    raise ValidationError(f"--plot: {type(result).__name__} has no figure (survival and predictive do)")


def write_plot(result: Any, path: Path, drawn: bytes | None = None) -> Path:
    """Write the figure :func:`draw_plot` draws (``drawn``, when it was drawn before: ``validate run`` draws every
    figure of the plan before it writes its first file)."""
    from . import plots

    if drawn is None:
        drawn = draw_plot(result, path)
    with _writing(Path(path)):
        return plots.write_figure(path, drawn)


# -- the analysis plan -------------------------------------------------------------------------

@dataclass(slots=True)
class PlannedAnalysis:
    """One ``[[analysis]]`` of the plan: a name, a kind, a file (relative to the plan) and options."""

    name: str
    kind: str
    file: Path
    options: dict[str, Any] = field(default_factory=dict)
    #: the plan's table, as its refusals name it (``analyses.toml:analysis[2]``); "" for one built elsewhere
    where: str = ""

    @property
    def slug(self) -> str:
        return "".join(c if c.isalnum() else "_" for c in self.name.lower()).strip("_")


def _plan_option(where: str, kind: str, key: str, value: Any) -> Any:
    """``value`` as the analysis takes it, or a :class:`TomlProblem` naming the plan's field (``analysis[2].horizon``)
    and what it should be."""
    if key in COLUMN_TEXT_OPTIONS and (not isinstance(value, str) or not value.strip()):
        raise TomlProblem(f"{where}.{key}", f"{value!r} is not a column name (text)")
    if key in OTHER_TEXT_OPTIONS and (not isinstance(value, str) or not value.strip()):
        raise TomlProblem(f"{where}.{key}", f"{value!r} is not {OTHER_TEXT_OPTIONS[key]}")
    if key in LIST_OPTIONS:
        values = [value] if isinstance(value, str) else value
        if not isinstance(values, list) or not all(isinstance(v, str) and v.strip() for v in values):
            raise TomlProblem(f"{where}.{key}", f"{value!r} is not a column name or a list of them")
        return values
    if key in CHOICE_OPTIONS and value not in CHOICE_OPTIONS[key]:
        raise TomlProblem(f"{where}.{key}", f"{value!r} not one of {', '.join(CHOICE_OPTIONS[key])}")
    if key == "to_extraction" and not isinstance(value, bool):
        raise TomlProblem(f"{where}.{key}", f"{value!r} is not true or false")
    if key in NUMBER_OPTIONS:
        spec = number_range(kind, key)
        if isinstance(value, bool) or not isinstance(value, int if spec.whole else (int, float)):
            raise TomlProblem(f"{where}.{key}", f"{value!r} is not {'a whole number' if spec.whole else 'a number'}")
        if not spec.accepts(value):
            raise TomlProblem(f"{where}.{key}", f"{value!r} out of range ({spec.describe()})")
    return value


def _check_delphi_rule(where: str, options: dict[str, Any]) -> None:
    """The Delphi scale points must rise: the rule's own check, as the command line asks it."""
    from .delphi import RULE_FIELDS, DelphiRule

    try:
        DelphiRule(**{k: options[k] for k in RULE_FIELDS if k in options}).check()
    except ValueError as err:
        raise TomlProblem(where, str(err)) from None


#: The options that name a column of the analysis's data file.
COLUMN_OPTIONS: tuple[str, ...] = ("outcome", "time", "event", "adjust", "factor", "predictor", "group", "strata")


def check_columns(item: PlannedAnalysis) -> None:
    """Every column a planned analysis names is in its file's header: asked of the whole plan before the first
    analysis runs, so a misspelt column in the last one writes nothing (it stopped the run there, exit 4,
    after the analyses before it had written their results)."""
    from .table import read_table

    table = None
    for key in COLUMN_OPTIONS:
        value = item.options.get(key)
        named = [value] if isinstance(value, str) else value or []
        if not named:
            continue
        if table is None:
            table = read_table(item.file)
        try:
            table.require(*named)
        except ValidationError as err:  # which analysis named it: three of the demo's read one file
            raise ValidationError(f"{item.where}.{key}: {err}" if item.where else str(err)) from None


def load_plan(path: Path) -> list[PlannedAnalysis]:
    """The analyses of ``validate/analyses.toml``, checked for kinds and options; a problem is one line naming the
    plan, the analysis's field and its line (``analyses.toml:analysis[8].horizon: 'een jaar' is not a number
    (line 61)``)."""
    path = Path(path)
    data, located = read_toml_located(path)
    with problems_located(path, located):
        planned = _planned(path, data)
    if not planned:
        raise ValidationError(f"{path}: no [[analysis]] tables")
    return planned


def _planned(path: Path, data: dict[str, Any]) -> list[PlannedAnalysis]:
    entries = data.get("analysis", [])
    # 'analysis = 3' and '[analysis]' with single brackets were tracebacks (walk28)
    if not isinstance(entries, list) or not all(isinstance(entry, dict) for entry in entries):
        raise TomlProblem("analysis", "expected [[analysis]] tables (double brackets), one per analysis")
    planned = []
    for i, entry in enumerate(entries, start=1):
        where = f"analysis[{i}]"
        kind = entry.get("kind")
        if kind is None:  # (it read "None not one of …")
            raise TomlProblem(f"{where}.kind", f"required: one of {', '.join(KINDS)}")
        if not isinstance(kind, str) or kind not in KIND_OPTIONS:  # (kind = ["sus"]: unhashable, a traceback)
            raise TomlProblem(f"{where}.kind", f"{kind!r} not one of {', '.join(KINDS)}")
        if not entry.get("file"):
            raise TomlProblem(f"{where}.file", "required")
        if not isinstance(entry["file"], str):  # 'file = 3' was a TypeError traceback (walk28)
            raise TomlProblem(f"{where}.file", f"{entry['file']!r} is not a file name")
        if not isinstance(entry.get("name", ""), str):  # (name = 3 named the results 3.json, a table its repr)
            raise TomlProblem(f"{where}.name", f"{entry['name']!r} is not text in quotes")
        options = {k: v for k, v in entry.items() if k not in ("name", "kind", "file")}
        unknown = [k for k in options if k not in KIND_OPTIONS[kind]]
        if unknown:
            raise TomlProblem(f"{where}.{toml_key(unknown[0])}", f"not an option of {kind} ({', '.join(KIND_OPTIONS[kind])})")
        options = {key: _plan_option(where, kind, key, value) for key, value in options.items()}
        missing = [key for key in REQUIRED_OPTIONS.get(kind, ()) if key not in options]
        if missing:
            raise TomlProblem(f"{where}.{missing[0]}", f"required for {kind}")
        if kind == "delphi":
            _check_delphi_rule(where, options)
        if isinstance(options.get("previous"), str):
            options["previous"] = path.parent / options["previous"]
        # Every input is checked before anything runs: a typo in the last entry writes nothing. A plan reads a file
        # more than once (its columns are checked before any analysis runs), so a FIFO is refused, as what it is.
        for key, value in (("file", path.parent / entry["file"]), ("previous", options.get("previous"))):
            if isinstance(value, Path):
                try:
                    check_input_file(value)
                except ImportFormatError as err:
                    raise TomlProblem(f"{where}.{key}", f"{value}: {err.what}") from None
        item = PlannedAnalysis(str(entry.get("name", f"{kind} {i}")), kind, path.parent / entry["file"], options,
                               f"{path}:{where}")
        # Outputs are named by the slug. Two analyses writing one file (one slug in one results folder,
        # which depends on --out) are refused by services.validate.planned_analyses.
        if not item.slug:
            raise TomlProblem(f"{where}.name", f"{item.name!r} has no letter or digit to name its result files by")
        planned.append(item)
    return planned
