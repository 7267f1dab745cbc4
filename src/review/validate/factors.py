"""Own data (phase 1b): each candidate factor's association with recurrence in the programme's data set.

One model per factor, adjusted for the same covariates: logistic regression of the outcome
(statsmodels) or, with follow-up time, a Cox model (lifelines). A binary factor (0/1) is
compared present vs absent; any other number per unit. Rows missing a value the model needs
are left out of that model (complete cases) and counted, and the empty cells are counted per
column. A model with fewer than ten events per parameter (for logistic regression: the rarer
outcome) is flagged (Peduzzi et al. 1996 for logistic, 1995 for Cox models); data with fewer than ten in all are refused.

Several factors are tested on the same clients, so each p also gets Holm's (1979) adjustment over
every factor with an estimate (statsmodels ``multipletests``): Holm keeps the chance of any false
"associated" at ``1 - level`` whatever the dependence between the factors' tests (they share the
clients and are often correlated), which Benjamini-Hochberg's false discovery rate does not
promise for arbitrary dependence, and each factor is a claim of its own in the publication. The
CIs are per factor, not simultaneous. The Cox models' Schoenfeld tests of proportional hazards are a
family of the same kind and get the same adjustment (``ph_p_holm``): the report's "hazards not
proportional?" follows the adjusted p, so eight factors with proportional hazards do not flag one
in three runs (1 - 0.95^8) by chance.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..csvcells import NumberFormatError
from .progress import report
from .pvalues import P_ADJUSTMENT, holm_family
from .survival import PH_ALPHA, estimable, ph_test_p
from .table import (
    Table, cell_error, few_events_note, joined_notes, read_table,
    is_id_column, require_events, too_few_events,
)


@dataclass(slots=True)
class FactorAssociation:
    factor: str
    contrast: str
    measure: str  # OR | HR
    estimate: float | None
    ci_low: float | None
    ci_high: float | None
    p: float | None
    n: int
    events: int
    excluded: int
    adjusted_for: list[str] = field(default_factory=list)
    note: str = ""
    events_per_parameter: float | None = None
    ph_p: float | None = None  # Cox only: Schoenfeld residual test of the factor's proportional hazards
    p_holm: float | None = None  # p adjusted (Holm) over every factor of the run that has an estimate
    ph_p_holm: float | None = None  # ph_p adjusted (Holm) over every factor of the run that has a ph_p

    @property
    def few_events(self) -> bool:
        """Fewer than ten events (logistic: of the rarer outcome) per model parameter."""
        return too_few_events(self.events_per_parameter)


@dataclass(slots=True)
class FactorsResult:
    path: str
    model: str
    outcome: str
    time: str | None
    event: str | None
    adjust: list[str]
    n_rows: int
    factors: list[FactorAssociation]
    not_candidates: list[str]
    level: float
    missing: dict[str, int] = field(default_factory=dict)
    references: dict[str, str] = field(default_factory=dict)  # text --adjust column -> its reference category
    #: text --adjust column -> rows per category (a stray spelling, 'depressie' beside 'depressive', shows as
    #: a category of its own: it gets its own indicator, so the reader must see it)
    categories: dict[str, dict[str, int]] = field(default_factory=dict)
    id_column: str | None = None  # the column naming each client once; None: duplicates cannot be found
    #: lowest and highest value of each numeric column the models use (time, numeric adjustments, factors):
    #: a reader sees an age of 212 or a negative count, which no declared range could catch
    ranges: dict[str, tuple[float, float]] = field(default_factory=dict)
    factors_from_toml: bool = False  # candidates were chosen by factors.toml (else --factor, or every numeric column)
    #: rows with the event (a 0/1 outcome: with the outcome 1) among those that give it: the study file's
    #: ``events``, which GRADE's optimal information size counts (without it the rows bounded the events)
    n_events: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {"kind": "factors", "file": self.path, "model": self.model, "outcome": self.outcome,
                "time": self.time, "event": self.event, "adjust": self.adjust, "n": self.n_rows,
                "factors": [asdict(f) for f in self.factors], "not_candidates": self.not_candidates,
                "level": self.level, "missing": self.missing, "adjust_reference": self.references,
                "adjust_categories": self.categories, "id_column": self.id_column, "ranges": self.ranges,
                "p_adjustment": P_ADJUSTMENT}


def holm_adjust(associations: list[FactorAssociation]) -> None:
    """Set ``p_holm`` of every association with a p and ``ph_p_holm`` of every one with a Schoenfeld p
    (each family: the factors of one run), and flag the adjusted Schoenfeld p below ``PH_ALPHA``."""
    for association, p in holm_family(associations, lambda a: a.p):
        association.p_holm = p
    checked = holm_family(associations, lambda a: a.ph_p)
    for association, p in checked:
        association.ph_p_holm = p
        if p < PH_ALPHA:
            holm_note = f", Holm over {len(checked)} factors {p:.3f}" if len(checked) > 1 else ""
            flag = f"hazards not proportional? Schoenfeld test p {association.ph_p:.3f}{holm_note}"
            association.note = joined_notes(association.note, flag)


def _numeric_column(table: Table, column: str) -> pd.Series:
    return pd.Series([table.number(i, column, required=False) for i in range(len(table))], dtype=float)


def _covariates(table: Table, adjust: list[str]
                ) -> tuple[pd.DataFrame, dict[str, str], dict[str, dict[str, int]]]:
    """Adjustment columns: numbers as they are, text as indicator columns, each text column's
    reference category (the first in sorting order) and its rows per category. A column of numbers
    with one word in it is a typo, not a set of categories: that cell is the error, as is a number we
    will not guess at (``1,000``, ``inf``)."""
    parts, references, categories = [], {}, {}
    for column in adjust:
        cells = [table.text(i, column, required=False) for i in range(len(table))]
        values: list[float] = []
        words: list[int] = []
        for i, cell in enumerate(cells):
            try:
                values.append(table.number_in(cell) if cell else np.nan)
            except NumberFormatError as err:
                raise cell_error(table.path, table.where(i), column, str(err)) from None
            except ValueError:
                words.append(i)
        if not words:
            parts.append(pd.Series(values, name=column))
            continue
        if len(words) < sum(1 for c in cells if c):
            i = words[0]
            raise cell_error(table.path, table.where(i), column,
                             f"{cells[i]!r} is not a number (the column's other cells are numbers)")
        text = pd.Series([c if c else None for c in cells], name=column)
        references[column] = str(sorted(text.dropna().unique())[0])
        categories[column] = {str(k): int(v) for k, v in sorted(text.value_counts().items())}
        dummies = pd.get_dummies(text, prefix=column, drop_first=True, dtype=float)
        dummies[text.isna()] = np.nan
        parts.append(dummies)
    frame = pd.concat(parts, axis=1) if parts else pd.DataFrame(index=range(len(table)))
    return frame, references, categories


#: A factor whose cells are 0 or 1 but for at most this share is read per unit, as any number, yet is more
#: likely a 0/1 factor with a wrong code (a 2 or 0.5 typed for 1): the report asks (a count whose few 2s are
#: real answers the question by its name).
STRAY_CODE_SHARE = 0.05


def stray_code_note(table: Table, column: str, values: pd.Series) -> str:
    """The question for a factor that is 0/1 in all but a few cells, naming the first such cell; else ''."""
    filled = values.dropna()
    stray = filled[~filled.isin([0.0, 1.0])]
    if not len(stray) or not {0.0, 1.0} <= set(filled.unique()) or len(stray) > STRAY_CODE_SHARE * len(filled):
        return ""
    i = int(stray.index[0])
    more = f" ({len(stray) - 1} more rows neither)" if len(stray) > 1 else ""
    return (f"0 or 1 in {len(filled) - len(stray)} of {len(filled)} rows; line {table.where(i)} holds "
            f"{table.text(i, column)!r}{more}: a wrong code in a 0/1 factor?")


def _ranges(columns: dict[str, pd.Series]) -> dict[str, tuple[float, float]]:
    """Each column's lowest and highest filled value (columns with none are left out)."""
    return {name: (float(values.min()), float(values.max())) for name, values in columns.items()
            if values.notna().any()}


def _is_numeric(table: Table, column: str) -> bool:
    for i in range(len(table)):
        text = table.text(i, column, required=False)
        try:
            if text:
                table.number_in(text)
        except NumberFormatError:
            continue  # a number, refused with its cell when the column is analysed
        except ValueError:
            return False
    return True


def candidate_columns(table: Table, used: set[str], known: set[str] | None) -> tuple[list[str], list[str]]:
    """Factor columns: those named like a factor of ``factors.toml`` when known, else every other
    numeric column; the rest is listed as not analysed."""
    rest = [c for c in table.columns if c not in used and not is_id_column(c)]
    if known is None:
        chosen = [c for c in rest if _is_numeric(table, c)]
    else:
        chosen = [c for c in rest if c in known]
    return chosen, [c for c in rest if c not in chosen]


def _logistic(y: pd.Series, x: pd.DataFrame, level: float) -> tuple[float, float, float, float]:
    import statsmodels.api as sm

    fit = sm.Logit(y, sm.add_constant(x, has_constant="add")).fit(disp=0, maxiter=200)
    low, high = fit.conf_int(alpha=1 - level).iloc[1]
    b = fit.params.iloc[1]
    with np.errstate(over="ignore"):  # an overflowing bound is separation too: estimable says no
        odds = np.exp([b, low, high])
    if not estimable(*odds):
        raise ValueError("the model does not converge (separation: the factor predicts the outcome perfectly)")
    return float(np.exp(b)), float(np.exp(low)), float(np.exp(high)), float(fit.pvalues.iloc[1])


def _cox(frame: pd.DataFrame, level: float) -> tuple[float, float, float, float, float | None]:
    from lifelines import CoxPHFitter

    cox = CoxPHFitter(alpha=1 - level).fit(frame, duration_col="__time", event_col="__event")
    row = cox.summary.loc["__factor"]
    ratio, low, high = (float(row["exp(coef)"]), float(row[cox.summary.columns[5]]),
                        float(row[cox.summary.columns[6]]))
    if not estimable(ratio, low, high):
        raise ValueError("the model does not converge (separation: the factor orders the events perfectly)")
    return ratio, low, high, float(row["p"]), ph_test_p(cox, frame).get("__factor")


def factor_associations(path: Path | str, *, outcome: str, time: str | None = None, event: str | None = None,
                        adjust: list[str] | None = None, factors: list[str] | None = None,
                        known_factors: set[str] | None = None, level: float = 0.95) -> FactorsResult:
    """An OR (logistic) or HR (Cox, when ``time`` is given) per candidate factor."""
    import warnings

    adjust = list(adjust or [])
    table = read_table(path)
    if event and not time:  # (the logistic model read it as the outcome, while every output named --outcome)
        raise cell_error(table.path, None, event, "--event needs --time (the follow-up time column); without it the "
                                                  f"outcome is --outcome, {outcome!r}")
    event = event or (outcome if time else None)
    used = {c for c in (outcome, time, event, *adjust) if c}
    table.require(*used)
    table.require_one_part(("--outcome", outcome), ("--time", time), ("--event", event if event != outcome else None),
                           ("--adjust", adjust))
    if factors:
        table.require(*factors)
        table.require_one_part(("--factor", factors))
        overlap = used.intersection(factors)
        if overlap:
            raise cell_error(table.path, table.header_row, sorted(overlap)[0], "is a factor and an outcome/covariate")
        candidates, skipped = list(factors), list[str]()
    else:
        candidates, skipped = candidate_columns(table, used, known_factors)
    if not candidates:
        raise cell_error(table.path, table.header_row, None,
                         "no candidate factor columns (name them with --factor, or use the factor ids of factors.toml)")
    id_column = table.require_unique_ids()
    status = pd.Series([table.binary(i, event or outcome, required=False) for i in range(len(table))], dtype=float)
    require_events(table, status.dropna().astype(int).tolist(), event or outcome, both_outcomes=not time)
    duration = _numeric_column(table, time) if time else None
    if duration is not None and (duration < 0).any():
        i = int(np.flatnonzero(duration < 0)[0])
        raise cell_error(table.path, table.where(i), time, f"negative time {duration[i]:g}")
    covariates, references, categories = _covariates(table, adjust)
    ranges = _ranges({**({time: duration} if time and duration is not None else {}),
                      **{c: covariates[c] for c in adjust if c in covariates.columns}})
    parameters = 1 + covariates.shape[1]
    measure = "HR" if time else "OR"
    results = []
    fitted = "Cox models" if time else "logistic models"
    for number, name in enumerate(candidates):
        report(f"{fitted}, now {name}", number, len(candidates))
        x = _numeric_column(table, name)
        ranges.update(_ranges({name: x}))
        frame = pd.concat([status.rename("__event"), x.rename("__factor"), covariates], axis=1)
        if duration is not None:
            frame.insert(0, "__time", duration)
        complete = frame.dropna()
        values = set(complete["__factor"].unique())
        binary = values <= {0.0, 1.0}
        contrast = f"{name} present vs absent" if binary else f"per unit of {name}"
        stray = "" if binary else stray_code_note(table, name, x)
        n, events = len(complete), int(complete["__event"].sum())
        excluded = len(frame) - n
        epv = (events if measure == "HR" else min(events, n - events)) / parameters
        if events == 0 or (measure == "OR" and events == n):
            note = "no events" if events == 0 else "every row is an event"
            results.append(FactorAssociation(name, contrast, measure, None, None, None, None, n, events, excluded,
                                             list(adjust), note))
            continue
        if len(values) < 2:
            results.append(FactorAssociation(name, contrast, measure, None, None, None, None, n, events, excluded,
                                             list(adjust), "the factor does not vary"))
            continue
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                ph_p = None
                if measure == "OR":
                    est, lo, hi, p = _logistic(complete["__event"], complete.drop(columns="__event"), level)
                else:
                    est, lo, hi, p, ph_p = _cox(complete, level)
        except Exception as err:  # a model that cannot be fitted is reported, not fatal for the others
            results.append(FactorAssociation(name, contrast, measure, None, None, None, None, n, events, excluded,
                                             list(adjust), str(err).splitlines()[0][:160]))
            continue
        results.append(FactorAssociation(name, contrast, measure, est, lo, hi, p, n, events, excluded, list(adjust),
                                         joined_notes(stray, few_events_note(epv, parameters)), round(epv, 2), ph_p))
    report(fitted, len(candidates), len(candidates))
    holm_adjust(results)  # also flags doubtful proportional hazards, on the adjusted p
    model = "Cox proportional hazards (lifelines)" if time else "logistic regression (statsmodels)"
    columns = [c for c in dict.fromkeys([outcome, *(c for c in (time, event) if c), *adjust, *candidates])]
    missing = {c: n for c in columns if (n := sum(not table.text(i, c, required=False) for i in range(len(table))))}
    return FactorsResult(str(path), model, outcome, time, event if time else None, adjust, len(table), results,
                         skipped, level, missing, references, categories, id_column, ranges,
                         known_factors is not None and not factors, n_events=int(status.dropna().sum()))
