"""Typed records of the extraction stage: factors, studies, estimates, QUIPS ratings."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..levels import ci_level_fraction, ci_level_prefix, ci_level_problem, exp_or_limit, rescaled_interval
from ..words import effect_interval, effect_number, p_value

DOMAINS: tuple[str, ...] = ("personal", "social", "work", "health")
QUIPS_DOMAINS: tuple[str, ...] = (
    "participation", "attrition", "factor_measurement", "outcome_measurement", "confounding", "analysis",
)
QUIPS_RATINGS: tuple[str, ...] = ("low", "moderate", "high")
RATIO_MEASURES: frozenset[str] = frozenset({"OR", "HR", "RR"})
#: The significance level a direction is read at from an estimate's CI or p, whatever level the CI was
#: published at (its interval is recomputed at 1 − FINDING_ALPHA, :meth:`Estimate.interval_at`).
FINDING_ALPHA = 0.05
#: ``data_source`` of a study written by ``review validate factors --to-extraction``: the programme's own,
#: unpublished data (decision 0027).
OWN_DATA_SOURCE = "own data"


def estimate_status_kind(status: str) -> str:
    """How the instrument words the ``estimate_status`` of an estimate without a number: 'abstract' (missing
    from the abstract), 'not_found' (not found in the published text), 'none' (nothing said: '', 'reported',
    'no estimate'), each in words of its own, or 'quoted' (quoted as written, in Dutch its
    ``estimate_status_nl``)."""
    low = status.lower()
    if "abstract" in low:
        return "abstract"
    if "not found in published text" in low:
        return "not_found"
    if low in ("", "reported", "no estimate"):
        return "none"
    return "quoted"


def estimate_status_is_quoted(estimate: object, status: str) -> bool:
    """Whether an output quotes ``status`` (and its Dutch wording): only as the reason a study gives no number
    (beside a number, a missing interval is worded, never quoted), and only when its kind is 'quoted'."""
    return estimate is None and estimate_status_kind(status) == "quoted"


def known_fields(cls: type, values: Mapping[str, Any]) -> dict[str, Any]:
    """The entries of a study file's table that are fields of dataclass ``cls`` (validation names the others)."""
    return {k: v for k, v in values.items() if k in cls.__dataclass_fields__}  # type: ignore[attr-defined]


@dataclass(slots=True, frozen=True)
class Factor:
    """One harmonised prognostic factor of ``extraction/factors.toml``."""

    id: str
    label_en: str
    label_nl: str
    domain: str
    modifiable: bool
    assessable: bool
    definition: str = ""
    flags_source: str = ""  # who judged modifiable/assessable
    notes: str = ""


@dataclass(slots=True)
class Estimate:
    """One published association between a factor and recurrence."""

    factor: str
    contrast: str
    estimate_type: str
    source_location: str
    measure: str = ""
    #: The label the source prints for this number when ``measure`` records another for a reason the
    #: ``note`` gives (Endo 2015's Cox estimate, published as "OR", stored as HR): every output shows it
    #: beside the number, so a reader who opens the source finds it.
    measure_as_published: str = ""
    estimate: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    ci_level: float = 0.95
    p: float | None = None
    estimate_status: str = "reported"
    adjusted_for: list[str] = field(default_factory=list)
    model: str = ""
    #: How the model was built (MODEL_BUILDING): "pre-specified" (confirmatory, phase 2), "selection" (data-driven
    #: backward/forward/stepwise selection: exploratory, phase 1; Hayden et al. 2008), "" not recorded.
    model_building: str = ""
    subgroup: str = ""
    outcome_favourable: bool = False
    #: The outcome this estimate is for when it is not the review's outcome (e.g. "sustainable return
    #: to work"): indirect evidence, never inverted into recurrence, pooled or plotted with it.
    outcome: str = ""
    #: Dutch wordings of ``contrast``, ``outcome`` and ``subgroup`` for the instrument's Dutch outputs,
    #: which show every number with what it compares (empty: the instrument shows the field as extracted).
    contrast_nl: str = ""
    outcome_nl: str = ""
    subgroup_nl: str = ""
    #: ``estimate_status`` in Dutch: the Dutch outputs show it where the English ones quote the English reason.
    estimate_status_nl: str = ""
    #: Where the number was read: "abstract", "full text", "table", ... (the kind of source).
    source_kind: str = ""
    #: The reference category of the contrast, as the source gives it.
    reference: str = ""
    #: The cohort of this estimate when the paper reports several independent cohorts (each then
    #: counts as its own study); empty = the study's ``cohort_id``.
    cohort: str = ""
    finding: str = ""
    finding_basis: str = ""
    #: An exposure-response gradient for the factor as the source reports it: "present", "absent" or ""
    #: (not examined); GRADE's dose-response upgrade reads it (Huguet et al. 2013).
    gradient: str = ""
    note: str = ""

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> "Estimate":
        """An estimate from a study file's ``[[estimates]]`` table: keys that are no field (named by
        validation) are left out; a missing required field raises TypeError. A ``ci_level`` written as a
        percent (90) is kept as the fraction (0.9) every computation takes (:func:`ci_level_fraction`)."""
        fields = known_fields(cls, values)
        level = ci_level_fraction(fields.get("ci_level"))
        if level is not None:
            fields["ci_level"] = level
        return cls(**fields)

    @property
    def indirect(self) -> bool:
        """True when the estimate is for another outcome than the review's (GRADE indirectness)."""
        return bool(self.outcome)

    @property
    def has_ci(self) -> bool:
        return self.estimate is not None and self.ci_low is not None and self.ci_high is not None

    def derived_finding(self, alpha: float = FINDING_ALPHA) -> str:
        """risk | protective | null | unknown for recurrence, from the CI (or p) unless given."""
        if self.finding:
            return self.finding
        return self.finding_from_numbers(alpha)

    def finding_from_numbers(self, alpha: float = FINDING_ALPHA) -> str:
        """The direction the estimate and its CI (or p) give for recurrence, whatever ``finding`` says."""
        if self.estimate is None:
            return "unknown"
        if self.ci_low is not None and self.ci_high is not None:
            significant = self._ci_excludes_null(alpha)
        elif self.p is not None:
            significant = self.p < alpha
        else:
            return "unknown"
        if not significant:
            return "null"
        above = self.estimate > self.null_value
        if self.outcome_favourable:
            above = not above
        return "risk" if above else "protective"

    @property
    def null_value(self) -> float:
        """No association: 1 for a ratio, 0 for a difference."""
        return 1.0 if self.measure in RATIO_MEASURES else 0.0

    def _ci_excludes_null(self, alpha: float) -> bool:
        """Whether the (1 − alpha) CI excludes the null, so a 90 % CI is not read as significance at 0.05.
        Decided on the scale the interval is computed on (log for ratios): its back-transform can
        overflow to inf or 0 for a very wide interval, where a comparison would no longer be exact."""
        low, high = self._interval_on_own_scale(alpha)
        null = 0.0 if self._log_scale else self.null_value
        return low > null or high < null

    @property
    def _log_scale(self) -> bool:
        """A ratio with positive bounds is recomputed on the log scale; anything else as entered."""
        return (self.measure in RATIO_MEASURES and self.ci_low is not None and self.ci_high is not None
                and min(self.ci_low, self.ci_high) > 0)

    def _interval_on_own_scale(self, alpha: float) -> tuple[float, float]:
        """The (1 − alpha) CI from the entered one, each side's distance from the published estimate scaled
        by the levels' normal quantiles, on the log scale for ratios (a ratio CI with a bound ≤ 0, which
        validation names, is taken as entered): :func:`review.levels.rescaled_interval`, the forest plot's too."""
        assert self.ci_low is not None and self.ci_high is not None
        log_scale = self._log_scale
        low, high = (math.log(self.ci_low), math.log(self.ci_high)) if log_scale else (self.ci_low, self.ci_high)
        if math.isclose(self.ci_level, 1 - alpha) or (self.measure in RATIO_MEASURES and not log_scale):
            return low, high
        if not 0 < self.ci_level < 1:  # no width to scale (validation names the file's field)
            raise ValueError(ci_level_problem(self.ci_level))
        centre = None
        if self.estimate is not None and (not log_scale or self.estimate > 0):
            centre = math.log(self.estimate) if log_scale else self.estimate
        return rescaled_interval(centre, low, high, from_level=self.ci_level, to_level=1 - alpha)

    def interval_at(self, alpha: float = FINDING_ALPHA) -> tuple[float, float]:
        """The (1 − alpha) CI on the reporting scale: the entered CI itself when it is at that level,
        else the entered CI rescaled to that level about the published estimate (log scale for ratios,
        back-transformed to inf or 0 past the float range): for showing, and for GRADE's imprecision, which
        reads a study's CI at 95 % against its thresholds (a finding's direction is decided on the own scale,
        ``_interval_on_own_scale``)."""
        assert self.ci_low is not None and self.ci_high is not None
        if math.isclose(self.ci_level, 1 - alpha):
            return self.ci_low, self.ci_high
        low, high = self._interval_on_own_scale(alpha)
        if self._log_scale:
            return exp_or_limit(low), exp_or_limit(high)
        return low, high

    def aligned(self) -> tuple[float, float, float] | None:
        """(estimate, ci_low, ci_high) for recurrence: ORs of a favourable outcome are inverted.

        None without a CI, for an estimate of another outcome (:attr:`outcome`: an OR for
        sustainable return to work is not the complement of an OR for recurrence), and for an RR or
        HR of the favourable outcome: only the odds ratio of an outcome's complement is 1/OR, so no
        recurrence number can be derived from them (their direction still counts).
        """
        if not self.has_ci or self.indirect:
            return None
        est, lo, hi = self.estimate, self.ci_low, self.ci_high
        assert est is not None and lo is not None and hi is not None
        if self.outcome_favourable:
            if self.measure != "OR":
                return None
            return 1 / est, 1 / hi, 1 / lo
        return est, lo, hi

    def label(self) -> str:
        """'OR 2.59 (1.40-4.80)' as published ('HR 1.46 (1.01-2.10; published as OR)' with
        :attr:`measure_as_published`), 'MD -5.00 (-6.10 to -2.00)' when a bound is negative (a
        hyphen between two minus signs misreads, as
        beside e-notation: :func:`review.words.effect_interval`), 'OR 1.10 (p = 0.30)' without a CI (the p its
        finding is read from, :meth:`finding_from_numbers`), or the status when no number exists."""
        if self.estimate is None:
            return self.estimate_status or "no estimate"
        inside = []
        if self.ci_low is not None and self.ci_high is not None:
            inside.append(f"{ci_level_prefix(self.ci_level)}{effect_interval(self.ci_low, self.ci_high)}")
        elif self.p is not None:
            inside.append(p_value(self.p))
        if self.measure_as_published:
            inside.append(f"published as {self.measure_as_published}")
        text = f"{self.measure} {effect_number(self.estimate)}"
        return text + (f" ({'; '.join(inside)})" if inside else "")


@dataclass(slots=True)
class ExpertRating:
    """A factor's rating in an expert-consensus (Delphi) study."""

    factor: str
    percent_agree: float
    consensus: bool
    source_location: str
    round: int | None = None


@dataclass(slots=True)
class Study:
    """One included study as extracted: descriptors, estimates, QUIPS ratings per rater."""

    id: str
    cohort_id: str
    citation: str
    country: str
    design: str
    evidence_type: str
    outcome_definition: str
    data_source: str
    doi: str = ""
    pmid: str = ""
    setting: str = ""
    n: int | None = None
    events: int | None = None
    phase: int | None = None
    follow_up: str = ""
    washout_days: int | None = None
    washout_status: str = ""
    outcome_cmd_specific: bool | None = None
    #: Why the population, factor or outcome differs from the review question (GRADE indirectness).
    indirectness: str = ""
    base_rate: str = ""
    notes: str = ""
    estimates: list[Estimate] = field(default_factory=list)
    expert_ratings: list[ExpertRating] = field(default_factory=list)
    quips: dict[str, dict[str, str]] = field(default_factory=dict)  # rater -> domain -> rating
    extractor: str = ""

    def study_fields(self) -> dict[str, Any]:
        names = ("id", "cohort_id", "citation", "doi", "pmid", "country", "design", "evidence_type", "setting",
                 "n", "events", "phase", "follow_up", "outcome_definition", "washout_days", "washout_status",
                 "outcome_cmd_specific", "indirectness", "data_source", "base_rate", "notes")
        return {name: getattr(self, name) for name in names}
