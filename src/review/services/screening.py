"""Screening service: the reviewer's session, decisions export, agreement, simulation, criteria."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import DecisionConflict, ReviewError, UnknownRecord, WorkspaceError, first_line
from ..records import SCREENING_LABELS, Decision, Record, parse_record_id
from ..screening.criteria import CRITERIA_PATH, DEFAULT_REASONS, NO_TERMS, CriteriaFile, has_terms, terms_regex
from ..screening.counts import COUNT_LABELS
from ..screening.export import EXPORT_FORMATS
from ..screening.removed import NotOffered, RemovedMeanwhile
from ..workspace import Workspace

if TYPE_CHECKING:
    from ..screening.agreement import Agreement, Conflict, ConflictLists, ReadLog
    from ..screening.criteria import Criteria
    from ..screening.ranker import Ranking
    from ..screening.removed import SetAside
    from ..screening.session import Progress, ScreeningSession
    from ..store.core import Undone as Undone  # (re-exported for the shells, which may not import the store)
    from ..store.sessions import SessionClaim

__all__ = [
    "CRITERIA_PATH", "CriteriaFile", "DEFAULT_REASONS", "EXPORT_FORMATS", "Agreement", "current_decisions", "Conflict", "Criteria", "Progress", "Ranking", "ScreeningSession", "terms_regex", "AgreementExport", "AgreementReport", "agreement_report", "export_agreement", "export_decisions", "known_reviewers",
    "reviewer_outside_team", "decided_among", "decision_changes", "record_id_refusal",
    "current_labels", "labels_in_order", "load_criteria", "open_session", "ranked_by", "ranking_status", "records_by_id",
    "resolve_conflict", "check_configured_decider", "check_configured_reviewer", "check_reviewer_name", "claim_reviewer", "open_claimed_session", "heartbeat_reviewer", "release_reviewer", "heartbeat_interval",
    "screening_lines", "STOPPING_RULE_WORDS", "status_reads", "StatusReads", "decisions_text", "COUNT_LABELS", "decide_records", "undo_last_decision", "NotOffered",
    "RemovedMeanwhile", "PartlySaved", "DecisionConflict", "store_errors",
    "ConflictRow", "conflict_rows", "resolve_conflicts", "reopen_conflicts", "take_back_resolution", "StoppingAdvice", "stopping_advice", "keep_stopping_view", "VerdictFailed", "NO_TERMS", "has_terms",
]


def store_errors() -> tuple[type[Exception], ...]:
    """What reading or writing the store can raise besides a refusal. The store names what it can as a
    ``ReviewError`` wherever it happens (busy, lost server or SQLite file, moved, upgraded by a newer review:
    ``store.errors``); ``SQLAlchemyError`` is the net for a driver's error it does not name (a disk error). A shell
    says either in one line and keeps what is on screen. (A function: SQLAlchemy is imported when the store is,
    never by a command's --help.)"""
    from sqlalchemy.exc import SQLAlchemyError

    return (ReviewError, SQLAlchemyError)


def open_session(workspace: Workspace, reviewer: str, *, quick_start: bool = False,
                 save_interval: float | None = None, records: Collection[int] | None = None) -> ScreeningSession:
    """The reviewer's screening session (``quick_start``: first record before any model code).

    ``save_interval``: how often this session's ``retrain`` saves the queue (seconds; default
    ``session.SAVE_INTERVAL``); the TUI's retraining worker process saves on each retrain. ``records``: a
    session that only decides these (``ScreeningSession``'s ``records``).
    """
    from ..screening import session as session_module

    interval = session_module.SAVE_INTERVAL if save_interval is None else save_interval
    return session_module.ScreeningSession(workspace, reviewer, quick_start=quick_start, save_interval=interval,
                                           records=records)


def current_decisions(workspace: Workspace, reviewer: str | None = None) -> dict[tuple[int, str], Decision]:
    """The effective title/abstract decision per (record, reviewer), or one reviewer's."""
    return workspace.store.current_decisions(reviewer=reviewer)


def decided_among(workspace: Workspace, reviewer: str, record_ids: Collection[int]) -> frozenset[int]:
    """Those of ``record_ids`` on which ``reviewer`` has a title/abstract decision in force (``current_decisions``'
    rule), reading those records' rows alone: the screening screen's look, on coming back to it, at the record it
    shows and those its notes wait for (it read the reviewer's whole log: 0.6 s at 20,000 decisions)."""
    from ..store.screening import decisions_in_force

    if not record_ids:
        return frozenset()
    return frozenset(d.record_id for d in decisions_in_force(workspace.store, reviewer, info_key="phase",
                                                              record_ids=record_ids))


def current_labels(workspace: Workspace) -> dict[tuple[int, str], str]:
    """The label in force per (record, reviewer), ``current_decisions``' rule, reading the columns that needs alone
    (the records screen's labels: the whole rows took 0.45 s at 40,000 decisions)."""
    from ..store.fulltext import current_screening_labels

    return current_screening_labels(workspace.store)


def labels_in_order(workspace: Workspace, reviewer: str) -> list[tuple[int, str]]:
    """(record id, label) of ``reviewer``'s title/abstract decisions in force (``current_decisions``' rule), in the
    order they were made, reading the columns that needs alone (the dashboard's inclusions curve: the whole rows
    took 0.3 s at 20,000 decisions)."""
    from ..store.screening import decisions_in_force

    return [(d.record_id, d.label) for d in decisions_in_force(workspace.store, reviewer, info_key="phase")]


def decision_changes(workspace: Workspace, reviewer: str) -> int:
    """A stamp of the reviewer's title/abstract decisions: it moves with each decision or undo of theirs (on any
    screen, in a shell), never with a teammate's. One primary-key read (``Store.decision_changes``)."""
    return workspace.store.decision_changes(reviewer)


def reviewer_outside_team(workspace: Workspace, reviewer: str) -> str | None:
    """A warning when ``reviewer`` is not in review.toml's team (a typo splits a reviewer in two)."""
    from ..screening.agreement import CONSENSUS_REVIEWER

    team = list(workspace.config.reviewers)
    # (["reviewer1"] is the default of a review.toml that lists no team; consensus is the team's verdict)
    if not team or team == ["reviewer1"] or reviewer in team or reviewer == CONSENSUS_REVIEWER:
        return None
    return (f"'{reviewer}' is not in review.toml's team ({', '.join(team)}); decisions are saved under this "
            "name — check the spelling, or add the name to [review] reviewers")


def known_reviewers(workspace: Workspace, current: str) -> list[str]:
    """Configured reviewers, then anyone else with a decision in force (in the order of their first), then
    ``current``. Reads the log without its JSON (``current_labels``: the whole rows took 0.48 s at 40,000)."""
    from ..screening.agreement import CONSENSUS_REVIEWER

    names = list(workspace.config.reviewers)
    for _, reviewer in current_labels(workspace):
        if reviewer not in names and reviewer != CONSENSUS_REVIEWER:
            names.append(reviewer)
    if current not in names:
        names.append(current)
    return names


def load_criteria(workspace: Workspace) -> Criteria:
    """``screening/criteria.toml`` (highlight terms, exclusion reasons)."""
    from ..screening.criteria import load_criteria as load

    return load(workspace)


def decisions_text(workspace: Workspace, format_: str) -> tuple[int, str]:
    """Every screening decision (undos as their own rows) as CSV or JSON text, and the row count."""
    from ..screening.export import render_decisions

    decisions = workspace.store.decisions(stage=None)
    return len(decisions), render_decisions(decisions, format_)


def export_decisions(workspace: Workspace, out: Path, format_: str) -> int:
    """Every screening decision (undos as their own rows) to ``out``; returns the row count."""
    from ..screening.export import export_decisions as write

    return write(workspace.store.decisions(stage=None), out, format_)


@dataclass(slots=True)
class AgreementReport:
    """Agreement per pair of reviewers and the records they disagree on, over the records to
    screen (the screening queue's set, decision 0021)."""

    reviewers: list[str]
    stats: list[Agreement]
    #: The conflicts on the records to screen, from one rule (``screening.agreement.conflict_lists``).
    lists: ConflictLists
    titles: dict[int, str] = field(default_factory=dict)
    #: Conflicts (disputed records and outdated resolutions) on records the queue leaves out (removed
    #: before screening, duplicates set aside): record id -> why. Not listed, resolved or counted; back with the record.
    left_out: dict[int, str] = field(default_factory=dict)

    @property
    def conflicts(self) -> list[Conflict]:
        """Records the reviewers disagree on (resolved or not; one resolved before a reviewer changed
        their label is open again, with ``changed_since``)."""
        return self.lists.disputed

    @property
    def outdated(self) -> list[Conflict]:
        """Resolutions a reviewer's later decision or undo has left behind, on records the reviewers no
        longer disagree on, whose labels differ from the resolution (which PRISMA still takes): to
        resolve again or confirm."""
        return self.lists.outdated

    @property
    def listed(self) -> list[Conflict]:
        """Every row the conflicts screen and ``conflicts.csv`` show, in record order."""
        return self.lists.listed

    @property
    def open(self) -> int:
        """How many of ``listed`` are still to resolve (what ``review status`` counts as open)."""
        return self.lists.open

    @property
    def reopened(self) -> list[Conflict]:
        """Resolutions recorded before a reviewer changed their label, in record order."""
        return self.lists.reopened


def agreement_report(workspace: Workspace, *, titles: bool = False) -> AgreementReport:
    """Reviewers who decided (configured ones first, then the others by name), their agreement
    and the conflicts, on the records to screen only (``screening.removed.set_aside``: what the
    queue leaves out counts nowhere); ``titles`` also reads each disputed record's title."""
    from ..screening.agreement import label_log, log_conflicts, pairwise_agreement
    from ..screening.removed import workspace_set_aside

    store = workspace.store
    every_label, every_conflict = log_conflicts(label_log(store))  # (the columns the lists read)
    aside = workspace_set_aside(workspace)
    labels = {key: label for key, label in every_label.items() if key[0] not in aside}
    deciders = {reviewer for _, reviewer in every_label}  # a reviewer's columns stay while their records are out
    reviewers = [r for r in workspace.config.reviewers if r in deciders]
    reviewers += sorted(deciders - set(reviewers))
    shown = every_conflict.without(aside)
    # Outdated resolutions set aside too: a conflict to resolve again that comes back with its record.
    left_out = {c.record_id: aside.why(c.record_id) for c in every_conflict.listed if c.record_id in aside}
    report = AgreementReport(reviewers, pairwise_agreement(labels, reviewers), shown, left_out=left_out)
    listed = [c.record_id for c in shown.listed]
    if titles and listed:
        report.titles = {r.id: r.title for r in store.records(listed) if r.id is not None}
    return report


@dataclass(frozen=True, slots=True)
class AgreementExport:
    """Files written by the agreement export and the statistics in them."""

    paths: list[Path]
    stats: list[Agreement]
    #: Conflicts left out of the files: on records the screening queue leaves out (record id -> why).
    left_out: dict[int, str] = field(default_factory=dict)
    #: Resolutions recorded before a reviewer changed their label (``Conflict.changed_since``), in
    #: record order: still-disputed records and ``AgreementReport.outdated``. PRISMA still takes them.
    reopened: list[Conflict] = field(default_factory=list)


def export_agreement(workspace: Workspace, out_dir: Path | None = None) -> AgreementExport:
    """Write agreement.json, agreement.csv and conflicts.csv (default: the workspace's screening/)."""
    from ..screening.agreement import export_agreement as write

    report = agreement_report(workspace)
    paths = write(out_dir or workspace.path("screening"), report.stats, report.listed, report.reviewers)
    return AgreementExport(paths, report.stats, report.left_out, report.reopened)


def resolve_conflict(workspace: Workspace, record_id: int, label: str, resolver: str, *,
                     note: str = "", reason: str | None = None) -> Decision:
    """Record the final label of a disputed record (as the consensus reviewer).

    A record the screening queue leaves out (removed before screening, a duplicate set aside)
    raises ``NotOffered``, nothing recorded: its conflict counts nowhere (decision 0021).

    An exclusion follows ``criteria.toml`` as ``review decide`` does: ``reason`` names one of its
    ``exclusion_reasons`` (a unique start is enough), and with ``require_reason_on_exclude = true``
    an exclusion without one raises ``ReviewError`` naming the setting, nothing recorded. The file
    is read strictly here: while it cannot be read an exclusion is refused, not guessed.
    """
    from ..screening.removed import workspace_set_aside

    _check_label(label)
    refusal = workspace_set_aside(workspace).refusal(record_id)
    if refusal:
        raise NotOffered(f"{refusal}; its conflict counts nowhere, nothing recorded")
    reasons = _exclusion_reasons(workspace, label, reason, misplaced="reason: only for an exclusion")
    return _resolve(workspace, record_id, label, resolver, note=note, reasons=reasons)


def _resolve(workspace: Workspace, record_id: int, label: str, resolver: str, *, note: str,
             reasons: tuple[str, ...]) -> Decision:
    from ..screening.agreement import resolve_conflict as resolve

    return resolve(workspace.store, record_id, label, resolver, note=note, reasons=reasons)


def _check_label(label: str) -> None:
    if label not in SCREENING_LABELS:
        raise ReviewError(f"label {label!r}: expected one of {', '.join(SCREENING_LABELS)}")


def _command_line_request(workspace: Workspace, label: str, ids: Sequence[str],
                          reason: str | None) -> tuple[list[int], tuple[str, ...]]:
    """The label, record ids and reason of ``review decide`` or ``conflicts resolve``, checked before any write:
    the ids parsed in order, a repeat taken once, and the reason as criteria.toml's."""
    _check_label(label)
    if not ids:
        raise ReviewError("ID: give at least one record id")
    record_ids = list(dict.fromkeys(_parse_record_id(text) for text in ids))
    return record_ids, _exclusion_reasons(workspace, label, reason, misplaced="--reason: only with --exclude")


def _exclusion_reasons(workspace: Workspace, label: str, reason: str | None, *, misplaced: str) -> tuple[str, ...]:
    """``reason`` as one of criteria.toml's exclusion reasons (a unique start is enough), or () —
    refused when ``require_reason_on_exclude`` wants one for this exclusion. criteria.toml is
    read strictly (the session forgives a broken file, for the TUI): whether a reason is required
    must be known before anything is written. ``misplaced`` starts the error for a reason given
    with another label."""
    from ..screening.criteria import check_exclusion_reason, load_criteria, match_reason

    if reason is not None:
        if label != "exclude":
            raise ReviewError(f"{misplaced} (a reason says why a record is excluded, not {label})")
        return (match_reason(load_criteria(workspace).reasons, reason),)
    if label == "exclude":
        check_exclusion_reason(load_criteria(workspace).require_reason_on_exclude, label, ())
    return ()


#: The fallback orders of a queue no model has ranked yet (``model_info["fallback"]``), in words.
FALLBACK_WORDS = {"keyword_prior": "keywords (no model yet)", "seeded_random": "random order (no model yet)"}


def ranking_status(workspace: Workspace) -> list[str]:
    """``review status`` lines: one per reviewer with a stored ranking (size, model, age)."""
    from ..store.screening import ranking_log
    from ..timestamps import minute_utc

    latest: dict[str, dict[str, Any]] = {}
    for row in ranking_log(workspace.store):
        latest[row["reviewer"]] = row
    from ..words import counted

    lines = []
    for reviewer, row in sorted(latest.items()):
        info = row["model_info"] or {}
        # Before the model can learn, the queue is a fallback order: named as the TUI names it.
        model = FALLBACK_WORDS.get(info.get("fallback") or "", None) or ranked_by(info)
        lines.append(f"ranking    {reviewer}: {counted(row['n_labelled'], 'label')}, {model}, seed {row['seed']}, "
                     f"{minute_utc(row['created_at'])}")
    return lines


def ranked_by(model_info: Mapping[str, Any]) -> str:
    """The model of a ranking (``model_info``) and, for the SVM, the engine version that ranked, and the one its name
    ranks with now where they differ (a workspace ranked by ``svm`` before decision 0074 made it engine version 9):
    ``svm, engine 8 (svm ranks with engine 9 now)``."""
    from ..screening.engines import engine_version, stored_engine

    model = str(model_info.get("model", "?"))
    engine = stored_engine(model_info)
    if engine is None:
        return model
    now = engine_version(model)
    return f"{model}, engine {engine}" + ("" if now == engine else f" ({model} ranks with engine {now} now)")


def criteria_status(workspace: Workspace) -> list[str]:
    """A ``review status`` line when ``screening/criteria.toml`` cannot be read (the session goes on without it),
    or names no term (a new review's template: the cold start is a seeded order, not the terms')."""
    from ..paths import named_from
    from ..screening.criteria import NO_TERMS, has_terms, load_criteria

    try:
        criteria = load_criteria(workspace)
    except ReviewError as err:  # (named from the workspace's root, as every status line names a file)
        return [f"  cannot be read: {named_from(str(err), workspace.root)}; until it is fixed, exclusions are refused and the keyword ranking leaves its terms out"]
    return [] if has_terms(criteria) else [f"criteria   {NO_TERMS} (seed {workspace.config.seed})"]


def records_by_id(workspace: Workspace) -> dict[int, Record]:
    """Every record by id (slow for large workspaces: call from a worker)."""
    return {r.id: r for r in workspace.store.records() if r.id is not None}


@dataclass(frozen=True, slots=True)
class StatusReads:
    """What ``review status`` reads once for its screening lines and its PRISMA line."""

    log: ReadLog
    aside: SetAside


def status_reads(workspace: Workspace) -> StatusReads:
    """The decision log (the columns the counts read: ``label_log``, with its decisions in force and conflicts) and
    what the screening queue leaves out (decisions 0021, 0023), read once."""
    from ..screening.agreement import ReadLog, label_log
    from ..screening.removed import workspace_set_aside

    return StatusReads(ReadLog.of(label_log(workspace.store)), workspace_set_aside(workspace))


def screening_lines(workspace: Workspace, reads: StatusReads | None = None) -> list[str]:
    """``review status`` lines: per reviewer the counts the TUI shows, in its words (``screening.counts``)."""
    from ..screening.counts import COUNT_LABELS, reviewer_counts
    from ..store.screening import record_ids

    from ..screening.agreement import CONSENSUS_REVIEWER
    from ..words import counted, whole

    reads = reads or status_reads(workspace)
    aside, current = reads.aside, reads.log.current  # the counts and the conflicts line both come from them
    to_screen = {r for r in record_ids(workspace.store) if r not in aside}
    # consensus holds resolutions, not screening: it had a line of its own ("screened 1 … remaining
    # 1752") as if it were a reviewer; its work is the conflicts line below.
    per_reviewer = reviewer_counts({k: d for k, d in current.items() if k[1] != CONSENSUS_REVIEWER}, to_screen)
    if not per_reviewer:
        return [f"screening  none yet ({counted(len(to_screen), 'record')} to screen)"]
    words = COUNT_LABELS
    n_removed = len(set(aside.removed) - aside.duplicates)
    n_other = len(set(aside.other_methods) - set(aside.removed))
    left_out = "duplicates set aside" + (f", {whole(n_removed)} removed before screening" if n_removed else "") \
        + (f", {whole(n_other)} from other methods (straight to full text)" if n_other else "")
    lines = [f"screening  {counted(len(to_screen), 'record')} to screen ({left_out})"]
    for reviewer, c in per_reviewer.items():  # every count thousands separated, as the lines above them
        lines.append(
            f"  {reviewer:<20} {words['screened'].lower()} {whole(c.screened)} = {whole(c.included)} "
            f"{words['included'].lower()} + {whole(c.excluded)} {words['excluded'].lower()} + {whole(c.maybe)} "
            f"{words['maybe'].lower()}; {words['relevant'].lower()} {whole(c.relevant)}; "
            f"{words['remaining'].lower()} {whole(c.remaining)}"
        )
    if len(per_reviewer) > 1:
        lines.append(_conflicts_line(reads.log.conflicts, aside))
    return lines


def _conflicts_line(conflicts: ConflictLists, aside: SetAside) -> str:
    """``review status``'s conflicts line: what the conflicts screen lists on the records to screen
    (``screening.agreement.conflict_lists``), how many are resolved and how many open; a resolution
    made before a reviewer changed their label is open, and one the reviewers now agree against
    is counted apart ("+ N outdated resolutions")."""
    from ..words import counted, whole

    lists = conflicts.without(aside)
    listed = len(lists.disputed) + len(lists.outdated)
    outdated = f" + {counted(len(lists.outdated), 'outdated resolution')}" if lists.outdated else ""
    return (f"  {'conflicts':<20} {whole(len(lists.disputed))} between reviewers{outdated}, "
            f"{whole(listed - lists.open)} resolved, {whole(lists.open)} open (TUI 4; review export agreement)")


def check_reviewer_name(reviewer: str, where: str = "reviewer", workspace: Workspace | None = None) -> str | None:
    """Refuses a bad name (``store.sessions.check_reviewer_name``; the error names ``where``), unless it breaks
    only the rule of 2026-12-06 and already holds decisions in ``workspace``'s store: then the one-line
    warning to show once; None for a name that is fine. The store is opened only for such a name."""
    from ..store.sessions import check_reviewer_name as check
    from ..store.sessions import legacy_name_warning

    warning = legacy_name_warning(reviewer, where)
    check(reviewer, where, store=workspace.store if warning is not None and workspace is not None else None)
    return warning


def check_configured_reviewer(workspace: Workspace) -> str | None:
    """review.toml's first reviewer (every command's default) checked as :func:`check_reviewer_name` checks a name
    typed, its refusal and its warning named as a refusal of a setting is: ``PATH:review.reviewers: 'x:y': a reviewer
    name may not hold ':' … (line N)`` (a ``WorkspaceError``), ``warning: PATH:review.reviewers: 'a;b' holds ';', …
    (line N)``; None for a name that is fine."""
    from ..store.sessions import ReviewerNameRefused, legacy_name_problem
    from ..tomlread import SettingProblem

    name = workspace.config.reviewers[0]
    try:
        check_reviewer_name(name, "review.reviewers:", workspace)
    except ReviewerNameRefused as refused:
        raise workspace.located(SettingProblem("review.reviewers", refused.what)) from None
    what = legacy_name_problem(name)
    return None if what is None else f"warning: {workspace.say(SettingProblem('review.reviewers', what))}"


def check_configured_decider(workspace: Workspace) -> None:
    """review.toml's first reviewer, the default of ``review decide``, refused when it is ``consensus`` as ``-r
    consensus`` is (:func:`_check_decider`), named by the file, key and line: ``PATH:review.reviewers: consensus: that
    name holds the resolved conflicts … (line N)`` (a ``WorkspaceError``); it said ``-r consensus``, typed by nobody."""
    from ..screening.agreement import CONSENSUS_REFUSAL, CONSENSUS_REVIEWER
    from ..tomlread import SettingProblem

    if workspace.config.reviewers[0] == CONSENSUS_REVIEWER:
        raise workspace.located(SettingProblem("review.reviewers", f"{CONSENSUS_REVIEWER}: {CONSENSUS_REFUSAL}"))


def claim_reviewer(workspace: Workspace, reviewer: str) -> "SessionClaim":
    """Claim ``reviewer`` for this window; ``SessionBusy`` (host, PID) when another live one holds it."""
    from ..store.sessions import claim_session

    return claim_session(workspace.store, reviewer)


def open_claimed_session(workspace: Workspace, reviewer: str, *, records: Collection[int] | None = None
                         ) -> tuple[ScreeningSession, "SessionClaim"]:
    """The reviewer's (quick-start) session, holding the one-live-session claim (decision 0012).

    ``SessionBusy`` while another live window holds the reviewer. The caller releases the claim
    with ``release_reviewer`` when done; if the session cannot be opened it is released here.
    ``records``: a session that only decides these (``review decide``).
    """
    claim = claim_reviewer(workspace, reviewer)
    try:
        session = open_session(workspace, reviewer, quick_start=True, records=records)
    except BaseException:
        release_reviewer(workspace, claim)
        raise
    session.session_token = claim.token
    return session, claim


@dataclass(frozen=True, slots=True)
class WindowSession:
    """A window's session on a reviewer: claimed (``open_claimed_session``), or opened for reading only."""

    session: ScreeningSession
    #: None when the store could not be written (``read_only`` says why).
    claim: "SessionClaim | None"
    #: What keeps the store from being written, in words naming it ("the store file …/review.db is read-only
    #: to you"); "" when the claim was written and the window may record.
    read_only: str = ""


def open_window_session(workspace: Workspace, reviewer: str) -> WindowSession:
    """The claimed session (``open_claimed_session``); when the store refuses the claim's write because it cannot
    be written (a read-only review.db: a colleague's review copied read-only, an archive), the same session
    without a claim, to read only: nothing is written to open it (quick start: the stored queue)."""
    from ..store.errors import StoreReadOnly

    try:
        session, claim = open_claimed_session(workspace, reviewer)
    except StoreReadOnly as err:
        return WindowSession(open_session(workspace, reviewer, quick_start=True), None, read_only=err.what)
    return WindowSession(session, claim)


#: Claims a busy store kept this process from releasing (store URL, claim): released first thing
#: at its next command. (A process that ends leaves its claim to be taken over: its PID is gone.)
_UNRELEASED: list[tuple[str, "SessionClaim"]] = []


@contextmanager
def _deciding_session(workspace: Workspace, reviewer: str, records: Collection[int] | None = None
                      ) -> Iterator[ScreeningSession]:
    """A claimed session for one command's decisions (``records``: on these only); the claim is released
    afterwards, even on error."""
    with _command_claim(workspace, reviewer) as claim:
        session = open_session(workspace, reviewer, quick_start=True, records=records)
        session.session_token = claim.token
        yield session


@contextmanager
def _command_claim(workspace: Workspace, reviewer: str) -> Iterator["SessionClaim"]:
    """The reviewer's claim for one command (``SessionBusy`` while a window holds it), released afterwards, even
    on error; a claim a busy store kept an earlier command from releasing is released first."""
    from ..store.errors import StoreBusy

    for left in [c for c in _UNRELEASED if c[0] == workspace.database_url]:
        try:
            release_reviewer(workspace, left[1])
        except StoreBusy:  # still busy: the command goes on (its claim is another), kept for the next
            continue
        _UNRELEASED.remove(left)
    claim = claim_reviewer(workspace, reviewer)
    try:
        yield claim
    finally:
        try:
            release_reviewer(workspace, claim)
        except StoreBusy:  # not to hide what happened to the decisions; released next time
            _UNRELEASED.append((workspace.database_url, claim))


def heartbeat_reviewer(workspace: Workspace, claim: "SessionClaim") -> bool:
    """Keep the claim alive; False when another session has taken it over. A store busy past its wait (a large
    import holding the write lock, the window's own among them) misses this beat without a word: nothing the
    reviewer did was refused, and the next beat writes it (the claim lapses only after ``STALE_AFTER``)."""
    from ..store.errors import StoreBusy
    from ..store.sessions import heartbeat

    try:
        return heartbeat(workspace.store, claim)
    except StoreBusy:
        return True


def release_reviewer(workspace: Workspace, claim: "SessionClaim") -> None:
    from ..store.sessions import release_session

    release_session(workspace.store, claim)


def heartbeat_interval() -> float:
    """Seconds between a window's heartbeats."""
    from ..store.sessions import HEARTBEAT_EVERY

    return HEARTBEAT_EVERY


def record_id_refusal(text: str) -> str | None:
    """Why ``text`` is no record id ``decide`` takes, in one line; None when it is one."""
    return None if parse_record_id(text) is not None else _not_a_record_id(text)


def _not_a_record_id(text: str) -> str:
    hint = " (a reason goes after --reason)" if any(c.isalpha() for c in text.strip().lstrip("#")) else ""
    return f"ID {text!r}: expected a record id (a whole number, as the TUI and exports show){hint}"


def _parse_record_id(text: str) -> int:
    record_id = parse_record_id(text)
    if record_id is None:
        raise ReviewError(_not_a_record_id(text))
    return record_id


def _check_decider(reviewer: str) -> None:
    """Refuse ``consensus`` before the session opens: a bad name on the command line, exit 2 (the
    session's own refusal would exit 1)."""
    from ..screening.agreement import check_not_consensus

    check_not_consensus(reviewer, "-r")


def decide_records(workspace: Workspace, reviewer: str, ids: Sequence[str], label: str, *,
                   reason: str | None = None, note: str = "",
                   on_saved: Callable[[Decision], None] | None = None) -> list[Decision]:
    """Record ``label`` for each record in ``ids`` as ``reviewer`` (``review decide``).

    Goes through the reviewer's screening session like the TUI's keys: it claims the reviewer
    (``SessionBusy``, exit 6, while their TUI is open), and every id and the reason are checked
    before the first decision is written; each decision is then its own transaction. A record another window or
    shell of the reviewer decided after the session opened is refused (``DecisionConflict``, one line naming
    it and what it holds), the decisions before it saved. ``on_saved``
    hears of each decision as soon as it is committed, so whatever stops the run partway (a lost server,
    a disk error, Ctrl-C) leaves the caller told of exactly the decisions saved.
    """
    _check_decider(reviewer)
    from ..screening.settings import check_model_setting

    check_model_setting(workspace.config.section("screening"))
    record_ids, reasons = _command_line_request(workspace, label, ids, reason)
    # (a session on these records only: with a stored queue it reads neither every record id nor the whole log)
    with _deciding_session(workspace, reviewer, record_ids) as session:
        outside = [r for r in record_ids if not session.is_to_screen(r)]
        if outside:
            raise ReviewError(_not_in_queue(session, _first_known(workspace, outside)))
        made: list[Decision] = []
        for position, record_id in enumerate(record_ids):
            try:
                decision = session.decide(record_id, label, reasons=reasons, note=note, chosen=True)
            except ReviewError as err:
                refusal = _refused_partway(session, err, record_id, made, record_ids[position + 1:])
                if refusal is err:  # the refusal itself, reworded: not its own cause
                    raise
                raise refusal from err
            made.append(decision)
            if on_saved is not None:
                on_saved(decision)
        return made


class PartlySaved(ReviewError):
    """``review decide`` refused a record after deciding others (removed before screening meanwhile, the
    store busy, …): each decision is its own transaction, so ``made`` are saved. Exits as the refusal does."""

    def __init__(self, message: str, made: list[Decision], refusal: ReviewError) -> None:
        super().__init__(message)
        self.made = made
        self.title = refusal.title
        self.exit_code = refusal.exit_code


def _refused_partway(session: ScreeningSession, err: ReviewError, record_id: int, made: list[Decision],
                     untried: list[int]) -> ReviewError:
    """One line for a decision refused while ``review decide`` was writing: the record and why, the way
    back for one removed meanwhile, what was saved before it and what was not tried."""
    # (NotOffered: removed in another shell since the session read the removals)
    reason = _not_in_queue(session, record_id, tail="") if isinstance(err, NotOffered) else None
    return _partway_refusal(err, record_id, made, untried, reason)


def _partway_refusal(err: ReviewError, record_id: int, made: list[Decision], untried: list[int],
                     reason: str | None = None) -> ReviewError:
    """``err`` as one line naming the record (or ``reason``), what was saved before it and what was not tried:
    ``PartlySaved`` when something was saved, else ``err`` reworded (itself, as it stands, when it was the only
    record)."""
    if reason is None:
        if not (made or untried):
            return err  # the only record: its refusal as it stands
        said = err.reason if isinstance(err, UnknownRecord) else str(err)
        named = said.startswith((f"record {record_id}:", f"ID {record_id}:"))
        reason = said if named else f"record {record_id}: {said}"
    saved = (f"saved before it: {', '.join(str(d.record_id) for d in made)}" if made
             else "nothing recorded")
    tried = f"not tried: {', '.join(map(str, untried))}" if untried else ""
    message = "; ".join(part for part in (reason, saved, tried) if part)
    if not made:
        err.args = (message,)
        return err
    return PartlySaved(message, made, err)


def _not_in_queue(session: ScreeningSession, record_id: int, tail: str = "nothing recorded") -> str:
    """``review decide``'s one line for a record the queue leaves out, and the way back (decision 0021);
    ``tail`` ends it ("": the caller says what was recorded)."""
    why = f"ID {record_id}: not in the screening queue ({session.why_refused(record_id)}"
    end = f"; {tail}" if tail else ""
    removal = session.removal(record_id)
    if removal is None and session.other_method(record_id) is not None:
        return (f"{why}); record its full text ('review fulltext sought {record_id}'), or set its source's kind "
                f"in review.toml [prisma.sources]{end}")
    if removal is None:
        return f"{why}){end}"
    if removal.notice_of is not None:
        return f"{why}: PRISMA counts it as removed before screening); screen record {removal.notice_of}{end}"
    return f"{why}); 'review prisma restore {record_id}' puts it back{end}"


def undo_last_decision(workspace: Workspace, reviewer: str) -> Decision | None:
    """Undo ``reviewer``'s latest title/abstract decision, as the TUI's **u** does (None: nothing to undo).

    The same write as a session's ``undo`` under the reviewer's claim, without opening a session: the undo's
    transaction finds the decision itself, and nothing after it is served, so reading every record, the
    reviewer's decisions and the stored queue first (0.41 s at 20,000 records) bought nothing."""
    from ..screening.removed import kinds_in_use
    from ..screening.settings import read_screening_settings
    from ..source_kinds import configured_kinds

    _check_decider(reviewer)
    with _command_claim(workspace, reviewer) as claim:
        # A bad [screening] setting refuses the undo as opening the session refused it (and review decide does),
        # and so does a bad [prisma.sources] kind of a source records come from (the queue is sorted by it).
        read_screening_settings(workspace.config.section("screening"))
        kinds_in_use(workspace.store, configured_kinds(workspace.config.section("prisma")))
        undone = workspace.store.undo_latest(reviewer, session_token=claim.token)
    return None if undone is None else undone.decision


# -- conflicts from the shell (``review conflicts``): additions only, over the TUI's calls ------------------
@dataclass(frozen=True, slots=True)
class ConflictRow:
    """One row of ``review conflicts``: what the TUI's conflicts screen lists for a record."""

    record_id: int
    title: str
    #: Each reviewer's current label, by reviewer name (``consensus`` is the resolution, not a reviewer).
    labels: dict[str, str]
    resolution: str | None
    resolved_by: str | None
    #: Reviewers who changed their label after the resolution: it is open again (docs/screening.md).
    changed_since: tuple[str, ...]

    @property
    def open(self) -> bool:
        """Still to resolve: no resolution, or one made before a reviewer changed their label."""
        return self.resolution is None or bool(self.changed_since)


def conflict_rows(workspace: Workspace) -> list[ConflictRow]:
    """The conflicts the TUI's conflicts screen lists (``agreement_report``'s ``listed``: the records to
    screen only), with titles, in record order."""
    report = agreement_report(workspace, titles=True)
    return [ConflictRow(c.record_id, report.titles.get(c.record_id, ""), dict(c.labels), c.resolution,
                        c.resolved_by, tuple(c.changed_since)) for c in report.listed]


def resolve_conflicts(workspace: Workspace, ids: Sequence[str], label: str, resolver: str, *,
                      reason: str | None = None, note: str = "",
                      on_saved: Callable[[Decision], None] | None = None) -> list[Decision]:
    """Resolve each listed conflict in ``ids`` as ``label`` (``review conflicts resolve``), each through
    ``resolve_conflict`` as the TUI's keys do: the same ``consensus`` row, ``resolved_by`` = ``resolver``.

    Every id and the reason are checked before the first resolution is written: an id that is no record id,
    one not in the workspace, one the screening queue leaves out (``NotOffered``) or one the conflicts screen
    does not list (the reviewers agree, or fewer than two decided it) raises ``ReviewError``, nothing
    recorded. Each resolution is its own transaction; ``on_saved`` hears of each once it is committed."""
    from ..screening.agreement import CONSENSUS_REVIEWER

    if resolver == CONSENSUS_REVIEWER:  # as resolved_by it would hide who resolved (exit 2, as decide's -r)
        raise WorkspaceError(f"-r {CONSENSUS_REVIEWER}: that name holds the resolutions themselves; give your own "
                             "name as the resolver (resolved_by)", title="Reviewer")
    # criteria.toml and the records set aside (agreement_report's left_out) read once, before any write: not once
    # per id, as resolve_conflict does for the TUI's one record.
    record_ids, reasons = _command_line_request(workspace, label, ids, reason)
    report = agreement_report(workspace)
    listed = {c.record_id for c in report.listed}
    unlisted = [r for r in record_ids if r not in listed]
    if unlisted:
        record_id = _first_known(workspace, unlisted)
        if record_id in report.left_out:
            raise NotOffered(f"record {record_id}: not offered for screening ({report.left_out[record_id]}); its "
                             "conflict counts nowhere, nothing recorded")
        raise ReviewError(f"record {record_id}: no conflict to resolve (the reviewers agree on it, or fewer than two "
                          "decided it; 'review conflicts' lists the conflicts); nothing recorded")
    made: list[Decision] = []
    for position, record_id in enumerate(record_ids):
        try:
            decision = _resolve(workspace, record_id, label, resolver, note=note, reasons=reasons)
        except ReviewError as err:  # (the store busy or lost, …): what was saved and what was not tried
            refusal = _partway_refusal(err, record_id, made, record_ids[position + 1:])
            if refusal is err:
                raise
            raise refusal from err
        made.append(decision)
        if on_saved is not None:
            on_saved(decision)
    return made


def reopen_conflicts(workspace: Workspace, ids: Sequence[str], reopened_by: str, *,
                     on_saved: Callable[[Undone], None] | None = None) -> list[Undone]:
    """Take back the resolution in force on each record of ``ids`` (``review conflicts reopen``, the TUI's u on
    screen 4): an undo row of the ``consensus`` reviewer noting ``reopened_by``; an earlier resolution, if any, is
    in force again, else the conflict is open (and passes on to full text, as an open one does). Every id is
    checked first: one not in the workspace, with no resolution in force, or left out of the screening queue
    (``NotOffered``, as ``resolve_conflicts`` refuses it) raises ``ReviewError``, nothing taken back. Returns (and tells ``on_saved`` of) each undo (``decision``: the resolution taken back;
    ``in_force``: an earlier one standing again, or None: open), each its own transaction."""
    from ..screening.agreement import CONSENSUS_REVIEWER, reopen_conflict

    _check_reopener(reopened_by)
    if not ids:
        raise ReviewError("ID: give at least one record id")
    record_ids = list(dict.fromkeys(_parse_record_id(text) for text in ids))
    in_force = {rid for rid, who in workspace.store.current_decisions(reviewer=CONSENSUS_REVIEWER)}
    unresolved = [r for r in record_ids if r not in in_force]
    if unresolved:
        record_id = _first_known(workspace, unresolved)
        raise ReviewError(f"record {record_id}: no resolution to take back ('review conflicts' lists them); "
                          "nothing recorded")
    left_out = agreement_report(workspace).left_out  # (as resolve: a record the queue leaves out has no conflict)
    outside = [r for r in record_ids if r in left_out]
    if outside:
        raise NotOffered(f"record {outside[0]}: not offered for screening ({left_out[outside[0]]}); its conflict "
                         "counts nowhere, nothing recorded")
    made: list[Undone] = []
    for position, record_id in enumerate(record_ids):
        try:
            undone = reopen_conflict(workspace.store, record_id, reopened_by)
        except ReviewError as err:  # (the store busy or lost, …): what was taken back and what was not tried
            refusal = _partway_refusal(err, record_id, [u.decision for u in made], record_ids[position + 1:])
            if refusal is err:
                raise
            raise refusal from err
        if undone is None:  # taken back meanwhile by another process: nothing to do here
            continue
        made.append(undone)
        if on_saved is not None:
            on_saved(undone)
    return made


def take_back_resolution(workspace: Workspace, resolution: Decision, reopened_by: str) -> Undone | None:
    """Take back ``resolution`` (as ``resolve_conflict`` returned it) as ``reopen_conflicts`` would, only while it is the
    one in force on its record (checked in the undo's transaction): None, nothing recorded, once it is not (taken back
    or replaced meanwhile, in a shell or another window) or its record is no longer offered for screening."""
    from ..screening.agreement import reopen_conflict
    from ..screening.removed import workspace_set_aside

    _check_reopener(reopened_by)
    if workspace_set_aside(workspace).refusal(resolution.record_id):
        return None
    return reopen_conflict(workspace.store, resolution.record_id, reopened_by, only_id=resolution.id)


def _check_reopener(reopened_by: str) -> None:
    from ..screening.agreement import CONSENSUS_REVIEWER

    if reopened_by == CONSENSUS_REVIEWER:
        raise WorkspaceError(f"-r {CONSENSUS_REVIEWER}: that name holds the resolutions themselves; give your own "
                             "name (it is noted on the undo)", title="Reviewer")


def _first_known(workspace: Workspace, outside: list[int]) -> int:
    """The first of ``outside`` (record ids a command refuses), once the workspace is known to hold it: a record
    id it does not hold is refused first, in the wording every command taking record ids uses."""
    existing = {r.id for r in workspace.store.records(outside)}
    record_id = outside[0]
    if record_id not in existing:
        raise UnknownRecord(record_id)
    return record_id


#: The two stopping rules in the reviewer's words: (name, what it does). ``review status --stopping`` says the
#: name; the dashboard both (``t`` switches there). One table, so the two shells never name a rule apart.
STOPPING_RULE_WORDS: dict[str, tuple[str, str]] = {
    "recommended": ("Recommended rule", "estimates what is left from the ranking's trend and classifier scores"),
    "certified": ("Certified rule", "confirms recall with a random sample of the unscreened records"),
}
STOPPING_RULE_NAMES = {rule: name for rule, (name, _does) in STOPPING_RULE_WORDS.items()}


@dataclass(frozen=True, slots=True)
class StoppingAdvice:
    """One reviewer's stopping verdict, as the screening screen and the dashboard compute and say it."""

    reviewer: str
    rule: str  # the choice the verdict follows: recommended | certified (review.toml [screening] stopping_rule)
    verdict: str  # continue | sample-needed | stop
    estimated_recall: float | None
    explanation: str  # the rule's own words: its estimate of what is left and the bound at its confidence
    screened: int
    remaining: int
    #: A classifier check was due and taken for this verdict (decision 0025): made here, or stored meanwhile by
    #: another session (``ScreeningSession.stopping_evidence`` takes that one as it is).
    evidence_computed: bool
    #: The whole verdict as the screening screen's ``s`` records it with a stop (``StoppingStatus.as_dict()``).
    recorded: dict[str, Any] = field(default_factory=dict)
    #: Records the reviewer picked (by id, in the record browser, from search) that the recommended rule's trend
    #: leaves out, and whether it gives no verdict at all for want of decisions taken from the queue (decision 0071).
    picked: int = 0
    no_verdict: bool = False

    @property
    def rule_name(self) -> str:
        return STOPPING_RULE_NAMES.get(self.rule, self.rule)


class VerdictFailed(ReviewError):
    """The stopping rule's verdict failed in the engine (not a setting the user can mend): ``stopping_advice``
    names the reviewer and the error in one line; nothing was written."""


def is_consensus(reviewer: str) -> bool:
    """Whether ``reviewer`` is the team's name for conflict resolutions, which follows no stopping rule of its own
    (``stopping_advice`` leaves it out; its decisions are the resolved conflicts, not a ranking screened)."""
    from ..screening.agreement import CONSENSUS_REVIEWER

    return reviewer == CONSENSUS_REVIEWER


def classifier_stop_gate() -> float:
    """The trend's own P(recall ≥ target) a check must have reached for the classifier's view to stop the
    recommended rule (decision 0063; the stopping line says it beside the classifier's level)."""
    from ..screening.stopping_classifier import STOP_GATE_PROBABILITY

    return STOP_GATE_PROBABILITY


def keep_stopping_view(session: ScreeningSession) -> bool:
    """Store the classifier's view a session just made (or took) in the reviewer's stored queue
    (``ScreeningSession.store_stopping_view``), so that the next ``review status --stopping``, ``prisma stop`` or app
    opened takes it rather than making the check again (25-31 s of CPU at 50,000 records): status's check, and the
    dashboard's, which no retrain carries into a queue. Best effort: a store
    that cannot be written now (read-only, busy, a role without the right) keeps what it holds, the verdict stands,
    and the next call makes the check again. True if stored."""
    try:
        return session.store_stopping_view()
    except store_errors():
        return False


def stopping_advice(workspace: Workspace, reviewers: Sequence[str] | None = None) -> list[StoppingAdvice]:
    """Per reviewer who has decided (``consensus`` is no reviewer), the verdict of the rule the reviewer follows,
    computed as the TUI computes it: the reviewer's session opened from its stored queue (no claim, no decision or
    order written), the classifier's evidence made when a check is due (``stopping_evidence``, as the screen's
    worker does after the queue is delivered; up to six fits), then ``progress().stopping``. A check made (or one
    another session stored meanwhile) is kept in the stored queue's model info (``keep_stopping_view``: the one
    write, best effort), and ``evidence_computed`` says a check was due and taken, made here or found stored."""
    from ..screening.agreement import CONSENSUS_REVIEWER, label_log

    if reviewers is None:  # (names only: the whole rows took 0.6 s to read at 40,000 decisions)
        reviewers = sorted({d.reviewer for d in label_log(workspace.store)} - {CONSENSUS_REVIEWER})
    advice = []
    for reviewer in reviewers:
        try:
            session = open_session(workspace, reviewer, quick_start=True)
            computed = False
            if session.stopping_evidence_due():
                epoch = session.evidence_epoch
                computed = session.apply_stopping_evidence(session.stopping_evidence(), epoch)
            progress = session.progress()
        except store_errors() + (OSError,):  # (a setting's line, the store, a path: the shells say them as they are)
            raise
        except Exception as err:  # a fault in the engine was a traceback (`prisma stop`, `status --stopping`)
            raise VerdictFailed(f"{reviewer}'s stopping rule's verdict could not be worked out "
                                f"({type(err).__name__}: {first_line(err)})") from err
        if computed:
            keep_stopping_view(session)
        stopping = progress.stopping
        advice.append(StoppingAdvice(reviewer=reviewer, rule=stopping.rule, verdict=stopping.verdict,
                                     estimated_recall=stopping.estimated_recall, explanation=stopping.explanation,
                                     screened=progress.screened, remaining=progress.remaining,
                                     evidence_computed=computed, recorded=stopping.as_dict(),
                                     picked=progress.picked, no_verdict=progress.no_verdict))
    return advice
