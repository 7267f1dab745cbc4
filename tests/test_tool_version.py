"""Which review made a result (decision 0080): a checkout names its commit and says when its code has uncommitted
changes; an installed release names its version, without running git; ``review --version`` says the same."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

import review
from review.cli import main
from review.tool_version import ToolVersion, identify, tool_version

COMMIT = "890bd80f3ec92957fb01c80e9fc50aa6da9e2e7c"


def _git(root: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@example.org",
                           "-c", "commit.gpgsign=false", *args],
                          check=True, capture_output=True, text=True).stdout.strip()


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """A repository laid out as review's: ``src/review`` and ``pyproject.toml`` at its root, one commit."""
    root = tmp_path / "repo"
    (root / "src" / "review").mkdir(parents=True)
    (root / "src" / "review" / "__init__.py").write_text('__version__ = "9.9"\n', encoding="utf-8")
    (root / "pyproject.toml").write_text("[project]\nname = 'review'\n", encoding="utf-8")
    (root / "README.md").write_text("readme\n", encoding="utf-8")
    _git(root, "init", "-q")
    _git(root, "add", ".")
    _git(root, "commit", "-q", "-m", "one")
    return root


def test_a_clean_checkout_names_its_commit(checkout: Path) -> None:
    found = identify(checkout / "src" / "review", "9.9")
    head = _git(checkout, "rev-parse", "HEAD")
    assert found == ToolVersion("9.9", head, False)
    assert found.text == f"review 9.9 (commit {head[:12]})"
    assert found.local_version == f"9.9+g{head[:12]}"
    assert found.to_json() == {"name": "review", "version": "9.9", "commit": head, "modified": False}


@pytest.mark.parametrize("change", ["edit the code", "add a module", "edit pyproject.toml"])
def test_uncommitted_changes_to_the_code_are_named(checkout: Path, change: str) -> None:
    if change == "edit the code":
        (checkout / "src" / "review" / "__init__.py").write_text('__version__ = "9.9"\nX = 1\n', encoding="utf-8")
    elif change == "add a module":  # not yet added to git: still code that runs
        (checkout / "src" / "review" / "extra.py").write_text("X = 1\n", encoding="utf-8")
    else:
        (checkout / "pyproject.toml").write_text("[project]\nname = 'review'\ndependencies = ['x']\n", encoding="utf-8")
    found = identify(checkout / "src" / "review", "9.9")
    assert found.modified is True and found.commit == _git(checkout, "rev-parse", "HEAD")
    assert found.text.endswith(", with uncommitted changes)") and found.local_version.endswith(".dirty")


def test_changes_outside_the_code_leave_it_unmodified(checkout: Path) -> None:
    # A review's own data or docs beside the code change nothing it computes.
    (checkout / "README.md").write_text("edited\n", encoding="utf-8")
    (checkout / "notes.txt").write_text("new\n", encoding="utf-8")
    assert identify(checkout / "src" / "review", "9.9").modified is False


def test_a_checkout_whose_commit_git_cannot_tell_says_so(checkout: Path, monkeypatch: pytest.MonkeyPatch,
                                                         tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "no-git-here"))
    found = identify(checkout / "src" / "review", "9.9")
    assert (found.commit, found.modified) == (None, None)
    assert found.text == "review 9.9 (git checkout, commit not known: git is not installed)"
    assert found.to_json() == {"name": "review", "version": "9.9", "commit": None, "modified": None}


def test_a_broken_git_folder_is_one_clause_from_git(checkout: Path) -> None:
    git_dir = checkout / ".git"
    subprocess.run(["rm", "-rf", str(git_dir)], check=True)
    git_dir.write_text("gitdir: /nowhere\n", encoding="utf-8")  # a worktree whose repository was removed
    found = identify(checkout / "src" / "review", "9.9")
    assert found.commit is None and found.unknown_because.startswith("git: fatal:"), found


def test_a_repository_without_a_commit(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    (root / "src" / "review").mkdir(parents=True)
    (root / "pyproject.toml").write_text("", encoding="utf-8")
    _git(root, "init", "-q")
    assert identify(root / "src" / "review", "9.9").unknown_because == "no commit yet"


def test_git_location_variables_do_not_redirect_it(checkout: Path, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    # Run from a git hook of another repository, GIT_DIR would make git describe that one.
    other = tmp_path / "other"
    other.mkdir()
    _git(other, "init", "-q")
    monkeypatch.setenv("GIT_DIR", str(other / ".git"))
    assert identify(checkout / "src" / "review", "9.9").commit == _git(checkout, "--git-dir", str(checkout / ".git"),
                                                                         "rev-parse", "HEAD")


def test_an_installed_release_names_its_version_without_running_git(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    package = tmp_path / "site-packages" / "review"
    package.mkdir(parents=True)
    (tmp_path / "site-packages" / "review-9.9.dist-info").mkdir()
    (tmp_path / "site-packages" / "review-9.9.dist-info" / "direct_url.json").write_text(
        json.dumps({"url": "file:///tmp/review-9.9-py3-none-any.whl", "archive_info": {}}), encoding="utf-8")

    def no_subprocess(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"ran {args}")

    monkeypatch.setattr(subprocess, "run", no_subprocess)
    found = identify(package, "9.9")
    assert found == ToolVersion("9.9") and found.text == "review 9.9" and found.local_version == "9.9"


def test_an_install_from_a_git_url_names_the_commit_pip_recorded(tmp_path: Path) -> None:
    package = tmp_path / "site-packages" / "review"
    package.mkdir(parents=True)
    metadata = tmp_path / "site-packages" / "review-9.9.dist-info"
    metadata.mkdir()
    (metadata / "direct_url.json").write_text(json.dumps(  # PEP 610, as pip writes it for git+URL@REV
        {"url": "https://example.org/review.git", "vcs_info": {"vcs": "git", "requested_revision": "main",
                                                               "commit_id": COMMIT}}), encoding="utf-8")
    assert identify(package, "9.9") == ToolVersion("9.9", COMMIT, False)
    (metadata / "direct_url.json").write_text('{"vcs_info": {"commit_id": "main"}}', encoding="utf-8")
    assert identify(package, "9.9") == ToolVersion("9.9")  # not a commit id: nothing claimed


def test_review_version_names_the_commit_of_the_checkout_it_runs_from() -> None:
    package = Path(review.__file__).resolve().parent
    root = package.parent.parent
    if not (root / ".git").exists():
        pytest.skip("review runs from an installed copy here")
    head = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True,
                          env={k: v for k, v in os.environ.items() if k != "GIT_DIR"}).stdout.strip()
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0
    assert result.output.startswith(f"review, version {review.__version__} (commit {head[:12]}")
    assert result.output == f"review, version {review.__version__} ({tool_version().detail})\n"


@pytest.mark.parametrize("recorded", [COMMIT, None])
def test_a_copy_pip_installed_into_a_users_own_repository_is_named_by_its_install(checkout: Path,
                                                                                  monkeypatch: pytest.MonkeyPatch,
                                                                                  recorded: str | None) -> None:
    # `pip install --target src` into a user's own project (a git repository with a pyproject.toml): the package sits
    # at src/review beside its review-VERSION.dist-info, and the user's commit was named as review's ('with
    # uncommitted changes', the copy being untracked). The install's record names it, as in site-packages.
    metadata = checkout / "src" / "review-9.9.dist-info"
    metadata.mkdir()
    if recorded:
        (metadata / "direct_url.json").write_text(json.dumps(
            {"url": "https://example.org/review.git", "vcs_info": {"vcs": "git", "commit_id": recorded}}),
            encoding="utf-8")

    def no_subprocess(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"ran {args}")

    monkeypatch.setattr(subprocess, "run", no_subprocess)
    assert identify(checkout / "src" / "review", "9.9") == ToolVersion("9.9", recorded, False if recorded else None)


def test_what_git_said_names_no_folder_above_the_checkout(checkout: Path, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    # The text goes into files meant to be shared (the FHIR Questionnaire's tag, the methods report): git's refusal of
    # a clone another user owns named the full path, /home/<user>/…, as prisma.json keeps out of its file names.
    shim = tmp_path / "bin"
    shim.mkdir()
    (shim / "git").write_text("#!/bin/sh\necho \"fatal: detected dubious ownership in repository at "
                              f"'{checkout}' (gitdir {tmp_path}/elsewhere/.git)\" >&2\nexit 128\n", encoding="utf-8")
    (shim / "git").chmod(0o755)
    monkeypatch.setenv("PATH", str(shim))
    monkeypatch.setenv("HOME", str(tmp_path))
    found = identify(checkout / "src" / "review", "9.9")
    assert found.unknown_because == ("git: fatal: detected dubious ownership in repository at 'repo' "
                                     "(gitdir ~/elsewhere/.git)")
    assert str(tmp_path) not in found.text
