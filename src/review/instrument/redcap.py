"""REDCap data dictionary (CSV) for the instrument.

The 18 standard columns in REDCap's order; one form, ``record_id`` first, a section header per
domain, Dutch labels, branching logic for enableWhen. A section header sits on a field and hides with it; so when a
domain's first question has branching logic, the header goes on a descriptive field before it that shows whenever
any question of the domain may show.
REDCap has no per-option weight column, so option weights go in the field annotation and
read-only ``calc`` fields give the risk and protective weight of the profile, factor by factor
as ``scoring.score`` weighs them (left out when nothing on that side is weighed). The field note carries the Dutch help text; the English
wording goes in the annotation.
"""

from __future__ import annotations

import io
import re

from ..csvcells import NeutralisingDictWriter
from ..errors import ValidationError
from .evidence import DOMAINS
from .itembank import DOMAIN_LABELS, OPTION_CODE, ItemBank, Question
from .render import T, medical_note
from .weight_sums import WEIGHT_SUMS, factor_term

REDCAP_COLUMNS: tuple[str, ...] = (
    "Variable / Field Name",
    "Form Name",
    "Section Header",
    "Field Type",
    "Field Label",
    "Choices, Calculations, OR Slider Labels",
    "Field Note",
    "Text Validation Type OR Show Slider Number",
    "Text Validation Min",
    "Text Validation Max",
    "Identifier?",
    "Branching Logic (Show field only if...)",
    "Required Field?",
    "Custom Alignment",
    "Question Number (surveys only)",
    "Matrix Group Name",
    "Matrix Ranking?",
    "Field Annotation",
)
FORM_NAME = "recurrence_profile"
#: A dictionary FILE starts with it (``project.export_file_text``), as REDCap's own download does,
#: so Excel reads it as UTF-8; REDCap's upload takes it.
UTF8_BOM = "\ufeff"
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


#: REDCap allows variable names of up to 100 characters but advises at most 26, which statistics
#: packages (SAS, Stata, SPSS) keep intact in its exports; we keep to the advice.
MAX_NAME = 26
#: Names our dictionary uses itself, or that REDCap adds to every project.
RESERVED_NAMES = frozenset({"record_id", *(name for name, _, _ in WEIGHT_SUMS.values()), f"{FORM_NAME}_complete"})


def field_name(link_id: str) -> str:
    """A REDCap variable name for ``link_id``: lower case, letters/digits/underscores, at most 26."""
    name = re.sub(r"[^a-z0-9_]+", "_", link_id.lower()).strip("_")
    if not name or not name[0].isalpha():
        name = f"q_{name}"
    if len(name) > MAX_NAME:
        # Cutting it short could make two questions one variable; the author picks a shorter id.
        raise ValidationError(f"REDCap export: question {link_id!r} gives variable name {name!r} of "
                              f"{len(name)} characters (REDCap advises at most {MAX_NAME} for statistics exports); shorten its id in "
                              "instrument/questions.toml")
    return name


def data_dictionary(bank: ItemBank) -> str:
    """The data dictionary as CSV text (header row plus one row per field)."""
    names = {q.link_id: field_name(q.link_id) for q in bank.questions}
    seen: dict[str, str] = {}
    for link_id, name in names.items():
        if name in seen or name in RESERVED_NAMES or name.startswith("redcap_"):
            other = f"question {seen[name]!r}" if name in seen else "a name REDCap or this dictionary uses"
            raise ValidationError(f"REDCap export: question {link_id!r} gives variable name {name!r}, "
                                  f"as does {other}; rename it in instrument/questions.toml")
        seen[name] = link_id
    rows: list[dict[str, str]] = [_row("record_id", "text", "Record ID")]
    for domain in DOMAINS:
        question_rows = [_question_row(q, names) for q in bank.questions_in(domain)]
        if not question_rows:
            continue
        header = _section_row(domain, question_rows, seen) if question_rows[0][BRANCHING] else question_rows[0]
        header["Section Header"] = DOMAIN_LABELS[domain][0]
        rows += [header] if header is not question_rows[0] else []
        rows += question_rows
    sums: dict[str, list[str]] = {"risk": [], "protective": []}
    for item in bank.scored_items:
        sums[item.direction].append(factor_term(bank, item, lambda link_id, code: f"[{names[link_id]}]='{code}'",
                                                lambda condition, then, otherwise: f"if({condition},{then},{otherwise})"))
    for direction, terms in sums.items():
        name, label, label_en = WEIGHT_SUMS[direction]
        if not terms:
            continue  # nothing is weighed on this side: a sum fixed at 0 would only mislead
        row = _row(name, "calc", label)
        row["Choices, Calculations, OR Slider Labels"] = " + ".join(terms)
        row["Field Note"] = ("Hulpmiddel bij het profiel, geen gevalideerde score. Gelijk aan het "
                             "gewicht van de aanwezige factoren in het profiel van review.")
        # The English label, as every question's annotation has; no @READONLY: a calc field is read-only in
        # REDCap already, and a cell starting with '@' gets the spreadsheet guard's apostrophe.
        row["Field Annotation"] = f"EN: {label_en}"
        rows.append(row)
    out = io.StringIO()
    writer = NeutralisingDictWriter(out, fieldnames=list(REDCAP_COLUMNS), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


#: The column of a field's branching logic (shown only while it holds).
BRANCHING = "Branching Logic (Show field only if...)"
#: A domain's section header field, when its first question has branching logic (the header hid with it).
SECTION_NOTE = ("Sommige vragen hieronder verschijnen pas na een bepaald antwoord op een eerdere vraag.",
                "Some questions below appear only after a particular answer to an earlier question.")


def _section_row(domain: str, question_rows: list[dict[str, str]], seen: dict[str, str]) -> dict[str, str]:
    """A descriptive field to carry the domain's section header: REDCap hides a header with the field it sits on, so
    on a first question with branching logic it hid the whole domain's title from a record whose other questions of
    the domain show (a self-employed client's Sociaal and Werk questions read as Persoonlijk). It shows when any
    question of the domain may: without logic when one has none, else the logic of each, joined by ``or``."""
    name = f"section_{domain}"
    if name in seen:
        raise ValidationError(f"REDCap export: question {seen[name]!r} gives variable name {name!r}, which the "
                              f"dictionary uses for the section header of domain {domain!r}; rename it in "
                              "instrument/questions.toml")
    row = _row(name, "descriptive", SECTION_NOTE[0])
    logic = [r[BRANCHING] for r in question_rows]
    if all(logic):
        row[BRANCHING] = " or ".join(f"({condition})" for condition in dict.fromkeys(logic))
    row["Field Annotation"] = f"section header of the domain, shown while any of its questions may be; EN: {SECTION_NOTE[1]}"
    return row


def _row(name: str, kind: str, label: str) -> dict[str, str]:
    row = dict.fromkeys(REDCAP_COLUMNS, "")
    row.update({"Variable / Field Name": name, "Form Name": FORM_NAME, "Field Type": kind,
                "Field Label": label})
    return row


def _question_row(q: Question, names: dict[str, str]) -> dict[str, str]:
    for option in q.options:
        if not OPTION_CODE.match(option.code):
            raise ValidationError(f"REDCap export: option code {option.code!r} of {q.link_id} "
                                  "must use letters, digits and underscores only")
        if "|" in option.text_nl:
            # REDCap splits the choices cell on '|': the label would become a broken extra choice.
            raise ValidationError(f"REDCap export: option {option.code!r} of {q.link_id}: the label "
                                  f"{option.text_nl!r} may not contain '|'")
    row = _row(names[q.link_id], "radio", q.text_nl)
    row["Choices, Calculations, OR Slider Labels"] = " | ".join(
        f"{o.code}, {o.text_nl}" for o in q.options)
    # The field note is what REDCap shows under the question: the help text (and consent note).
    notes = [q.help_nl] if q.help_nl else []
    if q.medical:
        notes.append(medical_note(T("nl"), q))
    row["Field Note"] = " ".join(notes)
    if q.enable_when:
        gate, answer = q.enable_when
        row[BRANCHING] = f"[{names[gate]}] = '{answer}'"
    weights = ", ".join(f"{o.code}={o.weight:g}" for o in q.options if o.weight is not None)
    roles = [f"factor: {','.join(q.factors)}"] if q.factors else []
    if q.signals:
        roles.append(f"signal (not weighed): {','.join(q.signals)}")
    roles = roles or ["context question (not scored)"]
    english = f"; EN: {q.text_en}" + (f" ({q.help_en})" if q.help_en else "")
    row["Field Annotation"] = f"{'; '.join(roles)}; weights: {weights}{english}"
    return row
