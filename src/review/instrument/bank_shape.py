"""The shape of ``instrument/item_bank.toml``: which keys each of its tables holds, and of what type.

``review instrument build`` writes the bank; one edited by hand (or cut short) is read by every export, ``diff``,
``score`` and ``status``. Each key is checked against its type here, before the bank is built, so a wrong one is one
line naming the key (``items[2].studies: expected a list of texts, got …``) where it was an AttributeError or a
TypeError in the export that met it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..tomlread import TomlProblem

TEXTS = list[str]
CODES = dict[str, list[str]]
TABLES = list[dict[str, Any]]

#: How each type is said in a refusal.
_WORDS: dict[Any, str] = {str: "text in quotes", float: "a number", int: "a whole number", bool: "true or false",
                          TEXTS: "a list of texts", CODES: 'a table of answer codes (question = ["code"])',
                          TABLES: "a list of tables", dict: "a table"}

#: Each table's keys: its type, and whether the bank is unreadable without it.
Shape = Mapping[str, tuple[Any, bool]]

_ITEM_TEXTS = ("label_nl", "label_en", "level", "rule_set", "grade", "weight_basis", "measure", "topic_nl", "topic_en",
               "advice_nl", "advice_en", "caution", "ask_nl", "ask_en", "listen_nl", "listen_en")
ITEM: Shape = {
    "factor_id": (str, True), "domain": (str, True), "direction": (str, True), "weight": (float, True),
    **{name: (str, False) for name in _ITEM_TEXTS},
    "modifiable": (bool, False), "scored": (bool, False), "studies": (TEXTS, False), "present": (CODES, False),
    "partly": (CODES, False), "pooled_estimate": (float, False), "ci_low": (float, False), "ci_high": (float, False),
    "i2": (float, False), "effects": (TABLES, False), "expert": (TABLES, False), "pooled_k": (int, False),
    "pooled_studies": (TEXTS, False),
}
EXPERT_TOPIC: Shape = {
    "factor_id": (str, True), "modifiable": (bool, False), "expert": (TABLES, False),
    **{name: (str, False) for name in ("label_nl", "label_en", "domain", "topic_nl", "topic_en", "ask_nl", "ask_en",
                                       "listen_nl", "listen_en", "advice_nl", "advice_en")},
}
QUESTION: Shape = {
    "link_id": (str, True), "domain": (str, True), "text_nl": (str, True), "text_en": (str, True),
    "type": (str, False), "help_nl": (str, False), "help_en": (str, False), "enable_when": (dict, False),
    "factors": (TEXTS, False), "signals": (TEXTS, False), "medical": (bool, False), "options": (TABLES, False),
}
ENABLE_WHEN: Shape = {"question": (str, True), "answer": (str, True)}
OPTION: Shape = {"code": (str, True), "text_nl": (str, True), "text_en": (str, True), "side": (str, False),
                 "weight": (float, False)}
NOT_INCLUDED: Shape = {
    "factor_id": (str, True), "modifiable": (bool, False), "studies": (TEXTS, False),
    **{name: (str, False) for name in ("label_nl", "label_en", "domain", "level", "direction", "reason")},
}
SOURCE: Shape = {name: (str, name == "study") for name in ("study", "label", "citation", "doi", "pmid")}
META: Shape = {
    "built_at": (str, True), "evidence": (dict, True), "config": (dict, False), "title_nl": (str, False),
    "title_en": (str, False), "version": (str, False), "canonical_url": (str, False),
    "content_sha256": (str, False), "missing_templates": (TEXTS, False), "unused_templates": (TEXTS, False),
}
EVIDENCE: Shape = {"sha256": (str, True), "taken_at": (str, True), "source": (str, False), "n_factors": (int, False)}
#: The bank's lists of tables, and the shape of each entry.
LISTS: dict[str, Shape] = {"items": ITEM, "expert_topics": EXPERT_TOPIC, "questions": QUESTION,
                           "not_included": NOT_INCLUDED, "sources": SOURCE}


def check_bank_shape(data: Mapping[str, Any]) -> None:
    """Every table and key of an item bank's data of the type the bank is built from; else a :class:`TomlProblem`
    naming the first that is not (``questions[3].options[2].text_nl``)."""
    if "instrument" not in data:
        raise TomlProblem("instrument", "no [instrument] table: not an item bank (review instrument build writes one)")
    check_table(data["instrument"], META, "instrument")
    check_table(data["instrument"]["evidence"], EVIDENCE, "instrument.evidence")
    partly = data["instrument"].get("config", {}).get("partly_fraction")  # (scoring and both exports read it)
    if partly is not None and not (_conforms(partly, float) and 0 <= partly <= 1):
        raise TomlProblem("instrument.config.partly_fraction",
                          f"{partly!r} is not a number between 0 and 1; rebuild with 'review instrument build'")
    for name, shape in LISTS.items():
        entries = data.get(name, [])
        if not _conforms(entries, TABLES):
            raise TomlProblem(name, f"expected [[{name}]] tables, got {entries!r}")
        for i, entry in enumerate(entries, start=1):
            check_table(entry, shape, f"{name}[{i}]")
    links = {question["link_id"] for question in data.get("questions", [])}
    for i, question in enumerate(data.get("questions", []), start=1):
        if "enable_when" in question:
            check_table(question["enable_when"], ENABLE_WHEN, f"questions[{i}].enable_when")
            if question["enable_when"]["question"] not in links:  # (the REDCap export's KeyError)
                raise TomlProblem(f"questions[{i}].enable_when.question",
                                  f"{question['enable_when']['question']!r} is no question of the bank")
        for j, option in enumerate(question.get("options", []), start=1):
            check_table(option, OPTION, f"questions[{i}].options[{j}]")


def check_table(table: object, shape: Shape, where: str) -> None:
    """``table`` a table holding each required key of ``shape`` and every key it names of its type."""
    if not isinstance(table, dict):
        raise TomlProblem(where, f"expected a table, got {table!r}")
    for key, (kind, required) in shape.items():
        if key not in table:
            if required:
                raise TomlProblem(f"{where}.{key}", "missing")
            continue
        if not _conforms(table[key], kind):
            raise TomlProblem(f"{where}.{key}", f"expected {_WORDS[kind]}, got {table[key]!r}")


def _conforms(value: object, kind: Any) -> bool:
    if kind is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == TEXTS:
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    if kind == CODES:
        return isinstance(value, dict) and all(_conforms(v, TEXTS) for v in value.values())
    if kind == TABLES:
        return isinstance(value, list) and all(isinstance(v, dict) for v in value)
    return isinstance(value, kind)
