"""A review workspace: ``review.toml``, the stage folders and the store."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .atomic import write_text_atomic
from .errors import WorkspaceError
from .paths import DATABASE_FILE, WORKSPACE_FILE, find_workspace

if TYPE_CHECKING:  # SQLAlchemy takes ~0.3 s to import: only opening the store pays for it
    from .store import Store

STAGE_DIRS: tuple[str, ...] = ("queries", "screening", "extraction", "instrument")


@dataclass(slots=True)
class WorkspaceConfig:
    title: str
    reviewers: list[str] = field(default_factory=lambda: ["reviewer1"])
    seed: int = 42
    database: str = DATABASE_FILE
    raw: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> "WorkspaceConfig":
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as err:
            raise WorkspaceError(f"{path}: {err}") from err
        review = data.get("review", {})
        if not isinstance(review, dict) or not review.get("title"):
            raise WorkspaceError(f"{path}: [review] table needs a 'title'")
        reviewers = review.get("reviewers", ["reviewer1"])
        if not isinstance(reviewers, list) or not all(isinstance(r, str) for r in reviewers):
            raise WorkspaceError(f"{path}: review.reviewers must be a list of names")
        seed = review.get("seed", 42)
        if not isinstance(seed, int):
            raise WorkspaceError(f"{path}: review.seed must be an integer")
        return cls(
            title=str(review["title"]),
            reviewers=list(reviewers),
            seed=seed,
            database=str(review.get("database", DATABASE_FILE)),
            raw=data,
        )

    def section(self, name: str) -> dict[str, Any]:
        """A top-level table of ``review.toml`` (e.g. ``screening``), empty if absent."""
        value = self.raw.get(name, {})
        return value if isinstance(value, dict) else {}


class Workspace:
    """A directory holding ``review.toml``; the unit every command acts on."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root).resolve()
        config_path = self.root / WORKSPACE_FILE
        if not config_path.is_file():
            raise WorkspaceError(f"{self.root}: no {WORKSPACE_FILE} here (run 'review init')")
        self.config = WorkspaceConfig.load(config_path)

    @classmethod
    def find(cls, explicit: Path | None = None) -> "Workspace":
        """The workspace named by ``explicit`` or the nearest one above the cwd."""
        if explicit is not None:
            return cls(explicit)
        root = find_workspace()
        if root is None:
            raise WorkspaceError(
                f"{Path.cwd()}: not inside a review workspace "
                f"(no {WORKSPACE_FILE} here or above; use 'review init' or --workspace)"
            )
        return cls(root)

    @property
    def database_url(self) -> str:
        db = self.config.database
        if "://" in db:
            return db
        return f"sqlite:///{self.root / db}"

    @cached_property
    def store(self) -> Store:
        """The workspace's store, opened on first use (the TUI opens it in a worker)."""
        from .store import Store

        return Store.open(self.database_url)

    def path(self, *parts: str) -> Path:
        return self.root.joinpath(*parts)


def render_config(title: str, reviewers: list[str], seed: int) -> str:
    names = ", ".join(f'"{r}"' for r in reviewers)
    return (
        "# review workspace settings\n"
        "[review]\n"
        f'title = "{title}"\n'
        f"reviewers = [{names}]\n"
        f"seed = {seed}\n"
        f'database = "{DATABASE_FILE}"\n'
    )


QUERY_TEMPLATE = '''# A PubMed strategy: one file per query; `review search NAME` runs it (see docs/sources.md).
# Write one block per concept, MeSH plus title/abstract free text, and say why in a comment.
name = "example"
database = "pubmed"
query = """("Sick Leave"[Mesh] OR "sickness absence"[tiab])
AND ("Mental Disorders"[Mesh:NoExp] OR depress*[tiab] OR anxiety[tiab])"""
# mindate = "2000/01/01"   # optional publication-date range (YYYY[/MM[/DD]])
# maxdate = "2025/12/31"
notes = "Replace with your own strategy."
'''

#: Starter files a new workspace gets: (target, package holding the template, template name).
_PACKAGED_TEMPLATES: tuple[tuple[str, str, str], ...] = (
    ("screening/criteria.toml", "review.screening", "criteria_template.toml"),
    ("extraction/form.toml", "review.extraction", "form.toml"),
)


def _seed_templates(root: Path) -> None:
    from importlib import resources

    write_text_atomic(root / "queries" / "example.toml", QUERY_TEMPLATE)
    for target, package, name in _PACKAGED_TEMPLATES:
        template = resources.files(package).joinpath(name)
        if template.is_file() and not (root / target).exists():
            write_text_atomic(root / target, template.read_text(encoding="utf-8"))


def init_workspace(
    path: Path,
    *,
    title: str = "Untitled review",
    reviewers: list[str] | None = None,
    seed: int = 42,
) -> Workspace:
    """Create the workspace layout at ``path``; refuses to overwrite an existing one."""
    root = Path(path)
    if (root / WORKSPACE_FILE).exists():
        raise WorkspaceError(f"{root / WORKSPACE_FILE}: already a workspace")
    root.mkdir(parents=True, exist_ok=True)
    for name in STAGE_DIRS:
        (root / name).mkdir(exist_ok=True)
    write_text_atomic(root / WORKSPACE_FILE, render_config(title, reviewers or ["reviewer1"], seed))
    _seed_templates(root)
    workspace = Workspace(root)
    workspace.store.create()
    return workspace
