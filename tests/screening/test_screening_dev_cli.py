"""benchmarks/screening_dev.py's command line: a selection that matches no set stops with one line naming
the data folder (a pool of no jobs failed on maxtasksperchild=0 instead)."""

from __future__ import annotations

import sys

import pytest

from script_module import load_script


@pytest.mark.parametrize(("arguments", "named"), [(["--sets", "no_such_set"], "named no_such_set"),
                                                  (["--labels", "no_such_label"], "label no_such_label")])
def test_no_matching_set_is_one_line_naming_the_data_folder(monkeypatch: pytest.MonkeyPatch, arguments: list[str],
                                                           named: str) -> None:
    dev = load_script("benchmarks/screening_dev.py", "screening_dev_bench")
    monkeypatch.setattr(sys, "argv", ["screening_dev.py", "--seeds", "1", *arguments])
    with pytest.raises(SystemExit) as stopped:
        dev.main()
    message = str(stopped.value.code)
    assert "\n" not in message and str(dev.DATA_DIR) in message and named in message
