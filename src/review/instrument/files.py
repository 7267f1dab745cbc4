"""Where the instrument's files live in a workspace (light: ``review status`` reads it without the build and the
exports)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..workspace import Workspace

__all__ = ["SYNTHESIS", "InstrumentPaths", "paths"]

#: The synthesis the item bank is built from, under the workspace root.
SYNTHESIS = ("extraction", "synthesis.csv")


@dataclass(slots=True, frozen=True)
class InstrumentPaths:
    root: Path

    @property
    def folder(self) -> Path:
        return self.root / "instrument"

    @property
    def questions(self) -> Path:
        return self.folder / "questions.toml"

    @property
    def scoring(self) -> Path:
        return self.folder / "scoring.toml"

    @property
    def item_bank(self) -> Path:
        return self.folder / "item_bank.toml"

    @property
    def synthesis(self) -> Path:
        return self.root.joinpath(*SYNTHESIS)


def paths(workspace: Workspace) -> InstrumentPaths:
    return InstrumentPaths(workspace.root)
