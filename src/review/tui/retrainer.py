"""Retraining in a separate process, so the model never competes with the keys for the GIL.

A retrain in a thread of the app's own process is off the UI thread but not off its GIL:
TF-IDF tokenising is Python code, and scoring 50,000 records, sorting them and building
the queue are C calls that hold the GIL for tens of milliseconds — a key pressed meanwhile
waits. Here a single worker process keeps its own ``ScreeningSession`` (features, texts) per
reviewer; every decision is in the store before the next record is shown, so the worker just
reads the decisions again, fits, ranks, saves the queue, and sends the ``Ranking`` back.
The app only unpickles it. ``[tui] retrain = "thread"`` in ``review.toml`` keeps the old way.

The recommended stopping rule's classifier evidence (decision 0025: six fits where k* ≥ 1, ~21 s of
CPU at 50,000 records with 20,000 decided; none where k* = 0) is made by a second worker process after
the queue is delivered, so no retrain waits for it; the app passes the evidence it took on to the retrain worker, whose stored queue
carries it over a reopening.
"""

from __future__ import annotations

import os
import pickle
import struct
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..services.screening import Ranking, ScreeningSession

RETRAIN_MODES = ("process", "thread")

#: The worker's scheduling priority below the app's (POSIX ``nice`` increment).
WORKER_NICENESS = 10

#: The worker process's sessions by (workspace root, reviewer): [session, records version].
_SESSIONS: dict[tuple[str, str], list[Any]] = {}


def _session_in_worker(root: str, reviewer: str, records_version: int) -> ScreeningSession:
    """Runs in a worker process: the reviewer's session, brought up to date with the store."""
    from ..services.screening import open_session
    from ..workspace import Workspace

    entry = _SESSIONS.get((root, reviewer))
    if entry is None:
        # Saving the queue here holds no key up: save every one (the app saves nothing itself).
        session = open_session(Workspace(Path(root)), reviewer, quick_start=True, save_interval=0.0)
        _SESSIONS[(root, reviewer)] = [session, records_version]
    else:
        session, version = entry
        if version != records_version:  # records imported or merged since
            session.refresh_records()
            entry[1] = records_version
        else:  # removals before screening may have changed (a shell, the app): the texts read stay
            session.refresh_set_aside()
        session.reload_decisions()
    return session  # type: ignore[no-any-return]


def _serve(kind: str, root: str, reviewer: str, records_version: int, evidence: dict[str, Any] | None,
           settings: dict[str, Any] | None = None) -> Any:
    """One request in a worker process: ``retrain`` (a ``Ranking``) or ``evidence`` (the stopping
    rule's classifier evidence, or None when no check is due). ``settings``: the app's session's model, query,
    seed, target recall and confidence (``fixed_settings``), which this session follows whatever review.toml
    says now."""
    session = _session_in_worker(root, reviewer, records_version)
    if settings is not None:
        # The app fixed them when it opened (an edit of review.toml applies at its next start, the app says so),
        # while this process opened its session later, at the first retrain or check: a target edited in between
        # gave checks of another k*, which the app's session found not to hold and asked for again, and a model
        # or seed edited in between ranked with settings the app said were not in use yet.
        session.follow_settings(settings)
    if kind == "evidence":
        epoch = session.evidence_epoch
        made = session.stopping_evidence()
        session.apply_stopping_evidence(made, epoch)  # this process's last check: the next is due a grid step on
        return made
    session.apply_stopping_evidence(evidence, session.evidence_epoch)  # what the app took: carried in the queue
    return session.retrain()


def _retrain_in_worker(root: str, reviewer: str, records_version: int) -> Ranking:
    """Runs in the worker process: the reviewer's session, brought up to date, retrained."""
    return _serve("retrain", root, reviewer, records_version, None)  # type: ignore[no-any-return]


def _send(stream: IO[bytes], value: object) -> None:
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(struct.pack("<Q", len(data)) + data)
    stream.flush()


def _receive(stream: IO[bytes]) -> Any:
    header = stream.read(8)
    if len(header) < 8:
        raise EOFError("retrain worker closed its pipe")
    (size,) = struct.unpack("<Q", header)
    return pickle.loads(stream.read(size))


def worker_main() -> None:
    """The worker process: (kind, root, reviewer, version, evidence, settings) in, ("ok", result) or
    ("error", text) out, until the app closes the pipe (or dies: its end of the pipe closes with it)."""
    source, sink = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # a stray print must not corrupt the pipe
    if hasattr(os, "nice"):
        os.nice(WORKER_NICENESS)  # on a busy machine the app's keys get the CPU first
    while True:
        try:
            request = _receive(source)
        except EOFError:
            return
        try:
            _send(sink, ("ok", _serve(*request)))
        except Exception as err:  # reported in the app; the worker keeps serving
            _send(sink, ("error", f"{type(err).__name__}: {err}"))


class Retrainer:
    """Retrains a session's model in a worker process (or in the calling thread)."""

    def __init__(self, mode: str = "process") -> None:
        if mode not in RETRAIN_MODES:
            raise ValueError(f"retrain mode {mode!r}: expected one of {', '.join(RETRAIN_MODES)}")
        self.mode = mode
        self.records_version = 0
        #: The stopping evidence the app took last, for the retrain worker's stored queue.
        self.evidence: dict[str, Any] | None = None
        #: The worker processes by kind ("retrain", "evidence") and a lock each: one request at a time.
        self._workers: dict[str, subprocess.Popen[bytes] | None] = {"retrain": None, "evidence": None}
        self._locks = {"retrain": threading.Lock(), "evidence": threading.Lock()}
        self._closed = False
        #: The waits on the thread retrainer's calls under way (set by ``close``), and their lock.
        self._waits: set[threading.Event] = set()
        self._waits_lock = threading.Lock()

    def retrain(self, session: ScreeningSession) -> Ranking:
        """Fit and rank on every stored decision; blocks the calling (worker) thread only."""
        if self.mode == "thread":
            return self._in_thread("retrain", session.retrain)  # type: ignore[no-any-return]
        return self._request("retrain", session)  # type: ignore[no-any-return]

    def stopping_evidence(self, session: ScreeningSession) -> dict[str, Any] | None:
        """The recommended stopping rule's classifier evidence when a check is due (else None),
        in its own worker process: a retrain meanwhile never waits for it. The caller applies it
        (``session.apply_stopping_evidence``) with the ``evidence_epoch`` read before this call."""
        if self.mode == "thread":
            return self._in_thread("evidence", session.stopping_evidence)
        return self._request("evidence", session)  # type: ignore[no-any-return]

    def _in_thread(self, kind: str, call: Callable[[], Any]) -> Any:
        """``call()`` in a daemon thread of this process, waited for here until it answers or ``close`` is called.

        The app's exit joins its worker threads, the one waiting here among them, and a fit under way cannot be
        stopped midway: a q during the first retrain at 50,000 records waited 8-17 s for the TF-IDF features
        and the fit. ``close`` ends the wait instead and the call's answer is dropped; the daemon thread does not
        hold the exit. Nothing is lost: decisions are the app's own writes, durable before the next record
        shows, and the call stores at most a queue (one transaction, rolled back if cut short), ranked again
        at the next open."""
        answered = threading.Event()
        outcome: list[tuple[bool, Any]] = []

        def run() -> None:
            try:
                outcome.append((True, call()))
            except BaseException as err:  # noqa: BLE001  (raised again in the waiting thread)
                outcome.append((False, err))
            finally:
                answered.set()

        with self._waits_lock:
            if self._closed:
                raise RuntimeError(f"the {kind} thread is closed (the app is ending)")
            self._waits.add(answered)
        try:
            threading.Thread(target=run, name=f"review-{kind}", daemon=True).start()
            answered.wait()
        finally:
            with self._waits_lock:
                self._waits.discard(answered)
        if not outcome:  # (closed first)
            raise RuntimeError(f"the {kind} was dropped (the app is ending)")
        done, value = outcome[0]
        if not done:
            raise value
        return value

    def _request(self, kind: str, session: ScreeningSession) -> Any:
        with self._locks[kind]:
            if self._closed:  # (a thread that asked as the app closed: no new process outlives the app)
                raise RuntimeError(f"the {kind} worker process is closed (the app is ending)")
            worker = self._start(kind)
            assert worker.stdin is not None and worker.stdout is not None
            try:
                _send(worker.stdin, (kind, str(Path(session.workspace.root).resolve()), session.reviewer,
                                     self.records_version, self.evidence, session.fixed_settings()))
                status, value = _receive(worker.stdout)
            except (OSError, EOFError) as err:
                self._workers[kind] = None
                raise RuntimeError(f"the {kind} worker process stopped ({err})") from err
        if status != "ok":
            raise RuntimeError(f"{'retraining' if kind == 'retrain' else 'the stopping evidence'} failed "
                               f"in the worker process: {value}")
        return value

    def _start(self, kind: str) -> subprocess.Popen[bytes]:
        worker = self._workers[kind]
        if worker is None or worker.poll() is not None:
            package_root = str(Path(__file__).resolve().parents[2])  # where ``review`` lives
            env = dict(os.environ)
            env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_root, env.get("PYTHONPATH")]))
            worker = self._workers[kind] = subprocess.Popen(
                [sys.executable, "-c", "from review.tui.retrainer import worker_main; worker_main()"],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env,
                close_fds=True,
            )
            if self._closed:  # closed while it started: it must not outlive the app (its request fails)
                worker.terminate()
        return worker

    def records_changed(self) -> None:
        """Records were imported or merged: the worker's session reads them (and their texts) again.
        A change of the records set aside needs no call: the worker reads those before every retrain."""
        self.records_version += 1

    def close(self) -> None:
        """End the worker processes; a request under way ends now, not when its answer comes (a thread's call
        under way is left to end on its own, its answer dropped: ``_in_thread``).

        The app's exit joins its worker threads, and one waiting here for a retrain held the exit until the
        worker had started, read the store, fitted and answered: a q in the screening screen's first seconds
        took 4.2-4.6 s at load 10 (fresh31). Ending the worker loses nothing: decisions are the app's own
        writes, durable before the next record shows, and the worker stores only a queue (in one transaction,
        rolled back if cut short), ranked again at the next open. An idle worker reads the end of its pipe and exits.
        """
        with self._waits_lock:
            self._closed = True
            for wait in self._waits:
                wait.set()
        for kind, worker in self._workers.items():
            self._workers[kind] = None
            if worker is None:
                continue
            if self._locks[kind].locked() and worker.poll() is None:
                worker.terminate()  # a request under way: its thread reads the end of the pipe and returns
            try:
                if worker.stdin is not None:
                    worker.stdin.close()  # the worker's read ends: it exits
            except OSError:
                pass
