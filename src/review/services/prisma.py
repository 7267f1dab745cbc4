"""PRISMA service: flow counts and outputs, screening stops, removals, the full-text stage."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ReviewError, UnknownRecord, ValidationError
from ..timestamps import minute_utc
from ..tomlread import SettingProblem, setting_refusal
from ..words import counted, verb_for, whole
from ..workspace import Workspace

if TYPE_CHECKING:
    from ..prisma.counts import PrismaCounts
    from ..prisma.outputs import PrismaOutputs
    from ..prisma.queue import QueueItem
    from ..screening.agreement import ReadLog
    from ..screening.removed import SetAside
    from ..store.fulltext import FulltextEvent, ReportLink, ScreeningStop

__all__ = [
    "BLIND_UNSCREENED", "FulltextEvent", "FulltextRecorded", "PrismaCounts", "PrismaOutputs", "QueueItem", "ReportLink",
    "ScreeningStop", "current_screening_stop", "fulltext_queue", "fulltext_reasons", "fulltext_settings_problem", "link_reports", "output_files",
    "prisma_counts", "prisma_status", "queue_columns", "record_fulltext", "record_fulltext_events",
    "record_screening_stop", "remove_records", "restore_records", "screening_stop_words", "SoughtThenExcluded",
    "sought_then_excluded", "undo_last_fulltext_event",
    "unlink_report", "unlink_reports", "verdict_credits_rule", "withdraw_screening_stop", "write_outputs",
]

def prisma_counts(workspace: Workspace, aside: SetAside | None = None,
                  log: ReadLog | None = None) -> PrismaCounts:
    """Live PRISMA 2020 counts, with identity checks and notes (``aside``: the screening session's
    set-aside records, just refreshed, read by the counts instead of again; ``log``: the decision
    log with its decisions in force and conflicts, likewise)."""
    from ..prisma.counts import prisma_counts as counts

    return counts(workspace, aside, log)


def output_files(workspace: Workspace, out_dir: Path | None = None) -> tuple[Path, ...]:
    """The four files ``write_outputs`` writes into ``out_dir`` (default ``screening/prisma/``), for a shell to
    check before the work."""
    from ..prisma.outputs import DEFAULT_OUT

    out = Path(out_dir) if out_dir is not None else workspace.path(*DEFAULT_OUT.parts)
    return tuple(out / name for name in ("prisma.csv", "prisma.json", "prisma.svg", "prisma.png"))


def write_outputs(workspace: Workspace, out_dir: Path | None = None, lang: str = "en") -> PrismaOutputs:
    """prisma.csv (PRISMA2020 template), prisma.json, prisma.svg and prisma.png."""
    from ..prisma.outputs import write_outputs as write

    return write(workspace, out_dir, lang)


def prisma_status(workspace: Workspace, aside: SetAside | None = None,
                  log: ReadLog | None = None, *, counts: PrismaCounts | None = None) -> list[str]:
    """One ``review status`` line with the live PRISMA flow (``aside``, ``log``: as read for the
    screening lines, not read again; ``counts``: the counts already made of them)."""
    c = prisma_counts(workspace, aside, log) if counts is None else counts
    other = c.other_methods_identified
    identified = c.n("database_results") + c.n("register_results") + other
    # Every box between identified and screened, so the line adds up (other methods skip screening).
    # Every count thousands separated (``whole``), as ``counted`` writes the others on the line.
    by_other = f" ({whole(other)} by other methods)" if other else ""
    removed = f"{whole(c.n('excluded_other'))} removed for other reasons, " if c.n("excluded_other") else ""
    broken = [check for check in c.identities if not check.ok and not check.in_progress]
    pending = [check for check in c.identities if check.in_progress]
    # A real break first, in words; work still waiting (records nobody screened yet) is no damage.
    state = f"identities broken: {broken[0].explained(whole) or broken[0].formula} (review prisma lists all)" if broken \
        else f"in progress: {pending[0].progress(number=whole)}" if pending else "identities ok"
    return [
        f"prisma     {whole(identified)} identified{by_other}, {counted(c.n('duplicates'), 'duplicate')}, "
        f"{whole(c.n('excluded_automatic'))} excluded by automation, {removed}{whole(c.n('records_screened'))} "
        f"screened, {whole(c.n('dbr_sought_reports') + c.n('other_sought_reports'))} sought, "
        f"{whole(c.n('dbr_assessed') + c.n('other_assessed'))} assessed, {counted(c.n('new_studies'), 'study')} "
        f"({counted(c.n('new_reports'), 'report')}) included; {state}"
    ] + _stop_lines(c.screening_stop, c.n("excluded_automatic"))


def _stop_lines(stop: ScreeningStop | None, excluded_now: int) -> list[str]:
    """The stop that stands, under the prisma line: a teammate's screen still says CONTINUE after another
    reviewer's stop (each screen follows its own reviewer), while PRISMA counts the rest as excluded."""
    return [] if stop is None else [f"  {screening_stop_words(stop, excluded_now=excluded_now)}"]


#: What a stop leaves to automation, said while blind: the count of records nobody had screened, beside a reviewer's own
#: counts, tells how many the others screened (decision 0052; the dashboard's stop line and the screening screen's
#: notifications of a stop, a teammate's or one's own).
BLIND_UNSCREENED = ("the records nobody had screened at the stop count as excluded by automation (how many is hidden "
                    "while blind: b on screen 4 shows it)")


def screening_stop_words(stop: ScreeningStop, *, short: bool = False, excluded_now: int | None = None,
                         blind: bool = False) -> str:
    """The stop that stands in one line, for ``review status`` and the TUI's dashboard and screening screen: who,
    when, which stop, what PRISMA does with the rest and how to withdraw it; ``short``: who, when and how to
    withdraw it, after a "stopped" the caller shows (one line at 80 columns). ``excluded_now``: PRISMA's
    "excluded by automation" now (``prisma_counts``), said when it is no longer the count at the stop. ``blind``:
    without the count, which beside a reviewer's own counts tells how many records the others screened (decision
    0052 hides the dashboard's "Records screened" for that; walk31)."""
    when = f" on {minute_utc(stop.created_at)}" if stop.created_at else ""
    if short:
        return f"by {stop.reviewer}{when}; review prisma resume withdraws it"
    if blind:
        return f"screening stopped by {stop.reviewer}{when} (stop {stop.id}): {BLIND_UNSCREENED}; review prisma resume withdraws it"
    # The count at the stop: a search update imported after it still needs screening (prisma.md says so), and a
    # record decided after it is screened, not excluded by automation: then the line says PRISMA's count now, so
    # it agrees with the prisma line above it, and without that count it claims no number for the present.
    n = stop.n_unscreened
    head = f"screening stopped by {stop.reviewer}{when} (stop {stop.id}): {counted(n, 'record')} nobody had screened"
    if excluded_now == n:
        rest = f" at the stop {verb_for(n, 'counts', 'count')} as excluded by automation"
    elif excluded_now is None:
        rest = " at the stop; those still unscreened count as excluded by automation"
    else:
        rest = (f" at the stop; {excluded_now:,} still unscreened {verb_for(excluded_now, 'counts', 'count')} as "
                "excluded by automation")
    return f"{head}{rest}; review prisma resume withdraws it"


# -- screening stop and removals -------------------------------------------------------------
def record_screening_stop(workspace: Workspace, reviewer: str, explanation: str, *,
                          verdict: Any = None) -> ScreeningStop:
    """Title/abstract screening stopped: the unscreened rest counts as excluded by automation.

    The stop's ``n_unscreened`` is the number PRISMA will show in that box (records to screen that
    nobody screened: no duplicates, related notices or removed records). A stop that stands already is
    refused: stops stacked on each other need as many resumes, and after one the earlier stop was back in
    force while the reviewer thought screening went on."""
    from ..prisma.counts import compute_counts
    from ..prisma.stop import check_stop_verdict
    from ..store.fulltext import StopStands
    from ..store.fulltext import record_screening_stop as record

    explanation = explanation.strip()
    if not explanation:  # (the flow's automation box then says why the rest was not screened)
        raise ReviewError("screening stop: an explanation is required (which rule, what it said)")
    if isinstance(verdict, Mapping):  # (the screening screen's StoppingStatus types its verdict a string)
        check_stop_verdict(verdict)
    standing = current_screening_stop(workspace)  # (refused before counting; the store checks again as it writes)
    if standing is not None:
        raise _stands(standing)
    try:
        before = prisma_counts(workspace)
    except ReviewError:  # a bad [prisma] setting must not stop the stop (the TUI records it from a dialog):
        before = compute_counts(workspace.store)  # the sources' kinds then follow their names alone
    unscreened = before.n("excluded_automatic") + before.n("pending_screening")
    try:
        return record(workspace.store, reviewer, explanation, verdict=verdict, n_unscreened=unscreened)
    except StopStands as stands:  # a teammate's stop came in while this one counted
        raise _stands(stands.standing) from None


def verdict_credits_rule(verdict: Mapping[str, Any] | None) -> bool:
    """Whether a stop recorded with ``verdict`` would be credited to a stopping rule (the screening screen asks
    before it records one, and words its question as the diagram will word the stop)."""
    from ..prisma.stop import stopped_by_rule as by_rule

    return by_rule(verdict)


def _stands(standing: ScreeningStop) -> ReviewError:
    return ReviewError(f"screening stop {standing.id} (by {standing.reviewer}) stands already: nothing recorded; "
                       "review prisma resume withdraws it first")


def current_screening_stop(workspace: Workspace) -> ScreeningStop | None:
    """The stop that stands now (None: screening goes on)."""
    from ..store.fulltext import current_screening_stop as current

    return current(workspace.store)


def withdraw_screening_stop(workspace: Workspace, reviewer: str) -> ScreeningStop | None:
    """Withdraw the current screening stop (screening goes on); None when there is none."""
    from ..store.fulltext import withdraw_screening_stop as withdraw

    return withdraw(workspace.store, reviewer)


def remove_records(workspace: Workspace, record_ids: list[int], reviewer: str, reason: str) -> int:
    """Remove records before screening for a reason other than duplication or automation.

    A record found by other methods is refused before anything is removed: PRISMA 2020's other-methods
    column has no such box (decision 0023), so it is excluded at full text instead. So is a duplicate dedup
    set aside: it is removed as a duplicate already, and PRISMA would not count the reason."""
    from ..dedup.decisions import canonical_of
    from ..screening.removed import workspace_set_aside
    from ..store.fulltext import remove_records as remove

    reason = reason.strip()
    if not reason:  # (PRISMA 2020 counts the records removed before screening per reason)
        raise ReviewError("removal: a reason is required (e.g. 'retracted')")
    aside = workspace_set_aside(workspace, canonical_of(workspace.store))  # (an unknown id: the store says)
    canonical = aside.canonical or {}
    for record_id in record_ids:
        if record_id in canonical:  # PRISMA counts it among the duplicates: the reason would count nowhere
            raise ReviewError(f"record {record_id}: set aside by dedup as a duplicate of record "
                              f"{canonical[record_id]}, so PRISMA counts it among the duplicates removed; "
                              f"remove record {canonical[record_id]} instead; nothing removed")
        if record_id in aside.other_methods:
            raise ReviewError(
                f"record {record_id}: not removed before screening ({aside.why_refused(record_id)}); PRISMA 2020 "
                f"has no such box there: exclude it at full text ('review fulltext excluded {record_id} --reason "
                "...') or record it as not retrieved; nothing removed")
    return remove(workspace.store, record_ids, reviewer, reason)


def restore_records(workspace: Workspace, record_ids: list[int], reviewer: str) -> int:
    """Undo removals (appends undo rows); an unknown id is an error before anything is restored."""
    from ..store.fulltext import restore_records as restore

    _existing(workspace, list(record_ids))
    return restore(workspace.store, record_ids, reviewer)


# -- full text -------------------------------------------------------------------------------
def fulltext_reasons(workspace: Workspace) -> tuple[str, ...]:
    """The configured full-text exclusion reasons (``[fulltext] reasons``).

    Without that line the defaults hold, plus every reason this workspace's store already holds an exclusion
    with: the defaults changed on 2026-12-06 (decision 0044), and a workspace begun before keeps accepting the
    reasons it has been using ("No prognostic factor analysed") instead of changing lists mid-review.
    """
    from ..prisma.fulltext import fulltext_reasons as reasons
    from ..store.fulltext import stored_exclusion_reasons

    section = workspace.config.section("fulltext")
    configured = reasons(section)
    if "reasons" in section:
        return configured
    known = {reason.casefold() for reason in configured}
    return configured + tuple(r for r in stored_exclusion_reasons(workspace.store) if r.casefold() not in known)


def fulltext_settings_problem(workspace: Workspace) -> SettingProblem | None:
    """The refusal ``review fulltext`` would make now of review.toml's ``[fulltext]`` (None when it would take it):
    for a shell that says it before a full-text decision reads the table (``review status``, the terminal UI after
    an edit)."""
    from ..prisma.fulltext import fulltext_reasons as reasons

    return setting_refusal(lambda: reasons(workspace.config.section("fulltext")))


def record_fulltext(workspace: Workspace, record_id: int, reviewer: str, event: str, *,
                    reason: str = "", note: str = "") -> FulltextRecorded:
    """Record one full-text event; an exclusion needs a configured reason, and an eligibility decision a
    report not recorded as not retrieved (decision 0033). ``retrieval_unrecorded`` of the result is the
    warning to show (the title/abstract flags are not looked up here: one key of the TUI stays cheap)."""
    from ..prisma.fulltext import record_fulltext as record

    unrecorded = _retrieval_before_assessing(workspace.store, [record_id], event)
    recorded = record(workspace.store, record_id, reviewer, event, reasons=fulltext_reasons(workspace),
                      reason=reason, note=note)
    return FulltextRecorded(record_id, recorded, False, retrieval_unrecorded=unrecorded.get(record_id, ""))


@dataclass(frozen=True, slots=True)
class FulltextRecorded:
    """One recorded event, and whether title/abstract screening had excluded the record, or had not
    screened it at all (a database or register record: other methods skip that screening)."""

    record_id: int
    event: FulltextEvent
    excluded_at_title_abstract: bool
    not_screened_at_title_abstract: bool = False
    #: An eligibility decision on a report whose retrieval was not recorded (decision 0033): "never sought"
    #: (no retrieval event), "sought" (sought, never retrieved); "" otherwise. PRISMA counts it as both.
    retrieval_unrecorded: str = ""

    @property
    def retrieval_warning(self) -> str:
        """The warning for ``retrieval_unrecorded``, one wording for both shells, which add the remedy in their
        own words (commands, keys); "" when the retrieval was recorded or the event is no eligibility decision."""
        if self.retrieval_unrecorded == "never sought":
            return (f"record {self.record_id} was never recorded as sought or retrieved; PRISMA 2020 counts a "
                    "report assessed as both")
        if self.retrieval_unrecorded == "sought":
            return (f"record {self.record_id} was sought but never recorded as retrieved; PRISMA 2020 counts a "
                    "report assessed as retrieved")
        return ""


def record_fulltext_events(workspace: Workspace, record_ids: Iterable[int], reviewer: str, event: str, *,
                           reason: str = "", note: str = "") -> Iterator[FulltextRecorded]:
    """Record ``event`` for each record in turn (each one durable as it is yielded).

    Every id is checked first: an unknown one, or an eligibility decision on a report recorded as not
    retrieved (decision 0033), records nothing at all.
    """
    from ..prisma.fulltext import canonical_reason, title_abstract_verdicts
    from ..source_kinds import configured_kinds, is_other_method
    from ..prisma.fulltext import record_fulltext as record
    from ..store.fulltext import current_screening_labels

    ids = list(dict.fromkeys(record_ids))  # a repeated id is recorded once, as review decide does
    if not ids:
        raise ValidationError(f"fulltext {event.replace('_', '-')}: give at least one record id")
    reasons = fulltext_reasons(workspace)
    if event == "excluded":
        reason = canonical_reason(reason, reasons)
    store = workspace.store
    sources = _existing(workspace, ids)
    _refuse_set_aside_duplicates(store, ids)
    unrecorded = _retrieval_before_assessing(store, ids, event)
    verdicts = title_abstract_verdicts(current_screening_labels(store, record_ids=ids))
    kinds = configured_kinds(workspace.config.section("prisma"))
    for record_id in ids:
        recorded = record(store, record_id, reviewer, event, reasons=reasons, reason=reason, note=note)
        verdict = verdicts.get(record_id)
        unscreened = verdict is None and not is_other_method(sources[record_id], kinds)
        yield FulltextRecorded(record_id, recorded, verdict == "exclude", unscreened,
                               retrieval_unrecorded=unrecorded.get(record_id, ""))


def _retrieval_before_assessing(store: Any, ids: Sequence[int], event: str) -> dict[int, str]:
    """Every id checked before anything is recorded (each write checks its report again inside its
    transaction): an event that would leave a report both assessed and not retrieved raises
    ``RetrievalOrderError`` (decision 0033). For an eligibility decision, the reports whose retrieval was
    not recorded, "never sought" or "sought" (kept, with a warning); other events: nothing."""
    from ..prisma.fulltext import check_event, latest_retrieval
    from ..store.fulltext import ELIGIBILITY_EVENTS, reports_fulltext_events

    if event not in ELIGIBILITY_EVENTS and event != "not_retrieved":
        return {}
    by_report = reports_fulltext_events(store, ids)
    unrecorded: dict[int, str] = {}
    for record_id, events in by_report.items():
        check_event(record_id, event, events)
        retrieval = latest_retrieval(events).get(record_id)  # (``events``: this report's alone, in order)
        if event in ELIGIBILITY_EVENTS and (retrieval is None or retrieval.event == "sought"):
            unrecorded[record_id] = "never sought" if retrieval is None else "sought"
    return unrecorded


def undo_last_fulltext_event(workspace: Workspace, reviewer: str, record_id: int | None = None
                             ) -> FulltextEvent | None:
    """Undo the reviewer's latest full-text event, on report ``record_id`` when given (appends an undo row); the
    ``retrieved`` a later eligibility decision rests on is refused (``RetrievalOrderError``, decision 0033). An
    unknown ``record_id`` is a ``ReviewError`` naming it, nothing undone."""
    from ..prisma.fulltext import undo_last_fulltext_event as undo

    if record_id is not None:
        _existing(workspace, [record_id])
    return undo(workspace.store, reviewer, record_id)


@dataclass(frozen=True, slots=True)
class SoughtThenExcluded:
    """A record excluded at title/abstract screening (its final verdict) whose full-text events stand: it went on
    to full text while it was included or in conflict, and a resolution or a changed decision excluded it since.
    ``review prisma`` counts it as sought without passing screening (a break) until those events are undone."""

    record_id: int
    #: The events in force, in order, as (reviewer, event).
    events: tuple[tuple[str, str], ...]

    def warning(self) -> str:
        """One line saying so and how to take the events back (per reviewer, as many undos as events)."""
        done = ", ".join(f"{event.replace('_', ' ')} by {who}" for who, event in self.events)
        undos = "; ".join(f"review -r {who} fulltext undo {self.record_id}"
                          + (f" ({n} times)" if n > 1 else "")
                          for who, n in Counter(who for who, _ in self.events).items())
        return (f"record {self.record_id} is now excluded at title/abstract screening, but its full text is on "
                f"record ({done}): review prisma counts it as sought without passing screening until those are "
                f"undone: {undos}")


def sought_then_excluded(workspace: Workspace, record_ids: Iterable[int]) -> list[SoughtThenExcluded]:
    """Of ``record_ids``, those whose title/abstract verdict is now exclude while full-text events stand on them
    (walk20: a conflict passed on to full text, its full text sought, then resolved as exclude: review prisma
    said BROKEN and nothing had said why when the resolution was made)."""
    from ..prisma.fulltext import title_abstract_verdicts
    from ..store.fulltext import current_screening_labels, reports_fulltext_events

    wanted = set(record_ids)
    store = workspace.store
    verdicts = title_abstract_verdicts(current_screening_labels(store, record_ids=wanted))
    excluded = {r for r in wanted if verdicts.get(r) == "exclude"}
    if not excluded:
        return []
    return [SoughtThenExcluded(r, tuple((event.reviewer, event.event) for event in events))
            for r, events in sorted(reports_fulltext_events(store, excluded).items()) if events]


def link_reports(workspace: Workspace, study_id: int, report_ids: Iterable[int], reviewer: str) -> None:
    """Link each report to the study represented by record ``study_id`` (every id checked first)."""
    from ..prisma.fulltext import link_reports as link

    reports = list(dict.fromkeys(report_ids))
    _existing(workspace, [study_id, *reports])
    _refuse_set_aside_duplicates(workspace.store, [study_id, *reports])  # one publication, one study
    link(workspace.store, study_id, reports, reviewer)


def unlink_report(workspace: Workspace, report_id: int, reviewer: str) -> ReportLink:
    """Make the report its own study again."""
    from ..store.fulltext import unlink_report as unlink

    return unlink(workspace.store, report_id, reviewer)


def unlink_reports(workspace: Workspace, report_ids: Iterable[int], reviewer: str) -> list[ReportLink]:
    """Make each report its own study again (every id checked first)."""
    from ..store.fulltext import append_links

    reports = list(dict.fromkeys(report_ids))
    _existing(workspace, reports)
    return append_links(workspace.store, [(report_id, None) for report_id in reports], reviewer)


def _refuse_set_aside_duplicates(store: Any, ids: Iterable[int]) -> None:
    """A duplicate dedup set aside is no report of its own: PRISMA would leave its event out unsaid,
    and a study linked to it would count its publication twice."""
    from ..dedup.decisions import canonical_of

    set_aside = canonical_of(store)
    for record_id in ids:
        if record_id in set_aside:
            canonical = set_aside[record_id]
            raise ValidationError(f"record {record_id}: set aside by dedup as a duplicate of record {canonical}; "
                                  f"record full text on {canonical}, or split them first (review dedup --undo-merge "
                                  f"{record_id} --detach); nothing recorded")


def _existing(workspace: Workspace, ids: list[int]) -> dict[int, str]:
    """The source of each record id; the first unknown one is an error before anything is recorded: exit 1, an
    error the user can fix, as in every command taking a record id (decision 0038; it exited 4 here)."""
    sources = {int(r.id): r.source for r in workspace.store.records(ids)}  # type: ignore[arg-type]
    missing = sorted(set(ids) - set(sources))
    if missing:
        raise UnknownRecord(missing[0])
    return sources


def fulltext_queue(workspace: Workspace, *, blind_for: str | None = None) -> list[QueueItem]:
    """Every report past title/abstract screening, with its retrieval and eligibility state; ``blind_for`` (a
    reviewer screening blind): only those that reveal no other reviewer's title/abstract label (decision 0052)."""
    from ..prisma.queue import fulltext_queue as queue

    return queue(workspace, blind_for=blind_for)


def queue_columns() -> tuple[str, ...]:
    """Column names of a queue item's ``row()`` (``review fulltext list``)."""
    from ..prisma.queue import QUEUE_COLUMNS

    return QUEUE_COLUMNS
