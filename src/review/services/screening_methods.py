"""``review export screening``: the selection process of a workspace, as a methods section reports it."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from ..records import Decision
from ..workspace import Workspace

if TYPE_CHECKING:
    from ..prisma.counts import PrismaCounts
    from ..screening.methods_report import ConflictSummary, FulltextSummary, ReviewerWork, StopSummary

@dataclass(frozen=True, slots=True)
class SelectionReport:
    """The Markdown text and what it covers (for the status line)."""

    text: str
    n_reviewers: int
    n_screened: int


def selection_methods_report(workspace: Workspace) -> SelectionReport:
    """Gather reviewers, decisions, agreement, the ranking, the stopping rule and its stop, and full-text
    assessment from the store and review.toml, and word them (``screening.methods_report``)."""
    from ..screening.methods_report import RecommendedLevels, SelectionMethods, render_selection_methods
    from ..screening.settings import read_screening_settings
    from ..screening.stopping import RULE_OF_CHOICE
    from ..screening.stopping_classifier import (FEWEST_ALLOWED, STOP_GATE_PROBABILITY, classifier_confidence,
                                                 trend_level)
    from ..timestamps import minute_utc
    from ..tool_version import tool_version
    from .prisma import prisma_counts
    from .screening import agreement_report, current_decisions, is_consensus, load_criteria

    counts = prisma_counts(workspace)
    screened = set(counts.boxes.get("records_screened", ()))
    decisions = [d for (record_id, reviewer), d in current_decisions(workspace).items()
                 if record_id in screened and not is_consensus(reviewer)]
    team = tuple(workspace.config.reviewers)
    works = _reviewer_work(workspace, team, decisions)
    agreement = agreement_report(workspace)
    settings = read_screening_settings(workspace.config.section("screening"))
    criteria = load_criteria(workspace)
    identified_dbr = counts.n("database_results") + counts.n("register_results")
    not_yet = identified_dbr - counts.n("duplicates") - counts.n("excluded_automatic") - counts.n("excluded_other") \
        - len(screened)
    methods = SelectionMethods(
        title=workspace.config.title,
        written_at=minute_utc(datetime.now(timezone.utc)),
        tool=tool_version().text,  # with the commit from a checkout: decision 0080
        team=team,
        blind=_blind_setting(workspace),
        identified=identified_dbr + counts.other_methods_identified,
        duplicates=counts.n("duplicates") + counts.n("other_duplicates"),
        removed_other=counts.n("excluded_other"),
        marked_by_automation=counts.n("excluded_automatic"),
        other_methods=counts.other_methods_identified,
        screened=len(screened),
        not_screened_yet=max(0, not_yet),
        by_reviewers=Counter(Counter(d.record_id for d in decisions).values()),
        reviewers=works,
        conflicts=_conflicts(agreement.conflicts, agreement.open),
        agreement=tuple(agreement.stats),
        include_terms=tuple(criteria.include_terms),
        exclude_terms=tuple(criteria.exclude_terms),
        stopping_rule=settings.stopping_rule,
        rule_id=RULE_OF_CHOICE[settings.stopping_rule],
        target_recall=settings.target_recall,
        confidence=settings.confidence,
        stop=_stop(counts),
        fulltext=_fulltext(workspace, counts),
        recommended_levels=(RecommendedLevels(trend_level(settings.confidence), classifier_confidence(settings.confidence),
                                              FEWEST_ALLOWED, STOP_GATE_PROBABILITY)
                            if settings.stopping_rule == "recommended" else None),
    )
    return SelectionReport(render_selection_methods(methods), sum(1 for w in works if w.decided), len(screened))


def _reviewer_work(workspace: Workspace, team: Sequence[str], decisions: Sequence[Decision]
                   ) -> tuple[ReviewerWork, ...]:
    """Per reviewer (the team's, decided or not, then others who decided): labels, how each decision was served
    (``export.queue_columns``, as ``review export decisions`` gives it), the models, the latest ranking's settings."""
    from ..screening.export import queue_columns
    from ..screening.methods_report import ReviewerWork
    from ..store.screening import ranking_log
    from .screening import is_consensus, ranked_by

    by_reviewer: dict[str, list[Decision]] = defaultdict(list)
    for decision in decisions:
        by_reviewer[decision.reviewer].append(decision)
    latest: dict[str, dict[str, Any]] = {}
    for row in ranking_log(workspace.store):
        latest[row["reviewer"]] = {k: v for k, v in (row["model_info"] or {}).items() if k != "terms"}
    works = []
    for reviewer in [r for r in team if not is_consensus(r)] + sorted(set(by_reviewer) - set(team)):
        served: Counter[str] = Counter()
        models: list[str] = []
        picked = 0
        for decision in by_reviewer[reviewer]:
            columns = queue_columns(decision.model_info or {})
            if columns["chosen"]:
                picked += 1
                continue
            served[str(columns["queue_order"])] += 1
            model = ranked_by(decision.model_info or {}) if columns["queue_order"] == "model" else None
            if model is not None and model not in models:
                models.append(model)
        blind_modes = Counter(d.blind for d in by_reviewer[reviewer])
        works.append(ReviewerWork(reviewer, Counter(d.label for d in by_reviewer[reviewer]), picked, served,
                                  tuple(models), latest.get(reviewer, {}), made_blind=blind_modes[True],
                                  blind_not_recorded=blind_modes[None]))
    return tuple(works)


def _conflicts(disputed: Sequence[Any], still_open: int) -> ConflictSummary:
    from ..screening.methods_report import ConflictSummary

    resolved = [c for c in disputed if not c.open]
    return ConflictSummary(len(disputed), len(resolved), still_open,
                           Counter(str(c.resolved_by) for c in resolved if c.resolved_by))


def _stop(counts: PrismaCounts) -> StopSummary | None:
    """The stop that stands, and what the flow diagram makes of it."""
    from ..prisma.stop import stopped_by_rule
    from ..screening.methods_report import StopSummary
    from ..timestamps import minute_utc

    standing = counts.screening_stop
    if standing is None:
        return None
    at = minute_utc(standing.created_at) if isinstance(standing.created_at, datetime) else "a date not recorded"
    return StopSummary(standing.reviewer, at, standing.explanation, standing.verdict or {},
                       stopped_by_rule(standing.verdict), counts.n("excluded_automatic"))


def _fulltext(workspace: Workspace, counts: PrismaCounts) -> FulltextSummary:
    """Reports assessed, by how many reviewers, settled by consensus, and excluded for differing reasons."""
    from ..prisma.fulltext import CONSENSUS, ELIGIBILITY_EVENTS, report_states
    from ..screening.methods_report import FulltextSummary
    from ..store.fulltext import current_fulltext_events

    judged: dict[int, set[str]] = defaultdict(set)
    for event in current_fulltext_events(workspace.store):
        if event.event in ELIGIBILITY_EVENTS:
            judged[event.record_id].add(event.reviewer)
    assessed = set(counts.boxes.get("dbr_assessed", ())) | set(counts.boxes.get("other_assessed", ()))
    excluded = set(counts.boxes.get("dbr_excluded", ())) | set(counts.boxes.get("other_excluded", ()))
    states: Mapping[int, Any] = report_states(workspace.store)
    return FulltextSummary(
        assessed=len(assessed),
        by_several=sum(1 for r in assessed if len(judged.get(r, set()) - {CONSENSUS}) >= 2),
        by_consensus=sum(1 for r in assessed if CONSENSUS in judged.get(r, set())),
        open_disagreements=counts.n("dbr_conflicts") + counts.n("other_conflicts"),
        differing_reasons=sum(1 for r in excluded if r in states and states[r].differing_reasons),
    )


def _blind_setting(workspace: Workspace) -> bool | None:
    """``[tui] blind`` as review.toml sets it (None: not set, or not true/false, which the TUI refuses)."""
    blind = workspace.config.section("tui").get("blind")
    return blind if isinstance(blind, bool) else None
