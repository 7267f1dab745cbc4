"""How PRISMA 2020 reports a source: a database or register (the left column of the flow
diagram) or one of the "other methods" (websites, organisations, citation searching).

One definition for the flow (``prisma.counts``) and the screening queue (``screening.removed``):
records from other methods skip title/abstract screening (decision 0023), so both must sort a
source the same way. Set per source in review.toml ``[prisma.sources]``; otherwise the name hints.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .tomlread import SettingProblem, toml_key

__all__ = ["OTHER_KINDS", "SOURCE_KINDS", "configured_kinds", "is_other_method", "source_kind", "source_order"]

#: Every kind, left column first.
SOURCE_KINDS: tuple[str, ...] = ("database", "register", "website", "organisation", "citation")
#: The kinds of PRISMA 2020's right-hand column, which has no screening boxes.
OTHER_KINDS: frozenset[str] = frozenset({"website", "organisation", "citation"})
_NAME_HINTS: tuple[tuple[str, str], ...] = (
    ("clinicaltrials", "register"), ("ictrp", "register"), ("isrctn", "register"),
    ("trialregister", "register"), ("trial register", "register"), ("registry", "register"),
    ("register", "register"), ("citation", "citation"), ("snowball", "citation"),
    ("reference list", "citation"), ("website", "website"), ("organisation", "organisation"),
    ("organization", "organisation"),
)


def configured_kinds(prisma_section: Mapping[str, Any]) -> dict[str, str]:
    """``[prisma.sources]`` of review.toml (source name -> kind; each kind is checked where it is used)."""
    overrides = prisma_section.get("sources", {})
    if not isinstance(overrides, dict):
        raise SettingProblem("prisma.sources", f"{overrides!r}: expected a table of source name = kind")
    return {str(name): kind for name, kind in overrides.items()}


def source_kind(name: str, overrides: Mapping[str, str] | None = None) -> str:
    """The PRISMA kind of a source: ``[prisma.sources]`` in review.toml, else a name hint,
    else ``database``."""
    if overrides and name in overrides:
        kind = overrides[name]
        if kind not in SOURCE_KINDS:
            raise SettingProblem(f"prisma.sources.{toml_key(name)}", f"{kind!r}: expected one of {', '.join(SOURCE_KINDS)}")
        return kind
    lowered = name.casefold()
    for hint, kind in _NAME_HINTS:
        if hint in lowered:
            return kind
    return "database"


def is_other_method(name: str, overrides: Mapping[str, str] | None = None) -> bool:
    """True for a source of PRISMA 2020's right-hand column (no title/abstract screening)."""
    return source_kind(name, overrides) in OTHER_KINDS


def source_order(name: str) -> tuple[str, str]:
    """The key sources are listed by, wherever they are (diagram, review status, dashboard, PRISMA-S report): a
    name's letters in any case, then the name. Sorted as written, "PsycInfo, PubMed, Scopus" came before
    "bibtexparser_…, embase" (sources named after their files, walk20)."""
    return name.casefold(), name
