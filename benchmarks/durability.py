"""kill -9 at random points, and several reviewers at once: does any confirmed change get lost?

    python benchmarks/durability.py --kills 40                      # SQLite only
    python benchmarks/durability.py --kills 40 --pg-url postgresql://review@/postgres?host=/tmp/pg

Each scenario runs a real child process that makes changes through the services the CLI and TUI
call and prints one line per change that returned; the child gets SIGKILL at a random moment
(after a random number of confirmed changes plus a random fraction of one). Then the workspace is
reopened from disk and checked:

* decide      ``decide_records`` one record at a time (``review decide``): every confirmed
              decision stored, at most the one under way beside them, the next call takes over
              the dead process's claim;
* cli-decide  the real ``review -r alice decide ID --include`` processes, killed at a random
              moment (0.3 to 2 times the first one's run time): a command that exited 0 has its
              decision stored, and no later command is refused for the dead one's claim;
* import      a 20,000-record RIS file, killed while parsing or writing: the batch whole or absent;
* dedup       merges, undo-merge and undo in a loop: stored clusters equal those the pair log implies;
* link        ``fulltext link`` / ``unlink`` of eight reports: all eight move together;
* migrate     ``review migrate`` to a SQLite file: the workspace opens with every decision and the
              same migration can be run again;
* answers     an instrument answer file saved over and over: it always parses and is one of the
              versions saved (never half-written);
* busy        decisions while another process imports 100,000 records into the same SQLite
              store: each waits for the write lock or gets the one-line busy error (exit 7);
* reviewers   two reviewers' ``review decide`` loops at once (SQLite, and PostgreSQL with
              ``--pg-url``): no decision lost or doubled, no traceback, the exit-7 retries counted.

Prints one table row per scenario and one JSON line. Run it under ``nice -n 10``.
"""

from __future__ import annotations

import argparse
import ast
import json
import random
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.append(str(Path(__file__).resolve().parent.parent / "tests"))  # the kill harness the tests use
sys.path.insert(0, str(Path(__file__).resolve().parent))  # (run from anywhere: the scratch database helper)

import kill_harness  # noqa: E402
from kill_harness import DECIDE, DEDUP, LINK, MIGRATE  # noqa: E402
from scratch_database import scratch_postgres_database  # noqa: E402  (benchmarks/, this script's folder)
from review.records import Record  # noqa: E402
from review.workspace import Workspace, init_workspace  # noqa: E402

REVIEW = [sys.executable, "-c", "from review.cli import main; main()"]


def run_until_killed(code: str, *args: object, after_lines: int, delay: float) -> tuple[list[str], bool]:
    """The child's confirmed lines, and whether the kill landed before it ended."""
    lines, returncode, err = kill_harness.run_until_killed(code, *args, after_lines=after_lines, delay=delay,
                                                           start_timeout=300)
    killed = returncode == kill_harness.SIGKILLED
    if not killed and returncode != 0:
        raise RuntimeError(f"child failed: {err[-600:]}")
    return lines, killed


def workspace(root: Path, n: int, url: str | None = None) -> Workspace:
    ws = init_workspace(root, title="durability", reviewers=["alice", "bob"], seed=7, database_url=url)
    ws.store.add_batch([Record(title=f"Study {i} of sickness absence", abstract=f"workers {i}") for i in range(n)],
                       file_name="f.ris", file_sha256=uuid.uuid4().hex * 2, source_name="db", format="ris",
                       encoding="utf-8")
    return ws


def ids_of(ws: Workspace) -> list[int]:
    return sorted(r.id for r in ws.store.records() if r.id is not None)


class Tally:
    def __init__(self) -> None:
        self.kills = 0
        self.confirmed = 0
        self.lost = 0
        self.broken = 0  # a state check that failed (half-stored, out of line, not reopening)
        self.stray = 0  # temporary files a killed write left beside its target

    def row(self) -> dict[str, int]:
        return {"kills": self.kills, "confirmed": self.confirmed, "lost": self.lost, "broken": self.broken,
                "stray_temps": self.stray}




def scenario_decide(tmp: Path, kills: int, rng: random.Random) -> Tally:
    from review.services.screening import current_decisions

    tally = Tally()
    ws = workspace(tmp / "decide", 30 * kills + 10)
    ids = ids_of(ws)
    start = 0
    for _ in range(kills):
        todo = ids[start:start + 30]
        lines, killed = run_until_killed(DECIDE, ws.root, "alice", *todo, after_lines=rng.randint(0, 8),
                                         delay=rng.uniform(0, 0.08))
        tally.kills += killed
        confirmed = {int(x) for x in lines}
        stored = {rid for rid, _ in current_decisions(Workspace(ws.root), "alice")}
        tally.confirmed += len(confirmed)
        tally.lost += len(confirmed - stored)
        extra = stored - set(ids[:start]) - confirmed
        tally.broken += not extra <= set(todo[len(confirmed):len(confirmed) + 1])
        start = ids.index(max(stored)) + 1 if stored else start
    return tally


def scenario_cli_decide(tmp: Path, kills: int, rng: random.Random) -> Tally:
    from review.services.screening import current_decisions

    tally = Tally()
    ws = workspace(tmp / "cli", kills + 10)
    ids = ids_of(ws)
    durations: list[float] = []
    for k, record_id in enumerate(ids[:kills + 1]):
        began = time.monotonic()
        child = subprocess.Popen([*REVIEW, "-w", str(ws.root), "-r", "alice", "decide", str(record_id), "--include"],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        typical = sorted(durations)[len(durations) // 2] if durations else 0.0
        try:  # the first command runs whole: how long one takes now, on this machine's load
            out, err = child.communicate(timeout=rng.uniform(0.3, 2.0) * typical if k else None)
        except subprocess.TimeoutExpired:
            child.send_signal(signal.SIGKILL)
            out, err = child.communicate()
        if child.returncode == -signal.SIGKILL:
            tally.kills += 1
        elif child.returncode == 0:
            durations.append(time.monotonic() - began)
            tally.confirmed += 1
            stored = {rid for rid, _ in current_decisions(Workspace(ws.root), "alice")}
            tally.lost += record_id not in stored or out != f"{record_id}\tinclude\talice\n"
        else:
            tally.broken += 1  # (e.g. exit 6: a dead process's claim not taken over)
            print(f"cli-decide: exit {child.returncode}: {err.strip()[:200]}", file=sys.stderr)
    return tally


IMPORT = """
import sys
from pathlib import Path
from review.workspace import Workspace
from review.services.sources import import_files
print("start", flush=True)
import_files(Workspace(sys.argv[1]), [Path(sys.argv[2])])
print("imported", flush=True)
import time; time.sleep(60)
"""


def scenario_import(tmp: Path, kills: int, rng: random.Random) -> Tally:
    tally = Tally()
    ws = workspace(tmp / "import", 10)
    n = 20_000
    typical = 0.0
    for k in range(kills + 1):
        big = tmp / f"big{k}.ris"
        big.write_text("".join(f"TY  - JOUR\nTI  - Imported {k} study {i}\nAU  - Author, A{i % 97}\nPY  - 2010\n"
                               f"AB  - Abstract {i}.\nER  - \n\n" for i in range(n)), encoding="utf-8")
        before = Workspace(ws.root).store.count_records()
        began = time.monotonic()  # the first import runs whole: how long one takes on this machine now
        lines, killed = run_until_killed(IMPORT, ws.root, big, after_lines=2 if k == 0 else 1,
                                         delay=rng.uniform(0.1, 1.1) * typical if k else 0.0)
        typical = typical if k else time.monotonic() - began
        tally.kills += killed
        store = Workspace(ws.root).store
        after = store.count_records()
        tally.confirmed += "imported" in lines
        tally.lost += "imported" in lines and after != before + n
        tally.broken += after not in (before, before + n) or sum(b["n_records"] for b in store.batches()) != after
        big.unlink()
    return tally




def scenario_dedup(tmp: Path, kills: int, rng: random.Random) -> Tally:
    from review.dedup import decisions
    from review.store import dedup as dedup_store

    tally = Tally()
    ws = workspace(tmp / "dedup", 6)
    a, b, c, d = ids_of(ws)[:4]
    for _ in range(kills):
        lines, killed = run_until_killed(DEDUP, ws.root, a, b, c, d, after_lines=rng.randint(0, 12),
                                         delay=rng.uniform(0, 0.05))
        tally.kills += killed
        tally.confirmed += len(lines)
        store = Workspace(ws.root).store
        with store.connect() as conn:
            rows = dedup_store.state_rows(conn)
        implied = {frozenset(g) for g in decisions._components(decisions._state(rows)) if len(g) > 1}
        tally.broken += {frozenset(m) for m in dedup_store.clusters(store).values()} != implied
    return tally




def scenario_link(tmp: Path, kills: int, rng: random.Random) -> Tally:
    from review.store.fulltext import report_links

    tally = Tally()
    ws = workspace(tmp / "link", 10)
    study, *reports = ids_of(ws)[:9]
    for _ in range(kills):
        lines, killed = run_until_killed(LINK, ws.root, study, *reports, after_lines=rng.randint(0, 8),
                                         delay=rng.uniform(0, 0.03))
        tally.kills += killed
        tally.confirmed += len(lines)
        links = report_links(Workspace(ws.root).store)
        studies = {links[r].study_id if r in links else None for r in reports}
        tally.broken += studies not in ({study}, {None})
    return tally




def scenario_migrate(tmp: Path, kills: int, rng: random.Random) -> Tally:
    from review.services.screening import decide_records
    from review.services.workspace import migrate_store

    tally = Tally()
    typical = 0.0
    for k in range(kills + 1):
        ws = workspace(tmp / f"migrate{k}", 5000)
        decide_records(ws, "alice", [str(i) for i in ids_of(ws)[:25]], "exclude")
        target = tmp / f"migrate{k}" / "moved.db"
        began = time.monotonic()  # the first migration runs whole: how long one takes now
        lines, killed = run_until_killed(MIGRATE, ws.root, f"sqlite:///{target}", after_lines=2 if k == 0 else 1,
                                         delay=rng.uniform(0.1, 1.1) * typical if k else 0.0)
        typical = typical if k else time.monotonic() - began
        tally.kills += killed
        tally.confirmed += "migrated" in lines
        try:
            reopened = Workspace(ws.root)
            ok = len(reopened.store.decisions()) == 25 and reopened.store.count_records() == 5000
            if "migrated" not in lines and reopened.database_url != f"sqlite:///{target}":
                report = migrate_store(reopened, f"sqlite:///{target}")  # run again
                ok = ok and report.same and len(Workspace(ws.root).store.decisions()) == 25
        except Exception as err:  # noqa: BLE001 - counted and shown
            print(f"migrate: {type(err).__name__}: {err}", file=sys.stderr)
            ok = False
        tally.broken += not ok
    return tally


ANSWERS = """
import sys
from pathlib import Path
from review.instrument.answers import AnswerSet, save_answers
path = Path(sys.argv[1])
n = 0
while True:
    n += 1
    answers = AnswerSet("v1", "e" * 64, {f"q{i}": str(n) for i in range(200)}, client_ref="dossier 12")
    save_answers(answers, path)
    print(n, flush=True)
"""


def scenario_answers(tmp: Path, kills: int, rng: random.Random) -> Tally:
    from review.instrument.answers import load_answers

    tally = Tally()
    folder = tmp / "private"
    folder.mkdir(mode=0o700)
    path = folder / "answers.json"
    for _ in range(kills):
        lines, killed = run_until_killed(ANSWERS, path, after_lines=rng.randint(1, 20), delay=rng.uniform(0, 0.01))
        tally.kills += killed
        tally.confirmed += len(lines)
        try:
            saved = load_answers(path)
            version = int(saved.answers["q0"])
            tally.lost += version < int(lines[-1])  # the file is older than the last save that returned
            tally.broken += set(saved.answers.values()) != {str(version)} or (path.stat().st_mode & 0o777) != 0o600
        except Exception as err:  # noqa: BLE001 - counted and shown
            print(f"answers: {err}", file=sys.stderr)
            tally.broken += 1
    tally.stray = len(list(folder.glob(".answers.json.*.tmp")))  # (a later save removes them once stale)
    return tally


REVIEWER_LOOP = """
import subprocess, sys
python, root, reviewer, *ids = sys.argv[1:]
exits = {}
for rid in ids:
    while True:  # a busy store (exit 7) is retried, as the message says
        p = subprocess.run([python, "-c", "from review.cli import main; main()", "-w", root, "-r", reviewer,
                            "decide", rid, "--include"], capture_output=True, text=True)
        exits[p.returncode] = exits.get(p.returncode, 0) + 1
        if "Traceback" in p.stderr:
            print("TRACEBACK", p.stderr[-300:], file=sys.stderr)
        if p.returncode != 7:
            break
print(exits)
"""


def scenario_reviewers(tmp: Path, n: int, url: str | None) -> dict[str, Any]:
    """Two reviewers' `review decide` loops at once; each record decided by both."""
    ws = workspace(tmp / ("reviewers-pg" if url else "reviewers"), n, url)
    ids = [str(i) for i in ids_of(ws)]
    began = time.monotonic()
    children = [subprocess.Popen([sys.executable, "-c", REVIEWER_LOOP, sys.executable, str(ws.root), name, *ids],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                for name in ("alice", "bob")]
    results = [child.communicate() for child in children]
    seconds = time.monotonic() - began
    store = Workspace(ws.root).store
    log = store.decisions()
    store.engine.dispose()
    per = {(d.record_id, d.reviewer) for d in log}
    exits: dict[str, int] = {}
    for out, _ in results:
        for code, count in ast.literal_eval(out.strip() or "{}").items():
            exits[str(code)] = exits.get(str(code), 0) + count
    return {"engine": "postgresql" if url else "sqlite", "records": n, "decisions": len(log),
            "expected": 2 * n, "doubled": len(log) - len(per), "missing": 2 * n - len(per),
            "exits": exits, "tracebacks": sum(err.count("TRACEBACK") for _, err in results),
            "seconds": round(seconds, 1)}


def scenario_busy(tmp: Path, n_import: int) -> dict[str, Any]:
    """Decisions (in this process) while another process imports ``n_import`` records into the
    same SQLite store: how many waited and went through, how many got the one-line busy error."""
    from review.errors import ReviewError
    from review.services.screening import current_decisions, decide_records
    from review.store.errors import StoreBusy

    ws = workspace(tmp / "busy", 2000)
    big = tmp / "busy.ris"
    big.write_text("".join(f"TY  - JOUR\nTI  - Busy study {i}\nAU  - Author, A{i % 97}\nPY  - 2010\n"
                           f"AB  - Abstract {i}.\nER  - \n\n" for i in range(n_import)), encoding="utf-8")
    importer = subprocess.Popen([*REVIEW, "-w", str(ws.root), "import", str(big)], stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, text=True)
    saved, busy, other = [], 0, 0
    kinds: dict[str, int] = {}
    worst = 0.0
    for record_id in ids_of(ws):
        if importer.poll() is not None:
            break
        began = time.monotonic()
        try:
            decide_records(ws, "bob", [str(record_id)], "include")
            saved.append(record_id)
        except StoreBusy:
            busy += 1
        except ReviewError as err:
            other += 1
            kinds[type(err).__name__] = kinds.get(type(err).__name__, 0) + 1
        worst = max(worst, time.monotonic() - began)
    _, err = importer.communicate()
    stored = {rid for rid, _ in current_decisions(Workspace(ws.root), "bob")}
    return {"import_records": n_import, "decisions": len(saved) + busy + other, "saved": len(saved),
            "busy_exit_7": busy, "other_errors": other, "other_kinds": kinds, "lost": len(set(saved) - stored),
            "worst_wait_s": round(worst, 2), "import_ok": importer.returncode == 0 and "Traceback" not in err}


SCENARIOS: dict[str, Callable[[Path, int, random.Random], Tally]] = {
    "decide": scenario_decide, "cli-decide": scenario_cli_decide, "import": scenario_import,
    "dedup": scenario_dedup, "link": scenario_link, "migrate": scenario_migrate, "answers": scenario_answers,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kills", type=int, default=40, help="kills per scenario (import, migrate: a quarter)")
    parser.add_argument("--only", nargs="*", choices=[*SCENARIOS, "busy", "reviewers"], help="run only these")
    parser.add_argument("--busy-records", type=int, default=100_000, help="records the busy scenario imports")
    parser.add_argument("--reviewer-records", type=int, default=40, help="records both reviewers decide")
    parser.add_argument("--pg-url", help="a PostgreSQL server URL for the reviewers scenario (a database is made)")
    parser.add_argument("--seed", type=int, default=20261205)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    chosen = args.only or [*SCENARIOS, "busy", "reviewers"]
    rows: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        print(f"{'scenario':<12} {'kills':>6} {'confirmed':>10} {'lost':>5} {'broken':>7} {'stray':>6} {'seconds':>8}")
        for name, run in SCENARIOS.items():
            if name not in chosen:
                continue
            kills = max(2, args.kills // 4) if name in ("import", "migrate") else args.kills
            began = time.monotonic()
            tally = run(tmp, kills, rng)
            rows[name] = dict(tally.row(), seconds=round(time.monotonic() - began, 1))
            r = rows[name]
            print(f"{name:<12} {r['kills']:>6} {r['confirmed']:>10} {r['lost']:>5} {r['broken']:>7} "
                  f"{r['stray_temps']:>6} {r['seconds']:>8}")
        if "busy" in chosen:
            rows["busy"] = scenario_busy(tmp, args.busy_records)
            print(f"busy: {rows['busy']}")
        if "reviewers" in chosen:
            rows["reviewers"] = [scenario_reviewers(tmp, args.reviewer_records, None)]
            if args.pg_url:
                with scratch_postgres_database(args.pg_url, "durability_", hex_digits=12) as url:
                    rows["reviewers"].append(scenario_reviewers(tmp, args.reviewer_records, url))
            for r in rows["reviewers"]:
                print(f"reviewers {r['engine']}: {r['decisions']} of {r['expected']} decisions stored, "
                      f"{r['doubled']} doubled, {r['missing']} missing, exits {r['exits']}, "
                      f"{r['tracebacks']} tracebacks, {r['seconds']} s")
    print(json.dumps({"benchmark": "durability", "seed": args.seed, "kills": args.kills, "results": rows}))


if __name__ == "__main__":
    main()
