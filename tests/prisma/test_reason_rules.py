"""A removal needs a reason and a screening stop an explanation: the PRISMA stage's rules, kept by its
service (the store below holds no stage rules and stores what it is given). Messages as they were when
the store kept them."""

from __future__ import annotations

import pytest

from review.errors import ReviewError
from review.services import prisma as service
from review.store import fulltext as store_fulltext
from review.workspace import Workspace


@pytest.mark.parametrize("blank", ["", "  "])
def test_a_removal_without_a_reason_is_refused_by_the_service_and_nothing_is_removed(
        workspace: Workspace, add, blank: str) -> None:
    ids = add(workspace, 2, "PubMed")
    with pytest.raises(ReviewError) as refused:
        service.remove_records(workspace, ids, "alice", blank)
    assert str(refused.value) == "removal: a reason is required (e.g. 'retracted')"
    assert store_fulltext.current_removals(workspace.store) == {}
    assert service.remove_records(workspace, ids[:1], "alice", "  retracted ") == 1
    assert store_fulltext.current_removals(workspace.store) == {ids[0]: "retracted"}  # stripped, as before


@pytest.mark.parametrize("blank", ["", "  "])
def test_a_stop_without_an_explanation_is_refused_by_the_service_and_none_is_recorded(
        workspace: Workspace, add, blank: str) -> None:
    add(workspace, 2, "PubMed")
    with pytest.raises(ReviewError) as refused:
        service.record_screening_stop(workspace, "alice", blank)
    assert str(refused.value) == "screening stop: an explanation is required (which rule, what it said)"
    assert store_fulltext.screening_stops(workspace.store) == []
    stop = service.record_screening_stop(workspace, "alice", " rule met ")
    assert stop.explanation == "rule met" and service.current_screening_stop(workspace) == stop


def test_the_store_stores_what_it_is_given(workspace: Workspace, add) -> None:
    """Storage only: whether a reason or an explanation is needed is the stage's to say, not the store's."""
    ids = add(workspace, 1, "PubMed")
    assert store_fulltext.remove_records(workspace.store, ids, "alice", "") == 1
    assert store_fulltext.current_removals(workspace.store) == {ids[0]: ""}
    stop = store_fulltext.record_screening_stop(workspace.store, "alice", "", n_unscreened=0)
    assert stop.explanation == "" and store_fulltext.current_screening_stop(workspace.store) is not None
