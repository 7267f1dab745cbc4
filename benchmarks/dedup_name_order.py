"""Deduplication when one database writes full author names in another order than the others.

    nice -n 10 python benchmarks/dedup_name_order.py

The demo corpus (three simulated databases, true publication of every copy known) is scored as
exported, then with every Embase copy's names rewritten: surname first without a comma (``Smith
John``, as CNKI and some full-name exports write them), and given name first (``John Smith``, as
BibTeX and publishers' pages do). The other copies keep ``Smith, John`` or ``Smith J``. Only the
automatic merges count; borderline pairs are listed apart. Prints a table and one JSON line.
"""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from dedup import demo_records, review_labels  # noqa: E402  (the sibling benchmark's corpus and scorer)

from review.dedup.engine import ALGORITHM_VERSION  # noqa: E402
from review.records import Record  # noqa: E402


def _surname_first(name: str) -> str:
    last, _, given = name.partition(", ")
    return f"{last} {given}" if given else name


def _given_first(name: str) -> str:
    last, _, given = name.partition(", ")
    return f"{given} {last}" if given else name


def variants() -> list[tuple[str, list[Record], list[str]]]:
    records, truth = demo_records()

    def rewrite(order: object) -> list[Record]:
        return [replace(r, authors=[order(a) for a in r.authors]) if r.source == "Embase" else r  # type: ignore[operator]
                for r in records]

    return [("as exported", records, truth), ("Embase surname first", rewrite(_surname_first), truth),
            ("Embase given name first", rewrite(_given_first), truth)]


def main() -> None:
    rows = []
    print(f"algorithm version {ALGORITHM_VERSION}")
    print(f"{'demo corpus':28s} {'prec':>7s} {'recall':>7s} {'falseM':>7s} {'border':>7s} {'R_rev':>7s}")
    for label, records, truth in variants():
        metrics, _, _ = review_labels(records, truth)
        rows.append({"set": label, **{k: metrics[k] for k in
                                      ("precision", "recall", "false_merges", "borderline", "recall_after_review")}})
        print(f"{label:28s} {metrics['precision']:7.4f} {metrics['recall']:7.4f} {metrics['false_merges']:7d} "
              f"{metrics['borderline']:7d} {metrics['recall_after_review']:7.4f}")
    print(json.dumps({"benchmark": "dedup_name_order", "algorithm_version": ALGORITHM_VERSION, "rows": rows}))


if __name__ == "__main__":
    main()
