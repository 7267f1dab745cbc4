"""Sequences of decide, pick, undo, set-aside, import and reopen on a constructed ranking, after each of which the
app's session, ``review status --stopping`` and a session opened afresh give the verdict of ``review simulate``'s walk
on the set the recommended rule reads then (the records to screen less those picked, in the order decided): the
classifier's answers given per check, the trend's part the real Lomax rule (rrev27b, on 413bd8a1)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from stopping_given import decide_ranked, deciding_session, found_early, given_answers, verdict_after_due_check



def _verdicts(workspace: Any, session: Any, checks: list[int]) -> tuple[str, str, str]:
    """The app's verdict, review status --stopping's and a session's opened afresh on the stored queue."""
    from review.screening.session import ScreeningSession
    from review.services.screening import stopping_advice

    app = verdict_after_due_check(session, checks)
    (shell,) = stopping_advice(workspace, ["alice"])
    return app, shell.verdict, verdict_after_due_check(ScreeningSession(workspace, "alice", seed=1, quick_start=True), [])


def _walk_says(labels: np.ndarray, screened: int) -> str:
    """review simulate's walk on ``labels`` (the set the rule reads, in the order decided), after ``screened``."""
    import scipy.sparse as sp

    from review.screening import stopping_classifier as sc
    from review.screening.stopping_rate import lomax_first_stop

    trend = lomax_first_stop(labels, level=sc.trend_levels(0.95), target_recall=0.95)
    stop = sc.first_stop(sp.csr_matrix(np.ones((labels.size, 1))), np.arange(labels.size), labels, n_priors=0,
                         lomax_stop=trend)
    return "stop" if stop is not None and stop <= screened else "continue"


def test_picks_undos_and_set_asides_on_a_set_whose_grid_moves_give_the_walks_verdict_everywhere(
        workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    # 1,501 records check every 16 (592: 0.5, continue); 1,500 every 15 (600: 0.9, stop). 114 relevant, 605 decided
    # from the queue. A record picked by id leaves the set the rule reads (decision 0071): 1,500, and the check made
    # at once is the walk's at 600 there; the pick undone, 1,501 again and 592's. A record set aside in a shell
    # likewise, first for the shell and a session opened afresh (which read it), then for the app once it reads it.
    from review.store.fulltext import remove_records

    given_answers(monkeypatch, lambda at: 0.9 if at == 600 else 0.5)
    labels = np.concatenate([found_early(114), [0]])
    session, ids = deciding_session(workspace, labels)
    checks: list[int] = []
    for at in range(605):
        session.decide(ids[at], "include" if labels[at] else "exclude")
        assert verdict_after_due_check(session, checks) == "continue", at + 1
    assert checks[-1] == 592 and _walk_says(labels, 605) == "continue"
    session.decide(ids[1000], "exclude", chosen=True)
    assert _verdicts(workspace, session, checks) == ("stop",) * 3 and checks[-1] == 600
    assert _walk_says(np.delete(labels, 1000), 605) == "stop"
    session.undo()
    assert _verdicts(workspace, session, checks) == ("continue",) * 3 and checks[-1] == 592
    session.decide(ids[1000], "exclude", chosen=True)
    session.apply_ranking(session.retrain())
    session.save_ranking()  # (the stored queue carries the view to the shell and a session opened afresh)
    made = len(checks)
    assert _verdicts(workspace, session, checks) == ("stop",) * 3 and checks[made:] == [600]
    remove_records(workspace.store, [ids[1001], ids[1002]], "bob", "retracted")  # 1,498: every 15, 600 again
    assert _verdicts(workspace, session, checks) == ("stop",) * 3 and checks[made:] == [600]  # (not read yet)
    assert session.refresh_set_aside()
    assert _verdicts(workspace, session, checks) == ("stop",) * 3 and checks[made:] == [600, 600]
    assert _walk_says(np.delete(labels, [1000, 1001, 1002]), 605) == "stop"
    # Decided on from the queue past the next check (615 of 1,498: 0.5, the view in force says continue), then two
    # undos: the 616th decision (the view of 615 stands), the 615th (the check again from the 600 before it: stop).
    for at in range(605, 616):
        session.decide(ids[at], "exclude")
        verdict_after_due_check(session, checks)
    assert checks[-1] == 615 and session.progress().stopping.verdict == "continue"
    session.undo()
    assert _verdicts(workspace, session, checks) == ("continue",) * 3 and checks[-1] == 615
    session.undo()
    assert _verdicts(workspace, session, checks) == ("stop",) * 3 and checks[-1] == 600


def test_a_view_stored_before_views_named_their_records_is_checked_again_once_not_carried_over_an_import(
        workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    # A view stored by a version before 413bd8a1 names no record count. Read as holding, it stood over records
    # imported after the upgrade: made at 600 of 1,500 (0.9: stop), it still stopped the rule after 50 records were
    # imported that it never scored, in the app opened afresh and in review status --stopping, where the walk on 1,550
    # (checks every 16: 592, 0.5) goes on. A session does not carry such a view: one check, at the grid point reached.
    from review.records import Record
    from review.screening.session import ScreeningSession

    given_answers(monkeypatch, lambda at: 0.9 if at == 600 else 0.5)
    labels = found_early(114)
    session, ids = deciding_session(workspace, labels)
    checks: list[int] = []
    decide_ranked(session, ids, labels, 605, checks)
    assert checks[-1] == 600 and session.progress().stopping.verdict == "stop"
    del session._classifier_view["records"]  # as the version before stored it
    session.apply_ranking(session.retrain())
    session.save_ranking()
    # Nothing changed since: the check made again is the view stored (the same verdict, at the cost of one check).
    reopened, checked = ScreeningSession(workspace, "alice", seed=1, quick_start=True), []
    assert verdict_after_due_check(reopened, checked) == "stop" and checked == [600]
    workspace.store.add_batch([Record(title=f"update search record {i}", external_id=f"u{i}") for i in range(50)],
                              file_name="update.csv", file_sha256="u" * 64, source_name="update", format="csv",
                              encoding="utf-8")
    assert _walk_says(np.concatenate([labels, np.zeros(50, dtype=np.int64)]), 605) == "continue"
    app, checked = ScreeningSession(workspace, "alice", seed=1, quick_start=True), []
    assert _verdicts(workspace, app, checked) == ("continue",) * 3 and checked == [592]


def test_a_correction_by_pick_an_import_and_a_reopening_give_the_walks_verdict_everywhere(
        workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    # The classifier at 0.9 at every check but those of 608 and 624 (the grid of 1,550 records: 0.5). 114 relevant of
    # 1,500, 605 decided from the queue: stop at 600. An irrelevant record decided from the queue, corrected in the
    # browser (a pick: it leaves the set, decision 0071): 604 decisions taken of 1,499, the check at once from the 600
    # before in the order now in force (stop, as the walk on that order). 50 records imported: 1,549, checks every 16;
    # one at once at 592 (0.9: stop, as the walk); 20 decisions on from the queue, the checks at 608 and 624 (0.5): the
    # trend alone, continue, as the walk's view in force there. Reopened with no retrain since: the same, in the shell too.
    from review.records import Record

    given_answers(monkeypatch, lambda at: 0.5 if at in (608, 624) else 0.9)
    labels = found_early(114)
    session, ids = deciding_session(workspace, labels)
    checks: list[int] = []
    decide_ranked(session, ids, labels, 605, checks)
    assert checks[-1] == 600 and session.progress().stopping.verdict == "stop"
    assert labels[10] == 0
    session.decide(ids[10], "exclude", chosen=True)
    made = len(checks)
    assert _verdicts(workspace, session, checks) == ("stop",) * 3 and checks[made:] == [600]
    in_force = np.delete(labels, 10)
    assert _walk_says(in_force, 604) == "stop"
    session.apply_ranking(session.retrain())
    session.save_ranking()
    workspace.store.add_batch([Record(title=f"update search record {i}", external_id=f"u{i}") for i in range(50)],
                              file_name="update.csv", file_sha256="u" * 64, source_name="update", format="csv",
                              encoding="utf-8")
    session.refresh_records()
    grown = np.concatenate([in_force, np.zeros(50, dtype=np.int64)])
    assert _walk_says(grown, 604) == "stop"
    assert _verdicts(workspace, session, checks) == ("stop",) * 3 and checks[made:] == [600, 592]
    for at in range(605, 625):
        session.decide(ids[at], "exclude")
        verdict_after_due_check(session, checks)
    assert checks[made:] == [600, 592, 608, 624] and session.progress().stopping.verdict == "continue"
    assert _verdicts(workspace, session, checks) == ("continue",) * 3


def test_a_pick_and_an_import_between_checks_that_leave_the_count_drop_the_view_made_over_the_other_records(
        workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    # rrev27b L1: a view named its set by its count only. 605 decided from the queue of 1,500 (114 relevant), the
    # check at 600 says 0.9: stop. Then, before any check, a record not yet decided is picked (it leaves the set the
    # rule reads: 1,499) and one record is imported (1,500 again): another set, whose unscreened records are not those
    # the view scored, but of the view's count, so the view stood (stop, no check) in the app, review status --stopping
    # and a session opened afresh. The classifier answers 0.5 over the set with the import (the walk's check at 600 on
    # it reads the new record): now each makes that check at once and goes on, as the walk on that set.
    from review.records import Record
    from review.screening.session import ScreeningSession

    imported: list[bool] = []
    given_answers(monkeypatch, lambda at: 0.5 if imported else 0.9)
    labels = found_early(114)
    session, ids = deciding_session(workspace, labels)
    checks: list[int] = []
    decide_ranked(session, ids, labels, 605, checks)
    assert checks[-1] == 600 and session.progress().stopping.verdict == "stop"
    session.apply_ranking(session.retrain())
    session.save_ranking()  # (the stored queue carries the view to the shell and a session opened afresh)
    session.decide(ids[1000], "exclude", chosen=True)
    workspace.store.add_batch([Record(title="update search record", external_id="u0")], file_name="update.csv",
                              file_sha256="u" * 64, source_name="update", format="csv", encoding="utf-8")
    imported.append(True)
    session.refresh_records()
    made = len(checks)
    assert _verdicts(workspace, session, checks) == ("continue",) * 3 and checks[made:] == [600]
    assert _walk_says(np.concatenate([np.delete(labels, 1000), [0]]), 605) == "continue"
    # The view made over this set stands: no check again in the app, nor in a session opened on the queue saved now.
    assert verdict_after_due_check(session, checks) == "continue" and checks[made:] == [600]
    session.apply_ranking(session.retrain())
    session.save_ranking()
    reopened, checked = ScreeningSession(workspace, "alice", seed=1, quick_start=True), []
    assert verdict_after_due_check(reopened, checked) == "continue" and checked == []


def test_a_view_that_names_its_count_only_is_read_by_its_count() -> None:
    # Views made on 2026-12-07 before views named their set carry "records" only: read as then, by the count.
    from review.screening import stopping_classifier as sc

    decided = list(range(1, 606))
    named = {"found": 114, "most_left": 6, **sc.decisions_made_from(decided, records=1500,
                                                                      record_set=sc.records_digest(range(1, 1501)))}
    counted_only = {key: value for key, value in named.items() if key != "record_set"}
    other = sc.records_digest([*range(1, 1000), *range(1001, 1502)])  # 1,000 picked, 1,501 imported
    assert sc.records_digest(range(1500, 0, -1)) == named["record_set"]
    assert sc.view_holds(named, decided, target_recall=0.95, records=1500, record_set=named["record_set"])
    assert not sc.view_holds(named, decided, target_recall=0.95, records=1500, record_set=other)
    assert sc.view_holds(counted_only, decided, target_recall=0.95, records=1500, record_set=other)
    assert not sc.view_holds(counted_only, decided, target_recall=0.95, records=1499, record_set=other)
