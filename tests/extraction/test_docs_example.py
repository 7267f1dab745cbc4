"""The minimal study file in docs/synthesis.md is one `review extraction validate` accepts, so it cannot rot."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from click.testing import CliRunner

from review.cli import main

REPO = Path(__file__).resolve().parents[2]


def test_the_study_file_example_in_the_docs_validates(tmp_path: Path) -> None:
    text = (REPO / "docs" / "synthesis.md").read_text(encoding="utf-8")
    found = re.search(r"<!-- study-file-example -->\n```toml\n(.*?)```", text, re.S)
    assert found, "docs/synthesis.md lost its study-file example"
    folder = tmp_path / "extraction"
    (folder / "studies").mkdir(parents=True)
    for name in ("form.toml", "factors.toml"):  # the programme's form and factor list, as a new review gets them
        shutil.copy(REPO / "extraction" / name, folder / name)
    (folder / "studies" / "example2020.toml").write_text(found.group(1), encoding="utf-8")
    result = CliRunner().invoke(main, ["extraction", "validate", "--extraction", str(folder)])
    assert result.exit_code == 0, result.output
    assert "incomplete" not in result.output  # all six QUIPS domains rated, each with its support text
    assert result.output.startswith("1 study file valid (")
