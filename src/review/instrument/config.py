"""Instrument settings: inclusion threshold, weight rule and profile thresholds.

Defaults live here; a workspace overrides them in ``instrument/scoring.toml`` and, last, in the
``[instrument]`` table of ``review.toml``. Every threshold is a parameter because none of them
is a validated cut-off — they are documented choices.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ValidationError, WorkspaceError
from ..records import LEVEL_RANKS
from ..tomlread import read_toml_located

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
        try:
            _apply(config, data, str(scoring_toml))
        except ValidationError as err:
            raise _at_line(err, str(scoring_toml), located) from None
    if overrides:
        try:
            _apply(config, overrides, "review.toml: instrument")
        except ValidationError as err:  # (a bad review.toml value is a workspace error: exit 2)
            raise WorkspaceError(str(err), setting="instrument") from None
    return config


#: How a setting's expected type is said (``float`` read "must be float").
_TYPE_WORDS: dict[type, str] = {float: "a number", int: "a whole number", str: "text", bool: "true or false"}


def _at_line(err: ValidationError, where: str, located: dict[str, int]) -> ValidationError:
    """``err`` (``WHERE: KEY …``) with the line of KEY in scoring.toml, under whichever of its tables it stands
    ([profile] many_signals_share): an author editing the file by hand was told the key only (walk28)."""
    text = str(err)
    if not text.startswith(f"{where}: "):
        return err
    key = text[len(where) + 2:].split(" ", 1)[0]
    # (an array of tables is located by its entries, ``profile.base_rates[1]``: its first one stands for it)
    lines = [line for path, line in located.items() for bare in (path.split("[", 1)[0],)
             if bare == key or bare.endswith(f".{key}")]
    return ValidationError(f"{text} (line {min(lines)})") if lines else err


#: The tables scoring.toml groups its settings in.
_GROUPS = frozenset({"inclusion", "weights", "profile", "instrument", "display"})


def _apply(config: InstrumentConfig, data: dict[str, Any], where: str) -> None:
    flat: dict[str, Any] = {}
    for key, value in data.items():
        # Accept the grouped layout of scoring.toml ([inclusion], [weights], [profile]).
        if key in _GROUPS:
            if not isinstance(value, dict):  # 'profile = 3' read "unknown setting 'profile'" (rrev28a)
                raise ValidationError(f"{where}: {key} must be a [{key}] table of settings, got {value!r}")
            flat.update(value)
        else:
            flat[key] = value
    for key, value in flat.items():
        if key in _SCALARS:
            expected = _SCALARS[key]
            if expected is float and isinstance(value, int) and not isinstance(value, bool):
                value = float(value)
            if not isinstance(value, expected):
                raise ValidationError(f"{where}: {key} must be {_TYPE_WORDS.get(expected, expected.__name__)}, "
                                      f"got {value!r}")
            setattr(config, key, value)
        elif key == "level_points":
            if not isinstance(value, dict) or not all(
                    isinstance(v, (int, float)) and v >= 0 for v in value.values()):
                raise ValidationError(f"{where}: level_points must map level names to numbers >= 0")
            config.level_points = {str(k).lower(): float(v) for k, v in value.items()}
        elif key == "expected_direction":
            if not isinstance(value, dict) or not all(v in ("risk", "protective") for v in value.values()):
                raise ValidationError(f"{where}: expected_direction must map factor ids to 'risk' or 'protective'")
            config.expected_direction = {str(k): str(v) for k, v in value.items()}
        elif key == "independent_factors":
            if not isinstance(value, list) or not all(isinstance(p, list) and len(p) == 2 for p in value):
                raise ValidationError(f"{where}: independent_factors must be a list of [factor, factor] pairs")
            config.independent_factors = tuple((str(a), str(b)) for a, b in value)
        elif key == "base_rates":
            if not isinstance(value, list):  # 'base_rates = 3' was a TypeError traceback (walk28)
                raise ValidationError(f"{where}: base_rates must be [[profile.base_rates]] tables, got {value!r}")
            config.base_rates = tuple(_base_rate(item, where) for item in value)
        elif key in {"domains", "notes", "comment"}:
            continue
        else:
            raise ValidationError(f"{where}: unknown setting {key!r}")
    _validate(config, where)


def _base_rate(item: Any, where: str) -> BaseRate:
    if not isinstance(item, dict) or not {"text_nl", "text_en", "source"} <= item.keys():
        raise ValidationError(f"{where}: base_rates entries need text_nl, text_en and source, got {item!r}")
    return BaseRate(str(item["text_nl"]), str(item["text_en"]), str(item["source"]))


def _validate(config: InstrumentConfig, where: str) -> None:
    if config.min_level.lower() not in LEVEL_RANKS:
        raise ValidationError(f"{where}: min_level {config.min_level!r} is not a known evidence level")
    if config.signal_min_level and config.signal_min_level.lower() not in LEVEL_RANKS:
        raise ValidationError(f"{where}: signal_min_level {config.signal_min_level!r} is not a known evidence level")
    if config.min_grade and config.min_grade.lower() not in GRADE_RANKS:
        raise ValidationError(f"{where}: min_grade {config.min_grade!r} is not a GRADE level")
    if config.weight_rule not in WEIGHT_RULES:
        raise ValidationError(f"{where}: weight_rule {config.weight_rule!r} is not one of {WEIGHT_RULES}")
    if config.pooled_fallback in WITHDRAWN_FALLBACKS:
        raise ValidationError(f"{where}: pooled_fallback {config.pooled_fallback!r} is no longer offered "
                              f"({WITHDRAWN_FALLBACKS[config.pooled_fallback]}); a factor without a pooled ratio "
                              "estimate is asked as a signal, not weighed: set pooled_fallback = \"signal\" "
                              "(decision 0056)")
    if config.pooled_fallback not in POOLED_FALLBACKS:
        raise ValidationError(f"{where}: pooled_fallback must be one of {POOLED_FALLBACKS}, "
                              f"got {config.pooled_fallback!r}")
    if config.signal_min_grade and config.signal_min_grade.lower() not in GRADE_RANKS:
        raise ValidationError(f"{where}: signal_min_grade {config.signal_min_grade!r} is not a GRADE level")
    for name in ("unreplicated_signal", "counter_intuitive_single_study"):
        if getattr(config, name) not in ("caution", "hide"):
            raise ValidationError(f"{where}: {name} must be 'caution' or 'hide'")
    for name in ("partly_fraction", "max_missing_share", "many_signals_share"):
        value = getattr(config, name)
        if not 0.0 <= value <= 1.0:
            raise ValidationError(f"{where}: {name} must be between 0 and 1")
