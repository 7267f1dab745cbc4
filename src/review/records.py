"""Small typed records shared between stages."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: Bibliographic fields every importer fills where the source has them.
BIB_FIELDS: tuple[str, ...] = (
    "title", "abstract", "authors", "year", "journal", "volume", "issue", "pages",
    "doi", "pmid", "keywords", "mesh", "publication_types", "language",
)


@dataclass(slots=True)
class Record:
    """One bibliographic record as read from a source, before deduplication.

    ``external_id`` is the id the source gave it (CSV ``record_id``, PMID, RIS ``ID``);
    ``position`` says where in the file it was (``line 12`` or ``record 3``); ``raw``
    keeps the original text so nothing is lost in translation.
    """

    title: str = ""
    abstract: str = ""
    authors: list[str] = field(default_factory=list)
    year: int | None = None
    journal: str = ""
    volume: str = ""
    issue: str = ""
    pages: str = ""
    doi: str = ""
    pmid: str = ""
    keywords: list[str] = field(default_factory=list)
    mesh: list[str] = field(default_factory=list)
    publication_types: list[str] = field(default_factory=list)
    language: str = ""
    external_id: str = ""
    source: str = ""
    position: str = ""
    raw: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    #: Store id once persisted; None for records not yet stored.
    id: int | None = None

    def text(self) -> str:
        """Title and abstract joined, the text that screening models read."""
        return f"{self.title}\n{self.abstract}".strip()


#: Labels a reviewer can give at title/abstract screening; ``undo`` rows reverse one of them.
SCREENING_LABELS: tuple[str, ...] = ("include", "exclude", "maybe")


@dataclass(slots=True, frozen=True)
class Decision:
    """One row of the append-only screening log."""

    id: int
    record_id: int
    reviewer: str
    label: str
    stage: str = "title_abstract"
    reasons: tuple[str, ...] = ()
    note: str = ""
    created_at: Any = None
    model_rank: int | None = None
    model_info: dict[str, Any] = field(default_factory=dict)
    undoes_id: int | None = None
    #: The TUI's blind mode at the decision (True: other reviewers' decisions hidden); None: not recorded
    #: (an undo, or a decision made before the store recorded it).
    blind: bool | None = None


#: Evidence levels comparable across rule sets (higher is stronger).
LEVEL_RANKS: dict[str, int] = {
    "no evidence": 0, "insufficient": 0, "inconclusive": 0, "conflicting": 0, "mixed": 0,
    "limited": 1, "some": 1,
    "moderate": 2,
    "strong": 3,
}


@dataclass(slots=True)
class FactorEvidence:
    """The synthesis verdict for one prognostic factor: what the instrument is built from.

    Written as one row of ``extraction/synthesis.csv`` (same column names); every number
    traces back to ``studies`` (study ids in ``extraction/studies/``).
    """

    factor_id: str
    label_en: str
    label_nl: str
    domain: str  # personal | social | work | health
    modifiable: bool
    assessable: bool
    direction: str  # risk | protective | none | conflicting
    level: str  # the rule set's own level name, e.g. "strong", "limited", "conflicting"
    rule_set: str  # e.g. "ariens", "lievense", "van_tulder_2003", "iwh"
    studies: tuple[str, ...] = ()
    measure: str = ""  # OR | HR | RR when pooled
    pooled_estimate: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    i2: float | None = None
    grade: str = ""  # high | moderate | low | very low, empty when not judged
    explanation: str = ""

    @property
    def level_rank(self) -> int:
        return LEVEL_RANKS.get(self.level, 0)


#: The largest id a store can hold (``records.id`` is INTEGER: 32 bits on PostgreSQL).
MAX_RECORD_ID = 2**31 - 1


def parse_record_id(text: str) -> int | None:
    """A record id as the TUI and exports show it, ``12`` or ``#12`` (spaces around allowed); None
    when ``text`` is not one (each command words its own refusal). ASCII digits only, up to
    ``MAX_RECORD_ID``: '²' passed ``str.isdigit`` and failed ``int``, and a 20-digit id overflowed
    the database driver, each a traceback."""
    token = text.strip().lstrip("#")
    # The length is checked without leading zeros: '00000000001' is 1, as '0001' is.
    if not (token.isascii() and token.isdigit()) or len(token.lstrip("0")) > len(str(MAX_RECORD_ID)):
        return None
    record_id = int(token)
    return record_id if record_id <= MAX_RECORD_ID else None
