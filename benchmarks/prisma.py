"""PRISMA benchmark: time to derive the flow from the store and to draw it, by workspace size.

    python benchmarks/prisma.py                 # 1k, 10k, 50k records
    python benchmarks/prisma.py --sizes 2000

Each workspace: two databases and a register, 25 % duplicates, 40 % of the rest screened by two
reviewers (8 % passed on), a screening stop, full-text events for every passed record (10 % not
retrieved, a third eligible, pairs of reports linked). Goal: live counts for the TUI dashboard
in well under a second at 10k records. Prints a table and one JSON line.
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from pathlib import Path


from review.prisma import prisma_counts
from review.prisma import counts as counts_module
from review.prisma.diagram import render_png, render_svg
from review.records import Record
from review.store import schema, utcnow
from review.store.fulltext import fulltext_events_table, record_screening_stop, report_links_table
from review.workspace import Workspace, init_workspace


def build(root: Path, n: int, seed: int) -> tuple[Workspace, set[int]]:
    rng = random.Random(seed)
    ws = init_workspace(root, title="bench", reviewers=["alice", "bob"], seed=seed)
    shares = (("PubMed", 0.55), ("Embase", 0.4), ("ClinicalTrials.gov", 0.05))
    for i, (source, share) in enumerate(shares):
        records = [Record(title=f"{source} {j}", abstract="text " * 30) for j in range(int(n * share))]
        ws.store.add_batch(records, file_name=source, file_sha256=f"{i:064x}", source_name=source,
                           format="ris", encoding="utf-8")
    ids = [r.id for r in ws.store.records()]
    duplicates = set(rng.sample(ids, len(ids) // 4))
    remaining = [r for r in ids if r not in duplicates]
    screened = remaining[: int(len(remaining) * 0.4)]
    now = utcnow()
    passed: list[int] = []
    decisions = []
    for record_id in screened:
        label = "include" if rng.random() < 0.08 else "exclude"
        if label == "include":
            passed.append(record_id)
        for reviewer in ("alice", "bob"):
            decisions.append(dict(record_id=record_id, reviewer=reviewer, stage="title_abstract", label=label,
                                  reasons=[], note="", created_at=now, model_rank=None, model_info={},
                                  undoes_id=None))
    events, links = [], []
    for k, record_id in enumerate(passed):
        events.append(dict(record_id=record_id, reviewer="alice", event="sought", reason="", note="",
                           created_at=now, undoes_id=None))
        if k % 10 == 0:
            event, reason = "not_retrieved", ""
        elif k % 3 == 0:
            event, reason = "eligible", ""
        else:
            event, reason = "excluded", rng.choice(["Wrong population", "Wrong outcome", "Language"])
        events.append(dict(record_id=record_id, reviewer="alice", event=event, reason=reason, note="",
                           created_at=now, undoes_id=None))
        if k % 6 == 3:
            links.append(dict(report_id=record_id, study_id=passed[k - 3], reviewer="alice", created_at=now))
    with ws.store.transaction() as conn:
        conn.execute(schema.screening_decisions.insert(), decisions)
        if events:
            conn.execute(fulltext_events_table.insert(), events)
        if links:
            conn.execute(report_links_table.insert(), links)
    record_screening_stop(ws.store, "alice", "benchmark stop", n_unscreened=len(remaining) - len(screened))
    return ws, duplicates


def timed(fn, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 50000])
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    results = []
    print(f"{'records':>8} {'counts_s':>9} {'svg_s':>7} {'png_s':>7} {'screened':>9} {'included':>9} identities")
    for n in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            ws, duplicates = build(Path(tmp) / "ws", n, args.seed)
            counts_module.duplicate_record_ids = lambda store, runs=None, d=duplicates: (set(d), True)
            counts = prisma_counts(ws)
            t_counts = timed(lambda ws=ws: prisma_counts(ws))
            t_svg = timed(lambda counts=counts: render_svg(counts), repeat=1)
            t_png = timed(lambda counts=counts: render_png(counts), repeat=1)
            row = {"records": n, "counts_s": round(t_counts, 4), "svg_s": round(t_svg, 3),
                   "png_s": round(t_png, 3), "screened": counts.n("records_screened"),
                   "included_reports": counts.n("new_reports"), "identities_ok": counts.identities_ok}
            results.append(row)
            print(f"{n:>8} {t_counts:>9.3f} {t_svg:>7.3f} {t_png:>7.3f} {row['screened']:>9} "
                  f"{row['included_reports']:>9} {'ok' if counts.identities_ok else 'BROKEN'}")
    print(json.dumps({"benchmark": "prisma", "results": results}))


if __name__ == "__main__":
    main()
