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
    """The demo workspace at ``path``: reused when present and finished, rebuilt on request (demo ones only)."""
    from ..demo.files import BUILDING, build_state

    marker = path / WORKSPACE_FILE
    state = build_state(path)
    if marker.exists() and state is None and not (path / "imports" / "demo_truth.csv").exists():
        # Someone's own review: never deleted, and not opened as "the existing demo workspace" either.
        raise WorkspaceError(f"{path}: a workspace, but not a demo one; give review demo another PATH "
                             f"(or open this review with: review -w {path})"
                             + ("; refusing to delete it" if rebuild else ""))
    if marker.exists() and state == BUILDING and not rebuild:
        # A build that stopped partway (a refused address, an error, kill -9) holds part of the
        # records at most: reused, it looked like a demo with 0 records.
        raise WorkspaceError(f"{path}: a demo workspace whose build did not finish; "
                             f"review demo {path} --rebuild deletes it and builds it anew")
    if marker.exists() and rebuild:
        shutil.rmtree(path)
    if marker.exists():
        return DemoWorkspace(Workspace(path), reused=True)
    from ..demo.build import build_demo

    report = build_demo(path, seed=seed, progress=progress)
    return DemoWorkspace(report.workspace, reused=False, steps=list(report.steps))
