"""Inter-reviewer agreement (Cohen's kappa with its 95 % CI, on three categories and on include vs not;
Gwet's AC1, raw agreement) and conflict lists.

Pure functions over the effective decisions of two or more reviewers, so the TUI and the CLI
report the same numbers. Statistics use only records that *both* reviewers decided, each label
(include, exclude, maybe) its own category; the service passes only the records to screen
(``removed.set_aside`` leaves the rest out, decision 0021). Kappa's confidence interval is the
asymptotic one of Fleiss, Cohen & Everitt (1969), from statsmodels (``validate kappa`` uses the same), cut to kappa's range [-1, 1]
and None where it would have zero width (kappa ±1).
"""

from __future__ import annotations

import io
import json
from collections.abc import Container, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields
from itertools import combinations
from pathlib import Path

from ..atomic import write_text_atomic
from ..csvcells import NeutralisingDictWriter, neutralising_writer
from ..chance_agreement import cohens_kappa_interval, gwet_ac1
from ..errors import ReviewError, WorkspaceError
from ..records import Decision
from ..store import Store
from ..store.core import Undone
from ..store.decision_log import LabelLogRow, LoggedLabel, effective_decisions

#: Reviewer name under which a conflict's final label is stored (a third reviewer's or the
#: team's consensus); PRISMA takes this reviewer's title/abstract decision as the verdict.
#: The person who resolved it is kept in the decision's ``model_info["resolved_by"]``.
CONSENSUS_REVIEWER = "consensus"

#: Categories always counted as possible for chance agreement: screening is at least binary.
BASE_CATEGORIES: tuple[str, ...] = ("include", "exclude")

#: (record id, reviewer) -> label, the effective decision of each reviewer.
Labels = Mapping[tuple[int, str], str]


@dataclass(slots=True, frozen=True)
class Agreement:
    """Agreement of two reviewers over the records both of them decided."""

    reviewer_a: str
    reviewer_b: str
    n: int
    agreed: int
    raw: float | None
    kappa: float | None
    ac1: float | None
    categories: tuple[str, ...] = ()
    #: Cohen's kappa's 95 % confidence interval (asymptotic standard error; None where kappa is
    #: undefined). Added after ``categories``: the CSV's earlier columns keep their places.
    kappa_ci_low: float | None = None
    kappa_ci_high: float | None = None
    #: Cohen's kappa on two categories, include vs not: a "maybe" counts as include, as title/abstract
    #: screening passes it on to full text (``counts.RELEVANT_LABELS``); with its 95 % CI as above.
    #: Added last: the CSV's earlier columns keep their places.
    kappa_include_vs_not: float | None = None
    kappa_include_vs_not_ci_low: float | None = None
    kappa_include_vs_not_ci_high: float | None = None

    def shown(self) -> dict[str, str]:
        """``raw``, ``kappa`` (with its 95 % CI), ``ac1`` and ``kappa_include_vs_not`` to three decimals, ``–`` where
        undefined: the one wording of ``review export agreement``'s lines and ``review export screening``."""
        def three(value: float | None) -> str:
            return "–" if value is None else f"{value:.3f}"

        kappa = three(self.kappa)
        if self.kappa_ci_low is not None and self.kappa_ci_high is not None:
            kappa += f" (95% CI {self.kappa_ci_low:.3f} to {self.kappa_ci_high:.3f})"
        return {"raw": three(self.raw), "kappa": kappa, "ac1": three(self.ac1),
                "kappa_include_vs_not": three(self.kappa_include_vs_not)}


@dataclass(slots=True, frozen=True)
class Conflict:
    """A record on which reviewers gave different labels, and how (if) it was resolved."""

    record_id: int
    labels: dict[str, str] = field(default_factory=dict)
    resolution: str | None = None
    resolved_by: str | None = None
    #: Reviewers whose label changed (a new decision, an undo) after the resolution was recorded:
    #: the resolution settled other labels than these, so it is open again (``outdated_resolutions``).
    changed_since: tuple[str, ...] = ()

    @property
    def open(self) -> bool:
        """No resolution, or one recorded before a reviewer changed their label."""
        return self.resolution is None or bool(self.changed_since)


#: Why ``consensus`` may not decide, after the name (:func:`check_not_consensus`).
CONSENSUS_REFUSAL = ("that name holds the resolved conflicts and does not screen; resolve them on the conflicts screen "
                     "(TUI 4), or screen under another reviewer name")


def check_not_consensus(reviewer: str, where: str, *, error: type[ReviewError] = WorkspaceError,
                        title: str | None = None) -> None:
    """Refuse ``consensus`` as a reviewer's name (``review init``, ``review decide``, the session's keys):
    a decision there would be a conflict's resolution for PRISMA without a conflict, and an undo would
    take back the latest resolution. ``where`` names the option; ``error``: exit 2 by default."""
    if reviewer == CONSENSUS_REVIEWER:
        raise error(f"{where} {CONSENSUS_REVIEWER}: {CONSENSUS_REFUSAL}", title=title)


def agreement(labels_a: Mapping[int, str], labels_b: Mapping[int, str], *,
              reviewer_a: str = "a", reviewer_b: str = "b",
              categories: Iterable[str] = BASE_CATEGORIES) -> Agreement:
    """Raw agreement, Cohen's kappa and Gwet's AC1 of two reviewers' labels per record.

    Chance agreement counts ``categories`` plus every label observed, so a pair that used
    only "exclude" still has two possible categories (kappa is then undefined: None).
    """
    common = sorted(set(labels_a) & set(labels_b))
    cats = tuple(sorted(set(categories) | {labels_a[r] for r in common} | {labels_b[r] for r in common}))
    n = len(common)
    if n == 0:
        return Agreement(reviewer_a, reviewer_b, 0, 0, None, None, None, cats)
    agreed = sum(labels_a[r] == labels_b[r] for r in common)
    p_o = agreed / n
    share_a, share_b = _shares(labels_a, common, cats), _shares(labels_b, common, cats)
    ac1 = gwet_ac1(p_o, ((share_a[c] + share_b[c]) / 2 for c in cats))
    kappa, low, high = _kappa(labels_a, labels_b, common, cats, p_o, share_a, share_b)
    passed_a, passed_b = ({r: _include_or_not(labels[r]) for r in common} for labels in (labels_a, labels_b))
    binary = _kappa(passed_a, passed_b, common, BASE_CATEGORIES,
                    sum(passed_a[r] == passed_b[r] for r in common) / n,
                    _shares(passed_a, common, BASE_CATEGORIES), _shares(passed_b, common, BASE_CATEGORIES))
    return Agreement(reviewer_a, reviewer_b, n, agreed, p_o, kappa, ac1, cats, low, high, *binary)


def _include_or_not(label: str) -> str:
    """A title/abstract label on two categories: what passes to full text (include, maybe) or not."""
    from .counts import RELEVANT_LABELS

    return "include" if label in RELEVANT_LABELS else "exclude"


def _shares(labels: Mapping[int, str], common: Sequence[int], cats: Sequence[str]) -> dict[str, float]:
    """Each category's share of one reviewer's labels over ``common`` (at least one record)."""
    return {c: sum(labels[r] == c for r in common) / len(common) for c in cats}


def _kappa(labels_a: Mapping[int, str], labels_b: Mapping[int, str], common: Sequence[int], cats: Sequence[str],
           p_o: float, share_a: Mapping[str, float], share_b: Mapping[str, float],
           ) -> tuple[float | None, float | None, float | None]:
    """Cohen's kappa over ``common`` on ``cats`` from the observed agreement ``p_o`` and each reviewer's
    category shares (as ``agreement`` computed them for AC1), and its 95 % CI; None where undefined."""
    p_e = sum(share_a[c] * share_b[c] for c in cats)
    if abs(1 - p_e) < 1e-12:
        return None, None, None
    low, high = _kappa_ci(labels_a, labels_b, common, cats)
    return (p_o - p_e) / (1 - p_e), low, high


def _kappa_ci(labels_a: Mapping[int, str], labels_b: Mapping[int, str], common: Sequence[int],
              cats: Sequence[str]) -> tuple[float | None, float | None]:
    """Kappa's 95 % CI from the two reviewers' cross table (None, None where its SE is undefined), as
    validate's kappa gives it (``cohens_kappa_interval``: cut at ±1, none of zero width; the Wald interval
    passed kappa's range near perfect agreement, 0.82 to 1.008)."""
    index = {c: i for i, c in enumerate(cats)}
    _, interval = cohens_kappa_interval([index[labels_a[r]] for r in common], [index[labels_b[r]] for r in common],
                                        len(cats), 0.05)
    return (None, None) if interval is None else interval


def per_reviewer(labels: Labels) -> dict[str, dict[int, str]]:
    """Split (record, reviewer) -> label into reviewer -> {record: label}."""
    out: dict[str, dict[int, str]] = {}
    for (record_id, reviewer), label in labels.items():
        out.setdefault(reviewer, {})[record_id] = label
    return out


def pairwise_agreement(labels: Labels, reviewers: Sequence[str] | None = None) -> list[Agreement]:
    """Agreement for every pair of reviewers (in the given order, or sorted by name)."""
    by_reviewer = per_reviewer(labels)
    names = list(reviewers) if reviewers is not None else sorted(by_reviewer)
    return [
        agreement(by_reviewer.get(a, {}), by_reviewer.get(b, {}), reviewer_a=a, reviewer_b=b)
        for a, b in combinations(names, 2)
    ]


@dataclass(slots=True, frozen=True)
class ConflictLists:
    """The conflicts to show and count, from one rule (``conflict_lists``): the TUI's list, the
    export's files, ``review status``'s line and PRISMA's note all read these."""

    #: Records the reviewers' labels differ on, resolved or not (a resolution made before a reviewer
    #: changed their label has ``changed_since`` and is open again).
    disputed: list[Conflict] = field(default_factory=list)
    #: Records the reviewers no longer disagree on whose labels differ from a resolution recorded before
    #: one of them changed their label: PRISMA still takes the resolution (consensus wins); to resolve again.
    outdated: list[Conflict] = field(default_factory=list)

    @property
    def listed(self) -> list[Conflict]:
        """Every row to show, in record order: the disputed and the outdated."""
        return sorted((*self.disputed, *self.outdated), key=lambda c: c.record_id)

    @property
    def open(self) -> int:
        """How many are still to resolve (an outdated resolution is open)."""
        return sum(c.open for c in self.disputed) + len(self.outdated)

    @property
    def reopened(self) -> list[Conflict]:
        """Resolutions recorded before a reviewer changed their label, in record order."""
        return [c for c in self.listed if c.changed_since]

    def without(self, left_out: Container[int]) -> ConflictLists:
        """The lists without the records in ``left_out`` (the ones the screening queue leaves out)."""
        return ConflictLists([c for c in self.disputed if c.record_id not in left_out],
                             [c for c in self.outdated if c.record_id not in left_out])


def conflict_lists(labels: Labels, resolutions: Mapping[int, tuple[str, str]] | None = None,
                   changed: Mapping[int, tuple[str, ...]] | None = None, *,
                   reviewers: Sequence[str] | None = None) -> ConflictLists:
    """The disputed and the outdated conflicts, in record order.

    ``resolutions`` maps record id to (label, resolver) for conflicts already settled; ``changed``
    (``outdated_resolutions``) the reviewers who changed their label since.
    """
    resolutions = resolutions or {}
    changed = changed or {}
    by_record: dict[int, dict[str, str]] = {}
    wanted = set(reviewers) if reviewers is not None else None
    for (record_id, reviewer), label in labels.items():
        if wanted is None or reviewer in wanted:
            by_record.setdefault(record_id, {})[reviewer] = label
    disputed, outdated = [], []
    for record_id in sorted(by_record.keys() | changed.keys()):
        given = by_record.get(record_id, {})
        settled = resolutions.get(record_id)
        # (sorted by reviewer only for a conflict: most records have none, and 20,000 sorts showed in review status)
        if len(given) >= 2 and len(set(given.values())) > 1:
            disputed.append(Conflict(record_id, dict(sorted(given.items())), settled[0] if settled else None,
                                     settled[1] if settled else None,
                                     changed.get(record_id, ()) if settled else ()))
        elif settled and record_id in changed and any(label != settled[0] for label in given.values()):
            outdated.append(Conflict(record_id, dict(sorted(given.items())), settled[0], settled[1],
                                     changed[record_id]))
    return ConflictLists(disputed, outdated)


def conflicts(labels: Labels, resolutions: Mapping[int, tuple[str, str]] | None = None, *,
              reviewers: Sequence[str] | None = None,
              changed: Mapping[int, tuple[str, ...]] | None = None) -> list[Conflict]:
    """Records where reviewers' labels differ, in record order (``conflict_lists``' disputed)."""
    return conflict_lists(labels, resolutions, changed, reviewers=reviewers).disputed


def outdated_resolutions(log: Sequence[LoggedLabel],
                         current: Mapping[tuple[int, str], LoggedLabel] | None = None) -> dict[int, tuple[str, ...]]:
    """Record id -> reviewers whose label changed after the record's resolution was recorded.

    A resolution settles the labels it was made on; when a reviewer later decides again or undoes
    (the two may then even agree, against the resolution), it stays in force for PRISMA (consensus
    wins) but no longer settles what the reviewers now say: the conflicts list shows it open again.
    ``log``: every title/abstract row in id order (``Store.decisions``, or ``label_log``); ``current``: its effective
    decisions (``effective_decisions(log)``), when the caller has them.
    """
    now = effective_decisions(log) if current is None else current
    resolved = {record_id: d.id for (record_id, reviewer), d in now.items() if reviewer == CONSENSUS_REVIEWER}
    if not resolved:
        return {}
    rows_of: dict[int, list[LoggedLabel]] = {}
    for d in log:
        if d.record_id in resolved:
            rows_of.setdefault(d.record_id, []).append(d)
    now_by_record: dict[int, dict[str, str]] = {}
    for (record_id, reviewer), d in now.items():
        if record_id in resolved and reviewer != CONSENSUS_REVIEWER:
            now_by_record.setdefault(record_id, {})[reviewer] = d.label
    outdated: dict[int, tuple[str, ...]] = {}
    for record_id, resolution_id in resolved.items():
        then = {reviewer: d.label for (_, reviewer), d
                in effective_decisions(rows_of[record_id], until_id=resolution_id).items()
                if reviewer != CONSENSUS_REVIEWER}
        mine = now_by_record.get(record_id, {})
        changed = tuple(sorted(r for r in then.keys() | mine.keys() if then.get(r) != mine.get(r)))
        if changed:
            outdated[record_id] = changed
    return outdated


def labels_of(current: Mapping[tuple[int, str], LoggedLabel]) -> dict[tuple[int, str], str]:
    """Every reviewer's effective label per record (consensus rows left out)."""
    return {key: d.label for key, d in current.items() if key[1] != CONSENSUS_REVIEWER}


def resolutions_of(current: Mapping[tuple[int, str], LoggedLabel]) -> dict[int, tuple[str, str]]:
    """The effective consensus decision per record: (label, who resolved it)."""
    return {record_id: (d.label, str(d.model_info.get("resolved_by", CONSENSUS_REVIEWER)))
            for (record_id, reviewer), d in current.items() if reviewer == CONSENSUS_REVIEWER}


def label_log(store: Store) -> list[LabelLogRow]:
    """The title/abstract decision log as the label counts and conflict lists read it (``log_conflicts``):
    without the JSON of every row, only the consensus reviewer's ``model_info`` (who resolved)."""
    return store.decision_labels(info_of=(CONSENSUS_REVIEWER,))


def log_conflicts(log: Sequence[LoggedLabel], current: Mapping[tuple[int, str], LoggedLabel] | None = None,
                  ) -> tuple[dict[tuple[int, str], str], ConflictLists]:
    """Every reviewer's label and the conflict lists over every record, from one read of the log
    (``Store.decisions()`` or ``label_log``; ``current``: its effective decisions, when the caller has them)."""
    current = effective_decisions(log) if current is None else current
    labels = labels_of(current)
    resolutions = resolutions_of(current)
    changed = outdated_resolutions(log, current) if resolutions else {}
    return labels, conflict_lists(labels, resolutions, changed)


@dataclass(frozen=True, slots=True)
class ReadLog:
    """What every count of the decision log (``label_log``) starts from, worked out once: the decisions in force and
    the conflict lists (``review status``'s screening lines and its PRISMA line share it)."""

    current: dict[tuple[int, str], LoggedLabel]
    conflicts: ConflictLists

    @classmethod
    def of(cls, rows: Sequence[LoggedLabel]) -> ReadLog:
        current = effective_decisions(rows)
        return cls(current, log_conflicts(rows, current)[1])


def resolve_conflict(store: Store, record_id: int, label: str, resolver: str, *, note: str = "",
                     reasons: Sequence[str] = ()) -> Decision:
    """Record the final label of a disputed record as the ``consensus`` reviewer; one transaction.

    ``reasons`` are stored as a screening decision's are (an exclusion's reasons)."""
    # blind=False: a resolution is made looking at the decisions that disagree.
    return store.add_decision(record_id, CONSENSUS_REVIEWER, label, reasons=tuple(reasons), note=note,
                              model_info={"resolved_by": resolver}, blind=False)


def reopen_conflict(store: Store, record_id: int, reopened_by: str, *, only_id: int | None = None) -> Undone | None:
    """Take back the resolution in force on ``record_id`` (an undo row of the ``consensus`` reviewer, noting who,
    and with ``resolved_by`` = ``reopened_by`` as a resolution has); the one before it, if any, is in force again
    (``Undone.in_force``), else the conflict is open. None: no resolution to take back (``only_id``: or the one in
    force is not that one, checked in the same transaction)."""
    return store.undo_latest(CONSENSUS_REVIEWER, record_id=record_id, note=f"reopened by {reopened_by}",
                             model_info={"resolved_by": reopened_by}, only_id=only_id)


def agreement_rows(stats: Sequence[Agreement]) -> list[dict[str, object]]:
    """Statistics as flat rows (for CSV/JSON export and tables)."""
    rows = []
    for s in stats:
        row = asdict(s)
        row["categories"] = " ".join(s.categories)
        rows.append(row)
    return rows


#: Between the names in conflicts.csv's ``changed_since`` (a reviewer name may hold a space).
CHANGED_SINCE_SEPARATOR = ";"


def export_agreement(out_dir: Path, stats: Sequence[Agreement], found: Sequence[Conflict],
                     reviewers: Sequence[str]) -> list[Path]:
    """Write ``agreement.json``, ``agreement.csv`` and ``conflicts.csv`` to ``out_dir``.

    ``found``: the rows to list (``ConflictLists.listed``: disputed records and outdated resolutions);
    a resolution recorded before a reviewer changed their label names them in ``changed_since``."""
    out_dir = Path(out_dir)
    rows = agreement_rows(stats)
    json_path, stats_path, conflicts_path = (
        out_dir / "agreement.json", out_dir / "agreement.csv", out_dir / "conflicts.csv")
    # All three texts before any file is replaced: a crash part-way leaves the last whole set.
    json_text = json.dumps({"agreement": rows, "conflicts": [asdict(c) for c in found]}, indent=2,
                           sort_keys=True) + "\n"
    buffer = io.StringIO()
    writer = NeutralisingDictWriter(buffer, fieldnames=[f.name for f in fields(Agreement)], lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    stats_text = buffer.getvalue()
    buffer = io.StringIO()
    # changed_since last: scripts that read the earlier columns by place keep working (docs/interfaces.md).
    columns = ["record_id", *reviewers, "resolution", "resolved_by", "changed_since"]
    conflict_writer = neutralising_writer(buffer, lineterminator="\n")
    conflict_writer.writerow(columns)
    for c in found:
        conflict_writer.writerow([c.record_id, *(c.labels.get(r, "") for r in reviewers),
                                  c.resolution or "", c.resolved_by or "", CHANGED_SINCE_SEPARATOR.join(c.changed_since)])
    for path, text in ((json_path, json_text), (stats_path, stats_text), (conflicts_path, buffer.getvalue())):
        write_text_atomic(path, text)
    return [json_path, stats_path, conflicts_path]
