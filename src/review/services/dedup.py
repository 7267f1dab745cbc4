"""Dedup service: run deduplication, list and split clusters, decide borderline pairs, CSV mode."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..tomlread import SettingProblem, setting_refusal
from ..workspace import Workspace

if TYPE_CHECKING:
    from ..records import Record
    from ..dedup.run import RunSummary
    from ..dedup.decisions import BorderlinePair, PairDecision, RelatedLink

__all__ = [
    "BorderlinePair", "ClusterListing", "CsvDedup", "MergeUndone", "PairDecision", "RelatedLink", "RunSummary", "borderline_pairs",
    "clusters", "clusters_csv", "decide_pair", "dedup_csv", "dedup_status", "describe_link", "has_run",
    "related_links", "related_of", "run_dedup", "settings_problem", "undo_merge", "undo_pair_decision", "with_group_identifiers", "word_diff", "write_clusters_csv",
]


def run_dedup(workspace: Workspace, *, progress: Callable[[str, int, int], None] | None = None) -> RunSummary:
    """Score every record again and record changed verdicts; stable on re-run."""
    from ..dedup.run import run_dedup as run

    workspace.store.refuse_if_read_only()  # (before scoring: 6 s at 20,000 records, then refused at the first write)
    return run(workspace, progress=progress)


@dataclass(frozen=True, slots=True)
class ClusterListing:
    """A current cluster: canonical record, every member, why that one is canonical."""

    canonical_id: int
    members: list[int]
    explanation: str


def with_group_identifiers(workspace: Workspace, records: Sequence[Record]) -> list[Record]:
    """``records``, each record dedup kept with the doi and pmid its duplicates hold where it lacks them
    (``dedup.decisions.with_group_identifiers``): what ``review export records --decision`` lists, and what the
    terminal UI shows of a record; the store keeps each record as imported."""
    from ..dedup.decisions import with_group_identifiers as fill

    return fill(workspace.store, records)


def settings_problem(workspace: Workspace) -> SettingProblem | None:
    """The refusal ``review dedup`` would make now of review.toml's ``[dedup]`` (None when it would take it): for a
    shell that reads the file before dedup runs (the terminal UI, after an edit)."""
    from ..dedup.settings import related_setting

    return setting_refusal(lambda: related_setting(workspace.config.section("dedup")))


def clusters(workspace: Workspace) -> list[ClusterListing]:
    """Every current cluster, by canonical id."""
    from ..store.dedup import cluster_details

    return [ClusterListing(int(row["canonical_id"]), [int(m) for m in row["members"]], str(row["explanation"]))
            for row in cluster_details(workspace.store)]


@dataclass(frozen=True, slots=True)
class MergeUndone:
    """What splitting a cluster did: the records set apart, and those of them the screening
    queue offers again (set aside as duplicates until now; decisions on the others stay theirs)."""

    apart: list[int]
    back_in_queue: list[int]


def undo_merge(workspace: Workspace, record_id: int, reviewer: str, *, detach_only: bool = False) -> MergeUndone:
    """Split the merged cluster holding ``record_id`` (or set only it apart)."""
    from ..dedup.decisions import undo_merge as split
    from ..screening.removed import workspace_set_aside

    workspace.store.refuse_if_read_only()
    # Read before the split: a bad review.toml [prisma.sources] kind stops here, with nothing split.
    before = workspace_set_aside(workspace).duplicates
    apart = split(workspace.store, record_id, reviewer, detach_only=detach_only)
    now = workspace_set_aside(workspace)
    return MergeUndone(apart, sorted(r for r in before if r not in now))


def borderline_pairs(workspace: Workspace) -> list[BorderlinePair]:
    """Pairs waiting for a human verdict, best first (skipped ones last)."""
    from ..dedup.decisions import borderline_pairs as pending

    return pending(workspace.store)


def score_cutoffs() -> tuple[float, float]:
    """The pair scores from which a human is asked (borderline) and from which a pair merges without asking."""
    from ..dedup.rules import BORDERLINE_SCORE, DUPLICATE_SCORE

    return BORDERLINE_SCORE, DUPLICATE_SCORE


def decide_pair(workspace: Workspace, a: int, b: int, verdict: str, reviewer: str) -> PairDecision:
    """Record a human verdict (same | different | skip); durable when this returns. Its ``row_id`` is
    what :func:`undo_pair_decision` takes; ``lines()`` names decided records a "same" set aside."""
    from ..dedup.decisions import decide_pair as decide

    return decide(workspace.store, a, b, verdict, reviewer)


def undo_pair_decision(workspace: Workspace, decision_id: int, reviewer: str) -> None:
    """Reverse a human pair verdict (``decide_pair``'s id): the pair is borderline again, a merge
    it made is split; appended as an ``undo`` row, nothing deleted."""
    from ..dedup.decisions import undo_decision

    undo_decision(workspace.store, decision_id, reviewer)


def related_of(workspace: Workspace, record_id: int) -> list[str]:
    """One line per related-record link of ``record_id`` ("erratum of record 12")."""
    from ..dedup.decisions import related_of as lines

    return lines(workspace.store, record_id)


def related_links(workspace: Workspace) -> list[RelatedLink]:
    """Every current link between a notice or comment and the record it is about."""
    from ..dedup.decisions import related_links as links

    return links(workspace.store)


def describe_link(link: RelatedLink, record_id: int) -> str:
    """The link as seen from ``record_id``."""
    from ..dedup.decisions import describe_link as describe

    return describe(link, record_id)


def word_diff(left: str, right: str) -> tuple[list[tuple[str, bool]], list[tuple[str, bool]]]:
    """Both texts as (words, differs) runs, for showing a pair side by side."""
    from ..dedup.diff import word_diff as diff

    return diff(left, right)


def has_run(workspace: Workspace) -> bool:
    """Whether ``review dedup`` has run on this workspace (before it, no pair or cluster exists)."""
    from ..store.dedup import runs

    return bool(runs(workspace.store))


def dedup_status(workspace: Workspace) -> list[str]:
    """``review status`` line for deduplication."""
    from ..dedup.status import dedup_status as status

    return status(workspace)


@dataclass(frozen=True, slots=True)
class CsvDedup:
    """CSV mode's outcome: one ``record_id,cluster_id,decision`` row per input record."""

    rows: list[tuple[str, str, str]]
    n_records: int
    n_clusters: int
    n_duplicates: int
    n_borderline: int
    n_related: int
    seconds: float
    #: One line when the CSV was not UTF-8 and was read as cp1252, and what its reading warned of (the shell shows
    #: them on stderr).
    warnings: tuple[str, ...] = ()


def dedup_csv(csv_file: Path, *, related: str = "link") -> CsvDedup:
    """Cluster the records of a CSV file (no workspace); ``related``: notices linked apart
    ("link") or merged into their article's cluster ("merge")."""
    from ..dedup.csvio import load_records_csv
    from ..dedup.engine import deduplicate
    from ..dedup.export import cluster_rows
    from ..textdecode import fallback_warning

    table = load_records_csv(csv_file)
    records = table.records
    warning = fallback_warning(csv_file, table.encoding)
    result = deduplicate(records, related=related)
    return CsvDedup(
        rows=cluster_rows(result), n_records=len(records), n_clusters=len(result.clusters),
        n_duplicates=sum(len(c.members) - 1 for c in result.clusters),
        n_borderline=len(result.borderline), n_related=len(result.related), seconds=result.seconds.get("total", 0.0),
        warnings=((warning,) if warning else ()) + table.warnings,
    )


def clusters_csv(rows: list[tuple[str, str, str]]) -> str:
    """CSV mode's rows as CSV text with the header (what ``--out`` writes; for stdout)."""
    from ..dedup.csvio import clusters_csv as render

    return render(rows)


def write_clusters_csv(out: Path, rows: list[tuple[str, str, str]]) -> None:
    """Write CSV mode's rows atomically, with the header."""
    from ..dedup.csvio import write_clusters_csv as write

    write(out, rows)
