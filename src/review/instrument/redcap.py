"""REDCap data dictionary (CSV) for the instrument.

The 18 standard columns in REDCap's order; one form, ``record_id`` first, a section header per
domain, Dutch labels with the English text as field note, branching logic for enableWhen.
REDCap has no per-option weight column, so option weights go in the field annotation and two
read-only ``calc`` fields sum the risk and protective weights of the answers.
"""

from __future__ import annotations

import csv
import io
import re

from ..errors import ValidationError
from .evidence import DOMAINS
from .itembank import DOMAIN_LABELS, ItemBank, Question

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
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_CODE = re.compile(r"^[A-Za-z0-9_]+$")


def field_name(link_id: str) -> str:
    """A REDCap variable name for ``link_id``: lower case, letters/digits/underscores."""
    name = re.sub(r"[^a-z0-9_]+", "_", link_id.lower()).strip("_")
    if not name or not name[0].isalpha():
        name = f"q_{name}"
    return name[:100]


def data_dictionary(bank: ItemBank) -> str:
    """The data dictionary as CSV text (header row plus one row per field)."""
    names = {q.link_id: field_name(q.link_id) for q in bank.questions}
    if len(set(names.values())) != len(names):
        raise ValidationError("REDCap export: two question ids map to the same variable name")
    rows: list[dict[str, str]] = [_row("record_id", "text", "Record ID")]
    for domain in DOMAINS:
        questions = bank.questions_in(domain)
        for index, q in enumerate(questions):
            row = _question_row(q, names)
            if index == 0:
                nl, en = DOMAIN_LABELS[domain]
                row["Section Header"] = f"{nl} / {en}"
            rows.append(row)
    risk_terms, protective_terms = [], []
    for q in bank.questions:
        for option in q.options:
            if option.weight:
                term = f"if([{names[q.link_id]}]='{option.code}',{abs(option.weight):g},0)"
                (risk_terms if option.weight > 0 else protective_terms).append(term)
    for name, label, terms in (
            ("risk_weight_sum", "Som risicogewichten / Sum of risk weights", risk_terms),
            ("protective_weight_sum", "Som beschermende gewichten / Sum of protective weights",
             protective_terms)):
        row = _row(name, "calc", label)
        row["Choices, Calculations, OR Slider Labels"] = " + ".join(terms) or "0"
        row["Field Note"] = ("Sum of answer weights; a profile aid, not a validated score. "
                             "A factor asked by several questions may count more than once here.")
        row["Field Annotation"] = "@READONLY"
        rows.append(row)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(REDCAP_COLUMNS), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def _row(name: str, kind: str, label: str) -> dict[str, str]:
    row = dict.fromkeys(REDCAP_COLUMNS, "")
    row.update({"Variable / Field Name": name, "Form Name": FORM_NAME, "Field Type": kind,
                "Field Label": label})
    return row


def _question_row(q: Question, names: dict[str, str]) -> dict[str, str]:
    for option in q.options:
        if not _CODE.match(option.code):
            raise ValidationError(f"REDCap export: option code {option.code!r} of {q.link_id} "
                                  "must use letters, digits and underscores only")
    row = _row(names[q.link_id], "radio", q.text_nl)
    row["Choices, Calculations, OR Slider Labels"] = " | ".join(
        f"{o.code}, {o.text_nl}" for o in q.options)
    row["Field Note"] = q.text_en
    if q.enable_when:
        gate, answer = q.enable_when
        row["Branching Logic (Show field only if...)"] = f"[{names[gate]}] = '{answer}'"
    weights = ", ".join(f"{o.code}={o.weight:g}" for o in q.options if o.weight is not None)
    roles = [f"factor: {','.join(q.factors)}"] if q.factors else []
    if q.signals:
        roles.append(f"signal (not weighed): {','.join(q.signals)}")
    roles = roles or ["context question (not scored)"]
    row["Field Annotation"] = f"{'; '.join(roles)}; weights: {weights}"
    return row
