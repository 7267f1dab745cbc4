"""``review export screening``: the selection process of a workspace, as a methods section reports it."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from ..workspace import Workspace


@dataclass(frozen=True, slots=True)
class SelectionReport:
    """The Markdown text and what it covers (for the status line)."""

    text: str
    n_reviewers: int
    n_screened: int


def selection_methods_report(workspace: Workspace) -> SelectionReport:
    """Gather reviewers, decisions, agreement, the ranking, the stopping rule and its stop, and full-text
    assessment from the store and review.toml, and word them (``screening.methods_report``)."""
    from .. import __version__
    from ..prisma.fulltext import CONSENSUS, ELIGIBILITY_EVENTS, report_states
    from ..prisma.stop import stopped_by_rule
    from ..screening.export import queue_columns
    from ..screening.methods_report import (
        ConflictSummary, FulltextSummary, ReviewerWork, SelectionMethods, StopSummary, render_selection_methods,
    )
    from ..screening.settings import read_screening_settings
    from ..screening.stopping import RULE_OF_CHOICE
    from ..store.fulltext import current_fulltext_events
    from ..store.screening import ranking_log
    from ..timestamps import minute_utc
    from .prisma import prisma_counts
    from .screening import agreement_report, current_decisions, load_criteria, ranked_by

    counts = prisma_counts(workspace)
    screened = set(counts.boxes.get("records_screened", ()))
    decisions = [d for (record_id, reviewer), d in current_decisions(workspace).items()
                 if record_id in screened and reviewer != CONSENSUS]
    per_record: Counter[int] = Counter(d.record_id for d in decisions)
    by_reviewer: dict[str, list[Any]] = defaultdict(list)
    for decision in decisions:
        by_reviewer[decision.reviewer].append(decision)
    latest: dict[str, dict[str, Any]] = {}
    for row in ranking_log(workspace.store):
        latest[row["reviewer"]] = {k: v for k, v in (row["model_info"] or {}).items() if k != "terms"}
    team = tuple(workspace.config.reviewers)
    order = [r for r in team if r != CONSENSUS] + sorted(set(by_reviewer) - set(team))  # (the team's, decided or not)
    works = []
    for reviewer in order:
        served: Counter[str] = Counter()
        models: list[str] = []
        picked = 0
        for decision in by_reviewer[reviewer]:
            columns = queue_columns(decision.model_info or {})
            if columns["chosen"]:
                picked += 1
                continue
            served[str(columns["queue_order"])] += 1
            if columns["queue_order"] == "model":
                model = ranked_by(decision.model_info or {})
                if model not in models:
                    models.append(model)
        works.append(ReviewerWork(reviewer, Counter(d.label for d in by_reviewer[reviewer]), picked, served,
                                  tuple(models), latest.get(reviewer, {})))

    agreement = agreement_report(workspace)
    disputed = agreement.conflicts
    resolved = [c for c in disputed if not c.open]
    conflicts = ConflictSummary(len(disputed), len(resolved), agreement.open,
                                Counter(str(c.resolved_by) for c in resolved if c.resolved_by))

    settings = read_screening_settings(workspace.config.section("screening"))
    criteria = load_criteria(workspace)
    stop = None
    if counts.screening_stop is not None:
        standing = counts.screening_stop
        at = minute_utc(standing.created_at) if isinstance(standing.created_at, datetime) else "a date not recorded"
        stop = StopSummary(standing.reviewer, at, standing.explanation, standing.verdict or {},
                           stopped_by_rule(standing.verdict), counts.n("excluded_automatic"))

    judged: dict[int, set[str]] = defaultdict(set)
    for event in current_fulltext_events(workspace.store):
        if event.event in ELIGIBILITY_EVENTS:
            judged[event.record_id].add(event.reviewer)
    assessed = set(counts.boxes.get("dbr_assessed", ())) | set(counts.boxes.get("other_assessed", ()))
    excluded = set(counts.boxes.get("dbr_excluded", ())) | set(counts.boxes.get("other_excluded", ()))
    states = report_states(workspace.store)
    fulltext = FulltextSummary(
        assessed=len(assessed),
        by_several=sum(1 for r in assessed if len(judged.get(r, set()) - {CONSENSUS}) >= 2),
        by_consensus=sum(1 for r in assessed if CONSENSUS in judged.get(r, set())),
        open_disagreements=counts.n("dbr_conflicts") + counts.n("other_conflicts"),
        differing_reasons=sum(1 for r in excluded if r in states and states[r].differing_reasons),
    )

    identified_dbr = counts.n("database_results") + counts.n("register_results")
    not_yet = identified_dbr - counts.n("duplicates") - counts.n("excluded_automatic") - counts.n("excluded_other") \
        - len(screened)
    methods = SelectionMethods(
        title=workspace.config.title,
        written_at=minute_utc(datetime.now(timezone.utc)),
        tool=f"review {__version__}",
        team=team,
        blind=_blind_setting(workspace),
        identified=identified_dbr + counts.other_methods_identified,
        duplicates=counts.n("duplicates") + counts.n("other_duplicates"),
        removed_other=counts.n("excluded_other"),
        marked_by_automation=counts.n("excluded_automatic"),
        other_methods=counts.other_methods_identified,
        screened=len(screened),
        not_screened_yet=max(0, not_yet),
        by_reviewers=Counter(per_record.values()),
        reviewers=tuple(works),
        conflicts=conflicts,
        agreement=tuple(agreement.stats),
        include_terms=tuple(criteria.include_terms),
        exclude_terms=tuple(criteria.exclude_terms),
        stopping_rule=settings.stopping_rule,
        rule_id=RULE_OF_CHOICE[settings.stopping_rule],
        target_recall=settings.target_recall,
        confidence=settings.confidence,
        stop=stop,
        fulltext=fulltext,
    )
    return SelectionReport(render_selection_methods(methods), sum(1 for w in works if w.decided), len(screened))


def _blind_setting(workspace: Workspace) -> bool | None:
    """``[tui] blind`` as review.toml sets it (None: not set, or not true/false, which the TUI refuses)."""
    blind = workspace.config.section("tui").get("blind")
    return blind if isinstance(blind, bool) else None
