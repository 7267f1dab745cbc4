"""The form's save rewrites the study table only: the file's comments (its source line, a reviewer's
notes beside estimates and QUIPS ratings) survive it, and the file reads back as the data saved."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from review.extraction.forms import read_study_file, write_study_file
from review.services.extraction import save_study_form
from review.workspace import Workspace

from .helpers import programme_folder, quips_table

ESTIMATE_NOTE = "# HR from table 3 of the full text, not the abstract"
BOUND_NOTE = "# lower bound read twice"
RATING_NOTE = "# second reading: attrition 12 % over two years"


@pytest.mark.parametrize("break_an_estimate", [False, True], ids=["valid", "estimate-edited-badly-by-hand"])
def test_the_form_save_keeps_the_files_comments(tmp_path: Path, workspace: Workspace,
                                                 break_an_estimate: bool) -> None:
    path = programme_folder(tmp_path) / "studies" / "endo2015.toml"
    text = path.read_text(encoding="utf-8")
    source_line = text.splitlines()[0]
    assert source_line.startswith("# Source:")
    # notes inside the first estimate (a note above [[estimates]] belongs to the table before it)
    text = text.replace("[[estimates]]", f"[[estimates]]\n{ESTIMATE_NOTE}", 1)
    text = text.replace("ci_low = 1.01", f"ci_low = 1.01  {BOUND_NOTE}", 1)
    text += "\n" + quips_table("alice").replace('attrition = "', f'{RATING_NOTE}\nattrition = "', 1)
    if break_an_estimate:  # the save still writes the form's fields, and keeps the rest as written
        text = text.replace("ci_high = 2.10", "ci_high = 1.20", 1)
    path.write_text(text, encoding="utf-8")

    data = read_study_file(path)
    data["study"]["follow_up"] = "24 months"
    saved = save_study_form(workspace, path, data)

    written = path.read_text(encoding="utf-8")
    assert saved.stored is not break_an_estimate
    for comment in (source_line, ESTIMATE_NOTE, BOUND_NOTE, RATING_NOTE):
        assert comment in written
    read_back = read_study_file(path)
    assert read_back == saved.data
    assert read_back["study"] == data["study"] and read_back["quips"] == data["quips"]
    assert len(read_back["estimates"]) == len(data["estimates"])


@pytest.mark.parametrize("before,data", [
    # an int in the file and a float in the data are equal to Python, not to TOML
    ('[study]\nid = "s1"\nn = 1  # note\n', {"study": {"id": "s1", "n": 1.0}}),
    # a table written as dotted keys, replaced by another (tomlkit raises IndexError: the plain form)
    ('[study]\nid = "s1"\nmeta.a = 1\nmeta.b = 2\n', {"study": {"id": "s1", "meta": {"c": 3}}}),
])
def test_the_saved_file_reads_back_as_the_data_with_its_types(tmp_path: Path, before: str,
                                                               data: dict[str, Any]) -> None:
    path = tmp_path / "s1.toml"
    path.write_text(before, encoding="utf-8")
    write_study_file(path, data)
    read_back = tomllib.loads(path.read_text(encoding="utf-8"))
    assert read_back == data
    assert type(read_back["study"].get("n", "")) is type(data["study"].get("n", ""))


def test_the_form_save_leaves_the_estimates_and_ratings_as_written(tmp_path: Path, workspace: Workspace) -> None:
    # walk28: saving n and events added 'estimate_status = "reported"' to every estimate (the Study round trip's
    # default), wrote 'ci_level = 90' back as 0.9 and dropped an explicit 'ci_level = 0.95' and
    # 'outcome_favourable = false': lines of the git diff the reviewer never touched.
    folder = programme_folder(tmp_path)
    path = folder / "studies" / "example2020.toml"
    head = ('[study]\nid = "example2020"\ncohort_id = "example2020"\ncitation = "A. J Example 2020;1:1-10."\n'
            'outcome_definition = "a new episode of sickness absence for a common mental disorder"\n'
            'doi = "10.5555/x.2020.1"\ncountry = "NL"\ndesign = "cohort"\nevidence_type = "empirical"\n'
            'data_source = "full text"\n')
    rest = ('\n[[estimates]]\nfactor = "conflict_with_supervisor"\ncontrast = "conflict vs none"\nmeasure = "OR"\n'
            'estimate = 2.21\nci_low = 1.21\nci_high = 4.04\nci_level = 0.95\noutcome_favourable = false\n'
            'estimate_type = "adjusted"\nsource_location = "Table 3"\n'
            '\n[[estimates]]\nfactor = "conflict_with_supervisor"\ncontrast = "conflict vs none"\nmeasure = "OR"\n'
            'estimate = 1.9\nci_low = 1.3\nci_high = 2.8\nci_level = 90\nestimate_type = "crude"\n'
            'source_location = "Table 2"\n\n' + quips_table("alice"))
    path.write_text(head + rest, encoding="utf-8")
    data = read_study_file(path)
    data["study"]["n"] = 240
    saved = save_study_form(workspace, path, data)
    assert saved.stored
    assert path.read_text(encoding="utf-8") == head + "n = 240\n" + rest
