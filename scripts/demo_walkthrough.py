"""Screen the demo workspace with a simulated reviewer, then draw its PRISMA 2020 diagram.

The reviewer first answers the borderline duplicate pairs, then screens, both from the demo's
ground truth (``imports/demo_truth.csv``); it retrains every ``--retrain-every`` decisions,
follows the session into the random-sample phase and stops when the session's stopping rule
says so (the recommended one; ``--stopping-rule certified`` saves the certified one in the demo's
review.toml first). Full text: every include is sought; the script marks one report not retrieved
and one excluded (labelled as simulated) so every PRISMA box is exercised.

    python scripts/demo_walkthrough.py [--out DIR | --write-docs] [--workspace DIR] [--stopping-rule certified]

Prints one JSON line with what happened; the diagram goes to OUT/prisma_demo.{svg,png}: by default a new
temporary folder (a stderr line says where), with ``--write-docs`` the repository's docs/images, which the
README and docs/demo.md show (a run only to look must not change them).
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from review.demo.build import build_demo
from review.demo.truth import publication_of_each_record
from review.prisma.fulltext import record_fulltext
from review.prisma.outputs import write_outputs
from review.screening.session import ScreeningSession
from review.screening.stopping import STOPPING_CHOICES
from review.services import dedup
from review.services.prisma import record_screening_stop
from review.workspace import Workspace


def _key(title: str) -> str:
    return re.sub(r"[^a-z0-9]", "", title.lower())


def relevant_titles(workspace: Workspace) -> set[str]:
    with workspace.path("imports", "demo_truth.csv").open(encoding="utf-8") as handle:
        return {_key(row["title"]) for row in csv.DictReader(handle) if row["label_included"] == "1"}


def review_borderline_pairs(workspace: Workspace, reviewer: str) -> int:
    """Answer the demo's borderline duplicate pairs from the ground truth, as the dedup review would."""
    publication = publication_of_each_record(workspace)
    pairs = dedup.borderline_pairs(workspace)
    for pair in pairs:
        same = publication[pair.left.id] == publication[pair.right.id]
        dedup.decide_pair(workspace, pair.left.id, pair.right.id, "same" if same else "different", reviewer)
    return len(pairs)


def screen(workspace: Workspace, reviewer: str, retrain_every: int,
           stopping_rule: str | None = None) -> dict[str, object]:
    relevant = relevant_titles(workspace)
    session = ScreeningSession(workspace, reviewer)
    if stopping_rule is not None:
        session.set_stopping_rule(stopping_rule)
    decisions = retrains = 0
    start = time.perf_counter()
    while (record := session.next_record()) is not None:
        if _key(record.title) in relevant:
            session.decide(record.id, "include")
        else:
            session.decide(record.id, "exclude", reasons=("outcome not (recurrent) sickness absence",))
        decisions += 1
        if decisions % retrain_every == 0:
            session.apply_ranking(session.retrain())
            epoch = session.evidence_epoch  # the stopping rule's classifier evidence, after the queue (as the TUI)
            session.apply_stopping_evidence(session.stopping_evidence(), epoch)
            retrains += 1
        progress = session.progress()
        if progress.stopping.verdict == "stop":
            record_screening_stop(workspace, reviewer, progress.stopping.explanation,
                                  verdict=progress.stopping)
            break
    progress = session.progress()
    return {"stopping_rule": session.stopping_rule, "screened": progress.screened,
            "included": progress.included, "total": progress.total,
            "relevant_in_corpus": len(relevant), "retrains": retrains, "verdict": progress.stopping.verdict,
            "est_recall": progress.est_recall, "seconds": round(time.perf_counter() - start, 1)}


def full_text(workspace: Workspace, reviewer: str) -> None:
    store = workspace.store
    included = sorted(d.record_id for d in store.current_decisions(reviewer=reviewer).values()
                      if d.label == "include")
    for n, record_id in enumerate(included):
        record_fulltext(store, record_id, reviewer, "sought")
        if n == 0:
            record_fulltext(store, record_id, reviewer, "not_retrieved", note="simulated: not available")
            continue
        record_fulltext(store, record_id, reviewer, "retrieved")
        if n == 1:
            record_fulltext(store, record_id, reviewer, "excluded", reason="Wrong outcome",
                            note="simulated: outcome was first-episode absence")
        else:
            record_fulltext(store, record_id, reviewer, "eligible")


#: The pictures the README and docs/demo.md show, which ``--write-docs`` replaces.
DOCS_IMAGES = Path(__file__).resolve().parents[1] / "docs" / "images"


def images_folder(out: Path | None, write_docs: bool) -> Path:
    """Where the diagram goes: ``out``, the repository's docs/images with ``write_docs``, else a new
    temporary folder."""
    if write_docs:
        return DOCS_IMAGES
    return out if out is not None else Path(tempfile.mkdtemp(prefix="review-walkthrough-"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--out", type=Path, help="write the diagram here (default: a new temporary folder)")
    where.add_argument("--write-docs", action="store_true",
                       help=f"update the diagram the docs show ({DOCS_IMAGES})")
    parser.add_argument("--workspace", type=Path,
                        help="build the demo here and keep it (default: a temporary folder, removed at the end)")
    parser.add_argument("--retrain-every", type=int, default=5)
    parser.add_argument("--stopping-rule", choices=STOPPING_CHOICES,
                        help="the rule to stop by (default: the demo's review.toml, i.e. recommended)")
    args = parser.parse_args(argv)
    with demo_folder(args.workspace) as folder:
        return walk(folder, args, kept=args.workspace is not None)


@contextmanager
def demo_folder(workspace: Path | None) -> Iterator[Path]:
    """Where the demo is built: ``workspace``, kept; else a new temporary folder, removed however the run
    ends (each run left a /tmp/review-demo-* of some 17 MB behind)."""
    if workspace is not None:
        yield workspace
        return
    with tempfile.TemporaryDirectory(prefix="review-demo-") as temp:
        yield Path(temp) / "demo"


def walk(folder: Path, args: argparse.Namespace, *, kept: bool) -> int:
    """The walk through the demo built in ``folder``; prints the summary's JSON line."""
    workspace = build_demo(folder).workspace
    reviewer = workspace.config.reviewers[0]
    pairs = review_borderline_pairs(workspace, reviewer)
    summary = screen(workspace, reviewer, args.retrain_every, args.stopping_rule)
    summary["borderline_pairs_answered"] = pairs
    full_text(workspace, reviewer)
    outputs = write_outputs(workspace, out_dir=folder / "prisma", lang="en")
    images = images_folder(args.out, args.write_docs)
    images.mkdir(parents=True, exist_ok=True)
    for suffix in ("svg", "png"):
        shutil.copyfile(folder / "prisma" / f"prisma.{suffix}", images / f"prisma_demo.{suffix}")
    print(f"wrote {images / 'prisma_demo.svg'} and prisma_demo.png"
          + ("" if args.write_docs else " (--write-docs updates docs/images)"), file=sys.stderr)
    summary["identities_ok"] = outputs.counts.identities_ok
    summary["workspace"] = str(folder) if kept else None  # (a temporary one is removed: --workspace keeps it)
    summary["images"] = str(images)
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
