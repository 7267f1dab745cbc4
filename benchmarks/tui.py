"""TUI benchmark: start-up time and key-to-next-record latency at 2,300 and 50,000 records.

    python benchmarks/tui.py                 # 2,300 and 50,000 records, 100 keys each
    python benchmarks/tui.py --sizes 2300 --keys 200
    python benchmarks/tui.py --demo --keys 100   # the demo workspace, default engine, its first reviewer

For each size a synthetic workspace (seeded) is built in a temporary folder, then the app runs
headless (``App.run_test``) on the screening screen:

* ``paint``: from creating the app to its first frame (workspace, store and session still
  loading in a worker);
* ``first record``: until the first record is on screen (store open, session built), on a
  fresh workspace (keyword-prior ranking) and again on the second start (saved ranking);
* ``key``: one decision key, sent through the driver like a terminal key, until the frame
  showing the next record is written. Split by whether the retraining worker was busy when
  the key came: the first half of the keys waits for it to finish (a reviewer reading the
  abstract), the second half comes just after the retrain started (worst case: the worker
  thread holds the GIL in long numerical calls).
  Wall times depend on how busy the machine is; the UI thread's CPU time per key (also
  printed) is what the same key costs on an otherwise idle machine.
* ``cold start``: what a user waits for: ``review screen`` started as a new process on a
  pseudo-terminal until the screen shows the first record's counts (Python start-up, imports,
  Textual, store and session), on the workspace as the in-process runs left it (resumed);
  the median of 5 runs. A line per size also gives each run's first frame (the
  screen's "Loading workspace…" skeleton) and the process's CPU time until the first record,
  which is steadier than wall time on a busy machine.
* ``import``: a cold ``python -c 'import review.tui.app'`` in a subprocess (median of 5), for
  reference.

The first record no longer waits for scikit-learn: the session opens on the saved queue (or
a seeded order) and the model code is imported in a worker while the first record is read.

Targets (issue 7): start < 1 s at 2,300 records, every key < 50 ms. Prints a table and one
JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import select
import signal
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


from review.records import Record
from review.tui.screens.screening import RETRAIN_DELAY
from review.workspace import Workspace, init_workspace

WORDS = ("sickness absence recurrence depression anxiety burnout work return employees cohort "
         "stress adjustment disorder common mental disorders risk factors supervisor support "
         "job demands follow-up relapse sick leave occupational health physician randomised "
         "children adolescents knee pain surgery trial primary care nurses questionnaire").split()


def build(root: Path, n: int, seed: int = 1) -> Workspace:
    """A workspace with ``n`` synthetic records (a few relevant-looking ones) and criteria."""
    rng = random.Random(seed)
    workspace = init_workspace(root, title=f"benchmark {n}", reviewers=["alice"], seed=seed)
    workspace.path("screening", "criteria.toml").write_text(
        '[include]\nterms = ["sickness absence", "recurren*", "depress*"]\n'
        '[exclude]\nterms = ["child*", "knee"]\n', encoding="utf-8")
    batch = []
    for i in range(n):
        words = rng.choices(WORDS, k=rng.randint(120, 260))
        batch.append(Record(
            title=" ".join(rng.choices(WORDS, k=10)).capitalize(),
            abstract="BACKGROUND: " + " ".join(words[:40]) + ". METHODS: " + " ".join(words[40:90])
                     + ". RESULTS: " + " ".join(words[90:]) + ".",
            authors=[f"Author{rng.randint(1, 999)} {chr(65 + rng.randint(0, 25))}" for _ in range(rng.randint(1, 8))],
            year=rng.randint(1990, 2025), journal=rng.choice(["Occup Med", "BMJ", "Lancet", "J Affect Disord"]),
            keywords=rng.sample(WORDS, 4), pmid=str(30000000 + i),
        ))
        if len(batch) == 5000:
            workspace.store.add_batch(batch, file_name=f"part{i}.xml", file_sha256=f"{i:064d}",
                                      source_name="PubMed", format="pubmed-xml", encoding="utf-8")
            batch = []
    if batch:
        workspace.store.add_batch(batch, file_name="last.xml", file_sha256="f" * 64,
                                  source_name="PubMed", format="pubmed-xml", encoding="utf-8")
    return workspace


async def measure(root: Path, keys: int, reviewer: str = "alice") -> dict[str, float]:
    """Paint and first-record times, then ``keys`` decision keys timed to the next frame."""
    from textual import events

    from review.tui.app import make_app

    started = time.perf_counter()
    app = make_app(Workspace(root), reviewer, "screening")
    async with app.run_test(size=(120, 36)) as pilot:
        paint = time.perf_counter() - started
        screen = app.screen
        while getattr(screen, "current", None) is None:
            await asyncio.sleep(0.002)
            if time.perf_counter() - started > 600:
                raise RuntimeError("first record never appeared")
        first = time.perf_counter() - started
        frames: list[float] = []
        display = app._display

        def timed_display(*args: object, **kwargs: object) -> None:
            display(*args, **kwargs)  # type: ignore[arg-type]
            frames.append(time.perf_counter())

        app._display = timed_display  # type: ignore[method-assign]
        # When the next record is painted (before its frame): waiting for "a frame after the
        # record changed" instead can miss a frame written before this loop polls, and then
        # counts the wait for the next one (the retrain status 0.3 s later) as the key's.
        painted: list[float] = []
        paint_record = screen._paint_record  # type: ignore[attr-defined]

        def timed_paint_record(*args: object, **kwargs: object) -> None:
            paint_record(*args, **kwargs)
            painted.append(time.perf_counter())

        screen._paint_record = timed_paint_record  # type: ignore[attr-defined]
        idle: list[float] = []
        busy: list[float] = []
        every: list[float] = []
        worst: list[tuple[float, int, bool]] = []  # (ms, key index, retraining) of the slowest keys
        ui_cpu: list[float] = []  # CPU time of the UI thread per key: what an idle machine would see
        for i in range(keys):
            if i < keys // 2:  # a reviewer reading the abstract: the retrain has run and finished
                await asyncio.sleep(RETRAIN_DELAY + 0.05)
                waited = time.perf_counter()
                while getattr(screen, "_training", False) and time.perf_counter() - waited < 60:
                    await asyncio.sleep(0.005)
            before = screen.current.id  # type: ignore[attr-defined]
            key = "i" if i % 7 == 0 else "e"
            training = bool(getattr(screen, "_training", False))
            cpu = time.thread_time()
            sent = time.perf_counter()
            app._driver.send_message(events.Key(key, key))  # the path a terminal key takes
            while screen.current is not None and screen.current.id == before:  # type: ignore[attr-defined]
                await asyncio.sleep(0.0005)
            shown = next(t for t in reversed(painted) if t >= sent)
            while not frames or frames[-1] < shown:
                await asyncio.sleep(0.0005)
            frame = next(t for t in frames if t >= shown)  # the first frame with the new record
            (busy if training else idle).append((frame - sent) * 1000)
            every.append((frame - sent) * 1000)
            worst.append((round((frame - sent) * 1000, 1), i, training))
            ui_cpu.append((time.thread_time() - cpu) * 1000)
            if i >= keys // 2:  # the second half lands just after the retrain started: worst case
                await asyncio.sleep(RETRAIN_DELAY + 0.02)
        for worker in list(app.workers):
            try:
                await worker.wait()
            except Exception as err:  # a cancelled or failed worker is reported, not fatal
                print(f"worker {worker.name} ({worker.group}): {type(err).__name__}", file=sys.stderr)
        await pilot.pause()
    row = {"paint_s": paint, "first_record_s": first, "keys": keys,
           "slowest_keys": sorted(worst, reverse=True)[:3]}
    for name, values in (("all", every), ("idle", idle), ("busy", busy), ("ui_cpu", ui_cpu)):
        values.sort()
        row[f"{name}_keys"] = len(values)
        row[f"{name}_p50_ms"] = statistics.median(values) if values else float("nan")
        row[f"{name}_p95_ms"] = values[int(0.95 * (len(values) - 1))] if values else float("nan")
        row[f"{name}_max_ms"] = values[-1] if values else float("nan")
    return row


#: Escape sequences a terminal acts on (CSI, OSC, charset and keypad modes): removed to read what shows.
ANSI = re.compile(rb"\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()][0-9A-Za-z]|\x1b[=>78]")


def start_on_pty(args: list[str], shown: re.Pattern[bytes], *, size: tuple[int, int] = (120, 36),
                 painted: bytes = b"Loading workspace", timeout: float = 300.0) -> tuple[float, float, float]:
    """``review ARGS`` started as a new process on a pseudo-terminal of ``size`` (columns, lines), with
    this checkout's ``src`` first on its path: seconds until the screen first shows ``painted`` (nan if
    never) and until it shows ``shown``, and the CPU seconds of the process by then (it is killed)."""
    import pty

    env = dict(os.environ, TERM="xterm-256color", COLUMNS=str(size[0]), LINES=str(size[1]))
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(Path(__file__).resolve().parents[1] / "src"),
                                                      env.get("PYTHONPATH", "")]))
    argv = [sys.executable, "-c", "from review.cli import main; main()", *args]
    started = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:  # child
        os.execvpe(argv[0], argv, env)
    output = bytearray()
    first_frame = when_shown = float("nan")
    try:
        while when_shown != when_shown and time.perf_counter() - started < timeout:
            ready, _, _ = select.select([fd], [], [], 0.005)
            if ready:
                try:
                    output.extend(os.read(fd, 65536))
                except OSError:  # the app ended
                    break
                screen = ANSI.sub(b"", bytes(output))
                if first_frame != first_frame and painted in screen:
                    first_frame = time.perf_counter() - started
                if shown.search(screen):
                    when_shown = time.perf_counter() - started
        if when_shown != when_shown:
            raise RuntimeError(f"{shown.pattern!r} not shown after {time.perf_counter() - started:.0f} s: "
                               f"{ANSI.sub(b'', bytes(output))[-400:]!r}")
    finally:
        os.kill(pid, signal.SIGKILL)
        _, _, usage = os.wait4(pid, 0)
        os.close(fd)
    return first_frame, when_shown, usage.ru_utime + usage.ru_stime


def cold_start(root: Path, n: int, timeout: float = 300.0, repeats: int = 5) -> float:
    """Median seconds from starting ``review screen`` in a pty until the first record's counts show.

    Prints the first frame, first record and CPU seconds of the ``repeats`` runs as min / median.
    """
    counts = re.compile(rf"Screened [\d,]+ / {n:,}(?![\d,])".encode())

    def run() -> tuple[float, float, float]:
        """(first frame, first record, CPU seconds of the app's process) of one start."""
        return start_on_pty(["-w", str(root), "screen", "--reviewer", "alice"], counts, timeout=timeout)

    runs = [run() for _ in range(repeats)]
    columns = {name: sorted(values) for name, values in zip(("first frame", "first record", "CPU"), zip(*runs))}
    print(f"cold start at {n:,} records ({len(runs)} runs, min / median s): " + ", ".join(
        f"{name} {min(values):.2f} / {statistics.median(values):.2f}" for name, values in columns.items()), flush=True)
    return statistics.median(columns["first record"])


def cold_import(repeats: int = 5) -> float:
    """Median seconds of ``python -c 'import review.tui.app'`` in a new process."""
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import review.tui.app"], check=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[2300, 50000])
    parser.add_argument("--keys", type=int, default=100)
    parser.add_argument("--demo", action="store_true",
                        help="instead: the demo workspace (review demo) as its first reviewer, with the default "
                             "engine and review.toml as the demo writes it (retraining in a worker process)")
    args = parser.parse_args()
    if args.demo:
        demo(args.keys)
        return
    results = {"import_s": cold_import(), "load_avg": os.getloadavg()[0], "sizes": {}}
    print(f"1-min load average at start: {results['load_avg']:.2f} on {os.cpu_count()} cores", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            t = time.perf_counter()
            build(Path(tmp) / str(n), n)
            built = time.perf_counter() - t
            row = asyncio.run(measure(Path(tmp) / str(n), args.keys))
            row["build_s"] = built
            # Second start: the saved ranking is reused, as on any later day of screening.
            row["resume_first_record_s"] = asyncio.run(measure(Path(tmp) / str(n), 1))["first_record_s"]
            row["cold_start_s"] = cold_start(Path(tmp) / str(n), n)
            row["load_avg"] = os.getloadavg()[0]
            results["sizes"][n] = row
    print(f"cold import of review.tui.app: {results['import_s']:.2f} s (1-min load average "
          f"{results['load_avg']:.1f} at start on {os.cpu_count()} cores)")
    print(f"{'records':>8} {'paint s':>8} {'first rec s':>11} {'resumed s':>9} {'cold s':>6} | "
          f"key ms, all p50/p95/max n | model idle p50/p95/max n | retraining p50/p95/max n | "
          f"UI-thread CPU ms p50/p95/max | load")
    for n, r in results["sizes"].items():
        print(f"{n:>8} {r['paint_s']:>8.3f} {r['first_record_s']:>11.3f} {r['resume_first_record_s']:>9.3f} "
              f"{r['cold_start_s']:>6.2f} | "
              f"{r['all_p50_ms']:6.1f} {r['all_p95_ms']:6.1f} {r['all_max_ms']:6.1f} {r['all_keys']:3} | "
              f"{r['idle_p50_ms']:6.1f} {r['idle_p95_ms']:6.1f} {r['idle_max_ms']:6.1f} {r['idle_keys']:3} | "
              f"{r['busy_p50_ms']:6.1f} {r['busy_p95_ms']:6.1f} {r['busy_max_ms']:6.1f} {r['busy_keys']:3} | "
              f"{r['ui_cpu_p50_ms']:6.1f} {r['ui_cpu_p95_ms']:6.1f} {r['ui_cpu_max_ms']:6.1f} | "
              f"{r['load_avg']:.2f}")
    for n, r in results["sizes"].items():
        print(f"{n:>8} slowest keys (ms, key index, retraining): {r['slowest_keys']}")
    print(json.dumps({"benchmark": "tui", **results}))


def demo(keys: int) -> None:
    """Key-to-frame latency on a fresh ``review demo`` workspace (about 1,750 records to screen)."""
    from review.demo.build import build_demo

    with tempfile.TemporaryDirectory() as tmp:
        workspace = build_demo(Path(tmp) / "demo").workspace
        reviewer = workspace.config.reviewers[0]
        load = os.getloadavg()[0]
        r = asyncio.run(measure(workspace.root, keys, reviewer))
    r["load_avg_start"], r["load_avg_end"] = load, os.getloadavg()[0]
    print(f"demo workspace as {reviewer}, {keys} keys, 1-min load average {load:.1f} -> {r['load_avg_end']:.1f} "
          f"on {os.cpu_count()} cores")
    print(f"first record {r['first_record_s']:.2f} s | key ms p50/p95/max: all {r['all_p50_ms']:.1f} "
          f"{r['all_p95_ms']:.1f} {r['all_max_ms']:.1f} | model idle {r['idle_p50_ms']:.1f} {r['idle_p95_ms']:.1f} "
          f"{r['idle_max_ms']:.1f} | retraining {r['busy_p50_ms']:.1f} {r['busy_p95_ms']:.1f} {r['busy_max_ms']:.1f} | "
          f"UI-thread CPU {r['ui_cpu_p50_ms']:.1f} {r['ui_cpu_p95_ms']:.1f} {r['ui_cpu_max_ms']:.1f}")
    print(json.dumps({"benchmark": "tui-demo", **r}))


if __name__ == "__main__":
    main()
