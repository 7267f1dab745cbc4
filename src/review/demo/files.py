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


#: What a demo build writes at the top of its folder, besides the build state: the workspace's
#: review.toml, its SQLite store (with the files SQLite keeps beside it while open), the stage folders
#: and the demo's own imports/ and validate/. ``review demo --rebuild`` deletes these and nothing else.
DEMO_FILES: tuple[str, ...] = ("review.toml", "review.db", "review.db-wal", "review.db-shm", "review.db-journal")
DEMO_FOLDERS: tuple[str, ...] = ("queries", "screening", "extraction", "instrument", "imports", "validate")


def foreign_entries(path: Path) -> list[str]:
    """The names at the top of ``path`` that no demo build writes (a user's file, a link), sorted.

    What the demo's folders hold is the demo's: its commands write there (``review prisma`` into
    screening/prisma/), and the demo is rebuilt with them."""
    own_files = {BUILD_STATE_FILE, *DEMO_FILES}
    foreign = []
    for entry in path.iterdir():
        name = entry.name
        temp_of_own = name.startswith(".") and name.endswith(".tmp") and any(
            name.startswith(f".{own}.") for own in own_files)  # a write killed before its rename (atomic.py)
        if entry.is_symlink():
            foreign.append(name)  # (never followed: it leads to somebody's files)
        elif name in DEMO_FOLDERS and entry.is_dir():
            continue
        elif (name in own_files or temp_of_own) and entry.is_file():
            continue
        else:
            foreign.append(name)
    return sorted(foreign)


#: Receives one line per step of the build ("generating the demo corpus").
Progress = Callable[[str], None]


@dataclass(slots=True)
class DemoFiles:
    pubmed_xml: Path
    embase_ris: Path
    psycinfo_nbib: Path
    truth_csv: Path
    screening_csv: Path
