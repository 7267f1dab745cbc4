"""The per-query hold of ``review search`` (store.sessions row ``search:NAME``): its release and heartbeat."""

from __future__ import annotations

import time

import pytest
import sqlalchemy as sa

from review.sources.search import SearchTakenOver, run_search
from review.sources.standin import running, synthetic_corpus
from review.store import searches as search_store
from review.store import sessions
from review.store.errors import StoreBusy

from .test_search import quick_client, stored_pmids, write_query


def test_a_busy_store_at_the_release_does_not_hide_a_finished_search(workspace, monkeypatch):
    def busy(store, claim):
        raise StoreBusy("the store is busy (an import holds the write lock); this change was not saved")

    monkeypatch.setattr(sessions, "release_session", busy)
    spec = write_query(workspace, name="ends")
    with running(synthetic_corpus(150, seed=3)) as standin:
        outcome = run_search(workspace, spec, client=quick_client(standin))
    assert outcome.status == "complete" and outcome.new_records == 150


def test_a_heartbeat_that_fails_with_any_error_beats_again(workspace, monkeypatch):
    beats: list[int] = []

    def dropped(store, claim, **kwargs):
        beats.append(1)
        raise sa.exc.OperationalError("UPDATE reviewer_sessions", {}, Exception("server closed the connection"))

    monkeypatch.setattr(sessions, "HEARTBEAT_EVERY", 0.01)
    monkeypatch.setattr(sessions, "heartbeat", dropped)
    spec = write_query(workspace, name="beats")
    with running(synthetic_corpus(300, seed=4)) as standin:
        outcome = run_search(workspace, spec, client=quick_client(standin, efetch_batch=100),
                             progress=lambda event: time.sleep(0.05) if event.phase == "fetch" else None)
    assert outcome.new_records == 300 and len(beats) >= 2  # the thread lived on past the first error


def test_a_search_whose_hold_was_taken_over_stops_before_storing_the_next_batch(workspace, monkeypatch):
    monkeypatch.setattr(sessions, "HEARTBEAT_EVERY", 0.01)
    spec = write_query(workspace, name="taken")

    def taken_over_meanwhile(event):
        if event.phase == "fetch" and event.done == 100:
            with workspace.store.engine.begin() as conn:  # another process took the stale row over
                conn.execute(sessions.reviewer_sessions.update()
                             .where(sessions.reviewer_sessions.c.reviewer == "search:taken").values(token="theirs"))
            time.sleep(0.3)  # a few heartbeats

    with running(synthetic_corpus(300, seed=5)) as standin:
        with pytest.raises(SearchTakenOver) as caught:
            run_search(workspace, spec, client=quick_client(standin, efetch_batch=100), progress=taken_over_meanwhile)
    message = str(caught.value)
    assert message.startswith("query 'taken': another process took this search over") and "\n" not in message
    assert sum(stored_pmids(workspace).values()) == 100
    (run,) = search_store.runs(workspace.store, "taken")
    assert run["status"] != "interrupted"  # the run is the other process's to end
    with workspace.store.engine.connect() as conn:  # and its hold stays
        assert conn.execute(sa.select(sessions.reviewer_sessions.c.token)).scalars().all() == ["theirs"]


def test_a_query_another_process_searches_is_reported_busy_and_the_others_go_on(workspace, monkeypatch):
    from click.testing import CliRunner

    from review.cli import main
    from review.sources.search import run_searches

    write_query(workspace, name="a")
    write_query(workspace, name="b")
    held = sessions.claim_search(workspace.store, "a")  # (this process: alive, on this host)
    with running(synthetic_corpus(120, seed=6)) as standin:
        monkeypatch.setenv("REVIEW_EUTILS_URL", standin.url)
        result = CliRunner().invoke(main, ["-w", str(workspace.root), "search", "a", "b", "--no-progress"])
        assert result.exit_code == 6, result.output
        rows = [line.split("\t")[:5] for line in result.stdout.splitlines()[1:]]
        assert rows == [["a", "busy", "-", "-", "-"], ["b", "complete", "120", "120", "120"]]
        (refusal,) = result.stderr.splitlines()
        assert refusal.startswith("review: query 'a' is already being searched by another process")
        outcomes = run_searches(workspace, ["a", "b"], client=quick_client(standin))
    assert [(o.name, o.status) for o in outcomes] == [("a", "busy"), ("b", "complete")]
    sessions.release_session(workspace.store, held)
