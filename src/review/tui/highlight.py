"""Colour-coded include/exclude terms and structured abstracts as Rich ``Text``.

Criteria come from ``screening/criteria.toml`` through the screening stage (same term syntax
as its keyword prior); ``CriteriaWatcher`` asks the session's ``CriteriaFile`` whether the file
changed, so highlighting, keyword prior and reason rule follow one reading of it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rich.text import Text

from ..records import Record
from ..services.screening import DEFAULT_REASONS, CriteriaFile, terms_regex
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
    error: str = ""
    _patterns: dict[str, re.Pattern[str] | None] = field(default_factory=dict, repr=False)

    def pattern(self, kind: str) -> re.Pattern[str] | None:
        if kind not in self._patterns:
            self._patterns[kind] = term_pattern(self.include if kind == "include" else self.exclude)
        return self._patterns[kind]


def term_pattern(terms: Iterable[str]) -> re.Pattern[str] | None:
    """One case-insensitive regex for ``terms`` (the screening stage's term syntax)."""
    return terms_regex(terms)


def _view(source: CriteriaFile) -> Criteria:
    """What the screens need of the file as last read: its last good terms, reasons, and error."""
    loaded = source.criteria
    return Criteria(include=loaded.include_terms, exclude=loaded.exclude_terms,
                    reasons=loaded.exclusion_reasons or DEFAULT_REASONS, error=source.error)


class CriteriaWatcher:
    """The highlighting's criteria, new when ``screening/criteria.toml`` changes (polled by the screen).

    ``source`` is the screening session's ``CriteriaFile``, so in the app's process a save is read
    once for the highlighting and the reason rule (a retrain in the worker process reads it there
    for its keyword prior); without one (a watcher on its own) it reads the file itself.
    """

    def __init__(self, workspace: Workspace, source: CriteriaFile | None = None) -> None:
        self.source = source if source is not None else CriteriaFile(workspace)
        self.path: Path = self.source.path
        self._version = self.source.version
        self.criteria = _view(self.source)

    def poll(self) -> bool:
        """Reload if the file changed (here or in a retrain since the last poll); True when it did."""
        self.source.reload()
        if self.source.version == self._version:
            return False
        self._version = self.source.version
        self.criteria = _view(self.source)
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
    """Everything a reviewer reads for one record, highlighted; a ``note`` waiting for its decision first."""
    out = Text()
    if note:
        # First: after the abstract it was below the fold at 24 rows, and the reviewer could not see what the next
        # key would store with the decision.
        out.append("Note: ", style="bold")
        out.append(note, style="italic")
        out.append("  (goes with your decision; n edits it)\n\n", style="dim")
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
