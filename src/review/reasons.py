"""An exclusion reason as a reviewer types it, matched to the configured list: one matcher and one
wording for the stages that take one (title/abstract screening, full text), each naming where its
reasons come from."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from .errors import ChoiceError

__all__ = ["match_reason"]


def _matching_reasons(options: Sequence[str], wanted: str) -> list[str]:
    """The configured reasons ``wanted`` (normalised and case-folded by the caller) may name: the
    first exact match in any case, else every reason it begins (none when ``wanted`` is empty).
    One reason is a match; several are ambiguous."""
    exact = next((option for option in options if option.casefold() == wanted), None)
    if exact is not None:
        return [exact]
    return [option for option in options if wanted and option.casefold().startswith(wanted)]


def match_reason(reasons: Iterable[str], given: str, *, listed_in: str) -> str:
    """The exclusion reason ``given`` names, spaces normalised: an exact match (any case), else the one
    reason it begins (``--reason "wrong pop"``); else a ``ChoiceError`` (a mistake of what was typed: exit 2
    on the command line) naming the candidates, or the reasons and ``listed_in``, where they come from."""
    options = list(reasons)
    wanted = " ".join(given.split()).casefold()
    expected = "(expected one of: " + "; ".join(options) + ")"
    if not wanted:
        raise ChoiceError("--reason", given, f"is blank {expected}")
    starting = _matching_reasons(options, wanted)
    if len(starting) == 1:
        return starting[0]
    if starting:
        raise ChoiceError("--reason", given, f"is the start of {len(starting)} reasons ({'; '.join(starting)}); "
                          "type more of the one you mean")
    raise ChoiceError("--reason", given, f"is not an exclusion reason of {listed_in} {expected}")
