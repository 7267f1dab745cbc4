"""Hostile-file probes: how every named probe and N seeded mutants end (issue #21).

    nice -n 10 python benchmarks/hostile_probes.py                  # 1,600 mutants, seed 21
    nice -n 10 python benchmarks/hostile_probes.py --mutants 5000 --seed 7

Each file goes through ``read_file`` (detect, decode, parse, check). Outcomes: ``refused`` (one
line naming the file), ``read`` (records that pass the sanity checks), ``malformed`` (a record
that should not have been stored), ``traceback`` (any other exception), ``bad message``.
The probe kinds and seeds live in ``tests/sources/probe_corpus.py``. Prints counts and one JSON line.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "src"), str(REPO / "tests" / "sources")]

from probe_corpus import MUST_READ, PROBES, classify, mutants  # noqa: E402
from review.sources import read_file  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mutants", type=int, default=1600)
    parser.add_argument("--seed", type=int, default=21)
    args = parser.parse_args()
    started = time.perf_counter()
    probe_outcomes: dict[str, str] = {}
    mutant_outcomes: Counter[str] = Counter()
    failures: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory(prefix="probes-") as tmp:
        folder = Path(tmp)
        for name, data in sorted(PROBES.items()):
            path = folder / name
            path.write_bytes(data)
            outcome = classify(read_file, path)
            probe_outcomes[name] = outcome
            if outcome != ("read" if name in MUST_READ else "refused"):
                failures.append((name, outcome))
        for name, data in mutants(args.mutants, args.seed):
            path = folder / name
            path.write_bytes(data)
            outcome = classify(read_file, path)
            mutant_outcomes[outcome.split(":")[0]] += 1
            if outcome not in ("read", "refused"):
                failures.append((name, outcome))
    probe_counts = Counter(o.split(":")[0] for o in probe_outcomes.values())
    print(f"probes   {len(PROBES):>5}  " + "  ".join(f"{k} {v}" for k, v in sorted(probe_counts.items())))
    print(f"mutants  {args.mutants:>5}  " + "  ".join(f"{k} {v}" for k, v in sorted(mutant_outcomes.items())))
    for name, outcome in failures[:20]:
        print(f"  FAIL {name}: {outcome}")
    print(json.dumps({
        "benchmark": "hostile_probes", "seed": args.seed, "probes": len(PROBES), "mutants": args.mutants,
        "probe_outcomes": dict(probe_counts), "mutant_outcomes": dict(mutant_outcomes),
        "tracebacks": sum(1 for _, o in failures if o.startswith("traceback")),
        "malformed_stored": sum(1 for _, o in failures if o.startswith("malformed")),
        "unexpected": len(failures), "seconds": round(time.perf_counter() - started, 1),
    }))


if __name__ == "__main__":
    main()
