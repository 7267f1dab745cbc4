"""Whether a screening stop credits a stopping rule: one reading for the diagram's footnote and the shells."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ..errors import ValidationError
from ..screening.stopping import VERDICTS

#: The one verdict of a stopping rule that credits it with the stop (``screening/stopping.py`` also says
#: ``continue`` and ``sample-needed``).
RULE_SAID_STOP = "stop"


def stopped_by_rule(verdict: Mapping[str, Any] | None) -> bool:
    """Whether the verdict recorded with a screening stop credits a stopping rule with it.

    Only a rule that said stop does, or a rule's details that name no verdict (``{"rule": ..., "recall": ...}``).
    No verdict, ``continue``, ``sample-needed``, or a ``verdict`` that is no string (``null`` in a stop recorded
    before such values were refused) make it the reviewers' own stop: a methods reader takes the footnote as
    the rule's claim."""
    if not isinstance(verdict, Mapping) or not verdict:  # (the store keeps JSON: read what it holds, never fail)
        return False
    if "verdict" not in verdict:
        return True
    return verdict["verdict"] == RULE_SAID_STOP


def check_stop_verdict(verdict: Mapping[str, Any]) -> None:
    """Refuse a verdict whose ``verdict`` field is no string, before anything is recorded: the diagram could
    not tell whether the rule said stop."""
    if "verdict" in verdict and not isinstance(verdict["verdict"], str):
        raise ValidationError(f'screening stop: the verdict\'s field "verdict" must be a string such as "stop" or '
                              f'"continue", not {_shown(verdict["verdict"])}; nothing recorded')
    # '"STOP"', as review status --stopping shows the word, was recorded and read as no rule's stop, with only a
    # note to say the diagram would not credit the rule (walk28)
    if "verdict" in verdict and verdict["verdict"] not in VERDICTS:
        raise ValidationError(f'screening stop: the verdict\'s field "verdict" is {_shown(verdict["verdict"])}, none of '
                              f'{", ".join(json.dumps(v) for v in VERDICTS)} (a stopping rule\'s words, lower case); '
                              "nothing recorded")


def _shown(value: Any) -> str:
    """``value`` as JSON writes it, cut to 40 characters: a refusal quotes what it was given, on one line."""
    shown = json.dumps(value, default=repr)
    return shown if len(shown) <= 40 else shown[:37] + "..."
