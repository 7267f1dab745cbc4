"""Feature build (word TF-IDF) CPU on the shared sets and peak memory at 50,000 records.

    nice -n 10 python benchmarks/feature_build.py --cpu    # every shared set: CPU s, best of 5
    nice -n 10 python benchmarks/feature_build.py --rss    # 50,000 records: CPU s and peak RSS

``--rss`` builds ``latency()``'s corpus (``benchmarks/screening.py``: the shared sets' texts
drawn in a seeded order, a tenth of each text's words dropped) and reports this process's peak
resident set size (``ru_maxrss``) after ``build_features``; run it in its own process, as here,
so nothing else raised the peak. Prints numbers and one JSON line.
"""

from __future__ import annotations

import argparse
import json
import resource
import time

import numpy as np
from screening import datasets, load_labelled_csv, synthetic_corpus

from review.screening.features import build_features


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--cpu", action="store_true")
    mode.add_argument("--rss", action="store_true")
    parser.add_argument("--n", type=int, default=50_000, help="records for --rss")
    args = parser.parse_args()
    sets = [load_labelled_csv(path) for path in datasets()]
    if args.cpu:
        best: dict[str, float] = {}
        for data in sets:
            for _ in range(5):
                started = time.process_time()
                build_features(data.ids, data.texts)
                best[data.name] = min(best.get(data.name, float("inf")), time.process_time() - started)
            print(f"{data.name:<36} {len(data.ids):>6} {best[data.name]:7.3f} s", flush=True)
        print(f"{'all ' + str(len(sets)) + ' sets':<36} {'':>6} {sum(best.values()):7.3f} s")
        print(json.dumps({"cpu_s_best_of_5": {k: round(v, 3) for k, v in best.items()},
                          "total_s": round(sum(best.values()), 3)}))
        return
    texts, _ = synthetic_corpus(args.n, [(t, 0) for data in sets for t in data.texts], np.random.default_rng(7))
    before = peak_rss_mb()
    started = time.process_time()
    features = build_features(list(range(1, args.n + 1)), texts)
    cpu = time.process_time() - started
    peak = peak_rss_mb()
    print(f"{args.n} records: build {cpu:.2f} s CPU, peak RSS {peak:.0f} MB (corpus alone {before:.0f} MB), "
          f"matrix {features.matrix.shape[0]} x {features.matrix.shape[1]}, {features.matrix.nnz} entries")
    print(json.dumps({"n_records": args.n, "build_cpu_s": round(cpu, 2), "peak_rss_mb": round(peak),
                      "corpus_rss_mb": round(before), "nnz": int(features.matrix.nnz)}))


if __name__ == "__main__":
    main()
