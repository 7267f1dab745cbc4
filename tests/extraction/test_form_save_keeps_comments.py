"""The form's save rewrites the study table only: the file's comments (its source line, a reviewer's
notes beside estimates and QUIPS ratings) survive it, and the file reads back as the data saved."""

from __future__ import annotations

from pathlib import Path

import pytest

from review.extraction.forms import read_study_file
from review.services.extraction import save_study_form
from review.workspace import Workspace

from .helpers import programme_folder, quips_table

ESTIMATE_NOTE = "# HR from table 3 of the full text, not the abstract"
RATING_NOTE = "# second reading: attrition 12 % over two years"


@pytest.mark.parametrize("break_an_estimate", [False, True], ids=["valid", "estimate-edited-badly-by-hand"])
def test_the_form_save_keeps_the_files_comments(tmp_path: Path, workspace: Workspace,
                                                 break_an_estimate: bool) -> None:
    path = programme_folder(tmp_path) / "studies" / "endo2015.toml"
    text = path.read_text(encoding="utf-8")
    source_line = text.splitlines()[0]
    assert source_line.startswith("# Source:")
    text = text.replace("[[estimates]]", f"{ESTIMATE_NOTE}\n[[estimates]]", 1)
    text += "\n" + quips_table("alice").replace('attrition = "', f'{RATING_NOTE}\nattrition = "', 1)
    if break_an_estimate:  # the save still writes the form's fields, and keeps the rest as written
        text = text.replace("ci_low = 1.01", "ci_low = 1.61", 1)
    path.write_text(text, encoding="utf-8")

    data = read_study_file(path)
    data["study"]["follow_up"] = "24 months"
    saved = save_study_form(workspace, path, data)

    written = path.read_text(encoding="utf-8")
    assert saved.stored is not break_an_estimate
    for comment in (source_line, ESTIMATE_NOTE, RATING_NOTE):
        assert comment in written
    read_back = read_study_file(path)
    assert read_back == saved.data
    assert read_back["study"] == data["study"] and read_back["quips"] == data["quips"]
    assert len(read_back["estimates"]) == len(data["estimates"])
