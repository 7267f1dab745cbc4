"""The programme's instrument files in ``instrument/`` are what ``review instrument export`` makes of the item bank
beside them: a renderer change that left them as they were shipped a questionnaire that said other than the tool
(the printed questionnaire listed Norder 2012 under Bronnen a session after the browser form stopped)."""

from __future__ import annotations

import json
import re
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
        resource = json.loads(made)
        resource["meta"]["tag"] = [_tool_tag(shipped) if t["system"] == fhir.TOOL_SYSTEM else t
                                   for t in resource["meta"]["tag"]]
        made = json.dumps(resource, ensure_ascii=False, indent=2) + "\n"  # as render_export writes it
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


def test_each_shipped_export_is_checked_out_as_the_tool_writes_it() -> None:
    # The comparison above is byte for byte, and the tool writes LF: git's core.autocrlf (Windows) checked the files
    # out with CRLF, so all seven failed there (and the files handed out were not the tool's). .gitattributes keeps
    # git from changing their line breaks; a new export format needs its line there too.
    attributes = (ROOT / ".gitattributes").read_text(encoding="utf-8")
    unconverted = set(re.findall(r"^/instrument/(\S+)\s+-text\s*$", attributes, flags=re.MULTILINE))
    assert set(EXPORT_FILES.values()) <= unconverted, sorted(set(EXPORT_FILES.values()) - unconverted)
