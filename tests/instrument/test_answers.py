"""Client answers are private: 0600 files, never inside a workspace or repository."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from review.errors import ValidationError
from review.instrument.answers import (
    AnswerSet, answers_dir, check_private_path, load_answers, new_answer_path, save_answers, write_private,
)


@pytest.fixture
def data_dir(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "private"
    monkeypatch.setenv("REVIEW_DATA_DIR", str(folder))
    return folder


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_answer_file_is_0600_even_with_a_permissive_umask(data_dir):
    old = os.umask(0)
    try:
        path = save_answers(AnswerSet("v1", "abc", {"q": "yes"}, client_ref="d-12"), new_answer_path())
    finally:
        os.umask(old)
    assert path.parent == answers_dir() and str(path).startswith(str(data_dir))
    assert _mode(path) == 0o600
    assert _mode(path.parent) == 0o700
    loaded = load_answers(path)
    assert loaded.answers == {"q": "yes"} and loaded.client_ref == "d-12" and loaded.created_at


def test_overwrite_keeps_0600_and_leaves_no_temp_files(data_dir):
    path = data_dir / "a.json"
    write_private(path, "one")
    path.chmod(0o644)
    write_private(path, "two")
    assert path.read_text() == "two" and _mode(path) == 0o600
    assert [p.name for p in data_dir.iterdir()] == ["a.json"]


def test_refused_inside_the_workspace(workspace):
    with pytest.raises(ValidationError, match="inside the workspace"):
        check_private_path(workspace.root / "instrument" / "answers.json", workspace.root)
    assert not (workspace.root / "instrument" / "answers.json").exists()


def test_refused_inside_any_git_work_tree(tmp_path):
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    with pytest.raises(ValidationError, match="inside a repository"):
        write_private(repo / "sub" / "answers.json", "{}")
    assert not (repo / "sub" / "answers.json").exists()


def test_refused_inside_this_repository():
    here = Path(__file__).resolve().parents[2]
    with pytest.raises(ValidationError):
        check_private_path(here / "instrument" / "client.json")


def test_bad_answer_file_is_one_line_error(tmp_path):
    path = tmp_path / "a.json"
    path.write_text('{"answers": {"q": 1}}')
    with pytest.raises(ValidationError, match="a.json: 'answers' must map"):
        load_answers(path)
