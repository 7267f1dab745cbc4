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


def test_the_import_map_has_no_cycle() -> None:
    """No module imports itself back through others (type-only imports count: they still tie
    the modules together)."""
    grimp = pytest.importorskip("grimp")  # comes with import-linter
    graph = grimp.build_graph("review")
    imports = {module: graph.find_modules_directly_imported_by(module) for module in graph.modules}
    # Tarjan's strongly connected components, iteratively.
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []
    for root in sorted(imports):
        if root in index:
            continue
        work = [(root, iter(sorted(imports[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            module, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(imports[child]))))
                elif child in on_stack:
                    low[module] = min(low[module], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[module])
            if low[module] == index[module]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == module:
                        break
                if len(component) > 1:
                    cycles.append(sorted(component))
    assert cycles == []
