"""The full-text eligibility stage: what was sought, retrieved and judged, per report.

Decision rules (also in docs/prisma.md):

* Title/abstract verdict of a record: a decision by the reviewer named ``consensus`` wins;
  otherwise the record is *excluded* only when every reviewer who screened it excluded it.
  Anything else (an include, a maybe, or reviewers who disagree) goes on to full text, so a
  disagreement never silently drops a record.
* Retrieval is a fact, not a judgement: the latest retrieval event for a report, by anyone,
  holds. An eligibility decision implies the report was retrieved.
* Eligibility is a judgement: the ``consensus`` reviewer wins; otherwise reviewers who assessed
  the report must agree, and a disagreement stays a *conflict* (assessed, not yet decided).
* Several reports of one study are linked to the record that stands for the study; a study is
  included when at least one of its reports is.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import RETRIEVE_FIRST, UNDO_DECISION_FIRST, RetrievalOrderError, ValidationError
from ..reasons import match_reason
from ..tomlread import SettingProblem, unknown_setting_problem
from ..records import Decision
from ..store import Store
from ..store.fulltext import (
    ELIGIBILITY_EVENTS, RETRIEVAL_EVENTS, FulltextEvent, add_fulltext_event,
    append_links, current_fulltext_events, report_links,
)
from ..store.fulltext import undo_last_fulltext_event as undo_last

#: Reviewer name whose decision settles a disagreement, at either stage.
CONSENSUS = "consensus"

#: Exclusion reasons offered when ``[fulltext] reasons`` is not set in review.toml: general ones, for any
#: review (the programme's own prognostic-factor reasons are in its review.toml). A report that could not
#: be obtained is no exclusion: ``review fulltext not-retrieved`` counts it in PRISMA's own box.
DEFAULT_REASONS: tuple[str, ...] = (
    "Wrong population",
    "Wrong intervention or exposure",
    "Wrong outcome",
    "Wrong study design",
    "Wrong publication type",
    "Language",
)


#: The programme's own full-text exclusion reasons (prognostic factors for work participation): this
#: repository's review.toml and the demo's (same topic) list them; they were the defaults until 2026-12-06.
PROGRAMME_REASONS: tuple[str, ...] = (
    "Wrong population",
    "Wrong outcome",
    "No prognostic factor analysed",
    "Wrong study design",
    "Wrong publication type",
    "Language",
)


@dataclass(slots=True, frozen=True)
class ReportState:
    """Where one report stands at full text."""

    record_id: int
    study_id: int
    sought: bool
    retrieval: str  # pending | retrieved | not_retrieved
    eligibility: str  # pending | eligible | excluded | conflict
    reason: str = ""  # exclusion reason, or why it was not retrieved
    #: (reviewer, reason) of each reviewer's exclusion, in the order recorded, when the reviewers agree to exclude
    #: for different reasons and no consensus names one: ``reason`` is then the first of them.
    differing_reasons: tuple[tuple[str, str], ...] = ()

    @property
    def assessed(self) -> bool:
        return self.eligibility != "pending"

    @property
    def not_retrieved(self) -> bool:
        return self.retrieval == "not_retrieved" and not self.assessed


#: The keys of review.toml's ``[fulltext]`` (docs/prisma.md).
FULLTEXT_KEYS = ("reasons",)


def fulltext_reasons(config: Mapping[str, Any]) -> tuple[str, ...]:
    """The configured exclusion reasons (``[fulltext] reasons``), or the defaults.

    Reasons may not contain ',' or ';': the PRISMA template separates reasons and counts with them. Another key than
    ``reasons`` is refused as a misspelling (``reason = [...]`` left the defaults in force without a word).
    """
    if refused := unknown_setting_problem(config, FULLTEXT_KEYS, "fulltext"):
        raise refused
    reasons = config.get("reasons", DEFAULT_REASONS)
    if not isinstance(reasons, (list, tuple)) or not all(isinstance(r, str) and r.strip() for r in reasons):
        raise SettingProblem("fulltext.reasons", f"{reasons!r}: expected a list of non-empty strings")
    if not reasons:  # (every full-text exclusion needs one: 'expected one of' would then list nothing)
        raise SettingProblem("fulltext.reasons", "[]: list the reasons a report can be excluded for (or remove the "
                                                 "line for the defaults)")
    for reason in reasons:
        if "," in reason or ";" in reason:
            raise SettingProblem("fulltext.reasons", f"{reason!r}: ',' and ';' are not allowed")
    return tuple(r.strip() for r in reasons)


def canonical_reason(reason: str, reasons: Iterable[str]) -> str:
    """The configured reason ``reason`` names (``review.reasons.match_reason``): a ``ChoiceError`` otherwise,
    exit 2 on the command line, naming ``review.toml [fulltext] reasons``."""
    return match_reason(reasons, reason, listed_in="review.toml [fulltext] reasons")


def record_fulltext(
    store: Store,
    record_id: int,
    reviewer: str,
    event: str,
    *,
    reasons: Iterable[str] = DEFAULT_REASONS,
    reason: str = "",
    note: str = "",
) -> FulltextEvent:
    """Record one full-text event; an exclusion needs a reason from ``reasons``. The report's events are read
    again inside the write: never assessed and not retrieved both (``check_event``, decision 0033)."""
    if event == "excluded":
        if not reason.strip():
            raise ValidationError(f"record {record_id}: a full-text exclusion needs --reason")
        reason = canonical_reason(reason, reasons)
    elif event == "eligible" and reason:
        raise ValidationError(f"record {record_id}: an eligible report takes no exclusion reason")

    def check(events: list[FulltextEvent]) -> None:
        check_event(record_id, event, events)

    return add_fulltext_event(store, record_id, reviewer, event, reason=reason.strip(), note=note, check=check)


def undo_last_fulltext_event(store: Store, reviewer: str, record_id: int | None = None) -> FulltextEvent | None:
    """Undo the reviewer's latest full-text event (on report ``record_id`` when given), unless a later
    eligibility decision rests on it (``check_undo``, inside the write)."""
    return undo_last(store, reviewer, check_undo, record_id=record_id)


def latest_retrieval(events: Iterable[FulltextEvent]) -> dict[int, FulltextEvent]:
    """The latest retrieval event (sought, retrieved, not retrieved) per report among effective ``events``."""
    return {event.record_id: event for event in events if event.event in RETRIEVAL_EVENTS}


def check_event(record_id: int, event: str, events: Sequence[FulltextEvent]) -> None:
    """Raise ``RetrievalOrderError`` when ``event`` cannot be recorded on report ``record_id`` whose effective
    events are ``events`` (in order): an eligibility decision on a report recorded as not retrieved (PRISMA
    2020 assesses only reports retrieved; one with no retrieval recorded is not refused: a decision implies
    it, with a warning), or "not retrieved" on a report an eligibility decision stands on (decision 0033:
    never both)."""
    if event in ELIGIBILITY_EVENTS:
        retrieval = latest_retrieval(events).get(record_id)
        if retrieval is not None and retrieval.event == "not_retrieved":
            why = f" ({retrieval.reason})" if retrieval.reason else ""
            raise RetrievalOrderError(
                record_id, f"record {record_id}: recorded as not retrieved{why}; PRISMA 2020 assesses only reports "
                "retrieved", RETRIEVE_FIRST, f"record 'review fulltext retrieved {record_id}'")
    elif event == "not_retrieved":
        decision = next((e for e in reversed(events) if e.event in ELIGIBILITY_EVENTS), None)
        if decision is not None:
            raise RetrievalOrderError(
                record_id, f"record {record_id}: assessed for eligibility ({decision.event}, by {decision.reviewer}); "
                "a report assessed was retrieved", UNDO_DECISION_FIRST,
                # (with the record: a plain undo takes back that reviewer's latest event on any report)
                f"undo that decision ('review -r {decision.reviewer} fulltext undo {record_id}')",
                judged_by=decision.reviewer)


def check_undo(undone: FulltextEvent, events: Sequence[FulltextEvent]) -> None:
    """Raise ``RetrievalOrderError`` when ``undone`` cannot be undone given the report's effective ``events``:
    undoing the ``retrieved`` that a later eligibility decision rests on would leave the decision on a report
    not retrieved or never retrieved (decision 0033): the decision is undone first."""
    if undone.event != "retrieved":
        return
    rest = [e for e in events if e.id != undone.id]
    later = next((e for e in rest if e.event in ELIGIBILITY_EVENTS and e.id > undone.id), None)
    still = latest_retrieval(rest).get(undone.record_id)
    if later is None or (still is not None and still.event == "retrieved"):
        return
    raise RetrievalOrderError(
        undone.record_id, f"record {undone.record_id}: its eligibility decision ({later.event}, by {later.reviewer}) "
        "rests on this retrieval", UNDO_DECISION_FIRST,
        f"undo that decision ('review -r {later.reviewer} fulltext undo {undone.record_id}')", judged_by=later.reviewer)


def link_reports(store: Store, study_id: int, report_ids: Iterable[int], reviewer: str) -> None:
    """Link each report to the study represented by record ``study_id``, all in one transaction."""
    append_links(store, [(report_id, study_id) for report_id in report_ids], reviewer)


def title_abstract_verdicts(current: Mapping[tuple[int, str], Decision | str]) -> dict[int, str]:
    """Final title/abstract verdict per screened record: include | maybe | exclude | conflict.

    ``current`` maps (record, reviewer) to the effective decision or just its label.
    """
    labels: dict[int, dict[str, str]] = defaultdict(dict)
    for (record_id, reviewer), decision in current.items():
        labels[record_id][reviewer] = decision if isinstance(decision, str) else decision.label
    verdicts: dict[int, str] = {}
    for record_id, by_reviewer in labels.items():
        if CONSENSUS in by_reviewer:
            verdicts[record_id] = by_reviewer[CONSENSUS]
            continue
        distinct = set(by_reviewer.values())
        if len(distinct) == 1:
            verdicts[record_id] = distinct.pop()
        elif "exclude" in distinct:
            verdicts[record_id] = "conflict"
        else:
            verdicts[record_id] = "include" if "include" in distinct else "maybe"
    return verdicts


def resolve_studies(links: Mapping[int, int | None], record_ids: Iterable[int]) -> dict[int, int]:
    """The study each report belongs to, following chains of links (A→B→C gives C)."""
    resolved: dict[int, int] = {}
    for start in record_ids:
        seen = [start]
        current = start
        while (nxt := links.get(current)) is not None and nxt not in seen:
            seen.append(nxt)
            current = nxt
        back = links.get(current)
        if back is not None:  # a cycle: settle on its smallest member
            current = min(seen[seen.index(back):])
        resolved[start] = current
    return resolved


def report_states(store: Store, *, judged_by: str | None = None) -> dict[int, ReportState]:
    """The full-text state of every report that has any full-text event, by record id.

    ``judged_by`` (a reviewer assessing blind, decision 0055): that reviewer's eligibility judgements alone, with
    everyone's retrieval events (a fact, not a judgement); a report only others judged is not there."""
    events = current_fulltext_events(store)
    if judged_by is not None:
        events = [e for e in events if e.event not in ELIGIBILITY_EVENTS or e.reviewer == judged_by]
    links = {rid: link.study_id for rid, link in report_links(store).items()}
    return states_from_events(events, links)


def states_from_events(
    events: Iterable[FulltextEvent], links: Mapping[int, int | None]
) -> dict[int, ReportState]:
    """Fold effective events (undos already removed) into one state per report."""
    retrieval: dict[int, FulltextEvent] = {}
    judgements: dict[int, dict[str, FulltextEvent]] = defaultdict(dict)
    touched: list[int] = []
    for event in events:
        if event.record_id not in retrieval and event.record_id not in judgements:
            touched.append(event.record_id)
        if event.event in RETRIEVAL_EVENTS:
            retrieval[event.record_id] = event
        elif event.event in ELIGIBILITY_EVENTS:
            judgements[event.record_id][event.reviewer] = event
    studies = resolve_studies(links, touched)
    states: dict[int, ReportState] = {}
    for record_id in touched:
        eligibility, reason = _eligibility(judgements.get(record_id, {}))
        differing = _differing_reasons(judgements.get(record_id, {})) if eligibility == "excluded" else ()
        fetched = retrieval.get(record_id)
        if eligibility != "pending":
            status = "retrieved"
        elif fetched is None or fetched.event == "sought":
            status = "pending"
        else:
            status = fetched.event
        if status == "not_retrieved" and fetched is not None:
            reason = fetched.reason
        states[record_id] = ReportState(
            record_id=record_id, study_id=studies[record_id], sought=True,
            retrieval=status, eligibility=eligibility, reason=reason, differing_reasons=differing,
        )
    return states


def _eligibility(by_reviewer: Mapping[str, FulltextEvent]) -> tuple[str, str]:
    if not by_reviewer:
        return "pending", ""
    if CONSENSUS in by_reviewer:
        chosen = by_reviewer[CONSENSUS]
        return chosen.event, chosen.reason
    verdicts = {e.event for e in by_reviewer.values()}
    if len(verdicts) > 1:
        return "conflict", ""
    # All agree; with differing exclusion reasons the earliest recorded one is reported.
    earliest = min(by_reviewer.values(), key=lambda e: e.id)
    return earliest.event, earliest.reason


def _differing_reasons(by_reviewer: Mapping[str, FulltextEvent]) -> tuple[tuple[str, str], ...]:
    """Each reviewer's exclusion reason, in the order recorded, when they differ and no consensus chose one
    (``_eligibility`` then counts the earliest: prisma's notes say which report, so the choice is seen)."""
    if CONSENSUS in by_reviewer or len({e.reason for e in by_reviewer.values()}) < 2:
        return ()
    return tuple((e.reviewer, e.reason) for e in sorted(by_reviewer.values(), key=lambda e: e.id))
