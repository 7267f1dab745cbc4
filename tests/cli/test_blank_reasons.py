"""A blank reason typed on the command line is a command-line mistake in every command that takes one:
one line, exit 2, nothing recorded (docs/interfaces.md, exit statuses). It exited 4 in ``fulltext
excluded`` and 1 in ``prisma remove``, ``prisma stop`` and ``decide``."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from review.cli import main
from review.records import Record

COMMANDS = {
    "fulltext excluded": (["fulltext", "excluded", "{id}", "--reason"], "--reason"),
    "prisma remove": (["prisma", "remove", "{id}", "--reason"], "--reason"),
    "decide": (["-r", "alice", "decide", "{id}", "--exclude", "--reason"], "--reason"),
    "prisma stop": (["prisma", "stop"], "EXPLANATION"),
}


@pytest.mark.parametrize("blank", ["", "   "])
@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_blank_reason_exits_2_in_one_line_and_records_nothing(workspace, command: str, blank: str) -> None:
    workspace.store.add_batch([Record(title="t")], file_name="f", file_sha256="0" * 64, source_name="s",
                              format="csv", encoding="utf-8")
    (record_id,) = [r.id for r in workspace.store.records()]
    words, named = COMMANDS[command]
    args = [word.format(id=record_id) for word in words]
    result = CliRunner().invoke(main, ["-w", str(workspace.root), *args, blank])
    assert result.exit_code == 2 and result.stdout == "", result.output
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"review: {command}: Invalid value for '{named}': {blank!r} is blank; give ")
    assert line.endswith(f"(review {command} --help)")
    status = CliRunner().invoke(main, ["-w", str(workspace.root), "export", "decisions", "--format", "json", "-"])
    assert status.exit_code == 0 and status.stdout.strip() == "[]"  # no screening decision
    prisma = CliRunner().invoke(main, ["-w", str(workspace.root), "prisma", "--out", str(workspace.root / "p")])
    counts = dict(line.split("\t") for line in prisma.stdout.splitlines())
    assert counts["excluded_other"] == "0" and counts["dbr_sought_reports"] == "0"
    resume = CliRunner().invoke(main, ["-w", str(workspace.root), "prisma", "resume"])
    assert resume.stdout == "no screening stop to withdraw\n"


def test_the_rule_is_written_in_interfaces_md() -> None:
    doc = (Path(__file__).resolve().parents[2] / "docs" / "interfaces.md").read_text(encoding="utf-8")
    statuses = doc.split("| exit statuses |", 1)[1].split("\n", 1)[0]
    assert "a blank reason (`--reason \"\"` or `\" \"` in `decide --exclude`, `fulltext excluded`, `prisma remove`; " \
        "`prisma stop`'s EXPLANATION), as a missing `--reason` is, nothing recorded" in statuses
