"""The ``[screening]`` settings of review.toml: read and checked once, and changed one at a time.

Reading checks every key, so ``target_recall = 95`` (meant as 95 %) or a misspelt key is one line
naming it instead of a stopping rule aiming at an impossible recall or a setting silently unused.
The dashboard lets the reviewer switch the stopping rule; the choice must survive a restart,
and review.toml is the reviewer's own file (comments, order), so it is edited line by line
rather than re-serialised.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ReviewError
from ..tomlread import SettingProblem, toml_key
from ..tomlwrite import TomlEditError, set_table_keys
from ..workspace import refused_edit
from .stopping import CONFIDENCE, DEFAULT_CHOICE, STOPPING_CHOICES, TARGET_RECALL

def write_screening_setting(path: Path, key: str, value: str) -> None:
    """Set ``[screening] key = "value"`` in ``path`` (added if missing), atomically."""
    try:
        set_table_keys(path, "screening", {key: value})
    except TomlEditError as err:
        raise ReviewError(refused_edit(path, err, "edit the file by hand")) from err


@dataclass(frozen=True, slots=True)
class ScreeningSettings:
    """``[screening]`` of review.toml, checked (docs/screening.md lists each key)."""

    target_recall: float = TARGET_RECALL
    confidence: float = CONFIDENCE
    stopping_rule: str = DEFAULT_CHOICE
    consecutive_irrelevant: int | None = None  # None: max(50, 5 % of the records)
    auto_sample: bool = True
    model: str | None = None  # None: the session's own (default)
    query: str | None = None


#: The keys of ``[screening]`` (docs/screening.md); another is refused as a misspelling.
SCREENING_KEYS = ("target_recall", "confidence", "stopping_rule", "consecutive_irrelevant", "auto_sample", "model",
                  "query")


def read_screening_settings(section: Mapping[str, Any]) -> ScreeningSettings:
    """The checked settings of a ``[screening]`` table; a bad value is one :class:`SettingProblem` (exit 2)
    naming its key, as other review.toml errors are."""
    def bad(key: str, what: str) -> SettingProblem:
        return SettingProblem(f"screening.{key}", f"{section[key]!r}: {what}")

    unknown = sorted(set(section) - set(SCREENING_KEYS))
    if unknown:
        raise SettingProblem(f"screening.{toml_key(unknown[0])}", f"unknown key (known: {', '.join(sorted(SCREENING_KEYS))})")
    shares: dict[str, float] = {}
    for key, default in (("target_recall", TARGET_RECALL), ("confidence", CONFIDENCE)):
        value = section.get(key, default)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < 1:
            raise bad(key, "expected a share strictly between 0 and 1 (0.95 for 95 %)")
        shares[key] = float(value)
    rule = section.get("stopping_rule", DEFAULT_CHOICE)
    if rule not in STOPPING_CHOICES:
        raise bad("stopping_rule", f"expected {' or '.join(repr(c) for c in STOPPING_CHOICES)}")
    consecutive = section.get("consecutive_irrelevant")
    if consecutive is not None and (isinstance(consecutive, bool) or not isinstance(consecutive, int)
                                    or consecutive < 1):
        raise bad("consecutive_irrelevant", "expected a whole number of records, at least 1")
    auto_sample = section.get("auto_sample", True)
    if not isinstance(auto_sample, bool):
        raise bad("auto_sample", "expected true or false")
    from .query import QUERY_NAMES

    names: dict[str, str | None] = {}
    for key in ("model", "query"):
        value = section.get(key)
        if value is not None and not isinstance(value, str):
            raise bad(key, "expected a name in quotes")
        if key == "query" and value is not None and value not in QUERY_NAMES:
            raise bad(key, f"expected one of {', '.join(QUERY_NAMES)}")
        names[key] = value
    return ScreeningSettings(target_recall=shares["target_recall"], confidence=shares["confidence"],
                             stopping_rule=str(rule), consecutive_irrelevant=consecutive, auto_sample=auto_sample,
                             model=names["model"], query=names["query"])


def model_expected(name: str) -> str | None:
    """What a screening model name must be ("expected one of default, ...") when ``name`` is none; else None."""
    from .models import MODEL_NAMES, known_model

    return None if known_model(name) else f"expected one of default, {', '.join(MODEL_NAMES)}"


def check_model(name: str) -> None:
    """The model a session fits (``--model`` or the setting) is one: ``ReviewError`` naming it if not."""
    expected = model_expected(name)
    if expected is not None:
        raise ReviewError(f"model {name!r}: {expected}")


def check_model_setting(section: Mapping[str, Any]) -> None:
    """``[screening] model`` names a model (a session that never fits, as review decide's, would
    otherwise store an unknown name in every decision's model info). The TUI leaves this to its
    first retrain, which reports it, so the first record opens without the model code."""
    value = section.get("model")
    expected = model_expected(value) if value is not None else None
    if expected is not None:
        raise SettingProblem("screening.model", f"{value!r}: {expected}")
