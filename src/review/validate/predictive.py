"""Does the profile predict recurrence? The C-statistic with a bootstrap CI and calibration by profile group.

The predictor is a score or the profile's overall indication (ordered from no to many risk
signals; ``insufficient`` and ``no_items`` profiles are left out and counted). The C-statistic
is scikit-learn's ROC AUC; the predicted risk per group comes from a logistic regression of
the outcome on the predictor (statsmodels), fitted on the same data, so it shows how the
observed risk rises over the groups, not out-of-sample calibration.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
from scipy.stats import rankdata
from sklearn.metrics import roc_auc_score
from statsmodels.stats.proportion import proportion_confint

from .table import cell_error, read_table

#: The instrument's overall indications in risk order; the other two say the profile is not usable.
INDICATION_ORDER: dict[str, int] = {"no_risk_signals": 0, "some_risk_signals": 1, "many_risk_signals": 2}
UNUSABLE_INDICATIONS: frozenset[str] = frozenset({"insufficient", "no_items"})
MAX_GROUPS = 10
QUANTILE_GROUPS = 5
DEFAULT_BOOTSTRAP = 1000


@dataclass(slots=True)
class CalibrationGroup:
    group: str
    n: int
    events: int
    observed: float
    observed_ci: tuple[float, float]
    predicted: float | None


@dataclass(slots=True)
class PredictiveResult:
    path: str
    outcome: str
    predictor: str
    n: int
    events: int
    excluded: int
    c_statistic: float
    c_statistic_ci: tuple[float, float]
    calibration: list[CalibrationGroup]
    level: float
    n_boot: int
    seed: int

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["kind"] = "predictive"
        data["file"] = data.pop("path")
        return data


def _predictor_values(table: Any, column: str) -> tuple[list[float | None], dict[float, str]]:
    """Numbers per row (None = left out) and a label per value when the column holds indications."""
    values: list[float | None] = []
    labels: dict[float, str] = {}
    for i in range(len(table)):
        text = table.text(i, column, required=False)
        if not text or text in UNUSABLE_INDICATIONS:
            values.append(None)
        elif text in INDICATION_ORDER:
            values.append(float(INDICATION_ORDER[text]))
            labels[float(INDICATION_ORDER[text])] = text
        else:
            try:
                values.append(float(text))
            except ValueError:
                raise cell_error(table.path, table.where(i), column,
                                 f"{text!r} is neither a number nor a profile indication "
                                 f"({', '.join([*INDICATION_ORDER, *sorted(UNUSABLE_INDICATIONS)])})") from None
    if labels and len(labels) != len({v for v in values if v is not None}):
        raise cell_error(table.path, None, column, "mixes profile indications and numbers")
    return values, labels


def _logistic_predictions(x: np.ndarray, y: np.ndarray) -> np.ndarray | None:
    import statsmodels.api as sm
    from statsmodels.tools.sm_exceptions import PerfectSeparationError

    try:
        fit = sm.Logit(y, sm.add_constant(x)).fit(disp=0)
    except (PerfectSeparationError, np.linalg.LinAlgError):
        return None
    predicted = np.asarray(fit.predict(sm.add_constant(x)))
    return predicted if np.all(np.isfinite(predicted)) else None


def rank_auc(y: np.ndarray, x: np.ndarray) -> np.ndarray:
    """AUC per row of ``y``/``x`` (2-D) by the Mann-Whitney rank sum: the same number as
    ``roc_auc_score`` (ties count one half), vectorised for the bootstrap."""
    ranks = rankdata(x, axis=1)
    positives = y.sum(axis=1)
    negatives = y.shape[1] - positives
    return (np.sum(ranks * y, axis=1) - positives * (positives + 1) / 2) / (positives * negatives)


def bootstrap_auc(y: np.ndarray, x: np.ndarray, *, n_boot: int, seed: int, level: float) -> tuple[float, float]:
    """Percentile CI of the AUC over resampled clients (resamples with one outcome only are redrawn)."""
    rng = np.random.default_rng(seed)
    n, values = len(y), np.empty(0)
    while len(values) < n_boot:
        draws = rng.integers(0, n, size=(n_boot - len(values), n))
        ys, xs = y[draws], x[draws]
        usable = (ys.sum(axis=1) > 0) & (ys.sum(axis=1) < n)
        values = np.concatenate([values, rank_auc(ys[usable], xs[usable])])
    alpha = 1 - level
    return float(np.quantile(values, alpha / 2)), float(np.quantile(values, 1 - alpha / 2))


def predictive_check(path: Path | str, *, outcome: str, predictor: str, level: float = 0.95,
                     n_boot: int = DEFAULT_BOOTSTRAP, seed: int = 0) -> PredictiveResult:
    table = read_table(path)
    table.require(outcome, predictor)
    raw, labels = _predictor_values(table, predictor)
    xs, ys = [], []
    for i, value in enumerate(raw):
        event = table.binary(i, outcome, required=False)
        if value is None or event is None:
            continue
        xs.append(value)
        ys.append(event)
    x, y = np.array(xs), np.array(ys)
    excluded = len(table) - len(x)
    if len(y) == 0 or y.sum() == 0:
        raise cell_error(table.path, None, outcome, "no events (no row with 1): the C-statistic needs both outcomes")
    if y.sum() == len(y):
        raise cell_error(table.path, None, outcome, "every row is an event: the C-statistic needs both outcomes")
    c = float(roc_auc_score(y, x))
    ci = bootstrap_auc(y, x, n_boot=n_boot, seed=seed, level=level)
    predicted = _logistic_predictions(x, y)
    unique = sorted(set(xs))
    if len(unique) <= MAX_GROUPS:
        keys = x
        names = {v: labels.get(v, f"{v:g}") for v in unique}
    else:
        edges = np.unique(np.quantile(x, np.linspace(0, 1, QUANTILE_GROUPS + 1)))
        keys = np.clip(np.searchsorted(edges, x, side="right") - 1, 0, len(edges) - 2).astype(float)
        names = {float(g): f"Q{g + 1} ({edges[g]:g}-{edges[g + 1]:g})" for g in range(len(edges) - 1)}
    groups = []
    for key, name in names.items():
        members = keys == key
        n, events = int(members.sum()), int(y[members].sum())
        if n == 0:
            continue
        low, high = proportion_confint(events, n, alpha=1 - level, method="wilson")
        groups.append(CalibrationGroup(name, n, events, events / n, (float(low), float(high)),
                                       float(predicted[members].mean()) if predicted is not None else None))
    return PredictiveResult(str(path), outcome, predictor, len(y), int(y.sum()), excluded, c, ci, groups, level,
                            n_boot, seed)
