"""review.tomlwrite's editor: the one way keys are set in review.toml (the screening setting the
dashboard switches, the rule set the first synthesis pre-registers), comments and layout kept."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from review.errors import ReviewError, WorkspaceError
from review.screening.settings import write_screening_setting
from review.synthesis.factors import SynthesisSettings
from review.synthesis.run import record_rule_set
from review.tomlwrite import TomlEditError, set_table_keys, with_table_keys

BASE = '# review workspace settings\n[review]\ntitle = "t"  # keep me\nseed = 7\n'


def test_a_key_is_replaced_in_place_or_added_under_the_header() -> None:
    text = BASE + '\n[screening]  # mine\ntarget_recall = 0.9\nstopping_rule = "knee"  # old\n\n[x]\ny = 1\n'
    assert with_table_keys(text, "screening", {"stopping_rule": "certified", "model": "default"},
                           comments={"model": "# why"}) == (
        BASE + '\n[screening]  # mine\n# why\nmodel = "default"\ntarget_recall = 0.9\n'
        'stopping_rule = "certified"  # old\n\n[x]\ny = 1\n')  # the comment after a replaced value is kept
    # A "#" inside a string is no comment.
    assert with_table_keys('[s]\nm = "a # b"  # c\n', "s", {"m": "d"}) == '[s]\nm = "d"  # c\n'
    assert with_table_keys('[s]\nm = "a # b"\n', "s", {"m": "d"}) == '[s]\nm = "d"\n'


def test_a_missing_table_is_appended_after_one_blank_line() -> None:
    assert with_table_keys(BASE + "\n\n", "screening", {"model": "a \"b\""}, table_comment="# set by review") == (
        BASE + '\n# set by review\n[screening]\nmodel = "a \\"b\\""\n')
    with pytest.raises(ValueError, match="not a plain TOML key"):
        with_table_keys(BASE, "screening", {"a.b": 1})


def test_an_edit_that_would_not_read_back_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "review.toml"
    text = 'screening.model = "svm"\n' + BASE  # the table is defined by a dotted key: no header to edit
    path.write_text(text, encoding="utf-8")
    with pytest.raises(TomlEditError) as caught:
        set_table_keys(path, "screening", {"model": "default"})
    assert caught.value.key == "screening.model" and "twice" in caught.value.detail
    assert path.read_text(encoding="utf-8") == text
    with pytest.raises(ReviewError, match=r"review.toml:screening.model: cannot be set \(.*twice.*\); edit the file by hand \(line 1\)$"):
        write_screening_setting(path, "model", "default")
    with pytest.raises(WorkspaceError, match=r'review.toml:synthesis.rule_set: cannot be set .*; add rule_set = "iwh" to the \[synthesis\] table by hand '
                                           r'\(line 1\)$'):
        path.write_text('synthesis.unrated_as = "high"\n' + BASE, encoding="utf-8")
        record_rule_set(path, "iwh")


def test_the_pre_registered_rule_set_reads_as_before(tmp_path: Path) -> None:
    """The exact lines record_rule_set wrote before it used the shared editor, and the file's mode kept."""
    path = tmp_path / "review.toml"
    path.write_text(BASE, encoding="utf-8")
    path.chmod(0o640)
    record_rule_set(path, "ariens", SynthesisSettings.from_config(
        {"unrated_as": "low", "ariens_multiple_low_quality": "inconclusive"}, {}))
    assert path.read_text(encoding="utf-8") == BASE + (
        "\n# evidence-level rule set for `review synthesis` (ariens | lievense | van_tulder_2003 | iwh); "
        "pre-registered: change deliberately\n[synthesis]\nrule_set = \"ariens\"\n"
        "# studies without a QUIPS rating count as this risk of bias in every rule set and in GRADE\n"
        "unrated_as = \"low\"\n"
        "# Ariens gap: >= 2 consistent cohort studies, none high quality: \"some\" or \"inconclusive\"\n"
        "ariens_multiple_low_quality = \"inconclusive\"\n")
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    own = BASE + '\n[synthesis]  # ours\n# kept\nunrated_as = "high"\n\n[instrument]\nmin_level = "some"\n'
    path.write_text(own, encoding="utf-8")
    record_rule_set(path, "iwh")
    assert path.read_text(encoding="utf-8") == BASE + (
        "\n[synthesis]  # ours\n# evidence-level rule set, pre-registered by the first review synthesis: "
        "change deliberately\nrule_set = \"iwh\"\n# kept\nunrated_as = \"high\"\n\n[instrument]\nmin_level = \"some\"\n")
    record_rule_set(path, "ariens")  # registered already: nothing changes
    assert 'rule_set = "iwh"' in path.read_text(encoding="utf-8")


def test_a_dropped_key_loses_its_line_and_the_comment_right_above_it_only(tmp_path: Path) -> None:
    """The comment lines right above a dropped key are its own (the team-mode note stayed behind when
    review migrate moved a team's store back to SQLite); a comment after a blank line is not."""
    from review.workspace import init_workspace, render_config, set_store_location

    path = tmp_path / "review.toml"
    path.write_text(BASE + '# team\n# mode\ndatabase_url = "postgresql://h/x"  # server\n\n[x]\ndatabase_url = 1\n', encoding="utf-8")
    set_table_keys(path, "review", {"database": "review.db"}, drop=("database_url",))
    assert path.read_text(encoding="utf-8") == (
        '# review workspace settings\n[review]\ndatabase = "review.db"\ntitle = "t"  # keep me\nseed = 7\n'
        '\n[x]\ndatabase_url = 1\n')
    # A comment above a blank line is the table's or the key's before; the blank line goes with the key
    # when another follows it, so no double gap is left.
    kept = '[review]\n# about the review\n\ntitle = "t"\n'
    assert with_table_keys(kept + '\n# team\ndatabase_url = "x"\n\n[x]\n', "review", {}, drop=("database_url",)) == (
        kept + '\n[x]\n')
    assert with_table_keys(kept + '\n# team\ndatabase_url = "x"\n', "review", {}, drop=("database_url",)) == kept
    # A comment block right under the header is the table's, also when the first key goes.
    table_note = '[review]\n# Settings of this review; edit with care\n'
    assert with_table_keys(table_note + 'database_url = "x"\ntitle = "t"\n', "review", {},
                           drop=("database_url",)) == table_note + 'title = "t"\n'
    assert with_table_keys(table_note + 'title = "t"\n# team\ndatabase_url = "x"\n', "review", {},
                           drop=("database_url",)) == table_note + 'title = "t"\n'

    ws = init_workspace(tmp_path / "ws", title="T", reviewers=["alice"], seed=1)
    config = ws.root / "review.toml"
    config.write_text(render_config("T", ["alice"], 1, "postgresql://alice@db.example/rev"), encoding="utf-8")
    set_store_location(ws, f"sqlite:///{ws.root / 'review.db'}")
    assert config.read_text(encoding="utf-8") == render_config("T", ["alice"], 1)


def test_the_store_location_is_set_in_the_review_table_whatever_its_header_says(tmp_path: Path) -> None:
    """review.toml's [review] header with a comment after it: set_store_location's own line editor did
    not recognise it and wrote database_url at the end of the file, into the last table."""
    from review.workspace import Workspace, init_workspace, set_store_location

    ws = init_workspace(tmp_path / "ws", title="T", reviewers=["alice"], seed=1)
    config = ws.root / "review.toml"
    text = config.read_text(encoding="utf-8").replace("[review]", "[review]  # this review") + "\n[screening]\nmodel = \"default\"\n"
    config.write_text(text, encoding="utf-8")
    config.chmod(0o600)
    set_store_location(ws, "postgresql://alice:secret@db.example/rev")
    written = config.read_text(encoding="utf-8")
    assert Workspace(ws.root).config.section("review").get("database_url") == "postgresql://alice@db.example/rev"
    assert "secret" not in written and "# this review" in written and "# review workspace settings" in written
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    set_store_location(ws, f"sqlite:///{ws.root / 'back.db'}")
    back = config.read_text(encoding="utf-8")
    assert 'database = "back.db"' in back and "database_url" not in back and 'model = "default"' in back


def test_a_windows_review_toml_keeps_its_line_endings_mark_and_last_line(tmp_path: Path) -> None:
    """Notepad's review.toml (CRLF, maybe a byte-order mark, maybe no newline after the last line):
    an edit was written back with LF everywhere and a final newline added, and with a mark it was
    refused as "Invalid statement" at line 1."""
    from review.workspace import Workspace, init_workspace, set_store_location

    path = tmp_path / "review.toml"
    crlf = BASE.replace("\n", "\r\n") + '\r\n[screening]\r\nmodel = "default"'  # no newline at the end
    path.write_bytes(crlf.encode("utf-8"))
    write_screening_setting(path, "stopping_rule", "knee")
    assert path.read_bytes().decode("utf-8") == (
        BASE.replace("\n", "\r\n") + '\r\n[screening]\r\nstopping_rule = "knee"\r\nmodel = "default"')
    path.write_bytes(b"\xef\xbb\xbf" + BASE.encode("utf-8"))  # LF with a mark and a final newline
    write_screening_setting(path, "model", "default")
    assert path.read_bytes() == b"\xef\xbb\xbf" + (BASE + '\n[screening]\nmodel = "default"\n').encode("utf-8")

    ws = init_workspace(tmp_path / "ws", title="T", reviewers=["alice"], seed=1)
    config = ws.root / "review.toml"
    config.write_bytes(b"\xef\xbb\xbf" + config.read_bytes().replace(b"\n", b"\r\n"))
    set_store_location(ws, "postgresql://alice@db.example/rev")
    written = config.read_bytes()
    assert written.startswith(b"\xef\xbb\xbf# review workspace settings\r\n") and written.endswith(b"\r\n")
    assert b"\n" not in written.replace(b"\r\n", b"")
    assert Workspace(ws.root).config.database_url == "postgresql://alice@db.example/rev"


def test_a_line_break_inside_a_toml_string_other_than_a_newline_is_kept() -> None:
    """U+2028 and U+0085 may stand in a TOML string; str.splitlines broke the line there."""
    text = '[review]\ntitle = "a\u2028b\u0085c"  # \u2029\n'
    assert with_table_keys(text, "review", {"seed": 1}) == '[review]\nseed = 1\ntitle = "a\u2028b\u0085c"  # \u2029\n'
