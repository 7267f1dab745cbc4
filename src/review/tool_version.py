"""Which review made a result: its version and, from a git checkout, the commit and whether the code differs from it.

Decision 0080. An installed release knows its version (and the commit pip recorded when it was installed from a git
URL); a checkout asks git once per process, only when something asks (``review --version``, a result that records
it): nothing runs at import.
"""

from __future__ import annotations

import functools
import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import __version__

__all__ = ["ToolVersion", "tool_version", "identify"]

#: What makes a checkout "modified": uncommitted changes (new files too) to the package or to the file naming its
#: dependencies. Other files of the repository (docs, tests, a review's own data beside the code) do not change what
#: the code computes.
CODE_PATHS = ("src/review", "pyproject.toml")
#: A commit as people cite it (git accepts it wherever it takes the full one).
SHORT_COMMIT = 12
#: git status on a large tree over a network file system; past this the commit is "not known", never a hang.
GIT_TIMEOUT_S = 10.0
#: Variables that would point git at another repository than the checkout the code runs from (a git hook's).
_GIT_LOCATION_VARIABLES = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY", "GIT_COMMON_DIR")


@dataclass(frozen=True, slots=True)
class ToolVersion:
    """The version of review that runs, and the commit when it is known."""

    version: str
    #: The full commit id; None when not known (an installed release, or git could not tell).
    commit: str | None = None
    #: True: the checkout's code (``CODE_PATHS``) has uncommitted changes. None when not known.
    modified: bool | None = None
    #: Why the commit of a checkout is not known (git missing, refused, timed out); "" otherwise.
    unknown_because: str = ""

    @property
    def detail(self) -> str:
        """``commit 890bd80f1234``, ``commit 890bd80f1234, with uncommitted changes``, or "" for a release."""
        if self.commit is None:
            return f"git checkout, commit not known: {self.unknown_because}" if self.unknown_because else ""
        changed = ", with uncommitted changes" if self.modified else ""
        return f"commit {self.commit[:SHORT_COMMIT]}{changed}"

    @property
    def text(self) -> str:
        """How a methods section names it: ``review 0.1.0 (commit 890bd80f1234, with uncommitted changes)``."""
        return f"review {self.version} ({self.detail})" if self.detail else f"review {self.version}"

    @property
    def local_version(self) -> str:
        """A PEP 440 version with the commit as its local label (``0.1.0+g890bd80f1234.dirty``), as setuptools-scm
        writes one: a token for fields that take a code, not a sentence."""
        if self.commit is None:
            return self.version
        return f"{self.version}+g{self.commit[:SHORT_COMMIT]}" + (".dirty" if self.modified else "")

    def to_json(self) -> dict[str, Any]:
        return {"name": "review", "version": self.version, "commit": self.commit, "modified": self.modified}


@functools.cache
def tool_version() -> ToolVersion:
    """The review running in this process (asked once: the code in memory does not change while it runs)."""
    return identify(Path(__file__).resolve().parent)


def identify(package: Path, version: str = __version__) -> ToolVersion:
    """The identity of the package in folder ``package``: a checkout's from git, else what the install recorded."""
    root = package.parent.parent
    # An install's metadata beside the package makes it an installed copy wherever it sits: `pip install --target src`
    # into a user's own project (a git repository with a pyproject.toml) named that project's commit as review's.
    installed = _install_record(package, version).is_dir()
    if not installed and package.parent.name == "src" and (root / ".git").exists() and (root / "pyproject.toml").is_file():
        return _from_git(root, version)
    commit = _commit_pip_recorded(package, version)
    return ToolVersion(version, commit, False if commit else None)


def _install_record(package: Path, version: str) -> Path:
    """The ``.dist-info`` folder pip writes beside an installed package (not beside a checkout's ``src/review``: an
    editable install writes its own in site-packages)."""
    return package.parent / f"review-{version}.dist-info"


def _from_git(root: Path, version: str) -> ToolVersion:
    # One call gives both: the branch header holds HEAD's id, every other line a changed or new file under CODE_PATHS.
    # No optional locks: status would otherwise refresh the index, taking its lock from a user's own git command.
    env = {k: v for k, v in os.environ.items() if k not in _GIT_LOCATION_VARIABLES}
    env["GIT_OPTIONAL_LOCKS"] = "0"
    command = ["git", "-C", str(root), "status", "--porcelain=v2", "--branch", "--untracked-files=normal", "--",
               *CODE_PATHS]
    try:
        done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=GIT_TIMEOUT_S, check=False)
    except FileNotFoundError:
        return ToolVersion(version, unknown_because="git is not installed")
    except subprocess.TimeoutExpired:
        return ToolVersion(version, unknown_because=f"git status took over {GIT_TIMEOUT_S:g} s")
    except OSError as err:
        return ToolVersion(version, unknown_because=f"git did not run ({err.strerror or err})")
    if done.returncode != 0:
        said = next((line.strip() for line in done.stderr.splitlines() if line.strip()), f"exit {done.returncode}")
        return ToolVersion(version, unknown_because=f"git: {_without_folders_above(said, root)}")
    lines = done.stdout.splitlines()
    head = next((line.split()[2] for line in lines if line.startswith("# branch.oid ")), "")
    if not _is_commit_id(head):  # "(initial)": a repository without a commit yet
        return ToolVersion(version, unknown_because="no commit yet")
    return ToolVersion(version, head, any(not line.startswith("#") for line in lines))


def _without_folders_above(said: str, root: Path) -> str:
    """Git's line with the checkout named by its folder and the home folder as ``~``: the text goes into files meant
    to be shared (the FHIR tag, the methods report), which name no user's folders (as prisma.json's file names)."""
    said = said.replace(str(root), root.name)
    home = str(Path.home())
    return said.replace(home, "~") if len(home) > 1 else said


def _commit_pip_recorded(package: Path, version: str) -> str | None:
    """The commit of an install from a git URL (``pip install git+URL@REV``): PEP 610's ``vcs_info.commit_id`` in the
    ``direct_url.json`` of the metadata folder beside the package (read directly: ``importlib.metadata`` would scan
    every installed distribution, 50-120 ms, and could find another install's)."""
    try:
        recorded = json.loads((_install_record(package, version) / "direct_url.json").read_text("utf-8"))
        commit = recorded["vcs_info"]["commit_id"]
    except (OSError, ValueError, KeyError, TypeError):
        return None  # no such file (a release, a wheel installed from a file), or not PEP 610's shape
    return commit if isinstance(commit, str) and _is_commit_id(commit) else None


def _is_commit_id(text: str) -> bool:
    return len(text) in (40, 64) and all(c in "0123456789abcdef" for c in text)
