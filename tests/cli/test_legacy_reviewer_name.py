"""A reviewer name refused for new reviewers since 2026-12-06 (';', '=', a control character) that already
holds decisions in the store: every command that takes the reviewer accepts it with one stderr warning, since
renaming would make a new reviewer and orphan the decisions (final read A, finding 1). A new such name is
still refused (exit 2)."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from review.cli import main
from review.cli import tui as tui_cli
from review.records import Record
from review.services import screening as service

LEGACY = "smith;jones"


@pytest.fixture
def ids(workspace) -> list[int]:
    workspace.store.add_batch([Record(title=f"record {n}", year=2000 + n) for n in range(4)], file_name="f",
                              file_sha256="z" * 64, source_name="s", format="csv", encoding="utf-8")
    return sorted(r.id for r in workspace.store.records() if r.id is not None)


def _legacy_workspace(workspace, ids: list[int]) -> None:
    """alice and bob decided; then review.toml's first reviewer became a name today's rule refuses, which had
    decided before the rule (its decisions written as they were then)."""
    for reviewer in ("alice", "bob", LEGACY):
        session = service.open_session(workspace, reviewer, quick_start=True)
        session.decide(ids[0], "include")
    toml = workspace.path("review.toml")
    text = toml.read_text(encoding="utf-8")
    toml.write_text(re.sub(r"reviewers = \[[^\]]*\]", f'reviewers = ["{LEGACY}", "bob"]', text), encoding="utf-8")


def run(workspace, *args: str):
    return CliRunner().invoke(main, ["-w", str(workspace.root), *args])


def _warned_once(stderr: str) -> bool:
    # named as a refusal of a setting is, PATH:review.reviewers: … (line N) (it read 'review.toml reviewers: …')
    return sum(1 for line in stderr.splitlines() if re.fullmatch(
        rf"warning: \S*review\.toml:review\.reviewers: '{re.escape(LEGACY)}' holds ';', .* \(line \d+\)", line)) == 1


def test_every_command_takes_a_legacy_name_that_holds_decisions_with_one_warning(workspace, ids, monkeypatch) -> None:
    _legacy_workspace(workspace, ids)
    opened: list[str] = []
    monkeypatch.setattr(tui_cli, "_run", lambda _ws, reviewer, *rest: opened.append(reviewer))
    assert run(workspace, "dedup").exit_code == 0  # (--review needs a run)
    for args in (["decide", str(ids[1]), "--include"],
                 ["fulltext", "retrieved", str(ids[0])],
                 ["prisma", "remove", str(ids[3]), "--reason", "x"],
                 ["dedup", "--review"],
                 ["screen"],
                 []):  # bare review: the dashboard
        result = run(workspace, *args)
        assert result.exit_code == 0, (args, result.output)
        assert _warned_once(result.stderr), (args, result.stderr)
    assert opened == [LEGACY, LEGACY]
    assert {d.record_id for d in workspace.store.decisions(reviewer=LEGACY)} == {ids[0], ids[1]}
    # -r with the legacy name: the same, the warning naming --reviewer
    result = run(workspace, "-r", LEGACY, "decide", str(ids[2]), "--exclude", "--reason", "wrong population")
    assert result.exit_code == 0, result.output
    assert result.stderr.count(f"warning: --reviewer '{LEGACY}' holds ';'") == 1, result.stderr


def test_the_session_claim_takes_the_legacy_name_and_refuses_a_new_one(workspace, ids) -> None:
    from review.errors import WorkspaceError
    from review.store.sessions import claim_session, release_session

    _legacy_workspace(workspace, ids)
    release_session(workspace.store, claim_session(workspace.store, LEGACY))
    with pytest.raises(WorkspaceError, match=r"^reviewer 'new;name': a reviewer name may not hold ';'"):
        claim_session(workspace.store, "new;name")


def test_a_new_name_that_breaks_a_cell_is_still_refused(workspace, ids, tmp_path) -> None:
    _legacy_workspace(workspace, ids)
    for args, words, shown in ((["-r", "new;name", "decide", str(ids[1]), "--include"], "--reviewer 'new;name'", ";"),
                               (["-r", "a=b", "fulltext", "retrieved", str(ids[0])], "--reviewer 'a=b'", "=")):
        result = run(workspace, *args)
        assert result.exit_code == 2, (args, result.output)
        assert result.stderr.splitlines() == [f"review: {words}: a reviewer name may not hold "
                                              f"{shown!r} (a name is one cell of the tab-separated lines "
                                              "and of conflicts.csv's name=label;… cells); choose a name without "
                                              "it"], result.stderr
    assert workspace.store.decisions(reviewer="new;name") == []
    result = CliRunner().invoke(main, ["init", str(tmp_path / "new"), "--reviewer", LEGACY])
    assert result.exit_code == 2 and "may not hold ';'" in result.stderr and not (tmp_path / "new").exists()
