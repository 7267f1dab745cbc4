"""Run bib-dedupe on one record CSV and write its clusters and "maybe" pairs as JSON.

    python benchmarks/bib_dedupe_run.py IN.csv OUT.json

Standalone (imports only pandas and bib-dedupe), so ``benchmarks/dedup.py`` can run it with
another interpreter (``--bib-dedupe-python ~/venvs/bib-dedupe/bin/python``) when bib-dedupe is
not installed beside `review`. Input columns: record_id,title,authors,year,journal,volume,
issue,pages,doi,abstract (authors joined with " and ").
"""

from __future__ import annotations

import json
import logging
import os
import sys
import time


def main(source: str, target: str) -> None:
    import pandas as pd
    from bib_dedupe.bib_dedupe import block, cluster, match, prep

    logging.disable(logging.WARNING)
    table = pd.read_csv(source, dtype=str, keep_default_na=False)
    frame = pd.DataFrame({
        "ID": table["record_id"], "ENTRYTYPE": ["article"] * len(table), "title": table["title"],
        "author": table["authors"], "year": table["year"], "journal": table["journal"],
        "volume": table["volume"], "number": table["issue"], "pages": table["pages"],
        "doi": table["doi"], "abstract": table["abstract"],
    })
    cpu = min(2, os.cpu_count() or 1)
    start = time.perf_counter()
    stdout, sys.stdout = sys.stdout, open(os.devnull, "w")
    try:
        matched = match(block(prep(frame, cpu=cpu), cpu=cpu), cpu=cpu)
        groups = cluster(matched)
    finally:
        sys.stdout.close()
        sys.stdout = stdout
    seconds = time.perf_counter() - start
    maybe = matched[matched["duplicate_label"] == "maybe"]
    out = {"clusters": [list(map(str, g)) for g in groups],
           "maybe": [[str(a), str(b)] for a, b in zip(maybe["ID_1"], maybe["ID_2"])],
           "seconds": seconds}
    with open(target, "w", encoding="utf-8") as handle:
        json.dump(out, handle)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
