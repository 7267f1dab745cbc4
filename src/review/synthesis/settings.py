"""review.toml's ``[synthesis]`` (and the ``[extraction]`` collapse rule it reads): the keys, their ranges and
:class:`SynthesisSettings`, read without the pooling (numpy, scipy: a second to load), so a shell can check the tables
before review synthesis runs (``review status``), as ``dedup.settings`` is for ``[dedup]``. Moved out of
``synthesis.factors``, which imports them from here."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..extraction.quips import CollapseRule
from ..tomlread import SettingProblem, unknown_setting_problem
from .evidence import RuleConfig, canonical_rule_set
from .grade_input import GradeConfig
from .methods import METHODS


DEFAULT_RULE_SET = "lievense"
#: The keys of review.toml's ``[synthesis]`` (docs/synthesis.md). Another is refused as a misspelling: a
#: ``consistancy = 0.75`` was read by nothing, and the rule set's default stood in a pre-registered synthesis.
SYNTHESIS_KEYS: tuple[str, ...] = ("rule_set", "consistency", "high_quality", "exclude", "unrated_as",
                                   "ariens_multiple_low_quality", "iwh_quality", "iwh_moderate_strict", "method",
                                   "hk", "hk_adhoc", "min_pool", "grade")
#: ``[synthesis]`` switches: ``hk = "false"`` was read as on (a non-empty string), so only true or false is taken.
_SWITCHES = ("hk", "hk_adhoc", "iwh_moderate_strict")


def recorded_rule_set(synthesis: dict[str, Any]) -> str | None:
    """``[synthesis] rule_set`` as review.toml records it (None: not yet registered); anything but
    a name is a WorkspaceError (exit 2) naming the key."""
    recorded = synthesis.get("rule_set")
    if recorded is not None and not isinstance(recorded, str):
        raise SettingProblem("synthesis.rule_set", f"{recorded!r}: expected the name of a rule set")
    return recorded


@dataclass(slots=True)
class SynthesisSettings:
    """Everything that changes a verdict; read from review.toml ``[synthesis]``."""

    rule_set: str = DEFAULT_RULE_SET
    rules: RuleConfig = field(default_factory=RuleConfig)
    method: str = "REML"
    hk: bool = True
    #: Floor the Hartung–Knapp factor at 1 (metafor test="adhoc"): identical effects must not give
    #: a CI narrower than the common-effect one. ``hk_adhoc = false`` in review.toml gives knha.
    hk_adhoc: bool = True
    level: float = 0.95
    min_pool: int = 2
    grade: GradeConfig = field(default_factory=GradeConfig)
    collapse: CollapseRule = field(default_factory=CollapseRule)

    def __post_init__(self) -> None:
        self.rule_set = canonical_rule_set(self.rule_set)  # an old name maps to its current one

    @classmethod
    def from_config(cls, synthesis: dict[str, Any], extraction: dict[str, Any] | None = None) -> "SynthesisSettings":
        """From review.toml's ``[synthesis]`` and ``[extraction]`` tables; a bad value is a
        WorkspaceError (exit 2) naming review.toml and the key."""
        recorded_rule_set(synthesis)
        grade = synthesis.get("grade", {})
        if refused := unknown_setting_problem(synthesis, SYNTHESIS_KEYS, "synthesis"):
            raise refused
        if isinstance(grade, dict) and (refused := unknown_setting_problem(
                grade, tuple(GradeConfig.__dataclass_fields__), "synthesis.grade")):
            raise refused
        for key in _SWITCHES:
            if key in synthesis and not isinstance(synthesis[key], bool):
                raise SettingProblem(f"synthesis.{key}", f"{synthesis[key]!r}: expected true or false, without quotes")
        method = synthesis.get("method")
        if method is not None and (not isinstance(method, str) or method.upper() not in METHODS):
            raise SettingProblem("synthesis.method", f"{method!r}: expected one of {', '.join(METHODS)}")
        numbers = {"min_pool": synthesis.get("min_pool"), "consistency": synthesis.get("consistency")}
        if isinstance(grade, dict):
            numbers |= {f"grade.{key}": value for key, value in grade.items() if key in GradeConfig.__dataclass_fields__}
        for key, value in numbers.items():
            if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))):
                raise SettingProblem(f"synthesis.{key}", f"{value!r}: expected a number")
            # a number outside its range was taken (ois_events = -1, imprecision_low = 2) or changed without a word
            # (min_pool = 1 read as 2) (walk28)
            if value is not None and (said := _out_of_range(key, value)):
                raise SettingProblem(f"synthesis.{key}", f"{value!r}: {said}")
        tables = {"iwh_quality": "a table of risk of bias = H, M or excluded, e.g. [synthesis.iwh_quality] "
                                 "moderate = \"M\"",
                  "grade": "a [synthesis.grade] table of GRADE thresholds"}
        for key, expected in tables.items():  # 'iwh_quality = 3', 'grade = 3' said "'int' object is not iterable"
            if key in synthesis and not isinstance(synthesis[key], dict):
                raise SettingProblem(f"synthesis.{key}", f"{synthesis[key]!r}: expected {expected}")
        for key in ("high_quality", "exclude"):  # 'high_quality = 3' said "'int' object is not iterable", a
            value = synthesis.get(key)             # string was read letter by letter (walk28)
            if value is not None and not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
                raise SettingProblem(f"synthesis.{key}", f"{value!r}: expected a list of risk-of-bias categories "
                                                         "(low, moderate, high), e.g. [\"low\"]")
        try:
            return cls._from_config(synthesis, extraction)
        except (TypeError, ValueError) as err:  # a table or list of the wrong kind
            raise SettingProblem("synthesis", str(err)) from None

    @classmethod
    def _from_config(cls, synthesis: dict[str, Any], extraction: dict[str, Any] | None) -> "SynthesisSettings":
        from ..errors import ValidationError

        settings = cls(rules=RuleConfig.from_mapping(synthesis))
        rule_set = str(synthesis.get("rule_set", DEFAULT_RULE_SET))
        try:
            settings.rule_set = canonical_rule_set(rule_set)
        except ValidationError as err:  # (every check of a review.toml value: exit 2)
            raise SettingProblem("synthesis.rule_set", str(err)) from None
        settings.method = str(synthesis.get("method", settings.method)).upper()
        settings.hk = bool(synthesis.get("hk", settings.hk))
        settings.hk_adhoc = settings.hk and bool(synthesis.get("hk_adhoc", settings.hk_adhoc))
        settings.min_pool = max(2, int(synthesis.get("min_pool", settings.min_pool)))
        settings.grade = GradeConfig.from_mapping(dict(synthesis.get("grade", {})))
        settings.collapse = CollapseRule.from_settings(extraction or {})
        return settings


#: Where each threshold of ``[synthesis]``/``[synthesis.grade]`` may lie, and how its refusal says so.
_RANGES: dict[str, tuple[float, float, bool, bool, str]] = {  # low, high, low included, high included, words
    "min_pool": (2, float("inf"), True, False, "expected a whole number of studies, at least 2 (one is shown, not "
                                               "pooled)"),
    "grade.i2_cut": (0, 100, True, True, "expected a percentage, 0 to 100"),
    "grade.consistency": (0.5, 1, False, True, "expected a share above 0.5, at most 1"),
    "grade.imprecision_low": (0, 1, False, False, "expected a ratio between 0 and 1 (an important effect below 1)"),
    "grade.imprecision_high": (1, float("inf"), False, False, "expected a ratio above 1 (an important effect above 1)"),
    "grade.large_effect_low": (0, 1, False, False, "expected a ratio between 0 and 1"),
    "grade.large_effect_high": (1, float("inf"), False, False, "expected a ratio above 1"),
    "grade.very_large_effect_low": (0, 1, False, False, "expected a ratio between 0 and 1"),
    "grade.very_large_effect_high": (1, float("inf"), False, False, "expected a ratio above 1"),
    "grade.ois_events": (0, float("inf"), True, False, "expected a number of events, 0 or more"),
}


def _out_of_range(key: str, value: float) -> str:
    """Why ``value`` cannot be ``key``'s (``_RANGES``), or "" when it can."""
    if key not in _RANGES:
        return ""
    low, high, low_in, high_in, words = _RANGES[key]
    above = value >= low if low_in else value > low
    below = value <= high if high_in else value < high
    whole = key != "min_pool" or float(value).is_integer()
    return "" if above and below and whole else words


def workspace_settings(config: Mapping[str, Any], rule_set: str | None = None) -> SynthesisSettings:
    """The synthesis settings of a workspace from its review.toml (``config``): ``[synthesis]`` and
    ``[extraction]``, with ``rule_set`` (``--rule-set``, checked by the caller) in place of the
    recorded one. ``review synthesis`` and the instrument's re-run of its pooling both build them here."""
    synthesis = config_table(config, "synthesis")
    if rule_set:
        synthesis["rule_set"] = rule_set
    return SynthesisSettings.from_config(synthesis, config_table(config, "extraction"))


def config_table(config: Mapping[str, Any], key: str) -> dict[str, Any]:
    """A copy of review.toml's ``[key]`` table (empty if absent); any other value is a WorkspaceError
    (exit 2) naming the file and the key, not a ValueError out of ``dict()``."""
    value = config.get(key, {})
    if not isinstance(value, Mapping):
        raise SettingProblem(key, f"{value!r}: expected a table ([{key}])")
    return dict(value)
