"""Demo service: build (or reuse) the generated demo workspace."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import WorkspaceError
from ..paths import WORKSPACE_FILE
from ..workspace import Workspace

__all__ = ["DemoWorkspace", "prepare_demo"]

#: Default seed of the generated corpus (``review demo --seed``).
DEMO_SEED = 20261125


@dataclass(slots=True)
class DemoWorkspace:
    """The demo workspace, whether it was reused, and one line per build step."""

    workspace: Workspace
    reused: bool
    steps: list[str] = field(default_factory=list)


def prepare_demo(path: Path, *, seed: int = DEMO_SEED, rebuild: bool = False,
                 progress: Callable[[str], None] | None = None) -> DemoWorkspace:
    """The demo workspace at ``path``: reused when present, rebuilt on request (demo ones only)."""
    marker = path / WORKSPACE_FILE
    if marker.exists() and not (path / "imports" / "demo_truth.csv").exists():
        # Someone's own review: never deleted, and not opened as "the existing demo workspace" either.
        raise WorkspaceError(f"{path}: a workspace, but not a demo one; give review demo another PATH "
                             f"(or open this review with: review -w {path})"
                             + ("; refusing to delete it" if rebuild else ""))
    if marker.exists() and rebuild:
        shutil.rmtree(path)
    if marker.exists():
        return DemoWorkspace(Workspace(path), reused=True)
    from ..demo.build import build_demo

    report = build_demo(path, seed=seed, progress=progress)
    return DemoWorkspace(report.workspace, reused=False, steps=list(report.steps))
