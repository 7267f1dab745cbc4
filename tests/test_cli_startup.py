"""Start-up stays cheap: help screens load no heavy library, and ``review --help`` lists every
command from ``COMMAND_SUMMARIES`` exactly as the loaded commands would (issue #15, speed)."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import click
import pytest

from review import cli

#: Libraries that cost 0.3-2 s each to import; no help screen needs any of them.
HEAVY = ("textual", "sqlalchemy", "matplotlib", "pandas", "sklearn")


@pytest.mark.parametrize("args", [["--help"], ["simulate", "--help"]])
def test_help_screens_import_no_heavy_library(args: list[str]) -> None:
    code = ("import sys\nfrom review.cli import main\n"
            f"try:\n    main({args!r})\nexcept SystemExit:\n    pass\n"
            f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "Usage: " in run.stdout
    assert run.stdout.strip().splitlines()[-1] == "[]", f"review {' '.join(args)} imported a heavy library"


@pytest.mark.parametrize("args", [["meta", "--help"], ["synthesis", "--help"]])
def test_the_synthesis_commands_help_loads_neither_numpy_nor_scipy(args: list[str]) -> None:
    # services.synthesis imported the pooling engine (numpy, scipy: ~1 s) at import time, so `review meta --help`
    # took 1.6 s; it imports it where a file is pooled.
    code = ("import sys\nfrom review.cli import main\n"
            f"try:\n    main({args!r})\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in ('numpy', 'scipy') if m in sys.modules))")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "Usage: " in run.stdout
    assert run.stdout.strip().splitlines()[-1] == "[]", f"review {' '.join(args)} imported numpy or scipy"


def _listing(group: click.Group, width: int, *, render: object) -> str:
    ctx = click.Context(group, info_name="review", terminal_width=width)
    formatter = ctx.make_formatter()
    render(group, ctx, formatter)  # type: ignore[operator]
    return formatter.getvalue()


@pytest.mark.parametrize("width", [40, 80, 132])
def test_the_listing_without_loading_is_the_loaded_commands_listing(width: int) -> None:
    """Add a command: give it a line in ``cli.COMMAND_SUMMARIES`` and a place in ``cli.COMMAND_SECTIONS``.

    Loading a command copies its summary into ``short_help`` (``ReviewGroup.load``), so the two listings
    differ only where that copy does not happen or does not show: a command missing from the summaries
    (or a summary for none), a command with a ``short_help`` of its own (kept by the load), a hidden
    command listed, or a summary cut at 80 columns."""
    loaded = cli.ReviewGroup(name="review")
    loaded.load_all()
    visible = {name: command for name, command in loaded.commands.items() if not command.hidden}
    assert set(cli.COMMAND_SUMMARIES) == set(visible)

    def render_loaded(_group: click.Group, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        cli.format_command_sections(ctx, formatter, visible)

    from_loaded = _listing(loaded, width, render=render_loaded)
    from_summaries = _listing(cli.ReviewGroup(name="review"), width, render=cli.ReviewGroup.format_commands)
    assert from_summaries == from_loaded
    assert "simulate" in from_summaries
    own = {name: command.short_help for name, command in visible.items()
           if command.short_help != cli.COMMAND_SUMMARIES[name]}
    assert not own, f"commands with a short_help of their own, not their summary: {own}"
    if width >= 80:  # development.md: each summary whole on an 80-column line
        assert all(summary in from_summaries for summary in cli.COMMAND_SUMMARIES.values())


def _labelled_csv(tmp_path: Path, n: int, every: int) -> Path:
    """A labelled set for ``review simulate``: records 1..n, every ``every``-th one relevant."""
    labelled = tmp_path / "labelled.csv"
    with labelled.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["record_id", "title", "abstract", "label_included"])
        for record_id in range(1, n + 1):
            relevant = record_id % every == 0
            topic = "sickness absence return to work" if relevant else "crop yield soil nitrogen"
            writer.writerow([record_id, f"{topic} study {record_id}", f"{topic} cohort", int(relevant)])
    return labelled


def test_a_simulation_loads_neither_the_store_nor_the_ui_nor_plotting(tmp_path: Path) -> None:
    """``review simulate`` needs nothing of the workspace stages (~0.3-1 s each)."""
    out = tmp_path / "sim.json"
    args = ["simulate", str(_labelled_csv(tmp_path, n=40, every=8)), "--seed", "1", "--json", str(out)]
    code = ("import sys\nfrom review.cli import main\n"
            f"try:\n    main({args!r})\nexcept SystemExit as stop:\n    assert not stop.code, stop.code\n"
            "print(sorted(m for m in ('textual', 'sqlalchemy', 'matplotlib') if m in sys.modules))")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.read_text())["n_records"] == 40
    assert run.stdout.strip().splitlines()[-1] == "[]"


def test_no_module_of_ours_imports_pandas_in_a_simulation(tmp_path: Path) -> None:
    """pandas comes onto the simulate path only with scikit-learn (its ``sklearn.utils.fixes``
    imports it), which the default model no longer loads (decision 0017; tests/screening/
    test_models_newton.py). This records every ``import pandas`` made from a ``review`` module
    while the command runs: there must be none."""
    out = tmp_path / "sim.json"
    args = ["simulate", str(_labelled_csv(tmp_path, n=30, every=6)), "--seed", "1", "--json", str(out)]
    code = ("import builtins, sys\nreal, importers = builtins.__import__, []\n"
            "def spy(name, globals=None, locals=None, fromlist=(), level=0):\n"
            "    caller = (globals or {}).get('__name__', '')\n"
            "    if name.split('.')[0] == 'pandas' and caller.split('.')[0] == 'review':\n"
            "        importers.append(caller)\n"
            "    return real(name, globals, locals, fromlist, level)\n"
            "builtins.__import__ = spy\nfrom review.cli import main\n"
            f"try:\n    main({args!r})\nexcept SystemExit as stop:\n    assert not stop.code, stop.code\n"
            "print('pandas' in sys.modules, sorted(set(importers)))")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.read_text())["n_records"] == 30
    assert run.stdout.strip().splitlines()[-1].endswith("[]"), run.stdout


def test_a_missing_dependency_is_one_line_naming_it(tmp_path: Path) -> None:
    """scipy, loaded where a file is pooled (9a49887a), missing from a broken install: one line naming the module and
    the way back, exit 1, not a traceback (the same before the import moved: then at start-up)."""
    table = tmp_path / "effects.csv"
    table.write_text("study,yi,vi\na,0.1,0.04\nb,0.3,0.09\n", encoding="utf-8")
    code = ("import sys\n"
            "class Missing:\n"
            "    def find_spec(self, name, path=None, target=None):\n"
            "        if name.split('.')[0] == 'scipy':\n"
            "            raise ModuleNotFoundError(f'No module named {name!r}', name=name)\n"
            "sys.meta_path.insert(0, Missing())\n"
            "from review.cli import main\n"
            f"main(['meta', {str(table)!r}])\n")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.returncode == 1 and "Traceback" not in run.stderr, run.stderr
    (line,) = run.stderr.splitlines()
    assert line.startswith("review: ") and "scipy" in line and "reinstall" in line
