"""Simulation service: replay screening of a labelled CSV (``review simulate``, no workspace).

Kept apart from ``services.screening`` because its option lists come from the model code
(scikit-learn), which the screening screen must not load before the first record.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..atomic import write_text_atomic
from ..errors import ImportFormatError, ReviewError
from ..plotformats import check_plot_path
from ..screening.models import MODEL_NAMES
from ..screening.query import QUERY_NAMES
from ..textdecode import fallback_warning

if TYPE_CHECKING:
    from ..screening.simulate import SimulationResult

__all__ = ["MODEL_NAMES", "QUERY_NAMES", "Simulation", "simulate_file", "simulation_json"]


@dataclass(frozen=True, slots=True)
class Simulation:
    """A replayed screening run; its JSON is already in ``json_path`` and its curve in ``plot_path``,
    each unless None (``--json -``: the caller writes ``simulation_json``; no ``--plot``)."""

    result: SimulationResult
    #: None when the caller writes the JSON itself (``--json -``: stdout).
    json_path: Path | None
    plot_path: Path | None
    #: One line when the labelled CSV was not UTF-8 and was read as cp1252 (the shell shows it on stderr).
    warnings: tuple[str, ...] = ()


def simulation_json(result: SimulationResult) -> str:
    """The JSON ``review simulate --json`` writes: the run, then ``tool``, the review that made it (decision 0080)."""
    from ..tool_version import tool_version

    return json.dumps({**result.to_json(), "tool": tool_version().to_json()}, indent=1) + "\n"


def simulate_file(file: Path, *, json_out: Path | None, plot: Path | None = None, seed: int = 0,
                  prior_included: int = 1, prior_excluded: int = 1, model: str = "default",
                  query: str = "max", target_recall: float = 0.95, confidence: float = 0.95) -> Simulation:
    """Replay screening of a labelled CSV; writes the result as JSON (unless ``json_out`` is None:
    the caller has ``simulation_json``) and, if asked, the recall curve."""
    from ..screening.simulate import load_labelled_csv, simulate

    if plot is not None:
        check_plot_path(plot)
    if prior_included < 0 or prior_excluded < 0:
        raise ReviewError("--prior-included and --prior-excluded: a number of records, 0 or more")
    if not 0 < target_recall < 1 or not 0 < confidence < 1:
        raise ReviewError("--target-recall and --confidence must lie strictly between 0 and 1")
    data = load_labelled_csv(file)
    if len(data) <= prior_included + prior_excluded:
        raise ImportFormatError(file, None, f"{len(data)} records and {prior_included} + {prior_excluded} "
                                "priors leave nothing to screen")
    try:
        result = simulate(data, seed=seed, prior_included=prior_included, prior_excluded=prior_excluded,
                          model=model, query=query, target_recall=target_recall, confidence=confidence)
    except ValueError as err:
        raise ReviewError(f"{file}: {err}") from err
    if json_out is not None:
        write_text_atomic(json_out, simulation_json(result))
    if plot is not None:
        from ..screening.plot import recall_plot

        recall_plot([data.labels[r] for r in result.order], plot, n_priors=len(result.priors),
                    stopping=result.stopping, title=f"{data.name} (seed {seed}, {result.model})")
    warning = fallback_warning(file, data.encoding)
    return Simulation(result, json_out, plot, ((warning,) if warning else ()) + data.warnings)

