"""TUI benchmark: the extraction screen's ctrl+r (read the study files, the form, the QUIPS rule and the store again).

    python benchmarks/tui_extraction_reload.py                     # the programme's 15 study files, 20 keys, 110x34
    python benchmarks/tui_extraction_reload.py --copies 10         # each study file 10 times over: 150 files

Builds a workspace in a temporary folder with the repository's ``extraction/`` (its study files, each copied
``--copies`` times under new ids), loads them into its store, opens the app on the extraction screen (7) and
presses ctrl+r ``--keys`` times, each once the last is done. Per key, as ``tui_screens.py`` measures a key:
``stretch`` (the longest single callback of the UI thread's event loop while the key is handled: no other key or
frame can be handled meanwhile; its CPU, then its wall time), ``UI CPU`` (the UI thread's CPU from the key until
done) and ``done`` (ms from the key to the last frame once every worker has finished). Then ``read`` times the
reading alone, outside the app (``read_folder``: what the key reads, in a worker since 2026-12-06). Prints a table
and one JSON line. Results: docs/benchmarks/tui-blocking-2026-12-06.md ("the extraction screen's ctrl+r").
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from review.workspace import Workspace

sys.path.insert(0, str(Path(__file__).resolve().parent))  # (run from anywhere)
from tui_screens import LoopStretches, record_frames, wait_idle  # noqa: E402  (the sibling benchmark's clocks)

REPO = Path(__file__).resolve().parents[1]


def build_workspace(root: Path, copies: int) -> int:
    """A workspace at ``root`` with the repository's extraction folder, each study file ``copies`` times, stored."""
    from review.services.extraction import load_folder
    from review.services.workspace import create_workspace

    workspace = create_workspace(root, reviewers=["alice"])
    folder = workspace.path("extraction")
    shutil.rmtree(folder)
    shutil.copytree(REPO / "extraction", folder)
    studies = folder / "studies"
    originals = sorted(studies.glob("*.toml"))
    for n in range(1, copies):
        for path in originals:
            new_id = f"{path.stem}_{n}"
            text = re.sub(rf'^(id|cohort_id) = "{re.escape(path.stem)}"', rf'\1 = "{new_id}"', path.read_text(encoding="utf-8"),
                          flags=re.MULTILINE)
            (studies / f"{new_id}.toml").write_text(text, encoding="utf-8")
    report = load_folder(Workspace(root), folder)
    return len(report.loaded)


async def press_reload(root: Path, keys: int, size: tuple[int, int]) -> list[tuple[float, float, float, float]]:
    """Per ctrl+r: (stretch CPU ms, stretch wall ms, UI CPU ms, done ms)."""
    from textual import events

    from review.tui.app import make_app

    workspace = Workspace(root)
    app = make_app(workspace, "alice", "extraction")
    rows: list[tuple[float, float, float, float]] = []
    clock = LoopStretches(floor_ms=0.2)
    async with app.run_test(size=size) as pilot:
        frames = record_frames(app)
        await wait_idle(app, pilot)
        with clock:
            for _ in range(keys):
                await wait_idle(app, pilot)
                cpu, sent = time.thread_time(), time.perf_counter()
                app._driver.send_message(events.Key("ctrl+r", None))  # type: ignore[union-attr]
                await wait_idle(app, pilot)
                stretch_cpu, stretch_wall, _ = clock.longest(sent, time.perf_counter())
                done = ([t for t in frames if t >= sent] or [time.perf_counter()])[-1]
                rows.append((stretch_cpu, stretch_wall, (time.thread_time() - cpu) * 1000, (done - sent) * 1000))
    return rows


def time_read(root: Path, repeats: int = 20) -> list[tuple[float, float]]:
    """``read_folder`` alone: (wall ms, CPU ms) per call; none on code before it (ctrl+r read on the UI thread)."""
    try:
        from review.tui.screens.extraction import read_folder
    except ImportError:
        return []

    workspace = Workspace(root)
    folder = workspace.path("extraction")
    read_folder(workspace, folder)
    out = []
    for _ in range(repeats):
        cpu, started = time.thread_time(), time.perf_counter()
        read_folder(workspace, folder)
        out.append(((time.perf_counter() - started) * 1000, (time.thread_time() - cpu) * 1000))
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=1, help="each study file this many times (default 1: 15 files)")
    parser.add_argument("--keys", type=int, default=20, help="ctrl+r presses (default 20)")
    parser.add_argument("--size", type=int, nargs=2, default=(110, 34), metavar=("COLS", "ROWS"))
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "ws"
        studies = build_workspace(root, max(1, args.copies))
        load = os.getloadavg()[0]
        rows = asyncio.run(press_reload(root, args.keys, tuple(args.size)))  # type: ignore[arg-type]
        reads = time_read(root)

    def p50(values: Any) -> float:
        return statistics.median(values)

    out = {"benchmark": "tui_extraction_reload", "studies": studies, "keys": len(rows), "load": round(load, 1),
           "stretch_cpu_p50_ms": p50(r[0] for r in rows), "stretch_cpu_max_ms": max(r[0] for r in rows),
           "stretch_wall_p50_ms": p50(r[1] for r in rows), "ui_cpu_p50_ms": p50(r[2] for r in rows),
           "done_p50_ms": p50(r[3] for r in rows),
           "read_wall_p50_ms": p50(r[0] for r in reads) if reads else None,
           "read_cpu_p50_ms": p50(r[1] for r in reads) if reads else None}
    print(f"ctrl+r on the extraction screen, {studies} study files, {len(rows)} keys (load {load:.1f})")
    print(f"  stretch  CPU p50 {out['stretch_cpu_p50_ms']:.1f} ms, max {out['stretch_cpu_max_ms']:.1f}; "
          f"wall p50 {out['stretch_wall_p50_ms']:.1f}")
    print(f"  UI CPU   p50 {out['ui_cpu_p50_ms']:.1f} ms;  done p50 {out['done_p50_ms']:.1f} ms")
    if reads:
        print(f"  read     wall p50 {out['read_wall_p50_ms']:.1f} ms, CPU p50 {out['read_cpu_p50_ms']:.1f} "
              "(read_folder alone)")
    print(json.dumps({k: round(v, 2) if isinstance(v, float) else v for k, v in out.items()}))


if __name__ == "__main__":
    main()
