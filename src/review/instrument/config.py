"""Instrument settings: inclusion threshold, weight rule and profile thresholds.

Defaults live here; a workspace overrides them in ``instrument/scoring.toml`` and, last, in the
``[instrument]`` table of ``review.toml``. Every threshold is a parameter because none of them
is a validated cut-off — they are documented choices.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..records import LEVEL_RANKS
from ..tomlread import (
    SettingProblem, TomlProblem, located_problem, problems_located, read_toml_located, toml_key,
)

WEIGHT_RULES: tuple[str, ...] = ("level", "pooled_log")
#: What ``pooled_log`` does with a factor that has no pooled ratio estimate: ask it as a signal, unweighted.
POOLED_FALLBACKS: tuple[str, ...] = ("signal",)
#: Fallbacks refused since decision 0056: one lent another factor's |ln ratio|, the other put level points
#: on the |ln ratio| scale.
WITHDRAWN_FALLBACKS: dict[str, str] = {
    "min_pooled": "it gave the factor another factor's effect size",
    "level": "it put level points (1-3) on the scale of |ln ratio| weights",
}


@dataclass(slots=True, frozen=True)
class BaseRate:
    """A published recurrence rate shown as context in every profile (with its source)."""

    text_nl: str
    text_en: str
    source: str


@dataclass(slots=True)
class InstrumentConfig:
    """All knobs of build and scoring; see ``instrument/scoring.toml`` for the rationale."""

    #: Lowest evidence level (synthesis rule set's name) that earns a scored item.
    min_level: str = "moderate"
    #: Factors below ``min_level`` but at least this level are asked as unweighted *signals*
    #: (aandachtspunten); "" = leave them out of the questionnaire altogether.
    signal_min_level: str = "some"
    #: Optional GRADE floor ("" = not used): high | moderate | low | very low.
    min_grade: str = ""
    #: Leave out factors the synthesis marks as not assessable in a conversation.
    require_assessable: bool = True
    #: "level": weight = level_points[level]; "pooled_log": weight = |ln(pooled ratio)|, and a
    #: factor without a pooled ratio estimate gets the fallback below.
    weight_rule: str = "level"
    level_points: dict[str, float] = field(default_factory=lambda: {
        "strong": 3.0, "moderate": 2.0, "some": 1.0, "limited": 1.0,
    })
    #: For "pooled_log" without a pooled ratio estimate: "signal" (asked, not weighed), the only one
    #: offered: a weight is never borrowed from another factor nor taken from another scale (decision 0056).
    pooled_fallback: str = "signal"
    #: Answer option scaled weight for a "partly present" answer.
    partly_fraction: float = 0.5
    #: Profile: share of unanswered scored factors above which no indication is given.
    max_missing_share: float = 0.25
    #: Profile: share of attainable risk weight that counts as "many risk signals".
    many_signals_share: float = 0.5
    #: Display rules (pre-registered): a signal is shown plainly when its direction is replicated
    #: (at least this many studies) or its GRADE certainty reaches ``signal_min_grade``.
    signal_min_studies: int = 2
    signal_min_grade: str = "low"
    #: Otherwise: "caution" (asked and shown with a caution) or "hide" (not asked).
    unreplicated_signal: str = "caution"
    #: Directions expected before seeing the evidence; a single-study finding against them is
    #: counter-intuitive and handled by ``counter_intuitive_single_study`` ("hide" | "caution").
    expected_direction: dict[str, str] = field(default_factory=dict)
    counter_intuitive_single_study: str = "hide"
    #: Pairs of factors whose evidence is independent, so one answer may count for both.
    independent_factors: tuple[tuple[str, str], ...] = ()
    base_rates: tuple[BaseRate, ...] = ()
    #: Why the base rates differ from each other (follow-up, diagnosis, country), said after them.
    base_rates_note_nl: str = ""
    base_rates_note_en: str = ""
    #: The instrument's titles: scoring.toml or review.toml [instrument] ``title_nl``/``title_en``; else
    #: "Profiel: <the review's title>" (:func:`load_config`), else these, which name no outcome.
    title_nl: str = "Profiel van risico- en beschermende factoren"
    title_en: str = "Profile of risk and protective factors"
    canonical_url: str = "urn:review:instrument"

    def level_rank(self, level: str) -> int:
        return LEVEL_RANKS.get(level.lower(), 0)

    def summary(self) -> dict[str, Any]:
        """The settings that change items or weights (stored with each instrument version)."""
        return {
            "min_level": self.min_level, "signal_min_level": self.signal_min_level,
            "min_grade": self.min_grade,
            "require_assessable": self.require_assessable, "weight_rule": self.weight_rule,
            "level_points": dict(self.level_points), "pooled_fallback": self.pooled_fallback,
            "partly_fraction": self.partly_fraction,
            "signal_min_studies": self.signal_min_studies, "signal_min_grade": self.signal_min_grade,
            "unreplicated_signal": self.unreplicated_signal,
            "expected_direction": dict(self.expected_direction),
            "counter_intuitive_single_study": self.counter_intuitive_single_study,
            "independent_factors": [list(pair) for pair in self.independent_factors],
        }


GRADE_RANKS: dict[str, int] = {"very low": 0, "low": 1, "moderate": 2, "high": 3}

_SCALARS: dict[str, type] = {
    "min_level": str, "signal_min_level": str, "min_grade": str, "require_assessable": bool, "weight_rule": str,
    "pooled_fallback": str, "partly_fraction": float, "max_missing_share": float,
    "many_signals_share": float, "title_nl": str, "title_en": str, "canonical_url": str,
    "signal_min_studies": int, "signal_min_grade": str, "unreplicated_signal": str,
    "counter_intuitive_single_study": str, "base_rates_note_nl": str, "base_rates_note_en": str,
}


def load_config(scoring_toml: Path | None = None, overrides: dict[str, Any] | None = None,
                review_title: str = "", review_title_nl: str = "") -> InstrumentConfig:
    """Defaults, then ``scoring_toml`` (if it exists), then ``overrides`` (review.toml [instrument]).

    A title neither names is the review's own (``Profile: <review_title>``): the defaults once named
    recurrent sickness absence in every workspace, whatever its review was about. The Dutch one is
    ``Profiel: <review_title_nl>`` (review.toml ``title_nl``) when the review has a Dutch title."""
    config = InstrumentConfig()
    if review_title:
        config.title_en = f"Profile: {review_title}"
        config.title_nl = f"Profiel: {review_title_nl or review_title}"
    if scoring_toml is not None and Path(scoring_toml).is_file():
        data, located = read_toml_located(Path(scoring_toml))
        with problems_located(scoring_toml, located):
            _apply(config, data)
    if overrides:
        try:
            _apply(config, overrides)
        except TomlProblem as problem:  # (a bad review.toml value is a workspace error: exit 2, named by its line)
            raise SettingProblem(f"instrument.{problem.where}", problem.what) from None
    return config


#: How a setting's expected type is said (``float`` read "must be float").
_TYPE_WORDS: dict[type, str] = {float: "a number", int: "a whole number", str: "text", bool: "true or false"}

#: The tables scoring.toml groups its settings in.
_GROUPS = frozenset({"inclusion", "weights", "profile", "instrument", "display"})


def _apply(config: InstrumentConfig, data: dict[str, Any]) -> None:
    """The settings of ``data`` (scoring.toml's, or review.toml's [instrument]) set on ``config``, checked; a bad
    one is a :class:`TomlProblem` naming it where it stands (``profile.many_signals_share``)."""
    flat: dict[str, Any] = {}
    #: Where each setting stands in ``data``: flat or in one of the groups.
    place: dict[str, str] = {}
    for key, value in data.items():
        # Accept the grouped layout of scoring.toml ([inclusion], [weights], [profile]).
        if key in _GROUPS:
            if not isinstance(value, dict):  # 'profile = 3' read "unknown setting 'profile'" (rrev28a)
                raise TomlProblem(key, f"must be a [{key}] table of settings, got {value!r}")
            flat.update(value)
            place.update((name, f"{key}.{toml_key(name)}") for name in value)
        else:
            flat[key] = value
            place[key] = toml_key(key)
    for key, value in flat.items():
        where = place[key]
        if key in _SCALARS:
            expected = _SCALARS[key]
            if expected is float and isinstance(value, int) and not isinstance(value, bool):
                value = float(value)
            # (true is an int to Python: 'signal_min_studies = true' was taken as 1)
            if not isinstance(value, expected) or (expected is not bool and isinstance(value, bool)):
                raise TomlProblem(where, f"must be {_TYPE_WORDS.get(expected, expected.__name__)}, got {value!r}")
            setattr(config, key, value)
        elif key == "level_points":
            if not isinstance(value, dict) or not all(
                    isinstance(v, (int, float)) and not isinstance(v, bool) and v >= 0 for v in value.values()):
                raise TomlProblem(where, "must map level names to numbers >= 0")
            config.level_points = {str(k).lower(): float(v) for k, v in value.items()}
        elif key == "expected_direction":
            if not isinstance(value, dict) or not all(v in ("risk", "protective") for v in value.values()):
                raise TomlProblem(where, "must map factor ids to 'risk' or 'protective'")
            config.expected_direction = {str(k): str(v) for k, v in value.items()}
        elif key == "independent_factors":
            if not isinstance(value, list) or not all(isinstance(p, list) and len(p) == 2 for p in value):
                raise TomlProblem(where, "must be a list of [factor, factor] pairs")
            config.independent_factors = tuple((str(a), str(b)) for a, b in value)
        elif key == "base_rates":
            if not isinstance(value, list):  # 'base_rates = 3' was a TypeError traceback (walk28)
                raise TomlProblem(where, f"must be [[profile.base_rates]] tables, got {value!r}")
            config.base_rates = tuple(_base_rate(item, f"{where}[{i}]") for i, item in enumerate(value, start=1))
        elif key in {"domains", "notes", "comment"}:
            continue
        else:
            raise TomlProblem(where, "unknown setting")
    _validate(config, place)


def unknown_rule_factors(config: InstrumentConfig, factor_ids: set[str], scoring_toml: Path | None) -> list[str]:
    """One line per factor id a display rule names (``expected_direction``, ``independent_factors``) that is not
    among ``factor_ids`` (the synthesis' factors): a misspelt id leaves its pre-registered rule without effect, and
    nothing else says so (walk33: 'chronic_diseas' put chronic disease back in the questionnaire). Named as
    ``PATH:WHERE: what (line N)`` when scoring.toml sets it, else as review.toml's ``[instrument]`` setting."""
    named = [("expected_direction", f) for f in config.expected_direction]
    named += [("independent_factors", f) for pair in config.independent_factors for f in pair]
    unknown = list(dict.fromkeys((key, f) for key, f in named if f not in factor_ids))
    if not unknown:
        return []
    data: dict[str, Any] = {}
    located: dict[str, int] = {}
    if scoring_toml is not None and Path(scoring_toml).is_file():
        data, located = read_toml_located(Path(scoring_toml))
    lines = []
    for key, factor in unknown:
        what = f"no factor {factor!r} in the synthesis, so this rule never applies (a misspelt factor id?)"
        tables = [(group, data[group]) for group in sorted(_GROUPS) if isinstance(data.get(group), dict)]
        place, value = next(((f"{group}.{key}", table[key]) for group, table in tables if key in table),
                            (key, data.get(key)))
        in_file = factor in (value if isinstance(value, dict) else
                             {str(f) for pair in value for f in pair} if isinstance(value, list) else ())
        entry = f".{toml_key(factor)}" if key == "expected_direction" else ""
        lines.append(located_problem(scoring_toml, f"{place}{entry}", what, located) if in_file
                     else f"review.toml:instrument.{key}{entry}: {what}")
    return lines


def _base_rate(item: Any, where: str) -> BaseRate:
    if not isinstance(item, dict) or not {"text_nl", "text_en", "source"} <= item.keys():
        raise TomlProblem(where, f"needs text_nl, text_en and source, got {item!r}")
    return BaseRate(str(item["text_nl"]), str(item["text_en"]), str(item["source"]))


def _validate(config: InstrumentConfig, place: dict[str, str]) -> None:
    """The values ``config`` holds, checked; ``place``: where each setting the file sets stands in it (the others
    are defaults or an earlier file's, checked there)."""
    def refuse(key: str, what: str) -> TomlProblem:
        return TomlProblem(place.get(key, key), what)

    if config.min_level.lower() not in LEVEL_RANKS:
        raise refuse("min_level", f"{config.min_level!r} is not a known evidence level")
    if config.signal_min_level and config.signal_min_level.lower() not in LEVEL_RANKS:
        raise refuse("signal_min_level", f"{config.signal_min_level!r} is not a known evidence level")
    if config.min_grade and config.min_grade.lower() not in GRADE_RANKS:
        raise refuse("min_grade", f"{config.min_grade!r} is not a GRADE level")
    if config.weight_rule not in WEIGHT_RULES:
        raise refuse("weight_rule", f"{config.weight_rule!r} is not one of {WEIGHT_RULES}")
    if config.pooled_fallback in WITHDRAWN_FALLBACKS:
        raise refuse("pooled_fallback", f"{config.pooled_fallback!r} is no longer offered "
                                        f"({WITHDRAWN_FALLBACKS[config.pooled_fallback]}); a factor without a pooled "
                                        "ratio estimate is asked as a signal, not weighed: set pooled_fallback = "
                                        "\"signal\" (decision 0056)")
    if config.pooled_fallback not in POOLED_FALLBACKS:
        raise refuse("pooled_fallback", f"must be one of {POOLED_FALLBACKS}, got {config.pooled_fallback!r}")
    if config.signal_min_grade and config.signal_min_grade.lower() not in GRADE_RANKS:
        raise refuse("signal_min_grade", f"{config.signal_min_grade!r} is not a GRADE level")
    for name in ("unreplicated_signal", "counter_intuitive_single_study"):
        if getattr(config, name) not in ("caution", "hide"):
            raise refuse(name, "must be 'caution' or 'hide'")
    for name in ("partly_fraction", "max_missing_share", "many_signals_share"):
        value = getattr(config, name)
        if not 0.0 <= value <= 1.0:
            raise refuse(name, "must be between 0 and 1")
