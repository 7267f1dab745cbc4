"""The programme's instrument files in ``instrument/`` are what ``review instrument export`` makes of the item bank
beside them: a renderer change that left them as they were shipped a questionnaire that said other than the tool
(the printed questionnaire listed Norder 2012 under Bronnen a session after the browser form stopped)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from review import __version__
from review.instrument import fhir
from review.instrument.itembank import read_bank
from review.instrument.project import EXPORT_FILES, export_file_text, workspace_config
from review.workspace import Workspace

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("fmt", sorted(EXPORT_FILES))
def test_each_shipped_export_is_what_the_shipped_item_bank_exports_to(fmt: str) -> None:
    workspace = Workspace(ROOT)
    bank = read_bank(ROOT / "instrument" / "item_bank.toml")
    shipped = (ROOT / "instrument" / EXPORT_FILES[fmt]).read_bytes().decode("utf-8")
    made = export_file_text(bank, fmt, "nl", workspace_config(workspace))
    if fmt == "fhir":  # its tool tag names the review that wrote the file (decision 0080): that one, not this one
        made = fhir.kept_if_only_the_tool_differs(shipped, made)
    assert made == shipped, (
        f"instrument/{EXPORT_FILES[fmt]} is not what the renderer makes now: rebuild it with "
        f"'review instrument export --format {fmt}' at the repository's root")


def _tool_tag(fhir_text: str) -> dict[str, str]:
    [tag] = [t for t in json.loads(fhir_text)["meta"]["tag"] if t["system"] == fhir.TOOL_SYSTEM]
    return tag


def test_the_shipped_questionnaire_names_the_review_that_wrote_it() -> None:
    tag = _tool_tag((ROOT / "instrument" / EXPORT_FILES["fhir"]).read_text(encoding="utf-8"))
    found = re.fullmatch(rf"{re.escape(__version__)}\+g([0-9a-f]{{12}})(\.dirty)?", tag["code"])
    assert found, tag  # written from a checkout: the version and its commit
    changes = ", with uncommitted changes" if found[2] else ""
    assert tag["display"] == f"review {__version__} (commit {found[1]}{changes})"


def test_the_commit_the_shipped_questionnaire_names_is_in_this_history() -> None:
    # Regenerated on a branch, the file names the branch's commit; after the rebase main holds another one, and the
    # commit named is in no clone of main. Regenerate it after the rebase (decision 0080). Skipped where git cannot
    # tell: no checkout, no git, a shallow clone.
    tag = _tool_tag((ROOT / "instrument" / EXPORT_FILES["fhir"]).read_text(encoding="utf-8"))
    commit = tag["code"].split("+g", 1)[-1].removesuffix(".dirty")
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    if not (ROOT / ".git").exists() or shutil.which("git") is None:
        pytest.skip("not a git checkout, or no git")
    shallow = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--is-shallow-repository"], env=env,
                             capture_output=True, text=True)
    if shallow.returncode != 0 or shallow.stdout.strip() != "false":
        pytest.skip(f"git cannot tell the history here: {shallow.stdout.strip() or shallow.stderr.strip()}")
    ancestor = subprocess.run(["git", "-C", str(ROOT), "merge-base", "--is-ancestor", commit, "HEAD"], env=env,
                              capture_output=True, text=True)
    assert ancestor.returncode == 0, (
        f"instrument/{EXPORT_FILES['fhir']} names commit {commit}, which is not HEAD or before it "
        f"({ancestor.stderr.strip() or 'another line of history'}): rebuild it with 'review instrument export "
        f"--format fhir' at the repository's root, from a clean tree at the code's commit")


def test_each_shipped_export_is_checked_out_as_the_tool_writes_it() -> None:
    # The comparison above is byte for byte, and the tool writes LF: git's core.autocrlf (Windows) checked the files
    # out with CRLF, so all seven failed there (and the files handed out were not the tool's). .gitattributes keeps
    # git from changing their line breaks; a new export format needs its line there too.
    attributes = (ROOT / ".gitattributes").read_text(encoding="utf-8")
    unconverted = set(re.findall(r"^/instrument/(\S+)\s+-text\s*$", attributes, flags=re.MULTILINE))
    assert set(EXPORT_FILES.values()) <= unconverted, sorted(set(EXPORT_FILES.values()) - unconverted)
