"""The minimal study file in docs/synthesis.md is one `review extraction validate` accepts, so it cannot rot."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from click.testing import CliRunner

from review.cli import main

REPO = Path(__file__).resolve().parents[2]


def _example(marker: str) -> str:
    text = (REPO / "docs" / "synthesis.md").read_text(encoding="utf-8")
    found = re.search(rf"<!-- {marker} -->\n```toml\n(.*?)```", text, re.S)
    assert found, f"docs/synthesis.md lost its {marker}"
    return found.group(1)


def test_the_study_file_example_in_the_docs_validates(tmp_path: Path) -> None:
    folder = tmp_path / "extraction"
    (folder / "studies").mkdir(parents=True)
    for name in ("form.toml", "factors.toml"):  # the programme's form and factor list
        shutil.copy(REPO / "extraction" / name, folder / name)
    (folder / "studies" / "example2020.toml").write_text(_example("study-file-example"), encoding="utf-8")
    result = CliRunner().invoke(main, ["extraction", "validate", "--extraction", str(folder)])
    assert result.exit_code == 0, result.output
    assert "incomplete" not in result.output  # all six QUIPS domains rated, each with its support text
    assert result.output.startswith("1 study file valid (")


def test_a_new_review_goes_from_the_docs_examples_to_a_synthesis(tmp_path: Path) -> None:
    # A new review has only the form review init writes: the docs gave no factors.toml to start from.
    runner = CliRunner()
    assert runner.invoke(main, ["init", str(tmp_path / "ws"), "--title", "New"]).exit_code == 0
    folder = tmp_path / "ws" / "extraction"
    assert not (folder / "factors.toml").exists()
    (folder / "factors.toml").write_text(_example("factors-file-example"), encoding="utf-8")
    (folder / "studies").mkdir(exist_ok=True)
    (folder / "studies" / "example2020.toml").write_text(_example("study-file-example"), encoding="utf-8")
    ws = ["-w", str(tmp_path / "ws")]
    result = runner.invoke(main, [*ws, "extraction", "validate"])
    assert result.exit_code == 0 and result.output.startswith("1 study file valid (1 factor)"), result.output
    result = runner.invoke(main, [*ws, "synthesis", "--no-plots"])
    assert result.exit_code == 0, result.output
    assert "conflict_with_supervisor" in (folder / "synthesis.csv").read_text(encoding="utf-8")
    assert "stored 1 GRADE judgement\n" in result.output  # said "1 GRADE judgements"
