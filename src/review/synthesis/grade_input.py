"""What GRADE's automatic judgement of a prognostic factor reads: its thresholds (:class:`GradeConfig`) and
the factor's evidence (:class:`GradeInput`); apart from :mod:`review.synthesis.grade` so the large-effect rules
(:mod:`review.synthesis.large_effect`) can use them without an import cycle."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..levels import STANDARD_LEVEL
from .evidence import StudyFinding

if TYPE_CHECKING:  # (an annotation only: [synthesis]'s check reads GradeConfig without numpy, synthesis.settings)
    from .meta import MetaResult


@dataclass(slots=True)
class GradeConfig:
    """Thresholds that are GRADE conventions, not published prognostic rules: keep editable."""

    i2_cut: float = 50.0
    consistency: float = 0.75
    imprecision_low: float = 0.8
    imprecision_high: float = 1.25
    large_effect_high: float = 2.0
    large_effect_low: float = 0.5
    #: A very large effect raises two levels (GRADE guidelines 9, Guyatt et al. 2011: RR > 5 or < 0.2).
    very_large_effect_high: float = 5.0
    very_large_effect_low: float = 0.2
    #: GRADE's rule of thumb for the optimal information size of a dichotomous outcome: fewer
    #: events than this across the studies is imprecise even when the CI excludes 1.
    ois_events: float = 300.0

    @classmethod
    def from_mapping(cls, data: dict[str, Any]) -> "GradeConfig":
        config = cls()
        for key in cls.__dataclass_fields__:
            if key in data:
                setattr(config, key, float(data[key]))
        return config


@dataclass(slots=True)
class GradeInput:
    """What the automatic judgement looks at for one factor."""

    factor_id: str
    units: list[StudyFinding]  # counted units (cohorts), direction known
    consistency: float | None
    pooled: MetaResult | None = None
    ratios: list[tuple[float, float, float]] = field(default_factory=list)  # aligned (est, lo, hi), the CI at 95 %
    indirect: list[str] = field(default_factory=list)  # study ids with indirect outcome/population
    designs: list[str] = field(default_factory=list)
    #: Phase of investigation per counted unit: (1|2|3, why); a unit is confirmatory when one of its
    #: papers is.
    phases: dict[str, tuple[int, str]] = field(default_factory=dict)
    #: (events, participants) per study behind the CIs judged for imprecision; None = not given.
    sizes: dict[str, tuple[int | None, int | None]] = field(default_factory=dict)
    #: The risk of bias an unrated study counts as (RuleConfig.unrated_as).
    unrated_as: str = "moderate"
    #: Study ids of the programme's own, unpublished data (``data_source = "own data"``).
    own_data: list[str] = field(default_factory=list)
    #: The exposure-response gradient each counted unit records for the review outcome ("present" |
    #: "absent" | "conflicting" when its estimates disagree); units that record none are left out.
    gradients: dict[str, str] = field(default_factory=dict)
    #: Per counted unit, its whole-sample ratio estimates for the review outcome as (estimate, low, high) with
    #: the 95 % CI, aligned to recurrence, adjusted ones only: what a large effect is judged on when nothing is pooled.
    unit_ratios: dict[str, list[tuple[float, float, float]]] = field(default_factory=dict)
    #: The same for its crude (or not stated) ratios, which the large-effect rule does not count (GRADE 9) but
    #: names, and which still show a conflicting direction.
    unit_unadjusted: dict[str, list[tuple[float, float, float]]] = field(default_factory=dict)
    #: The level of the CIs the synthesis reports; ``pooled`` is drawn at 95 % whatever it is (GRADE's thresholds
    #: assume 95 %), and a judgement names its 95 % CI where the synthesis shows another.
    reported_level: float = STANDARD_LEVEL

    @property
    def reported_at_other_level(self) -> bool:
        """Whether the synthesis reports its CIs at a level other than 95 % (a judgement then names its CI's)."""
        return not math.isclose(self.reported_level, STANDARD_LEVEL)

    def pooled_ci_name(self) -> str:
        """'pooled CI', or 'pooled 95 % CI' when the synthesis reports its pooled CI at another level."""
        return "pooled 95 % CI" if self.reported_at_other_level else "pooled CI"
