"""Time to an event by group: Kaplan-Meier curves, the log-rank test and a Cox hazard ratio (lifelines).

The Cox model can be stratified (e.g. by diagnosis code): each stratum then has its own
baseline hazard and the groups are compared within strata; the log-rank test over all groups is
then stratified too (statsmodels' ``survdiff``: observed minus expected and its variance summed
over strata, as R's ``survdiff(... + strata(s))``), so the test and the ratio answer the same question. Groups of profile indications are ordered by risk (the first,
``no_risk_signals``, is the reference) and profiles that could not be scored are left out.
Rows missing a time, event, group or stratum are left out and counted per column. A Cox model
of k groups has k-1 parameters; fewer than ten events per parameter is flagged on every hazard
ratio, as ``review validate factors`` flags its models. Each hazard
ratio carries the Schoenfeld residual test of proportional hazards; below p 0.05 the report
says the ratio may hide hazards that change over time (look at the curves). With more than two
groups each contrast's p also gets Holm's adjustment over the k-1 contrasts (``p_holm``; the
log-rank test is the one test over all groups), and so does each contrast's Schoenfeld p
(``ph_p_holm``), which then decides the report's "doubtful".
"""

from __future__ import annotations

import warnings
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .predictive import INDICATION_ORDER, UNUSABLE_INDICATIONS
from .pvalues import P_ADJUSTMENT, holm_family
from .table import cell_error, few_events_note, read_table, require_events, too_few_events


#: Below this p the Schoenfeld residual test casts doubt on proportional hazards: the report says so.
PH_ALPHA = 0.05


#: A log hazard ratio beyond this (HR above ~5e8) is no estimate but a model that did not converge.
MAX_LOG_RATIO = 20.0


def estimable(ratio: float, low: float, high: float) -> bool:
    """False for the signature of separation (one group's events all before the other's, say):
    an astronomically large or small ratio, or a CI running to 0 or infinity."""
    values = np.array([ratio, low, high], dtype=float)
    return bool(np.all(np.isfinite(values)) and np.all(values > 0) and abs(np.log(ratio)) <= MAX_LOG_RATIO
                and np.all(np.abs(np.log(values)) < 700))


def ph_test_p(cox: Any, frame: pd.DataFrame) -> dict[str, float]:
    """p of the Schoenfeld residual test per covariate (time as ranks), as lifelines'
    ``proportional_hazard_test`` computes it; without strata counted here (:func:`_schoenfeld_rank_p`)."""
    from lifelines.statistics import proportional_hazard_test

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if cox.strata is None:
                p_values = _schoenfeld_rank_p(cox, frame)
            else:
                p_values = proportional_hazard_test(cox, frame, time_transform="rank").summary["p"].to_dict()
    except Exception:  # a test that cannot be computed leaves the column empty, the estimate stands
        return {}
    return {str(name): float(p) for name, p in p_values.items() if pd.notna(p)}  # JSON has no NaN


def _schoenfeld_rank_p(cox: Any, frame: pd.DataFrame) -> dict[str, float]:
    """lifelines' test of proportional hazards (Grambsch & Therneau's approximation, time as the rank of the
    deaths, Efron's ties) counted per tied time with numpy: lifelines builds the residuals row by row, with an
    ``np.append`` per row, 1.9 of the 2.3 s CPU of a factor's Cox model at 50,000 clients (walk30)."""
    from scipy.stats import chi2

    names = list(cox.params_.index)
    # lifelines' order: by time, then event (a stable sort, as pandas sorts on two columns)
    order = np.lexsort((frame[cox.event_col].to_numpy(), frame[cox.duration_col].to_numpy()))
    time = frame[cox.duration_col].to_numpy(float)[order]
    died = frame[cox.event_col].to_numpy().astype(bool)[order]
    x = frame[names].to_numpy(float)[order]
    weight = (frame[cox.weights_col].to_numpy(float)[order] if cox.weights_col else np.ones(len(time)))
    score = weight * np.exp(x @ cox.params_.to_numpy(float))
    # the risk set of a time: every row from its first row on; summed from the last row back, as lifelines does
    at_risk = np.cumsum(score[::-1])[::-1]
    at_risk_x = np.cumsum((score[:, None] * x)[::-1], axis=0)[::-1]
    first = np.searchsorted(time, time, side="left")  # each row's tied time starts here
    starts = np.unique(first[died])  # the tied times with a death
    group = np.searchsorted(starts, first[died])  # each death's tied time
    deaths = np.bincount(group, minlength=len(starts)).astype(float)
    tie = np.bincount(group, weights=score[died], minlength=len(starts))
    tie_x = np.stack([np.bincount(group, weights=(score[:, None] * x)[died][:, j], minlength=len(starts))
                      for j in range(x.shape[1])], axis=1)
    mean = np.zeros((len(starts), x.shape[1]))
    for step in range(int(deaths.max()) if len(deaths) else 0):  # Efron: the l-th of d tied deaths
        now = deaths > step
        share = step / deaths[now]
        mean[now] += ((at_risk_x[starts[now]] - share[:, None] * tie_x[now])
                      / ((at_risk[starts[now]] - share * tie[now]) * deaths[now])[:, None])
    residuals = x[died] - mean[group]
    n_deaths = int(died.sum())
    scaled = n_deaths * residuals @ cox.variance_matrix_.to_numpy(float)
    ranks = np.cumsum(died)[died].astype(float)
    centred = ranks - ranks.mean()
    statistic = ((centred[:, None] * scaled).sum(axis=0) ** 2
                 / (n_deaths * cox.standard_errors_.to_numpy(float) ** 2 * (centred ** 2).sum()))
    return {name: float(chi2.sf(t, 1)) for name, t in zip(names, statistic)}


@dataclass(slots=True)
class GroupSurvival:
    group: str
    n: int
    events: int
    median: float | None
    median_ci: tuple[float | None, float | None]
    timeline: list[float] = field(repr=False, default_factory=list)
    survival: list[float] = field(repr=False, default_factory=list)
    lower: list[float] = field(repr=False, default_factory=list)
    upper: list[float] = field(repr=False, default_factory=list)


@dataclass(slots=True)
class HazardRatio:
    group: str
    reference: str
    hazard_ratio: float
    ci: tuple[float, float]
    p: float
    ph_p: float | None = None  # Schoenfeld residual test of proportional hazards (rank of time)
    events_per_parameter: float | None = None  # all events over the model's k-1 group contrasts
    note: str = ""
    p_holm: float | None = None  # Holm-adjusted over the k-1 contrasts (None with two groups: one test)
    ph_p_holm: float | None = None  # ph_p Holm-adjusted over the contrasts that have one (None: one test)

    @property
    def ph_doubtful(self) -> bool:
        """The Schoenfeld test doubts proportional hazards: its p (Holm-adjusted over the contrasts) below 0.05."""
        ph_p = self.ph_p_holm if self.ph_p_holm is not None else self.ph_p
        return ph_p is not None and ph_p < PH_ALPHA

    @property
    def few_events(self) -> bool:
        return too_few_events(self.events_per_parameter)


@dataclass(slots=True)
class SurvivalResult:
    path: str
    time: str
    event: str
    group: str
    strata: str | None
    reference: str
    groups: list[GroupSurvival]
    logrank_chi2: float
    logrank_df: int
    logrank_p: float
    hazard_ratios: list[HazardRatio]
    level: float
    excluded: int = 0
    missing: dict[str, int] = field(default_factory=dict)
    unscored: int = 0
    id_column: str | None = None  # the column naming each client once; None: duplicates cannot be found

    @property
    def hazard_ratio(self) -> float | None:
        """The hazard ratio when two groups are compared (several groups: see ``hazard_ratios``)."""
        return self.hazard_ratios[0].hazard_ratio if len(self.hazard_ratios) == 1 else None

    @property
    def hazard_ratio_ci(self) -> tuple[float, float] | None:
        return self.hazard_ratios[0].ci if len(self.hazard_ratios) == 1 else None

    def to_json(self) -> dict[str, Any]:
        groups = [{k: v for k, v in asdict(g).items() if k not in ("timeline", "survival", "lower", "upper")}
                  for g in self.groups]
        return {"kind": "survival", "file": self.path, "time": self.time, "event": self.event, "group": self.group,
                "strata": self.strata, "reference": self.reference, "groups": groups,
                "logrank_chi2": self.logrank_chi2, "logrank_df": self.logrank_df, "logrank_p": self.logrank_p,
                "logrank_strata": self.strata,
                "hazard_ratio": self.hazard_ratio, "hazard_ratio_ci": self.hazard_ratio_ci,
                "hazard_ratios": [asdict(h) for h in self.hazard_ratios], "level": self.level,
                "excluded": self.excluded, "missing": self.missing, "unscored": self.unscored,
                "id_column": self.id_column, "p_adjustment": P_ADJUSTMENT}


def _none_if_inf(value: float) -> float | None:
    return None if pd.isna(value) or value == float("inf") else float(value)


def survival_by_group(path: Path | str, *, time: str, event: str, group: str, strata: str | None = None,
                      reference: str | None = None, level: float = 0.95) -> SurvivalResult:
    from lifelines import CoxPHFitter, KaplanMeierFitter
    from scipy.stats import chi2
    from statsmodels.duration.survfunc import survdiff
    from lifelines.utils import median_survival_times

    table = read_table(path)
    needed = [time, event, group, *([strata] if strata else [])]
    table.require(*needed)
    table.require_one_part(("--time", time), ("--event", event), ("--group", group), ("--strata", strata))
    id_column = table.require_unique_ids()
    records = []
    first_row: dict[str, int] = {}
    excluded = unscored = 0
    missing: dict[str, int] = {}
    for i in range(len(table)):
        label = table.text(i, group, required=False)
        if label in UNUSABLE_INDICATIONS:
            excluded += 1  # a profile that could not be scored is no group of its own
            unscored += 1
            continue
        duration = table.number(i, time, required=False)
        if duration is not None and duration < 0:
            raise cell_error(table.path, table.where(i), time, f"negative time {duration:g}")
        status = table.binary(i, event, required=False)
        empty = [c for c in needed if not table.text(i, c, required=False)]
        if empty:  # left out and counted per column, never silently
            for column in empty:
                missing[column] = missing.get(column, 0) + 1
            excluded += 1
            continue
        first_row.setdefault(label, table.where(i))
        records.append({"time": duration, "event": status, "group": label,
                        "stratum": table.text(i, strata) if strata else ""})
    if not records:
        raise cell_error(table.path, None, None, "no row has a time, an event and a group")
    frame = pd.DataFrame(records)
    names = sorted(frame["group"].unique(), key=lambda g: (INDICATION_ORDER.get(g, len(INDICATION_ORDER)), g))
    if len(names) < 2:
        raise cell_error(table.path, None, group, f"one group only ({names[0]!r}): nothing to compare")
    for name in names:
        if frame.loc[frame["group"] == name, "event"].sum() == 0:
            raise cell_error(table.path, first_row[name], event, f"group {name!r} has no events")
    require_events(table, frame["event"].astype(int).tolist(), event)
    reference = reference if reference is not None else names[0]
    if reference not in names:
        raise cell_error(table.path, None, group, f"reference group {reference!r} not in the data ({', '.join(names)})")
    alpha = 1 - level

    curves = []
    for name in names:
        part = frame[frame["group"] == name]
        kmf = KaplanMeierFitter(alpha=alpha).fit(part["time"], part["event"], label=name)
        ci = median_survival_times(kmf.confidence_interval_)
        sf = kmf.survival_function_[name]
        bands = kmf.confidence_interval_
        curves.append(GroupSurvival(
            name, len(part), int(part["event"].sum()), _none_if_inf(kmf.median_survival_time_),
            (_none_if_inf(ci.iloc[0, 0]), _none_if_inf(ci.iloc[0, 1])),
            [float(t) for t in sf.index], [float(s) for s in sf.values],
            [float(v) for v in bands.iloc[:, 0]], [float(v) for v in bands.iloc[:, 1]]))
    try:
        logrank_chi2 = float(survdiff(frame["time"].to_numpy(float), frame["event"].to_numpy(int), frame["group"].to_numpy(),
                                      strata=frame["stratum"].to_numpy() if strata else None)[0])
    except np.linalg.LinAlgError:
        logrank_chi2 = float("nan")
    if not np.isfinite(logrank_chi2):  # no variance to compare: every group in strata of its own
        raise cell_error(table.path, None, strata or group,
                         f"the groups of {group!r} cannot be compared within strata (a group shares no stratum "
                         "with the others)")
    logrank_p = float(chi2.sf(logrank_chi2, len(names) - 1))  # survdiff's 1 - cdf rounds a tiny p to 0

    others = [n for n in names if n != reference]
    design = pd.DataFrame({"time": frame["time"], "event": frame["event"]})
    columns = {}
    for position, name in enumerate(others):
        column = f"g{position}"
        columns[column] = name
        design[column] = (frame["group"] == name).astype(float)
    if strata:
        design["stratum"] = frame["stratum"]
    cox = CoxPHFitter(alpha=alpha)
    with warnings.catch_warnings():  # lifelines' convergence advice: the check below says it in one line
        warnings.simplefilter("ignore")
        cox.fit(design, duration_col="time", event_col="event", strata=["stratum"] if strata else None)
    summary = cox.summary
    for col, name in columns.items():
        if not estimable(*(float(summary.loc[col, c]) for c in ("exp(coef)", summary.columns[5], summary.columns[6]))):
            raise cell_error(table.path, None, group,
                             f"the Cox model does not converge for {name!r} vs {reference!r} (separation: the "
                             "groups' events barely overlap in time); no hazard ratio can be estimated")
    ph = ph_test_p(cox, design)
    parameters = len(columns)  # k groups: k-1 contrasts with the reference (strata add none)
    epv = int(frame["event"].sum()) / parameters
    ratios = [
        HazardRatio(name, reference, float(summary.loc[col, "exp(coef)"]),
                    (float(summary.loc[col, summary.columns[5]]), float(summary.loc[col, summary.columns[6]])),
                    float(summary.loc[col, "p"]), ph.get(col), round(epv, 2), few_events_note(epv, parameters))
        for col, name in columns.items()
    ]
    for ratio, p in holm_family(ratios, lambda h: h.p, smallest=2):  # two groups: one contrast, nothing to adjust
        ratio.p_holm = p
    for ratio, p in holm_family(ratios, lambda h: h.ph_p, smallest=2):
        ratio.ph_p_holm = p
    return SurvivalResult(str(path), time, event, group, strata, reference, curves, logrank_chi2,
                          len(names) - 1, logrank_p, ratios, level, excluded, missing, unscored, id_column)
