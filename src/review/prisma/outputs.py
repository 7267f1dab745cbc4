"""Writing the PRISMA outputs: prisma.csv, prisma.json, prisma.svg and prisma.png."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..atomic import write_text_atomic
from .counts import PrismaCounts, prisma_counts

if TYPE_CHECKING:
    from ..workspace import Workspace

__all__ = ["DEFAULT_OUT", "PrismaOutputs", "write_outputs"]

#: Where ``review prisma`` writes, relative to the workspace root.
DEFAULT_OUT = Path("screening") / "prisma"


@dataclass(slots=True, frozen=True)
class PrismaOutputs:
    counts: PrismaCounts
    csv: Path
    json: Path
    svg: Path
    png: Path


def write_outputs(workspace: "Workspace", out_dir: Path | None = None, lang: str = "en") -> PrismaOutputs:
    """Compute the flow and write prisma.csv, prisma.json, prisma.svg and prisma.png."""
    from .diagram import write_diagram  # matplotlib only when drawing
    from .labels import labels
    from .template import write_csv

    labels(lang)  # reject an unknown language before writing anything
    out = Path(out_dir) if out_dir is not None else workspace.path(*DEFAULT_OUT.parts)
    counts = prisma_counts(workspace)
    csv_path = write_csv(counts, out / "prisma.csv", lang)
    json_path = out / "prisma.json"
    write_text_atomic(json_path, json.dumps(counts.to_json(), indent=2, ensure_ascii=False) + "\n")
    svg, png = write_diagram(counts, out, lang)
    return PrismaOutputs(counts=counts, csv=csv_path, json=json_path, svg=svg, png=png)
