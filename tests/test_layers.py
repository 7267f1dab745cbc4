"""The layers of docs/decisions/0011: import-linter's contracts hold, and the shells reach the
store only through the services (an attribute, not an import, so the contracts cannot see it)."""

from __future__ import annotations

import re

import pytest

from shared_data import REPO_ROOT

SRC = REPO_ROOT / "src" / "review"


def test_the_import_contracts_hold() -> None:
    importlinter = pytest.importorskip("importlinter.cli")  # the dev extra; .ci/run runs it too
    assert importlinter.lint_imports(config_filename=str(REPO_ROOT / "pyproject.toml"), no_cache=True,
                                     no_logo=True) == 0


def test_the_shells_reach_the_store_only_through_the_services() -> None:
    offenders = [f"{path.relative_to(SRC)}:{number}: {line.strip()}"
                 for shell in ("cli", "tui") for path in sorted((SRC / shell).rglob("*.py"))
                 for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                 if re.search(r"\.store\b", line)]
    assert offenders == []
