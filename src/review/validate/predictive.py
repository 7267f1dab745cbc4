"""Does the profile predict recurrence? The C-statistic with a bootstrap CI and calibration by profile group.

The predictor is a score or the profile's overall indication (ordered from no to many risk
signals; ``insufficient`` and ``no_items`` profiles are left out and counted). Without follow-up
time the C-statistic is scikit-learn's ROC AUC of the 0/1 outcome and the predicted risk per
group comes from a logistic regression of the outcome on the predictor (statsmodels). With
``time`` the outcome is the event indicator of censored follow-up: the C-statistic is Harrell's
C (lifelines), the observed risk per group is the Kaplan-Meier risk by ``horizon`` and the
predicted risk comes from a Cox model of time on the predictor. Rows missing a cell are left
out and counted per column.

Performance is apparent (measured on the data it describes), by decision: the predictor is the
instrument's profile or score, fixed before these data, so no parameter of it is fitted here and
the C-statistic, a rank statistic of the predictor itself, has no fitting optimism for Harrell's
bootstrap to remove (refitting a one-predictor model to each resample ranks the clients the same
way, so the optimism is zero). The exception is a cohort that also fed the instrument through
``review validate factors --to-extraction``: the service warns then. The ``predicted`` column is a
one-predictor model fitted on the same clients (apparent calibration): it shows the shape of the
risk over the groups, not whether the instrument's risks are right, which would need risks the
instrument does not give.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from scipy.stats import rankdata
from sklearn.metrics import roc_auc_score
from statsmodels.stats.proportion import proportion_confint

from ..csvcells import NumberFormatError
from .progress import report
from .table import Table, cell_error, read_table, require_events

#: The instrument's overall indications in risk order; the other two say the profile is not usable.
INDICATION_ORDER: dict[str, int] = {"no_risk_signals": 0, "some_risk_signals": 1, "many_risk_signals": 2}
UNUSABLE_INDICATIONS: frozenset[str] = frozenset({"insufficient", "no_items"})
MAX_GROUPS = 10
QUANTILE_GROUPS = 5
DEFAULT_BOOTSTRAP = 1000
#: Below this many clients still followed at the horizon a group's Kaplan-Meier risk is flagged: censoring
#: has left few to estimate it from (the curve's last steps are large and its CI wide).
MIN_AT_RISK = 10
#: Which performance the numbers are (see the module docstring): named in the JSON and the report.
PERFORMANCE = "apparent"
#: Cells (resamples x clients) of one block of the vectorised AUC bootstrap: about 8 MB per array of it.
BOOTSTRAP_BLOCK_CELLS = 1_000_000


@dataclass(slots=True)
class CalibrationGroup:
    """One profile group: with follow-up time, ``events`` and ``observed`` count up to the horizon."""

    group: str
    n: int
    events: int
    observed: float | None
    observed_ci: tuple[float | None, float | None]
    predicted: float | None
    at_risk: int | None = None  # still followed at the horizon (time-to-event only)
    note: str = ""  # few still followed at the horizon: the Kaplan-Meier risk there rests on them


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
    time: str | None = None
    horizon: float | None = None
    missing: dict[str, int] = field(default_factory=dict)
    unscored: int = 0
    id_column: str | None = None  # the column naming each client once; None: duplicates cannot be found

    @property
    def measure(self) -> str:
        return "Harrell's C of censored time to event" if self.time else "ROC AUC of the 0/1 outcome"

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["kind"] = "predictive"
        data["file"] = data.pop("path")
        data["c_statistic_measure"] = self.measure
        data["performance"] = PERFORMANCE
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
                values.append(table.number_in(text))
            except NumberFormatError as err:
                raise cell_error(table.path, table.where(i), column, str(err)) from None
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
    """Percentile CI of the AUC over resampled clients (resamples with one outcome only are redrawn).

    The resamples are drawn and ranked a block of rows at a time, at most ``BOOTSTRAP_BLOCK_CELLS`` cells: all
    1,000 of 50,000 clients at once held 3.7 GB. The generator gives the same rows in blocks as in one draw,
    so the interval is the same."""
    rng = np.random.default_rng(seed)
    n, values = len(y), np.empty(0)
    rows_per_block = max(1, BOOTSTRAP_BLOCK_CELLS // n)
    while len(values) < n_boot:
        draws = rng.integers(0, n, size=(min(rows_per_block, n_boot - len(values)), n))
        ys, xs = y[draws], x[draws]
        usable = (ys.sum(axis=1) > 0) & (ys.sum(axis=1) < n)
        values = np.concatenate([values, rank_auc(ys[usable], xs[usable])])
    alpha = 1 - level
    return float(np.quantile(values, alpha / 2)), float(np.quantile(values, 1 - alpha / 2))


#: Up to this many distinct predictor values Harrell's C is counted per value with numpy (a profile has three,
#: a score a dozen); beyond, lifelines' tree does it. CPU seconds a call at 50,000 clients (2026-12-06): lifelines
#: 0.031 / 0.043 / 0.052 with 3 / 12 / 32 values, the count 0.011 / 0.016 / 0.035; so the 1,000 bootstrap
#: resamples of a profile take about 12 s CPU instead of 32 (about 2.5 times less, not the ten wall-clock suggested);
#: :class:`_ResampledHarrell` counts the resamples in about 5 s (2026-12-07).
COUNTED_VALUES = 32


def harrell_c(time: np.ndarray, event: np.ndarray, x: np.ndarray) -> float | None:
    """Harrell's C (a higher score should mean an earlier event); None without a comparable pair
    (no event before another client's later time), where lifelines divides by zero."""
    values = np.unique(x)
    if len(values) <= COUNTED_VALUES:
        return _harrell_c_by_value(time, event, np.searchsorted(values, x), len(values))
    from lifelines.utils import concordance_index

    try:
        return float(concordance_index(time, -x, event))
    except ZeroDivisionError:
        return None


def _harrell_c_by_value(time: np.ndarray, event: np.ndarray, codes: np.ndarray, k: int) -> float | None:
    """Harrell's C as lifelines counts it, for a predictor coded 0..k-1: a client who had the event at t is
    compared with everyone followed beyond t and everyone censored at t (not with another event at t);
    the higher code first is concordant, equal codes count one half. The count of :class:`_ResampledHarrell` with
    every client drawn once (its sums are of whole numbers: exact in any order)."""
    return _ResampledHarrell(time, event, codes, k).c(np.ones(len(time), dtype=np.int64))


#: The bootstrap tells its progress (:mod:`.progress`) every this many resamples.
BOOTSTRAP_REPORT_EVERY = 100
BOOTSTRAP_STEP = "bootstrap resamples of the C-statistic"


class _ResampledHarrell:
    """Harrell's C of resamples of one data set, each given as how often it drew each client: lifelines' count
    (:func:`_harrell_c_by_value`) with each client weighted by its draws, the clients sorted and placed once
    (sorting and searching each resample took 14 of the 16 s CPU of 1,000 resamples at 50,000 clients). Per death
    and code it counts the clients followed beyond the death's time plus those censored on its day; of those, the
    ones with a lower code than the death's are concordant pairs, the same code a tie."""

    def __init__(self, time: np.ndarray, event: np.ndarray, codes: np.ndarray, k: int) -> None:
        self.order = np.argsort(time, kind="stable")
        times = time[self.order]
        self.codes = codes[self.order]
        self.died = event.astype(bool)[self.order]
        self.k = k
        # per client, in that order: how many clients are followed up to its time, and up to just before it
        self.last = np.searchsorted(times, times, side="right")
        self.first = np.searchsorted(times, times, side="left")
        self.rows = np.arange(1, len(time) + 1)

    def c(self, draws: np.ndarray) -> float | None:
        weight = draws[self.order].astype(float)
        weighted = np.zeros((len(weight) + 1, self.k))
        weighted[self.rows, self.codes] = weight
        up_to = np.cumsum(weighted, axis=0)
        censored_up_to = np.cumsum(weighted * np.r_[False, ~self.died][:, None], axis=0)
        deaths = np.flatnonzero(self.died & (weight > 0))
        last, first = self.last[deaths], self.first[deaths]
        beyond = up_to[-1] - up_to[last] + censored_up_to[last] - censored_up_to[first]
        below = np.cumsum(beyond, axis=1) - beyond
        rows, codes, times_drawn = np.arange(len(deaths)), self.codes[deaths], weight[deaths]
        pairs = float((times_drawn[:, None] * beyond).sum())
        if not pairs:
            return None
        concordant = (times_drawn * below[rows, codes]).sum()
        tied = (times_drawn * beyond[rows, codes]).sum()
        return float((concordant + tied / 2) / pairs)


def bootstrap_harrell(time: np.ndarray, event: np.ndarray, x: np.ndarray, *, n_boot: int, seed: int,
                      level: float) -> tuple[float, float]:
    """Percentile CI of Harrell's C over resampled clients (a resample without a comparable pair, as
    one without an event is, has no C and is redrawn, as the C-statistic of the whole data needs one)."""
    rng = np.random.default_rng(seed)
    n, values = len(time), list[float]()
    distinct = np.unique(x)
    counted = (_ResampledHarrell(time, event, np.searchsorted(distinct, x), len(distinct))
               if len(distinct) <= COUNTED_VALUES else None)
    report(BOOTSTRAP_STEP, 0, n_boot)
    while len(values) < n_boot:
        draw = rng.integers(0, n, size=n)
        c = (counted.c(np.bincount(draw, minlength=n)) if counted is not None
             else harrell_c(time[draw], event[draw], x[draw]))
        if c is not None:
            values.append(c)
            if len(values) % BOOTSTRAP_REPORT_EVERY == 0 and len(values) < n_boot:
                report(BOOTSTRAP_STEP, len(values), n_boot)
    report(BOOTSTRAP_STEP, n_boot, n_boot)
    alpha = 1 - level
    return float(np.quantile(values, alpha / 2)), float(np.quantile(values, 1 - alpha / 2))


def _cox_risk_at(time: np.ndarray, event: np.ndarray, x: np.ndarray, horizon: float) -> np.ndarray | None:
    """Each client's risk by ``horizon`` under a Cox model of time on the predictor (same data)."""
    import pandas as pd
    from lifelines import CoxPHFitter

    frame = pd.DataFrame({"time": time, "event": event, "x": x})
    try:
        cox = CoxPHFitter().fit(frame, duration_col="time", event_col="event")
    except Exception:  # a model that does not converge leaves the predicted column empty
        return None
    survival = cox.predict_survival_function(frame[["x"]], times=[horizon])
    risk = 1 - survival.to_numpy()[0]
    return risk if np.all(np.isfinite(risk)) else None


def _km_risk_at(time: np.ndarray, event: np.ndarray, horizon: float,
                level: float) -> tuple[float | None, tuple[float | None, float | None], int]:
    """Kaplan-Meier risk by ``horizon`` with its CI, and how many are still followed then."""
    from lifelines import KaplanMeierFitter

    at_risk = int((time >= horizon).sum())
    km = KaplanMeierFitter(alpha=1 - level).fit(time, event)
    surv = float(km.survival_function_at_times(horizon).iloc[0])
    if time.max() < horizon and surv > 0:  # everyone left before the horizon: the curve says nothing there
        return None, (None, None), at_risk
    bands = km.confidence_interval_survival_function_
    inside = bands[bands.index <= horizon]
    low, high = (float(inside.iloc[-1, 0]), float(inside.iloc[-1, 1])) if len(inside) else (1.0, 1.0)
    return 1 - surv, (1 - high, 1 - low), at_risk


def _group_keys(x: np.ndarray, labels: dict[float, str]) -> tuple[np.ndarray, dict[float, str]]:
    """Each row's calibration group: its value (few values) or its score quintile."""
    unique = sorted(set(x.tolist()))
    if len(unique) <= MAX_GROUPS:
        return x, {v: labels.get(v, f"{v:g}") for v in unique}
    edges = np.unique(np.quantile(x, np.linspace(0, 1, QUANTILE_GROUPS + 1)))
    keys = np.clip(np.searchsorted(edges, x, side="right") - 1, 0, len(edges) - 2).astype(float)
    return keys, {float(g): f"Q{g + 1} ({edges[g]:g}-{edges[g + 1]:g})" for g in range(len(edges) - 1)}


def _rows(table: Table, outcome: str, predictor: str, time: str | None,
          raw: list[float | None]) -> tuple[list[tuple[float, int, float]], dict[str, int], int]:
    """(predictor, outcome, time) of every complete row; empty cells counted per column."""
    rows, missing, unscored = [], dict[str, int](), 0
    for i, value in enumerate(raw):
        if table.text(i, predictor, required=False) in UNUSABLE_INDICATIONS:
            unscored += 1
            continue
        event = table.binary(i, outcome, required=False)
        duration = table.number(i, time, required=False) if time else 0.0
        if duration is not None and duration < 0:
            raise cell_error(table.path, table.where(i), time, f"negative time {duration:g}")
        empty = [c for c, v in ((predictor, value), (outcome, event), (time, duration)) if c and v is None]
        for column in empty:
            missing[column] = missing.get(column, 0) + 1
        if not empty:
            rows.append((float(value), int(event), float(duration)))  # type: ignore[arg-type]
    return rows, missing, unscored


def predictive_check(path: Path | str, *, outcome: str, predictor: str, time: str | None = None,
                     horizon: float | None = None, level: float = 0.95, n_boot: int = DEFAULT_BOOTSTRAP,
                     seed: int = 0) -> PredictiveResult:
    """C-statistic and calibration by group; with ``time``, censoring-aware (Harrell's C, risk by ``horizon``)."""
    table = read_table(path)
    table.require(outcome, predictor, *([time] if time else []))
    table.require_one_part(("--outcome", outcome), ("--predictor", predictor), ("--time", time))
    if time and horizon is None:
        raise cell_error(table.path, None, time, "--horizon is required with --time (the follow-up time at "
                                                 "which observed and predicted risk are compared, e.g. 365)")
    if horizon is not None and not time:
        raise cell_error(table.path, None, None, "--horizon needs --time (the follow-up time column)")
    if horizon is not None and horizon <= 0:
        raise cell_error(table.path, None, time, f"--horizon {horizon:g}: must be a positive time")
    id_column = table.require_unique_ids()
    raw, labels = _predictor_values(table, predictor)
    rows, missing, unscored = _rows(table, outcome, predictor, time, raw)
    x = np.array([r[0] for r in rows])
    y = np.array([r[1] for r in rows], dtype=int)
    t = np.array([r[2] for r in rows])
    excluded = len(table) - len(rows)
    if len(y) == 0 or y.sum() == 0:
        raise cell_error(table.path, None, outcome, "no events (no row with 1): the C-statistic needs both outcomes")
    if y.sum() == len(y) and not time:
        raise cell_error(table.path, None, outcome, "every row is an event: the C-statistic needs both outcomes")
    require_events(table, y.tolist(), outcome, both_outcomes=not time)
    if len(set(x.tolist())) < 2:
        raise cell_error(table.path, None, predictor, "the predictor has one value only: nothing to discriminate")
    keys, names = _group_keys(x, labels)
    groups = []
    if time:
        assert horizon is not None
        if horizon > t.max():
            raise cell_error(table.path, None, time,
                             f"--horizon {horizon:g} is beyond the longest follow-up ({t.max():g})")
        harrell = harrell_c(t, y, x)
        if harrell is None:
            raise cell_error(table.path, None, time,
                             "no comparable pairs: no event comes before another client's later follow-up "
                             "time, so Harrell's C is undefined")
        c = harrell
        ci = bootstrap_harrell(t, y, x, n_boot=n_boot, seed=seed, level=level)
        predicted = _cox_risk_at(t, y, x, horizon)
        for key, name in names.items():
            members = keys == key
            if not members.any():
                continue
            observed, observed_ci, at_risk = _km_risk_at(t[members], y[members], horizon, level)
            groups.append(CalibrationGroup(name, int(members.sum()), int((y[members] & (t[members] <= horizon)).sum()),
                                           observed, observed_ci,
                                           float(predicted[members].mean()) if predicted is not None else None,
                                           at_risk, f"few still followed at {horizon:g}: {at_risk} (< {MIN_AT_RISK})"
                                           if at_risk < MIN_AT_RISK else ""))
    else:
        c = float(roc_auc_score(y, x))
        ci = bootstrap_auc(y, x, n_boot=n_boot, seed=seed, level=level)
        predicted = _logistic_predictions(x, y)
        for key, name in names.items():
            members = keys == key
            n, events = int(members.sum()), int(y[members].sum())
            if n == 0:
                continue
            low, high = proportion_confint(events, n, alpha=1 - level, method="wilson")
            groups.append(CalibrationGroup(name, n, events, events / n, (float(low), float(high)),
                                           float(predicted[members].mean()) if predicted is not None else None))
    return PredictiveResult(str(path), outcome, predictor, len(y), int(y.sum()), excluded, c, ci, groups, level,
                            n_boot, seed, time, horizon, missing, unscored, id_column)
