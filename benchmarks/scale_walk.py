"""A big review walked end to end, timed: each step a user takes on a workspace of 50,000 records from four databases.

    nice -n 5 python benchmarks/scale_walk.py                       # 50,000 records, about 15 minutes on the shared box
    nice -n 5 python benchmarks/scale_walk.py --records 5000 --keys 10   # a quick look
    python benchmarks/scale_walk.py --keep /tmp/walk                 # keep the workspace (and files) there

**The corpus.** The demo's generator (``review.demo.corpus.generate``), scaled: about 34,000 publications on and
around recurrent sickness absence due to common mental disorders, seen by PubMed, Embase and PsycINFO with the drift
real exports have, plus a fourth database (CINAHL) that holds a seeded share of the publications, so the four files
hold ``--records`` records in all. PubMed's copies are written as MEDLINE (.nbib), Embase's as RIS, PsycINFO's as
MEDLINE (Ovid), CINAHL's as a CSV; the files go to a temporary folder (or ``--keep``), never into the repository.

**The steps**, each a ``review`` command in a fresh interpreter (wall and CPU seconds, the child's peak RSS), in the
order a user takes them: ``review init``; ``review import`` of each file; ``review dedup``; ``review dedup --review``
until its first pair is shown (the keys come from a pipe: ``q``), and a verdict's latency (``d`` for ``--verdicts``
pairs, then ``q``: the difference to the opening, per pair). Then the terminal UI in process (``App.run_test``):
the dashboard's first frame and the time until it is idle (every worker done), and the screening screen's first
frame, first ranked record and ``--keys`` decision keys, each to the frame showing the next record
(``benchmarks/tui.py``'s ``measure``). Then a team's progress is stored (set-up, one transaction): alice and bob
have each decided ``--decided`` of the records (8 % included), the records both included have their full text
sought and half of them retrieved. On that: ``review status``, ``review prisma``, ``review export decisions``,
``review export screening`` and ``review fulltext list``, each the median of ``--repeat`` runs; before them the
dashboard and the screening screen again (``--team-keys`` keys), as alice opens them on a day of that screening.

Prints a table and one JSON line. Wall times follow the machine's load (printed); CPU seconds vary less.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))  # (run from anywhere)
from tui import measure as measure_screening  # noqa: E402  (the screening screen's first record and keys)
from tui_screens import record_frames, wait_idle  # noqa: E402

from review.demo import writers  # noqa: E402
from review.demo.corpus import DemoCorpus, Publication, SourceCopy, _copy, generate  # noqa: E402

#: The demo's corpus holds about 1.31 records per publication over its three databases; CINAHL adds the rest.
RECORDS_PER_PUBLICATION = 1.47
CINAHL = "CINAHL"


def corpus_for(n_records: int, seed: int) -> tuple[DemoCorpus, list[SourceCopy]]:
    """The demo corpus scaled so its three databases and a CINAHL share of its publications hold ``n_records``."""
    n_publications = int(n_records / RECORDS_PER_PUBLICATION)
    corpus = generate(seed, n_publications=n_publications, n_relevant=max(22, n_publications // 85))
    held = sum(len(copies) for copies in corpus.copies.values())
    rng = random.Random(f"{seed}:cinahl")
    wanted = max(0, n_records - held)
    chosen: list[Publication] = rng.sample(corpus.publications, min(wanted, len(corpus.publications)))
    return corpus, [_copy(rng, CINAHL, pub) for pub in chosen]


def cinahl_csv(copies: list[SourceCopy], path: Path) -> None:
    """CINAHL's copies as a CSV export (one row each, authors ``Last, F.`` joined by ``; ``)."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["Title", "Authors", "Year", "Journal", "Volume", "Issue", "Pages", "DOI", "Abstract",
                      "Keywords"])
        for copy in copies:
            pub = copy.pub
            out.writerow([copy.title, "; ".join(f"{last}, {fore[0]}." for last, fore in copy.authors), copy.year,
                          copy.journal_name, pub.volume, pub.issue, copy.pages, copy.doi,
                          " ".join(f"{label}: {text}" if label else text for label, text in pub.sections),
                          "; ".join(pub.keywords)])


def write_files(n_records: int, seed: int, folder: Path) -> dict[str, Path]:
    """The four databases' exports: {database: path}."""
    corpus, cinahl = corpus_for(n_records, seed)
    folder.mkdir(parents=True, exist_ok=True)
    files = {"PubMed": folder / "pubmed.nbib", "Embase": folder / "embase.ris", "PsycINFO": folder / "psycinfo.nbib",
             CINAHL: folder / "cinahl.csv"}
    # (the demo's MEDLINE writer names Ovid PsycINFO in each record's DB line; PubMed's own export has none)
    files["PubMed"].write_text(writers.medline(corpus.copies["PubMed"]).replace("DB  - PsycINFO\n", ""),
                               encoding="utf-8")
    files["Embase"].write_text(writers.ris(corpus.copies["Embase"], database="Embase"), encoding="utf-8")
    files["PsycINFO"].write_text(writers.medline(corpus.copies["PsycINFO"]), encoding="utf-8")
    cinahl_csv(cinahl, files[CINAHL])
    return files


#: Runs ``review.cli.main`` and prints the child's CPU seconds and its own peak RSS (VmHWM, KB): ``ru_maxrss``
#: would count this process's RSS at the fork (the corpus, or the TUI runs' heap) in every child's peak.
_CHILD = ("import resource, sys\nfrom review.cli import main\n"
          "try:\n    main(sys.argv[1:], standalone_mode=False)\n"
          "finally:\n    u = resource.getrusage(resource.RUSAGE_SELF)\n"
          "    hwm = next(line.split()[1] for line in open('/proc/self/status') if line.startswith('VmHWM'))\n"
          "    print('USAGE', u.ru_utime + u.ru_stime, hwm, file=sys.stderr)\n")


def child(args: list[str], root: Path, keys: str | None = None) -> tuple[subprocess.CompletedProcess[str], float,
                                                                          float, float]:
    """``review -w ROOT ARGS`` in a fresh interpreter (``keys`` on its stdin): the run, wall and CPU seconds,
    peak MB."""
    env = dict(os.environ, COLUMNS="120")
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", _CHILD, "-w", str(root), *args], input=keys, capture_output=True,
                          text=True, cwd=root, env=env)
    wall = time.perf_counter() - start
    usage = [line.split() for line in done.stderr.splitlines() if line.startswith("USAGE ")]
    if done.returncode or not usage:
        raise SystemExit(f"review {' '.join(args)} exited {done.returncode}: {(done.stderr or done.stdout)[-800:]}")
    return done, wall, float(usage[-1][1]), float(usage[-1][2]) / 1024


def step(name: str, args: list[str], root: Path) -> dict[str, Any]:
    """One ``review`` command on the workspace in a fresh interpreter."""
    _, wall, cpu, peak = child(args, root)
    row = {"step": name, "wall_s": wall, "cpu_s": cpu, "peak_mb": peak, "load": os.getloadavg()[0]}
    print(f"{name:<32} {wall:8.2f} {cpu:8.2f} {peak:8.0f}", flush=True)
    return row


def repeated(name: str, args: list[str], root: Path, repeat: int) -> dict[str, Any]:
    """``step`` ``repeat`` times: the medians, and every run's wall time."""
    runs = [step(name, args, root) for _ in range(repeat)]
    return {"step": name, "wall_s": statistics.median(r["wall_s"] for r in runs),
            "cpu_s": statistics.median(r["cpu_s"] for r in runs), "peak_mb": max(r["peak_mb"] for r in runs),
            "walls": [round(r["wall_s"], 2) for r in runs], "load": os.getloadavg()[0]}


def dedup_review(root: Path, keys: str) -> tuple[float, float, str]:
    """``review dedup --review`` with ``keys`` piped in: wall and the child's CPU seconds, and its output."""
    done, wall, cpu, _ = child(["-r", "alice", "dedup", "--review"], root, keys)
    return wall, cpu, done.stdout


async def dashboard(root: Path, reviewer: str) -> dict[str, float]:
    """The dashboard's first frame and the time until every worker it started is done (seconds from the app)."""
    from review.tui.app import make_app
    from review.workspace import Workspace

    started = time.perf_counter()
    app = make_app(Workspace(root), reviewer, "dashboard")
    async with app.run_test(size=(120, 36)) as pilot:
        frames = record_frames(app)
        first = time.perf_counter() - started
        await wait_idle(app, pilot)
        idle = time.perf_counter() - started
        return {"first_frame_s": first, "idle_s": idle, "frames": len(frames)}


def store_progress(root: Path, share: float, seed: int) -> dict[str, int]:
    """alice and bob have each decided ``share`` of the records (8 % included); the records both included have
    their full text sought, half of them retrieved. Set-up in one transaction, as benchmarks/decide_fulltext_check.py
    stores its team."""
    from review.store import schema, utcnow
    from review.store.fulltext import fulltext_events_table
    from review.workspace import Workspace

    import sqlalchemy as sa

    from review.dedup.decisions import duplicate_ids
    from review.store.screening import record_ids

    rng = random.Random(seed)
    ws = Workspace(root)
    with ws.store.connect() as conn:  # (the records dedup set aside and those decided in the TUI are left alone)
        left_alone = set(duplicate_ids(ws.store)) | set(conn.execute(
            sa.select(schema.screening_decisions.c.record_id)).scalars())
    ids = [i for i in record_ids(ws.store) if i not in left_alone]
    now = utcnow()
    rows, both = [], {}
    for who in ("alice", "bob"):
        for record_id in rng.sample(ids, int(len(ids) * share)):
            label = "include" if rng.random() < 0.08 else "exclude"
            both.setdefault(record_id, []).append(label)
            rows.append(dict(record_id=record_id, reviewer=who, stage="title_abstract", label=label, reasons=[],
                             note="", created_at=now, model_rank=None, model_info={}, undoes_id=None, blind=True))
    included = [r for r, labels in both.items() if labels == ["include", "include"]]
    events = [dict(record_id=r, reviewer="alice", event=event, reason="", note="", created_at=now, undoes_id=None)
              for n, r in enumerate(included) for event in (("sought", "retrieved") if n % 2 else ("sought",))]
    with ws.store.transaction() as conn:
        conn.execute(schema.screening_decisions.insert(), rows)
        if events:
            conn.execute(fulltext_events_table.insert(), events)
    ws.store.engine.dispose()
    return {"decisions": len(rows), "included_by_both": len(included), "fulltext_events": len(events)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=50000)
    parser.add_argument("--seed", type=int, default=33)
    parser.add_argument("--keys", type=int, default=40, help="decision keys in the screening screen")
    parser.add_argument("--team-keys", type=int, default=10,
                        help="decision keys in the screening screen again once the team's decisions are stored (0: none)")
    parser.add_argument("--verdicts", type=int, default=5, help="dedup review verdicts timed")
    parser.add_argument("--decided", type=float, default=0.4, help="share of the records each of two reviewers decided")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each report command (median)")
    parser.add_argument("--keep", type=Path, help="build here and keep it (default: a temporary folder)")
    parser.add_argument("--only", choices=["files", "import", "dedup", "tui", "reports"],
                        help="with --keep on a folder built before: this part only")
    args = parser.parse_args()
    results: dict[str, Any] = {"records": args.records, "seed": args.seed, "load_avg_start": os.getloadavg()[0],
                               "cores": os.cpu_count(), "steps": []}
    folder = args.keep or Path(tempfile.mkdtemp(prefix="scale_walk_"))
    root, files_folder = folder / "ws", folder / "files"
    steps: list[dict[str, Any]] = results["steps"]
    only = args.only
    print(f"{'step':<32} {'wall s':>8} {'CPU s':>8} {'peak MB':>8}   (load {os.getloadavg()[0]:.2f} on "
          f"{os.cpu_count()} cores)", flush=True)
    try:
        if only in (None, "files"):
            started = time.perf_counter()
            files = write_files(args.records, args.seed, files_folder)
            results["files"] = {db: {"name": p.name, "mb": round(p.stat().st_size / 2**20, 1)} for db, p in files.items()}
            print(f"files written in {time.perf_counter() - started:.1f} s: " + ", ".join(
                f"{p.name} {p.stat().st_size / 2**20:.1f} MB" for p in files.values()), flush=True)
        files = {"PubMed": files_folder / "pubmed.nbib", "Embase": files_folder / "embase.ris",
                 "PsycINFO": files_folder / "psycinfo.nbib", CINAHL: files_folder / "cinahl.csv"}
        if only in (None, "import"):
            shutil.rmtree(root, ignore_errors=True)
            root.mkdir(parents=True)
            steps.append(step("init", ["init", ".", "--reviewer", "alice", "--reviewer", "bob"], root))
            criteria = Path(__file__).resolve().parents[1] / "src" / "review" / "demo" / "criteria.toml"
            shutil.copyfile(criteria, root / "screening" / "criteria.toml")
            for database, path in files.items():
                steps.append(step(f"import {path.name}", ["import", str(path), "--source", database], root))
        if only in (None, "dedup"):
            steps.append(step("dedup", ["dedup"], root))
            wall, cpu, out = dedup_review(root, "q\n")
            waiting = next((line for line in out.splitlines() if line.endswith("to review")), "none to review")
            steps.append({"step": "dedup --review open", "wall_s": wall, "cpu_s": cpu, "peak_mb": None,
                          "note": waiting, "load": os.getloadavg()[0]})
            print(f"{'dedup --review open':<32} {wall:8.2f} {cpu:8.2f} {'':>8}   {waiting}", flush=True)
            more, more_cpu, _ = dedup_review(root, "d\n" * args.verdicts + "q\n")
            steps.append({"step": "dedup --review verdict", "wall_s": (more - wall) / args.verdicts,
                          "cpu_s": (more_cpu - cpu) / args.verdicts, "peak_mb": None, "load": os.getloadavg()[0]})
            print(f"{'dedup --review verdict (each)':<32} {(more - wall) / args.verdicts:8.2f} "
                  f"{(more_cpu - cpu) / args.verdicts:8.2f}", flush=True)
        if only in (None, "tui"):
            board = asyncio.run(dashboard(root, "alice"))
            steps.append({"step": "tui dashboard", **board, "load": os.getloadavg()[0]})
            print(f"tui dashboard: first frame {board['first_frame_s']:.2f} s, idle {board['idle_s']:.2f} s", flush=True)
            screen = asyncio.run(measure_screening(root, args.keys, "alice"))
            steps.append({"step": "tui screening", **screen, "load": os.getloadavg()[0]})
            print(f"tui screening: first frame {screen['paint_s']:.2f} s, first record {screen['first_record_s']:.2f} s, "
                  f"key p50 {screen['all_p50_ms']:.0f} ms, p95 {screen['all_p95_ms']:.0f} ms, max "
                  f"{screen['all_max_ms']:.0f} ms ({screen['all_keys']} keys; UI CPU p50 {screen['ui_cpu_p50_ms']:.0f} ms)",
                  flush=True)
        if only in (None, "reports"):
            if only is None:
                results["progress"] = store_progress(root, args.decided, args.seed)
                print(f"stored: {results['progress']}", flush=True)
            if only is None and args.team_keys:  # the TUI again, on a day of the team's screening
                board = asyncio.run(dashboard(root, "alice"))
                steps.append({"step": "tui dashboard (team)", **board, "load": os.getloadavg()[0]})
                print(f"tui dashboard (team): first frame {board['first_frame_s']:.2f} s, idle {board['idle_s']:.2f} s",
                      flush=True)
                screen = asyncio.run(measure_screening(root, args.team_keys, "alice"))
                steps.append({"step": "tui screening (team)", **screen, "load": os.getloadavg()[0]})
                print(f"tui screening (team): first frame {screen['paint_s']:.2f} s, first record "
                      f"{screen['first_record_s']:.2f} s, key p50 {screen['all_p50_ms']:.0f} ms, p95 "
                      f"{screen['all_p95_ms']:.0f} ms ({screen['all_keys']} keys; UI CPU p50 "
                      f"{screen['ui_cpu_p50_ms']:.0f} ms, p95 {screen['ui_cpu_p95_ms']:.0f} ms)", flush=True)
            out = folder / "out"
            out.mkdir(exist_ok=True)
            steps.append(repeated("status", ["status"], root, args.repeat))
            steps.append(repeated("prisma", ["prisma", "--out", str(out / "prisma")], root, args.repeat))
            steps.append(repeated("export decisions", ["export", "decisions", str(out / "decisions.csv")], root,
                                  args.repeat))
            steps.append(repeated("export screening", ["export", "screening", str(out / "screening.md")], root,
                                  args.repeat))
            steps.append(repeated("fulltext list", ["fulltext", "list"], root, args.repeat))
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)
    results["load_avg_end"] = os.getloadavg()[0]
    print(json.dumps({"benchmark": "scale_walk", **results}, default=str))


if __name__ == "__main__":
    main()
