"""What `review decide`'s full-text check costs: time and rows read for one decision on a large store.

    python benchmarks/decide_fulltext_check.py                 # 20,000 records
    python benchmarks/decide_fulltext_check.py --records 50000 --repeat 5
    python benchmarks/decide_fulltext_check.py --ranked         # each reviewer's queue stored, as the TUI leaves it

After the decisions are saved, `review decide` warns of each record it excluded whose full-text events
stand (``cli.saved_lines.warn_sought_then_excluded``). The store: ``--records`` records, each decided by
alice and bob (8 % included by both), the included ones' full text sought and retrieved (SQLite). Then, on
``--repeat`` of the included records: alice excludes it (a conflict: the check finds no exclusion) and bob
excludes it (now excluded with its full text on record: the warning). ``--ranked``: each reviewer's queue is
stored (``last_ranking``, as the TUI's retrain leaves it), which the decisions take their model rank from; without
it the rank comes from the seeded order of every record not decided (a reviewer who never opened the TUI).
Times each whole command in process
(``click.testing.CliRunner``: no interpreter start-up) and the check alone, and counts the rows each reads:
every SELECT the driver runs (a ``before_cursor_execute`` listener) counted again as ``SELECT COUNT(*)`` over
it once the call is done. Prints a table (medians) and one JSON line.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from click.testing import CliRunner

from review.cli import main as cli_main
from review.records import Record
from review.services.prisma import sought_then_excluded
from review.store import schema, utcnow
from review.store.fulltext import fulltext_events_table
from review.store.screening import save_ranking
from review.workspace import Workspace, init_workspace


def build(root: Path, n: int, seed: int, ranked: bool = False) -> tuple[Workspace, list[int]]:
    """The store described above (one transaction: this is set-up); returns it and the included ids."""
    rng = random.Random(seed)
    ws = init_workspace(root, title="bench", reviewers=["alice", "bob"], seed=seed)
    ws.store.add_batch([Record(title=f"Sick leave {i}", abstract="cohort " * 20) for i in range(n)],
                       file_name="f.ris", file_sha256="0" * 64, source_name="PubMed", format="ris", encoding="utf-8")
    ids = sorted(r.id for r in ws.store.records() if r.id is not None)
    now = utcnow()
    included = [r for r in ids if rng.random() < 0.08]
    chosen = set(included)
    decisions = [dict(record_id=r, reviewer=who, stage="title_abstract",
                      label="include" if r in chosen else "exclude", reasons=[], note="", created_at=now,
                      model_rank=None, model_info={}, undoes_id=None) for r in ids for who in ("alice", "bob")]
    events = [dict(record_id=r, reviewer="alice", event=event, reason="", note="", created_at=now, undoes_id=None)
              for r in included for event in ("sought", "retrieved")]
    with ws.store.transaction() as conn:
        conn.execute(schema.screening_decisions.insert(), decisions)
        conn.execute(fulltext_events_table.insert(), events)
    if ranked:
        order = ids[:]
        rng.shuffle(order)
        for who in ("alice", "bob"):
            save_ranking(ws.store, who, order=order, probabilities=[rng.random() for _ in order],
                         model_info={"model": "svm", "query": "max", "seed": seed}, n_labelled=len(ids), seed=seed)
    return ws, included


def store_arguments(parser: argparse.ArgumentParser, *, repeat: int, repeat_help: str | None = None) -> None:
    """The options of every benchmark over this store: its size, the repeats, the seed, stored queues or not."""
    parser.add_argument("--records", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=repeat, help=repeat_help)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--ranked", action="store_true", help="store each reviewer's queue first (as the TUI does)")


def built_store(root: Path, args: argparse.Namespace) -> tuple[str, list[int]]:
    """``build`` for ``store_arguments``' options: the URL ``measured`` opens the store by and the included ids,
    the builder's connections closed (each measured call opens its own)."""
    ws, included = build(root, args.records, args.seed, args.ranked)
    url = ws.store.engine.url.render_as_string(hide_password=False)
    ws.store.engine.dispose()
    return url, included


def measured(url: str, call: Callable[[], Any]) -> tuple[float, int, int]:
    """Seconds, SELECT statements and rows they returned for one ``call`` (on any engine it opens)."""
    selects: list[tuple[str, Any]] = []

    def listen(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            selects.append((statement, parameters))

    sa.event.listen(sa.Engine, "before_cursor_execute", listen)
    try:
        start = time.perf_counter()
        call()
        seconds = time.perf_counter() - start
    finally:
        sa.event.remove(sa.Engine, "before_cursor_execute", listen)
    counter = sa.create_engine(url)
    with counter.connect() as conn:
        rows = sum(int(conn.exec_driver_sql(f"SELECT COUNT(*) FROM ({statement}) AS counted", parameters).scalar_one())
                   for statement, parameters in selects)
    counter.dispose()
    return seconds, len(selects), rows


def decide(root: Path, reviewer: str, record_id: int) -> Callable[[], Any]:
    def run() -> Any:
        result = CliRunner().invoke(cli_main, ["-w", str(root), "-r", reviewer, "decide", str(record_id),
                                               "--exclude", "--reason", "wrong population"])
        if result.exit_code != 0:
            raise SystemExit(f"review decide exited {result.exit_code}: {result.output}")
        return result
    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    store_arguments(parser, repeat=3, repeat_help="records decided (each: alice, then bob)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "ws"
        url, included = built_store(root, args)
        runs: dict[str, list[tuple[float, int, int]]] = {name: [] for name in (
            "decide_conflict", "decide_excluded", "check_conflict", "check_excluded")}
        for record_id in included[:args.repeat]:
            for who, case in (("alice", "conflict"), ("bob", "excluded")):
                runs[f"decide_{case}"].append(measured(url, decide(root, who, record_id)))
                workspace = Workspace(root)
                runs[f"check_{case}"].append(measured(url, lambda w=workspace, r=record_id: sought_then_excluded(w, [r])))
                found = sought_then_excluded(workspace, [record_id])
                if len(found) != (case == "excluded"):
                    raise SystemExit(f"record {record_id}: the check found {found} after {who}'s exclusion")
                workspace.store.engine.dispose()
    result: dict[str, Any] = {"records": args.records, "decisions": 2 * args.records, "fulltext_events":
                              2 * len(included), "repeat": args.repeat, "ranked": args.ranked}
    print(f"{'call':<18} {'median_s':>9} {'selects':>8} {'rows_read':>10}")
    for name, values in runs.items():
        seconds = statistics.median(v[0] for v in values)
        selects, rows = values[-1][1], values[-1][2]
        result[name] = {"median_s": round(seconds, 4), "selects": selects, "rows_read": rows}
        print(f"{name:<18} {seconds:>9.4f} {selects:>8} {rows:>10}")
    print(json.dumps({"benchmark": "decide_fulltext_check", **result}))


if __name__ == "__main__":
    main()
