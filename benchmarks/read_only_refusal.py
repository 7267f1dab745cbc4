"""How long a command that writes takes to be refused in a workspace folder read-only to the user.

    nice -n 10 python benchmarks/read_only_refusal.py                  # 20,000 records, 3 runs a command
    nice -n 10 python benchmarks/read_only_refusal.py --records 50000 --repeat 5

A workspace of ``--records`` generated records (seeded titles, abstracts, authors, years, DOIs for 70 %), each
decided by alice and bob, and an RIS file of the same records beside it; then the workspace folder is made
read-only (0555) and each command runs as a whole process (interpreter start-up included) until it exits:
``review dedup``, ``review import FILE.ris``, ``review dedup --undo-merge ID``, and ``review status`` (a command
that only reads, for scale). As root, file permissions are made to bind with ``setpriv`` dropping
CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH (without it root writes anyway). Prints the median seconds to the exit,
the exit status and whether the last stderr line is the read-only folder's, then one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import stat
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from review.records import Record
from review.store import schema, utcnow
from review.workspace import init_workspace

#: The commands timed, after ``review -w WORKSPACE -r alice``; RIS stands for the file's path.
COMMANDS: tuple[tuple[str, ...], ...] = (("dedup",), ("import", "RIS"), ("dedup", "--undo-merge", "1"), ("status",))


def build(root: Path, n: int, seed: int) -> Path:
    """The workspace and the RIS file described above; returns the file."""
    rng = random.Random(seed)
    words = [f"{rng.choice('bcdfghklmnprstvz')}{rng.choice('aeiou')}{rng.choice('bcdfghklmnprstvz')}"
             f"{rng.choice('aeiou')}{i}" for i in range(5000)]
    records = [Record(title=" ".join(rng.choice(words) for _ in range(rng.randint(6, 14))),
                      abstract=" ".join(rng.choice(words) for _ in range(80)), year=rng.randint(1990, 2025),
                      authors=[f"{rng.choice(words).title()} {rng.choice('ABCDEFGH')}" for _ in range(3)],
                      journal=rng.choice(words[:200]).title(), doi=f"10.1000/{i}" if rng.random() < 0.7 else "")
               for i in range(n)]
    workspace = init_workspace(root, title="bench", reviewers=["alice", "bob"], seed=seed)
    workspace.store.add_batch(records, file_name="f.ris", file_sha256="0" * 64, source_name="PubMed", format="ris",
                              encoding="utf-8")
    ids = sorted(r.id for r in workspace.store.records() if r.id is not None)
    now = utcnow()
    with workspace.store.transaction() as conn:
        conn.execute(schema.screening_decisions.insert(), [
            dict(record_id=r, reviewer=who, stage="title_abstract", label="include" if rng.random() < 0.08 else
                 "exclude", reasons=[], note="", created_at=now, model_rank=None, model_info={}, undoes_id=None)
            for r in ids for who in ("alice", "bob")])
    workspace.store.engine.dispose()  # (no -wal or -shm left: the store is read as the file alone)
    ris = root.parent / "records.ris"
    with ris.open("w", encoding="utf-8") as out:
        for record in records:
            out.write(f"TY  - JOUR\nTI  - {record.title}\nAB  - {record.abstract}\nPY  - {record.year}\n"
                      + "".join(f"AU  - {author}\n" for author in record.authors)
                      + f"JO  - {record.journal}\nDO  - {record.doi}\nER  - \n\n")
    return ris


def bound_prefix() -> list[str]:
    """The command prefix that makes file permissions bind for this process's user."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        sys.exit("as root, file permissions bind only without CAP_DAC_OVERRIDE: install setpriv (util-linux)")
    return [setpriv, "--bounding-set=-dac_override,-dac_read_search"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="read_only_refusal-"))
    root = scratch / "ws"
    try:
        started = time.perf_counter()
        ris = build(root, args.records, args.seed)
        print(f"built {args.records:,} records, {2 * args.records:,} decisions in "
              f"{time.perf_counter() - started:.1f} s", file=sys.stderr)
        root.chmod(stat.S_IRUSR | stat.S_IXUSR | stat.S_IRGRP | stat.S_IXGRP | stat.S_IROTH | stat.S_IXOTH)
        review = [*bound_prefix(), sys.executable, "-c",
                  "import sys; from review.cli import main; sys.argv[0] = 'review'; main()"]
        results = []
        for command in COMMANDS:
            argv = [str(ris) if part == "RIS" else part for part in command]
            times, status, last = [], 0, ""
            for _ in range(args.repeat):
                began = time.perf_counter()
                done = subprocess.run([*review, "-w", str(root), "-r", "alice", *argv], capture_output=True,
                                      text=True, stdin=subprocess.DEVNULL)
                times.append(time.perf_counter() - began)
                status, last = done.returncode, (done.stderr.strip().splitlines() or [""])[-1]
            results.append({"command": " ".join(command).replace("RIS", "FILE.ris"), "seconds": statistics.median(times),
                            "exit": status, "read_only_line": f"the workspace folder {root} is read-only" in last})
    finally:
        root.chmod(stat.S_IRWXU)
        shutil.rmtree(scratch, ignore_errors=True)
    print(f"{'command':<28} {'s (median)':>10} {'exit':>5}  read-only line")
    for row in results:
        print(f"{row['command']:<28} {row['seconds']:>10.2f} {row['exit']:>5}  {'yes' if row['read_only_line'] else 'no'}")
    print(json.dumps({"benchmark": "read_only_refusal", "records": args.records, "decisions": 2 * args.records,
                      "repeat": args.repeat, "results": results}))


if __name__ == "__main__":
    main()
