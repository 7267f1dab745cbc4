"""What the demo's build and pipeline steps share: the generated files and the progress callback."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

#: The demo's build state at the top of its folder: "building" from before the workspace exists,
#: "built" (written atomically) once every step ran; a demo without "built" never finished.
BUILD_STATE_FILE = ".demo-build"
BUILDING, BUILT = "building", "built"


def build_state(path: Path) -> str | None:
    """The demo build state at ``path`` (None for a folder without one: not a demo, or built before it was kept)."""
    try:
        return (path / BUILD_STATE_FILE).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None


#: Receives one line per step of the build ("generating the demo corpus").
Progress = Callable[[str], None]


@dataclass(slots=True)
class DemoFiles:
    pubmed_xml: Path
    embase_ris: Path
    psycinfo_nbib: Path
    truth_csv: Path
    screening_csv: Path
