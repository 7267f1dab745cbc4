"""The shared TOML reader: one line naming the file for each way a file can be bad."""

from __future__ import annotations

from pathlib import Path

import pytest

from review.errors import ValidationError, WorkspaceError
from review.extraction.factors import load_factors
from review.extraction.forms import load_form
from review.screening.criteria import load_criteria
from review.tomlread import loads_toml, read_toml


def test_a_good_file_reads_as_a_dict(tmp_path: Path) -> None:
    path = tmp_path / "ok.toml"
    path.write_text('[include]\nterms = ["sick*"]\n', encoding="utf-8")
    assert read_toml(path) == {"include": {"terms": ["sick*"]}}


def test_a_syntax_error_names_the_file_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text('title = "x"\nterms = [1,,]\nother = 1\n', encoding="utf-8")
    with pytest.raises(ValidationError) as caught:
        read_toml(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: ") and "line 2" in message and "\n" not in message


def test_non_utf8_and_unreadable_files_are_one_line_errors(tmp_path: Path) -> None:
    latin = tmp_path / "latin.toml"
    latin.write_bytes('title = "Arbeidsdeskundige caf\xe9"\n'.encode("latin-1"))
    with pytest.raises(ValidationError, match=r"latin\.toml:line 1: not UTF-8 \(byte 0xe9 at offset 30\); "
                                              "TOML files are UTF-8"):
        read_toml(latin)
    latin.write_bytes(b"\xef\xbb\xbf" + latin.read_bytes())  # the offset is the file's, past Notepad's BOM
    with pytest.raises(ValidationError, match=r"latin\.toml:line 1: not UTF-8 \(byte 0xe9 at offset 33\)"):
        read_toml(latin)
    with pytest.raises(ValidationError, match=r"cannot read"):
        read_toml(tmp_path)  # a folder where a file should be
    with pytest.raises(ValidationError, match=r"missing\.toml: cannot read"):
        read_toml(tmp_path / "missing.toml")


def test_the_caller_chooses_the_error_class() -> None:
    with pytest.raises(WorkspaceError, match=r"^review\.toml: "):
        loads_toml("[review\n", "review.toml", error=WorkspaceError)


def test_stage_readers_report_through_it(tmp_path: Path) -> None:
    # Before the shared reader, a non-UTF-8 factors.toml ended in a traceback.
    factors = tmp_path / "factors.toml"
    factors.write_bytes(b'[[factor]]\nid = "caf\xe9"\n')
    with pytest.raises(ValidationError, match=r"factors\.toml:line 2: not UTF-8"):
        load_factors(factors)
    (tmp_path / "form.toml").write_bytes(b'[study]\ncountry = { type = "text", help = "Nederland of Belgi\xeb" }\n')
    with pytest.raises(ValidationError, match=r"form\.toml:line 2: not UTF-8 \(byte 0xeb at offset 61\)"):
        load_form(tmp_path)  # a traceback before
    criteria = tmp_path / "criteria.toml"
    criteria.write_text("[include]\nterms = \n", encoding="utf-8")
    with pytest.raises(ValidationError, match=r"criteria\.toml: .*line 2"):
        load_criteria(criteria)


def test_a_byte_order_mark_is_fine(tmp_path: Path) -> None:
    # Windows Notepad saves "UTF-8 with BOM"; tomllib alone calls the BOM an invalid statement.
    path = tmp_path / "bom.toml"
    path.write_text('title = "Coördinatie"\n', encoding="utf-8-sig")
    assert read_toml(path) == {"title": "Coördinatie"}


def test_a_cp1252_review_toml_is_one_line_not_a_traceback(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from review.cli import main

    assert CliRunner().invoke(main, ["init", str(tmp_path / "ws")]).exit_code == 0
    config = tmp_path / "ws" / "review.toml"
    config.write_bytes(config.read_bytes().replace(b'title = "', 'title = "Caf\u00e9 '.encode("cp1252"), 1))
    result = CliRunner().invoke(main, ["status", "-w", str(tmp_path / "ws")])
    assert result.exit_code == 2
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.stderr.splitlines() == [f"review: {config}:line 3: not UTF-8 (byte 0xe9 at offset "
                                          f"{config.read_bytes().index(bytes([0xe9]))}); TOML files are UTF-8: "
                                          "save it as UTF-8"]


def test_toml_lines_count_lines_as_tomllib_does() -> None:
    """A TOML string may hold U+2028 or U+0085; str.splitlines broke the line there and every key after it was
    named one line too low. A byte-order mark is no part of the first header."""
    from review.tomlread import toml_lines

    text = '\ufeff[review]\ntitle = "a\u2028b\u0085c"\r\nseed = 3\n[tui]\nblind = true\n'
    assert toml_lines(text) == {"review": 1, "review.title": 2, "review.seed": 3, "tui": 4, "tui.blind": 5}


def test_a_setting_error_is_named_by_the_keys_line_or_its_tables(tmp_path: Path) -> None:
    """``Workspace.say``: review.toml's path and the key's line in place of ``review.toml``; the nearest table's
    line for a key written elsewhere (an inline table, a key left out); any other message as it is."""
    from review.errors import ReviewError
    from review.workspace import Workspace

    config = tmp_path / "review.toml"
    config.write_text('[review]\ntitle = "t"\n\n[prisma.sources]\nEmbase = "bogus"\n\n[dedup]\n', encoding="utf-8")
    workspace = Workspace(tmp_path)
    place = workspace.config_path

    def said(message: str, setting: str | None) -> str:
        return workspace.say(WorkspaceError(message, setting=setting))

    assert said("review.toml: prisma.sources.Embase = 'bogus': …", "prisma.sources.Embase") == \
        f"{place}:5: prisma.sources.Embase = 'bogus': …"
    assert said(f"{place}: dedup.related must be …", "dedup.related") == f"{place}:7: dedup.related must be …"
    assert said("review.toml: pubmed.email: …", "pubmed.email") == f"{place}: pubmed.email: …"  # no such table
    assert said("review.toml: prisma.sources.Embase …", None) == "review.toml: prisma.sources.Embase …"
    assert said("scoring.toml: min_level …", "instrument") == "scoring.toml: min_level …"  # another file's
    assert ReviewError("x").setting is None
