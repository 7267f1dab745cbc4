"""Constructed rankings and the stopping classifier's answers given check by check, for the tests that walk the
recommended rule (decision 0072's C3) through ``review simulate``'s ``first_stop`` and through a session (both ask
``_estimate``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import scipy.sparse as sp

from review.screening import stopping_classifier as sc
from review.screening.stopping_rate import lomax_first_stop, most_left_for_target

N = 1500


def thirty_found_early() -> np.ndarray:
    """30 relevant records in the first 150 ranks of 1,500 (one in five), none after: k* = 1 from the 20th on."""
    labels = np.zeros(N, dtype=np.int64)
    labels[list(range(0, 150, 5))] = 1
    return labels


def found_early(relevant: int) -> np.ndarray:
    """``relevant`` records among the first ranks of 1,500 (one in three), none after: at 95 % k* is 5 from 95 found
    to 113 and 6 from 114 on, where the classifier is asked (``FEWEST_ALLOWED``)."""
    labels = np.zeros(N, dtype=np.int64)
    labels[list(range(0, 3 * relevant, 3))] = 1
    return labels


def given_answers(monkeypatch: pytest.MonkeyPatch, probability_at: Callable[[int], float | None]) -> None:
    """The classifier answers P(left ≤ k*) = ``probability_at(screened)`` at each check (None: too few labels for a
    fit, nothing asked), counting 2.0 left."""
    def answer(labelled: Any, y: np.ndarray, unscreened: Any, **_: Any) -> sc.ClassifierEstimate | None:
        p = probability_at(int(y.size))
        found = int(np.sum(y))
        return None if p is None else sc.ClassifierEstimate(int(y.size), found, 2.0,
                                                            int(most_left_for_target(found, 0.95)), p, 4)

    monkeypatch.setattr(sc, "_estimate", answer)


def trend_stop(labels: np.ndarray) -> int | None:
    """Where the rule's Lomax part stops on ``labels`` in rank order (no priors), at its level (0.99 at 0.95, decision
    0078)."""
    return lomax_first_stop(labels, level=sc.trend_levels(0.95))


def simulated_stop(labels: np.ndarray) -> int | None:
    """``review simulate``'s stop (``first_stop``) on ``labels`` in rank order, with the Lomax part's stop at its level."""
    return sc.first_stop(sp.csr_matrix(np.ones((labels.size, 1))), np.arange(labels.size), labels, n_priors=0,
                         lomax_stop=trend_stop(labels))


def deciding_session(workspace: Any, labels: np.ndarray, *, seed: int = 1) -> tuple[Any, list[int]]:
    """A session deciding a constructed set whose record i is relevant where ``labels[i]``, and the records' ids in
    the order of ``labels`` (``seed``: the session's; the app's is review.toml's)."""
    from review.records import Record
    from review.screening.session import ScreeningSession

    records = [Record(title=f"{'insomnia therapy' if y else 'cardiology registry'} record {i}",
                      abstract=f"words {i % 17} more {i % 5}", external_id=str(i)) for i, y in enumerate(labels)]
    workspace.store.add_batch(records, file_name="made.csv", file_sha256="w" * 64, source_name="test",
                              format="csv", encoding="utf-8")
    return ScreeningSession(workspace, "alice", seed=seed, quick_start=True), [r.id for r in workspace.store.records()]


def verdict_after_due_check(session: Any, checks: list[int]) -> str:
    """The verdict once a due check is made and taken (as the screening screen does after each queue)."""
    epoch = session.evidence_epoch
    if session.stopping_evidence_due():
        evidence = session.stopping_evidence()
        checks.append(int(evidence["screened"]))
        assert session.apply_stopping_evidence(evidence, epoch)
    return str(session.progress().stopping.verdict)


def decide_ranked(session: Any, ids: list[int], labels: np.ndarray, upto: int, checks: list[int]) -> str:
    """Decide the records ranked first to ``upto`` as ``labels`` says, making each due check as the screen does; the
    verdict after the last."""
    verdict = ""
    for at in range(upto):
        session.decide(ids[at], "include" if labels[at] else "exclude")
        verdict = verdict_after_due_check(session, checks)
    return verdict


def app_with_stored_queue(workspace: Any, labels: np.ndarray, checks: list[int], *,
                          seed: int = 1) -> tuple[Any, list[int]]:
    """A session (the app's when ``seed`` is review.toml's) that decided 605 records from the queue, the checks it
    made noted in ``checks`` (with ``found_early``'s labels, the last at 600), its queue stored with that view."""
    session, ids = deciding_session(workspace, labels, seed=seed)
    decide_ranked(session, ids, labels, 605, checks)
    session.apply_ranking(session.retrain())
    session.save_ranking()
    return session, ids


def in_shell(workspace: Any, *args: str) -> None:
    """``review -r alice ARGS…`` run in a shell, which must succeed."""
    from click.testing import CliRunner

    from review.cli import main

    done = CliRunner().invoke(main, ["-w", str(workspace.root), "-r", "alice", *args])
    assert done.exit_code == 0, done.output


def status_advice(workspace: Any) -> Any:
    """``review status --stopping``'s advice for alice (the service the command calls)."""
    from review.services.screening import stopping_advice

    (advice,) = stopping_advice(workspace, ["alice"])
    return advice
