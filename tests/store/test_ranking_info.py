"""The stored queue's model info replaced by compare and set (both engines): what ``review status --stopping``
keeps its classifier check with, never over a queue or info another process stored since it read them."""

from __future__ import annotations

from review.store import utcnow
from review.store.screening import load_ranking, ranking_info, replace_ranking_info, save_ranking
from review.workspace import Workspace


def _save(workspace: Workspace, info: dict[str, object]) -> dict[str, object]:
    save_ranking(workspace.store, "alice", order=[3, 1, 2], probabilities=[0.9, None, 0.1], model_info=info,
                 n_labelled=2, seed=7)
    saved = load_ranking(workspace.store, "alice")
    assert saved is not None
    return saved


def test_the_info_is_replaced_only_over_the_queue_and_info_read(workspace: Workspace) -> None:
    assert ranking_info(workspace.store, "alice") is None
    assert not replace_ranking_info(workspace.store, "alice", created_at=utcnow(), model_info_before={},
                                    model_info={"view": 1})  # (no queue stored: nothing made up)
    assert ranking_info(workspace.store, "alice") is None
    read = _save(workspace, {"model": "svm", "view": None})
    kept = {"model": "svm", "view": {"screened": 600}}
    assert replace_ranking_info(workspace.store, "alice", created_at=read["created_at"],
                                model_info_before=read["model_info"], model_info=kept)
    after = load_ranking(workspace.store, "alice")
    assert after is not None and after["model_info"] == kept == ranking_info(workspace.store, "alice")
    assert (after["created_at"], after["record_order"], after["probabilities"]) == (
        read["created_at"], [3, 1, 2], [0.9, None, 0.1])
    # Read before that replacement: its info is no longer there, so a second process's write stands.
    assert not replace_ranking_info(workspace.store, "alice", created_at=read["created_at"],
                                    model_info_before=read["model_info"], model_info={"model": "svm", "view": 2})
    assert ranking_info(workspace.store, "alice") == kept
    newer = _save(workspace, kept)  # the app stores a queue: the same info, another queue
    assert not replace_ranking_info(workspace.store, "alice", created_at=read["created_at"],
                                    model_info_before=kept, model_info={"model": "svm", "view": 3})
    assert load_ranking(workspace.store, "alice") == newer
    assert ranking_info(workspace.store, "bob") is None
