"""FHIR export (Questionnaire) and import (QuestionnaireResponse) of the instrument.

Targets FHIR R4 (4.0.1). The installed ``fhir.resources`` 8 defaults to R5; its ``R4B`` package
(4.3.0) has the same Questionnaire/QuestionnaireResponse structure as R4 and is what we validate
against. Dutch is the primary language; English goes in the ``translation`` extension on
``_text``/``_display``. Each answer option carries its signed weight (risk > 0, protective < 0;
"unknown" has none) twice, with the same value: in R4's own ``ordinalValue`` extension, which R4
tools and SDC's ``ordinal()`` read, and in ``itemWeight``, its successor under the R5 name that
newer tools and the extensions pack read. Summed per answer these count a factor once per question;
the profile's own sums are two read-only items with an SDC ``calculatedExpression`` (FHIRPath),
factor by factor as ``scoring.score`` weighs them, as the REDCap export's calc fields do.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from ..errors import ValidationError
from ..tool_version import tool_version
from .evidence import DOMAINS
from .itembank import DOMAIN_LABELS, ItemBank, Note, Question
from .render import T, medical_note
from .weight_sums import WEIGHT_SUMS, factor_term

FHIR_VERSION = "4.0.1"
TRANSLATION = "http://hl7.org/fhir/StructureDefinition/translation"
ITEM_WEIGHT = "http://hl7.org/fhir/StructureDefinition/itemWeight"
#: FHIR R4 (4.0.1) core extension for an answer's score, on Coding or Questionnaire.item.answerOption;
#: the extensions pack renamed it ``itemWeight`` ("used to be called ordinalValue").
ORDINAL_VALUE = "http://hl7.org/fhir/StructureDefinition/ordinalValue"
#: SDC: a FHIRPath expression a form filler evaluates into the item's answer.
CALCULATED_EXPRESSION = "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-calculatedExpression"
#: The group holding the profile's weight sums, and its items (named as the REDCap calc fields).
WEIGHTS_GROUP = "profile-weights"
FACTOR_SYSTEM = "urn:review:factor"
ANSWER_SYSTEM = "urn:review:answer"
GROUP_PREFIX = "domain-"
#: meta.tag naming the review that wrote the file: code ``0.1.0+g890bd80f1234`` (PEP 440, the commit as local label).
TOOL_SYSTEM = "urn:review:tool"


def _translation(english: str) -> dict[str, Any]:
    return {"extension": [{"url": TRANSLATION, "extension": [
        {"url": "lang", "valueCode": "en"}, {"url": "content", "valueString": english}]}]}


def _tool_tag() -> dict[str, str]:
    """The review that wrote this file (decision 0080), a tag beside the evidence's: ``version`` is the questionnaire's
    own (the item bank's), and R4's Questionnaire has no element for the software that wrote it."""
    made_by = tool_version()
    return {"system": TOOL_SYSTEM, "code": made_by.local_version, "display": made_by.text}


def questionnaire_text(resource: Mapping[str, Any]) -> str:
    """The Questionnaire file's text: two-space JSON, letters as they are, a final line break."""
    return json.dumps(resource, ensure_ascii=False, indent=2) + "\n"


def kept_if_only_the_tool_differs(old: str, new: str) -> str:
    """``old`` (a file's text) when ``new`` is the same questionnaire but for the tool tag, else ``new``: a rebuild
    by a later commit that writes the same questionnaire keeps the file, which goes on naming the review that first
    wrote it; re-stamped, it changed with every commit, and a rebuild on a branch named a commit a rebase drops."""
    try:
        [was] = [tag for tag in json.loads(old)["meta"]["tag"] if tag.get("system") == TOOL_SYSTEM]
        resource = json.loads(new)
    except (ValueError, KeyError, TypeError, AttributeError):  # not a questionnaire with one tool tag: replaced
        return new
    resource["meta"]["tag"] = [was if tag.get("system") == TOOL_SYSTEM else tag for tag in resource["meta"]["tag"]]
    return old if questionnaire_text(resource) == old else new


def questionnaire(bank: ItemBank) -> dict[str, Any]:
    """The item bank as a FHIR R4 Questionnaire (a JSON-ready dict), validated."""
    items_by_factor = {i.factor_id: i for i in bank.items}
    groups: list[dict[str, Any]] = []
    for domain in DOMAINS:
        questions = bank.questions_in(domain)
        if not questions:
            continue
        nl, en = DOMAIN_LABELS[domain]
        groups.append({
            "linkId": f"{GROUP_PREFIX}{domain}", "type": "group", "text": nl, "_text": _translation(en),
            "item": [_question(q, items_by_factor) for q in questions],
        })
    resource: dict[str, Any] = {
        "resourceType": "Questionnaire",
        "id": "review-instrument",
        "meta": {"tag": [{"system": "urn:review:evidence-sha256", "code": bank.evidence.sha256}, _tool_tag()]},
        "language": "nl",
        "url": bank.canonical_url,
        "version": bank.version,
        "name": "ReviewRecurrenceProfile",
        "title": bank.title_nl,
        "_title": _translation(bank.title_en),
        "status": "draft",
        "date": bank.built_at,
        "description": (f"Gemaakt met review uit de synthese met SHA-256 {bank.evidence.sha256} "
                        f"({bank.evidence.source}, {bank.evidence.taken_at}). Een profiel, geen "
                        "gevalideerd voorspelmodel."),
        "_description": _translation(
            f"Built by review from evidence snapshot {bank.evidence.sha256} ({bank.evidence.source}, "
            f"{bank.evidence.taken_at}). A profile, not a validated prediction model."),
    }
    sums = _weight_sums(bank)
    if sums:
        groups.append({"linkId": WEIGHTS_GROUP, "type": "group", "text": "Gewichten van het profiel",
                       "_text": _translation("Weights of the profile"), "item": sums})
    if groups:  # FHIR JSON has no empty arrays: an item bank with nothing to ask has no "item"
        resource["item"] = groups
    validate_questionnaire(resource)
    return resource


def _question(q: Question, items_by_factor: Mapping[str, Any]) -> dict[str, Any]:
    item: dict[str, Any] = {
        "linkId": q.link_id, "type": "choice", "text": q.text_nl, "_text": _translation(q.text_en),
        "required": False,
    }
    if q.factors or q.signals:
        # Dutch, as every text of this Questionnaire (language nl), with the English as its translation.
        item["code"] = [{"system": FACTOR_SYSTEM, "code": fid, "display": items_by_factor[fid].label_nl,
                         "_display": _translation(items_by_factor[fid].label_en)}
                        for fid in q.factors + q.signals if fid in items_by_factor]
    if q.enable_when:
        gate, answer = q.enable_when
        item["enableWhen"] = [{"question": gate, "operator": "=",
                               "answerCoding": {"system": ANSWER_SYSTEM, "code": answer}}]
    options = []
    for option in q.options:
        entry: dict[str, Any] = {"valueCoding": {
            "system": ANSWER_SYSTEM, "code": option.code, "display": option.text_nl,
            "_display": _translation(option.text_en)}}
        if option.weight is not None:
            entry["extension"] = [{"url": ORDINAL_VALUE, "valueDecimal": option.weight},
                                  {"url": ITEM_WEIGHT, "valueDecimal": option.weight}]
        options.append(entry)
    item["answerOption"] = options
    children = []
    if q.help_nl:
        children.append({"linkId": f"{q.link_id}-help", "type": "display", "text": q.help_nl,
                         "_text": _translation(q.help_en or q.help_nl)})
    if q.medical:
        # As in every other output: optional, and only with the client's consent.
        children.append({"linkId": f"{q.link_id}-consent", "type": "display",
                         "text": medical_note(T("nl"), q), "_text": _translation(medical_note(T("en"), q))})
    if children:
        item["item"] = children
    return item


def _weight_sums(bank: ItemBank) -> list[dict[str, Any]]:
    """The profile's risk and protective weight as read-only items computed by the form filler (SDC
    ``calculatedExpression``); a side with nothing weighed has none (a sum fixed at 0 would mislead)."""
    terms: dict[str, list[str]] = {"risk": [], "protective": []}
    for item in bank.scored_items:
        terms[item.direction].append(factor_term(bank, item, _has_answer, _iif))
    sums = []
    for direction, (link_id, nl, en) in WEIGHT_SUMS.items():
        if terms[direction]:
            sums.append({
                "linkId": link_id, "type": "decimal", "text": nl, "_text": _translation(en), "readOnly": True,
                "extension": [{"url": CALCULATED_EXPRESSION, "valueExpression": {
                    "description": "Hulpmiddel bij het profiel, geen gevalideerde score",
                    "language": "text/fhirpath", "expression": " + ".join(terms[direction])}}],
            })
    return sums


def _iif(condition: str, then: str, otherwise: str) -> str:
    return f"iif({condition}, {then}, {otherwise})"


def _has_answer(link_id: str, code: str) -> str:
    """FHIRPath for 'the question is answered ``code``' in the QuestionnaireResponse."""
    def quoted(text: str) -> str:
        return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"

    # Down item.item and answer.item (a question nested under its gate's answer), as read_response
    # reads a response. combine, not the union operator `|`: fhirpathpy 2.2 loses the element types
    # through a union, and .answer.value (value[x]) then finds nothing; combine keeps them.
    return (f"%resource.repeat(item.combine(answer.item)).where(linkId = {quoted(link_id)}).answer.value"
            f".where(code = {quoted(code)}).exists()")


R4_ITEM_TYPES = frozenset({
    "group", "display", "boolean", "decimal", "integer", "date", "dateTime", "time", "string",
    "text", "url", "choice", "open-choice", "attachment", "reference", "quantity"})
PUBLICATION_STATUS = frozenset({"draft", "active", "retired", "unknown"})


def validate_questionnaire(resource: Mapping[str, Any]) -> None:
    """Structure via fhir.resources (R4B models), plus the code lists and invariants it skips.

    fhir.resources checks cardinality and datatypes but not code values, so we also check the
    status and item type codes, unique linkIds (que-2) and that enableWhen points at an item.
    """
    from fhir.resources.R4B.questionnaire import Questionnaire  # heavy: imported on first use
    from pydantic import ValidationError as PydanticError

    try:
        Questionnaire.model_validate(dict(resource))
    except PydanticError as err:
        raise ValidationError(f"FHIR Questionnaire invalid: {_first_error(err)}") from err
    empty = _empty_array(resource)
    if empty:
        raise ValidationError(f"FHIR Questionnaire invalid: {empty} is an empty array (FHIR JSON leaves it out)")
    if resource.get("status") not in PUBLICATION_STATUS:
        raise ValidationError(f"FHIR Questionnaire invalid: status {resource.get('status')!r}")
    items = list(_walk(list(resource.get("item", []))))
    seen: set[str] = set()
    for item in items:
        link_id = item["linkId"]
        if link_id in seen:
            raise ValidationError(f"FHIR Questionnaire invalid: linkId {link_id!r} is not unique (que-2)")
        seen.add(link_id)
        if item.get("type") not in R4_ITEM_TYPES:
            raise ValidationError(f"FHIR Questionnaire invalid: item {link_id}: type {item.get('type')!r}")
        if item.get("answerOption") and item["type"] not in ("choice", "open-choice"):
            raise ValidationError(f"FHIR Questionnaire invalid: item {link_id}: answerOption on "
                                  f"a {item['type']} item (que-5)")
    by_link = {item["linkId"]: item for item in items}
    for item in items:
        conditions = item.get("enableWhen", [])
        if len(conditions) > 1 and "enableBehavior" not in item:
            raise ValidationError(f"FHIR Questionnaire invalid: item {item['linkId']}: several enableWhen "
                                  "need enableBehavior (que-12)")
        for condition in conditions:
            _check_enable_when(item["linkId"], condition, by_link)


ENABLE_WHEN_OPERATORS = frozenset({"exists", "=", "!=", ">", "<", ">=", "<="})


def _check_enable_when(link_id: str, condition: Mapping[str, Any], by_link: Mapping[str, Any]) -> None:
    """An enableWhen that names a known question, a known operator and a value it can take.

    A condition no answer can meet (a code the gate does not offer) would hide its item for good.
    """
    where = f"FHIR Questionnaire invalid: item {link_id}: enableWhen"
    gate = by_link.get(str(condition.get("question")))
    if gate is None:
        raise ValidationError(f"{where} refers to unknown item {condition.get('question')!r}")
    operator = condition.get("operator")
    if operator not in ENABLE_WHEN_OPERATORS:
        raise ValidationError(f"{where}: operator {operator!r}")
    values = [key for key in condition if key.startswith("answer")]
    if operator == "exists":
        if values != ["answerBoolean"]:
            raise ValidationError(f"{where}: operator 'exists' takes answerBoolean (que-7)")
        return
    if gate.get("type") == "choice":
        if values != ["answerCoding"]:
            raise ValidationError(f"{where}: {gate['linkId']} is a choice question, so answerCoding "
                                  f"(not {', '.join(values) or 'no answer'})")
        code = condition["answerCoding"].get("code")
        offered = {o.get("valueCoding", {}).get("code") for o in gate.get("answerOption", [])}
        if code not in offered:
            raise ValidationError(f"{where}: {gate['linkId']} offers no answer {code!r}")


def _first_error(err: Any) -> str:
    first = err.errors()[0]
    where = ".".join(str(p) for p in first.get("loc", ()))
    return f"{where}: {first.get('msg', '')}"


# -- responses ---------------------------------------------------------------------------
def response(bank: ItemBank, answers: Mapping[str, str], *, status: str = "completed",
             authored: str | None = None) -> dict[str, Any]:
    """A QuestionnaireResponse carrying ``answers`` (for exchange and round-trip tests)."""
    groups = []
    for domain in DOMAINS:
        entries = []
        for q in bank.questions_in(domain):
            code = answers.get(q.link_id)
            option = q.option(code) if code is not None else None
            if option is None:
                continue
            entries.append({"linkId": q.link_id, "text": q.text_nl, "answer": [{"valueCoding": {
                "system": ANSWER_SYSTEM, "code": option.code, "display": option.text_nl}}]})
        if entries:
            groups.append({"linkId": f"{GROUP_PREFIX}{domain}", "item": entries})
    resource: dict[str, Any] = {
        "resourceType": "QuestionnaireResponse",
        "questionnaire": f"{bank.canonical_url}|{bank.version}",
        "status": status,
    }
    if groups:  # no answers: no "item" (FHIR JSON has no empty arrays)
        resource["item"] = groups
    if authored:
        resource["authored"] = authored
    _validate_response(resource, "QuestionnaireResponse", ours=True)
    return resource


def _validate_response(resource: Mapping[str, Any], where: str, *, ours: bool = False) -> None:
    from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse
    from pydantic import ValidationError as PydanticError

    try:
        QuestionnaireResponse.model_validate(dict(resource))
    except PydanticError as err:
        raise ValidationError(f"{where}: invalid FHIR QuestionnaireResponse: {_first_error(err)}") from err
    empty = _empty_array(resource) if ours else ""  # others' empty arrays are read leniently
    if empty:
        raise ValidationError(f"{where}: invalid FHIR QuestionnaireResponse: {empty} is an empty array "
                              "(FHIR JSON leaves it out)")


def _empty_array(value: Any, where: str = "") -> str:
    """The path of the first empty JSON array in ``value`` ('' when none): FHIR's JSON format has none,
    and strict servers and the HL7 validator refuse a resource with one."""
    if isinstance(value, list):
        if not value:
            return where or "(root)"
        for n, entry in enumerate(value):
            found = _empty_array(entry, f"{where}[{n}]")
            if found:
                return found
    elif isinstance(value, Mapping):
        for key, entry in value.items():
            found = _empty_array(entry, f"{where}.{key}" if where else str(key))
            if found:
                return found
    return ""


#: What a QuestionnaireResponse's status other than completed/amended means, for the report's note.
RESPONSE_STATUS_WORDS: dict[str, tuple[str, str]] = {
    "in-progress": ("niet afgerond: niet alle vragen zijn ingevuld", "not completed: not every question was filled in"),
    "stopped": ("afgebroken", "stopped before it was completed"),
    "entered-in-error": ("als ten onrechte ingevoerd gemarkeerd", "marked as entered in error"),
}


def read_response(text: str, bank: ItemBank, where: str = "response") -> tuple[dict[str, str], list[Note]]:
    """Answers (``link_id -> code``) from a QuestionnaireResponse JSON, plus notes for the report.

    Accepts codings (our answer codes), booleans (yes/no) and strings equal to a code; anything
    else is a one-line error naming the linkId.
    """
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise ValidationError(f"{where}: not JSON (line {err.lineno}, column {err.colno})") from err
    if not isinstance(data, dict) or data.get("resourceType") != "QuestionnaireResponse":
        raise ValidationError(f"{where}: resourceType is not QuestionnaireResponse")
    _validate_response(data, where)
    notes: list[Note] = []
    canonical = str(data.get("questionnaire", ""))
    url, _, version = canonical.partition("|")
    if url and url != bank.canonical_url:
        notes.append(Note(f"De antwoorden horen bij vragenlijst {url}; gescoord met {bank.canonical_url}.",
                          f"The response refers to questionnaire {url}; scored with {bank.canonical_url}."))
    if version and version != bank.version:
        notes.append(Note(f"De antwoorden zijn gegeven bij versie {version} van het instrument; gescoord "
                          f"met versie {bank.version}.",
                          f"The answers were given for instrument version {version}; scored with "
                          f"version {bank.version}."))
    status = data.get("status")
    if status not in (None, "completed", "amended"):
        # In the report's language: a Dutch report said 'status ‘in-progress’' (the code stays, for who looks it up).
        nl, en = RESPONSE_STATUS_WORDS.get(str(status), ("niet afgerond", "not completed"))
        notes.append(Note(f"De vragenlijst is {nl} (FHIR-status ‘{status}’).",
                          f"The questionnaire was {en} (FHIR status '{status}')."))
    answers: dict[str, str] = {}
    calculated = {link_id for link_id, _, _ in WEIGHT_SUMS.values()}
    for item in _walk(data.get("item", [])):
        link_id = str(item.get("linkId", ""))
        values = item.get("answer") or []
        if not values or link_id in calculated:  # the form filler's sums: scored again, never read
            continue
        if len(values) > 1:
            raise ValidationError(f"{where}: item {link_id} has {len(values)} answers; one expected")
        answers[link_id] = _answer_code(values[0], link_id, where)
    return answers, notes


def _walk(items: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for item in items:
        yield item
        yield from _walk(item.get("item", []))
        for answer in item.get("answer", []) or []:
            yield from _walk(answer.get("item", []))


def _answer_code(answer: Mapping[str, Any], link_id: str, where: str) -> str:
    if "valueCoding" in answer:
        code = answer["valueCoding"].get("code")
        if code:
            return str(code)
    if "valueBoolean" in answer:
        return "yes" if answer["valueBoolean"] else "no"
    if "valueString" in answer:
        return str(answer["valueString"])
    raise ValidationError(f"{where}: item {link_id}: answer type not supported (use valueCoding)")
