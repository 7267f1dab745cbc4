"""A command refusing a structurally broken CSV: the contract the one CSV structure check
(``csvcells.CsvText.dict_rows``) gives every command that reads one."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from review.cli import main


def assert_refused_in_one_line(command: str, source: Path, text: str, out: Path, where: str) -> None:
    """``review COMMAND SOURCE --json OUT`` on ``text``: exit 3, nothing on stdout, OUT not written,
    and one stderr line naming SOURCE and ``where`` (``line N: what``)."""
    source.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, [command, str(source), "--json", str(out)])
    assert result.exit_code == 3 and result.stdout == "" and not out.exists()
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"review: {source}:{where}")
