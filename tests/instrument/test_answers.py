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


def test_an_existing_answers_folder_open_to_others_is_made_private(data_dir):
    """mkdir leaves an existing folder's mode: one made by hand or restored from a backup at 0755 listed
    every client's answer file to other accounts."""
    (data_dir / "answers").mkdir(parents=True)
    (data_dir / "answers").chmod(0o755)
    path = save_answers(AnswerSet("v1", "abc", {"q": "yes"}), new_answer_path())
    assert _mode(path.parent) == 0o700 and _mode(path) == 0o600


def test_a_file_named_in_the_default_answers_folder_makes_it_private(data_dir):
    """``fill --answers`` continuing a file there, and the report written beside it, never call answers_dir."""
    folder = answers_dir()
    folder.chmod(0o755)
    write_private(folder / "answers-x-report.md", "report")
    assert _mode(folder) == 0o700


@pytest.mark.parametrize("below", ["client7", "2026/12"])
def test_every_folder_made_for_a_named_answer_file_is_private_from_the_start(data_dir, below):
    # tidy27 #1: answers/client7/x.json named before answers/ existed made the file 0600 and client7/ 0700, but
    # answers/ (and the data folder) with the umask's 0755, until the next default fill narrowed it.
    old = os.umask(0o022)
    try:
        path = write_private(data_dir / "answers" / below / "x.json", "{}")
    finally:
        os.umask(old)
    made = [p for p in path.parents if p == data_dir or data_dir in p.parents]  # (data_dir did not exist either)
    assert {p.name: oct(_mode(p)) for p in made} == {p.name: "0o700" for p in made}
    assert _mode(path) == 0o600


def test_an_open_answers_folder_is_made_private_when_a_file_is_named_below_it(data_dir):
    # tidy27 #1: only a file named in answers/ itself narrowed it; answers/2026/a.json left it open to others.
    folder = answers_dir()
    (folder / "2026").mkdir()
    (folder / "2026").chmod(0o750)
    folder.chmod(0o755)
    check_private_path(folder / "2026" / "a.json")
    assert _mode(folder) == 0o700
    assert _mode(folder / "2026") == 0o750  # a folder the user made below it is theirs to set


def test_a_folder_the_user_names_keeps_its_mode(data_dir, tmp_path):
    folder = tmp_path / "clients"
    folder.mkdir()
    folder.chmod(0o750)
    path = write_private(folder / "r1-profiel.md", "report")
    assert _mode(folder) == 0o750 and _mode(path) == 0o600


def test_an_answers_folder_that_cannot_be_made_private_is_one_line(data_dir, monkeypatch):
    folder = answers_dir()
    folder.chmod(0o755)

    def refuse(self, mode):
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(Path, "chmod", refuse)
    with pytest.raises(ValidationError) as err:
        new_answer_path()
    message = str(err.value)
    assert "\n" not in message and "open to other accounts (mode 755)" in message
    assert "Operation not permitted" in message and "chmod 700" in message and "REVIEW_DATA_DIR" in message
    assert list(folder.iterdir()) == []


def test_naming_a_file_in_an_open_answers_folder_makes_it_private_or_refuses_at_once(data_dir, monkeypatch):
    """``fill --answers`` and ``score --out`` check the file they name before anything else: a folder that could
    not be made private was refused only at the first write, after the form opened (every answer then 'Niet
    opgeslagen') or after ``score`` had written its ``--json`` elsewhere."""
    folder = answers_dir()
    folder.chmod(0o755)
    assert check_private_path(folder / "answers-x.json") == folder / "answers-x.json"
    assert _mode(folder) == 0o700  # made private when named, nothing written yet
    folder.chmod(0o755)

    def refuse(self, mode):
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(Path, "chmod", refuse)
    with pytest.raises(ValidationError, match="open to other accounts .mode 755.") as err:
        check_private_path(folder / "answers-x.json")
    assert "outside it" not in str(err.value)  # not the wording of a folder inside a repository
    with pytest.raises(ValidationError, match="open to other accounts"):
        new_answer_path()
    assert list(folder.iterdir()) == []


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


def test_a_home_folder_in_review_data_dir_is_expanded_as_a_shell_would(tmp_path, monkeypatch):
    # rrev26b #2: REVIEW_DATA_DIR='~/data' (literal, from a unit file) put answers in ./~/data/answers, and a file
    # named there was not known as one of the default folder, which is made private when it is found open.
    home, elsewhere = tmp_path / "home", tmp_path / "cwd"
    home.mkdir()
    elsewhere.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("REVIEW_DATA_DIR", "~/data")
    monkeypatch.chdir(elsewhere)
    folder = answers_dir()
    assert folder == home / "data" / "answers" and not (elsewhere / "~").exists()
    folder.chmod(0o755)
    check_private_path(folder / "a.json")
    assert _mode(folder) == 0o700



def test_a_home_folder_review_data_dir_cannot_expand_is_one_line_naming_it(monkeypatch):
    # rrev26c #11 on db4f4348: '~someone' of no account (or ~ without HOME) ended the command in RuntimeError.
    from review.errors import ReviewError
    from review.paths import user_data_location

    monkeypatch.setenv("REVIEW_DATA_DIR", "~no-such-account-rrev26c/data")
    # walk27: the line said Python's "Could not determine home directory", as if the user's own home were lost
    with pytest.raises(ReviewError, match=r"^REVIEW_DATA_DIR=~no-such-account-rrev26c/data: no account named "
                                          r"'no-such-account-rrev26c' on this machine; give the folder as a full path$"):
        user_data_location()


def test_a_review_data_dir_of_tilde_with_no_home_known_says_so(monkeypatch):
    # walk27: with no HOME and no password entry, '~/data' named no account; the line says the home is not known.
    import pwd

    from review.errors import ReviewError
    from review.paths import user_data_location

    def no_entry(uid: int) -> object:
        raise KeyError(uid)

    monkeypatch.delenv("HOME", raising=False)
    monkeypatch.setattr(pwd, "getpwuid", no_entry)
    monkeypatch.setenv("REVIEW_DATA_DIR", "~/data")
    with pytest.raises(ReviewError, match=r"^REVIEW_DATA_DIR=~/data: the home folder of this account is not known; "
                                          r"give the folder as a full path$"):
        user_data_location()


def test_a_file_named_outside_the_data_folder_does_not_need_review_data_dir(tmp_path, monkeypatch):
    # tidy27 #2: a REVIEW_DATA_DIR that cannot be expanded refused even `--answers` and `score --out` naming a file
    # of their own, where the data folder only decides whether that file's folder is the default one.
    from review.errors import ReviewError

    monkeypatch.setenv("REVIEW_DATA_DIR", "~no-such-account-tidy27/data")
    (tmp_path / "clients").mkdir()
    path = write_private(tmp_path / "clients" / "r1.json", "{}")
    assert check_private_path(path) == path and _mode(path) == 0o600
    with pytest.raises(ReviewError, match="^REVIEW_DATA_DIR=~no-such-account-tidy27/data: "):
        new_answer_path()  # the default folder still needs it, and says so


@pytest.mark.parametrize("relative", ["private", "./private", "../private"])
def test_a_relative_review_data_dir_is_one_line_asking_for_a_full_path(tmp_path, monkeypatch, relative):
    # tidy27 #3: it was read from the current folder, so each subfolder a workspace command ran from had answers of
    # its own (and one run from the workspace was refused only as a folder inside it).
    from review.errors import ReviewError
    from review.paths import user_data_location

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("REVIEW_DATA_DIR", relative)
    with pytest.raises(ReviewError, match=rf"^REVIEW_DATA_DIR={relative}: .*full path$") as err:
        new_answer_path()
    assert "\n" not in str(err.value) and not list(tmp_path.iterdir())
    with pytest.raises(ReviewError, match="full path"):
        user_data_location()
