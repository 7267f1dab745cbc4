"""Decision 0071: the recommended rule's trend reads the decisions taken from the queue, and leaves the records a
reviewer picked (by id in ``review decide``, in the record browser, from search: ``chosen``) out of its set. Its
trend is the rate of relevant records along the order decided; an order of the reviewer's own is no ranking, and
before this the rule read it as one (rrev24a's design note)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from stopping_given import N, given_answers, thirty_found_early


def _made(workspace: Any, labels: np.ndarray) -> list[int]:
    from review.records import Record

    records = [Record(title=f"{'insomnia therapy' if y else 'cardiology registry'} record {i}",
                      abstract=f"words {i % 17} more {i % 5}", external_id=str(i)) for i, y in enumerate(labels)]
    workspace.store.add_batch(records, file_name="made.csv", file_sha256="q" * 64, source_name="test",
                              format="csv", encoding="utf-8")
    return [record.id for record in workspace.store.records()]


def _forty_with_ten_deep() -> np.ndarray:
    """thirty_found_early's 30 relevant records in the first 150 of 1,500, and 10 more at 1,000-1,009."""
    labels = thirty_found_early()
    labels[1000:1010] = 1
    return labels


def _first_stop(session: Any, ids: list[int], labels: np.ndarray, until: int, *, chosen: bool) -> int | None:
    """Decide ``ids[:until]`` in that order; where the session's verdict first says stop (checks made when due)."""
    for at, (record_id, y) in enumerate(zip(ids[:until], labels[:until], strict=True), start=1):
        session.decide(record_id, "include" if y else "exclude", chosen=chosen)
        epoch = session.evidence_epoch
        if session.stopping_evidence_due():
            session.apply_stopping_evidence(session.stopping_evidence(), epoch)
        if session.progress().stopping.verdict == "stop":
            return at
    return None


@pytest.mark.parametrize("chosen", [False, True])
def test_an_order_picked_by_id_gives_no_verdict_where_read_as_a_ranking_it_stopped_short(
        workspace, monkeypatch: pytest.MonkeyPatch, chosen: bool) -> None:
    # A team decides 660 records by id, its 30 relevant ones early and 630 irrelevant after (records it knew, then
    # a list of obvious exclusions); 10 relevant records wait among the 840 not decided (660: the trend at 99 %,
    # decision 0078, stops this order at 653; at 98 % it stopped at 578). Read as a ranking, that order stops the
    # recommended rule (the classifier's answers given: 0.15, two checks in a row at 10 %) with 30 of 40 found,
    # recall 75 %. Taken from the queue (chosen=False, the same order: the session cannot tell) it is
    # what the rule is for, and it stops there; picked by id it gives no verdict, and says why.
    from review.screening.session import ScreeningSession, no_verdict_words

    given_answers(monkeypatch, lambda at: 0.15)
    labels = _forty_with_ten_deep()
    ids = _made(workspace, labels)
    session = ScreeningSession(workspace, "alice", seed=1, quick_start=True)
    stop = _first_stop(session, ids, labels, 660, chosen=chosen)
    if not chosen:
        assert stop is not None and labels[:stop].sum() / labels.sum() == pytest.approx(0.75)
        return
    assert stop is None
    progress = ScreeningSession(workspace, "alice", seed=1, quick_start=True).progress()  # (read back from the store)
    assert progress.no_verdict and progress.picked == 660 and progress.screened == 660
    stopping = progress.stopping
    assert stopping.verdict == "continue" and stopping.explanation == no_verdict_words(660)
    assert stopping.estimated_recall is None and stopping.expected_remaining is None


def test_the_trend_reads_the_decisions_taken_from_the_queue_and_leaves_the_picked_records_out(workspace) -> None:
    # Screening from the queue with records picked in between (a search, the browser, review decide): the verdict is
    # the rule's on the decisions taken, in the set less the records picked, and says so; a reopened session, which
    # reads the decisions lean from the store, says the same.
    from review.screening.session import ScreeningSession
    from review.screening.stopping import assess

    labels = np.zeros(400, dtype=np.int64)
    labels[[0, 3, 7, 12, 20, 31, 45, 60, 80, 150, 390, 395]] = 1
    ids = _made(workspace, labels)
    truth = dict(zip(ids, labels.tolist(), strict=True))
    picked = [ids[395], ids[390]]  # two relevant records known before screening; two irrelevant ones later
    session = ScreeningSession(workspace, "alice", seed=1, quick_start=True)
    for record_id in picked:
        session.decide(record_id, "include", chosen=True)
    taken: list[int] = []
    for at in range(120):
        if at == 60:
            picked += [r for r in ids[200:390] if not session.is_decided(r)][:2]
            for record_id in picked[2:]:
                session.decide(record_id, "exclude", chosen=True)
        record = session.next_record()
        assert record is not None and record.id not in picked
        session.decide(record.id, "include" if truth[record.id] else "exclude")
        taken.append(truth[record.id])
        if at % 20 == 19:
            session.apply_ranking(session.retrain())
    progress = session.progress()
    expected = assess(taken, [], 400 - len(picked), rule="recommended")
    stopping = progress.stopping
    assert progress.screened == 124 and progress.picked == 4 and not progress.no_verdict
    assert (stopping.screened, stopping.relevant_found, stopping.remaining) == (120, sum(taken), 276)
    assert stopping.expected_remaining == expected.expected_remaining and stopping.verdict == expected.verdict
    assert stopping.explanation.startswith(expected.explanation)
    assert stopping.explanation.endswith("It reads the 120 decisions you took from the ranked queue: the 4 records "
                                         "you picked (by id in review decide, in the record browser, from search) "
                                         "are left out of its trend and its counts, so the recall it gives is of "
                                         "the rest; counting them, recall is at least that.")
    assert ScreeningSession(workspace, "alice", seed=1, quick_start=True).progress() == progress
    # The certified rule's heuristics read every decision, as before (its random sample does not depend on order).
    session.set_stopping_rule("certified")
    certified = session.progress()
    assert certified.picked == 0 and certified.stopping.screened == 124


def test_the_classifier_check_asks_about_the_set_the_trend_reads(workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    # The check's k* must be the trend's: it is fitted on the decisions taken and counts what is left among the
    # records not decided, the picked ones neither labelled nor unscreened there. (30 relevant found: k* = 1, asked
    # here as before decision 0072, which asks from k* = 6.)
    from review.screening import stopping_classifier as sc
    from review.screening.session import ScreeningSession

    asked: list[tuple[int, int]] = []

    def answer(labelled: Any, y: np.ndarray, unscreened: Any, **_: Any) -> sc.ClassifierEstimate | None:
        asked.append((int(y.size), int(unscreened.shape[0])))
        return None

    monkeypatch.setattr(sc, "_estimate", answer)
    monkeypatch.setattr(sc, "FEWEST_ALLOWED", 1)
    labels = thirty_found_early()
    ids = _made(workspace, labels)
    session = ScreeningSession(workspace, "alice", seed=1, quick_start=True)
    for record_id in ids[1400:1450]:  # 50 irrelevant records picked by id
        session.decide(record_id, "exclude", chosen=True)
    for record_id, y in zip(ids[:400], labels[:400], strict=True):
        session.decide(record_id, "include" if y else "exclude")
    assert session.stopping_evidence_due()
    session.stopping_evidence()
    # (made from the decisions up to the grid point reached, 390 of the 1,450 the trend reads: a step of 15)
    assert asked == [(390, N - 440)]


def test_a_reviewer_who_decided_only_by_id_hears_why_from_status_and_prisma_stop(workspace) -> None:
    # `review status --stopping` says why in the rule's sentence; `review prisma stop` records the reviewers' own
    # stop (the rule said no stop) and its note names the reason, not "says CONTINUE".
    from click.testing import CliRunner

    from review.cli import main
    from review.screening.session import no_verdict_words

    labels = np.zeros(60, dtype=np.int64)
    labels[:3] = 1
    ids = _made(workspace, labels)
    runner = CliRunner()
    base = ["--workspace", str(workspace.root)]
    for record_id, y in zip(ids[:20], labels[:20], strict=True):
        result = runner.invoke(main, [*base, "-r", "alice", "decide", str(record_id),
                                      "--include" if y else "--exclude"])
        assert result.exit_code == 0, result.output
    status = runner.invoke(main, [*base, "status", "--stopping"])
    assert status.exit_code == 0, status.output
    assert f"  {no_verdict_words(20)}" in status.output.splitlines()
    stop = runner.invoke(main, [*base, "-r", "alice", "prisma", "stop", "screened what we knew"])
    assert stop.exit_code == 0, stop.output
    assert ("note: alice's recommended rule gives no verdict: all 20 of alice's decisions were picked by id, none "
            "taken from the queue whose order it reads") in stop.output
    from review.store.fulltext import current_screening_stop

    standing = current_screening_stop(workspace.store)
    assert standing is not None and standing.verdict["verdict"] == "continue"


def test_the_no_verdict_sentence_keeps_to_the_screening_screens_three_lines_at_80_columns() -> None:
    from rich.console import Console
    from rich.text import Text

    from review.screening.session import no_verdict_words
    from review.screening.stopping import StoppingStatus
    from review.tui.screens.screening import STOPPING_MIN_LINES, stopping_words

    for picked in (1, 999, 12_345, 99_999):
        status = StoppingStatus("continue", None, no_verdict_words(picked), 0, 0, 50_000, rule="recommended")
        verdict = Text()
        verdict.append(" CONTINUE ", style="bold reverse")
        verdict.append(f" {stopping_words(status, 'ranked')}")
        assert len(verdict.wrap(Console(width=78), 78)) <= STOPPING_MIN_LINES, picked


def test_a_check_made_by_a_session_that_follows_the_certified_rule_is_the_recommended_rules(
        workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    # The TUI's worker process keeps the session it opened, with the rule review.toml named then: a reviewer who
    # pressed t since follows the recommended rule while the worker's session still says certified. Its check must
    # be made on the decisions taken from the queue (else the app's session finds it made from other decisions,
    # drops it and asks again), and carried in its queue.
    from review.screening import stopping_classifier as sc
    from review.screening.session import ScreeningSession

    given_answers(monkeypatch, lambda at: 0.5)
    labels = thirty_found_early()
    ids = _made(workspace, labels)
    app = ScreeningSession(workspace, "alice", seed=1, quick_start=True)
    for record_id in ids[1400:1450]:
        app.decide(record_id, "exclude", chosen=True)
    for record_id, y in zip(ids[:400], labels[:400], strict=True):
        app.decide(record_id, "include" if y else "exclude")
    worker = ScreeningSession(workspace, "alice", seed=1, quick_start=True)
    worker.stopping_rule = "certified"  # (as read at its opening)
    epoch = app.evidence_epoch
    evidence = worker.stopping_evidence()
    assert evidence is not None and evidence["screened"] == 390  # (the grid point reached: 1,450 records, step 15)
    assert app.apply_stopping_evidence(evidence, epoch) and not app.stopping_evidence_due()
    assert worker.apply_stopping_evidence(evidence, worker.evidence_epoch)
    assert worker.retrain().model_info.get("stopping_classifier") == evidence
    assert sc.view_holds(evidence, app._trend_reading(app._state.tally(app._hidden)).decision_ids,
                         target_recall=0.95)


def test_a_record_an_undo_of_a_pick_brings_back_stays_picked(workspace) -> None:
    # The record an undo brings back is shown again and decided with the screen's key (chosen not set): after an
    # undo of a pick that decision must stay a pick, or the record the reviewer chose (a known relevant one, opened
    # from search) enters the trend as if the queue had served it. A reopened session reads it the same.
    from review.screening.session import ScreeningSession

    labels = np.zeros(60, dtype=np.int64)
    labels[:3] = 1
    ids = _made(workspace, labels)
    session = ScreeningSession(workspace, "alice", seed=1, quick_start=True)
    for _ in range(5):
        record = session.next_record()
        assert record is not None and record.id != ids[0]
        session.decide(record.id, "exclude")
    session.decide(ids[0], "include", chosen=True)
    session.undo()
    record = session.next_record()
    assert record is not None and record.id == ids[0]
    decision = session.decide(record.id, "include")  # the screening screen's key on the record brought back
    assert decision.model_info.get("chosen") is True
    progress = session.progress()
    assert (progress.picked, progress.stopping.screened, progress.stopping.relevant_found) == (1, 5, 0)
    assert ScreeningSession(workspace, "alice", seed=1, quick_start=True).progress() == progress
    # An undo of a decision the queue served brings its record back as the queue's: taken, as before.
    session.undo()
    record = session.next_record()
    assert record is not None
    session.undo()
    again = session.next_record()
    assert again is not None
    assert session.decide(again.id, "exclude").model_info.get("chosen") is None


def test_with_every_record_screened_the_verdict_counts_every_decision_picked_or_not(workspace) -> None:
    # Nothing is left, so no order is read: the verdict is the one every decision gives (every relevant record
    # found, recall 100 %), as before decision 0071, not one on the decisions taken alone (0 screened, 0 found and
    # no recall, which the dashboard, status --stopping and a stop recorded by prisma stop then showed).
    from review.screening.session import ScreeningSession

    labels = np.zeros(30, dtype=np.int64)
    labels[:3] = 1
    ids = _made(workspace, labels)
    session = ScreeningSession(workspace, "alice", seed=1, quick_start=True)
    for record_id, y in zip(ids[:5], labels[:5], strict=True):
        session.decide(record_id, "include" if y else "exclude", chosen=True)
    for _ in range(25):
        record = session.next_record()
        assert record is not None
        session.decide(record.id, "exclude")
    progress = session.progress()
    stopping = progress.stopping
    assert (stopping.verdict, stopping.screened, stopping.relevant_found, stopping.estimated_recall) == \
        ("stop", 30, 3, 1.0)
    assert (progress.remaining, progress.picked, progress.no_verdict) == (0, 0, False)
    for record_id in ids[5:]:  # every decision picked: the same
        session.decide(record_id, "exclude", chosen=True)
    stopping = ScreeningSession(workspace, "alice", seed=1, quick_start=True).progress().stopping
    assert (stopping.verdict, stopping.screened, stopping.relevant_found, stopping.estimated_recall) == \
        ("stop", 30, 3, 1.0)
