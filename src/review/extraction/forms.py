"""Extraction forms as files: read, validate and write ``extraction/studies/<id>.toml``.

The form (``extraction/form.toml``, or the packaged default) says which fields exist, their
types and which are required; on top of that come the checks no form can express (factor ids
must exist, a CI must contain its estimate, numbers need a source location). Every problem is
one line ``file:field: what``.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import tomlkit

from ..atomic import write_text_atomic
from ..errors import ReviewError, ValidationError
from ..levels import ci_level_fraction, ci_level_problem, level_percent
from ..words import effect_interval
from ..tomlread import (TomlProblem, located_problem, loads_toml, problems_located, read_toml, read_toml_located,
                        read_toml_text, toml_key, toml_lines)
from .factors import FactorList
from .quips import CONSENSUS, rater_disagreements
from .model import (FINDING_ALPHA, OWN_DATA_SOURCE, QUIPS_DOMAINS, QUIPS_RATINGS, Estimate, ExpertRating, Study,
                    estimate_status_is_quoted, estimate_status_kind, known_fields)
from ..tomlwrite import dumps

FORM_FILE = "form.toml"
FACTORS_FILE = "factors.toml"
STUDIES_DIR = "studies"
SECTIONS: tuple[str, ...] = ("study", "estimate", "expert_rating")


@dataclass(slots=True)
class FieldSpec:
    name: str
    type: str
    required: bool = False
    choices: tuple[str, ...] = ()
    help: str = ""


@dataclass(slots=True)
class Form:
    """Field specs per section (QUIPS's domains and scale are fixed: QUIPS_DOMAINS, QUIPS_RATINGS)."""

    sections: dict[str, dict[str, FieldSpec]]
    source: str = "packaged default"

    def fields(self, section: str) -> dict[str, FieldSpec]:
        return self.sections.get(section, {})


def default_form_text() -> str:
    return resources.files("review.extraction").joinpath(FORM_FILE).read_text(encoding="utf-8")


def load_form(extraction_dir: Path | None = None) -> Form:
    """The workspace's ``form.toml`` when present, else the packaged default."""
    path = extraction_dir / FORM_FILE if extraction_dir is not None else None
    if path is not None and path.is_file():
        source = str(path)
        text = read_toml_text(path)  # a non-UTF-8 form.toml is one line (it was a traceback)
    else:
        source, text = "packaged default", default_form_text()
    data = loads_toml(text, source)
    with problems_located(source, toml_lines(text)):
        return Form(_form_sections(data), source)


def _form_sections(data: dict[str, Any]) -> dict[str, dict[str, FieldSpec]]:
    """The checked field specs of form.toml's data, per section."""
    sections: dict[str, dict[str, FieldSpec]] = {}
    # a section or [quips] that is no table ('study = 3', 'quips = "x"') was a TypeError or ValueError traceback
    # from every extraction command (audit28)
    for section in SECTIONS:
        if not isinstance(data.get(section, {}), dict):
            raise TomlProblem(section, f"{data[section]!r}: expected a [{section}] table of fields, e.g. "
                                       'n = { type = "integer" }')
    if not isinstance(data.get("quips", {}), dict):
        raise TomlProblem("quips", f"{data['quips']!r}: expected a [quips] table (domains, ratings)")
    for section in SECTIONS:
        specs = {}
        for name, spec in dict(data.get(section, {})).items():
            if not isinstance(spec, dict) or "type" not in spec:
                raise TomlProblem(f"{section}.{toml_key(name)}", "needs a type")
            _check_spec(spec, f"{section}.{toml_key(name)}")
            specs[name] = FieldSpec(name, str(spec["type"]), bool(spec.get("required", False)),
                                    tuple(str(c) for c in spec.get("choices", ())), str(spec.get("help", "")))
        sections[section] = specs
    quips = dict(data.get("quips", {}))
    for key, fixed in (("domains", QUIPS_DOMAINS), ("ratings", QUIPS_RATINGS)):
        given = quips.get(key, list(fixed))
        # QUIPS's own domains and scale only: the collapse rule, the store, the synthesis and its report
        # read those, so a changed list passed validation while every study collapsed to "unrated".
        if not isinstance(given, list) or sorted(map(str, given)) != sorted(fixed):
            raise TomlProblem(f"quips.{key}", f"{given!r}: QUIPS's {key} are fixed ({', '.join(fixed)}); "
                                              "the collapse rule and the synthesis read them all")
    return sections


def _check_spec(spec: dict[str, Any], name: str) -> None:
    """One field of form.toml (``study.n``): a known type, ``required`` true or false, no other key; else a
    :class:`TomlProblem` naming the key. A misspelt type checked nothing (n = "two hundred" passed),
    'required = "false"' was bool("false"), required, and a misspelt 'requried' was read by nothing (walk28)."""
    def refuse(key: str, what: str) -> TomlProblem:
        return TomlProblem(f"{name}.{toml_key(key)}", what)

    # a list or table is no type name either (type = ["integer"] was a TypeError, unhashable, where a line was due)
    if not isinstance(spec["type"], str) or spec["type"] not in _TYPE_CHECKS:
        raise refuse("type", f"{spec['type']!r} not one of {', '.join(_TYPE_CHECKS)}")
    if not isinstance(spec.get("required", False), bool):
        raise refuse("required", f"{spec['required']!r}: expected true or false, without quotes")
    if unknown := sorted(set(spec) - _SPEC_KEYS):
        raise refuse(unknown[0], f"unknown key (known: {', '.join(sorted(_SPEC_KEYS))})")
    choices = spec.get("choices", [])  # a string was read letter by letter: choices = "cohort" offered c, o, h, …
    if not isinstance(choices, list) or not all(isinstance(c, str) for c in choices):
        raise refuse("choices", f"{choices!r}: expected a list of texts, e.g. [\"cohort\", \"register\"]")
    if not isinstance(spec.get("help", ""), str):
        raise refuse("help", f"{spec['help']!r}: expected text in quotes")


# -- validation ------------------------------------------------------------------------------

@dataclass(slots=True)
class Problems:
    """Collected one-line problems for one file: ``file:field: what (line N)``.

    ``lines`` are malformed values (refused everywhere); ``incomplete`` is unfinished work (a QUIPS
    table not yet rated in every domain, or a rating without its support text): a draft saves, loads
    and compares with it, only the synthesis refuses it.
    """

    path: str
    lines: list[str] = field(default_factory=list)
    #: Line of each table and key in the file (:func:`toml_lines`); empty for a form being edited.
    located: Mapping[str, int] = field(default_factory=dict)
    incomplete: list[str] = field(default_factory=list)

    def add(self, where: str, what: str, *, unfinished: bool = False) -> None:
        text = located_problem(self.path, where, what, self.located)
        (self.incomplete if unfinished else self.lines).append(text)


@dataclass(frozen=True, slots=True)
class StudyCheck:
    """One study file's (or a folder's) problems, sorted: malformed values apart from unfinished QUIPS."""

    problems: list[str]
    incomplete: list[str]
    #: The files with unfinished QUIPS, as the messages name them (a folder's check).
    incomplete_files: tuple[str, ...] = ()

    @property
    def strict(self) -> list[str]:
        """Everything the synthesis refuses: malformed values, then unfinished QUIPS."""
        return [*self.problems, *self.incomplete]


#: What a field of form.toml may say about itself.
_SPEC_KEYS = frozenset({"type", "required", "choices", "help"})

_TYPE_CHECKS = {
    "string": lambda v: isinstance(v, str),
    "text": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "list": lambda v: isinstance(v, list),
    "choice": lambda v: isinstance(v, str),
}


def _check_fields(values: dict[str, Any], specs: dict[str, FieldSpec], where: str, problems: Problems) -> None:
    for name, spec in specs.items():
        value = values.get(name)
        if value is None or value == "":
            if spec.required:
                problems.add(f"{where}.{name}", "required field is missing")
            continue
        if not _TYPE_CHECKS.get(spec.type, lambda v: True)(value):
            problems.add(f"{where}.{name}", f"expected {spec.type}, got {type(value).__name__} {value!r}")
        elif spec.type == "choice" and spec.choices and value not in spec.choices:
            problems.add(f"{where}.{name}", f"{value!r} not one of {', '.join(c for c in spec.choices if c)}")
    for name in values:
        if name not in specs:
            problems.add(f"{where}.{toml_key(name)}", "unknown field (not in form.toml)")


def _check_estimate(values: dict[str, Any], where: str, factors: FactorList | None, problems: Problems) -> None:
    factor = values.get("factor")
    if factors is not None and isinstance(factor, str) and factor and factor not in factors:
        problems.add(f"{where}.factor", f"unknown factor {factor!r} (not in factors.toml)")
    est, lo, hi = values.get("estimate"), values.get("ci_low"), values.get("ci_high")
    numbers = [v for v in (est, lo, hi) if isinstance(v, (int, float)) and not isinstance(v, bool)]
    if (lo is None) != (hi is None):
        problems.add(f"{where}.ci_low", "give both ci_low and ci_high or neither")
    if len(numbers) == 3:
        est, lo, hi = numbers
        if not lo < hi:
            problems.add(f"{where}.ci_low", f"CI lower bound {lo} is not below the upper bound {hi}")
        elif not lo <= est <= hi:
            problems.add(f"{where}.estimate", f"CI {lo}-{hi} does not contain the estimate {est}")
    measure = values.get("measure", "")
    if numbers and not measure:
        problems.add(f"{where}.measure", "a number needs its measure (OR, HR, ...)")
    published = values.get("measure_as_published")
    if isinstance(published, str) and published:  # another type: named by the field checks
        problem = measure_as_published_problem(published, measure, est, values.get("note"))
        if problem:
            problems.add(f"{where}.measure_as_published", problem)
    if measure in ("OR", "HR", "RR") and any(n <= 0 for n in numbers):
        problems.add(f"{where}.estimate", f"{measure} values must be positive")
    p = values.get("p")  # without a CI it decides the finding, and every output shows it (walk33: 1.5 validated)
    if isinstance(p, (int, float)) and not isinstance(p, bool) and not 0 <= p <= 1:
        problems.add(f"{where}.p", f"{p} is no p-value: give one from 0 to 1 (a published 'p < 0.001' as 0.001)")
    level = values.get("ci_level")
    if level is not None and isinstance(level, (int, float)) and ci_level_fraction(level) is None:
        problems.add(f"{where}.ci_level", ci_level_problem(level))
    if est is None and not values.get("estimate_status"):
        problems.add(f"{where}.estimate_status", "no estimate: say why (e.g. 'not reported in abstract')")
    if est is None and not values.get("finding") and values.get("p") is None:
        problems.add(f"{where}.finding", "no estimate: give the published direction (risk/protective/null/unknown)")
    if values.get("finding") and est is None and not values.get("finding_basis"):
        problems.add(f"{where}.finding_basis", "a finding without an estimate needs the published wording")
    for key in ("contrast", "outcome", "subgroup"):  # the Dutch outputs show a wording only beside its field
        if values.get(f"{key}_nl") and not values.get(key):
            problems.add(f"{where}.{key}_nl", f"a Dutch {key} without the {key} it translates: give both or neither")
    status = values.get("estimate_status")
    status_text = status if isinstance(status, str) else ""  # another type: named by the field checks
    quoted = estimate_status_is_quoted(est, status_text)  # the one rule render.missing_effect_text follows
    if values.get("estimate_status_nl") and not quoted:
        problems.add(f"{where}.estimate_status_nl", _unshown_status_nl(est, status_text))
    # the evidence text joins estimates with '; ' (a status only where it is quoted)
    for key in ("contrast", "contrast_nl") + (("estimate_status", "estimate_status_nl") if quoted else ()):
        if isinstance(values.get(key), str) and ";" in values[key]:
            problems.add(f"{where}.{key}", f"{values[key]!r} contains ';', which the instrument's evidence text "
                                           f"puts between estimates: write the {'reason' if key.startswith('estimate') else 'contrast'} "
                                           "with ',' or 'and'")
    _check_direction(values, where, problems)


#: A measure's label as a source prints it: 'OR', 'aOR', 'IRR', 'odds ratio', 'HR/OR' (the outputs put it in
#: brackets beside the number, so it holds nothing that reads as their punctuation).
PUBLISHED_LABEL = re.compile(r"[A-Za-z][A-Za-z0-9 /-]{0,19}")


def measure_as_published_problem(published: str, measure: object, estimate: object, note: object) -> str:
    """Why an estimate's ``measure_as_published`` cannot stand ('' when it can): it names the label the source
    prints beside a number whose ``measure`` the extraction records differently, for the reason in ``note``."""
    if not PUBLISHED_LABEL.fullmatch(published) or published != published.strip():
        return (f"{published!r} is no short label: letters, digits, spaces, '-' or '/', at most 20 characters, "
                "as the source prints the measure (e.g. 'OR')")
    if not measure:
        return "the label the source prints needs the measure recorded instead: give measure or leave it out"
    if estimate is None:
        return "no output shows it without a number: leave measure_as_published out"
    if isinstance(measure, str) and published.casefold() == measure.casefold():
        return f"the source's label is the measure {measure!r} itself: leave measure_as_published out"
    if not (isinstance(note, str) and note.strip()):
        return f"say in note why the source's {published!r} is recorded as {measure}"
    return ""


def _unshown_status_nl(estimate: object, status: str) -> str:
    """Why an ``estimate_status_nl`` would be shown by no output (it is accepted only where the English
    ``estimate_status`` is quoted)."""
    if not status:
        return "a Dutch estimate_status without the estimate_status it translates: give both or neither"
    if estimate is not None:
        return ("the estimate has a number, beside which no output quotes estimate_status: "
                "leave estimate_status_nl out")
    kind = estimate_status_kind(status)
    if kind == "none":
        return f"estimate_status is {status!r}: nothing to word in Dutch"
    missing = "in the abstract" if kind == "abstract" else "in the published text"
    return (f"estimate_status {status!r} says the number is not {missing}, which every output words itself "
            "without quoting it: leave estimate_status_nl out")


def _check_direction(values: dict[str, Any], where: str, problems: Problems) -> None:
    """A stated risk/protective/null finding must agree with the estimate's own CI (flipped for a
    favourable outcome): risk read for protective is the one error a reader of the file cannot see."""
    finding = values.get("finding")
    if finding not in ("risk", "protective", "null"):
        return
    # A finding_basis states why the published direction differs from the numbers: a null against a CI at its edge
    # (rounded to 1.00), a direction the authors drew at another alpha. It never turns a direction around.
    explained = bool(values.get("finding_basis"))
    try:
        estimate = Estimate.from_mapping(values)
    except TypeError:  # a missing required field: named by the field checks
        return
    numbers = (estimate.estimate, estimate.ci_low, estimate.ci_high)
    if not all(isinstance(n, (int, float)) and not isinstance(n, bool) for n in numbers):
        return  # no complete CI, or a typed value the field checks name
    if ci_level_fraction(estimate.ci_level) is None:
        return  # a ci_level that is no level: named by the field checks
    from_ci = estimate.finding_from_numbers(FINDING_ALPHA)
    if from_ci not in ("risk", "protective", "null") or from_ci == finding:
        return
    favourable = " for the favourable outcome" if estimate.outcome_favourable else ""
    if {finding, from_ci} == {"risk", "protective"}:
        problems.add(f"{where}.finding", f"{finding!r} contradicts {estimate.label()}{favourable}, which reads as "
                                         f"{from_ci!r} for recurrence, the opposite direction (check the contrast, the "
                                         "numbers and outcome_favourable; a finding_basis does not turn a direction "
                                         "around)")
        return
    if explained:
        return
    if math.isclose(estimate.ci_level, 1 - FINDING_ALPHA):
        problems.add(f"{where}.finding", f"{finding!r} contradicts {estimate.label()}{favourable}, which reads "
                                         f"as {from_ci!r} for recurrence (check the direction and outcome_favourable, "
                                         "or give finding_basis)")
        return
    # A CI at another level: the contradiction is in its 95 % interval, which the message must show.
    low, high = estimate.interval_at(FINDING_ALPHA)
    null = f"{estimate.null_value:g}"
    relation = "includes" if from_ci == "null" else "excludes"
    problems.add(f"{where}.finding", f"{finding!r} contradicts {estimate.label()}{favourable}: its "
                                     f"{level_percent(1 - FINDING_ALPHA)} CI {effect_interval(low, high)} "
                                     f"{relation} {null}, "
                                     f"so it reads as {from_ci!r} for recurrence at α = {FINDING_ALPHA:g}, the level a "
                                     "stated finding is checked at (if the paper drew it at its own CI's level, give "
                                     "finding_basis)")


def validate_study_data(
    data: dict[str, Any], path: str, *, form: Form, factors: FactorList | None, expected_id: str | None = None,
    located: Mapping[str, int] | None = None,
) -> list[str]:
    """All problems of one study file's parsed TOML, unfinished QUIPS included (what the synthesis
    refuses), one line each (with its line when ``located``)."""
    return check_study_data(data, path, form=form, factors=factors, expected_id=expected_id, located=located).strict


def check_study_data(
    data: dict[str, Any], path: str, *, form: Form, factors: FactorList | None, expected_id: str | None = None,
    located: Mapping[str, int] | None = None,
) -> StudyCheck:
    """One study file's problems, malformed values apart from unfinished QUIPS (:class:`StudyCheck`)."""
    problems = Problems(path, located=located or {})
    _check_study_data(data, form, factors, expected_id, problems)
    return StudyCheck(problems.lines, problems.incomplete)


def _check_study_data(data: dict[str, Any], form: Form, factors: FactorList | None, expected_id: str | None,
                      problems: Problems) -> None:
    study = data.get("study")
    if not isinstance(study, dict):
        problems.add("study", "missing [study] table")
        return
    _check_fields(study, form.fields("study"), "study", problems)
    if study.get("phase") not in (None, 1, 2, 3):
        problems.add("study.phase", f"{study.get('phase')!r} not one of 1, 2, 3 (Huguet 2013 phases)")
    _check_counts(study, problems)
    if expected_id is not None and study.get("id") not in (None, expected_id):
        problems.add("study.id", f"{study.get('id')!r} does not match the file name {expected_id!r}")
    for key in data:
        if key not in ("study", "estimates", "expert_ratings", "quips", "extractor"):
            problems.add(key, "unknown table (expected study, estimates, expert_ratings, quips)")
    estimates = _array_of_tables(data, "estimates", problems)
    for i, values in enumerate(estimates, start=1):
        where = f"estimates[{i}]"
        _check_fields(values, form.fields("estimate"), where, problems)
        _check_estimate(values, where, factors, problems)
    for i, values in enumerate(_array_of_tables(data, "expert_ratings", problems), start=1):
        where = f"expert_ratings[{i}]"
        _check_fields(values, form.fields("expert_rating"), where, problems)
        factor = values.get("factor")
        if factors is not None and isinstance(factor, str) and factor not in factors:
            problems.add(f"{where}.factor", f"unknown factor {factor!r} (not in factors.toml)")
    _check_cohorts(estimates, problems)
    if study.get("evidence_type") == "expert" and data.get("estimates"):
        problems.add("estimates", "an expert-consensus study has expert_ratings, not estimates")
    quips = data.get("quips", {})
    if not isinstance(quips, dict):
        problems.add("quips", "expected tables [quips.<rater>]")
        quips = {}
    for rater, ratings in quips.items():
        if not isinstance(ratings, dict):
            problems.add(f"quips.{toml_key(rater)}", "expected a table of domain = rating")
            continue
        _check_quips(rater, ratings, problems)
    _check_quips_agreement(quips, problems)


def _check_counts(study: dict[str, Any], problems: Problems) -> None:
    """``n``, ``events`` and ``washout_days`` a study can have: GRADE's optimal information size adds up the events
    (or participants) and the base-rate check reads them, so -5 participants or more events than participants
    would reach the certainty and the profile (walk33). Values of another type: the field checks name them."""
    def whole(name: str) -> int | None:
        value = study.get(name)
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    n, events, washout = whole("n"), whole("events"), whole("washout_days")
    if n is not None and n < 1:
        problems.add("study.n", f"{n}: participants analysed must be at least 1")
    if events is not None and events < 0:
        problems.add("study.events", f"{events}: a count of participants cannot be below 0")
    elif events is not None and n is not None and n >= 1 and events > n:
        problems.add("study.events", f"{events:,} participants with the outcome, more than the {n:,} analysed "
                                     "(study.n)")
    if washout is not None and washout < 0:
        problems.add("study.washout_days", f"{washout}: days at work cannot be below 0")


def _check_cohorts(estimates: list[dict[str, Any]], problems: Problems) -> None:
    """A whole-paper estimate (no ``cohort``, no ``subgroup``) beside per-cohort estimates of the same
    factor would be a third unit next to the cohorts: its people counted and pooled twice."""
    per_cohort: dict[str, list[int]] = {}
    # a factor that is no text is named by the field checks ('factor = ["x"]' was a TypeError here, walk28)
    for i, values in enumerate(estimates, start=1):
        if values.get("cohort") and isinstance(values.get("factor"), str):
            per_cohort.setdefault(values["factor"], []).append(i)
    for i, values in enumerate(estimates, start=1):
        factor = values.get("factor")
        if values.get("cohort") or values.get("subgroup") or not isinstance(factor, str) or factor not in per_cohort:
            continue
        others = ", ".join(f"estimates[{j}] cohort {estimates[j - 1]['cohort']!r}" for j in per_cohort[factor])
        problems.add(f"estimates[{i}].cohort", f"no cohort, but factor {factor!r} also has per-cohort estimates "
                                               f"({others}): the cohorts would be counted and pooled twice; make "
                                               "this combined estimate a subgroup (subgroup = \"both cohorts\") "
                                               "or leave it out")


def _array_of_tables(data: dict[str, Any], key: str, problems: Problems) -> list[dict[str, Any]]:
    """``[[key]]`` entries; anything else (``[key]``, ``key = "..."``, a list of numbers) is a problem."""
    value = data.get(key, [])
    if isinstance(value, dict):
        problems.add(key, f"a single [{key}] table: write [[{key}]] (double brackets), one per entry")
        return []
    if not isinstance(value, list):
        problems.add(key, f"expected [[{key}]] tables (one per entry), got {type(value).__name__} {value!r}")
        return []
    tables = []
    for i, item in enumerate(value, start=1):
        if isinstance(item, dict):
            tables.append(item)
        else:
            problems.add(f"{key}[{i}]", f"expected a [[{key}]] table, got {type(item).__name__} {item!r}")
    return tables


#: A QUIPS domain's support text: ``<domain>_note`` beside its rating.
SUPPORT_SUFFIX = "_note"


def _check_quips(rater: str, ratings: dict[str, Any], problems: Problems) -> None:
    """QUIPS (Hayden et al. 2013): every domain rated, each rating with the support text it rests on."""
    at = f"quips.{toml_key(rater)}"  # (the rater's table as written: [quips."anna b"])
    for domain, rating in ratings.items():
        if domain.endswith(SUPPORT_SUFFIX):
            if domain[:-len(SUPPORT_SUFFIX)] not in QUIPS_DOMAINS:
                problems.add(f"{at}.{toml_key(domain)}", f"support text for an unknown QUIPS domain "
                                                         f"(expected {', '.join(QUIPS_DOMAINS)})")
            elif not isinstance(rating, str):
                problems.add(f"{at}.{toml_key(domain)}", f"expected text, got {type(rating).__name__} {rating!r}")
        elif domain not in QUIPS_DOMAINS:
            problems.add(f"{at}.{toml_key(domain)}", f"unknown QUIPS domain (expected {', '.join(QUIPS_DOMAINS)})")
        elif rating not in QUIPS_RATINGS:
            problems.add(f"{at}.{toml_key(domain)}", f"{rating!r} not one of {', '.join(QUIPS_RATINGS)}")
    for domain in QUIPS_DOMAINS:
        if domain not in ratings:
            problems.add(f"{at}.{toml_key(domain)}", f"not rated: QUIPS rates all {len(QUIPS_DOMAINS)} "
                                                     f"domains ({', '.join(QUIPS_RATINGS)})", unfinished=True)
        elif not _supported(ratings, domain):
            problems.add(f"{at}.{domain}{SUPPORT_SUFFIX}",
                         f"no support text for the {domain} rating: say what in the paper it rests on",
                         unfinished=True)


def _check_quips_agreement(quips: dict[str, Any], problems: Problems) -> None:
    """Raters who differ in a domain, with no consensus table, leave the study without a rating there: the
    collapse rule would call it unrated and the synthesis count it as ``unrated_as``, without a word."""
    if CONSENSUS in quips:
        return
    valid = {str(rater): {d: r for d, r in ratings.items() if d in QUIPS_DOMAINS and r in QUIPS_RATINGS}
             for rater, ratings in quips.items() if isinstance(ratings, dict)}
    disagreements = rater_disagreements(valid)
    if not disagreements:
        return
    parts = [f"{domain} ({', '.join(f'{rater} {rating}' for rater, rating in given.items())})"
             for domain, given in disagreements.items()]
    listed = ", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else parts[0]
    problems.add("quips", f"the raters disagree on {listed} and no [quips.{CONSENSUS}] settles them: add "
                          f"[quips.{CONSENSUS}] with all six agreed ratings", unfinished=True)


def _supported(ratings: dict[str, Any], domain: str) -> bool:
    """Whether a rater's rating of ``domain`` carries its support text (not blank)."""
    return bool(str(ratings.get(domain + SUPPORT_SUFFIX) or "").strip())


def quips_progress(quips: Any) -> dict[str, tuple[int, int]]:
    """Raters whose QUIPS table is unfinished -> (domains rated, rated domains lacking support text)."""
    progress = {}
    for rater, ratings in (quips.items() if isinstance(quips, dict) else ()):
        if not isinstance(ratings, dict):
            continue
        rated = [d for d in QUIPS_DOMAINS if d in ratings]
        unsupported = [d for d in rated if not _supported(ratings, d)]
        if len(rated) < len(QUIPS_DOMAINS) or unsupported:
            progress[str(rater)] = (len(rated), len(unsupported))
    return progress


# -- reading and writing ---------------------------------------------------------------------

def read_study_file(path: Path) -> dict[str, Any]:
    return read_toml(path)


def study_from_data(data: dict[str, Any]) -> Study:
    """A :class:`Study` from validated TOML data."""
    s = dict(data["study"])
    estimates = [Estimate.from_mapping(e) for e in data.get("estimates", [])]
    experts = [
        ExpertRating(**known_fields(ExpertRating, e))
        for e in data.get("expert_ratings", [])
    ]
    quips = {rater: {d: str(r) for d, r in ratings.items()} for rater, ratings in data.get("quips", {}).items()}
    return Study(**known_fields(Study, s), estimates=estimates, expert_ratings=experts, quips=quips,
                 extractor=str(data.get("extractor", "")))


def load_study(path: Path, *, form: Form | None = None, factors: FactorList | None = None,
               draft: bool = False) -> Study:
    """Read and validate one study file; raises ValidationError listing its problems.

    ``draft``: unfinished QUIPS tables pass (compare, the QUIPS table); the synthesis reads strictly.
    """
    path = Path(path)
    data, located = read_toml_located(path)
    check = check_study_data(data, str(path), form=form or load_form(path.parent.parent),
                             factors=factors, expected_id=study_id_of(path), located=located)
    problems = check.problems if draft else check.strict
    if problems:
        more = f" (+{len(problems) - 1} more; run 'review extraction validate')" if len(problems) > 1 else ""
        raise ValidationError(problems[0] + more)
    return study_from_data(data)


def study_to_data(study: Study) -> dict[str, Any]:
    """The TOML structure of a study, without empty optional values."""
    data: dict[str, Any] = {}
    if study.extractor:
        data["extractor"] = study.extractor
    data["study"] = _compact(study.study_fields())
    data["estimates"] = [_compact(_estimate_dict(e)) for e in study.estimates]
    data["expert_ratings"] = [_compact(dict(vars_of(r))) for r in study.expert_ratings]
    data["quips"] = {rater: dict(ratings) for rater, ratings in study.quips.items()}
    return {k: v for k, v in data.items() if v not in ([], {})}


def vars_of(obj: Any) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in obj.__dataclass_fields__}


def _estimate_dict(estimate: Estimate) -> dict[str, Any]:
    data = vars_of(estimate)
    if data["ci_level"] == 0.95:
        data.pop("ci_level")
    if not data["outcome_favourable"]:
        data.pop("outcome_favourable")
    return data


def _compact(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None and v != "" and v != []}


def save_study(study: Study, path: Path) -> Path:
    """Write a study file atomically from a ``Study``, keeping the file's comments (:func:`write_study_file`). Not
    the TUI's save since 39816969 (``services.extraction.save_study_file`` writes the form's data as given: this
    round trip adds each estimate's defaults); tests and scripts build files with it."""
    write_study_file(Path(path), study_to_data(study))
    return Path(path)


def write_study_file(path: Path, data: dict[str, Any]) -> None:
    """Write ``data`` to a study file atomically, keeping the comments and layout of the file it
    replaces wherever a value is unchanged: the form edits the study table, and a reviewer's notes
    beside the estimates or QUIPS ratings must survive its save. A new file, or an edit tomlkit
    cannot apply so that the file reads back as ``data``, is written plainly."""
    plain = dumps(data)
    text = plain
    if path.is_file():
        try:
            document = tomlkit.parse(read_toml_text(path))
            _update_keeping_layout(document, data)
            edited = tomlkit.dumps(document)
            if _same(tomllib.loads(edited), tomllib.loads(plain)):
                text = edited
        except Exception:  # noqa: BLE001 - any failure of the courtesy (tomlkit raises IndexError on some
            pass           # dotted-key layouts) falls back to the plain form: the data is what matters
    write_text_atomic(path, text)


def _update_keeping_layout(container: Any, data: Mapping[str, Any]) -> None:
    """Make a tomlkit table hold ``data``: unchanged values (and their comments) stay as written; an
    array of tables of the same length is updated table by table, so notes inside an estimate stay."""
    for key in [k for k in container if k not in data]:
        del container[key]
    for key, value in data.items():
        old = container[key] if key in container else None
        if isinstance(value, Mapping) and isinstance(old, Mapping):
            _update_keeping_layout(old, value)
        elif (isinstance(value, list) and isinstance(old, list) and len(old) == len(value)
              and all(isinstance(n, Mapping) and isinstance(o, Mapping) for n, o in zip(value, old))):
            for old_table, new_table in zip(old, value):
                _update_keeping_layout(old_table, new_table)
        elif old is None or not _same(_plain(old), value):
            container[key] = value


def _plain(item: Any) -> Any:
    """A tomlkit value as Python data (tomlkit hands back some scalars, such as booleans, unwrapped)."""
    return item.unwrap() if hasattr(item, "unwrap") else item


def _same(left: Any, right: Any) -> bool:
    """Equal values of equal types, all the way down (Python's ``1 == 1.0 == True`` is not TOML's)."""
    if type(left) is not type(right):
        return False
    if isinstance(left, dict):
        return left.keys() == right.keys() and all(_same(left[k], right[k]) for k in left)
    if isinstance(left, list):
        return len(left) == len(right) and all(_same(a, b) for a, b in zip(left, right))
    return bool(left == right)


def study_id_of(path: Path) -> str:
    """``arends2014.toml`` and ``arends2014.alice.toml`` → "arends2014" (what the file must declare)."""
    return path.name.split(".")[0]


def study_files(extraction_dir: Path) -> list[Path]:
    """Reconciled study files (``<id>.toml``), sorted; per-extractor copies (``<id>.<who>.toml``) excluded."""
    folder = Path(extraction_dir) / STUDIES_DIR
    return sorted(p for p in folder.glob("*.toml") if p.name.count(".") == 1)


def untraceable_warnings(extraction_dir: Path, studies: Iterable[Study]) -> list[str]:
    """One line per study file among ``studies`` that gives an effect number (an estimate or a CI bound) but names
    neither a DOI nor a PMID: nothing ties those numbers to the paper they were read from (audit24 traced every
    number the instrument shows through the study's DOI or PMID). ``review synthesis`` and ``review instrument
    build`` say them, not refuse: the identifier may be on its way. The programme's own data (``data_source = "own
    data"``, as ``review validate factors --to-extraction`` writes them) have no paper: each estimate's
    ``source_location`` names the data file and its SHA-256."""
    folder = Path(extraction_dir) / STUDIES_DIR
    return [f"{folder / f'{study.id}.toml'}: effect numbers but neither doi nor pmid, so they cannot be traced to "
            "their source (add the paper's doi or pmid)"
            for study in studies
            if not (study.doi.strip() or study.pmid.strip()) and study.data_source != OWN_DATA_SOURCE
            and any(v is not None for e in study.estimates for v in (e.estimate, e.ci_low, e.ci_high))]


def load_studies(extraction_dir: Path, factors: FactorList | None = None) -> list[Study]:
    """Every reconciled study of an extraction folder, validated."""
    form = load_form(extraction_dir)
    return [load_study(p, form=form, factors=factors) for p in study_files(extraction_dir)]


def validate_folder(extraction_dir: Path, factors: FactorList | None) -> list[str]:
    """Every problem in every study file (including per-extractor copies), unfinished QUIPS included."""
    return check_folder(extraction_dir, factors).strict


def check_folder(extraction_dir: Path, factors: FactorList | None) -> StudyCheck:
    """Every study file's problems (including per-extractor copies), malformed apart from unfinished."""
    form = load_form(extraction_dir)
    problems: list[str] = []
    incomplete: list[str] = []
    drafts: list[str] = []
    for path in sorted((Path(extraction_dir) / STUDIES_DIR).glob("*.toml")):
        try:
            data, located = read_toml_located(path)
        except ReviewError as err:
            problems.append(str(err))
            continue
        check = check_study_data(data, str(path), form=form, factors=factors, expected_id=study_id_of(path),
                                 located=located)
        problems.extend(check.problems)
        incomplete.extend(check.incomplete)
        if check.incomplete:
            drafts.append(str(path))
    return StudyCheck(problems, incomplete, tuple(drafts))
