"""Writing the PRISMA outputs: prisma.csv, prisma.json, prisma.svg and prisma.png."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..atomic import write_bytes_atomic
from ..tool_version import tool_version
from .counts import PrismaCounts, prisma_counts

if TYPE_CHECKING:
    from ..workspace import Workspace

__all__ = ["DEFAULT_OUT", "PrismaOutputs", "flow_json", "write_outputs"]

#: Where ``review prisma`` writes, relative to the workspace root.
DEFAULT_OUT = Path("screening") / "prisma"


@dataclass(slots=True, frozen=True)
class PrismaOutputs:
    counts: PrismaCounts
    csv: Path
    json: Path
    svg: Path
    png: Path


def flow_json(counts: PrismaCounts) -> dict[str, Any]:
    """prisma.json: the counts' JSON and ``tool``, the review that counted them (decision 0080)."""
    return {**counts.to_json(), "tool": tool_version().to_json()}


def write_outputs(workspace: "Workspace", out_dir: Path | None = None, lang: str = "en") -> PrismaOutputs:
    """Compute the flow and write prisma.csv, prisma.json, prisma.svg and prisma.png."""
    from .diagram import render_png, render_svg  # matplotlib only when drawing
    from .labels import labels
    from .template import render_csv

    labels(lang)  # reject an unknown language before writing anything
    out = Path(out_dir) if out_dir is not None else workspace.path(*DEFAULT_OUT.parts)
    counts = prisma_counts(workspace)
    # Every file rendered before the first is replaced: drawing takes a second or two, and a crash
    # (or kill -9) in it must not leave new counts beside an old diagram.
    texts = {"prisma.csv": render_csv(counts, lang).encode("utf-8"),
             "prisma.json": (json.dumps(flow_json(counts), indent=2, ensure_ascii=False) + "\n").encode("utf-8"),
             "prisma.svg": render_svg(counts, lang), "prisma.png": render_png(counts, lang)}
    for name, data in texts.items():
        write_bytes_atomic(out / name, data)
    return PrismaOutputs(counts=counts, csv=out / "prisma.csv", json=out / "prisma.json", svg=out / "prisma.svg",
                         png=out / "prisma.png")
