"""Screening criteria from ``screening/criteria.toml``: include/exclude terms and reasons.

The TUI highlights the terms; the ranker uses them as a keyword prior until the model has
both classes to learn from. Bad files raise ``ValidationError`` naming file, field and line.
``CriteriaFile`` follows the file while a session is open: the session's keyword prior and
reason rule and the TUI's highlighting all read the one instance the session holds (a retrain in
the TUI's worker process has its own session, and so its own instance).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from ..errors import ReviewError
from ..filestamp import FileStamp
from ..reasons import match_reason as match_reasons_listed
from ..tomlread import TomlProblem, problems_located, read_toml_located, toml_key

CRITERIA_PATH = ("screening", "criteria.toml")

#: Offered when the file names no exclusion reasons (or is missing): general ones, the list
#: criteria_template.toml writes into a new workspace (a test holds the two equal).
DEFAULT_REASONS: tuple[str, ...] = (
    "wrong population", "wrong intervention or exposure", "wrong outcome",
    "wrong study design", "not primary research", "duplicate", "other",
)

#: The setting that makes a reason mandatory on every exclusion (TUI and ``review decide``).
REQUIRE_REASON_KEY = "require_reason_on_exclude"

_KNOWN_KEYS = {"include", "exclude", "exclusion_reasons", REQUIRE_REASON_KEY}


@dataclass(slots=True, frozen=True)
class Criteria:
    """Include terms, exclude terms, the reasons offered on exclusion and whether one is required."""

    include_terms: tuple[str, ...] = ()
    exclude_terms: tuple[str, ...] = ()
    exclusion_reasons: tuple[str, ...] = DEFAULT_REASONS
    path: str = ""
    require_reason_on_exclude: bool = False

    # Short aliases the TUI may use.
    @property
    def include(self) -> tuple[str, ...]:
        return self.include_terms

    @property
    def exclude(self) -> tuple[str, ...]:
        return self.exclude_terms

    @property
    def reasons(self) -> tuple[str, ...]:
        return self.exclusion_reasons


#: Said while ``criteria.toml`` names no term (a new review's template): what orders the queue and where
#: terms go. The queue is then ``ranker.fallback_ranking``'s seeded order, the same on every run.
NO_TERMS = ("no include or exclude terms in screening/criteria.toml: until the model learns, records come in "
            "a random order drawn from review.toml's seed; add terms there to rank by them first")


def has_terms(criteria: Criteria) -> bool:
    """True when the criteria name an include or an exclude term (which then order a cold start)."""
    return bool(criteria.include_terms or criteria.exclude_terms)


#: Appended to the error of a file that cannot be read when earlier criteria stay in use.
KEPT = "; the last good criteria stay in use"


class CriteriaFile:
    """``screening/criteria.toml`` as last read, read again when it changed (``filestamp``).

    A file that cannot be read (half-saved, a typo) keeps the last good criteria (none if none
    was read yet) and says why in ``error``, one line, until a good save; ``version`` counts the
    reads, so each reader tells a change from a number.
    """

    def __init__(self, workspace: Any) -> None:
        self.path = criteria_path(workspace)
        self._lock = threading.Lock()  # the UI's poll and a retrain thread may both reload
        self._file = FileStamp(self.path)
        self._good = False  # a file was read without error (``KEPT`` is true)
        self.version = 0
        self.error = ""
        self.criteria = Criteria(path=str(self.path))
        self._read()

    def _read(self) -> None:
        try:
            criteria = load_criteria(self.path)
        except ReviewError as err:
            self.error = str(err) + (KEPT if self._good else "")
        else:
            self.criteria, self.error, self._good = criteria, "", True

    def reload(self) -> bool:
        """Read the file again if it changed since the last read; True when it did (broken or not)."""
        with self._lock:
            if not self._file.changed():
                return False
            self._read()
            self.version += 1
            return True


def template_text() -> str:
    """The default ``criteria.toml`` shipped with the package (for ``review init``)."""
    return resources.files("review.screening").joinpath("criteria_template.toml").read_text(encoding="utf-8")


def criteria_path(workspace: Any) -> Path:
    return Path(workspace.path(*CRITERIA_PATH))


def load_criteria(source: Any) -> Criteria:
    """Criteria from a workspace (``screening/criteria.toml``) or a file path.

    A missing file gives empty criteria with the default reasons; a malformed one raises
    ``ValidationError`` with the file and the offending field or line.
    """
    path = Path(source) if isinstance(source, (str, Path)) else criteria_path(source)
    if not path.is_file():
        return Criteria(path=str(path))
    data, located = read_toml_located(path)
    with problems_located(path, located):
        return parse_criteria(data, path)


def parse_criteria(data: dict[str, Any], path: Path | str = "criteria.toml") -> Criteria:
    """The criteria of a criteria.toml's data; a bad key is a :class:`TomlProblem` naming it."""
    unknown = sorted(set(data) - _KNOWN_KEYS)
    if unknown:
        raise TomlProblem(toml_key(unknown[0]), f"unknown key (expected include, exclude, exclusion_reasons, "
                                      f"{REQUIRE_REASON_KEY})")
    include = _terms(data.get("include", []), "include")
    exclude = _terms(data.get("exclude", []), "exclude")
    reasons = _terms(data.get("exclusion_reasons", []), "exclusion_reasons", check_syntax=False)
    required = data.get(REQUIRE_REASON_KEY, False)
    if not isinstance(required, bool):
        raise TomlProblem(REQUIRE_REASON_KEY, f"expected true or false, got {required!r}")
    return Criteria(include, exclude, reasons or DEFAULT_REASONS, str(path), require_reason_on_exclude=required)


def check_exclusion_reason(required: bool, label: str, reasons: Iterable[str]) -> None:
    """Refuse an exclusion without a reason when ``criteria.toml`` requires one (``ReviewError``)."""
    if required and label == "exclude" and not any(r.strip() for r in reasons):
        raise ReviewError(f"{'/'.join(CRITERIA_PATH)}: {REQUIRE_REASON_KEY} = true: an exclusion needs a "
                          "reason (one of its exclusion_reasons); nothing recorded")


def _terms(value: Any, name: str, *, check_syntax: bool = True) -> tuple[str, ...]:
    if isinstance(value, dict):  # [include] terms = [...]
        extra = sorted(set(value) - {"terms"})
        if extra:
            raise TomlProblem(f"{name}.{toml_key(extra[0])}", f"unknown key (expected {name}.terms)")
        value = value.get("terms", [])
        name = f"{name}.terms"  # (named where the terms stand, at their line)
    if not isinstance(value, list):
        raise TomlProblem(name, f"expected a list of strings, got {type(value).__name__}")
    terms: list[str] = []
    for i, item in enumerate(value, start=1):  # counted from 1, as every TOML file's lists are named
        if not isinstance(item, str):
            raise TomlProblem(f"{name}[{i}]", f"expected a string, got {type(item).__name__}")
        term = " ".join(item.split())
        if not term:
            raise TomlProblem(f"{name}[{i}]", "empty term")
        if check_syntax and ("*" in term.rstrip("*") or term.strip("*?") == ""):
            raise TomlProblem(f"{name}[{i}]", f"{item!r}: '*' may only end a term")
        if term not in terms:
            terms.append(term)
    return tuple(terms)


def _term_body(term: str) -> str:
    """A term's regex without the leading word boundary: ``*`` = any ending, ``?`` = one letter."""
    stem = term.rstrip("*")
    body = re.escape(stem).replace(r"\ ", r"\s+").replace(r"\?", r"\w")
    return body + (r"\w*" if term.endswith("*") else r"\b")


def term_regex(term: str) -> re.Pattern[str]:
    """Whole-word, case-insensitive; trailing ``*`` = any ending, ``?`` = one letter."""
    return re.compile(r"\b" + _term_body(term), re.IGNORECASE)


def terms_regex(terms: Iterable[str]) -> re.Pattern[str] | None:
    """One regex matching any of ``terms`` (longest first, so the longest match wins); None if none."""
    parts = [_term_body(t) for t in sorted({t.strip() for t in terms if t.strip()}, key=len, reverse=True)]
    if not parts:
        return None
    return re.compile(r"\b(?:" + "|".join(parts) + ")", re.IGNORECASE)


def keyword_score(text: str, include: Iterable[re.Pattern[str]], exclude: Iterable[re.Pattern[str]]) -> int:
    """Distinct include terms present minus distinct exclude terms present, a term within one line: a model's text
    (``features.record_text``) has a line break only before the title's repeat (engine version 8), and a term of
    several words across it would join the record's last word to the title's first, a phrase of no record."""
    lines = text.split("\n")

    def present(pattern: re.Pattern[str]) -> bool:
        return any(pattern.search(line) for line in lines)

    return sum(1 for p in include if present(p)) - sum(1 for p in exclude if present(p))


def match_reason(reasons: Iterable[str], given: str) -> str:
    """The exclusion reason ``given`` names among the criteria's (``review.reasons.match_reason``)."""
    return match_reasons_listed(reasons, given, listed_in="screening/criteria.toml")
