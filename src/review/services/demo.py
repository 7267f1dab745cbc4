"""Demo service: build (or reuse) the generated demo workspace."""

from __future__ import annotations

import shlex
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
                             f"(or open this review with: review -w {shlex.quote(str(path))})"
                             + ("; refusing to delete it" if rebuild else ""))
    if marker.exists() and state == BUILDING and not rebuild:
        # A build that stopped partway (a refused address, an error, kill -9) holds part of the
        # records at most: reused, it looked like a demo with 0 records.
        raise WorkspaceError(f"{path}: a demo workspace whose build did not finish; "
                             f"review demo {shlex.quote(str(path))} --rebuild deletes it and builds it anew")
    if marker.exists() and rebuild:
        _delete_demo(path)
    if marker.exists():
        return DemoWorkspace(Workspace(path), reused=True)
    from ..demo.build import build_demo

    report = build_demo(path, seed=seed, progress=progress)
    return DemoWorkspace(report.workspace, reused=False, steps=list(report.steps))


def _delete_demo(path: Path) -> None:
    """Delete what a demo build wrote at ``path``, keeping the folder; a folder that holds anything
    else is refused whole, nothing deleted (``--rebuild`` deleted ``path`` with whatever it held)."""
    from ..atomic import write_text_atomic
    from ..demo.files import BUILD_STATE_FILE, BUILDING, delete_demo_entries, foreign_entries

    foreign = foreign_entries(path)
    if foreign:
        shown = ", ".join(foreign[:5]) + (f" and {len(foreign) - 5} more" if len(foreign) > 5 else "")
        raise WorkspaceError(f"{path}: holds files the demo did not make ({shown}); --rebuild deletes only a "
                             "demo's own files: move them out first, or give review demo another PATH")
    # Marked unfinished first: a rebuild killed while deleting leaves a demo that says so, never one reused.
    write_text_atomic(path / BUILD_STATE_FILE, BUILDING + "\n")
    delete_demo_entries(path)  # (a file put there since the check is foreign, and stays)
