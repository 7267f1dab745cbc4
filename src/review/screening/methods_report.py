"""The selection process as a methods section reports it (PRISMA 2020 items 8 and 16a), as Markdown text.

Pure: the service gathers :class:`SelectionMethods` from the store and review.toml; this module words it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..levels import percent
from ..words import counted, recall_percent, whole
from .agreement import Agreement

#: How a ``queue_order`` of ``review export decisions`` reads in a sentence.
QUEUE_ORDER_WORDS = {
    "model": "ranked by the model",
    "keyword_prior": "ordered by the include and exclude terms of screening/criteria.toml (before the model could "
                     "learn: it needs one relevant and one irrelevant decision)",
    "seeded_random": "in a seeded random order (before the model could learn, no terms in criteria.toml)",
    "random_sample": "drawn in the certified rule's random sample",
}

#: What each stopping rule claims, in the words docs/screening.md uses for it.
RULE_WORDS = {
    "recommended": "it estimates the relevant records left among the unscreened from how fast they were found along the "
                   "ranking and, once enough are found, from the model's calibrated scores, and says stop when the "
                   "target recall is probable enough (its promise is measured on benchmark sets, not proven)",
    "certified": "once the ranked records look exhausted, it serves a random sample of the rest and says stop when a "
                 "hypothesis test shows, at the stated confidence, that recall is at least the target",
}


@dataclass(frozen=True, slots=True)
class RecommendedLevels:
    """The recommended rule's levels at the review's confidence (``stopping_classifier``): the trend's probability,
    the classifier's, the fewest relevant records that may be left before the classifier is asked, and the trend's own
    chance a classifier stop needs."""

    trend: float
    classifier: float
    classifier_from_left: int
    trend_gate: float


@dataclass(frozen=True, slots=True)
class ReviewerWork:
    """One reviewer's title/abstract decisions in force on the records to screen."""

    reviewer: str
    labels: Mapping[str, int]
    #: Decisions on records picked by id (``review decide``, the record browser, search): no queue served them.
    picked: int
    #: Decisions taken from the reviewer's queue, per ``queue_order`` (``export.decision_row``).
    served: Mapping[str, int]
    #: The models that ranked the served decisions, as ``review status`` names them (``svm, engine 9``).
    models: tuple[str, ...] = ()
    #: The reviewer's latest ranking: model, query, seed and the model's settings (``model_info``).
    ranking: Mapping[str, Any] = field(default_factory=dict)
    #: Decisions made with the TUI's blind mode on, and those that did not record it (made before schema 4).
    made_blind: int = 0
    blind_not_recorded: int = 0

    @property
    def decided(self) -> int:
        return sum(self.labels.values())


@dataclass(frozen=True, slots=True)
class ConflictSummary:
    """Records the reviewers labelled differently, on the records to screen."""

    disputed: int
    resolved: int
    open: int
    resolved_by: Mapping[str, int]


@dataclass(frozen=True, slots=True)
class StopSummary:
    """The screening stop that stands, and what PRISMA makes of it."""

    reviewer: str
    at: str
    explanation: str
    verdict: Mapping[str, Any]
    credited_to_rule: bool
    marked_by_automation: int


@dataclass(frozen=True, slots=True)
class FulltextSummary:
    """Reports assessed at full text and by how many reviewers."""

    assessed: int
    by_several: int
    by_consensus: int
    open_disagreements: int
    differing_reasons: int


@dataclass(frozen=True, slots=True)
class SelectionMethods:
    """What a methods section says about study selection, read from one workspace."""

    title: str
    written_at: str
    #: The review that wrote it, as a methods section names it: version, and from a checkout the commit (0080).
    tool: str
    team: tuple[str, ...]
    #: ``[tui] blind`` of review.toml: True, False or None (not set: on with two or more reviewers).
    blind: bool | None
    identified: int
    duplicates: int
    removed_other: int
    marked_by_automation: int
    other_methods: int
    screened: int
    not_screened_yet: int
    #: Records to screen by how many reviewers decided them (1, 2, ...).
    by_reviewers: Mapping[int, int]
    reviewers: tuple[ReviewerWork, ...]
    conflicts: ConflictSummary
    agreement: tuple[Agreement, ...]
    include_terms: tuple[str, ...]
    exclude_terms: tuple[str, ...]
    stopping_rule: str
    rule_id: str
    target_recall: float
    confidence: float
    stop: StopSummary | None
    fulltext: FulltextSummary
    #: The recommended rule's levels (None when another rule is in force).
    recommended_levels: RecommendedLevels | None = None


def render_selection_methods(methods: SelectionMethods) -> str:
    """The Markdown appendix: title/abstract screening, agreement, the automation tool and its stop, full text."""
    out = [
        f"# Selection process (PRISMA 2020 items 8 and 16a): {methods.title}",
        "",
        f"Written {methods.written_at} by `review export screening`, {methods.tool}, from the workspace's store.",
        "Each section names the PRISMA 2020 item it answers (Page et al., BMJ 2021;372:n71). \"Not recorded\" marks "
        "what review cannot know: add it by hand.",
        "",
        "## Title/abstract screening (item 8)",
        "",
    ]
    out += _screening_lines(methods)
    out += ["", "## Agreement between reviewers (item 8)", ""]
    out += _agreement_lines(methods)
    out += ["", "## Automation tool (items 8 and 16a)", ""]
    out += _automation_lines(methods)
    out += ["", "## Full-text assessment (item 8)", ""]
    out += _fulltext_lines(methods.fulltext)
    out += ["", "## Files for an appendix", "",
            "- `review export decisions` (every decision, undos as rows; `engine`, `chosen`, `queue_order` say what "
            "served each one), `review export agreement` (agreement.csv, conflicts.csv), `review export searches` "
            "(PRISMA-S), `review prisma` (the flow diagram and its counts), `review fulltext list` (each report's "
            "full-text verdict and exclusion reason: the studies excluded at full text, item 16b, by record id, which "
            "`review export records` gives the citation of)."]
    return "\n".join(out) + "\n"


def _screening_lines(methods: SelectionMethods) -> list[str]:
    removed = [f"{counted(methods.duplicates, 'duplicate')} set aside"]
    if methods.marked_by_automation:
        removed.append(f"{whole(methods.marked_by_automation)} left unscreened at the stop, marked as ineligible by "
                       "automation tools")
    if methods.removed_other:
        removed.append(f"{whole(methods.removed_other)} removed before screening for other reasons")
    if methods.other_methods:
        removed.append(f"{counted(methods.other_methods, 'record')} from other methods, which go straight to full text")
    lines = [f"- Records screened: {whole(methods.screened)} of {whole(methods.identified)} identified "
             f"({'; '.join(removed)}; PRISMA 2020's \"records screened\")."]
    if methods.not_screened_yet:
        lines.append(f"- Not screened yet by anyone: {counted(methods.not_screened_yet, 'record')}.")
    team = ", ".join(methods.team) or "none named"
    lines.append(f"- Reviewers (review.toml): {team}. Each screens a queue of their own, ranked by a model trained on "
                 "their own decisions; no record waits for a second vote.")
    for work in methods.reviewers:
        if not work.decided:
            lines.append(f"  - {work.reviewer}: no title/abstract decision.")
            continue
        lines.append(f"  - {work.reviewer}: {counted(work.decided, 'record')} ({_labels(work.labels)}); "
                     f"{_served(work)} {_made_blind(work)}")
    several = sum(n for k, n in methods.by_reviewers.items() if k >= 2)
    single = methods.by_reviewers.get(1, 0)
    lines.append(f"- Records screened by two or more reviewers: {whole(several)}; by one reviewer: "
                 f"{whole(single)}.")
    lines.append(f"- Blinding: {_blind_words(methods.blind, len(methods.team))} The command line (`review decide`, "
                 "`review conflicts`, `review status`, the exports) is not blind. Whether the reviewers kept from "
                 "looking until both had finished: not recorded.")
    c = methods.conflicts
    if c.disputed:
        # One resolver: named; several: each with their share ("anna 5, carol 4").
        by = (next(iter(c.resolved_by)) if len(c.resolved_by) == 1 else
              ", ".join(f"{name} {whole(n)}" for name, n in sorted(c.resolved_by.items())))
        lines.append(f"- Conflicts: {counted(c.disputed, 'record')} labelled differently (a maybe against an include "
                     f"counts); {whole(c.resolved)} resolved by a consensus decision"
                     f"{f' (recorded by {by})' if by else ''}, {whole(c.open)} open. An open conflict passes on to "
                     "full text: a record is excluded only when every reviewer who screened it excluded it.")
    else:
        lines.append("- Conflicts: none (no record labelled differently by two reviewers).")
    return lines


def _labels(labels: Mapping[str, int]) -> str:
    return ", ".join(f"{whole(labels.get(label, 0))} {word}" for label, word in
                     (("include", "included"), ("exclude", "excluded"), ("maybe", "maybe")))


def _served(work: ReviewerWork) -> str:
    parts = [f"{whole(n)} {QUEUE_ORDER_WORDS.get(order, order)}" for order, n in sorted(work.served.items())
             if n]
    if work.picked:
        parts.append(f"{whole(work.picked)} picked by id (`review decide`, the record browser or search), which the "
                     "recommended stopping rule leaves out")
    return "of these, " + "; ".join(parts) + "." if parts else "no decisions."


def _made_blind(work: ReviewerWork) -> str:
    """How many of the reviewer's decisions in force were made with blind mode on (PRISMA 2020 item 8)."""
    unrecorded = (f" ({whole(work.blind_not_recorded)} not recorded: made before this version)"
                  if work.blind_not_recorded else "")
    return f"{whole(work.made_blind)} of {counted(work.decided, 'decision')} made blind{unrecorded}."


def _blind_words(blind: bool | None, team: int) -> str:
    if blind is None:
        state = "on (the default with two or more reviewers)" if team >= 2 else "off (the default with one reviewer)"
    else:
        state = f"{'on' if blind else 'off'} (review.toml [tui] blind = {'true' if blind else 'false'})"
    return (f"the terminal UI's blind mode is {state} now: it hides the other reviewers' labels, conflicts and "
            "counts until `b`; each decision records whether it was on (per reviewer above).")


def _agreement_lines(methods: SelectionMethods) -> list[str]:
    if not methods.agreement:
        return ["- No two reviewers decided the same record."]
    lines = []
    for s in methods.agreement:
        shown = s.shown()
        lines.append(f"- {s.reviewer_a} × {s.reviewer_b}: n = {whole(s.n)} records both decided, raw agreement "
                     f"{shown['raw']}, Cohen's κ {shown['kappa']}, Gwet's AC1 {shown['ac1']}; κ include vs not "
                     f"{shown['kappa_include_vs_not']}.")
    lines.append("- Include, exclude and maybe are three categories; consensus decisions are not a third rater; "
                 "κ's interval is Fleiss, Cohen & Everitt's (1969) asymptotic one (docs/screening.md, \"A team of "
                 "two\"). With fewer than about 30 records both decided it is wide.")
    return lines


def _automation_lines(methods: SelectionMethods) -> list[str]:
    lines = [f"- Tool: {methods.tool}, title/abstract screening prioritised by active learning: each reviewer's "
             "queue puts the record a model trained on that reviewer's decisions finds most likely relevant first, "
             "retrained as they go (docs/screening.md, \"What screening does by default\")."]
    if methods.include_terms or methods.exclude_terms:
        lines.append(f"- Until the model could learn, the queue was ordered by criteria.toml's terms: include "
                     f"{_terms(methods.include_terms)}; exclude {_terms(methods.exclude_terms)}.")
    for work in methods.reviewers:
        if work.decided:
            lines.append(f"- {work.reviewer}'s ranking: {_ranking_words(work)}.")
    rule = RULE_WORDS.get(methods.stopping_rule, "")
    levels = methods.recommended_levels
    if methods.stopping_rule == "recommended" and levels is not None:
        # The levels a later version may change (decision 0078 raised the trend's from 98 % to 99 %): said here, so a
        # methods section written before any stop still names them.
        rule += (f"; it stops once the target recall holds with {percent(levels.trend)} probability by the trend, or "
                 f"with {percent(levels.classifier)} by the classifier where at least {levels.classifier_from_left} "
                 f"relevant records may be left and the trend's own chance has reached {percent(levels.trend_gate)}")
    lines.append(f"- Stopping rule in force (review.toml [screening] stopping_rule): {methods.stopping_rule} "
                 f"(`{methods.rule_id}`): {rule}; target recall {percent(methods.target_recall)}"
                 + (f", confidence {percent(methods.confidence)}" if methods.stopping_rule == "certified" else "")
                 + ". Its measured results, to cite with it: docs/screening.md, \"What screening does by default\""
                 + (" (its levels are named there and in the rule's sentence at the stop, below)."
                    if methods.stopping_rule == "recommended" else "."))
    lines += _stop_lines(methods.stop)
    return lines


def _ranking_words(work: ReviewerWork) -> str:
    info = work.ranking
    if not info:
        return "no ranking stored (no decision taken from a ranked queue)"
    words = ", ".join(work.models) if work.models else "no model yet (fallback order only)"
    settings = {k: info[k] for k in ("features", "model_params") if k in info}
    text = f"{words}; query strategy `{info.get('query', '?')}`, seed {info.get('seed', '?')}"
    if settings:
        text += "; latest settings " + "; ".join(f"{k} `{_compact(v)}`" for k, v in settings.items())
    return text


def _compact(value: Any) -> str:
    if isinstance(value, Mapping):
        return ", ".join(f"{k}={v}" for k, v in value.items())
    return str(value)


def _stop_lines(stop: StopSummary | None) -> list[str]:
    if stop is None:
        return ["- Screening stop: none recorded (`review prisma stop` or the screening screen's `s` records one); "
                "no record is counted as marked ineligible by automation tools."]
    verdict = stop.verdict
    said = str(verdict.get("verdict", "")).upper() or "no verdict recorded"
    details = []
    if isinstance(verdict.get("estimated_recall"), (int, float)):
        target = verdict.get("target_recall")  # (as review status and the dashboard say an estimate beside it)
        estimate = recall_percent(float(verdict["estimated_recall"]),
                                  target=target if isinstance(target, (int, float)) else None)
        details.append(f"estimated recall {estimate}")
    for key, noun in (("relevant_found", "relevant found"), ("screened", "screened"), ("remaining", "left")):
        if isinstance(verdict.get(key), int):
            details.append(f"{whole(verdict[key])} {noun}")
    rule = f" ({verdict['rule']} rule)" if verdict.get("rule") else ""
    credit = ("the flow diagram credits the stopping rule with the stop" if stop.credited_to_rule else
              "the flow diagram says the reviewers stopped without a stopping rule's verdict to stop")
    words = verdict.get("explanation")
    # The rule's own sentence names the levels it judged at, which a later version of review may change.
    said_already = isinstance(words, str) and words.strip() == stop.explanation.strip()  # (the screen's s records them)
    quoted = [f"  The rule's words at the stop: \"{words}\""] if isinstance(words, str) and words and not said_already \
        else []
    return [f"- Screening stop: recorded by {stop.reviewer} on {stop.at}: \"{stop.explanation}\". The rule's verdict "
            f"then: {said}{rule}{': ' + ', '.join(details) if details else ''}; {credit}.", *quoted,
            f"- Records marked as ineligible by automation tools (PRISMA 2020, records removed before screening): "
            f"{whole(stop.marked_by_automation)}, the records no reviewer had screened at the stop."]


def _fulltext_lines(fulltext: FulltextSummary) -> list[str]:
    if not fulltext.assessed:
        return ["- No report assessed yet."]
    lines = [f"- Reports assessed for eligibility: {whole(fulltext.assessed)}; by two or more reviewers: "
             f"{whole(fulltext.by_several)}; settled by a consensus decision: {whole(fulltext.by_consensus)}; "
             f"disagreements awaiting one: {whole(fulltext.open_disagreements)}."]
    if fulltext.differing_reasons:
        lines.append(f"- {counted(fulltext.differing_reasons, 'report')} excluded by reviewers giving different "
                     "reasons: the flow diagram counts the reason recorded first (`review prisma`'s notes name them).")
    return lines


def _terms(terms: Sequence[str]) -> str:
    return ", ".join(f"`{t}`" for t in terms) if terms else "none"


