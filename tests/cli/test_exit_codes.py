"""A value typed on the command line that names none of the choices the review has is a command-line
mistake: one line naming the option, as click words its own, exit 2, nothing recorded (docs/interfaces.md,
exit statuses). An exclusion reason criteria.toml does not list exited 1 in ``decide``, one ``[fulltext]
reasons`` does not list 4 in ``fulltext excluded``, and ``synthesis --rule-set ''`` 4."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from review.cli import main
from review.records import Record

CRITERIA = 'exclusion_reasons = ["wrong population", "wrong outcome", "not primary research"]\n'


@pytest.fixture
def record_id(workspace) -> int:
    workspace.store.add_batch([Record(title="t")], file_name="f", file_sha256="0" * 64, source_name="s",
                              format="csv", encoding="utf-8")
    workspace.path("screening", "criteria.toml").write_text(CRITERIA, encoding="utf-8")
    (only,) = [r.id for r in workspace.store.records()]
    assert only is not None
    return only


def _run(workspace, *args: str):
    return CliRunner().invoke(main, ["-w", str(workspace.root), "-r", "alice", *args])


def _recorded_nothing(workspace) -> bool:
    decisions = _run(workspace, "export", "decisions", "--format", "json", "-")
    prisma = _run(workspace, "prisma", "--out", str(workspace.root / "p"))
    counts = dict(line.split("\t") for line in prisma.stdout.splitlines())
    return decisions.stdout.strip() == "[]" and counts["dbr_excluded"] in ("", "0")


@pytest.mark.parametrize(("command", "reason", "what"), [
    ("decide", "too old", "'too old' is not an exclusion reason of screening/criteria.toml (expected one of: "
                          "wrong population; wrong outcome; not primary research)"),
    ("decide", "wrong", "'wrong' is the start of 2 reasons (wrong population; wrong outcome); type more of the "
                        "one you mean"),
    ("fulltext excluded", "vibes", "'vibes' is not an exclusion reason of review.toml [fulltext] reasons (expected "
                                   "one of: Wrong population; Wrong intervention or exposure; Wrong outcome; Wrong "
                                   "study design; Wrong publication type; Language)"),
    ("fulltext excluded", "wrong", "'wrong' is the start of 5 reasons (Wrong population; Wrong intervention or "
                                   "exposure; Wrong outcome; Wrong study design; Wrong publication type); type more "
                                   "of the one you mean"),
])
def test_a_reason_the_review_does_not_have_exits_2_in_one_line(workspace, record_id: int, command: str,
                                                                reason: str, what: str) -> None:
    words = ["decide", str(record_id), "--exclude"] if command == "decide" else \
        ["fulltext", "excluded", str(record_id)]
    result = _run(workspace, *words, "--reason", reason)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert result.stderr == f"review: {command}: Invalid value for '--reason': {what} (review {command} --help)\n"
    assert _recorded_nothing(workspace)


@pytest.mark.parametrize("command", ["decide", "fulltext excluded"])
def test_a_reason_typed_with_extra_spaces_is_the_same_reason_at_both_stages(workspace, record_id: int,
                                                                           command: str) -> None:
    """One matcher: 'wrong  population' was taken by decide and refused (exit 2) by fulltext excluded."""
    words = ["decide", str(record_id), "--exclude"] if command == "decide" else \
        ["fulltext", "excluded", str(record_id)]
    result = _run(workspace, *words, "--reason", "  wrong   population ")
    assert result.exit_code == 0, result.output
    assert result.stderr.count("Invalid value") == 0


@pytest.mark.parametrize("rule_set", ["", "  ", "nope"])
def test_a_rule_set_the_review_does_not_have_exits_2_before_anything_runs(workspace, rule_set: str) -> None:
    result = _run(workspace, "synthesis", "--no-plots", "--rule-set", rule_set)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert result.stderr == (f"review: synthesis: Invalid value for '--rule-set': {rule_set!r} is not a rule set "
                             "(expected one of: ariens, lievense, van_tulder_2003, iwh, van_tulder (= lievense)) "
                             "(review synthesis --help)\n")
    assert not workspace.path("extraction", "synthesis.csv").exists()
    assert "rule_set" not in workspace.path("review.toml").read_text(encoding="utf-8").split("[synthesis]")[-1]


def test_the_rule_is_written_in_interfaces_md() -> None:
    doc = (Path(__file__).resolve().parents[2] / "docs" / "interfaces.md").read_text(encoding="utf-8")
    statuses = doc.split("| exit statuses |", 1)[1].split("\n", 1)[0]
    assert ("a value that names none of the review's choices (a `--reason` that `screening/criteria.toml` or "
            "`[fulltext] reasons` does not list, or the start of several, in `decide` and `fulltext excluded`; "
            "a `synthesis --rule-set` that is no rule set, `''` too)") in statuses
    assert "a reason that names none of the configured ones stays 1" not in statuses
