"""Atomic writes leave no temporary copies behind: a write killed before its rename leaves a
``.NAME.*.tmp`` file, and the next write of that file removes it once it is clearly stale."""

from __future__ import annotations

import os
import time
from pathlib import Path

from review.atomic import STALE_TEMP_SECONDS, write_text_atomic
from review.instrument.answers import AnswerSet, save_answers


def _left_by_a_kill(path: Path, suffix: str, age: float) -> Path:
    temp = path.with_name(f".{path.name}.{suffix}.tmp")
    temp.write_text("half a file", encoding="utf-8")
    then = time.time() - age
    os.utime(temp, (then, then))
    return temp


def test_the_next_write_removes_a_stale_temporary_file_of_the_same_file_only(tmp_path: Path) -> None:
    target = tmp_path / "screening" / "decisions.csv"
    target.parent.mkdir()
    stale = _left_by_a_kill(target, "k1ll3d", STALE_TEMP_SECONDS + 60)
    fresh = _left_by_a_kill(target, "wr1t1ng", 0)  # another process writing right now
    other = _left_by_a_kill(tmp_path / "screening" / "agreement.csv", "k1ll3d", STALE_TEMP_SECONDS + 60)
    write_text_atomic(target, "record_id\n1\n")
    assert target.read_text(encoding="utf-8") == "record_id\n1\n"
    assert not stale.exists() and fresh.exists() and other.exists()


def test_a_killed_answer_save_leaves_no_copy_of_the_answers_after_the_next_save(tmp_path: Path) -> None:
    folder = tmp_path / "private"
    folder.mkdir(mode=0o700)
    target = folder / "answers.json"
    stale = _left_by_a_kill(target, "0badc0de", STALE_TEMP_SECONDS + 60)
    save_answers(AnswerSet("v1", "e" * 64, {"q1": "2"}), target)
    assert sorted(p.name for p in folder.iterdir()) == ["answers.json"] and not stale.exists()


def test_an_agreement_export_cut_short_leaves_the_last_whole_set(workspace, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """agreement.json, agreement.csv and conflicts.csv are one export: a crash while the last is
    rendered must not leave new statistics beside old conflicts."""
    import pytest

    import review.screening.agreement as agreement
    from review.records import Record
    from review.services.screening import export_agreement

    workspace.store.add_batch([Record(title=f"r{i}") for i in range(3)], file_name="f", file_sha256="a" * 64,
                              source_name="s", format="csv", encoding="utf-8")
    ids = sorted(r.id for r in workspace.store.records())
    for record_id, bob in zip(ids, ["include", "exclude", "exclude"]):
        workspace.store.add_decision(record_id, "alice", "include")
        workspace.store.add_decision(record_id, "bob", bob)
    paths = export_agreement(workspace, tmp_path / "out").paths
    before = {p.name: p.read_bytes() for p in paths}
    workspace.store.add_decision(ids[0], "bob", "exclude")  # one more conflict

    def killed(*args: object, **kwargs: object) -> object:
        raise SystemExit(-9)

    monkeypatch.setattr(agreement, "neutralising_writer", killed)  # (renders conflicts.csv, the last)
    with pytest.raises(SystemExit):
        export_agreement(workspace, tmp_path / "out")
    assert {p.name: p.read_bytes() for p in paths} == before


def test_an_unwritable_target_is_named_not_the_temporary_file(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import tempfile

    import pytest

    # A folder where the file should go: os.replace named the .NAME.x1y2.tmp file, gone by then.
    target = tmp_path / "clusters.csv"
    (target / "inside").mkdir(parents=True)
    with pytest.raises(OSError) as raised:
        write_text_atomic(target, "record_id\n")
    assert raised.value.filename == str(target) and os.listdir(tmp_path) == ["clusters.csv"]

    # A folder the user may not write in (root may, so the refusal is played): mkstemp named the temporary file.
    def refuse(dir: str, prefix: str, suffix: str) -> tuple[int, str]:
        raise PermissionError(13, "Permission denied", os.path.join(dir, f"{prefix}x1y2{suffix}"))

    monkeypatch.setattr(tempfile, "mkstemp", lambda dir, prefix, suffix: refuse(os.path.abspath(dir), prefix, suffix))
    monkeypatch.chdir(tmp_path)
    with pytest.raises(PermissionError) as denied:
        write_text_atomic(Path("out.csv"), "record_id\n")  # (typed relative; mkstemp names it absolute)
    assert denied.value.filename == "out.csv"


def test_a_full_disk_names_the_target(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import errno

    import pytest

    def full(fd: int) -> None:  # what the kernel says on ENOSPC/EDQUOT: no file name at all
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    target = tmp_path / "synthesis.csv"
    with pytest.raises(OSError) as raised:
        write_text_atomic(target, "factor\n")
    assert raised.value.errno == errno.ENOSPC and raised.value.filename == str(target)
    assert str(target) in str(raised.value) and os.listdir(tmp_path) == []


def test_check_writable_says_permission_denied_or_read_only_file_system(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # (the suite runs as root, for whom os.access says yes: both branches are driven through it)
    import errno

    import pytest

    from review import atomic

    target = tmp_path / "sub" / "out.json"  # a missing folder: the nearest existing one is looked at
    checked: list[str] = []

    def no_access(path, mode):  # type: ignore[no-untyped-def]
        checked.append(str(path))
        return False

    monkeypatch.setattr(atomic.os, "access", no_access)
    with pytest.raises(PermissionError) as denied:
        atomic.check_writable(target)
    assert denied.value.errno == errno.EACCES and denied.value.filename == str(target)
    assert checked == [str(tmp_path)]

    class ReadOnly:
        f_flag = os.ST_RDONLY

    monkeypatch.setattr(atomic.os, "statvfs", lambda path: ReadOnly())
    with pytest.raises(PermissionError) as read_only:
        atomic.check_writable(target)
    assert read_only.value.errno == errno.EROFS and read_only.value.filename == str(target)
    monkeypatch.setattr(atomic.os, "access", lambda path, mode: True)
    atomic.check_writable(target)  # (writable: no error, nothing made)
    assert not (tmp_path / "sub").exists()
