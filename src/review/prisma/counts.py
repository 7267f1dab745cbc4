"""PRISMA 2020 flow counts, derived only from what the store recorded.

Every box is a set of record ids (studies: the record standing for each study), so each number
can be traced, and the four PRISMA identities are checked on the counts:

    identified − duplicates − excluded by automation − other removals = screened
    screened − excluded = sought
    sought − not retrieved = assessed
    assessed − excluded = included

A break is not an error in the code: it names the records still waiting at some stage (for
example records nobody screened and no stopping rule covered).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..paths import WORKSPACE_FILE, shared_file_name
from ..tomlread import SettingProblem, toml_key
from ..screening.agreement import ReadLog, label_log
from ..source_kinds import OTHER_KINDS, SOURCE_KINDS, configured_kinds, source_kind, source_order
from ..store import Store
from ..timestamps import iso_utc
from ..store.fulltext import (
    ScreeningStop, current_screening_stop, record_sources,
)
from ..words import counted, whole
from .fulltext import ReportState, report_states, title_abstract_verdicts
from .labels import labels

if TYPE_CHECKING:
    from ..screening.removed import Removal, SetAside
    from ..workspace import Workspace

__all__ = [
    "KIND_BOX", "OTHER_METHODS_BOXES", "SOURCE_KINDS", "IdentityCheck", "PrismaCounts", "SourceCount",
    "compute_counts", "prisma_counts", "source_kind",
]

#: The template box ("Records identified from") of each source kind.
KIND_BOX: dict[str, str] = {
    "database": "database_results", "register": "register_results", "website": "website_results",
    "organisation": "organisation_results", "citation": "citations_results",
}
#: The boxes of PRISMA 2020's other-methods column (records identified from websites, organisations, citations).
OTHER_METHODS_BOXES: tuple[str, ...] = ("website_results", "organisation_results", "citations_results")


@dataclass(slots=True, frozen=True)
class SourceCount:
    """Records identified from one source, with the import batches they came in."""

    name: str
    kind: str
    n: int
    batches: tuple[dict[str, Any], ...] = ()


#: The most record ids a broken identity's stderr line names (prisma.json's ``record_ids`` holds them all).
SAID_IDS = 10

#: Parts behind an identity that are work still to do, not an error (``IdentityCheck.in_progress``).
PENDING_PARTS: frozenset[str] = frozenset({"pending_screening", "pending_fulltext", "pending_other_sought",
                                           "pending_assessment",
                                           # Two reviewers' differing eligibility verdicts wait for a consensus,
                                           # as dual review goes: '[BROKEN]' read as a damaged store (walk20).
                                           "conflicts"})


@dataclass(slots=True, frozen=True)
class IdentityCheck:
    """One PRISMA identity: ``left`` (the arithmetic) must equal ``right`` (the box), and no record may
    stand behind a break: a report sought without passing screening can make up for a record that
    passed and was never sought, so equal numbers alone would pass a flow that does not add up."""

    column: str  # databases_registers | other_methods
    formula: str
    left: int
    right: int
    explanation: str = ""
    record_ids: tuple[int, ...] = ()
    #: Which identity (``prisma.labels`` words it as ``formula_<key>`` in each language).
    key: str = ""
    #: What stands behind a break, as (``part_<name>`` in ``prisma.labels``, how many), for the diagram's language.
    parts: tuple[tuple[str, int], ...] = ()
    #: The parts ``explanation`` words, in its order (a zero among them where the check says one).
    said_parts: tuple[tuple[str, int], ...] = ()
    #: The records behind a part that is no pending work (a report sought without passing screening): a break's
    #: stderr line names these, not the records waiting for their full text beside them (walk24).
    breaking_ids: tuple[int, ...] = ()

    @property
    def ok(self) -> bool:
        return self.left == self.right and not self.record_ids

    @property
    def in_progress(self) -> bool:
        """Not ok only because work waits (records to screen, full texts to seek or assess): the gap
        is exactly the pending records and nothing else stands behind it. Counts that do not add up
        otherwise are a real break."""
        if self.ok:
            return False
        pending = sum(n for part, n in self.parts if part in PENDING_PARTS)
        other = sum(n for part, n in self.parts if part not in PENDING_PARTS)
        return pending > 0 and other == 0 and self.left - self.right == pending

    def progress(self, lang: str = "en", number: Callable[[int], str] = str) -> str:
        """The pending work behind an ``in_progress`` check in ``lang``'s words ("3 records not screened yet")."""
        words = labels(lang)
        return "; ".join(words.get(f"progress_{part}_{'one' if n == 1 else 'many'}",
                                   words[f"part_{part}_{'one' if n == 1 else 'many'}"]).format(n=number(n))
                         for part, n in self.parts if n)

    def explained(self, number: Callable[[int], str] = str) -> str:
        """The explanation with each count written by ``number`` (``words.whole`` for stderr and
        ``review status``); ``explanation`` itself, as prisma.json keeps it, has plain digits."""
        return _word_parts(self.said_parts, number) if self.said_parts else self.explanation

    def describe(self) -> str:
        """``review prisma``'s stderr line for the check, every count thousands separated (a status line)."""
        status = "ok" if self.ok else "in progress" if self.in_progress else "BROKEN"
        text = f"[{status}] {self.column}: {self.formula}: {whole(self.left)} vs {whole(self.right)}"
        if not self.explanation or self.ok:
            return text
        # A break names its records (prisma.json lists them all): "1 report was sought without passing
        # title/abstract screening" alone left a reviewer to search prisma.json for which (walk20).
        named = self.breaking_ids or self.record_ids
        behind = "" if self.in_progress or not named else f" ({_ids(named[:SAID_IDS])}" + (
            f" and {whole(len(named) - SAID_IDS)} more)" if len(named) > SAID_IDS else ")")
        return f"{text} — {self.explained(whole)}{behind}"


@dataclass(slots=True)
class PrismaCounts:
    """The PRISMA 2020 flow: record ids per box, reasons, identity checks and notes."""

    boxes: dict[str, tuple[int, ...]]
    sources: dict[str, SourceCount]
    dbr_excluded_reasons: dict[str, int]
    other_excluded_reasons: dict[str, int]
    identities: tuple[IdentityCheck, ...]
    excluded_other_reasons: dict[str, int] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    dedup_available: bool = False
    screening_stop: ScreeningStop | None = None
    previous_studies: int = 0
    previous_reports: int = 0
    extra: dict[str, Any] = field(default_factory=dict)
    #: Exclusion-reason translations per language from review.toml ``[prisma.translations.<lang>]``.
    translations: dict[str, dict[str, str]] = field(default_factory=dict)

    def n(self, box: str) -> int:
        """Number of ids in ``box`` (0 for an unknown or empty box)."""
        return len(self.boxes.get(box, ()))

    @property
    def identities_ok(self) -> bool:
        return all(check.ok for check in self.identities)

    @property
    def has_other_methods(self) -> bool:
        return any(s.kind in OTHER_KINDS for s in self.sources.values())

    @property
    def other_methods_identified(self) -> int:
        """Records identified by other methods (websites, organisations, citation searching)."""
        return sum(self.n(box) for box in OTHER_METHODS_BOXES)

    @property
    def total_studies(self) -> int:
        return self.previous_studies + self.n("new_studies")

    @property
    def total_reports(self) -> int:
        return self.previous_reports + self.n("new_reports")

    def template_values(self) -> dict[str, int | str]:
        """The ``n`` column of the PRISMA2020 template, keyed by its ``data`` names."""
        values: dict[str, int | str] = {
            name: self.n(name) for name in (
                "database_results", "register_results", "website_results", "organisation_results",
                "citations_results", "duplicates", "excluded_automatic", "excluded_other",
                "records_screened", "records_excluded", "dbr_sought_reports",
                "dbr_notretrieved_reports", "other_sought_reports", "other_notretrieved_reports",
                "dbr_assessed", "other_assessed", "new_studies", "new_reports",
            )
        }
        values["previous_studies"] = self.previous_studies
        values["previous_reports"] = self.previous_reports
        values["dbr_excluded"] = format_reasons(self.dbr_excluded_reasons)
        values["other_excluded"] = format_reasons(self.other_excluded_reasons)
        values["total_studies"] = self.total_studies
        values["total_reports"] = self.total_reports
        return values

    def to_json(self) -> dict[str, Any]:
        """Counts, reasons, identity checks and the record ids of every box."""
        stop = self.screening_stop
        return {
            "counts": self.template_values(),
            "dbr_excluded_reasons": dict(self.dbr_excluded_reasons),
            "other_excluded_reasons": dict(self.other_excluded_reasons),
            "excluded_other_reasons": dict(self.excluded_other_reasons),
            "identities": [
                {"column": c.column, "formula": c.formula, "left": c.left, "right": c.right,
                 "ok": c.ok, "explanation": c.explanation, "record_ids": list(c.record_ids)}
                for c in self.identities
            ],
            "identities_ok": self.identities_ok,
            "sources": {
                # A file outside the workspace by its name alone, as the PRISMA-S appendix names it.
                name: {"kind": s.kind, "n": s.n, "batches": [{**b, "file_name": shared_file_name(str(b["file_name"]))}
                                                             for b in s.batches]}
                for name, s in sorted(self.sources.items())
            },
            "dedup_run": self.dedup_available,
            "screening_stop": None if stop is None else {
                "id": stop.id, "reviewer": stop.reviewer, "explanation": stop.explanation,
                "verdict": stop.verdict, "last_record_id": stop.last_record_id,
                "at": iso_utc(stop.created_at) if stop.created_at else None,
            },
            "notes": list(self.notes),
            "boxes": {name: list(ids) for name, ids in sorted(self.boxes.items())},
        }


def format_reasons(reasons: Mapping[str, int]) -> str:
    """``"Reason, n; Reason, n"`` as the PRISMA2020 template expects, or ``"0"`` for none."""
    if not reasons:
        return "0"
    return "; ".join(f"{_template_safe(reason)}, {n}" for reason, n in reasons.items())


def _template_safe(reason: str) -> str:
    return (reason.replace(";", "/").replace(",", " ").strip() or "Unspecified")


def _unfinished_searches(store: Store) -> list[str]:
    """A note per query whose last run has not finished (interrupted, or killed while running): the databases box
    counts only what it stored so far, and a diagram drawn from it would publish half a search (walk29)."""
    from ..store import searches as search_store

    latest = {run["query_name"]: run for run in search_store.runs(store)}
    notes = []
    for name, run in sorted(latest.items()):
        if run["status"] in ("interrupted", "running"):
            stored = search_store.records_stored_by_run(store, run["id"])
            notes.append(f"search {name!r} has not finished (run {run['id']}, {run['status']}, "
                         f"{counted(stored, 'record')} stored by it so far): the databases box counts only what is "
                         f"stored; run 'review search {name}' to finish it")
    return notes


def prisma_counts(workspace: "Workspace", aside: SetAside | None = None,
                  log: ReadLog | None = None) -> PrismaCounts:
    """Live PRISMA counts of a workspace (for ``review prisma`` and the TUI dashboard; ``aside``, ``log``:
    see :func:`compute_counts`)."""
    return compute_counts(workspace.store, workspace.config.section("prisma"), aside=aside, log=log,
                          setting_said=lambda where, what: workspace.setting_said(where, what, named=WORKSPACE_FILE))


def duplicate_record_ids(store: Store, *, runs: Sequence[dict[str, Any]] | None = None) -> tuple[set[int], bool]:
    """Records the dedup stage removed, and whether dedup has run at all (``runs``: ``store.dedup.runs`` if
    already read)."""
    from ..dedup.decisions import duplicate_ids

    duplicates = {int(i) for i in duplicate_ids(store)}
    return duplicates, _dedup_ran(store, duplicates, runs)


def _dedup_ran(store: Store, duplicates: Collection[int], runs: Sequence[dict[str, Any]] | None = None) -> bool:
    from ..store import dedup as dedup_store

    # Merges decided by hand count too; otherwise dedup has run only if it logged a run.
    return bool(duplicates) or bool(dedup_store.runs(store) if runs is None else runs)


#: PRISMA reason for a notice or comment linked to the record it is about ([dedup] related = "link").
RELATED_REASON = "Notice or comment linked to another record"


def removals_before_screening(store: Store, duplicates: Collection[int],
                              removed: Mapping[int, Removal] | None = None) -> dict[int, str]:
    """Record -> reason for every record removed before screening: by hand, or a linked notice
    (the screening queue's definition, ``screening.removed``: the queue leaves out what PRISMA removes).
    ``duplicates``: dedup's, as :func:`duplicate_record_ids` read them (not read twice); ``removed``:
    the queue's removals when already read."""
    from ..screening.removed import removed_before_screening

    if removed is None:
        removed = removed_before_screening(store, duplicates)
    return {record_id: RELATED_REASON if removal.notice_of is not None else removal.reason
            for record_id, removal in removed.items()}


def compute_counts(store: Store, config: Mapping[str, Any] | None = None, *,
                   aside: SetAside | None = None, log: ReadLog | None = None,
                   setting_said: Callable[[str, str], str] | None = None) -> PrismaCounts:
    """Derive every PRISMA 2020 box from the store (see the module docstring for the rules).
    ``aside``: what the screening queue leaves out, as just read (the TUI dashboard refreshes its
    session's first): its duplicates and removals are not read a second time. ``log``: the title/abstract decision
    log with its decisions in force and conflicts, when the caller has just read it (``review status``).
    ``setting_said``: a note on review.toml's setting ``where`` in words, with its line (``Workspace.setting_said``);
    without it ``review.toml:WHERE: WHAT``, as an uncaught refusal of a setting reads."""
    config = dict(config or {})
    said = setting_said or (lambda where, what: str(SettingProblem(where, what)))
    overrides = configured_kinds(config)
    sources_by_record, kinds = sources_and_kinds(store, overrides)
    from ..store import dedup as dedup_store

    # One read of dedup's runs: whether it ran when it merged nothing, and what was imported after its last run.
    dedup_runs = dedup_store.runs(store)
    if aside is None:
        duplicates, dedup_available = duplicate_record_ids(store, runs=dedup_runs)
    else:
        duplicates = set(aside.duplicates)
        dedup_available = _dedup_ran(store, duplicates, dedup_runs)
    # One read of the decision log: the effective labels here, the resolutions made before a change below.
    log = ReadLog.of(label_log(store)) if log is None else log
    current = log.current
    verdicts = title_abstract_verdicts({key: decision.label for key, decision in current.items()})
    stop = current_screening_stop(store)
    removals = removals_before_screening(store, duplicates, aside.removed if aside is not None else None)
    states = report_states(store)

    boxes: dict[str, set[int]] = {name: set() for name in KIND_BOX.values()}
    for record_id, source in sources_by_record.items():
        boxes[KIND_BOX[kinds[source]]].add(record_id)
    dbr = boxes["database_results"] | boxes["register_results"]
    other = set().union(*(boxes[box] for box in OTHER_METHODS_BOXES))
    notes: list[str] = []
    for name in sorted(set(overrides) - set(kinds)):  # a misspelt source name would be silently unused
        notes.append(said(f"prisma.sources.{toml_key(name)}", "no record comes from a source of this name (sources: "
                                                     f"{', '.join(sorted(kinds)) or 'none yet'}); not used"))

    # Identification → screening (left column).
    boxes["duplicates"] = dbr & duplicates
    remaining = dbr - duplicates
    # A removal before screening wins over any screening decision on the same record.
    boxes["excluded_other"] = {r for r in remaining if r in removals}
    boxes["removed_but_screened"] = {r for r in boxes["excluded_other"] if r in verdicts}
    boxes["records_screened"] = {r for r in remaining - boxes["excluded_other"] if r in verdicts}
    unscreened = remaining - boxes["excluded_other"] - boxes["records_screened"]
    covered = stop.last_record_id if stop is not None and stop.last_record_id is not None else 0
    boxes["excluded_automatic"] = {r for r in unscreened if stop is not None and r <= covered}
    boxes["pending_screening"] = unscreened - boxes["excluded_automatic"]
    boxes["records_excluded"] = {r for r in boxes["records_screened"] if verdicts[r] == "exclude"}
    boxes["ta_conflicts"] = {r for r in boxes["records_screened"] if verdicts[r] == "conflict"}
    passed = boxes["records_screened"] - boxes["records_excluded"]

    # Full text, both columns.
    dbr_flow = _fulltext_boxes("dbr", remaining, states, boxes)
    boxes["pending_fulltext"] = passed - boxes["dbr_sought_reports"]
    boxes["sought_without_screening"] = boxes["dbr_sought_reports"] - passed
    boxes["other_duplicates"] = other & duplicates
    other_flow = _fulltext_boxes("other", other - duplicates, states, boxes)
    boxes["pending_other_sought"] = (other - duplicates) - boxes["other_sought_reports"]

    included = boxes["dbr_included"] | boxes["other_included"]
    boxes["new_reports"] = included
    # A study linked to a duplicate dedup set aside is the study of its canonical record (one publication).
    if aside is not None and aside.canonical is not None:
        canonical = aside.canonical
    else:
        from ..dedup.decisions import canonical_of

        canonical = canonical_of(store)
    boxes["new_studies"] = {canonical.get(states[r].study_id, states[r].study_id) for r in included}

    identities = _identities(boxes)
    from ..dedup.decisions import imported_since_last_run

    if not dedup_available:
        notes.append("no dedup run yet: duplicates counted as 0 (run 'review dedup' first)")
    elif (unseen := imported_since_last_run(store, dedup_runs)) > 0:
        # review status said so; review prisma, whose duplicates box is the one published, did not (walk20).
        notes.append(f"{_many(unseen, 'record', 'was', 'were')} imported after the last dedup run and "
                     f"{'is' if unseen == 1 else 'are'} not deduplicated yet: the duplicates box may be short "
                     "(run 'review dedup')")
    notes.extend(_unfinished_searches(store))
    if stop is None:
        notes.append("no screening stop recorded: no record counts as excluded by automation tools")
    else:
        notes.append(f"screening stopped by {stop.reviewer}: {stop.explanation}")
    if boxes["ta_conflicts"]:
        notes.append(
            f"{_many(len(boxes['ta_conflicts']), 'record', 'has', 'have')} conflicting title/abstract decisions and no "
            f"'consensus' decision; they were passed on to full text"
        )
    # Consensus wins (the rule above), also when a reviewer changed their decision after it: counted, and said.
    reopened = [c.record_id for c in log.conflicts.reopened
                if c.record_id in boxes["records_screened"]]
    if reopened:
        notes.append(
            f"{_many(len(reopened), 'title/abstract resolution', 'was', 'were')} made before a reviewer changed "
            "their decision; resolve again (TUI 4)"
        )
    if boxes["removed_but_screened"]:
        notes.append(
            f"{_many(len(boxes['removed_but_screened']), 'record')} removed before screening "
            f"{'also has' if len(boxes['removed_but_screened']) == 1 else 'also have'} screening "
            f"decisions; they count as removed"
        )
    # Other methods skip title/abstract screening (decision 0023): decisions recorded there are kept, not counted.
    boxes["other_screened_not_counted"] = {r for r in other - duplicates if r in verdicts}
    if boxes["other_screened_not_counted"]:
        notes.append(
            f"{_many(len(boxes['other_screened_not_counted']), 'record', 'has', 'have')} title/abstract decisions "
            "but came from other methods, which skip that screening and go straight to full text: not counted"
        )
    notes.extend(_other_methods_removed_notes(boxes["pending_other_sought"], removals))
    previous_studies, previous_reports = _non_negative(config, "previous_studies"), \
        _non_negative(config, "previous_reports")
    if previous_reports < previous_studies:  # each study has a report: a number typed into the wrong key?
        notes.append(said("prisma.previous_reports", f"{previous_reports} is below previous_studies = {previous_studies}: "
                                                     "every study included before has at least one report"))
    notes.extend(_differing_reasons_note(states, boxes["dbr_excluded"] | boxes["other_excluded"]))
    conflicts = boxes["dbr_conflicts"] | boxes["other_conflicts"]
    if conflicts:
        notes.append(f"{_many(len(conflicts), 'report', 'has', 'have')} conflicting eligibility decisions "
                     "(no 'consensus' yet)")

    return PrismaCounts(
        boxes={name: tuple(sorted(ids)) for name, ids in boxes.items()},
        sources=_source_counts(store, sources_by_record, kinds),
        dbr_excluded_reasons=dbr_flow,
        other_excluded_reasons=other_flow,
        excluded_other_reasons=dict(sorted(
            Counter(removals[r] for r in boxes["excluded_other"]).items(), key=lambda item: (-item[1], item[0])
        )),
        identities=identities,
        notes=tuple(notes),
        dedup_available=dedup_available,
        screening_stop=stop,
        previous_studies=previous_studies,
        previous_reports=previous_reports,
        translations=_translations(config),
    )


def _other_methods_removed_notes(not_sought: Collection[int], removals: Mapping[int, str]) -> list[str]:
    """Records from other methods removed before screening (by hand before decision 0023, or a notice
    dedup linked): that column has no such box, so until sought at full text they count nowhere."""
    removed = sorted(r for r in not_sought if r in removals)
    notices = [r for r in removed if removals[r] == RELATED_REASON]
    by_hand = [r for r in removed if removals[r] != RELATED_REASON]
    notes = []
    if by_hand:
        notes.append(f"{_many(len(by_hand), 'record')} from other methods {'was' if len(by_hand) == 1 else 'were'} "
                     f"removed before screening ({_ids(by_hand)}), which that column has no box for: counted nowhere; "
                     f"review prisma restore {' '.join(map(str, by_hand))}, then exclude at full text "
                     "(review fulltext excluded ID --reason ...)")
    if notices:
        what = "is a notice or comment" if len(notices) == 1 else "are notices or comments"
        notes.append(f"{_many(len(notices), 'record')} from other methods {what} dedup linked ({_ids(notices)}), "
                     "removed before screening, which that column has "
                     "no box for: counted nowhere until excluded at full text (review fulltext excluded ID --reason ...)")
    return notes


def _differing_reasons_note(states: Mapping[int, ReportState], excluded: Collection[int]) -> list[str]:
    """Reports the reviewers agreed to exclude for different reasons, no consensus naming one: the box counts the
    reason recorded first (``fulltext._eligibility``), which the per-reason numbers of the diagram then rest on."""
    differing = sorted(r for r in excluded if states[r].differing_reasons)
    if not differing:
        return []
    shown = "; ".join(f"record {r}: " + ", ".join(f"{reviewer} '{reason}'" for reviewer, reason
                                                    in states[r].differing_reasons) for r in differing[:10])
    more = f"; {len(differing) - 10} more" if len(differing) > 10 else ""
    return [f"{_many(len(differing), 'report')} excluded at full text by reviewers giving different reasons ({shown}"
            f"{more}): the reports excluded box counts the reason recorded first; a consensus decision names the one "
            f"to count (review -r consensus fulltext excluded {' '.join(map(str, differing[:10]))} --reason ...)"]


def _ids(record_ids: Collection[int]) -> str:
    return f"{'record' if len(record_ids) == 1 else 'records'} {', '.join(map(str, record_ids))}"


def _translations(config: Mapping[str, Any]) -> dict[str, dict[str, str]]:
    """``[prisma.translations.<lang>]`` tables of ``"reason" = "translation"`` strings."""
    table = config.get("translations", {})
    if not isinstance(table, dict):
        raise SettingProblem("prisma.translations", f"{table!r}: expected one table per language")
    result: dict[str, dict[str, str]] = {}
    for lang, mapping in table.items():
        if not isinstance(mapping, dict):
            raise SettingProblem(f"prisma.translations.{toml_key(lang)}", f"{mapping!r}: expected a table of reason = \"text\"")
        for reason, text in mapping.items():
            if not isinstance(text, str):
                raise SettingProblem(f"prisma.translations.{toml_key(lang)}.{toml_key(reason)}", f"{text!r}: expected the translation "
                                                                             "as text in quotes")
        result[str(lang)] = {str(k): v for k, v in mapping.items()}
    return result


def _fulltext_boxes(
    prefix: str, pool: set[int], states: Mapping[int, ReportState], boxes: dict[str, set[int]]
) -> dict[str, int]:
    """Fill the sought / not retrieved / assessed / excluded / included boxes of one column;
    returns exclusion counts per reason, largest first."""
    sought = {r for r in pool if r in states}
    boxes[f"{prefix}_sought_reports"] = sought
    boxes[f"{prefix}_notretrieved_reports"] = {r for r in sought if states[r].not_retrieved}
    boxes[f"{prefix}_assessed"] = {r for r in sought if states[r].assessed}
    boxes[f"{prefix}_excluded"] = {r for r in sought if states[r].eligibility == "excluded"}
    boxes[f"{prefix}_included"] = {r for r in sought if states[r].eligibility == "eligible"}
    boxes[f"{prefix}_conflicts"] = {r for r in sought if states[r].eligibility == "conflict"}
    boxes[f"pending_{prefix}_assessment"] = (
        sought - boxes[f"{prefix}_notretrieved_reports"] - boxes[f"{prefix}_assessed"]
    )
    reasons = Counter(states[r].reason or "Unspecified" for r in boxes[f"{prefix}_excluded"])
    return dict(sorted(reasons.items(), key=lambda item: (-item[1], item[0])))


def _many(count: int, noun: str, one_verb: str = "", many_verb: str = "") -> str:
    """``1 record``, ``2 records`` (with a verb: ``1 report was``, ``2 reports were``): these lines
    reach the diagram's footnote."""
    words = f"{count} {noun if count == 1 else noun + 's'}"
    verb = one_verb if count == 1 else many_verb
    return f"{words} {verb}" if verb else words


def _word_parts(parts: Sequence[tuple[str, int]], number: Callable[[int], str]) -> str:
    """What stands behind an identity's break in English (``part_<name>`` of ``prisma.labels``), each count
    written by ``number``."""
    words = labels("en")
    return "; ".join(words[f"part_{part}_{'one' if count == 1 else 'many'}"].format(n=number(count))
                     for part, count in parts)


def _identities(boxes: Mapping[str, set[int]]) -> tuple[IdentityCheck, ...]:
    def n(name: str) -> int:
        return len(boxes[name])

    def ids(*names: str) -> tuple[int, ...]:
        return tuple(sorted(set().union(*(boxes[name] for name in names))))

    def check(column: str, key: str, left: int, right: int, parts: tuple[tuple[str, int], ...],
              behind: tuple[str, ...], *, zero_parts: bool = True, breaking: tuple[str, ...] = ()) -> IdentityCheck:
        # The explanation (prisma.json; stderr separates its counts) in the English diagram's words (``prisma.labels``).
        said = tuple((part, count) for part, count in parts if count or zero_parts)
        return IdentityCheck(column, labels("en")[f"formula_{key}"], left, right, _word_parts(said, str), ids(*behind),
                             key, parts, said, ids(*breaking) if breaking else ())

    identified = n("database_results") + n("register_results")
    checks = [
        check("databases_registers", "screened",
              identified - n("duplicates") - n("excluded_automatic") - n("excluded_other"), n("records_screened"),
              (("pending_screening", n("pending_screening")),), ("pending_screening",)),
        check("databases_registers", "sought", n("records_screened") - n("records_excluded"),
              n("dbr_sought_reports"),
              (("pending_fulltext", n("pending_fulltext")), ("sought_without_screening", n("sought_without_screening"))),
              ("pending_fulltext", "sought_without_screening"), zero_parts=False, breaking=("sought_without_screening",)),
    ]
    other_identified = sum(n(box) for box in OTHER_METHODS_BOXES)
    if other_identified:
        checks.append(check("other_methods", "other_sought", other_identified - n("other_duplicates"),
                            n("other_sought_reports"), (("pending_other_sought", n("pending_other_sought")),),
                            ("pending_other_sought",)))
    for prefix, column in (("dbr", "databases_registers"), ("other", "other_methods")):
        if prefix == "other" and not other_identified:
            continue
        checks.append(check(column, "assessed",
                            n(f"{prefix}_sought_reports") - n(f"{prefix}_notretrieved_reports"), n(f"{prefix}_assessed"),
                            (("pending_assessment", n(f"pending_{prefix}_assessment")),),
                            (f"pending_{prefix}_assessment",)))
        checks.append(check(column, "included", n(f"{prefix}_assessed") - n(f"{prefix}_excluded"),
                            n(f"{prefix}_included"), (("conflicts", n(f"{prefix}_conflicts")),),
                            (f"{prefix}_conflicts",)))
    return tuple(checks)


def sources_and_kinds(store: Store, overrides: Mapping[str, str]) -> tuple[dict[int, str], dict[str, str]]:
    """Each record's source, and each source's PRISMA kind (``review.toml [prisma.sources]``'s
    ``overrides`` first): how ``review prisma`` and the PRISMA-S report sort the sources."""
    by_record = record_sources(store)
    return by_record, {name: source_kind(name, overrides) for name in set(by_record.values())}


def _source_counts(
    store: Store, sources_by_record: Mapping[int, str], kinds: Mapping[str, str]
) -> dict[str, SourceCount]:
    per_source = Counter(sources_by_record.values())
    batches: dict[str, list[dict[str, Any]]] = {}
    # A batch is listed under every source its records name (a MEDLINE-layout file's DB lines, a CSV's
    # source column), with its share, so each source's batches add up to its n.
    per_batch = store.batch_source_counts()
    for batch in store.batches():
        for source, n in sorted(per_batch.get(batch["id"], {batch["source_name"]: batch["n_records"]}).items()):
            batches.setdefault(source, []).append({
                "batch_id": batch["id"], "file_name": batch["file_name"], "n_records": batch["n_records"],
                "n_in_source": n, "imported_at": iso_utc(batch["imported_at"]) if batch["imported_at"] else None,
                "search_run_id": batch.get("search_run_id"),
            })
    return {
        name: SourceCount(name=name, kind=kinds[name], n=n, batches=tuple(batches.get(name, ())))
        for name, n in sorted(per_source.items(), key=lambda item: source_order(item[0]))
    }


def _non_negative(config: Mapping[str, Any], key: str) -> int:
    value = config.get(key, 0)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise SettingProblem(f"prisma.{key}", f"{value!r}: expected a whole number ≥ 0")
    return value
