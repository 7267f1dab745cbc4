"""The TUI's retrain and evidence worker processes (``tui/retrainer.py``)."""

from __future__ import annotations

import pytest

from tests.screening.test_stopping_classifier import add_word_records


def _app_session(workspace):  # type: ignore[no-untyped-def]
    """The app's session on 80 records, 10 relevant: 5 of them and 20 others decided."""
    from review.services.screening import open_session

    ids = add_word_records(workspace, [1] * 10 + [0] * 70, seed=3)
    session = open_session(workspace, "alice", quick_start=True)
    for record_id in ids[:5] + ids[10:30]:
        session.decide(record_id, "include" if record_id in ids[:10] else "exclude")
    return session


def test_the_retrain_process_ranks_with_the_apps_model_query_and_seed_after_review_toml_changes(workspace) -> None:
    # The app fixes [screening] and seed when it opens and says an edit needs a restart (tui/settings.py), while the
    # worker process opens its session at the first retrain, reading review.toml then: it ranked with the edited
    # model, query and seed, which the app said were not in use.
    from review.tui.retrainer import Retrainer

    session = _app_session(workspace)
    opened = session.fixed_settings()
    assert (opened["model"], opened["query"], opened["seed"]) == ("default", "max", 7)
    toml = workspace.path("review.toml")
    edited = toml.read_text(encoding="utf-8").replace("seed = 7", "seed = 11")
    toml.write_text(edited + '\n[screening]\nmodel = "logistic"\nquery = "uncertainty"\ntarget_recall = 0.9\n',
                    encoding="utf-8")
    retrainer = Retrainer("process")
    try:
        ranking = retrainer.retrain(session)
    finally:
        retrainer.close()
    info = ranking.model_info
    assert (info["model"], info["query"], info["seed"]) == ("svm", "max", 7), info
    assert session.fixed_settings() == opened  # the app's own session is untouched


def test_a_session_following_anothers_settings_refuses_one_it_does_not_follow(workspace) -> None:
    session = _app_session(workspace)
    with pytest.raises(ValueError, match="stopping_rule"):
        session.follow_settings({"stopping_rule": "heuristic"})
