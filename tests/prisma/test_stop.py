"""One reading of "did a stopping rule stop this?" for the diagram's footnote and `review prisma stop`'s note."""

from __future__ import annotations

from typing import Any

import pytest

from review.errors import ValidationError
from review.prisma.stop import check_stop_verdict, stopped_by_rule


@pytest.mark.parametrize(("verdict", "by_rule"), [
    ({"verdict": "stop", "rule": "recommended"}, True),
    ({"rule": "hypergeometric", "recall": 0.95}, True),   # a rule's details naming no verdict
    ({"verdict": "continue", "rule": "recommended"}, False),
    # The certified rule's third verdict: not continue, yet no rule said stop (the docs said "not continue").
    ({"verdict": "sample-needed", "rule": "certified"}, False),
    # `review prisma stop --verdict '{"verdict": null}'`: the CLI's note said the reviewers stopped, the diagram
    # credited the rule; a stop recorded so before the refusal below is read as no rule's verdict.
    ({"verdict": None, "rule": "recommended"}, False),
    ({"verdict": ["stop"]}, False),
    ({"verdict": "STOP"}, False),
    ({}, False),
    (None, False),
    (["stop"], False),   # not a mapping at all: read, never fail
])
def test_only_a_rule_that_said_stop_is_credited(verdict: Any, by_rule: bool) -> None:
    assert stopped_by_rule(verdict) is by_rule


@pytest.mark.parametrize(("verdict", "shown"), [
    ({"verdict": None}, "not null;"),
    ({"verdict": 1}, "not 1;"),
    ({"verdict": {"said": "stop" * 20}}, 'not {"said": "stopstopstopstopstopstopsto...;'),
])
def test_a_verdict_that_is_no_string_is_refused_in_one_line_naming_the_field(verdict: dict[str, Any],
                                                                             shown: str) -> None:
    with pytest.raises(ValidationError) as refused:
        check_stop_verdict(verdict)
    message = str(refused.value)
    assert '"verdict" must be a string' in message and shown in message and "\n" not in message


@pytest.mark.parametrize("verdict", [{}, {"rule": "recommended"}, {"verdict": "stop"}, {"verdict": "sample-needed"}])
def test_string_or_absent_verdicts_are_accepted(verdict: dict[str, Any]) -> None:
    check_stop_verdict(verdict)  # (raises nothing)


@pytest.mark.parametrize("word", ["STOP", "stopped", ""])
def test_a_verdict_no_stopping_rule_gives_is_refused(word: str) -> None:
    # walk28: --verdict '{"verdict": "STOP"}' (the word as review status --stopping shows it) was recorded as the
    # reviewers' own stop, only a note saying the diagram would not credit the rule
    with pytest.raises(ValidationError) as refused:
        check_stop_verdict({"verdict": word})
    assert str(refused.value) == (f'screening stop: the verdict\'s field "verdict" is "{word}", none of "continue", '
                                  '"sample-needed", "stop" (a stopping rule\'s words, lower case); nothing recorded')
