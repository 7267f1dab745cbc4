"""A hand-edited item_bank.toml: a key of the wrong type is one line naming file, key and line, not a traceback."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from review.errors import ValidationError
from review.instrument.itembank import ItemBank, dumps_bank, read_bank

EDITS = [  # the first line matching, what it becomes, the key named, what is said
    # each was a traceback in every export, diff, score and status (AttributeError, or TypeError in diff or REDCap)
    (r"^present = .*$", "present = [{ a = 1 }]", "items[1].present",
     "expected a table of answer codes (question = [\"code\"]), got [{'a': 1}]"),
    (r"^studies = .*$", 'studies = [1, "a"]', "items[1].studies", "expected a list of texts, got [1, 'a']"),
    (r"^text_nl = .*$(?=(?:\n.*)*?\n\[\[questions\.options\]\])", "text_nl = 3", "questions[1].text_nl",
     "expected text in quotes, got 3"),
    (r"(?<=\[\[questions\.options\]\]\n)code = .*$", "code = { a = 1 }", "questions[1].options[1].code",
     "expected text in quotes, got {'a': 1}"),
    (r"^weight = .*$", 'weight = "3"', "items[1].weight", "expected a number, got '3'"),
    (r"^evidence = .*$", 'evidence = "x"', "instrument.evidence", "expected a table, got 'x'"),
    # (named by hand, 'item_bank.toml: instrument.config.partly_fraction = 2 is …', without its line: rrev29c)
    (r"^partly_fraction = .*$", "partly_fraction = 2", "instrument.config.partly_fraction",
     "2 is not a number between 0 and 1; rebuild with 'review instrument build'"),
]


@pytest.mark.parametrize(("pattern", "edited", "where", "said"), EDITS, ids=[e[2] for e in EDITS])
def test_a_bank_key_of_the_wrong_type_is_one_line_with_its_line(bank: ItemBank, tmp_path: Path, pattern: str,
                                                                edited: str, where: str, said: str) -> None:
    text, n = re.subn(pattern, edited, dumps_bank(bank), count=1, flags=re.M)
    assert n == 1
    path = tmp_path / "item_bank.toml"
    path.write_text(text, encoding="utf-8")
    line = text.splitlines().index(edited) + 1
    with pytest.raises(ValidationError) as raised:
        read_bank(path)
    message = str(raised.value)
    assert message.startswith(f"{path}:{where}: {said}") and message.endswith(f" (line {line})"), message


def test_the_built_bank_reads_back(bank: ItemBank, tmp_path: Path) -> None:
    path = tmp_path / "item_bank.toml"
    path.write_text(dumps_bank(bank), encoding="utf-8")
    assert dumps_bank(read_bank(path)) == dumps_bank(bank)


def test_a_gate_on_a_question_the_bank_lacks_is_one_line(bank: ItemBank, tmp_path: Path) -> None:
    # enable_when naming no question of the bank was a KeyError traceback in the REDCap export
    text = dumps_bank(bank)
    gate = re.search(r'^enable_when = \{ question = "(\w+)"', text, flags=re.M)
    assert gate is not None
    path = tmp_path / "item_bank.toml"
    path.write_text(text.replace(gate.group(0), gate.group(0).replace(gate.group(1), "nope"), 1), encoding="utf-8")
    with pytest.raises(ValidationError, match=r"item_bank\.toml:questions\[\d+\]\.enable_when\.question: 'nope' is "
                                              r"no question of the bank \(line \d+\)$"):
        read_bank(path)
