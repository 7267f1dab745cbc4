"""The one stat stamp behind the app's file readers (review.toml and screening/criteria.toml)."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

from review.filestamp import FileStamp
from review.screening.criteria import CriteriaFile
from review.tui.settings import SettingsWatcher
from review.workspace import init_workspace


def _same_time(path: Path, text: str) -> None:
    """Rewrite ``path`` keeping its modification time (a save in the clock's tick, ``cp -p``)."""
    before = path.stat()
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))


def test_a_change_is_seen_once_and_a_save_that_keeps_the_time_is_seen_by_its_size(tmp_path: Path) -> None:
    path = tmp_path / "f.toml"
    watched = FileStamp(path)
    assert not watched.changed()  # missing, and still missing
    path.write_text("a = 1\n", encoding="utf-8")
    assert watched.changed() and not watched.changed()
    _same_time(path, "a = 12\n")
    assert watched.changed()
    path.unlink()
    assert watched.changed() and not watched.changed()


def test_a_same_size_save_that_keeps_the_time_is_seen(tmp_path: Path) -> None:
    """(mtime, size) missed these: ``cp -p`` of a same-size file, and an editor's save by rename."""
    path, other = tmp_path / "criteria.toml", tmp_path / "new.toml"
    path.write_text('include = ["child"]\n', encoding="utf-8")
    before = path.stat()
    watched = FileStamp(path)
    other.write_text('include = ["adult"]\n', encoding="utf-8")
    os.utime(other, ns=(before.st_atime_ns, before.st_mtime_ns))
    # Past the clock's tick: before Linux 6.13 ctime has the kernel's coarse (jiffy) granularity, so a
    # copy within the same tick as the first write keeps the ctime, and only the ctime tells this save.
    time.sleep(0.02)
    shutil.copy2(other, path)  # cp -p: same size, same modification time, same inode
    assert path.stat().st_mtime_ns == before.st_mtime_ns and path.stat().st_size == before.st_size
    assert watched.changed() and not watched.changed()
    other.write_text('include = ["teens"]\n', encoding="utf-8")
    os.utime(other, ns=(before.st_atime_ns, before.st_mtime_ns))
    os.replace(other, path)  # a save by rename: another inode
    assert watched.changed() and not watched.changed()


def test_both_readers_follow_a_save_that_keeps_the_modification_time(tmp_path: Path) -> None:
    """criteria.toml was stamped by its time alone: such a save kept the old terms until the next one."""
    workspace = init_workspace(tmp_path / "ws", title="t", reviewers=["alice"])
    criteria = CriteriaFile(workspace)
    settings = SettingsWatcher(workspace)
    _same_time(criteria.path, 'include = ["recurren*", "sick leave"]\n')
    assert criteria.reload() and criteria.criteria.include_terms == ("recurren*", "sick leave")
    toml = settings.path.read_text(encoding="utf-8")
    _same_time(settings.path, toml.replace('title = "t"', 'title = "the review"'))
    assert settings.check().changed == ("review.title",)
    assert workspace.config.title == "the review"
