"""``review decide``: title/abstract decisions from the shell, through the reviewer's session."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from review.cli import main
from review.errors import ReviewError
from review.records import Record
from review.services import screening as service

REASONS = 'exclusion_reasons = ["wrong population", "wrong outcome", "not primary research"]\n'


@pytest.fixture
def ids(workspace) -> list[int]:
    workspace.store.add_batch([Record(title=f"record {n}") for n in range(4)], file_name="f",
                              file_sha256="z" * 64, source_name="s", format="csv", encoding="utf-8")
    workspace.path("screening", "criteria.toml").write_text(REASONS, encoding="utf-8")
    return sorted(r.id for r in workspace.store.records() if r.id is not None)


def run(workspace, *args: str):
    return CliRunner().invoke(main, ["-w", str(workspace.root), *args])


def labels(workspace, reviewer: str) -> dict[int, str]:
    return {rid: d.label for (rid, _), d in service.current_decisions(workspace, reviewer).items()}


def test_decisions_are_recorded_and_seen_by_status_and_the_session(workspace, ids) -> None:
    result = run(workspace, "-r", "alice", "decide", str(ids[0]), f"#{ids[1]}", "--include", "--note", "key paper")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [f"{ids[0]}\tinclude\talice", f"{ids[1]}\tinclude\talice"]
    result = run(workspace, "-r", "alice", "decide", str(ids[2]), "--exclude", "--reason", "wrong pop")
    assert result.stdout == f"{ids[2]}\texclude\talice\n"
    decided = service.current_decisions(workspace, "alice")
    assert decided[(ids[2], "alice")].reasons == ("wrong population",)
    assert decided[(ids[0], "alice")].note == "key paper"
    assert labels(workspace, "bob") == {}
    status = run(workspace, "-r", "alice", "status")
    assert any("alice" in line and "2 included" in line.lower() and "1 excluded" in line.lower()
               for line in status.stdout.splitlines()), status.stdout
    # The TUI's session (same reviewer) serves the one record left and counts the three.
    session = service.open_session(workspace, "alice", quick_start=True)
    assert session.progress().screened == 3 and session.next_record().id == ids[3]
    # The default reviewer is the first one of review.toml.
    result = run(workspace, "decide", str(ids[3]), "--maybe")
    assert result.stdout == f"{ids[3]}\tmaybe\t{workspace.config.reviewers[0]}\n"


def test_undo_takes_back_the_reviewers_last_decision_only(workspace, ids) -> None:
    run(workspace, "-r", "alice", "decide", str(ids[0]), "--include")
    run(workspace, "-r", "bob", "decide", str(ids[1]), "--exclude")
    run(workspace, "-r", "alice", "decide", str(ids[2]), "--maybe")
    result = run(workspace, "-r", "alice", "decide", "--undo")
    assert result.exit_code == 0 and result.stdout == f"{ids[2]}\tundo\talice\n"
    assert labels(workspace, "alice") == {ids[0]: "include"}
    assert labels(workspace, "bob") == {ids[1]: "exclude"}
    run(workspace, "-r", "alice", "decide", "--undo")
    result = run(workspace, "-r", "alice", "decide", "--undo")
    assert result.exit_code == 0 and result.stdout == "" and "nothing to undo" in result.stderr
    assert run(workspace, "-r", "alice", "decide", "--undo", str(ids[0])).exit_code == 2  # a clash of flags


def test_undo_refuses_a_bad_screening_setting_as_a_decision_does(workspace, ids) -> None:
    """--undo opens no session (it reads no records), yet a bad [screening] setting still refuses it, as it
    refuses a decision: one line naming review.toml's key, exit 2, nothing undone."""
    run(workspace, "-r", "alice", "decide", str(ids[0]), "--include")
    toml = workspace.root / "review.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + "\n[screening]\ntarget_recall = 2\n", encoding="utf-8")
    for args in (["--undo"], [str(ids[1]), "--include"]):
        result = run(workspace, "-r", "alice", "decide", *args)
        assert result.exit_code == 2 and "screening.target_recall: 2: expected a share" in result.stderr, result.output
    assert labels(workspace, "alice") == {ids[0]: "include"}


def test_undo_refuses_a_bad_source_kind_as_a_decision_does(workspace, ids) -> None:
    """A bad [prisma.sources] kind of a source records come from (the queue is sorted by it), or a [prisma.sources]
    that is no table, refuses --undo as it refuses a decision: the same line, exit 2, nothing undone. A kind given
    to a source no record comes from is refused by neither."""
    run(workspace, "-r", "alice", "decide", str(ids[0]), "--include")
    toml = workspace.root / "review.toml"
    written = toml.read_text(encoding="utf-8")
    for bad, said in (('[prisma.sources]\ns = "bogus"\n', "prisma.sources.s: 'bogus': expected one of "),
                      ("[prisma]\nsources = 3\n", "prisma.sources: 3: expected a table")):
        toml.write_text(f"{written}\n{bad}", encoding="utf-8")
        line = len(f'{written}{chr(10)}{bad}'.splitlines())  # the key's line: the last
        refusals = [run(workspace, "-r", "alice", "decide", *args) for args in (["--undo"], [str(ids[1]), "--include"])]
        assert [r.exit_code for r in refusals] == [2, 2] and refusals[0].stderr == refusals[1].stderr, refusals
        assert f"{toml.resolve()}:{said}" in refusals[0].stderr and refusals[0].stderr.endswith(f" (line {line})\n")
        assert len(refusals[0].stderr.splitlines()) == 1 and refusals[0].stdout == ""
        assert labels(workspace, "alice") == {ids[0]: "include"}
    toml.write_text(f'{written}\n[prisma.sources]\nnobody = "bogus"\n', encoding="utf-8")
    assert run(workspace, "-r", "alice", "decide", "--undo").stdout == f"{ids[0]}\tundo\talice\n"
    assert labels(workspace, "alice") == {}


@pytest.mark.parametrize(("args", "named", "status"), [
    (["ID", "--include"], "not in this workspace", 1),        # unknown id: placeholder filled in below
    # Command-line mistakes exit 2, as docs/interfaces.md says and click's own do (they exited 1).
    (["--exclude", "--reason", "wrong"], "is the start of 2 reasons", 2),  # a reason criteria.toml does not have (exited 1)
    (["--exclude", "--reason", "too old"], "'too old'", 2),
    (["wrong population", "--exclude"], "after --reason", 2),  # no record id, as in fulltext and prisma
    (["NONE", "--include"], "at least one record ID", 2),    # no id at all
    (["--include", "--maybe"], "exactly one", 2),
    (["--reason", "wrong population"], "exactly one", 2),
    (["--include", "--reason", "wrong population"], "--reason: only with --exclude", 2),
])
def test_bad_input_fails_on_one_line_and_writes_nothing(workspace, ids, args, named, status) -> None:
    unknown = str(ids[-1] + 100)
    lead = [] if args[0] == "NONE" else [str(ids[0])]
    args = [unknown if a == "ID" and i == 0 else a for i, a in enumerate(args) if a != "NONE"]
    result = run(workspace, "-r", "alice", "decide", *lead, *args)
    assert result.exit_code == status, result.output
    assert result.stdout == "" and len(result.stderr.splitlines()) == 1 and named in result.stderr
    assert labels(workspace, "alice") == {}  # a valid ids[0] came first, yet nothing is recorded
    assert workspace.store.decisions(reviewer="alice") == []


def test_a_required_reason_refuses_a_bare_exclusion_and_writes_nothing(workspace, ids) -> None:
    criteria = workspace.path("screening", "criteria.toml")
    criteria.write_text(REASONS + "require_reason_on_exclude = true\n", encoding="utf-8")
    result = run(workspace, "-r", "alice", "decide", str(ids[0]), str(ids[1]), "--exclude")
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.splitlines() == [
        "review: screening/criteria.toml: require_reason_on_exclude = true: an exclusion needs a reason "
        "(one of its exclusion_reasons); nothing recorded"]
    assert workspace.store.decisions(reviewer="alice") == []
    # The session the TUI uses refuses too (the TUI asks for a reason before calling it).
    session = service.open_session(workspace, "alice", quick_start=True)
    with pytest.raises(ReviewError, match="require_reason_on_exclude"):
        session.decide(ids[0], "exclude")
    assert workspace.store.decisions(reviewer="alice") == []
    assert run(workspace, "-r", "alice", "decide", str(ids[0]), "--exclude", "--reason", "wrong out").exit_code == 0
    assert run(workspace, "-r", "alice", "decide", str(ids[1]), "--include").exit_code == 0
    assert labels(workspace, "alice") == {ids[0]: "exclude", ids[1]: "include"}
    # While the file is broken the setting is unknown: no bare exclusion slips through.
    criteria.write_text("require_reason_on_exclude = tru\n", encoding="utf-8")
    broken = run(workspace, "-r", "alice", "decide", str(ids[2]), "--exclude")
    assert broken.exit_code == 4 and "criteria.toml" in broken.stderr and ids[2] not in labels(workspace, "alice")


def test_a_record_set_aside_by_dedup_is_refused(workspace, ids, monkeypatch) -> None:
    from review.screening import session as session_module

    monkeypatch.setattr(session_module, "_duplicate_ids", lambda store: {ids[1]})
    result = run(workspace, "-r", "alice", "decide", str(ids[0]), str(ids[1]), "--exclude")
    assert result.exit_code == 1 and "screening queue" in result.stderr and str(ids[1]) in result.stderr
    assert labels(workspace, "alice") == {}


def test_refused_with_exit_6_while_the_reviewers_tui_session_is_open(workspace, ids) -> None:
    claim = service.claim_reviewer(workspace, "alice")  # what the TUI holds while open
    try:
        for args in ([str(ids[0]), "--include"], ["--undo"]):
            result = run(workspace, "-r", "alice", "decide", *args)
            assert result.exit_code == 6 and "alice" in result.stderr, result.output
        assert run(workspace, "-r", "bob", "decide", str(ids[0]), "--include").exit_code == 0
    finally:
        service.release_reviewer(workspace, claim)
    assert labels(workspace, "alice") == {}
    # The command releases its own claim: the TUI can open afterwards.
    assert run(workspace, "-r", "alice", "decide", str(ids[0]), "--include").exit_code == 0
    service.release_reviewer(workspace, service.claim_reviewer(workspace, "alice"))


def test_the_consensus_name_is_not_a_reviewer_here(workspace, ids) -> None:
    for args in ([str(ids[0]), "--include"], ["--undo"]):
        result = run(workspace, "-r", "consensus", "decide", *args)
        assert result.exit_code == 2 and "-r consensus" in result.stderr
    assert workspace.store.decisions() == []


def test_every_bad_reviewer_name_exits_2_in_one_line_and_records_nothing(workspace, ids, tmp_path) -> None:
    # A name with ':' exited 1 (``review init`` and ``-r``) where a blank one or consensus exited 2, and
    # ``-r ""`` was taken as no -r at all: the decision went to review.toml's first reviewer, unsaid.
    for args, words in ((["-r", "a:b", "decide", str(ids[0]), "--include"], "--reviewer 'a:b': a reviewer name may not hold ':'"),
                        (["-r", "", "decide", str(ids[0]), "--include"], "--reviewer: a reviewer needs a name"),
                        (["-r", " ", "decide", "--undo"], "--reviewer: a reviewer needs a name"),
                        (["screen", "-r", ""], "--reviewer: a reviewer needs a name"),
                        (["screen", "-r", "x:y"], "--reviewer 'x:y': a reviewer name may not hold ':'"),
                        # A tab or line break split decide's lines; ';' and '=' made conflicts.csv's cells ambiguous.
                        (["-r", "x\ty", "decide", str(ids[0]), "--include"], "--reviewer 'x\\ty': a reviewer name may not hold U+0009"),
                        (["-r", "x\ny", "decide", str(ids[0]), "--include"], "--reviewer 'x\\ny': a reviewer name may not hold U+000A"),
                        (["-r", "a;b", "decide", str(ids[0]), "--include"], "--reviewer 'a;b': a reviewer name may not hold ';'"),
                        (["screen", "-r", "a=b"], "--reviewer 'a=b': a reviewer name may not hold '='")):
        result = run(workspace, *args)
        assert result.exit_code == 2, (args, result.output)
        assert result.stderr.splitlines()[0].startswith(f"review: {words}"), result.stderr
        assert len(result.stderr.splitlines()) == 1, result.stderr
    result = CliRunner().invoke(main, ["init", str(tmp_path / "new"), "--reviewer", "a:b"])
    assert result.exit_code == 2 and "may not hold ':'" in result.stderr and not (tmp_path / "new").exists()
    toml = workspace.path("review.toml")
    text = toml.read_text(encoding="utf-8")
    assert text.count("reviewers = ") == 1
    toml.write_text(re.sub(r"reviewers = \[[^\]]*\]", 'reviewers = ["x:y"]', text), encoding="utf-8")
    result = run(workspace, "decide", str(ids[0]), "--include")
    # named as a refusal of a setting is (it read 'review.toml reviewers: 'x:y': …', no path, no line)
    line = toml.read_text(encoding="utf-8").splitlines().index('reviewers = ["x:y"]') + 1
    assert result.exit_code == 2, result.output
    assert result.stderr == (f"review: {toml}:review.reviewers: 'x:y': a reviewer name may not hold ':' (kept for the "
                             f"holds of review search); choose a name without it (line {line})\n")
    assert workspace.store.decisions() == []
    # A workspace that named such a reviewer before 2026-12-06: refused in one line naming review.toml.
    toml.write_text(re.sub(r"reviewers = \[[^\]]*\]", 'reviewers = ["a;b"]', text), encoding="utf-8")
    result = run(workspace, "decide", str(ids[0]), "--include")
    assert result.exit_code == 2 and f"review: {toml}:review.reviewers: 'a;b': " in result.stderr, result.output
    assert workspace.store.decisions() == []
    # consensus as review.toml's first reviewer: 'review: -r consensus: …' named an option nobody typed
    toml.write_text(re.sub(r"reviewers = \[[^\]]*\]", 'reviewers = ["consensus", "ann"]', text), encoding="utf-8")
    for args in (["decide", str(ids[0]), "--include"], ["decide", "--undo"]):
        result = run(workspace, *args)
        assert result.exit_code == 2, result.output
        assert result.stderr == (f"review: {toml}:review.reviewers: consensus: that name holds the resolved conflicts "
                                 "and does not screen; resolve them on the conflicts screen (TUI 4), or screen under "
                                 f"another reviewer name (line {line})\n")
    assert run(workspace, "-r", "consensus", "decide", "--undo").stderr.startswith("review: -r consensus: that name")
    assert workspace.store.decisions() == []
    # One check for every way in (it was repeated in review init and -r, and a claim took a blank name).
    from review.errors import WorkspaceError
    from review.store.sessions import claim_session

    with pytest.raises(WorkspaceError, match="^reviewer: a reviewer needs a name$"):
        claim_session(workspace.store, " ")


def test_a_chosen_record_never_counts_as_a_random_sample_draw(workspace, ids) -> None:
    session = service.open_session(workspace, "alice", quick_start=True)
    session.decide(ids[0], "include")
    session.start_sample()
    drawn = session.next_record().id  # the sampler's draw, decided in the TUI
    session.decide(drawn, "exclude")
    picked = next(r for r in ids[1:] if r != drawn)
    assert run(workspace, "-r", "alice", "decide", str(picked), str(drawn), "--maybe").exit_code == 0
    stored = service.current_decisions(workspace, "alice")
    assert stored[(picked, "alice")].model_info["phase"] == "ranked"  # picked by id: not a draw
    assert stored[(picked, "alice")].model_info["chosen"] is True
    assert stored[(drawn, "alice")].model_info["phase"] == "sample"  # a draw relabelled stays a draw
    again = service.open_session(workspace, "alice", quick_start=True)
    assert again.phase == "sample" and again.progress().stopping.sample_screened == 1


def test_a_name_outside_the_team_is_warned_about_but_its_decision_is_saved(workspace, ids) -> None:
    config = workspace.root / "review.toml"
    config.write_text(config.read_text(encoding="utf-8").replace('reviewers = ["reviewer1"]',
                                                                 'reviewers = ["alice", "bob"]'), encoding="utf-8")
    workspace.__dict__.pop("config", None)  # read again, as a new command would
    typo = run(workspace, "-r", "alcie", "decide", str(ids[0]), "--include")
    assert typo.exit_code == 0
    assert "'alcie' is not in review.toml's team (alice, bob)" in typo.stderr
    assert labels(workspace, "alcie") == {ids[0]: "include"}
    member = run(workspace, "-r", "alice", "decide", str(ids[1]), "--include")
    assert member.exit_code == 0 and "team" not in member.stderr
    refused = run(workspace, "-r", "alcie", "decide", "99999", "--include")  # nothing saved: one line, no warning
    assert refused.exit_code == 1 and len(refused.stderr.splitlines()) == 1 and "99999" in refused.stderr


def test_a_record_prisma_removed_before_screening_is_refused_with_the_way_back(workspace, ids) -> None:
    # Decided, it counted nowhere (PRISMA's removal wins): refused like a duplicate (decision 0021).
    assert run(workspace, "prisma", "remove", str(ids[0]), "--reason", "retracted").exit_code == 0
    result = run(workspace, "-r", "alice", "decide", str(ids[1]), str(ids[0]), "--exclude")
    assert result.exit_code == 1 and labels(workspace, "alice") == {}
    assert result.stderr.splitlines() == [f"review: ID {ids[0]}: not in the screening queue (removed before "
                                          f"screening: retracted); 'review prisma restore {ids[0]}' puts it back; "
                                          "nothing recorded"]
    assert run(workspace, "prisma", "restore", str(ids[0])).exit_code == 0
    assert run(workspace, "-r", "alice", "decide", str(ids[0]), "--exclude").stdout == f"{ids[0]}\texclude\talice\n"


def test_decisions_in_a_new_workspace_name_the_model_the_session_fits(workspace, ids) -> None:
    # The queue before any retrain is a seeded order; its decisions named the model "default",
    # which names nothing once the default changes.
    from review.screening.models import DEFAULT_MODEL

    assert run(workspace, "-r", "alice", "decide", str(ids[0]), "--include").exit_code == 0
    assert workspace.store.decisions(reviewer="alice")[0].model_info["model"] == DEFAULT_MODEL
    workspace.root.joinpath("review.toml").write_text(
        workspace.root.joinpath("review.toml").read_text(encoding="utf-8") + '\n[screening]\nmodel = "nb"\n',
        encoding="utf-8")
    assert run(workspace, "-r", "bob", "decide", str(ids[0]), "--include").exit_code == 0
    assert workspace.store.decisions(reviewer="bob")[0].model_info["model"] == "nb"


def _outside_team(workspace) -> None:
    config = workspace.root / "review.toml"
    config.write_text(config.read_text(encoding="utf-8").replace('reviewers = ["reviewer1"]',
                                                                 'reviewers = ["alice", "bob"]'), encoding="utf-8")
    workspace.__dict__.pop("config", None)


def test_a_record_removed_in_another_shell_partway_keeps_the_lines_of_the_decisions_saved(
        workspace, ids, monkeypatch) -> None:
    from review.screening.session import ScreeningSession
    from review.store.fulltext import remove_records

    _outside_team(workspace)
    decide = ScreeningSession.decide

    def removed_meanwhile(self, record_id, *args, **kwargs):
        if record_id == ids[1]:  # 'review prisma remove' in another shell, after the ids were checked
            remove_records(self.store, [ids[1]], "bob", "retracted")
        return decide(self, record_id, *args, **kwargs)

    monkeypatch.setattr(ScreeningSession, "decide", removed_meanwhile)
    result = run(workspace, "-r", "carol", "decide", str(ids[0]), str(ids[1]), str(ids[2]), "--include")
    assert result.exit_code == 1
    assert result.stdout == f"{ids[0]}\tinclude\tcarol\n"
    assert labels(workspace, "carol") == {ids[0]: "include"}
    warning, refusal = result.stderr.splitlines()
    assert "'carol' is not in review.toml's team" in warning
    assert refusal == (f"review: ID {ids[1]}: not in the screening queue (removed before screening: retracted); "
                       f"'review prisma restore {ids[1]}' puts it back; saved before it: {ids[0]}; "
                       f"not tried: {ids[2]}")


def test_a_busy_store_partway_exits_7_after_the_lines_of_the_decisions_saved(workspace, ids, monkeypatch) -> None:
    from review.store.core import Store
    from review.store.errors import StoreBusy

    add_decision = Store.add_decision

    def busy_on_the_third(self, record_id, *args, **kwargs):
        if record_id == ids[2]:  # another process held the write lock past the busy timeout
            raise StoreBusy("the store is busy: another review window or command has been writing to it for over 5 s")
        return add_decision(self, record_id, *args, **kwargs)

    monkeypatch.setattr(Store, "add_decision", busy_on_the_third)
    result = run(workspace, "-r", "alice", "decide", *map(str, ids), "--exclude", "--reason", "wrong outcome")
    assert result.exit_code == 7
    assert result.stdout.splitlines() == [f"{ids[0]}\texclude\talice", f"{ids[1]}\texclude\talice"]
    assert labels(workspace, "alice") == {ids[0]: "exclude", ids[1]: "exclude"}
    assert result.stderr.splitlines() == [
        f"review: record {ids[2]}: the store is busy: another review window or command has been writing to it for over 5 s; "
        f"saved before it: {ids[0]}, {ids[1]}; not tried: {ids[3]}"]
    first = run(workspace, "-r", "bob", "decide", str(ids[2]), str(ids[3]), "--maybe")  # busy at once
    assert first.exit_code == 7 and first.stdout == "" and labels(workspace, "bob") == {}
    assert first.stderr.splitlines() == [
        f"review: record {ids[2]}: the store is busy: another review window or command has been writing to it for over 5 s; "
        f"nothing recorded; not tried: {ids[3]}"]


@pytest.mark.parametrize("failure", ["server closed the connection unexpectedly", "disk I/O error"])
def test_a_lost_server_or_disk_error_partway_keeps_the_lines_of_the_decisions_saved(
        workspace, ids, monkeypatch, failure: str) -> None:
    """Not a refusal (no ReviewError): the lines printed before it are still the decisions stored (stdout
    was empty while two decisions were saved)."""
    import sqlalchemy as sa

    from review.store.core import Store

    add_decision = Store.add_decision

    def lost_on_the_third(self, record_id, *args, **kwargs):
        if record_id == ids[2]:
            raise sa.exc.OperationalError("INSERT", {}, Exception(failure))
        return add_decision(self, record_id, *args, **kwargs)

    monkeypatch.setattr(Store, "add_decision", lost_on_the_third)
    result = run(workspace, "-r", "alice", "decide", *map(str, ids), "--include")
    assert result.exit_code != 0
    assert labels(workspace, "alice") == {ids[0]: "include", ids[1]: "include"}
    assert result.stdout.splitlines() == [f"{ids[0]}\tinclude\talice", f"{ids[1]}\tinclude\talice"]


def test_decide_records_tells_of_each_decision_as_it_is_saved_even_when_interrupted(
        workspace, ids, monkeypatch) -> None:
    from review.store.core import Store

    add_decision = Store.add_decision

    def interrupted_on_the_third(self, record_id, *args, **kwargs):
        if record_id == ids[2]:
            raise KeyboardInterrupt
        return add_decision(self, record_id, *args, **kwargs)

    monkeypatch.setattr(Store, "add_decision", interrupted_on_the_third)
    told: list[int] = []
    with pytest.raises(KeyboardInterrupt):
        service.decide_records(workspace, "alice", list(map(str, ids)), "maybe",
                               on_saved=lambda decision: told.append(decision.record_id))
    assert told == [ids[0], ids[1]]
    assert labels(workspace, "alice") == {ids[0]: "maybe", ids[1]: "maybe"}


@pytest.mark.parametrize("position", [0, -1])
def test_a_refusal_that_comes_back_as_it_stands_is_not_its_own_cause(workspace, ids, monkeypatch, position) -> None:
    """Refused on the first record (nothing saved) or the only one, the refusal is raised itself, reworded:
    'raise err from err' made it its own __cause__ (a cycle in every traceback of it)."""
    from review.store.core import Store
    from review.store.errors import StoreBusy

    def busy(*args, **kwargs):
        raise StoreBusy("the store is busy")

    monkeypatch.setattr(Store, "add_decision", busy)
    chosen = list(map(str, ids)) if position == 0 else [str(ids[-1])]
    with pytest.raises(StoreBusy) as refused:
        service.decide_records(workspace, "alice", chosen, "include")
    assert refused.value.__cause__ is not refused.value


def test_a_closed_stdout_stops_the_lines_but_not_the_decisions(workspace, ids) -> None:
    """`review decide … | true`: the reader is gone before the first line. Every ID is still decided, one
    stderr line says stdout was lost, no traceback (a BrokenPipeError left the loop after the first)."""
    import os
    import subprocess
    import sys

    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader has exited: every write to the pipe is EPIPE
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    try:
        done = subprocess.run(
            [sys.executable, "-c", "from review.cli import main; main()", "-w", str(workspace.root),
             "-r", "alice", "decide", *map(str, ids), "--include"],
            stdout=write_end, stderr=subprocess.PIPE, text=True, env=env, timeout=120, check=False)
    finally:
        os.close(write_end)
    assert labels(workspace, "alice") == dict.fromkeys(ids, "include")
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        f"review: stdout: Broken pipe: {len(ids)} decisions saved, the lines of 0 printed "
        "(review export decisions lists them all)"]


def test_lines_printed_before_stdout_is_lost_are_counted(workspace, ids, monkeypatch) -> None:
    """The reader leaves after two lines (`| head -2`): the two are counted, the rest still decided."""
    import click

    echo = click.echo
    lines: list[str] = []

    def reader_gone_after_two(message=None, *args, err=False, **kwargs):
        if not err and len(lines) == 2:
            raise BrokenPipeError(32, "Broken pipe")
        if not err:
            lines.append(message)
        return echo(message, *args, err=err, **kwargs)

    monkeypatch.setattr(click, "echo", reader_gone_after_two)
    result = run(workspace, "-r", "alice", "decide", *map(str, ids), "--maybe")
    assert labels(workspace, "alice") == dict.fromkeys(ids, "maybe")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [f"{ids[0]}\tmaybe\talice", f"{ids[1]}\tmaybe\talice"]
    assert f"{len(ids)} decisions saved, the lines of 2 printed" in result.stderr
