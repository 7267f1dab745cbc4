"""The shell's conventions under hostile input: one line naming the path, a non-zero exit, no traceback,
nothing half-written; ``--workspace`` anywhere; ``-`` is stdout for every export."""

from __future__ import annotations

import csv
import json
import io
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from bound_permissions import permissions_bind_here, run_where_permissions_bind
from review.cli import hoist_workspace_option, main
from review.records import Record


def run(workspace, *args, **kwargs):
    return CliRunner().invoke(main, ["-w", str(workspace.root), *args], **kwargs)


def one_line_error(result, *needles: str) -> None:
    assert result.exit_code != 0, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    errors = [line for line in result.output.splitlines() if line.startswith("review: ")]
    assert errors, result.output
    assert "Traceback" not in result.output
    for needle in needles:
        assert needle in errors[-1], errors[-1]


def add_records(workspace, n=2, **extra):
    workspace.store.add_batch([Record(title=f"t{i}", extra=dict(extra)) for i in range(n)], file_name="f",
                              file_sha256=f"{n:064d}", source_name="s", format="csv", encoding="utf-8")
    return [r.id for r in workspace.store.records()]


# -- import: what is not a regular file fails alone ------------------------------------------------

@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_fifo_device_and_directory_fail_alone_and_later_files_import(workspace, tmp_path):
    fifo = tmp_path / "pipe.ris"
    os.mkfifo(fifo)
    good = tmp_path / "good.ris"
    good.write_text("TY  - JOUR\nTI  - Fine\nER  - \n", encoding="utf-8")
    paths = [str(fifo), str(tmp_path), *(["/dev/zero"] if os.path.exists("/dev/zero") else []), str(good)]
    result = run(workspace, "import", *paths)
    one_line_error(result)
    assert "not a regular file" in result.output and "is a directory" in result.output
    assert "imported 1 record from 1 of" in result.output
    assert [r.title for r in workspace.store.records()] == ["Fine"]


@pytest.mark.parametrize("command", [["simulate", "{file}", "--json", "{out}"], ["dedup", "{file}"], ["meta", "{file}"]])
@pytest.mark.parametrize("content", [b"\n  \n", b"\xef\xbb\xbf", b"\xef\xbb\xbf\r\n"])
def test_an_empty_csv_is_named_empty_not_missing_a_column(tmp_path, command, content):
    # Each said 'line 1: missing column …' of a file with no line at all; simulate still did of a
    # file holding only a UTF-8 byte-order mark (a spreadsheet's empty "CSV UTF-8").
    empty = tmp_path / "empty.csv"
    empty.write_bytes(content)
    args = [part.format(file=empty, out=tmp_path / "o.json") for part in command]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 3
    one_line_error(result, f"{empty}: empty file (expected a header row")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty.csv"]


def test_csv_cell_holding_a_ris_line_stays_csv(workspace, tmp_path):
    path = tmp_path / "cells.csv"
    path.write_text('title,abstract\n"A title","first line\nTY  - JOUR\nmore"\n"Second","x"\n', encoding="utf-8")
    result = run(workspace, "import", str(path))
    assert result.exit_code == 0, result.output
    assert "\tcsv\t" in result.output
    assert [r.title for r in workspace.store.records()] == ["A title", "Second"]


# -- CSV formula injection ----------------------------------------------------------------------------

def test_decision_cells_and_record_headers_are_neutralised(workspace, tmp_path):
    ids = add_records(workspace, **{"=EVIL(1)": "x"})
    workspace.store.add_decision(ids[0], "alice", "exclude", reasons=["=HYPERLINK(\"http://x\")"], note="+cmd|' /C calc'!A0")
    out = tmp_path / "d.csv"
    assert run(workspace, "export", "decisions", "--format", "csv", str(out)).exit_code == 0
    row = next(csv.DictReader(out.open(encoding="utf-8")))
    assert row["reasons"].startswith("'=") and row["note"].startswith("'+")
    records_csv = tmp_path / "r.csv"
    assert run(workspace, "export", "records", str(records_csv)).exit_code == 0
    header = next(csv.reader(records_csv.open(encoding="utf-8")))
    assert "'=EVIL(1)" in header and "=EVIL(1)" not in header


def test_dash_is_stdout_for_both_exports(workspace, tmp_path, monkeypatch):
    ids = add_records(workspace)
    workspace.store.add_decision(ids[0], "alice", "include")
    monkeypatch.chdir(tmp_path)
    for args in (["export", "decisions", "--format", "csv", "-"], ["export", "records", "-"]):
        result = run(workspace, *args)
        assert result.exit_code == 0, result.output
        assert not (tmp_path / "-").exists()
    assert "decision_id,record_id" in run(workspace, "export", "decisions", "-").stdout


def test_every_export_says_what_it_wrote_on_stderr_and_keeps_stdout_for_data(workspace, tmp_path):
    # export decisions printed its line on stdout when OUT was a file; '-' was named as a file '-'.
    ids = add_records(workspace)
    workspace.store.add_decision(ids[0], "alice", "include")
    for args, said in ((["export", "decisions", str(tmp_path / "d.csv")], "wrote 1 decision to {out} (csv)"),
                       (["export", "records", str(tmp_path / "r.csv")], "wrote 2 records to {out} (csv)"),
                       (["export", "searches", str(tmp_path / "s.md")],
                        "wrote the PRISMA-S report (0 queries, 0 runs, 1 imported file) to {out}")):
        result = run(workspace, *args)
        assert result.exit_code == 0 and result.stdout == "", result.output
        assert result.stderr == said.format(out=args[-1]) + "\n"
        to_stdout = run(workspace, *args[:-1], "-")
        assert to_stdout.stdout and to_stdout.stderr == said.format(out="stdout") + "\n"
    doc = (Path(__file__).parents[1] / "docs" / "interfaces.md").read_text(encoding="utf-8")
    conventions = doc.split("| shell conventions |", 1)[1].split("\n", 1)[0]
    assert ("the status line of `export records`, `export decisions` and `export searches` goes to stderr, naming "
            "`-` as `stdout` (`wrote 12 decisions to d.csv (csv)`, `wrote 12 decisions to stdout (csv)`), and stdout "
            "carries the data only") in conventions


# -- unwritable outputs and read-only stores --------------------------------------------------------------

def test_unwritable_output_paths_give_one_line(workspace, tmp_path):
    ids = add_records(workspace)
    workspace.store.add_decision(ids[0], "alice", "include")
    blocker = tmp_path / "README.md"
    blocker.write_text("x", encoding="utf-8")
    one_line_error(run(workspace, "export", "decisions", "--format", "csv", str(blocker / "out.csv")), "README.md")
    one_line_error(run(workspace, "export", "records", str(blocker / "out.csv")), "README.md")
    one_line_error(run(workspace, "prisma", "--out", str(blocker / "x")), "README.md")


def test_init_into_a_file_path_gives_one_line(tmp_path):
    blocker = tmp_path / "README.md"
    blocker.write_text("x", encoding="utf-8")
    one_line_error(CliRunner().invoke(main, ["init", str(blocker / "ws")]), "README.md")


def _read_only_error(tmp_path):
    """A genuine SQLAlchemy error from writing a read-only SQLite file (works as root, unlike chmod)."""
    import sqlalchemy as sa

    path = tmp_path / "ro.db"
    sa.create_engine(f"sqlite:///{path}").connect().execute(sa.text("create table t (x int)")).close()
    engine = sa.create_engine(f"sqlite:///file:{path}?mode=ro&uri=true")
    try:
        with engine.begin() as conn:
            conn.execute(sa.text("insert into t values (1)"))
    except sa.exc.OperationalError as err:
        return err
    raise AssertionError("a read-only database accepted a write")


def test_read_only_store_gives_one_line(workspace, tmp_path, monkeypatch):
    add_records(workspace)
    error = _read_only_error(tmp_path)

    def refuse(*args, **kwargs):
        raise error

    from review.store import Store

    monkeypatch.setattr(Store, "records", refuse)
    one_line_error(run(workspace, "export", "records", str(tmp_path / "r.csv")), "cannot be written")
    assert not (tmp_path / "r.csv").exists()
    from review.cli import describe_store_error

    assert "cannot be written" in describe_store_error(error)
    assert describe_store_error(ValueError("x")) is None


class _Ran:
    """What ``one_line_error`` reads of a CLI run in a process of its own."""

    def __init__(self, done: "subprocess.CompletedProcess[str]") -> None:
        self.exit_code, self.output, self.exception = done.returncode, done.stdout + done.stderr, None


#: The child's script: ``review ARGS``.
_REVIEW = "import sys\nfrom review.cli import main\nsys.argv = ['review', *sys.argv[1:]]\nmain()\n"


def _as_bound_by_permissions(args: list[str], scratch: Path):  # type: ignore[no-untyped-def]
    """``review ARGS`` where file permissions bind: in this process when they bind here (a user; root in a
    container without CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH), else (root: this machine and its CI, where the
    test was skipped on every run) in a child process that drops the two before it starts the command."""
    if permissions_bind_here():
        return CliRunner().invoke(main, args)
    script = scratch / "review_command.py"
    script.write_text(_REVIEW, encoding="utf-8")
    return _Ran(run_where_permissions_bind(script, args, scratch))


@pytest.mark.skipif(sys.platform == "win32", reason="needs POSIX permissions")
def test_init_into_read_only_folder_and_read_only_store(workspace, tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        one_line_error(_as_bound_by_permissions(["init", str(locked / "ws")], tmp_path), "locked")
        assert list(locked.iterdir()) == []
    finally:
        locked.chmod(stat.S_IRWXU)
    ids = add_records(workspace)
    workspace.store.engine.dispose()
    db = workspace.path("review.db")
    db.chmod(stat.S_IRUSR)
    try:
        result = _as_bound_by_permissions(["-w", str(workspace.root), "-r", "alice", "prisma", "remove",
                                           str(ids[0]), "--reason", "retracted"], tmp_path)
        one_line_error(result, f"the store file {db} is read-only to you; nothing was written — make it writable "
                               f"(chmod u+w {db}")
    finally:
        db.chmod(stat.S_IRUSR | stat.S_IWUSR)


@pytest.mark.skipif(sys.platform == "win32", reason="needs POSIX permissions")
def test_a_read_only_workspace_folder_is_read_and_its_writes_name_the_folder(workspace, tmp_path):
    """A workspace folder the user may not write in (its store writable): SQLite could not create review.db-wal and
    -shm there, so no command could open the store, review status neither (it said "database sqlite:///…/review.db:
    cannot connect: attempt to write a readonly database", then one line naming the folder). The store is opened
    read-only: commands that read run, those that write refuse in one line naming the folder."""
    ids = add_records(workspace)
    workspace.store.add_decision(ids[0], "alice", "include")
    workspace.store.engine.dispose()  # (the last connection closed: no -wal or -shm left beside review.db)
    root = workspace.root
    assert not root.joinpath("review.db-wal").exists() and not root.joinpath("review.db-shm").exists()

    def expected(folder: Path, cannot: str) -> str:
        return (f"the workspace folder {folder} is read-only to you: the store review.db {cannot} (SQLite writes "
                f"review.db-wal and review.db-shm beside it); nothing was written — make the folder writable (chmod "
                f"u+w {folder}; its owner, or sudo, if it is not yours), or work in a folder you can write to (a copy "
                "of the workspace, or a new one)")

    empty = tmp_path / "empty"  # review init into a folder of one's own that is read-only
    empty.mkdir()
    for folder in (root, empty):
        folder.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        status = _as_bound_by_permissions(["-w", str(root), "status"], tmp_path)
        assert status.exit_code == 0 and "alice                screened 1 = 1 included" in status.output, status.output
        exported = _as_bound_by_permissions(["-w", str(root), "export", "decisions", "-"], tmp_path)
        assert exported.exit_code == 0 and f"\n1,{ids[0]},alice,title_abstract,include," in exported.output
        for args in (["-w", str(root), "-r", "alice", "decide", str(ids[1]), "--include"], ["init", str(empty)]):
            result = _as_bound_by_permissions(args, tmp_path)
            one_line_error(result, expected(empty, "cannot be made there") if args[0] == "init" else
                           expected(root, "can be read but not written there"))
            assert result.exit_code == 1, result.output
    finally:
        for folder in (root, empty):
            folder.chmod(stat.S_IRWXU)
    assert list(empty.iterdir()) == [] and not root.joinpath("review.db-wal").exists()
    assert [d.record_id for d in workspace.store.decisions()] == [ids[0]]  # nothing written


@pytest.mark.skipif(sys.platform == "win32", reason="needs POSIX permissions")
def test_an_older_store_where_it_cannot_be_written_is_said_to_be_unreadable_until_upgraded(workspace, tmp_path):
    """A store this review must upgrade before it can read it, in a read-only folder or read-only itself: the
    upgrade's write was refused with "the store review.db can be read but not written there", yet no command
    could read it. The line says it cannot be read until upgraded, and how; the store is left as it was."""
    from review.store import schema

    ids = add_records(workspace)
    workspace.store.add_decision(ids[0], "alice", "include")
    with workspace.store.transaction() as conn:  # (the 2 -> 3 step rewrites nothing in this store)
        conn.execute(schema.schema_info.update().where(schema.schema_info.c.key == "version").values(value="2"))
    workspace.store.engine.dispose()
    root, db = workspace.root, workspace.path("review.db")
    before = db.read_bytes()
    upgrade = f"cannot read the store until it is upgraded from schema version 2 to {schema.SCHEMA_VERSION}"
    root.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        status = _as_bound_by_permissions(["-w", str(root), "status"], tmp_path)
    finally:
        root.chmod(stat.S_IRWXU)
    one_line_error(status, f"the workspace folder {root} is read-only to you: the store review.db "
                           f"{upgrade.replace('cannot read the store', 'cannot be read by this review')}, which "
                           f"writes it (SQLite writes review.db-wal and review.db-shm beside it); nothing was written "
                           f"— make the folder writable (chmod u+w {root}; its owner, or sudo, if it is not yours) and "
                           "run review again (it upgrades the store first), or work on a copy of the workspace in a "
                           "folder you can write to")
    assert status.exit_code == 1
    db.chmod(stat.S_IRUSR)
    try:
        exported = _as_bound_by_permissions(["-w", str(root), "export", "decisions", "-"], tmp_path)
    finally:
        db.chmod(stat.S_IRUSR | stat.S_IWUSR)
    one_line_error(exported, f"the store file {db} is read-only to you: this review {upgrade}, which writes it; "
                             f"nothing was written — make it writable (chmod u+w {db}; its owner, or sudo, if it is "
                             "not yours) and run review again (it upgrades the store first)")
    assert exported.exit_code == 1 and "alice" not in exported.output
    assert db.read_bytes() == before and sorted(p.name for p in root.iterdir() if p.name.startswith("review.db")) \
        == ["review.db"]
    # What the line says to do: writable again, the next command upgrades the store and reads it.
    upgraded = run(workspace, "export", "decisions", "-")
    assert upgraded.exit_code == 0 and f"\n1,{ids[0]},alice,title_abstract,include," in upgraded.output


@pytest.mark.skipif(sys.platform == "win32", reason="needs POSIX permissions")
def test_a_wal_without_its_shm_in_a_read_only_folder_is_said_so_or_read_when_it_is_empty(workspace, tmp_path):
    """review.db with a review.db-wal holding changes but no review.db-shm (a copy that left the -shm out), in a
    folder read-only to the user: SQLite reads such a -wal only through a -shm it makes, so the store cannot be
    read. It was refused with the folder's "can be read but not written there"; the line says what is so. An empty
    -wal without its -shm holds nothing: the store is read (it was refused the same way)."""
    import shutil
    import sqlite3

    ids = add_records(workspace)
    workspace.store.engine.dispose()
    root, db = workspace.root, workspace.path("review.db")
    before = db.read_bytes()
    writer = sqlite3.connect(db)
    writer.execute("PRAGMA wal_autocheckpoint = 0")
    writer.execute("UPDATE records SET title = 'only in the wal' WHERE id = ?", (ids[0],))
    writer.commit()
    wal = tmp_path / "review.db-wal"
    shutil.copy(workspace.path("review.db-wal"), wal)
    writer.close()  # (checkpoints the change into review.db and removes the -wal and -shm)
    db.write_bytes(before)
    shutil.copy(wal, workspace.path("review.db-wal"))  # review.db as the -wal found it, the -wal, no -shm
    root.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        stranded = _as_bound_by_permissions(["-w", str(root), "export", "records", "-"], tmp_path)
    finally:
        root.chmod(stat.S_IRWXU)
    one_line_error(stranded, f"the workspace folder {root} is read-only to you: the store review.db cannot be read "
                             "there, as its review.db-wal is beside it without its review.db-shm (a copy that left "
                             "the -shm out, or one deleted): the -wal holds changes not yet in review.db, which SQLite "
                             "reads only through a -shm it must make in the folder; nothing was written — make the "
                             f"folder writable (chmod u+w {root}; its owner, or sudo, if it is not yours) and run "
                             "review again, or copy review.db and review.db-wal together to a folder you can write to "
                             "and work there")
    assert stranded.exit_code == 1 and "only in the wal" not in stranded.output
    assert db.read_bytes() == before and workspace.path("review.db-wal").read_bytes() == wal.read_bytes()
    assert not workspace.path("review.db-shm").exists()

    workspace.path("review.db-wal").write_bytes(b"")  # an empty -wal, no -shm: review.db is the whole store
    root.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        exported = _as_bound_by_permissions(["-w", str(root), "export", "records", "-"], tmp_path)
    finally:
        root.chmod(stat.S_IRWXU)
    assert exported.exit_code == 0 and "t1" in exported.output, exported.output
    assert sorted(p.name for p in root.iterdir() if p.name.startswith("review.db")) == ["review.db", "review.db-wal"]

    shutil.copy(wal, workspace.path("review.db-wal"))  # what the line says: writable, the -wal's change is read
    assert "only in the wal" in run(workspace, "export", "records", "-").output


#: Run where file permissions bind, in a workspace folder read-only to it (``sys.argv[1]``; ``sys.argv[2]`` an RIS
#: file): what the dedup run and the import did before they were refused, as one JSON line.
_WRITES_REFUSED_FIRST = """
import json, sys
from pathlib import Path

from review.errors import ReviewError
from review.services import dedup, sources
from review.workspace import Workspace

workspace = Workspace(Path(sys.argv[1]))
seen = {}
for name, call in (("dedup", lambda heard: dedup.run_dedup(workspace, progress=lambda *step: heard.append(step[0]))),
                   ("import", lambda heard: sources.import_files(workspace, [Path(sys.argv[2])],
                                                                 progress=lambda *step: heard.append(str(step[1]))))):
    heard = []
    try:
        call(heard)
        seen[name] = ["written", heard]
    except ReviewError as err:
        seen[name] = [type(err).__name__, heard]
print(json.dumps(seen))
"""


@pytest.mark.skipif(sys.platform == "win32", reason="needs POSIX permissions")
def test_commands_that_write_a_read_only_workspace_refuse_before_any_work(tmp_path):
    """A workspace folder read-only to the user: review dedup scored every record (6 s of 8 at 20,000 records,
    benchmarks/read_only_refusal.py), review import parsed its files, and dedup --review showed a pair, each
    refused only at its first write. They refuse first, in the same line."""
    from tests.tui.tui_workspace import build_workspace

    import gc

    root = tmp_path / "pairs"
    build_workspace(root).store.engine.dispose()  # (borderline dedup pairs to review)
    gc.collect()  # (its first Workspace object keeps a connection, and review.db-wal and -shm, until collected)
    assert not root.joinpath("review.db-wal").exists()
    ris = tmp_path / "more.ris"
    ris.write_text("TY  - JOUR\nTI  - Return to work after sick leave\nPY  - 2020\nER  - \n", encoding="utf-8")
    script = tmp_path / "writes_refused_first.py"
    script.write_text(_WRITES_REFUSED_FIRST, encoding="utf-8")
    before = root.joinpath("review.db").read_bytes()
    root.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        done = run_where_permissions_bind(script, [str(root), str(ris)], tmp_path)
        reviewed = _as_bound_by_permissions(["-w", str(root), "-r", "alice", "dedup", "--review"], tmp_path)
    finally:
        root.chmod(stat.S_IRWXU)
    assert done.returncode == 0, done.stderr[-3000:]
    assert json.loads(done.stdout.strip().splitlines()[-1]) == {"dedup": ["StoreReadOnly", []],
                                                                "import": ["StoreReadOnly", []]}
    one_line_error(reviewed, f"the workspace folder {root} is read-only to you: the store review.db can be read but "
                             "not written there")
    assert reviewed.exit_code == 1 and "to review" not in reviewed.output, reviewed.output
    assert root.joinpath("review.db").read_bytes() == before


@pytest.mark.skipif(sys.platform == "win32", reason="needs POSIX permissions")
def test_an_import_or_dedup_review_that_writes_nothing_is_not_refused_in_a_read_only_workspace(workspace, tmp_path):
    """review import refuses a read-only workspace before it parses a file it would import, not before the checks
    that write nothing: a missing file is exit 3 (interfaces.md), a file imported before is skipped, exit 0; dedup
    --review with no pair to show says so, exit 0. 17491dba refused each with the read-only line, exit 1 (they were
    exit 3, 0 and 0 before it)."""
    import gc

    first, fresh = tmp_path / "first.ris", tmp_path / "fresh.ris"
    first.write_text("TY  - JOUR\nTI  - Return to work after sick leave\nER  - \n", encoding="utf-8")
    fresh.write_text("TY  - JOUR\nTI  - Sick leave and burnout\nER  - \n", encoding="utf-8")
    assert run(workspace, "import", str(first)).exit_code == 0
    assert run(workspace, "dedup").exit_code == 0  # (one record: no pair to review)
    workspace.store.engine.dispose()
    gc.collect()  # (the command's own Workspace object keeps a connection, and review.db-wal and -shm, until then)
    root = workspace.root
    assert not root.joinpath("review.db-wal").exists()
    before = root.joinpath("review.db").read_bytes()
    root.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        missing = _as_bound_by_permissions(["-w", str(root), "import", str(tmp_path / "missing.ris")], tmp_path)
        again = _as_bound_by_permissions(["-w", str(root), "import", str(first)], tmp_path)
        new = _as_bound_by_permissions(["-w", str(root), "import", str(first), str(fresh)], tmp_path)
        pairs = _as_bound_by_permissions(["-w", str(root), "-r", "alice", "dedup", "--review"], tmp_path)
    finally:
        root.chmod(stat.S_IRWXU)
    one_line_error(missing, "missing.ris: no such file")
    assert missing.exit_code == 3
    assert again.exit_code == 0 and "skipped: already imported" in again.output, again.output
    one_line_error(new, f"the workspace folder {root} is read-only to you: the store review.db can be read but not "
                        "written there")
    assert new.exit_code == 1
    assert pairs.exit_code == 0 and "no borderline pairs left to review" in pairs.output, pairs.output
    assert root.joinpath("review.db").read_bytes() == before


@pytest.mark.skipif(sys.platform == "win32", reason="needs POSIX permissions")
def test_prisma_prints_its_counts_without_writing_in_a_read_only_workspace(workspace, tmp_path, monkeypatch):
    """review prisma always wrote its four files (screening/prisma/ or --out DIR): in a workspace read-only to the
    user it counted and drew, then stopped at the first file, with no way to see the counts there. --out - writes
    no file and prints what it prints anyway (stdout the counts, stderr the checks and notes); without it the
    folder is checked first, its line saying so."""
    ids = add_records(workspace, n=3)
    workspace.store.add_decision(ids[0], "alice", "include")
    workspace.store.add_decision(ids[1], "alice", "exclude")
    workspace.store.engine.dispose()
    monkeypatch.chdir(tmp_path)  # (before --out -, a folder named '-' was made here)
    root, screening = workspace.root, workspace.path("screening")
    for folder in (screening, root):
        folder.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        printed = _as_bound_by_permissions(["-w", str(root), "prisma", "--out", "-"], tmp_path)
        refused = _as_bound_by_permissions(["-w", str(root), "prisma"], tmp_path)
    finally:
        for folder in (root, screening):
            folder.chmod(stat.S_IRWXU)
    assert printed.exit_code == 0, printed.output
    written = run(workspace, "prisma", "--out", str(tmp_path / "flow"))
    counts = [line for line in written.output.splitlines() if "\t" in line]
    assert "database_results\t3" in counts
    assert [line for line in printed.output.splitlines() if "\t" in line] == counts
    assert "wrote " not in printed.output and not (tmp_path / "-").exists()
    assert not workspace.path("screening", "prisma").exists()
    prisma_csv = workspace.path("screening", "prisma", "prisma.csv").relative_to(tmp_path)  # (from here: tidy28 #2)
    one_line_error(refused, f"review: {prisma_csv}: cannot write here (Permission denied); nothing was written — review "
                            "prisma --out - prints the counts without writing a file, --out DIR writes the files to a "
                            "folder you can write to")
    assert refused.exit_code == 1 and "database_results" not in refused.output


@pytest.mark.skipif(sys.platform == "win32", reason="needs POSIX permissions")
def test_synthesis_and_instrument_build_refuse_a_read_only_store_before_their_files(workspace, tmp_path):
    """A workspace folder read-only to the user, its extraction/ and instrument/ folders not: review synthesis wrote
    synthesis.csv and .md, and instrument build the new item bank, before the store refused their rows, said
    "nothing was written" and left the new bank beside the old exports. Both are refused first, nothing written."""
    import gc
    import hashlib

    from review.extraction.model import Estimate
    from tests.tui.tui_workspace import write_arends_study

    def study(odds_ratio: float, low: float, high: float) -> None:
        write_arends_study(workspace, estimates=[Estimate(
            factor="age", contrast="per 10 years", estimate_type="adjusted", measure="OR",
            source_location="Table 2", estimate=odds_ratio, ci_low=low, ci_high=high)])

    def digest(folder: Path) -> dict[str, str]:
        return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}

    study(1.8, 1.1, 2.0)
    for args in (["synthesis"], ["instrument", "build"]):
        assert run(workspace, *args).exit_code == 0
    study(0.5, 0.3, 0.8)  # the factor turns protective: a new synthesis, a new bank
    assert run(workspace, "synthesis").exit_code == 0
    study(1.8, 1.1, 2.0)
    workspace.store.engine.dispose()
    gc.collect()  # (the commands' own Workspace objects keep connections, and review.db-wal and -shm, until then)
    root = workspace.root
    assert not root.joinpath("review.db-wal").exists()
    before = {name: digest(workspace.path(name)) for name in ("extraction", "instrument")}
    root.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        built = _as_bound_by_permissions(["-w", str(root), "instrument", "build"], tmp_path)
        synthesised = _as_bound_by_permissions(["-w", str(root), "synthesis"], tmp_path)
    finally:
        root.chmod(stat.S_IRWXU)
    for result in (built, synthesised):
        one_line_error(result, f"the workspace folder {root} is read-only to you: the store review.db can be read but "
                               "not written there")
        assert result.exit_code == 1
    assert {name: digest(workspace.path(name)) for name in ("extraction", "instrument")} == before


# -- --workspace after the subcommand ----------------------------------------------------------------------

def test_workspace_option_after_the_subcommand(workspace):
    add_records(workspace)
    result = CliRunner().invoke(main, ["status", "--workspace", str(workspace.root)])
    assert result.exit_code == 0, result.output
    assert str(workspace.root) in result.output
    assert hoist_workspace_option(["import", "-w", "D", "a.ris", "--", "-w"]) == ["-w", "D", "import", "a.ris", "--", "-w"]
    assert hoist_workspace_option(["status", "--workspace=D"]) == ["--workspace=D", "status"]


# -- names never leave the workspace ----------------------------------------------------------------------

def test_path_traversal_through_names_is_refused(workspace, tmp_path):
    outside = tmp_path / "x"
    outside.mkdir()
    (outside / "q.toml").write_text('name = "q"\nquery = "asthma"\n', encoding="utf-8")
    for args, named in ((["search", "../../x/q"], "query name '../../x/q'"),
                        (["extraction", "reconcile", "../../../x/evil", "--from", "alice"], "study id '../../../x/evil'"),
                        (["extraction", "reconcile", "s1", "--from", "../a"], "extractor '../a'")):
        result = run(workspace, *args)
        one_line_error(result, named)
        assert result.exit_code == 2  # a bad name typed on the command line, as a reviewer's (it exited 4)
    assert not list(tmp_path.rglob("evil*"))


# -- figures and Markdown ---------------------------------------------------------------------------------

def test_prisma_draws_dollar_signs_as_text(workspace, tmp_path):
    workspace.store.add_batch([Record(title="a")], file_name="f", file_sha256="d" * 64,
                              source_name="Costs $5$ and $\\frac{a}{", format="csv", encoding="utf-8")
    out = tmp_path / "prisma"
    result = run(workspace, "prisma", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert (out / "prisma.svg").stat().st_size > 0 and (out / "prisma.png").stat().st_size > 0


def test_markdown_cells_escape_raw_html():
    from review.synthesis.report import _md

    cell = _md('<script>alert(1)</script><img src=x onerror="y">|')
    assert "<script" not in cell and "<img" not in cell and "&lt;script>" in cell and cell.endswith("\\|")
    assert io is not None


def test_import_help_names_every_format_it_reads():
    """A reader added to the registry is named where a newcomer looks: ``review import --help``."""
    from review.sources import READERS

    text = " ".join(CliRunner().invoke(main, ["import", "--help"]).output.split())
    for reader in READERS.values():
        assert reader.label.split()[0] in text, reader.label


def test_every_option_of_every_command_says_what_it_does():
    """``review COMMAND --help`` is where the README sends a newcomer: no option may be a bare name."""
    import click

    main.load_all()
    ctx = click.Context(main)
    bare = []

    def walk(command, path):
        if isinstance(command, click.Group):
            for name in command.list_commands(ctx):
                walk(command.get_command(ctx, name), [*path, name])
        bare.extend(f"{' '.join(path)} {p.opts[0]}" for p in command.params
                    if isinstance(p, click.Option) and not p.hidden and not p.help)

    walk(main, ["review"])
    assert bare == []


def test_a_command_line_mistake_is_one_line_too(tmp_path):
    # click printed three lines (Usage:, Try '…--help', Error: …) where every other error is one.
    for args, words in ((["simulate", "--json", "o.json"], "review: simulate: Missing argument 'FILE'. "),
                        (["nosuch"], "review: No such command 'nosuch'. (review --help)"),
                        (["prisma", "remove", "5"], "review: prisma remove: Missing option '--reason'. "
                                                    "(review prisma remove --help)")):
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 2 and result.stdout == ""
        (line,) = result.stderr.splitlines()
        assert line.startswith(words)
    assert " fulltext [OPTIONS] COMMAND" in CliRunner().invoke(main, ["fulltext"]).output  # a bare group: its help


def test_the_reviewer_option_after_the_command_says_where_it_goes(workspace):
    add_records(workspace)
    for args, sub in ((["decide", "1", "--include", "-r", "bob"], "decide"),
                      (["fulltext", "eligible", "1", "--reviewer", "bob"], "fulltext eligible")):
        result = run(workspace, *args)
        assert result.exit_code == 2 and result.stdout == ""
        option = args[-2]
        assert result.stderr == (f"review: {sub}: No such option '{option}': the reviewer goes before the command, "
                                 f"review -r NAME {sub} … (review {sub} --help)\n")
    assert workspace.store.decisions() == []


def test_a_bad_favours_value_is_shown_whole(tmp_path):
    # the option's name was cut off at the first ': ', inside a value holding one
    result = CliRunner().invoke(main, ["meta", str(tmp_path / "none.csv"), "--favours", "a: b"])
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr == ("review: meta: Invalid value for '--favours': 'a: b': expected 'LEFT|RIGHT', "
                             "e.g. 'favours treatment|favours control' (review meta --help)\n")


def test_a_command_with_its_own_reviewer_option_is_pointed_to_it(tmp_path):
    # 'review init ws -r alice' was told 'review -r NAME init …', where init drops the group's reviewer
    result = CliRunner().invoke(main, ["init", str(tmp_path / "ws"), "-r", "alice"])
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr == ("review: init: No such option '-r': init takes its own --reviewer NAME "
                             "(review init --help)\n")
    assert not (tmp_path / "ws").exists()


def test_a_bare_groups_help_is_recognised_by_class_not_by_name():
    # The check compared type(err).__name__, which a subclass (or a renamed class) would slip past.
    import click

    from review.cli import _exit_with_usage_line

    no_args_is_help = getattr(click.exceptions, "NoArgsIsHelpError", None)
    if no_args_is_help is None:
        pytest.skip("this click prints a bare group's help itself")

    class Subclassed(no_args_is_help):
        pass

    err = Subclassed(click.Context(main, info_name="review"))
    with pytest.raises(Subclassed):
        _exit_with_usage_line(err)


@pytest.mark.parametrize("command", [["simulate", "{file}", "--json", "{out}"], ["meta", "{file}", "--json", "{out}"],
                                     ["dedup", "{file}", "--out", "{out}"]])
def test_a_csv_that_is_neither_utf8_nor_cp1252_is_one_line_naming_line_and_offset(tmp_path, command):
    # A spreadsheet's plain "CSV" (cp1252) is read now (docs/decisions/0022); bytes cp1252 leaves
    # undefined (0x81) are refused by every reader alike, with nothing written.
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"record_id,study,title,abstract,label_included,estimate,ci_low,ci_high\n"
                    b"1,Caf\x81 2019,x,y,1,1.2,1.0,1.5\n")
    args = [part.format(file=bad, out=tmp_path / "o.out") for part in command]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 3
    one_line_error(result, f"{bad}:line 2: byte 0x81 at offset 75 is neither UTF-8 nor cp1252")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.csv"]


@pytest.mark.parametrize("command", [["simulate", "{file}", "--json", "{out}"], ["dedup", "{file}", "--out", "{out}"],
                                     ["meta", "{file}", "--json", "{out}"]])
def test_a_header_that_tabs_and_commas_both_split_is_named_as_such(tmp_path, command):
    # A spreadsheet's CSV separated by ',', ';' or a tab is read by each, as by review validate (review.csvcells
    # .find_header: tests/synthesis/test_meta_semicolon_csv.py, tests/dedup/test_semicolon_csv.py,
    # tests/screening/test_simulate_semicolon_csv.py; a tab-separated one was named and refused until 2026-12-08); a
    # header that tabs and commas both split is refused in one line naming it, nothing written.
    tabs = tmp_path / "tabs.csv"
    tabs.write_text("record_id\tstudy\ttitle, short\tabstract\tlabel_included\n1\ta\tx\ty\t1\n", encoding="utf-8")
    args = [part.format(file=tabs, out=tmp_path / "o.out") for part in command]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 3 and not (tmp_path / "o.out").exists()
    one_line_error(result, f"{tabs}:line 1: the header holds both tabs and ','")


# -- a record id not in the workspace: exit 1 from every command, as interfaces.md names them -------------

#: Every command taking record ids (decision 0038: prisma restore and fulltext exited 4 before 2026-12-06).
UNKNOWN_ID_COMMANDS = (
    ("decide", "99", "--include"),
    ("dedup", "--undo-merge", "99"),
    ("prisma", "remove", "99", "--reason", "retracted"),
    ("prisma", "restore", "99"),
    ("fulltext", "sought", "99"),
    ("fulltext", "retrieved", "99"),
    ("fulltext", "not-retrieved", "99"),
    ("fulltext", "eligible", "99"),
    ("fulltext", "excluded", "99", "--reason", "Wrong population"),
    ("fulltext", "link", "1", "99"),
    ("fulltext", "unlink", "99"),
    ("conflicts", "resolve", "99", "--include"),
)


def test_an_unknown_record_id_exits_as_interfaces_md_says(workspace):
    from pathlib import Path

    add_records(workspace)
    doc = (Path(__file__).parents[1] / "docs" / "interfaces.md").read_text(encoding="utf-8")
    clause = doc.split("a record id not in the workspace, one line naming it, nothing recorded, from every command "
                       "taking record ids: ", 1)[1].split(" (before 2026-12-06", 1)[0]
    for args in UNKNOWN_ID_COMMANDS:
        result = run(workspace, "-r", "alice", *args)
        assert result.exit_code == 1, (args, result.output)
        one_line_error(result, "99")
        # the command is named in the clause ('decide', 'prisma remove' then 'and `restore`', 'fulltext sought')
        named = f"`{' '.join(a for a in args[:2] if not a.isdigit())}"
        assert named in clause or f"`{args[1]}`" in clause, (args, clause)
    assert workspace.store.decisions() == []


# -- a plot path of a kind we cannot draw: one wording, from one definition --------------------------

@pytest.mark.parametrize("command", [["simulate", "{file}", "--json", "{out}"], ["meta", "{file}"]])
def test_a_plot_format_we_cannot_draw_reads_alike_from_every_command(tmp_path, command):
    # simulate said '--plot must end in .png or .svg', meta 'plot format must be one of .png, .svg'.
    data = tmp_path / "in.csv"
    data.write_text("record_id,title\n", encoding="utf-8")
    args = [part.format(file=data, out=tmp_path / "o.json") for part in command]
    result = CliRunner().invoke(main, [*args, "--plot", str(tmp_path / "f.pdf")])
    assert result.exit_code == 1
    assert result.stderr == f"review: {tmp_path / 'f.pdf'}: plot format must be one of .png, .svg\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv"]


# -- a missing input file: one kind of failure, one exit status (3) in every command ----------------

#: Every command that takes an input file, with ``{file}`` where it goes (one list for the tests below).
INPUT_COMMANDS = [
    ["import", "{file}"], ["dedup", "{file}"], ["simulate", "{file}", "--json", "{out}"], ["meta", "{file}"],
    ["search", "example", "--check-seeds", "{file}"], ["instrument", "score", "{file}"],
    ["validate", "cvi", "{file}"], ["validate", "delphi", "{file}"], ["validate", "icc", "{file}"],
    ["validate", "kappa", "{file}"], ["validate", "sus", "{file}"],
    ["validate", "factors", "{file}", "--outcome", "y"],
    ["validate", "survival", "{file}", "--time", "t", "--event", "e", "--group", "g"],
    ["validate", "predictive", "{file}", "--predictor", "p", "--outcome", "y"],
    ["validate", "delphi", "{present}", "--previous", "{file}"], ["validate", "run", "--plan", "{file}"],
]


@pytest.mark.parametrize("command", INPUT_COMMANDS)
def test_a_missing_input_file_exits_3_in_every_command(workspace, tmp_path, command):
    # simulate and instrument score exited 2 (click's usage error), every validate command 4 and
    # validate run 1: docs/interfaces.md calls a bad input file 3.
    missing, present = tmp_path / "nope.csv", tmp_path / "round2.csv"
    present.write_text("item,expert,rating\nq1,a,4\n", encoding="utf-8")
    args = [a.format(file=missing, out=tmp_path / "out.json", present=present) for a in command]
    result = run(workspace, *args)
    one_line_error(result, f"{missing}: no such file")
    assert result.exit_code == 3, result.output
    assert not (tmp_path / "out.json").exists()


@pytest.mark.parametrize("command", INPUT_COMMANDS)
def test_a_folder_as_input_file_exits_3_in_every_command(workspace, tmp_path, command):
    # dedup FILE.csv and search --check-seeds exited 2 on a folder (click's dir_okay=False). One check
    # (errors.check_input_file), one wording.
    bad = tmp_path / "in.csv"
    bad.mkdir()
    present = tmp_path / "round2.csv"
    present.write_text("item,expert,rating\nq1,a,4\n", encoding="utf-8")
    args = [a.format(file=bad, out=tmp_path / "out.json", present=present) for a in command]
    result = run(workspace, *args)
    one_line_error(result, f"{bad}: is a directory, not a file")
    assert result.exit_code == 3, result.output
    assert not (tmp_path / "out.json").exists()


def test_a_device_as_input_file_exits_3() -> None:
    from review.errors import ImportFormatError, check_input_file

    for pipe_ok in (False, True):
        with pytest.raises(ImportFormatError, match="/dev/null: not a regular file"):
            check_input_file(Path("/dev/null"), pipe_ok=pipe_ok)


def _run_on_fifo(workspace, fifo: Path, content: bytes, args: list[str]):
    """``run(workspace, *args)`` while one writer gives ``content`` to the FIFO's first reader; None
    when the command still waits after that (it opened its input a second time)."""
    import threading

    def write() -> None:
        try:
            with open(fifo, "wb") as pipe:  # blocks until the command opens the FIFO
                pipe.write(content)
        except BrokenPipeError:  # the command stopped reading early, or never opened it
            pass

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    results = []
    command = threading.Thread(target=lambda: results.append(run(workspace, *args)), daemon=True)
    command.start()
    command.join(30)
    if command.is_alive():  # waits on a second open: give it an end of file and report
        with open(fifo, "wb"):
            pass
        command.join(30)
        return None
    if writer.is_alive():  # never opened it: let the writer go
        os.close(os.open(fifo, os.O_RDONLY | os.O_NONBLOCK))
    return results[0]


#: Commands that keep a FIFO refused: an import's batch and a seed check record the file's name as
#: provenance, and a plan names files beside itself; a pipe's name (/dev/fd/63) gives neither.
NAMED_INPUT_COMMANDS = [["import", "{file}"], ["search", "example", "--check-seeds", "{file}"],
                        ["validate", "run", "--plan", "{file}"]]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
@pytest.mark.parametrize("command", [c for c in INPUT_COMMANDS if c not in NAMED_INPUT_COMMANDS])
def test_a_fifo_is_read_once_like_the_file_it_carries(workspace, tmp_path, command):
    # `gpg -d r.json.gpg | review instrument score /dev/stdin` keeps decrypted client answers off
    # disk; check_input_file refused every FIFO for a while. The FIFO gives what the file gives.
    content = b"item,expert,rating\nq1,a,4\nq2,b,3\n"
    present = tmp_path / "round2.csv"
    present.write_text("item,expert,rating\nq1,a,4\n", encoding="utf-8")
    outcomes = []
    for kind in ("file", "fifo"):
        given = tmp_path / kind / "in.csv"
        given.parent.mkdir()
        args = [a.format(file=given, out=tmp_path / kind / "out.json", present=present) for a in command]
        if kind == "file":
            given.write_bytes(content)
            result = run(workspace, *args)
        else:
            os.mkfifo(given)
            result = _run_on_fifo(workspace, given, content, args)
            assert result is not None, "opened its input twice"
        outcomes.append((result.exit_code, result.output.replace(str(given.parent), "DIR")))
    assert outcomes[1] == outcomes[0]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
@pytest.mark.parametrize("command", NAMED_INPUT_COMMANDS)
def test_commands_that_name_their_file_still_refuse_a_fifo(workspace, tmp_path, command):
    # (the seed check needs a strategy of the review's: review init's example.toml is a template it refuses first)
    workspace.path("queries", "example.toml").write_text('query = """anything"""\n', encoding="utf-8")
    bad = tmp_path / "in.ris"
    os.mkfifo(bad)
    result = run(workspace, *[a.format(file=bad) for a in command])
    one_line_error(result, f"{bad}: not a regular file")
    assert result.exit_code == 3, result.output


# -- a command-line mistake exits 2 in every command: clashing flags, an option out of its range ------

#: Each exited 1 or 4 (a ReviewError or a check in the service), where interfaces.md says 2.
COMMAND_LINE_MISTAKES = [
    ["decide", "1", "--include", "--maybe"], ["decide", "--include"], ["decide", "--undo", "1"],
    ["decide", "1", "--include", "--reason", "other"],
    ["dedup", "--detach"], ["dedup", "--review", "--clusters"], ["dedup", "--related", "merge"],
    ["dedup", "{csv}", "--review"], ["export", "agreement", "-"],
    ["simulate", "{csv}", "--json", "{out}", "--target-recall", "1"],
    ["simulate", "{csv}", "--json", "{out}", "--confidence", "0"],
    ["meta", "{csv}", "--level", "95"], ["meta", "{csv}", "--favours", "only one side"],
    ["validate", "kappa", "{csv}", "--level", "2"], ["validate", "icc", "{csv}", "--level", "0"],
    ["validate", "kappa", "{csv}", "--bootstrap", "-5"], ["validate", "cvi", "{csv}", "--threshold", "7"],
    ["validate", "predictive", "{csv}", "--outcome", "y", "--predictor", "p", "--horizon", "-3"],
    # A negative seed was a numpy ValueError traceback (init's, at every later decision).
    ["simulate", "{csv}", "--json", "{out}", "--seed", "-5"], ["init", "{dir}", "--seed", "-3"],
    ["demo", "{dir}", "--no-tui", "--seed", "-1"], ["validate", "kappa", "{csv}", "--seed", "-1"],
    ["validate", "predictive", "{csv}", "--outcome", "y", "--predictor", "p", "--seed", "-1"],
    # A seed past 2**32 - 1 reached scikit-learn's random_state: exit 1 blaming the input file.
    ["simulate", "{csv}", "--json", "{out}", "--model", "logistic", "--seed", "4294967296"],
    ["init", "{dir}", "--seed", "4294967296"], ["demo", "{dir}", "--no-tui", "--seed", "4294967296"],
    ["validate", "kappa", "{csv}", "--seed", "4294967296"],
    ["validate", "predictive", "{csv}", "--outcome", "y", "--predictor", "p", "--seed", "4294967296"],
    ["validate", "demo", "{dir}", "--no-run", "--seed", "4294967296"],
    # Delphi's rule given on the command line blamed the file, exit 4
    ["validate", "delphi", "{csv}", "--consensus", "7"], ["validate", "delphi", "{csv}", "--consensus", "0.5"],
    ["validate", "delphi", "{csv}", "--scale-min", "3"], ["validate", "delphi", "{csv}", "--agree-from", "6"],
    ["validate", "delphi", "{csv}", "--agree-from", "2"],
    # nan passes every bound of click's FloatRange (each comparison is false): refused later, exit 4 or 1,
    # and `search --check-seeds --min-recall nan` passed any seed recall
    ["meta", "{csv}", "--level", "nan"], ["simulate", "{csv}", "--json", "{out}", "--target-recall", "nan"],
    ["validate", "icc", "{csv}", "--level", "NaN"],
    ["validate", "predictive", "{csv}", "--outcome", "y", "--predictor", "p", "--horizon", "nan"],
    ["search", "q1", "--check-seeds", "{csv}", "--min-recall", "nan"],
]


@pytest.mark.parametrize("command", COMMAND_LINE_MISTAKES, ids=" ".join)
def test_a_clash_of_flags_or_an_option_out_of_range_exits_2(workspace, tmp_path, command):
    add_records(workspace)
    data = tmp_path / "in.csv"
    data.write_text("record_id,title,label_included\n1,a,1\n2,b,0\n", encoding="utf-8")
    before = sorted(tmp_path.rglob("*"))
    args = [part.format(csv=data, out=tmp_path / "o.json", dir=tmp_path / "new") for part in command]
    result = run(workspace, *args)
    assert result.exit_code == 2, result.output
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"review: {' '.join(a for a in command[:2] if a.isalpha())}: ") and line.endswith("--help)")
    assert result.stdout == "" and sorted(tmp_path.rglob("*")) == before and workspace.store.decisions() == []
    doc = (Path(__file__).parents[1] / "docs" / "interfaces.md").read_text(encoding="utf-8")
    assert "flags that clash or need another" in doc.split("| exit statuses |", 1)[1].split("; 3 bad input", 1)[0]


# -- the exit statuses interfaces.md gives for files of the workspace and a response -----------------

def _exit_clause(status: int) -> str:
    doc = (Path(__file__).parents[1] / "docs" / "interfaces.md").read_text(encoding="utf-8")
    statuses = doc.split("| exit statuses |", 1)[1].split("\n", 1)[0]
    return statuses.split(f"; {status} ", 1)[1].split(f"; {status + 1} ", 1)[0]


def test_a_bad_query_file_exits_4_as_interfaces_md_says(workspace):
    # Undocumented before: exit 2 covers review.toml only, 3 the files named on the command line.
    (workspace.root / "queries" / "bad.toml").write_text('database = "pubmed"\nquery = "x"\nfoo = 1\n', encoding="utf-8")
    result = run(workspace, "search", "bad")
    assert result.exit_code == 4
    one_line_error(result, "bad.toml:foo: unknown field")
    clause = _exit_clause(4)
    assert "a query file in `queries/` for `review search`" in clause
    assert "`review instrument score`'s RESPONSE is no response it can read" in clause  # tests/instrument


def test_status_before_any_decision_is_the_line_interfaces_md_gives(workspace):
    add_records(workspace, n=3)
    result = run(workspace, "status")
    (line,) = [x for x in result.stdout.splitlines() if x.startswith("screening ")]
    assert line == "screening  none yet (3 records to screen)"
    doc = (Path(__file__).parents[1] / "docs" / "interfaces.md").read_text(encoding="utf-8")
    assert "the only line is `screening  none yet (N records to screen)`" in doc


# -- a record id no store can hold is a bad id, never a traceback ------------------------------------

@pytest.mark.parametrize("text", ["99999999999999999999", "2147483648", "\u00b2", "\u0661"])
@pytest.mark.parametrize(("command", "status"), [
    (["decide", "{id}", "--include"], 2), (["fulltext", "eligible", "{id}"], 2),
    (["prisma", "remove", "{id}", "--reason", "retracted"], 2), (["dedup", "--undo-merge", "{id}"], 2),
])
def test_a_record_id_no_store_holds_is_one_line(workspace, command, status, text):
    # A 20-digit id overflowed the SQLite driver (OverflowError traceback); '²' passed isdigit and
    # failed int() (ValueError traceback).
    add_records(workspace)
    result = run(workspace, "-r", "alice", *[part.format(id=text) for part in command])
    assert result.exit_code == status, result.output
    one_line_error(result, "expected a record id")
    assert workspace.store.decisions() == []
    assert "an ID that is no record id (`decide`, `fulltext …`, `prisma remove/restore`, `dedup --undo-merge`)" \
        in _exit_clause(2)


# -- '-' as --json of simulate and meta: the JSON on stdout, the table on stderr ----------------------

def test_simulate_and_meta_take_dash_as_stdout_for_their_json(tmp_path, monkeypatch):
    # Both wrote a file named '-' in the current folder, where every other output takes '-' as stdout.
    monkeypatch.chdir(tmp_path)
    labelled = tmp_path / "l.csv"
    labelled.write_text("record_id,title,abstract,label_included\n" + "".join(
        f"{i},title {i} {'stress work' if i % 3 == 0 else 'asthma'},,{int(i % 3 == 0)}\n" for i in range(12)),
        encoding="utf-8")
    estimates = tmp_path / "e.csv"
    estimates.write_text("study,yi,vi\nA,0.1,0.2\nB,0.3,0.1\n", encoding="utf-8")
    simulated = CliRunner().invoke(main, ["simulate", str(labelled), "--json", "-", "--seed", "1"])
    assert simulated.exit_code == 0, simulated.output
    data = json.loads(simulated.stdout)
    assert {"order", "metrics", "stopping", "timings"} <= set(data) and data["stopping"]["recommended"]
    assert "stop:recommended\t" in simulated.stderr and "wss@95\t" in simulated.stderr
    pooled = CliRunner().invoke(main, ["meta", str(estimates), "--measure", "MD", "--json", "-"])
    assert pooled.exit_code == 0, pooled.output
    assert json.loads(pooled.stdout)["result"]["k"] == 2 and "random effects" in pooled.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["e.csv", "l.csv"]  # no file named '-'


@pytest.mark.parametrize("args", [["init", ""], ["-w", "", "status"], ["--workspace=", "status"], ["init", " "]])
def test_an_empty_folder_name_is_refused_not_read_as_the_current_folder(tmp_path, monkeypatch, args):
    # click reads "" as ".": `review -w "$WS" decide …` with WS unset acted on the workspace around the current
    # folder, and `review init ""` made a workspace in it.
    around = tmp_path / "around"
    assert CliRunner().invoke(main, ["init", str(around)]).exit_code == 0
    monkeypatch.chdir(around)
    before = sorted(p.name for p in around.iterdir())
    result = CliRunner().invoke(main, args)
    one_line_error(result, "empty folder name")
    assert result.exit_code == 2
    assert sorted(p.name for p in around.iterdir()) == before


def test_h_is_help_for_every_command() -> None:
    """`review -h` said "No such option '-h'" (fresh31: the usual first try). -h is --help in every command, and no
    command takes -h for anything else."""
    import click

    main.load_all()

    def commands(group: click.Group, path: tuple[str, ...]):
        for name in group.list_commands(click.Context(group)):
            command = group.get_command(click.Context(group), name)
            assert command is not None
            yield (*path, name), command
            if isinstance(command, click.Group):
                yield from commands(command, (*path, name))

    for path, command in [((), main), *commands(main, ())]:
        others = [opt for param in command.params if isinstance(param, click.Option) for opt in param.opts]
        assert "-h" not in others, path
    for path in [(), ("meta",), ("conflicts", "resolve"), ("export", "records")]:
        short, long = (CliRunner().invoke(main, [*path, flag], prog_name="review") for flag in ("-h", "--help"))
        assert (short.exit_code, short.stdout) == (0, long.stdout), path
        assert short.stdout.startswith("Usage: review") and "-h, --help" in short.stdout
