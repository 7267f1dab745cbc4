"""One decoding policy for every file a user gives us (docs/decisions/0022): the importer, dedup's
CSV mode, ``review simulate`` and ``review meta`` read the same bytes the same way, say once on
stderr when they fell back to cp1252, and refuse binaries with one line naming the byte offset."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from click.testing import CliRunner

from review.cli import main
from review.dedup.csvio import load_records_csv
from review.errors import ImportFormatError
from review.screening.simulate import load_labelled_csv
from review.sources import read_file
from review.synthesis.effects_csv import read_effects_csv
from review.textdecode import DecodedText, decode_text, decode_user_bytes, fallback_warning, read_user_text

HEADER = "record_id,study,title,abstract,label_included,estimate,ci_low,ci_high\n"
#: Dutch titles with é, ë, ï, ö (the study label repeats the title so meta reads it too). Every
#: accent sits inside a word: such cp1252 bytes also decode as GBK, and were once refused as that.
TITLES = (
    "Reïntegratie na verzuim bij coöperaties",
    "Financiële zorgen van werknemers",
    "Coördinatie door de bedrijfsarts",
    "Terugval bij patiënten met depressie",
    "Ervaren regelruimte en herstel",
    "Één jaar follow-up van burn-out",
)
LABELS = (1, 0, 0, 1, 0, 0)
FALLBACK = "not UTF-8, read as cp1252 (Windows)"


def _csv_text() -> str:
    rows = [f"{i},{title},{title},Samenvatting {i} over verzuim en werk,{label},1.{i},1.0,2.{i}\n"
            for i, (title, label) in enumerate(zip(TITLES, LABELS), start=1)]
    return HEADER + "".join(rows)


def _write(folder: Path, name: str, encoding: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(_csv_text().encode(encoding))
    return path


def _titles_by_reader(path: Path) -> dict[str, tuple[list[str], str]]:
    """What each reader made of the file's titles (meta: its study labels), and the encoding it saw."""
    imported = read_file(path)
    records = load_records_csv(path)
    labelled = load_labelled_csv(path)
    effects = read_effects_csv(path, measure="OR")
    assert labelled.fields is not None
    return {
        "import": ([r.title for r in imported.records], imported.encoding),
        "dedup": ([r.title for r in records.records], records.encoding),
        "simulate": ([f["title"] for f in labelled.fields], labelled.encoding),
        "meta": (effects.studies, effects.encoding),
    }


@pytest.mark.parametrize("encoding, reported", [("cp1252", "cp1252"), ("utf-8-sig", "utf-8-sig"),
                                                ("utf-8", "utf-8")])
def test_every_reader_reads_the_same_dutch_file_identically(tmp_path, encoding, reported):
    path = _write(tmp_path, f"dutch-{encoding}.csv", encoding)
    seen = _titles_by_reader(path)
    assert seen == {reader: (list(TITLES), reported) for reader in ("import", "dedup", "simulate", "meta")}
    assert (fallback_warning(path, reported) is not None) == (encoding == "cp1252")


def test_each_command_says_once_on_stderr_that_it_read_cp1252(tmp_path, workspace):
    path = _write(tmp_path / "in", "dutch.csv", "cp1252")
    out = tmp_path / "out"
    out.mkdir()
    runs = {
        "import": ["-w", str(workspace.root), "import", str(path)],
        "dedup": ["dedup", str(path), "--out", str(out / "clusters.csv")],
        "simulate": ["simulate", str(path), "--json", str(out / "sim.json")],
        "meta": ["meta", str(path), "--measure", "OR", "--json", str(out / "meta.json")],
    }
    for name, args in runs.items():
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 0, (name, result.output)
        warned = [line for line in result.stderr.splitlines() if FALLBACK in line]
        assert len(warned) == 1 and str(path) in warned[0], (name, result.stderr)
        assert FALLBACK not in result.stdout
    assert workspace.store.count_records() == len(TITLES)
    assert sorted(p.name for p in out.iterdir()) == ["clusters.csv", "meta.json", "sim.json"]
    clusters = (out / "clusters.csv").read_text(encoding="utf-8").splitlines()
    assert clusters[0] == "record_id,cluster_id,decision" and len(clusters) == len(TITLES) + 1
    assert json.loads((out / "meta.json").read_text(encoding="utf-8"))["result"]["studies"] == list(TITLES)


def test_a_utf8_file_with_a_bom_gets_no_warning(tmp_path):
    path = _write(tmp_path / "in", "bom.csv", "utf-8-sig")
    result = CliRunner().invoke(main, ["dedup", str(path), "--out", str(tmp_path / "clusters.csv")])
    assert result.exit_code == 0, result.output
    assert "warning" not in result.stderr
    assert (tmp_path / "clusters.csv").read_text(encoding="utf-8").splitlines()[1].startswith("1,")


BINARY = (HEADER + "1,a,b,c,1,1.1,1.0,1.2\n").encode() + b"2,\x00\x01\x02,x,y,0,1.1,1.0,1.2\n"
NUL_OFFSET = BINARY.index(b"\x00")


@pytest.mark.parametrize("command", ["import", "dedup", "simulate", "meta"])
def test_a_binary_file_is_one_line_naming_file_and_offset_and_nothing_is_written(tmp_path, workspace, command):
    folder = tmp_path / "in"
    folder.mkdir()
    path = folder / "binary.csv"
    path.write_bytes(BINARY)
    out = folder / "out.file"
    args = {
        "import": ["-w", str(workspace.root), "import", str(path)],
        "dedup": ["dedup", str(path), "--out", str(out)],
        "simulate": ["simulate", str(path), "--json", str(out)],
        "meta": ["meta", str(path), "--json", str(out)],
    }[command]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 3
    assert result.stdout == ""
    errors = [line for line in result.stderr.splitlines() if line.startswith("review: ")]
    assert errors == [f"review: {path}:line 3: binary file (NUL byte at offset {NUL_OFFSET}), not text"], \
        result.stderr
    assert sorted(p.name for p in folder.iterdir()) == ["binary.csv"]
    assert workspace.store.count_records() == 0


@pytest.mark.parametrize(("data", "where", "offset"), [
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "line 1", "at offset 0"),
    ("title\nA study\n".encode("utf-16-le"), "line 1", "at offset 1"),
    (b"title,year\nA,2001\n" + b"B\x01\x02\x03\x04,\x05\x06\x07\x08\n" * 4, "line 3", "the first at offset 19"),
], ids=["signature", "utf16_without_bom", "control_bytes"])
def test_every_binary_refusal_names_line_and_offset(data, where, offset):
    """docs/interfaces.md: every refusal is ``FILE:line N: … offset B …`` (decision 0022)."""
    with pytest.raises(ImportFormatError) as refused:
        decode_user_bytes(data, "in.csv")
    assert str(refused.value).startswith(f"in.csv:{where}: ") and offset in str(refused.value)


def test_utf8_with_a_stray_byte_is_refused_not_read_as_mojibake(tmp_path):
    # dedup's CSV mode read this as cp1252 before: "CafÃ©" in a title, silently.
    path = tmp_path / "mixed.csv"
    path.write_bytes("record_id,title\n1,Café\n".encode() + b"2,Caf\xe9\n")
    with pytest.raises(ImportFormatError, match=r"mixed\.csv:line 3: mixed encoding: UTF-8 text with a stray "
                                                r"byte 0xe9 at offset 29"):
        load_records_csv(path)


def test_utf16_with_a_bom_is_read_without_a_warning():
    decoded = decode_user_bytes("record_id,title\n1,Coördinatie\n".encode("utf-16"), "x.csv")
    assert decoded.text == "record_id,title\n1,Coördinatie\n" and decoded.encoding == "utf-16"
    assert fallback_warning("x.csv", decoded.encoding) is None


def test_validate_reads_a_cp1252_table_with_one_warning_and_refuses_a_binary(tmp_path):
    ratings = tmp_path / "cvi.csv"
    rows = "".join(f"{item},e{expert},4\n" for item in ("coördinatie", "reïntegratie") for expert in (1, 2, 3))
    ratings.write_bytes(("item,expert,rating\n" + rows).encode("cp1252"))
    out = tmp_path / "cvi.json"
    result = CliRunner().invoke(main, ["validate", "cvi", str(ratings), "--json", str(out)])
    assert result.exit_code == 0, result.output
    assert [line for line in result.stderr.splitlines() if FALLBACK in line] == \
        [f"warning: {ratings}: not UTF-8, read as cp1252 (Windows); check accented letters, or save the file as "
         "UTF-8 (Excel: CSV UTF-8)"]
    assert [item["item"] for item in json.loads(out.read_text(encoding="utf-8"))["items"]] == \
        ["coördinatie", "reïntegratie"]
    out.unlink()
    ratings.write_bytes(b"item,expert,rating\nq1,e1,\x00\x004\n")
    result = CliRunner().invoke(main, ["validate", "cvi", str(ratings), "--json", str(out)])
    assert result.exit_code == 4
    assert result.stderr.splitlines() == [f"review: {ratings}:line 2: binary file (NUL byte at offset 25), not text"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cvi.csv"]


@pytest.mark.parametrize("text, codec", [
    ("中文標題研究結果和方法論，我們研究了工作壓力與病假之間的關係。", "big5"),
    ("中文标题研究结果和方法论，我们研究了工作压力与病假之间的关系。", "gbk"),
    ("日本語のタイトルです。研究の結果、職場のストレスと病気休暇の関係を調べた。", "shift_jis"),
    ("日本語のタイトルです。研究の結果、職場のストレスと病気休暇の関係を調べた。", "euc_jp"),
    ("한국어 제목입니다. 연구 결과 직장 스트레스와 병가의 관계를 조사했다.", "euc_kr"),
])
def test_multi_byte_asian_text_is_refused_not_read_as_cp1252(text, codec):
    with pytest.raises(ImportFormatError, match="multi-byte encoding"):
        decode_user_bytes(f"title\n{text}\nEnglish words {text[:4]}\n".encode(codec), "asian.csv")


@pytest.mark.parametrize("text", [
    "Müßiggang und Rückfälle bei Arbeitsunfähigkeit: Längsschnittstudie zur Gesundheitsförderung",
    "Étude de la santé des salariés: réintégration après un arrêt prolongé à Genève",
    "Coördinatie, reïntegratie, patiënten, financiële zorgen, ideeën, België",
    "Återgång i arbete vid psykisk ohälsa: kohortstudie från Göteborg",
])
def test_western_european_cp1252_text_is_read_as_cp1252(text):
    decoded = decode_user_bytes(f"title\n{text}\n".encode("cp1252"), "western.csv")
    assert decoded == DecodedText(f"title\n{text}\n", "cp1252")


def test_a_cp1252_seed_list_is_read_with_the_warning(tmp_path):
    from review.sources.seeds import read_seeds

    seeds = tmp_path / "seeds.txt"
    seeds.write_bytes("# studies named by the coördinator\npmid\n12345\n23456\n".encode("cp1252"))
    found, _, warnings = read_seeds(seeds)
    assert [s.pmid for s in found] == ["12345", "23456"]
    assert warnings == [fallback_warning(seeds, "cp1252")]
    seeds.write_text("# studies named by the coördinator\npmid\n12345\n", encoding="utf-8")
    assert read_seeds(seeds)[2] == []


def test_synthesis_csv_reads_back_with_a_bom_and_refuses_a_cp1252_copy(tmp_path):
    # Our own file, read where no warning can be shown (the instrument build): a spreadsheet's cp1252
    # copy is one line naming the byte (it was a UnicodeDecodeError traceback), never a silent guess.
    from review.records import FactorEvidence
    from review.synthesis import load_synthesis
    from review.synthesis.evidence_csv import synthesis_csv

    row = FactorEvidence(factor_id="coping", label_en="Coping", label_nl="Coördinatie van zorg", domain="personal",
                         modifiable=True, assessable=True, direction="risk", level="limited", rule_set="ariens")
    path = tmp_path / "synthesis.csv"
    path.write_text(synthesis_csv([row]), encoding="utf-8-sig")
    assert load_synthesis(path) == [row]
    path.write_bytes(synthesis_csv([row]).encode("cp1252"))
    offset = path.read_bytes().index(b"\xf6")
    with pytest.raises(ImportFormatError, match=rf"synthesis\.csv:line 2: not UTF-8 \(byte 0xf6 at offset {offset}\); a spread"):
        load_synthesis(path)
    path.write_bytes("title\nA study\n".encode("utf-16"))  # a UTF-16 copy with its BOM is still read
    assert read_user_text(path, fallback=False) == DecodedText("title\nA study\n", "utf-16")
    path.write_bytes(b"\xef\xbb\xbf" + synthesis_csv([row]).encode("utf-8"))
    assert read_user_text(path, fallback=False).encoding == "utf-8-sig"
    path.write_bytes(b"%PDF-1.7\n")  # refused as a binary, not as 'not UTF-8'
    with pytest.raises(ImportFormatError, match="binary file: a PDF"):
        read_user_text(path, fallback=False)


@given(st.binary(max_size=40))
def test_lone_high_bytes_are_counted_exactly(data):
    from review.textdecode import _count_lone_high

    def high(i: int) -> bool:
        return 0 <= i < len(data) and data[i] >= 0x80

    assert _count_lone_high(data) == sum(1 for i in range(len(data)) if high(i) and not high(i - 1) and not high(i + 1))


def test_dedup_and_simulate_name_the_files_line_after_blank_lines_and_cell_line_breaks(tmp_path):
    # Row counting named line 4 here (the blank line and the quoted line break shift the file's lines).
    path = tmp_path / "rows.csv"
    path.write_text('record_id,title,label_included\n1,"Coördinatie\nvan zorg",1\n\n2,B,1\n2,C,0\n', encoding="utf-8")
    with pytest.raises(ImportFormatError, match=r"rows\.csv:line 6: duplicate record_id '2'"):
        load_records_csv(path)
    with pytest.raises(ImportFormatError, match=r"rows\.csv:line 6: duplicate record_id 2"):
        load_labelled_csv(path)


_TEXT = st.text(st.characters(blacklist_categories=("Cc", "Cs"), blacklist_characters="\ufeff") | st.sampled_from("\n\t\r"))


@given(_TEXT.filter(lambda s: not s.startswith("%PDF")))
def test_any_utf8_text_reads_back_exactly_with_or_without_a_bom(text):
    assert decode_user_bytes(text.encode("utf-8"), "t.csv") == DecodedText(text, "utf-8")
    assert decode_user_bytes(text.encode("utf-8-sig"), "t.csv") == DecodedText(text, "utf-8-sig")


def test_a_utf8_bom_file_with_a_byte_that_is_not_utf8_is_refused_like_any_utf8_only_file() -> None:
    """The BOM says UTF-8, so no cp1252 fallback: decode_utf8's refusal, naming the file's line and offset."""
    data = b"\xef\xbb\xbftitle\nCo\xf6rdinatie\n"
    with pytest.raises(ImportFormatError) as caught:
        decode_text(data, "bom.csv")
    assert str(caught.value) == ("bom.csv:line 2: not UTF-8 (byte 0xf6 at offset 11); the file starts with a "
                                 "UTF-8 byte-order mark; re-save it as UTF-8")


@pytest.mark.parametrize("data", [
    b"\xef\xbb\xbf\xef\xbb\xbfid,title\n1,A study\n",       # a BOM added again by a tool that saw none
    "id,title\n\ufeff1,A study\n".encode("utf-8-sig"),      # a second export's BOM, after `cat`
    "\ufeffid,title\r\ufeff1,A study\r".encode("utf-16"),   # the same in UTF-16, with CR line ends
], ids=["double", "joined", "utf16"])
def test_a_byte_order_mark_at_a_line_start_is_no_text(data: bytes) -> None:
    """A BOM is never content: one left at a line's start (a doubled or joined file) became part of the first
    cell, so a CSV's 'id' column read as '\\ufeffid' and its ids went to the record's metadata (walk29)."""
    text = decode_user_bytes(data, "joined.csv").text
    assert "\ufeff" not in text and text.replace("\r", "\n").splitlines()[:2] == ["id,title", "1,A study"]


def test_a_zero_width_no_break_space_inside_a_line_is_kept() -> None:
    assert decode_user_bytes("title\nco\ufeffop\n".encode(), "t.csv").text == "title\nco\ufeffop\n"
