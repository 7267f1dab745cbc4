"""The profile's risk and protective weight as a formula a form tool evaluates (REDCap calc
fields, FHIR SDC calculatedExpression): factor by factor as ``scoring.score`` weighs them, one
rule written in either syntax.

(Summing the weights of the answer options instead counted a factor once per question and kept
an answer whose gate was later switched off: not the profile's weight.)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from .itembank import Item, ItemBank

#: direction -> (REDCap field name and FHIR linkId, Dutch text, English text)
WEIGHT_SUMS: dict[str, tuple[str, str, str]] = {
    "risk": ("risk_weight_sum", "Som van de risicogewichten", "Sum of the risk weights"),
    "protective": ("protective_weight_sum", "Som van de beschermende gewichten", "Sum of the protective weights"),
}

#: (link id, answer code) -> the syntax's test 'the question is answered so'
Answered = Callable[[str, str], str]
#: (condition, value if true, value if false) -> the syntax's conditional
Choose = Callable[[str, str, str], str]


def factor_term(bank: ItemBank, item: Item, answered: Answered, choose: Choose) -> str:
    """One scored factor's part of a sum: its full weight when any of its questions gives a 'present'
    answer, else the partly weight, else 0; an answer counts only while its question is switched on
    (every gate above it answered as enableWhen asks)."""
    def any_answer(answers: Mapping[str, list[str]]) -> str:
        return " or ".join(
            "(" + " and ".join(answered(asked, wanted) for asked, wanted in [(link_id, code), *bank.gates_above(link_id)])
            + ")"
            for link_id, codes in answers.items() for code in codes)

    partly = any_answer(item.partly)
    otherwise = choose(partly, f"{round(item.weight * bank.partly_fraction, 4):g}", "0") if partly else "0"
    return choose(any_answer(item.present), f"{round(item.weight, 4):g}", otherwise)
