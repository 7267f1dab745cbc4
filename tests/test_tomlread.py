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


def test_a_setting_problem_is_named_by_file_key_and_the_keys_line_or_its_tables(tmp_path: Path) -> None:
    """``Workspace.say``: a review.toml setting a stage refused, named as every TOML file names a problem,
    ``PATH:KEY: what (line N)``: the key's line, the nearest table's for a key written elsewhere (an inline table, a
    key left out), none when neither is in the file; any other error as it is. Uncaught, it is one line naming
    review.toml and the key."""
    from review.tomlread import SettingProblem
    from review.workspace import Workspace

    config = tmp_path / "review.toml"
    config.write_text('[review]\ntitle = "t"\n\n[prisma.sources]\nEmbase = "bogus"\n\n[dedup]\n', encoding="utf-8")
    workspace = Workspace(tmp_path)
    place = workspace.config_path

    def said(where: str) -> str:
        return workspace.say(SettingProblem(where, "'bogus': …"))

    assert said("prisma.sources.Embase") == f"{place}:prisma.sources.Embase: 'bogus': … (line 5)"
    assert said("dedup.related") == f"{place}:dedup.related: 'bogus': … (line 7)"  # (its table's line)
    assert said("pubmed.email") == f"{place}:pubmed.email: 'bogus': …"  # no such table
    assert workspace.say(WorkspaceError("review.toml: prisma.sources.Embase …")) == "review.toml: prisma.sources.Embase …"
    assert str(SettingProblem("prisma.sources.Embase", "'bogus': …")) == "review.toml:prisma.sources.Embase: 'bogus': …"
    problem = SettingProblem("tui.bad", "x")
    assert isinstance(problem, WorkspaceError) and problem.exit_code == 2 and not isinstance(problem, ValidationError)
    assert str(workspace.located(problem)) == f"{place}:tui.bad: x" and type(workspace.located(problem)) is WorkspaceError


def test_a_toml_problem_is_named_by_file_key_and_line() -> None:
    """problems_located: the key's line, else the nearest table's, else none; other errors pass unchanged."""
    from review.tomlread import TomlProblem, problems_located, toml_lines

    located = toml_lines('[profile]\nshare = 2\n\n[[rates]]\ntext = "a"\n[[rates]]\ntext = 3\n')
    for where, line in (("profile.share", " (line 2)"), ("profile.missing", " (line 1)"), ("rates[2].text", " (line 7)"),
                        ("rates", " (line 4)"), ("other", "")):
        with pytest.raises(ValidationError) as caught, problems_located("s.toml", located):
            raise TomlProblem(where, "bad")
        assert str(caught.value) == f"s.toml:{where}: bad{line}" and type(caught.value) is ValidationError
    with pytest.raises(WorkspaceError, match="^kept$"), problems_located("s.toml", located):
        raise WorkspaceError("kept")
    assert str(TomlProblem("a.b", "bad")) == "a.b: bad"  # uncaught, still one line naming the key


def _review_toml(path: Path) -> object:
    from review.workspace import WorkspaceConfig

    return WorkspaceConfig.load(path)


def _form(path: Path) -> object:
    return load_form(path.parent)


def _questions(path: Path) -> object:
    from review.instrument.itembank import load_templates

    return load_templates(path)


def _scoring(path: Path) -> object:
    from review.instrument.config import load_config

    return load_config(path)


def _plan(path: Path) -> object:
    from review.validate.run import load_plan

    return load_plan(path)


def _grade(path: Path) -> object:
    from review.synthesis.grade import load_overrides

    return load_overrides(path)


def _query(path: Path) -> object:
    from review.sources.search import load_query

    return load_query(path)


#: Each kind of TOML file a workspace holds: its name and its reader.
READERS = {"criteria": ("criteria.toml", load_criteria), "query": ("q.toml", _query),"review": ("review.toml", _review_toml), "form": ("form.toml", _form),
           "factors": ("factors.toml", load_factors), "questions": ("questions.toml", _questions),
           "scoring": ("scoring.toml", _scoring), "plan": ("analyses.toml", _plan), "grade": ("grade.toml", _grade)}

_FACTOR = '[[factor]]\nid = "a"\nlabel_en = "A"\nlabel_nl = "A"\ndomain = "work"\nmodifiable = true\nassessable = true\n'
_QUESTION = '[questions.q]\ntext_nl = "Vraag"\ntext_en = "Question"\ntype = "yesno"\n'
_CHOICE = '[questions.q]\ntext_nl = "V"\ntext_en = "Q"\noptions = [\n  {code = "a", nl = "A", en = "A"},\n'

SHAPES = [  # kind, file text, the key named, its line
    # a table where a value goes
    ("review", '[review]\ntitle = "t"\nseed = { a = 1 }\n', "review.seed", 3),
    ("form", '[study]\nn = { type = { a = 1 } }\n', "study.n.type", 2),
    ("factors", _FACTOR.replace('id = "a"', "id = { a = 1 }"), "factor[1].id", 2),
    ("questions", _QUESTION.replace('text_en = "Question"', "text_en = { a = 1 }"), "questions.q.text_en", 3),
    ("scoring", "[profile]\nmany_signals_share = { a = 1 }\n", "profile.many_signals_share", 2),
    ("plan", '[[analysis]]\nname = "a"\nkind = "sus"\nfile = { a = 1 }\n', "analysis[1].file", 4),
    ("grade", '[older_age]\n\nstart = { a = 1 }\n', "older_age.start", 3),
    # a list of tables where a table goes (before 2026-12-07 these named no line: only 'study[1]' was located)
    ("review", '[review]\ntitle = "t"\n\n[[screening]]\ntarget_recall = 0.9\n', "screening", 4),
    ("form", '# form\n[[study]]\nn = { type = "integer" }\n', "study", 2),
    ("questions", '# bank\n[[questions]]\ntext_nl = "V"\n', "questions", 2),
    ("scoring", "# scoring\n[[profile]]\nmany_signals_share = 0.5\n", "profile", 2),
    ("grade", '# grade\n[[older_age]]\nstart = "high"\n', "older_age", 2),
    # a table (or a value) where a list of tables goes
    ("factors", _FACTOR.replace("[[factor]]", "[factor]"), "factor", 1),
    ("plan", '[analysis]\nname = "a"\nkind = "sus"\nfile = "d.csv"\n', "analysis", 1),
    ("review", 'screening = 3\n[review]\ntitle = "t"\n', "screening", 1),  # (read as no [screening] before)
    # text where a number, a truth value or a code goes
    ("review", '[review]\ntitle = "t"\nseed = "42"\n', "review.seed", 3),
    ("form", '[study]\nn = { type = "integer", required = "yes" }\n', "study.n.required", 2),
    ("factors", _FACTOR.replace("modifiable = true", 'modifiable = "yes"'), "factor[1].modifiable", 6),
    ("questions", _QUESTION + 'medical = "yes"\n', "questions.q.medical", 5),
    # (an entry of a list: the list's line; code = 2.5 was refused by the REDCap export, naming neither file nor line)
    ("questions", _CHOICE + '  {code = 2.5, nl = "B", en = "B"},\n]\n', "questions.q.options[2].code", 4),
    ("scoring", '[profile]\nmany_signals_share = "half"\n', "profile.many_signals_share", 2),
    ("scoring", '[profile]\nsignal_min_studies = true\n', "profile.signal_min_studies", 2),  # (taken as 1)
    ("plan", '[[analysis]]\nname = "a"\nkind = "sus"\nfile = "d.csv"\nlevel = "0.95"\n', "analysis[1].level", 5),
    ("plan", '[[analysis]]\nname = 3\nkind = "sus"\nfile = "d.csv"\n', "analysis[1].name", 2),  # (named 3.json)
    ("grade", '[older_age]\nimprecision = { change = "-1", reason = "wide" }\n', "older_age.imprecision", 2),
    # criteria.toml and query files named no line or said "field 'KEY'" until later on 2026-12-07
    ("criteria", '# c\ninclude = ["a"]\nrequire_reason_on_exclude = { a = 1 }\n', "require_reason_on_exclude", 3),
    ("criteria", '# c\ninclude = "sick*"\n', "include", 2),
    ("criteria", '# c\n[[include]]\nterms = ["a"]\n', "include[1]", 2),
    ("query", '# q\nquery = { a = 1 }\n', "query", 2),
    ("query", 'query = "a"\n[[filters]]\nx = "y"\n', "filters", 2),
    ("query", 'query = "a"\ntemplate = "yes"\n', "template", 2),
    # a dotted key names its own line (rrev29c: 'include.terms = …' and 'filters.x = …' named no line)
    ("criteria", '# c\nexclude = ["a"]\ninclude.terms = ["x", 1]\n', "include.terms[2]", 3),
    ("query", 'query = "a"\n# c\nfilters.humans = ""\n', "filters", 3),
    ("grade", '[older_age]\nstart = "high"\nimprecision.change = -1\nimprecision.reason = 3\n', "older_age.imprecision", 3),
]


def _refusal(tmp_path: Path, kind: str, text: str) -> tuple[Path, str]:
    """The file of ``kind`` holding ``text``, and the message its reader refuses it with."""
    name, read = READERS[kind]
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises((ValidationError, WorkspaceError)) as caught:
        read(path)
    return path, str(caught.value)


@pytest.mark.parametrize(("kind", "text", "where", "line"), SHAPES, ids=[f"{s[0]}-{s[2]}" for s in SHAPES])
def test_each_kind_of_file_names_a_wrong_shape_by_key_and_line(tmp_path: Path, kind: str, text: str, where: str,
                                                                line: int) -> None:
    path, message = _refusal(tmp_path, kind, text)
    assert "\n" not in message
    assert message.startswith(f"{path}:{where}: ") and message.endswith(f" (line {line})"), message


@pytest.mark.parametrize("kind", sorted(READERS))
@pytest.mark.parametrize(("text", "line"), [('a = 1\nb = 2\na = 3\n', 3), ('a = 1\n\nb = = 2\n', 3)],
                         ids=["duplicate-key", "invalid"])
def test_each_kind_of_file_names_a_syntax_error_by_line(tmp_path: Path, kind: str, text: str, line: int) -> None:
    path, message = _refusal(tmp_path, kind, text)
    assert message.startswith(f"{path}: ") and f"line {line}" in message and "\n" not in message, message


def test_toml_lines_place_a_nested_array_in_the_entry_it_adds_to() -> None:
    """``[[questions.options]]`` adds to the last ``[[questions]]`` (the item bank's layout): it was counted across
    all questions (``questions.options[3]``), so a problem in the second question's first option had no line."""
    from review.tomlread import line_of, toml_lines

    lines = toml_lines('[[q]]\na = 1\n[[q.o]]\nc = 1\n[[q.o]]\nc = 2\n[[q]]\na = 2\n[[q.o]]\nc = 3\n[q.x]\nd = 1\n')
    assert (lines["q[1].o[2].c"], lines["q[2].o[1]"], lines["q[2].o[1].c"], lines["q[2].x.d"]) == (6, 9, 10, 12)
    assert line_of(lines, "q[2].o[1].missing") == 9 and lines["q"] == 1


def test_toml_lines_read_no_header_or_key_inside_a_multi_line_array() -> None:
    """An entry ``[1, 2],`` on its own line is no ``[table]``, and ``"a = b",`` no key (rrev29c: the keys after such
    an array were placed in a table named ``1, 2`` and named no line, or their table's)."""
    from review.tomlread import line_of, toml_lines

    lines = toml_lines('x = [\n  [1, 2],\n  ["k = v"], # ]\n]\nquery = 3\n[t]\nm = [[1],\n  [2]]\nk = 1\n')
    assert (lines["x"], lines["query"], lines["t"], lines["t.m"], lines["t.k"]) == (1, 5, 6, 7, 9)
    assert not any(key.startswith(("1", "k")) for key in lines), lines
    assert line_of(lines, "t.m[2]") == 7


CLI_SHAPES = [  # the file (in the workspace), its text, the command, its exit code, the line's start, the line named
    ("review.toml", "screening = 3\n", ["status"], 2, "review.toml:screening: 3: expected a table", 1),
    ("extraction/factors.toml", '# factors\n[factor]\nid = "a"\n', ["extraction", "validate"], 4,
     "extraction/factors.toml:factor: expected [[factor]] tables", 2),
    ("extraction/form.toml", '# form\n[[study]]\nn = { type = "integer" }\n', ["extraction", "validate"], 4,
     "extraction/form.toml:study: [{'n': {'type': 'integer'}}]: expected a [study] table", 2),
    ("instrument/questions.toml", "# questions\n[[questions]]\n", ["instrument", "build"], 4,
     "instrument/questions.toml:questions: expected [questions.<id>] tables", 2),
    ("instrument/scoring.toml", '[profile]\nmany_signals_share = "half"\n', ["instrument", "build"], 4,
     "instrument/scoring.toml:profile.many_signals_share: must be a number, got 'half'", 2),
    ("validate/analyses.toml", '[[analysis]]\nname = "a"\nkind = "sus"\nfile = { a = 1 }\n', ["validate", "run"], 4,
     "validate/analyses.toml:analysis[1].file: {'a': 1} is not a file name", 4),
]


@pytest.mark.parametrize(("name", "text", "command", "code", "start", "line"), CLI_SHAPES, ids=[c[0] for c in CLI_SHAPES])
def test_each_kind_of_file_s_wrong_shape_is_one_stderr_line_from_its_command(
        workspace: object, monkeypatch: pytest.MonkeyPatch, name: str, text: str, command: list[str], code: int,
        start: str, line: int | None) -> None:
    from click.testing import CliRunner

    from review.cli import main

    from .instrument.conftest import SYNTHESIS

    root = workspace.root  # type: ignore[attr-defined]
    (root / "extraction" / "factors.toml").write_text(_FACTOR, encoding="utf-8")
    (root / "extraction" / "synthesis.csv").write_text(SYNTHESIS, encoding="utf-8")
    path = root / name
    path.parent.mkdir(exist_ok=True)
    path.write_text(text + (path.read_text(encoding="utf-8") if name == "review.toml" else ""), encoding="utf-8")
    monkeypatch.chdir(root)
    result = CliRunner().invoke(main, command)
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.exit_code == code, result.output
    (said,) = [said for said in result.stderr.splitlines() if not said.startswith("review: warning")]
    assert said.startswith(f"review: {start}") and said.endswith(f" (line {line})" if line else ""), said


@pytest.mark.parametrize(("kind", "line"), [("criteria", 1), ("query", 2), ("grade", 2), ("questions", 1)])
def test_a_key_holding_a_line_break_is_named_on_one_line(tmp_path: Path, kind: str, line: int) -> None:
    """A quoted key may hold any character: the problem naming it stays one line (rrev29c: criteria.toml and query
    files said "unknown key 'a\\nb'" until the key was named as WHERE, which wrote the line break), with its line
    (toml30: a key holding an escape was no key to ``toml_lines``, and named no line or its table's)."""
    text = {"criteria": '"in\\nclude" = ["x"]\n', "query": 'query = "a"\n"fil\\nter" = 1\n',
            "grade": '["older\\nage"]\nstart = 3\n', "questions": '[questions."q\\r1"]\ntext_nl = "V"\n'}[kind]
    name, read = READERS[kind]
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValidationError) as caught:
        read(path)
    message = str(caught.value)
    assert "\n" not in message and "\r" not in message and ("\\n" in message or "\\r" in message), message
    assert message.endswith(f" (line {line})"), message


def test_toml_lines_read_quoted_keys_as_tomllib_does() -> None:
    """A basic string's escapes decoded, a dot inside quotes kept, a literal string as written: the key a check
    names (``screening.in\\nclude``) is the key ``toml_lines`` found, so its line is named."""
    from review.tomlread import toml_lines

    lines = toml_lines('[screening]\n"in\\nclude" = 1\n\'a\\b\' = 2\n["t\\u00e9st" . "x.y"]\n"caf\\u00e9" . k = 3\n')
    assert (lines["screening.in\nclude"], lines["screening.a\\b"], lines["tést.x.y"], lines["tést.x.y.café.k"]) == \
        (2, 3, 4, 5)


def test_a_setting_holding_a_line_break_is_named_on_one_line_with_its_line(workspace: object) -> None:
    """review.toml's quoted key with an escape, refused by its stage: one line, the key escaped, its line."""
    from click.testing import CliRunner

    from review.cli import main

    root = workspace.root  # type: ignore[attr-defined]
    config = root / "review.toml"
    config.write_text(config.read_text(encoding="utf-8") + '\n[dedup]\n"rel\\nated" = "merge"\n', encoding="utf-8")
    line = len(config.read_text(encoding="utf-8").splitlines())
    result = CliRunner().invoke(main, ["--workspace", str(root), "dedup"])
    assert result.exit_code == 2 and result.stderr.splitlines() == [
        f'review: {config}:dedup."rel\\nated": unknown key (known: related) (line {line})'], result.stderr  # (quoted: toml32)


def test_a_key_that_needs_quotes_is_named_in_toml_s_quoting_and_found_either_way() -> None:
    """toml32: a message named ``prisma.sources.Bing.com``, which typed into review.toml is key ``com`` of table
    ``Bing``; a path names each key as TOML spells it (``toml_key``), and ``toml_lines`` finds that spelling (and,
    for a check that does not quote, the one tomllib reads)."""
    from review.tomlread import line_of, toml_key, toml_lines, toml_string

    assert [toml_key(k) for k in ("Embase", "a-b_1", "Bing.com", "UWV kennisbank", "", "in\nclude", 'say "x"', "é")] \
        == ["Embase", "a-b_1", '"Bing.com"', '"UWV kennisbank"', '""', '"in\\nclude"', '"say \\"x\\""', '"é"']
    assert toml_string("a\x7fb\tc") == '"a\\u007fb\\tc"'
    lines = toml_lines('[prisma.sources]\n"Bing.com" = "website"\n\'UWV kennisbank\' = "organisation"\n'
                       '["a.b" . c]\nd = 1\n')
    assert (lines['prisma.sources."Bing.com"'], lines['prisma.sources."UWV kennisbank"'], lines['"a.b".c.d']) == (2, 3, 5)
    assert (lines["prisma.sources.Bing.com"], lines["a.b.c.d"]) == (2, 5)
    assert line_of(lines, 'prisma.sources."Bing.com".x') == 2  # the key's, for a part under it
    assert line_of(lines, 'prisma.sources."Other.com"') == 1  # no such key: its table's (cut outside the quotes)


def test_a_quoted_array_of_tables_name_is_found_as_tomllib_reads_it() -> None:
    from review.tomlread import line_of, toml_lines

    # The read spelling of '"odd q"[2].x' was 'odd q"[2.x': the index was read as part of the quoted key.
    lines = toml_lines('[["odd q"]]\nx = 1\n[["odd q"]]\nx = 2\n[["a.b".c]]\ny = 3\n')
    assert (lines['"odd q"[2].x'], lines["odd q[2].x"], lines["odd q[1]"], lines["odd q"]) == (4, 4, 1, 1)
    assert (lines['"a.b".c[1].y'], lines["a.b.c[1].y"]) == (6, 6)
    assert not [path for path in lines if path.count('"') % 2]  # no key cut inside its quotes ('odd q"[2.x')
    assert line_of(lines, "odd q[2].x.z") == 4
