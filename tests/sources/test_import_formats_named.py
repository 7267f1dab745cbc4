"""The formats ``review import`` reads are named from one list, ``services.sources.IMPORT_FORMATS``: by the CLI's
help, the dashboard's help and its f key's tooltip (and import dialog, tests/tui/test_tui_import.py). It covers every
reader, and the README and docs/sources.md, which say them in prose, name each."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from review.cli import main
from review.services.sources import IMPORT_FORMATS, import_formats
from review.sources.readers import READERS

ROOT = Path(__file__).resolve().parents[2]


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_the_list_covers_every_reader_once() -> None:
    covered = [reader for _, readers in IMPORT_FORMATS for reader in readers]
    assert sorted(covered) == sorted(READERS)  # a reader added is named, or this fails
    assert import_formats() == ("RIS, MEDLINE (.nbib), PubMed XML, BibTeX, CSV, EndNote or Web of Science (plain "
                              "text)")  # (its tab-delimited export is refused, naming this one)


def test_the_cli_and_the_dashboard_name_the_formats_from_it() -> None:
    from review.tui.screens.dashboard import DashboardScreen

    help_text = CliRunner().invoke(main, ["import", "--help"]).output
    assert f"Import {import_formats()} files (format detected)." in _flat(help_text)
    assert f"**f** imports a file ({import_formats()})" in DashboardScreen.HELP
    from textual.binding import Binding

    (binding,) = [b for b in DashboardScreen.BINDINGS if isinstance(b, Binding) and b.id == "dashboard.import"]
    assert f"Import a file: {import_formats()} " in binding.tooltip


def test_the_docs_name_every_format() -> None:
    readme = _flat((ROOT / "README.md").read_text(encoding="utf-8"))
    words = [re.sub(r" \(.*\)$", "", name) for name, _ in IMPORT_FORMATS]  # "MEDLINE (.nbib)": MEDLINE
    overview = readme.split("| `review import FILE...` |")[1].split("|")[0]  # the command overview's row
    tour = readme[readme.index("**sources**"):][:300]  # the stages: 'import RIS, MEDLINE (.nbib), …'
    for said in (overview, tour):
        assert [word for word in words if word not in said] == [], said
    table = (ROOT / "docs" / "sources.md").read_text(encoding="utf-8")
    rows = set(re.findall(r"^\| `([a-z-]+)`", table, flags=re.MULTILINE))
    assert set(READERS) <= rows, f"docs/sources.md's format table lacks {sorted(set(READERS) - rows)}"
