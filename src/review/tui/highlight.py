"""Colour-coded include/exclude terms and structured abstracts as Rich ``Text``.

Criteria come from ``screening/criteria.toml`` through the screening stage's loader (same
term syntax as its keyword prior); ``CriteriaWatcher`` reloads them when the mtime changes,
keeping the last good ones while the file cannot be read.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from rich.text import Text

from ..errors import ReviewError
from ..records import Record
from ..services import screening as service
from ..services.screening import CRITERIA_PATH as CRITERIA_FILE
from ..services.screening import DEFAULT_REASONS, terms_regex
from ..workspace import Workspace

INCLUDE_STYLE = "bold black on #8fd18f"
EXCLUDE_STYLE = "bold black on #f0a0a0"

#: "BACKGROUND:", "MATERIALS AND METHODS:" ... at the start of a structured-abstract section.
_SECTION = re.compile(r"(?:(?<=^)|(?<=[.!?]\s)|(?<=\n))([A-Z][A-Z/&,\- ]{2,40}):\s*")


@dataclass(slots=True)
class Criteria:
    """What the screening screen highlights and offers as exclusion reasons."""

    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    reasons: tuple[str, ...] = DEFAULT_REASONS
    #: ``require_reason_on_exclude``: an exclusion key asks for a reason instead of excluding.
    require_reason_on_exclude: bool = False
    error: str = ""
    _patterns: dict[str, re.Pattern[str] | None] = field(default_factory=dict, repr=False)

    def pattern(self, kind: str) -> re.Pattern[str] | None:
        if kind not in self._patterns:
            self._patterns[kind] = term_pattern(self.include if kind == "include" else self.exclude)
        return self._patterns[kind]


def term_pattern(terms: Iterable[str]) -> re.Pattern[str] | None:
    """One case-insensitive regex for ``terms`` (the screening stage's term syntax)."""
    return terms_regex(terms)


#: Appended to a reload's error: what stays in use meanwhile.
KEPT = "; the last good criteria stay in use"


def load_criteria(workspace: Workspace, previous: Criteria | None = None) -> Criteria:
    """Criteria through the screening stage's loader; a broken file becomes ``error``.

    With ``previous`` (a reload) a broken file keeps its terms, reasons and reason setting.
    """
    try:
        loaded = service.load_criteria(workspace)
    except ReviewError as err:  # a half-saved file must not stop screening
        if previous is None or (previous.error and not previous.error.endswith(KEPT)):
            return Criteria(error=str(err))  # nothing good read yet
        return replace(previous, error=str(err) + KEPT, _patterns=dict(previous._patterns))
    return Criteria(include=loaded.include_terms, exclude=loaded.exclude_terms,
                    reasons=loaded.exclusion_reasons or DEFAULT_REASONS,
                    require_reason_on_exclude=loaded.require_reason_on_exclude)


class CriteriaWatcher:
    """Reloads criteria when ``screening/criteria.toml`` changes (polled by the screen)."""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self.path: Path = workspace.path(*CRITERIA_FILE)
        self._stamp = self._mtime()
        self.criteria = load_criteria(workspace)

    def _mtime(self) -> float | None:
        try:
            return self.path.stat().st_mtime_ns
        except OSError:
            return None

    def poll(self) -> bool:
        """Reload if the file changed; True when it did."""
        stamp = self._mtime()
        if stamp == self._stamp:
            return False
        self._stamp = stamp
        self.criteria = load_criteria(self.workspace, self.criteria)
        return True


def highlight(text: Text, criteria: Criteria) -> Text:
    """Apply include/exclude styles in place (exclude wins where both match)."""
    for kind, style in (("include", INCLUDE_STYLE), ("exclude", EXCLUDE_STYLE)):
        pattern = criteria.pattern(kind)
        if pattern is not None:
            text.highlight_regex(pattern, style=style)
    return text


def structured_abstract(abstract: str) -> Text:
    """The abstract with each labelled section on its own line and its label in bold."""
    text = Text()
    pieces = _SECTION.split(abstract.strip())
    # split gives [lead, label1, body1, label2, body2, ...]
    lead, rest = pieces[0], pieces[1:]
    if lead.strip():
        text.append(lead.strip())
    for i in range(0, len(rest), 2):
        if len(text):
            text.append("\n")
        text.append(rest[i].strip() + ": ", style="bold")
        text.append(rest[i + 1].strip())
    return text


def _names(authors: Sequence[str], limit: int = 6) -> str:
    if len(authors) <= limit:
        return "; ".join(authors)
    return "; ".join(authors[:limit]) + f"; … (+{len(authors) - limit})"


def render_record(record: Record, criteria: Criteria, *, note: str = "") -> Text:
    """Everything a reviewer reads for one record, highlighted."""
    out = Text()
    out.append(record.title or "(no title)", style="bold")
    out.append("\n")
    if record.authors:
        out.append(_names(record.authors) + "\n", style="italic")
    meta = " · ".join(str(v) for v in (record.year, record.journal) if v)
    ident = " · ".join(v for v in (f"PMID {record.pmid}" if record.pmid else "",
                                   f"doi {record.doi}" if record.doi else "",
                                   f"#{record.id} {record.source}".strip()) if v)
    out.append((meta + "\n") if meta else "", style="")
    out.append(ident + "\n\n", style="dim")
    out.append_text(structured_abstract(record.abstract) if record.abstract else Text("(no abstract)", style="dim"))
    if record.keywords:
        out.append("\n\nKeywords: ", style="bold")
        out.append("; ".join(record.keywords))
    if record.mesh:
        out.append("\n\nMeSH: ", style="bold")
        out.append("; ".join(record.mesh))
    if note:
        out.append("\n\nNote: ", style="bold")
        out.append(note, style="italic")
    return highlight(out, criteria)


def legend(criteria: Criteria) -> Text:
    """A one-line key to the colours, with the criteria's term counts."""
    text = Text()
    text.append(" include ", style=INCLUDE_STYLE)
    text.append(f" {len(criteria.include)} terms   ")
    text.append(" exclude ", style=EXCLUDE_STYLE)
    text.append(f" {len(criteria.exclude)} terms")
    if criteria.error:
        text.append(f"   criteria.toml: {criteria.error}", style="bold red")
    return text
