"""Statements per screening decision on each engine: what one key costs in round trips to the store.

    python benchmarks/team_statements.py --url postgresql://review@/postgres?host=/tmp/pg&port=5432
    python benchmarks/team_statements.py --url sqlite

Counts every statement the driver executes (a ``before_cursor_execute`` listener, as team-2026-12-06.md
counted), the commit apart (not a statement the listener sees), for ``--decisions`` calls of each kind on a
fresh store of ``--records`` records: ``Store.add_decision(if_undecided=True)`` (benchmarks/team.py's call),
``ScreeningSession.decide`` (the TUI's and ``review decide``'s: it makes that call and adds its own reads),
and ``Store.undo_last``. The count does not depend on the machine's load or the store's size. Prints a table
(statements per call, and the statements of the last call of each kind, in order) and one JSON line.
"""

from __future__ import annotations

import argparse
import functools
import json
import re
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from review.records import Record

sys.path.insert(0, str(Path(__file__).resolve().parent))  # (run from anywhere, or imported)
from scratch_database import scratch_postgres_database  # noqa: E402  (made and dropped as the other store benchmarks do)


def _kind(statement: str, parameters: Any) -> str:
    """A short name for a statement: its verb and first table or function."""
    import zlib

    text = " ".join(statement.split())
    values = list(parameters.values()) if isinstance(parameters, dict) else list(parameters or ())
    upgrade_key = zlib.crc32(b"review-lock:schema-upgrade")  # (core's _advisory_lock_key of the upgrade lock)
    if "pg_advisory_xact_lock_shared" in text and upgrade_key in values:
        return "advisory lock, shared (commit check)"
    for pattern, name in ((r"pg_advisory_xact_lock_shared", "advisory lock, shared (another name)"),
                          (r"pg_advisory_xact_lock", "advisory lock (reviewer)"),
                          (r"^UPDATE schema_info", "write lock (no-op UPDATE)"),
                          (r'^SELECT schema_info\."?key"?, schema_info\."?value', "marks read (version, move)"),
                          (r"^INSERT INTO screening_decision_changes", "change row (INSERT … SELECT)"),
                          (r"^INSERT INTO screening_decisions", "decision row (INSERT)")):
        if re.search(pattern, text):
            return name
    match = re.match(r"(\w+)\b.*?\b(?:FROM|INTO|UPDATE)\s+(\w+)", text)
    return f"{match.group(1)} {match.group(2)}" if match else text[:40]


def _count(engine: sa.Engine, call: Callable[[], Any]) -> list[str]:
    seen: list[str] = []

    def listen(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_args: Any) -> None:
        seen.append(_kind(statement, parameters))

    sa.event.listen(engine, "before_cursor_execute", listen)
    try:
        call()
    finally:
        sa.event.remove(engine, "before_cursor_execute", listen)
    return seen


def run(url: str, n_records: int, n_decisions: int) -> dict[str, Any]:
    from review.screening.session import ScreeningSession
    from review.workspace import init_workspace

    with tempfile.TemporaryDirectory() as tmp:
        ws = init_workspace(Path(tmp) / "ws", title="Statements", reviewers=["alice", "bob"], seed=1,
                            database_url=None if url == "sqlite" else url)
        store = ws.store
        store.add_batch([Record(title=f"Sick leave {i}", abstract="cohort") for i in range(n_records)],
                        file_name="f.ris", file_sha256="s" * 64, source_name="db", format="ris", encoding="utf-8")
        ids = sorted(r.id for r in store.records() if r.id is not None)
        result: dict[str, Any] = {"engine": store.dialect, "records": n_records, "calls": n_decisions}
        lasts: dict[str, list[str]] = {}
        kinds: list[tuple[str, Callable[[int], Any]]] = [
            ("add_decision", lambda i: store.add_decision(ids[i], "bob", "exclude", if_undecided=True)),
            ("undo_last", lambda i: store.undo_last("bob")),
        ]
        session = ScreeningSession(ws, "alice", seed=1)
        session.next_record()
        kinds.append(("session_decide", lambda i: session.decide(session.next_record().id, "exclude")))
        for name, call in kinds:
            counts = [_count(store.engine, functools.partial(call, i)) for i in range(n_decisions)]
            per_call = sorted({len(c) for c in counts})
            result[f"{name}_statements"] = per_call[0] if len(per_call) == 1 else per_call
            lasts[name] = counts[-1]
        store.engine.dispose()
    result["statements_of_the_last_call"] = lasts
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="a PostgreSQL server URL (a fresh database is made on it) or 'sqlite'")
    parser.add_argument("--records", type=int, default=200)
    parser.add_argument("--decisions", type=int, default=20, help="calls of each kind")
    args = parser.parse_args()
    if args.url == "sqlite":
        result = run("sqlite", args.records, args.decisions)
    else:
        with scratch_postgres_database(args.url, "bench_statements_") as target:
            result = run(target, args.records, args.decisions)
    for key in ("engine", "records", "calls", "add_decision_statements", "undo_last_statements",
                "session_decide_statements"):
        print(f"{key:<26} {result[key]}")
    for name, statements in result["statements_of_the_last_call"].items():
        print(f"{name}: " + "; ".join(statements))
    print(json.dumps({"benchmark": "team_statements", **result}))


if __name__ == "__main__":
    main()
