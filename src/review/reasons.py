"""An exclusion reason as a reviewer types it, matched to the configured list; shared by the
stages that take one (title/abstract screening, full text), each wording its own errors."""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["matching_reasons"]


def matching_reasons(options: Sequence[str], wanted: str) -> list[str]:
    """The configured reasons ``wanted`` (normalised and case-folded by the caller) may name: the
    first exact match in any case, else every reason it begins (none when ``wanted`` is empty).
    One reason is a match; several are ambiguous."""
    exact = next((option for option in options if option.casefold() == wanted), None)
    if exact is not None:
        return [exact]
    return [option for option in options if wanted and option.casefold().startswith(wanted)]
