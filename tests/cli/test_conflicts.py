"""``review conflicts`` lists the conflicts between reviewers and ``review conflicts resolve`` records the
consensus decision from the shell, through the call the TUI's conflicts screen makes: the same
``consensus`` rows, which the TUI then shows resolved and PRISMA counts (they resolved only in the TUI)."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from resolutions import store_resolutions
from review.cli import main
from review.workspace import Workspace
from tests.tui.tui_workspace import (async_test, build_workspace, open_app, require_reason_on_exclude, screen_lines,
                                    settle)

HEADER = "record_id\ttitle\tdecisions\tresolution\tresolved_by\tchanged_since"


@pytest.fixture
def team_ws(tmp_path: Path) -> Workspace:
    """Twelve records; alice and bob agree on records 1 and 4 and disagree on 2 (alice excludes) and 3."""
    return build_workspace(tmp_path / "ws", with_pairs=False)


def _run_with_stdout_gone(workspace: Workspace, reviewer: str, *args: str) -> subprocess.CompletedProcess[str]:
    """`review … | true` where the reader has exited before the first line: every write to stdout is EPIPE."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    try:
        return subprocess.run(
            [sys.executable, "-c", "from review.cli import main; main()", "-w", str(workspace.root), "-r", reviewer,
             *args], stdout=write_end, stderr=subprocess.PIPE, text=True, env=env, timeout=120, check=False)
    finally:
        os.close(write_end)


def _run(workspace: Workspace, *args: str, reviewer: str = "carol") -> Result:
    return CliRunner().invoke(main, ["-w", str(workspace.root), "-r", reviewer, *args])


def _rows(result: Result) -> list[list[str]]:
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == HEADER
    return [line.split("\t") for line in lines[1:]]


def _prisma(workspace: Workspace) -> dict[str, str]:
    result = _run(workspace, "prisma", "--out", str(workspace.root / "p"))
    assert result.exit_code == 0, result.output
    return dict(line.split("\t") for line in result.stdout.splitlines())


def test_the_list_names_each_conflict_with_its_title_and_each_reviewers_decision(team_ws: Workspace) -> None:
    assert _rows(_run(team_ws, "conflicts")) == [
        ["2", "Return to work after depression and the risk of recurrence", "alice=exclude;bob=include", "", "", ""],
        ["3", "Adolescent anxiety and school absenteeism in children", "alice=include;bob=exclude", "", "", ""],
    ]


def test_resolve_records_the_consensus_decision_as_the_tui_does(team_ws: Workspace) -> None:
    result = _run(team_ws, "conflicts", "resolve", "#2", "--exclude", "--reason", "wrong pop", "--note", "agreed")
    assert result.exit_code == 0, result.output
    assert result.stdout == "2\texclude\tcarol\n"
    assert "'carol' is not in review.toml's team" in result.stderr  # resolved_by keeps the name, as the TUI warns
    assert store_resolutions(team_ws.store) == {2: ("exclude", "carol")}
    stored = team_ws.store.current_decisions(reviewer="consensus")[(2, "consensus")]
    assert (stored.reasons, stored.note) == (("wrong population",), "agreed")
    assert _rows(_run(team_ws, "conflicts"))[0][3:] == ["exclude", "carol", ""]
    assert [row[0] for row in _rows(_run(team_ws, "conflicts", "--open"))] == ["3"]
    status = _run(team_ws, "status")
    assert "2 between reviewers, 1 resolved, 1 open" in status.stdout, status.stdout


def test_resolving_again_replaces_the_resolution_and_a_reviewer_who_changes_opens_it(team_ws: Workspace) -> None:
    assert _run(team_ws, "conflicts", "resolve", "2", "--include").exit_code == 0
    assert _run(team_ws, "conflicts", "resolve", "2", "--maybe", reviewer="dave").exit_code == 0
    assert store_resolutions(team_ws.store)[2] == ("maybe", "dave")
    assert _run(team_ws, "decide", "2", "--maybe", reviewer="bob").exit_code == 0
    (row,) = [r for r in _rows(_run(team_ws, "conflicts", "--open")) if r[0] == "2"]
    assert row[2:] == ["alice=exclude;bob=maybe", "maybe", "dave", "bob"]


@async_test
async def test_the_tui_shows_a_resolution_made_in_the_shell(team_ws: Workspace) -> None:
    assert _run(team_ws, "conflicts", "resolve", "2", "3", "--include").stdout == "2\tinclude\tcarol\n3\tinclude\tcarol\n"
    async with open_app(team_ws, "carol", "conflicts", size=(110, 34), blind=False) as (app, pilot):
        await settle(pilot)
        data = app.screen.data
        assert [(c.record_id, c.resolution, c.resolved_by) for c in data.listed] == [(2, "include", "carol"),
                                                                                  (3, "include", "carol")]
        assert "2 conflicts, 0 unresolved" in str(app.screen.query_one("#conflict-status").render())


def test_prisma_counts_the_consensus_decision(team_ws: Workspace) -> None:
    before = _prisma(team_ws)
    assert (before["records_screened"], before["records_excluded"]) == ("4", "1")
    assert _run(team_ws, "conflicts", "resolve", "2", "--exclude").exit_code == 0
    after = _prisma(team_ws)
    assert (after["records_screened"], after["records_excluded"]) == ("4", "2")
    notes = _run(team_ws, "prisma", "--out", str(team_ws.root / "p")).stderr
    assert "review: note: 1 record has conflicting title/abstract decisions and no 'consensus' decision" in notes, notes


@pytest.mark.parametrize(("ids", "status", "line"), [
    (["999"], 1, "review: record 999: not in this workspace; nothing recorded\n"),
    (["3", "1"], 1, "review: record 1: no conflict to resolve (the reviewers agree on it, or fewer than two decided "
                    "it; 'review conflicts' lists the conflicts); nothing recorded\n"),
    (["5"], 1, "review: record 5: no conflict to resolve (the reviewers agree on it, or fewer than two decided "
               "it; 'review conflicts' lists the conflicts); nothing recorded\n"),
    (["abc"], 2, "review: conflicts resolve: ID 'abc': expected a record id (a whole number, as the TUI and exports "
                 "show) (a reason goes after --reason) (review conflicts resolve --help)\n"),
])
def test_every_id_is_checked_before_the_first_resolution(team_ws: Workspace, ids: list[str], status: int,
                                                         line: str) -> None:
    result = _run(team_ws, "conflicts", "resolve", *ids, "--include")
    assert (result.exit_code, result.stdout, result.stderr) == (status, "", line)
    assert store_resolutions(team_ws.store) == {}


@pytest.mark.parametrize("flags", [[], ["--include", "--maybe"], ["--include", "--reason", "wrong population"],
                                   ["--exclude", "--reason", "too old"], ["--exclude", "--reason", " "]])
def test_a_clash_of_flags_or_a_reason_criteria_does_not_list_exits_2(team_ws: Workspace, flags: list[str]) -> None:
    result = _run(team_ws, "conflicts", "resolve", "2", *flags)
    assert result.exit_code == 2, result.output
    assert result.stdout == "" and len(result.stderr.splitlines()) == 1
    assert store_resolutions(team_ws.store) == {}


def test_a_bare_exclusion_is_refused_when_criteria_require_a_reason(team_ws: Workspace) -> None:
    require_reason_on_exclude(team_ws)
    result = _run(team_ws, "conflicts", "resolve", "2", "--exclude")
    assert result.exit_code == 1 and "require_reason_on_exclude" in result.stderr, result.output
    assert store_resolutions(team_ws.store) == {}


def test_a_conflict_on_a_record_removed_before_screening_is_neither_listed_nor_resolved(team_ws: Workspace) -> None:
    assert _run(team_ws, "prisma", "remove", "2", "--reason", "retracted").exit_code == 0
    assert [row[0] for row in _rows(_run(team_ws, "conflicts"))] == ["3"]
    result = _run(team_ws, "conflicts", "resolve", "2", "--include")
    assert result.exit_code == 1
    assert result.stderr.startswith("review: record 2: not offered for screening (removed before screening")
    assert store_resolutions(team_ws.store) == {}


def test_a_resolution_on_a_record_removed_before_screening_is_not_reopened(team_ws: Workspace) -> None:
    """rrev20b: resolve refused a record removed before screening, reopen took its resolution back."""
    assert _run(team_ws, "conflicts", "resolve", "2", "3", "--exclude").exit_code == 0
    assert _run(team_ws, "prisma", "remove", "2", "--reason", "retracted").exit_code == 0
    result = _run(team_ws, "conflicts", "reopen", "3", "2")
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.startswith("review: record 2: not offered for screening (removed before screening")
    assert store_resolutions(team_ws.store) == {2: ("exclude", "carol"), 3: ("exclude", "carol")}  # 3 neither


def test_a_closed_stdout_stops_the_lines_but_not_the_resolutions(team_ws: Workspace) -> None:
    """`review conflicts resolve 2 3 … | true`: the reader is gone before the first line. Both are still
    resolved and one stderr line says stdout was lost (a BrokenPipeError left 3 untried, stderr empty)."""
    done = _run_with_stdout_gone(team_ws, "alice", "conflicts", "resolve", "2", "3", "--exclude")
    assert store_resolutions(team_ws.store) == {2: ("exclude", "alice"), 3: ("exclude", "alice")}
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        "review: stdout: Broken pipe: 2 resolutions saved, the lines of 0 printed (review conflicts lists them all)"]


def test_a_refusal_partway_names_what_was_saved_before_it_and_what_was_not_tried(
        team_ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    from review.store.core import Store
    from review.store.errors import StoreBusy

    add_decision = Store.add_decision

    def busy_on_the_second(self: Store, record_id: int, *args: object, **kwargs: object) -> object:
        if record_id == 3:
            raise StoreBusy("the store is busy; not saved — try again when that has finished")
        return add_decision(self, record_id, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Store, "add_decision", busy_on_the_second)
    result = _run(team_ws, "conflicts", "resolve", "2", "3", "--include", reviewer="alice")
    assert result.exit_code == 7
    assert result.stdout == "2\tinclude\talice\n"  # the resolution saved keeps its line
    assert result.stderr.splitlines() == [
        "review: record 3: the store is busy; not saved — try again when that has finished; saved before it: 2"]
    assert store_resolutions(team_ws.store) == {2: ("include", "alice")}


@pytest.mark.parametrize(("args", "words"), [
    ([], "give the resolver's name with -r NAME"),  # (it took review.toml's first reviewer, one of the pair)
    (["-r", "consensus"], "-r consensus: that name holds the resolutions themselves; give your own name"),
    (["-r", "x\ty"], "a reviewer name may not hold U+0009"),
    (["-r", "a;b"], "a reviewer name may not hold ';'"),
    (["-r", "a=b"], "a reviewer name may not hold '='"),
    (["-r", "a\u2028b"], "a reviewer name may not hold U+2028"),
])
def test_the_resolver_is_named_with_r_as_one_cell_and_not_as_consensus(team_ws: Workspace, args: list[str],
                                                                        words: str) -> None:
    result = CliRunner().invoke(main, ["-w", str(team_ws.root), *args, "conflicts", "resolve", "2", "--include"])
    assert result.exit_code == 2, result.output
    assert result.stdout == "" and len(result.stderr.splitlines()) == 1 and words in result.stderr, result.stderr
    assert store_resolutions(team_ws.store) == {}


def test_criteria_and_the_records_set_aside_are_read_once_for_every_id(team_ws: Workspace,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from review.screening import criteria, removed

    reads = {"criteria": 0, "set aside": 0}

    def counting(name: str, read):  # type: ignore[no-untyped-def]
        def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
            reads[name] += 1
            return read(*args, **kwargs)
        return counted

    monkeypatch.setattr(criteria, "load_criteria", counting("criteria", criteria.load_criteria))
    monkeypatch.setattr(removed, "workspace_set_aside", counting("set aside", removed.workspace_set_aside))
    monkeypatch.setattr(removed, "set_aside", counting("set aside", removed.set_aside))
    result = _run(team_ws, "conflicts", "resolve", "2", "3", "--exclude", "--reason", "wrong pop")
    assert result.exit_code == 0, result.output
    assert store_resolutions(team_ws.store) == {2: ("exclude", "carol"), 3: ("exclude", "carol")}
    two = dict(reads)
    reads.update(dict.fromkeys(reads, 0))
    assert _run(team_ws, "conflicts", "resolve", "2", "--exclude", "--reason", "wrong pop").exit_code == 0
    assert two == reads and reads["criteria"] == 1  # per run, not per id (it was 1 + one more of each per id)


def test_reopen_takes_a_resolution_back_and_the_conflict_is_open_again(team_ws: Workspace) -> None:
    """walk20: a resolution made by mistake could only be replaced by another; there was no way back to open."""
    assert _run(team_ws, "conflicts", "resolve", "2", "3", "--exclude").exit_code == 0
    assert _run(team_ws, "conflicts", "resolve", "3", "--include", reviewer="dave").exit_code == 0  # 3 twice
    excluded = int(_prisma(team_ws)["records_excluded"])
    reopened = _run(team_ws, "conflicts", "reopen", "#2", "3")
    assert reopened.exit_code == 0, reopened.output
    assert reopened.stdout == "2\texclude\treopened\tcarol\n3\tinclude\treopened\tcarol\n"
    assert reopened.stderr.endswith("review: note: record 3: an earlier resolution stands again (exclude by carol); "
                                    "reopen it again to leave the conflict open\n"), reopened.stderr
    assert store_resolutions(team_ws.store) == {3: ("exclude", "carol")}
    assert [row[0] for row in _rows(_run(team_ws, "conflicts", "--open"))] == ["2"]
    # 2 open again passes on to full text (one exclusion fewer); 3's earlier exclusion stands again (one more)
    assert int(_prisma(team_ws)["records_excluded"]) == excluded
    undo = team_ws.store.decisions(reviewer="consensus")[-2]
    assert (undo.label, undo.record_id, undo.note) == ("undo", 2, "reopened by carol")
    refused = _run(team_ws, "conflicts", "reopen", "3", "2")  # 2 has none left: nothing taken back, 3 either
    assert refused.exit_code == 1 and refused.stderr.startswith("review: record 2: no resolution to take back")
    assert store_resolutions(team_ws.store) == {3: ("exclude", "carol")}
    assert _run(team_ws, "conflicts", "reopen", "99").exit_code == 1
    unnamed = CliRunner().invoke(main, ["-w", str(team_ws.root), "conflicts", "reopen", "3"])
    assert unnamed.exit_code == 2 and "give your name with -r NAME" in unnamed.stderr
    assert _run(team_ws, "conflicts", "reopen", "3", reviewer="dave").exit_code == 0  # its earlier one too: both open
    assert store_resolutions(team_ws.store) == {}
    assert int(_prisma(team_ws)["records_excluded"]) == excluded - 1  # 2 and 3 pass on; 3 was included before
    # Who reopened is in export decisions' resolved_by, as who resolved is (it was only in the undo's note).
    exported = _run(team_ws, "export", "decisions", "-")
    assert exported.exit_code == 0, exported.output
    undos = [(row["record_id"], row["resolved_by"], row["note"]) for row in csv.DictReader(io.StringIO(exported.stdout))
             if row["reviewer"] == "consensus" and row["label"] == "undo"]
    assert undos == [("2", "carol", "reopened by carol"), ("3", "carol", "reopened by carol"),
                     ("3", "dave", "reopened by dave")]


def test_a_resolution_is_taken_back_only_while_it_is_the_one_in_force(team_ws: Workspace) -> None:
    # The conflicts screen's u on an open row takes back the window's last resolution: only that one, never what a
    # shell or another window left standing there since (rrev31b).
    from review.services.screening import resolve_conflict, take_back_resolution

    earlier = resolve_conflict(team_ws, 3, "exclude", "carol")
    mine = resolve_conflict(team_ws, 3, "include", "carol")
    assert _run(team_ws, "conflicts", "reopen", "3").exit_code == 0  # a shell: the exclude stands again
    assert take_back_resolution(team_ws, mine, "carol") is None  # not in force: nothing taken back
    assert store_resolutions(team_ws.store) == {3: ("exclude", "carol")}
    again = resolve_conflict(team_ws, 3, "maybe", "dave")  # replaced by another resolution: the same
    assert take_back_resolution(team_ws, earlier, "carol") is None
    undone = take_back_resolution(team_ws, again, "dave")  # in force: taken back, the exclude stands again
    assert undone is not None and undone.decision.id == again.id and undone.in_force.label == "exclude"
    assert store_resolutions(team_ws.store) == {3: ("exclude", "carol")}


@async_test
async def test_u_on_the_conflicts_screen_reopens_the_highlighted_conflict(team_ws: Workspace) -> None:
    assert _run(team_ws, "conflicts", "resolve", "2", "--exclude").exit_code == 0
    async with open_app(team_ws, "alice", "conflicts", size=(80, 24), blind=False) as (app, pilot):
        await pilot.press("u")  # the first row: record 2, resolved
        await settle(pilot)
        assert store_resolutions(team_ws.store) == {}
        said = [str(n.message) for n in app._notifications]
        assert "#2: took back exclude; it is open again" in said, said
        await pilot.press("u")  # nothing left to take back on record 2: said, nothing recorded
        await settle(pilot)
        assert any("record 2: no resolution to take back" in str(n.message) for n in app._notifications)
        footer = screen_lines(app)[-1]  # u is listed under ?, as the footer's last key kept its words at 80 columns
        assert "b Blind again" in footer and footer.rstrip().endswith("q Quit"), footer
        from review.tui.screens.help import binding_rows

        assert ("u", "Reopen") in {(key, words) for key, words, _ in binding_rows(app.screen)}


def test_a_reopen_that_leaves_a_sought_record_excluded_says_so(team_ws: Workspace) -> None:
    """A reopen can make an exclusion stand again (here record 3's earlier resolution) on a record whose full text
    was sought meanwhile: resolve and decide --undo say so when made; reopen said nothing, and the next
    review prisma read '[BROKEN] … sought without passing title/abstract screening'."""
    assert _run(team_ws, "conflicts", "resolve", "3", "--exclude").exit_code == 0
    assert _run(team_ws, "conflicts", "resolve", "3", "--include", reviewer="dave").exit_code == 0
    assert _run(team_ws, "fulltext", "sought", "3", reviewer="alice").exit_code == 0
    reopened = _run(team_ws, "conflicts", "reopen", "3")
    assert reopened.exit_code == 0 and reopened.stdout == "3\tinclude\treopened\tcarol\n", reopened.output
    assert ("review: warning: record 3 is now excluded at title/abstract screening, but its full text is on record "
            "(sought by alice): review prisma counts it as sought without passing screening until those are "
            "undone: review -r alice fulltext undo 3\n") in reopened.stderr, reopened.stderr
    assert "1 report was sought without passing title/abstract screening" in _run(team_ws, "prisma").stderr
    open_again = _run(team_ws, "conflicts", "reopen", "3")  # open: it passes on to full text, nothing to say
    assert open_again.exit_code == 0 and "warning" not in open_again.stderr, open_again.stderr


@async_test
async def test_u_that_leaves_a_sought_record_excluded_says_so(team_ws: Workspace) -> None:
    assert _run(team_ws, "conflicts", "resolve", "3", "--exclude").exit_code == 0
    assert _run(team_ws, "conflicts", "resolve", "3", "--include", reviewer="dave").exit_code == 0
    assert _run(team_ws, "fulltext", "sought", "3", reviewer="alice").exit_code == 0
    async with open_app(team_ws, "alice", "conflicts", size=(100, 30), blind=False) as (app, pilot):
        table = app.screen.query_one("#conflict-table")
        table.move_cursor(row=table.get_row_index("3"))
        await pilot.press("u")
        await app.workers.wait_for_complete()
        await settle(pilot)
        assert store_resolutions(team_ws.store) == {3: ("exclude", "carol")}
        said = [str(n.message) for n in app._notifications]
        assert any(m.startswith("record 3 is now excluded at title/abstract screening, but its full text is on "
                                "record (sought by alice)") for m in said), said


def test_a_closed_stdout_stops_the_reopen_lines_but_not_the_reopening(team_ws: Workspace) -> None:
    """`review conflicts reopen 2 3 | true`: both are taken back, the note on 3's earlier resolution still comes,
    and one stderr line says stdout was lost (the lines were printed after the loop: exit 1 and stderr empty)."""
    assert _run(team_ws, "conflicts", "resolve", "2", "3", "--exclude").exit_code == 0
    assert _run(team_ws, "conflicts", "resolve", "3", "--include", reviewer="dave").exit_code == 0
    done = _run_with_stdout_gone(team_ws, "carol", "conflicts", "reopen", "2", "3")
    assert store_resolutions(team_ws.store) == {3: ("exclude", "carol")}
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        "review: note: record 3: an earlier resolution stands again (exclude by carol); reopen it again to leave "
        "the conflict open",
        "review: stdout: Broken pipe: 2 reopenings saved, the lines of 0 printed (review export decisions lists them "
        "all)"], done.stderr


def test_resolve_help_names_the_way_to_take_a_resolution_back() -> None:
    """Its help said "the TUI has no undo for it either" while `conflicts reopen` and u on screen 4 take one back
    (fresh31): a new user reading it would resolve again by hand instead."""
    result = CliRunner().invoke(main, ["conflicts", "resolve", "--help"])
    text = " ".join(result.stdout.split())
    assert result.exit_code == 0
    assert "`review conflicts reopen ID` takes one back, as u on screen 4 does" in text
    assert "no undo" not in text
