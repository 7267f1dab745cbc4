"""Sequences of decide, pick, undo, set-aside, import and reopen on a constructed ranking, after each of which the
app's session, ``review status --stopping`` and a session opened afresh give the verdict of ``review simulate``'s walk
on the set the recommended rule reads then (the records to screen less those picked, in the order decided): the
classifier's answers given per check, the trend's part the real Lomax rule (rrev27b, on 413bd8a1)."""

from __future__ import annotations

import sys
from typing import Any

import numpy as np
import pytest

from stopping_given import (
    app_with_stored_queue,
    decide_ranked,
    deciding_session,
    found_early,
    given_answers,
    in_shell,
    status_advice,
    verdict_after_due_check,
)



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


def _queue_stored_then_record_picked(workspace: Any, labels: np.ndarray, checks: list[int],
                                     seed: int = 1) -> tuple[Any, list[int]]:
    """``app_with_stored_queue``, then record 1,000 picked by id in a shell (``review decide ID --exclude``, decision
    0071): the set the rule reads is 1,499 records, so the stored view no longer names it."""
    session, ids = app_with_stored_queue(workspace, labels, checks, seed=seed)
    in_shell(workspace, "decide", str(ids[1000]), "--exclude")
    return session, ids


def test_status_stores_the_check_it_made_after_a_pick_so_the_next_status_and_a_session_opened_afresh_make_none(
        workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    # session 27's audit: after a record picked in a shell the stored queue's view no longer names the set the rule
    # reads, and every review status --stopping made the check again (25-31 s at 50,000 records) and kept nothing,
    # until the app stored a queue. 114 relevant of 1,500, 605 decided from the queue (stop at 600), the queue stored
    # with that view; a record picked in a shell: 1,499, the check due at once at 600 (0.9 there: stop, the walk's).
    asked: list[int] = []
    given_answers(monkeypatch, lambda at: asked.append(at) or 0.9)
    labels = found_early(114)
    checks: list[int] = []
    session, ids = _queue_stored_then_record_picked(workspace, labels, checks, seed=workspace.config.seed)  # (the app's)
    assert _walk_says(np.delete(labels, 1000), 605) == "stop"
    asked.clear()
    first = status_advice(workspace)
    assert (first.verdict, first.evidence_computed, asked) == ("stop", True, [600])
    second = status_advice(workspace)
    assert (second.verdict, second.evidence_computed, asked) == ("stop", False, [600])  # no check made again
    assert second.explanation == first.explanation
    from review.screening.session import ScreeningSession

    reopened, checked = ScreeningSession(workspace, "alice", quick_start=True), []
    assert verdict_after_due_check(reopened, checked) == "stop" and checked == [] and asked == [600]


def _answers_by_set(monkeypatch: pytest.MonkeyPatch, asked: list[tuple[int, int]],
                    probability: Any) -> None:
    """The classifier answers ``probability(screened, unscreened)`` at each check (as ``given_answers``, told the
    set too: the unscreened records it scores), each check noted in ``asked``."""
    from review.screening import stopping_classifier as sc
    from review.screening.stopping_rate import most_left_for_target

    def answer(labelled: Any, y: np.ndarray, unscreened: Any, **_: Any) -> Any:
        asked.append((int(y.size), int(unscreened.shape[0])))
        found = int(np.sum(y))
        return sc.ClassifierEstimate(int(y.size), found, 2.0, int(most_left_for_target(found, 0.95)),
                                     probability(int(y.size), int(unscreened.shape[0])), 4)

    monkeypatch.setattr(sc, "_estimate", answer)


def test_a_check_status_stored_is_made_once_over_a_pick_its_undo_an_import_and_a_set_aside_and_the_app_takes_it(
        workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    # 114 relevant of 1,500, 605 decided from the queue in the app, its queue stored. The classifier says 0.9 (stop)
    # only over the set less record 1,000 at 600 (899 unscreened), 0.5 elsewhere. After each change made in a shell
    # (a pick, its undo, an import, records removed), the first review status --stopping makes the walk's check there
    # and stores it, the second makes none and says the same, a session opened afresh makes none, and the app, once
    # it reads the change (its look), takes the stored check instead of making it again: one check per change.
    from review.records import Record
    from review.screening.session import ScreeningSession
    from review.store.fulltext import remove_records

    asked: list[tuple[int, int]] = []
    _answers_by_set(monkeypatch, asked, lambda screened, unscreened: 0.9 if (screened, unscreened) == (600, 899) else 0.5)
    labels = found_early(114)
    session, ids = deciding_session(workspace, labels, seed=workspace.config.seed)  # (the app's: review.toml's)
    checks: list[int] = []
    assert decide_ranked(session, ids, labels, 605, checks) == "continue" and checks[-1] == 600
    session.apply_ranking(session.retrain())
    session.save_ranking()

    def everywhere_once(walk: str, check: tuple[int, int], look: Any) -> None:
        asked.clear()
        first, second = status_advice(workspace), status_advice(workspace)
        assert (first.verdict, first.evidence_computed, second.verdict, second.evidence_computed) == (
            walk, True, walk, False), first.explanation
        assert second.explanation == first.explanation and asked == [check]
        reopened, checked = ScreeningSession(workspace, "alice", quick_start=True), []
        assert verdict_after_due_check(reopened, checked) == walk and checked == []
        look()  # the app's look at the store (next_record's, the 2 s look's)
        made = len(checks)
        assert verdict_after_due_check(session, checks) == walk and checks[made:] == [check[0]]
        assert asked == [check]  # the app took the check stored: no fit made again

    in_shell(workspace, "decide", str(ids[1000]), "--exclude")
    assert _walk_says(np.delete(labels, 1000), 605) == "stop"
    everywhere_once("stop", (600, 899), session.reload_decisions)
    in_shell(workspace, "decide", "--undo")
    assert _walk_says(labels, 605) == "continue"
    everywhere_once("continue", (600, 900), session.reload_decisions)
    workspace.store.add_batch([Record(title=f"update search record {i}", external_id=f"u{i}") for i in range(50)],
                              file_name="update.csv", file_sha256="u" * 64, source_name="update", format="csv",
                              encoding="utf-8")
    grown = np.concatenate([labels, np.zeros(50, dtype=np.int64)])  # 1,550: every 16, 592 reached
    assert _walk_says(grown, 605) == "continue"
    everywhere_once("continue", (592, 958), session.refresh_records)
    remove_records(workspace.store, [ids[1001], ids[1002]], "bob", "retracted")  # 1,548: every 16, 592 again
    assert _walk_says(np.delete(grown, [1001, 1002]), 605) == "continue"
    everywhere_once("continue", (592, 956), session.refresh_set_aside)


def test_what_the_app_writes_while_status_makes_its_check_is_kept_and_a_queue_it_stored_meanwhile_stands(
        workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    # review status --stopping stores its check in one short transaction, only over the queue it opened on. While its
    # check is being made (inside the classifier's fits) the app decides a record: the decision is saved, and the
    # check stored after it still stands for it (a decision after a check leaves it standing). Another pick in a
    # shell, and while status makes that check the app stores a queue: status stores nothing over it; the app's queue
    # stands as the app wrote it, and the next status, to which the app's view does not speak, makes the check.
    from review.store.screening import load_ranking

    during: list[Any] = []
    asked: list[tuple[int, int]] = []

    def probability(screened: int, unscreened: int) -> float:
        if during:
            during.pop()()
        return 0.5

    _answers_by_set(monkeypatch, asked, probability)
    labels = found_early(114)
    session, ids = _queue_stored_then_record_picked(workspace, labels, [])
    during.append(lambda: session.decide(ids[605], "exclude"))
    asked.clear()
    first = status_advice(workspace)
    assert first.evidence_computed and asked == [(600, 899)] and not during
    assert session.is_decided(ids[605]) and len(workspace.store.decisions(reviewer="alice")) == 607
    second = status_advice(workspace)
    assert not second.evidence_computed and second.verdict == first.verdict and asked == [(600, 899)]
    assert second.screened == first.screened + 1

    in_shell(workspace, "decide", str(ids[1001]), "--exclude")
    stored: list[dict[str, Any]] = []

    def app_stores_a_queue() -> None:
        session.apply_ranking(session.retrain())
        session.save_ranking()
        stored.append(load_ranking(workspace.store, "alice"))

    during.append(app_stores_a_queue)
    asked.clear()
    third = status_advice(workspace)
    assert third.evidence_computed and asked == [(600, 898)] and stored
    after = load_ranking(workspace.store, "alice")
    assert after is not None and (after["created_at"], after["model_info"]) == (stored[0]["created_at"],
                                                                                stored[0]["model_info"])
    assert after["model_info"]["stopping_classifier"]["records"] == 1500  # the app's, over the set it had read
    fourth, fifth = status_advice(workspace), status_advice(workspace)
    assert (fourth.evidence_computed, fifth.evidence_computed) == (True, False)
    assert asked == [(600, 898)] * 2 and third.verdict == fourth.verdict == fifth.verdict
    assert len(workspace.store.decisions(reviewer="alice")) == 608


#: Run where file permissions bind (``sys.argv[1]``: a workspace whose folder and review.db are read-only to it):
#: review status --stopping twice, the classifier answering 0.9 at each check; one JSON line of what each printed,
#: its exit status and the checks made.
_STATUS_TWICE = """
import json, sys

import numpy as np
from click.testing import CliRunner

from review.cli import main
from review.screening import stopping_classifier as sc
from review.screening.stopping_rate import most_left_for_target

asked = []

def answer(labelled, y, unscreened, **_):
    asked.append(int(y.size))
    found = int(np.sum(y))
    return sc.ClassifierEstimate(int(y.size), found, 2.0, int(most_left_for_target(found, 0.95)), 0.9, 4)

sc._estimate = answer
runs = [CliRunner().invoke(main, ["-w", sys.argv[1], "status", "--stopping"]) for _ in range(2)]
print(json.dumps({"exit": [r.exit_code for r in runs], "out": [r.stdout for r in runs], "asked": asked}))
"""


@pytest.mark.skipif(sys.platform == "win32", reason="needs POSIX permissions")
def test_a_read_only_store_still_gives_status_its_verdict_and_makes_the_check_each_time(
        workspace, monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    # Storing the check is best effort: where the workspace folder and review.db are read-only to the user, review
    # status --stopping says its verdict (exit 0) each time, makes the check each time, and writes nothing.
    import gc
    import json
    import stat

    from bound_permissions import run_where_permissions_bind

    if workspace.store.engine.dialect.name != "sqlite":
        pytest.skip("file permissions bind a SQLite store only")
    given_answers(monkeypatch, lambda at: 0.9)
    labels = found_early(114)
    session, ids = _queue_stored_then_record_picked(workspace, labels, [])
    workspace.store.engine.dispose()
    session.store.engine.dispose()
    gc.collect()  # (the command's own Workspace keeps a connection, and review.db-wal, until then)
    root = workspace.root
    assert not root.joinpath("review.db-wal").exists()
    before = root.joinpath("review.db").read_bytes()
    script = tmp_path / "status_twice.py"
    script.write_text(_STATUS_TWICE, encoding="utf-8")
    root.joinpath("review.db").chmod(stat.S_IRUSR)
    root.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        done = run_where_permissions_bind(script, [str(root)], tmp_path)
    finally:
        root.chmod(stat.S_IRWXU)
        root.joinpath("review.db").chmod(stat.S_IRUSR | stat.S_IWUSR)
    assert done.returncode == 0, done.stderr[-3000:]
    ran = json.loads(done.stdout.strip().splitlines()[-1])
    assert ran["exit"] == [0, 0] and ran["asked"] == [600, 600], ran
    assert ran["out"][0] == ran["out"][1] and "stopping   alice: STOP (Recommended rule)" in ran["out"][0], ran
    assert root.joinpath("review.db").read_bytes() == before
