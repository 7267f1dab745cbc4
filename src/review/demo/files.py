"""What the demo's build and pipeline steps share: the generated files and the progress callback."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..paths import DATABASE_FILE, DEMO_BUILD_STATE_FILE, GITIGNORE_FILE, SQLITE_SIDE_FILES, WORKSPACE_FILE

#: The demo's build state at the top of its folder: "building" from before the workspace exists,
#: "built" (written atomically) once every step ran; a demo without "built" never finished.
BUILD_STATE_FILE = DEMO_BUILD_STATE_FILE
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
DEMO_FILES: tuple[str, ...] = (WORKSPACE_FILE, DATABASE_FILE, *(DATABASE_FILE + side for side in SQLITE_SIDE_FILES),
                               GITIGNORE_FILE)
#: Each folder a demo build makes, with the files it writes there (tests/demo/test_rebuild.py compares
#: them with a build): anything else in one is somebody's (a query tried, an import of one's own, a
#: study file, what a command wrote there at a place of one's choosing) and makes ``--rebuild`` refuse,
#: nothing deleted; the commands' default output folders are DEMO_OUTPUT_FOLDERS below.
DEMO_FOLDER_FILES: dict[str, frozenset[str]] = {
    "queries": frozenset({"demo.toml", "example.toml", "demo.log.json"}),
    "screening": frozenset({"criteria.toml"}),
    "extraction": frozenset({"form.toml"}),
    "instrument": frozenset(),
    "imports": frozenset({"pubmed_corpus.xml", "embase.ris", "psycinfo.nbib", "demo_truth.csv", "demo_screening.csv"}),
    "validate": frozenset({"analyses.toml", "synthetic_cohort.csv", "synthetic_cvi.csv", "synthetic_delphi_round1.csv",
                           "synthetic_delphi_round2.csv", "synthetic_pilot_items.csv", "synthetic_pilot_totals.csv",
                           "synthetic_sus.csv"}),
}
DEMO_FOLDERS: tuple[str, ...] = tuple(DEMO_FOLDER_FILES)
#: The folders where the tool's own commands write by default inside a demo (``review prisma``,
#: ``review validate run``): what they hold the user did not make, so ``--rebuild`` deletes them with the
#: demo, as long as they hold plain files only (a link or a folder inside is somebody's and refuses).
DEMO_OUTPUT_FOLDERS: dict[str, frozenset[str]] = {"screening": frozenset({"prisma"}), "validate": frozenset({"results"})}


def _is_command_output(entry: Path, folder: str) -> bool:
    """``entry`` is one of the tool's default output folders in ``folder``, holding plain files only."""
    return (entry.name in DEMO_OUTPUT_FOLDERS.get(folder, ()) and entry.is_dir() and not entry.is_symlink()
            and all(inner.is_file() and not inner.is_symlink() for inner in entry.iterdir()))


def _is_own(entry: Path, own_files: frozenset[str] | set[str]) -> bool:
    """``entry`` is a file (no link) named in ``own_files``, or the temporary file of a write of one
    that was killed before its rename (atomic.py's ``.NAME.*.tmp``)."""
    name = entry.name
    temp_of_own = name.startswith(".") and name.endswith(".tmp") and any(
        name.startswith(f".{own}.") for own in own_files)
    return not entry.is_symlink() and entry.is_file() and (name in own_files or temp_of_own)


def foreign_entries(path: Path) -> list[str]:
    """The entries at ``path`` that no demo build writes (a user's file, a link; inside a stage folder
    as ``queries/mine.toml``), sorted. Links are never followed: they lead to somebody's files."""
    foreign = []
    for entry in path.iterdir():
        name = entry.name
        if name in DEMO_FOLDER_FILES and entry.is_dir() and not entry.is_symlink():
            foreign += [f"{name}/{inner.name}" for inner in entry.iterdir()
                        if not (_is_own(inner, DEMO_FOLDER_FILES[name]) or _is_command_output(inner, name))]
        elif not _is_own(entry, {BUILD_STATE_FILE, *DEMO_FILES}):
            foreign.append(name)
    return sorted(foreign)


def delete_demo_entries(path: Path) -> None:
    """Delete what a demo build writes at the top of ``path`` (its files and folders, with what they
    hold), never a foreign entry nor the build state, and review.toml last: a deletion killed partway
    leaves review.toml, so ``review demo PATH`` still finds a demo whose build did not finish (and says
    --rebuild), never a folder without one where a new build would open the old review.db."""
    foreign = foreign_entries(path)
    own = [entry for entry in path.iterdir() if entry.name != BUILD_STATE_FILE and entry.name not in foreign
           and not any(name.startswith(f"{entry.name}/") for name in foreign)]  # (a folder holding one stays)
    for entry in sorted(own, key=lambda entry: entry.name == WORKSPACE_FILE):  # (review.toml: the last)
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink(missing_ok=True)


#: Receives one line per step of the build ("generating the demo corpus").
Progress = Callable[[str], None]


@dataclass(slots=True)
class DemoFiles:
    pubmed_xml: Path
    embase_ris: Path
    psycinfo_nbib: Path
    truth_csv: Path
    screening_csv: Path
