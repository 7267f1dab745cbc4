"""Screenshots of the terminal UI for the README and docs/, taken from the demo workspace.

    python scripts/docs_screenshots.py [--workspace DIR] [--out DIR]

Builds the demo (seeded; nothing fetched) in a temporary folder, removed afterwards (or in DIR when
--workspace names one that holds no workspace yet), screens its first records
as a reviewer who answers from the demo's own ground truth, and saves SVG screenshots of the
dashboard and the screening screen at 110×34 through Textual's headless driver. The shots go to
this repository's docs/images wherever the script is run from, unless --out says otherwise.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import tempfile
from pathlib import Path

from review.demo.build import build_demo
from review.tui.app import make_app
from review.workspace import Workspace

SIZE = (110, 34)
DOCS_IMAGES = Path(__file__).resolve().parents[1] / "docs" / "images"
DECISIONS = 40  # enough for the inclusions curve and counts to show something


async def _settle(pilot) -> None:  # type: ignore[no-untyped-def]
    for _ in range(40):
        for worker in list(pilot.app.workers):
            try:
                await worker.wait()
            except Exception:  # a failed worker shows itself on screen; the shot records it
                pass
        await pilot.pause()
        if all(w.is_finished for w in pilot.app.workers):
            return


def _truth(workspace: Path) -> dict[str, bool]:
    with (workspace / "imports" / "demo_truth.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return {row["title"].strip().lower(): row["label_included"] == "1" for row in rows}


async def _shoot(workspace_dir: Path, out: Path) -> None:
    workspace = Workspace.find(workspace_dir)
    reviewer = workspace.config.reviewers[0] if workspace.config.reviewers else "reviewer1"
    truth = _truth(workspace_dir)
    app = make_app(workspace, reviewer, start_screen="screening")
    async with app.run_test(size=SIZE) as pilot:
        await _settle(pilot)
        for _ in range(DECISIONS):
            record = getattr(app.screen, "current", None)  # the screening screen's record on show
            relevant = truth.get((record.title if record else "").strip().lower(), False)
            await pilot.press("i" if relevant else "e")
            await pilot.pause()
        await _settle(pilot)
        app.save_screenshot(str(out / "tui_screening.svg"))
        await pilot.press("1")
        await _settle(pilot)
        app.save_screenshot(str(out / "tui_dashboard.svg"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workspace", type=Path, default=None, help="keep the demo workspace here")
    parser.add_argument("--out", type=Path, default=DOCS_IMAGES)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    if args.workspace is None:
        with tempfile.TemporaryDirectory(prefix="review-demo-") as scratch:
            _build_and_shoot(Path(scratch) / "review-demo", args.out)
    else:
        _build_and_shoot(args.workspace, args.out)
    print(f"wrote {args.out}/tui_screening.svg, {args.out}/tui_dashboard.svg")


def _build_and_shoot(workspace: Path, out: Path) -> None:
    if not (workspace / "review.toml").exists():
        build_demo(workspace)
    asyncio.run(_shoot(workspace.resolve(), out))


if __name__ == "__main__":
    main()
