"""What the TUI's screening screen reads when it comes back (a dialog closed, another screen left) after the
reviewer's decisions moved: the whole log of the reviewer's decisions before, the records it looks at after.

    nice -n 10 python benchmarks/screening_resume_read.py                    # 20,000 records, 40,000 decisions
    nice -n 10 python benchmarks/screening_resume_read.py --records 50000 --repeat 9

A workspace of ``--records`` records, each decided by alice and bob (SQLite). The screen asks whether the record
it shows, and the records its notes wait for, were decided elsewhere: before, ``current_decisions(alice)`` (every
decision of hers in force, the rows' JSON decoded) and a look-up; after, ``decided_among(alice, those ids)`` (those
records' rows alone). Both are timed on the calling thread (the screen runs them in a worker, beside the UI
thread), median of ``--repeat``, for the record shown and two notes; both answers are checked equal. Prints a
table and one JSON line.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
from pathlib import Path

from review.records import Record
from review.services.screening import current_decisions, decided_among
from review.store import schema, utcnow
from review.workspace import Workspace, init_workspace


def build(root: Path, n: int, seed: int) -> Workspace:
    rng = random.Random(seed)
    workspace = init_workspace(root, title="bench", reviewers=["alice", "bob"], seed=seed)
    workspace.store.add_batch([Record(title=f"Sick leave {i}", abstract="cohort " * 20) for i in range(n)],
                              file_name="f.ris", file_sha256="0" * 64, source_name="PubMed", format="ris",
                              encoding="utf-8")
    ids = sorted(r.id for r in workspace.store.records() if r.id is not None)
    now = utcnow()
    with workspace.store.transaction() as conn:
        conn.execute(schema.screening_decisions.insert(), [
            dict(record_id=r, reviewer=who, stage="title_abstract", label=rng.choice(["include", "exclude"]),
                 reasons=[], note="", created_at=now, model_rank=None, model_info={"phase": "ranked"},
                 undoes_id=None) for r in ids for who in ("alice", "bob")])
    return workspace


def timed(call, repeat: int) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    seconds, answer = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        answer = call()
        seconds.append(time.perf_counter() - started)
    return statistics.median(seconds), answer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="screening_resume_read-") as scratch:
        workspace = build(Path(scratch) / "ws", args.records, args.seed)
        asked = frozenset(random.Random(args.seed).sample(range(1, args.records + 1), 3))  # shown + two notes
        whole_s, whole = timed(lambda: {r for (r, _) in current_decisions(workspace, "alice") if r in asked},
                               args.repeat)
        narrow_s, narrow = timed(lambda: decided_among(workspace, "alice", asked), args.repeat)
        workspace.store.engine.dispose()
    if whole != narrow:
        raise SystemExit(f"the readings differ: whole log {sorted(whole)}, narrow {sorted(narrow)}")  # type: ignore[arg-type]
    print(f"{'reading':<44} {'ms (median)':>12}")
    print(f"{'whole log: current_decisions(alice)':<44} {whole_s * 1000:>12.1f}")
    print(f"{'the records looked at: decided_among(3 ids)':<44} {narrow_s * 1000:>12.1f}")
    print(json.dumps({"benchmark": "screening_resume_read", "records": args.records, "decisions": 2 * args.records,
                      "repeat": args.repeat, "whole_log_ms": round(whole_s * 1000, 2),
                      "records_looked_at_ms": round(narrow_s * 1000, 2), "same_answer": True}))


if __name__ == "__main__":
    main()
