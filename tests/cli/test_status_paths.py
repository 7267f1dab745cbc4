"""``review status`` names the files it cannot read as its other lines name files: from the workspace's root."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from review.cli import main


def test_status_names_a_file_it_cannot_read_from_the_workspace_root(tmp_path: Path) -> None:
    # The 'cannot be read' lines printed '/home/…/mine/screening/criteria.toml:…' beside 'queries/example.toml: a
    # template …' and the extraction line's 'studies/a.toml', whichever folder status ran in.
    runner = CliRunner()
    root = tmp_path / "mine"
    assert runner.invoke(main, ["init", str(root)]).exit_code == 0
    with (root / "screening" / "criteria.toml").open("a", encoding="utf-8") as criteria:
        criteria.write('exlcude = ["rats"]\n')
    (root / "queries" / "second.toml").write_text('[query]\nterm = "x"\nmaxdat = "2025"\n', encoding="utf-8")
    result = runner.invoke(main, ["-w", str(root), "status"])
    assert result.exit_code == 0, result.output
    unreadable = [line for line in result.stdout.splitlines() if line.startswith("  cannot be read: ")]
    assert [line.split(": ")[1].split(":")[0] for line in unreadable] == ["screening/criteria.toml",
                                                                         "queries/second.toml"], unreadable
    # the workspace line names the root; no other line names a file in full
    assert [line for line in result.stdout.splitlines() if str(tmp_path) in line] == [f"workspace  {root}"]
