"""The FHIR Questionnaire names the review that wrote it (decision 0080). A rebuild by a later commit that writes the
same questionnaire keeps the file, and with it the commit that first wrote it: otherwise every build after any
commit changed instrument/questionnaire.fhir.json, and a rebuild on a branch named a commit the rebase then drops."""

from __future__ import annotations

import json

import pytest

from review.instrument import fhir
from review.instrument.project import EXPORT_FILES, build, paths
from review.tool_version import ToolVersion
from review.workspace import Workspace

from .conftest import QUESTIONS, SYNTHESIS

LATER = ToolVersion("0.1.0", "ab" * 20, False)


@pytest.fixture
def ws(workspace: Workspace) -> Workspace:
    (workspace.root / "extraction" / "synthesis.csv").write_text(SYNTHESIS, encoding="utf-8")
    (workspace.root / "instrument" / "questions.toml").write_text(QUESTIONS, encoding="utf-8")
    return workspace


def _tool_tag(path) -> dict[str, str]:  # type: ignore[no-untyped-def]
    [tag] = [t for t in json.loads(path.read_text(encoding="utf-8"))["meta"]["tag"] if t["system"] == fhir.TOOL_SYSTEM]
    return tag


def test_a_later_commit_writing_the_same_questionnaire_keeps_the_file(ws: Workspace,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    build(ws)
    target = paths(ws).folder / EXPORT_FILES["fhir"]
    first = target.read_bytes()
    monkeypatch.setattr(fhir, "tool_version", lambda: LATER)
    result = build(ws)
    assert target.read_bytes() == first, _tool_tag(target)  # not re-stamped with the later commit
    assert target in result.exports


def test_a_changed_questionnaire_names_the_review_that_wrote_it(ws: Workspace,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    build(ws)
    target = paths(ws).folder / EXPORT_FILES["fhir"]
    monkeypatch.setattr(fhir, "tool_version", lambda: LATER)
    questions = ws.root / "instrument" / "questions.toml"
    questions.write_text(QUESTIONS.replace("Is er een conflict met de leidinggevende?",
                                           "Is er onenigheid met de leidinggevende?"), encoding="utf-8")
    build(ws)
    assert "onenigheid" in target.read_text(encoding="utf-8")
    assert _tool_tag(target) == {"system": fhir.TOOL_SYSTEM, "code": LATER.local_version, "display": LATER.text}


@pytest.mark.parametrize("old", ["", "not json", '{"meta": {"tag": "x"}}', '{"meta": {"tag": []}}'])
def test_a_file_that_is_no_questionnaire_of_ours_is_replaced(old: str) -> None:
    new = fhir.questionnaire_text({"resourceType": "Questionnaire",
                                   "meta": {"tag": [{"system": fhir.TOOL_SYSTEM, "code": "0.1.0"}]}})
    assert fhir.kept_if_only_the_tool_differs(old, new) == new
