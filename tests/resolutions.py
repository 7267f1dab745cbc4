"""The store's labels and resolutions as the tests read them (the code reads them from one log, through
``screening.agreement.log_conflicts``)."""

from __future__ import annotations

from review.screening.agreement import CONSENSUS_REVIEWER, labels_of, resolutions_of
from review.store import Store


def store_labels(store: Store) -> dict[tuple[int, str], str]:
    """Every reviewer's effective title/abstract label per record (consensus rows left out)."""
    return labels_of(store.current_decisions())


def store_resolutions(store: Store) -> dict[int, tuple[str, str]]:
    """The effective consensus decision per record: (label, who resolved it)."""
    return resolutions_of(store.current_decisions(reviewer=CONSENSUS_REVIEWER))
