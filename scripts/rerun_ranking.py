"""Rerun a reviewer's ranking from a review's exports alone, and check each decision the model served.

For a methods section's claim that the screening order can be reproduced: from ``review export records``,
``review export decisions`` and ``review prisma``'s ``prisma.json`` (which records were set aside before screening),
without the workspace's store. For each decision the model served (``queue_order`` ``model``), the model is fitted
again on the reviewer's decisions in force when that ranking was made (the ``n_labelled`` decisions before it), with
the decision's model, engine version, query strategy and seed, and the record's rank is compared with the exported
``model_rank``.

Usage:
    review export records out/records.csv && review export decisions out/decisions.csv && review prisma --out out
    python scripts/rerun_ranking.py out/records.csv out/decisions.csv out/prisma.json --reviewer anna

Prints one line per decision whose rank differs (the first 10) and a last line ``N of M model-served decisions at
the rank the export gives`` (with ``; K not checked`` when K of them could not be rebuilt: stderr names each, ``no
state of k labels before it``); exits 1 unless every one checked agrees, 2 when there is nothing to check: the
decisions file has none by the reviewer, no ``queue_order`` column, none of the reviewer's decisions was served by the
model (each picked by id, or served by the keyword prior or a random order: the line says which), or none of those
the model served could be rebuilt. What it cannot rebuild: a ranking made before records
imported later were added (the session extends its vocabulary frozen until the set grows by 20 %; the rerun builds
it over the records as exported), and the keyword prior's order (its terms are in ``review export screening``).
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from review.screening.counts import RELEVANT_LABELS
from review.screening.engines import NAMED_ENGINES, engine_version
from review.screening.features import Features, build_features, record_text
from review.screening.ranker import Ranking, feature_config_for, rank

#: The records to screen, as ``prisma.json``'s boxes give them: a database's or register's record, not set aside.
IDENTIFIED_BOXES = ("database_results", "register_results")
SET_ASIDE_BOXES = ("duplicates", "excluded_other")


def records_to_screen(records: Mapping[int, dict[str, str]], prisma: dict[str, Any]) -> list[int]:
    boxes = prisma["boxes"]
    identified = {r for box in IDENTIFIED_BOXES for r in boxes.get(box, ())}
    aside = {r for box in SET_ASIDE_BOXES for r in boxes.get(box, ())}
    return [r for r in records if r in identified and r not in aside]


def model_name(row: dict[str, str]) -> str:
    """The model to rerun with: the exported name, or the name that keeps the exported engine version where the name
    ranks with another one now (``svm`` was engine version 8 before decision 0074)."""
    name, engine = row["model"], row.get("engine", "")
    if engine and engine.isdigit() and engine_version(name) != int(engine):
        kept = [n for n, version in NAMED_ENGINES.items() if version == int(engine)]
        return kept[0] if kept else name
    return name


def snapshots(rows: list[dict[str, str]]) -> list[dict[int, int]]:
    """The reviewer's training labels in force after each row (record -> 1 relevant / 0 not), undos applied."""
    history: dict[int, list[dict[str, str]]] = {}
    by_id = {row["decision_id"]: row for row in rows}
    states, labels = [], {}
    for row in rows:
        if row["label"] == "undo":
            undone = by_id.get(row["undoes_id"])
            if undone is not None:
                stack = history.get(int(undone["record_id"]), [])
                if stack and stack[-1] is undone:
                    stack.pop()
        else:
            history.setdefault(int(row["record_id"]), []).append(row)
        labels = {r: int(stack[-1]["label"] in RELEVANT_LABELS) for r, stack in history.items() if stack}
        states.append(labels)
    return states


def model_served(row: dict[str, str]) -> bool:
    """Whether the model's ranking served this decision, at the exported ``model_rank``: the decisions checked."""
    return row["label"] != "undo" and row["queue_order"] == "model" and row["chosen"] != "true" and bool(row["model_rank"])


def not_served(rows: list[dict[str, str]]) -> str | None:
    """None when the model served one of ``rows``; else how the decisions came instead (``2 picked by id, 1 from
    keyword_prior``), undos left out."""
    if any(model_served(row) for row in rows):
        return None
    ways: dict[str, int] = {}
    for row in rows:
        if row["label"] != "undo":
            way = ("picked by id" if row["chosen"] == "true" else f"from {row['queue_order']}" if row["queue_order"]
                   else "no queue order")
            ways[way] = ways.get(way, 0) + 1
    return ", ".join(f"{n} {way}" for way, n in ways.items()) or "only undos"


def text_row(row: dict[str, str]) -> dict[str, Any]:
    """A records.csv row as ``record_text`` reads a record (keywords and MeSH "; "-joined in the export)."""
    return {**row, "keywords": [k for k in row.get("keywords", "").split("; ") if k],
            "mesh": [m for m in row.get("mesh", "").split("; ") if m]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("records", type=Path)
    parser.add_argument("decisions", type=Path)
    parser.add_argument("prisma", type=Path, help="prisma.json of review prisma")
    parser.add_argument("--reviewer", required=True)
    args = parser.parse_args(argv)

    records = {int(r["record_id"]): r for r in csv.DictReader(args.records.open(encoding="utf-8"))}
    eligible = records_to_screen(records, json.loads(args.prisma.read_text(encoding="utf-8")))
    every_row = list(csv.DictReader(args.decisions.open(encoding="utf-8")))
    rows = [r for r in every_row if r["reviewer"] == args.reviewer]
    if not rows:  # (a misspelt name: "0 of 0" would read as a rerun that agreed)
        named = ", ".join(sorted({r["reviewer"] for r in every_row})) or "none"
        print(f"{args.decisions}: no decisions by {args.reviewer!r} (reviewers: {named})", file=sys.stderr)
        return 2
    if "queue_order" not in rows[0]:
        print(f"{args.decisions}: no queue_order column (an export made before 2026-12-07): export the decisions again",
              file=sys.stderr)
        return 2
    unserved = not_served(rows)
    if unserved is not None:  # ("0 of 0 … at the rank the export gives", exit 0, read as a rerun that agreed)
        decided = sum(row["label"] != "undo" for row in rows)
        print(f"{args.decisions}: nothing to check: none of {args.reviewer!r}'s {decided} decisions was served by the "
              f"model ({unserved})", file=sys.stderr)
        return 2
    states = snapshots(rows)
    features: dict[str, Features] = {}
    rankings: dict[tuple[str, str, int, frozenset[tuple[int, int]]], Ranking] = {}
    checked = agreed = unbuilt = 0
    for i, row in enumerate(rows):
        if not model_served(row):
            continue
        k = int(row["n_labelled"])
        # The labels the ranking was fitted on: the latest state before this decision holding k of them.
        labels = next((s for s in reversed(states[:i]) if len(s) == k), {} if k == 0 else None)
        if labels is None:
            print(f"decision {row['decision_id']}: no state of {k} labels before it", file=sys.stderr)
            unbuilt += 1
            continue
        model = model_name(row)
        key = (model, row["query"], int(row["seed"]), frozenset(labels.items()))
        if model not in features:
            config = feature_config_for(model, len(eligible))
            texts = [record_text(text_row(records[r]), config.title_repeats, config.title_apart) for r in eligible]
            features[model] = build_features(eligible, texts, config)
        if key not in rankings:
            rankings[key] = rank(features[model], labels, model=model, query=row["query"], seed=int(row["seed"]),
                                 n_records=len(eligible))
        got = rankings[key].rank_of(int(row["record_id"]))
        checked += 1
        if got == int(row["model_rank"]):
            agreed += 1
        elif checked - agreed <= 10:
            print(f"decision {row['decision_id']} (record {row['record_id']}, {k} labels): exported rank "
                  f"{row['model_rank']}, rerun rank {got}")
    if checked == 0:  # ("0 of 0 … at the rank the export gives", exit 0, read as a rerun that agreed)
        print(f"{args.decisions}: nothing checked: none of {args.reviewer!r}'s {unbuilt} model-served decisions could "
              "be rebuilt (no state of their n_labelled labels before them)", file=sys.stderr)
        return 2
    not_rebuilt = f"; {unbuilt} not checked (no state of their n_labelled labels before them)" if unbuilt else ""
    print(f"{agreed} of {checked} model-served decisions at the rank the export gives{not_rebuilt}")
    return 0 if agreed == checked else 1


if __name__ == "__main__":
    sys.exit(main())
