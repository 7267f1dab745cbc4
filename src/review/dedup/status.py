"""``review status``'s deduplication line: what the runs and the verdicts in the store add up to (the store and
the verdicts' rules only: the status reads no engine, so it does not import numpy)."""

from __future__ import annotations

from ..store import dedup as dedup_store
from ..words import counted, whole
from ..workspace import Workspace
from . import decisions


def dedup_status(workspace: Workspace) -> list[str]:
    """``review status`` line for deduplication."""
    store = workspace.store
    done = dedup_store.runs(store)
    if not done:
        return ["dedup      not run yet (review dedup)"]
    removed = len(decisions.duplicate_ids(store))
    pending = len(decisions.borderline_pairs(store))
    related = len(decisions.related_record_ids(store))
    unseen = decisions.imported_since_last_run(store, done)
    later = "" if unseen <= 0 else (f"; {unseen} record imported since the last run is" if unseen == 1 else
                                    f"; {whole(unseen)} records imported since the last run are") + \
        " not deduplicated yet (review dedup)"
    return [f"dedup      {counted(len(dedup_store.clusters(store)), 'cluster')}, "
            f"{counted(removed, 'duplicate')} set aside, {counted(pending, 'borderline pair')} to review, "
            f"{counted(related, 'related record')} (notices and comments "
            f"linked to their article, not screened){later}"]
