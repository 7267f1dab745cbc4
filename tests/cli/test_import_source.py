"""``review import --source ""`` is refused in one line (exit 2), nothing imported: it silently took the
file's own source name, as if the option had not been given."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from review.cli import main

RIS = "TY  - JOUR\nTI  - Recurrent sickness absence after depression\nPY  - 2020\nER  - \n"


@pytest.mark.parametrize("blank", ["", "  "])
def test_a_blank_source_name_is_refused_and_nothing_is_imported(workspace, tmp_path: Path, blank: str) -> None:
    export = tmp_path / "embase.ris"
    export.write_text(RIS, encoding="utf-8")
    result = CliRunner().invoke(main, ["-w", str(workspace.root), "import", str(export), "--source", blank])
    assert result.exit_code == 2 and result.stdout == "", result.output
    assert result.stderr == (f"review: import: Invalid value for '--source': {blank!r} is blank; give the database's "
                             "name (e.g. Embase), or leave --source out to take it from the file "
                             "(review import --help)\n")
    assert workspace.store.count_records() == 0
    named = CliRunner().invoke(main, ["-w", str(workspace.root), "import", str(export), "--source", " Embase "])
    assert named.exit_code == 0 and named.stdout.splitlines()[1].split("\t")[3] == "Embase"


def test_the_rule_is_written_in_interfaces_md() -> None:
    doc = (Path(__file__).resolve().parents[2] / "docs" / "interfaces.md").read_text(encoding="utf-8")
    statuses = doc.split("| exit statuses |", 1)[1].split("\n", 1)[0]
    assert "a blank `import --source`" in statuses
