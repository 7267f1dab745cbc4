"""TUI benchmark: start-up time and key-to-next-record latency at 2,300 and 50,000 records.

    python benchmarks/tui.py                 # 2,300 and 50,000 records, 100 keys each
    python benchmarks/tui.py --sizes 2300 --keys 200

For each size a synthetic workspace (seeded) is built in a temporary folder, then the app runs
headless (``App.run_test``) on the screening screen:

* ``paint``: from creating the app to its first frame (workspace, store and session still
  loading in a worker);
* ``first record``: until the first record is on screen (store open, session built);
* ``key``: one decision key from press until the next record is painted (Pilot's ``press``,
  which waits for the screen to be idle), while the retraining worker runs alongside.
* ``import``: a cold ``python -c 'import review.tui.app'`` in a subprocess, for reference.

Targets (issue 7): start < 1 s at 2,300 records, every key < 50 ms. Prints a table and one
JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from review.records import Record  # noqa: E402
from review.workspace import Workspace, init_workspace  # noqa: E402

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


async def measure(root: Path, keys: int) -> dict[str, float]:
    from review.tui.app import make_app

    started = time.perf_counter()
    app = make_app(Workspace(root), "alice", "screening")
    async with app.run_test(size=(120, 36)) as pilot:
        paint = time.perf_counter() - started
        screen = app.screen
        while getattr(screen, "current", None) is None:
            await asyncio.sleep(0.002)
            if time.perf_counter() - started > 300:
                raise RuntimeError("first record never appeared")
        first = time.perf_counter() - started
        latencies = []
        for i in range(keys):
            before = screen.current.id  # type: ignore[attr-defined]
            t = time.perf_counter()
            await pilot.press("i" if i % 7 == 0 else "e")
            latencies.append((time.perf_counter() - t) * 1000)
            assert screen.current is None or screen.current.id != before  # type: ignore[attr-defined]
        await app.workers.wait_for_complete()
    latencies.sort()
    return {
        "paint_s": paint, "first_record_s": first,
        "key_p50_ms": statistics.median(latencies),
        "key_p95_ms": latencies[int(0.95 * (len(latencies) - 1))],
        "key_max_ms": latencies[-1], "keys": keys,
    }


def cold_import() -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import review.tui.app"], check=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[2300, 50000])
    parser.add_argument("--keys", type=int, default=100)
    args = parser.parse_args()
    results = {"import_s": cold_import(), "sizes": {}}
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            t = time.perf_counter()
            build(Path(tmp) / str(n), n)
            built = time.perf_counter() - t
            row = asyncio.run(measure(Path(tmp) / str(n), args.keys))
            row["build_s"] = built
            results["sizes"][n] = row
    print(f"cold import of review.tui.app: {results['import_s']:.2f} s")
    print(f"{'records':>8} {'paint s':>8} {'first rec s':>11} {'key p50 ms':>10} {'p95 ms':>7} {'max ms':>7} {'keys':>5}")
    for n, r in results["sizes"].items():
        print(f"{n:>8} {r['paint_s']:>8.3f} {r['first_record_s']:>11.3f} {r['key_p50_ms']:>10.1f} "
              f"{r['key_p95_ms']:>7.1f} {r['key_max_ms']:>7.1f} {r['keys']:>5}")
    print(json.dumps({"benchmark": "tui", **results}))


if __name__ == "__main__":
    main()
