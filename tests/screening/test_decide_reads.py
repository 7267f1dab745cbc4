"""``review decide`` opens the reviewer's session on the records it decides (``ScreeningSession``'s ``records``):
with a stored queue it reads those records and the reviewer's decisions on them, not every record id and the
reviewer's whole log. What it prints and stores is what a session on every record gives: two workspaces built
alike, one deciding through each, with several reviewers, conflicts, full text, a sample and a removed record."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from review.cli import main
from review.records import Record
from review.services import screening as service
from review.store import schema, utcnow
from review.store import screening as ranking_store
from review.store.fulltext import add_fulltext_event, remove_records
from review.workspace import Workspace, init_workspace

REASONS = 'exclusion_reasons = ["wrong population", "wrong outcome"]\n'


def _built(root: Path) -> tuple[Workspace, list[int]]:
    """40 records; bob decided the first 20 with no stored queue (his ranks come from the seeded order), alice a
    few with one undone and conflicts with bob, carol and dave part ranked, part sampled (carol's start recorded,
    dave's from a store before starts were recorded: only in his decisions' model info); the queues of alice,
    carol and dave stored; full text sought and retrieved of bob's first inclusions; the last record removed
    before screening; two records imported after the queues."""
    ws = init_workspace(root, title="reads", reviewers=["alice", "bob", "carol", "dave"], seed=5)
    store = ws.store
    store.add_batch([Record(title=f"record {n}", abstract="cohort") for n in range(40)], file_name="f.ris",
                    file_sha256="0" * 64, source_name="PubMed", format="ris", encoding="utf-8")
    ws.path("screening", "criteria.toml").write_text(REASONS, encoding="utf-8")
    ids = sorted(r.id for r in store.records() if r.id is not None)
    for n, record_id in enumerate(ids[:20]):
        store.add_decision(record_id, "bob", "include" if n % 4 == 0 else "exclude")
    for record_id in ids[:3]:
        store.add_decision(record_id, "alice", "include")
    store.add_decision(ids[5], "alice", "exclude")
    store.undo_last("alice")
    ranked, sampled = {"phase": "ranked"}, {"phase": "sample", "sample_start": 5}
    for record_id in ids[20:24]:
        store.add_decision(record_id, "carol", "exclude", model_info=ranked)
        store.add_decision(record_id, "dave", "exclude", model_info=ranked)
    for record_id in ids[24:27]:
        store.add_decision(record_id, "carol", "include", model_info={"phase": "sample", "sample_start": 4})
        store.add_decision(record_id, "dave", "maybe", model_info=sampled)
    ranking_store.start_sample(store, "carol", sample_start=4, seed=9)
    order = ids[:]
    random.Random(3).shuffle(order)
    for who in ("alice", "carol", "dave"):
        ranking_store.save_ranking(store, who, order=order, probabilities=[0.5] * len(order), n_labelled=4, seed=5,
                                   model_info={"model": "svm", "query": "max", "seed": 5})
    for record_id in (ids[0], ids[4]):
        add_fulltext_event(store, record_id, "bob", "sought")
        add_fulltext_event(store, record_id, "bob", "retrieved")
    remove_records(store, [ids[-1]], "alice", "retracted")
    store.add_batch([Record(title=f"late {n}") for n in range(2)], file_name="g.ris", file_sha256="1" * 64,
                    source_name="PubMed", format="ris", encoding="utf-8")
    return ws, sorted(r.id for r in store.records() if r.id is not None)


def _commands(ids: list[int]) -> list[list[str]]:
    return [
        ["-r", "alice", "decide", str(ids[0]), str(ids[4]), "--exclude", "--reason", "wrong pop"],  # full text on both
        ["-r", "alice", "decide", str(ids[1]), "--maybe", "--note", "ask"],  # a correction
        ["-r", "alice", "decide", str(ids[5]), str(ids[41]), "--include"],  # the undone one; one imported late
        ["-r", "bob", "decide", str(ids[2]), str(ids[30]), "--exclude"],  # no stored queue
        ["-r", "carol", "decide", str(ids[24]), str(ids[21]), str(ids[30]), "--exclude", "--reason", "wrong out"],
        ["-r", "dave", "decide", str(ids[25]), str(ids[22]), str(ids[31]), "--include"],
        ["-r", "alice", "decide", str(ids[6]), str(ids[39]), "--include"],  # removed: refused before any write
        ["-r", "alice", "decide", str(ids[6]), "99999", "--include"],  # no such record
        ["-r", "carol", "decide", "--undo"],
        ["-r", "bob", "decide", str(ids[0]), "--exclude"],  # now excluded by all: the full-text warning
    ]


def _stored(ws: Workspace) -> list[dict[str, Any]]:
    t = schema.screening_decisions
    with ws.store.connect() as conn:
        return [{k: v for k, v in row.items() if k != "created_at"}
                for row in conn.execute(sa.select(t).order_by(t.c.id)).mappings()]


def test_decide_prints_and_stores_what_a_session_on_every_record_gives(tmp_path: Path, monkeypatch) -> None:
    narrow, ids = _built(tmp_path / "narrow")
    whole, whole_ids = _built(tmp_path / "whole")
    assert ids == whole_ids
    read_ids: list[tuple[str, object]] = []
    read_log: list[tuple[str, object]] = []
    record_ids, decisions_in_force = ranking_store.record_ids, ranking_store.decisions_in_force

    def reading_ids(store: Any, among: Any = None) -> list[int]:
        read_ids.append((reviewer, among))
        return record_ids(store, among)

    def reading_log(store: Any, who: str, **kw: Any) -> Any:
        read_log.append((who, kw.get("record_ids")))
        return decisions_in_force(store, who, **kw)

    monkeypatch.setattr(ranking_store, "record_ids", reading_ids)
    monkeypatch.setattr(ranking_store, "decisions_in_force", reading_log)
    open_session = service.open_session
    outputs: dict[str, list[tuple[int, str, str]]] = {"narrow": [], "whole": []}
    for args in _commands(ids):
        reviewer = args[1]
        for name, ws in (("narrow", narrow), ("whole", whole)):
            if name == "whole":  # the session on every record, as review decide opened it before
                monkeypatch.setattr(service, "open_session", lambda w, r, **kw: open_session(w, r, **{
                    **kw, "records": None}))
            read_ids.clear()
            read_log.clear()
            result = CliRunner().invoke(main, ["-w", str(ws.root), *args])
            monkeypatch.setattr(service, "open_session", open_session)
            outputs[name].append((result.exit_code, result.stdout, result.stderr))
            if name == "narrow" and "--undo" not in args:
                asked = {int(a) for a in args[3:] if a.isdigit()}
                wanted = None if reviewer == "bob" else asked  # (bob has no stored queue: his ranks need every record)
                assert read_ids == [(reviewer, wanted)]
                # (dave's sample start is in his sampled decisions' info only: those records are read too)
                assert read_log == [(reviewer, wanted)] + ([(reviewer, set(ids[24:27]))] if reviewer == "dave" else [])
    assert outputs["narrow"] == outputs["whole"]
    assert _stored(narrow) == _stored(whole)
    said = outputs["narrow"]
    # (what the scenario reaches: lines, warnings, refusals, a sampled correction and an unranked record)
    assert said[0][:2] == (0, f"{ids[0]}\texclude\talice\n{ids[4]}\texclude\talice\n")
    assert said[6][0] == 1 and "removed before screening" in said[6][2] and said[7][0] == 1
    assert "not in this workspace" in said[7][2]
    assert "warning" in said[9][2] and f"record {ids[0]}" in said[9][2]
    stored = {(row["reviewer"], row["record_id"]): row for row in _stored(narrow) if row["label"] != "undo"}
    assert stored[("dave", ids[25])]["model_info"]["phase"] == "sample"
    assert stored[("dave", ids[25])]["model_info"]["sample_start"] == 5
    assert stored[("carol", ids[21])]["model_info"]["phase"] == "ranked"
    assert stored[("alice", ids[41])]["model_rank"] is None and stored[("alice", ids[5])]["model_rank"] is not None
    assert stored[("bob", ids[30])]["model_info"].get("fallback") == "seeded_random"


def test_undo_reads_no_session_and_takes_back_what_a_session_on_every_record_does(tmp_path: Path,
                                                                                monkeypatch) -> None:
    """``review decide --undo`` writes the undo under the reviewer's claim without opening a session: it reads no
    record ids, none of the reviewer's decisions and no stored queue, and what it takes back, prints and stores is
    what the undo of a session on every record gives (two workspaces built alike). Undoing the decisions made
    restores the decisions in force before them."""
    shell, ids = _built(tmp_path / "shell")
    whole, _ = _built(tmp_path / "whole")
    before = shell.store.current_decisions()
    made = [["-r", "carol", "decide", str(ids[30]), "--exclude", "--reason", "wrong pop"],
            ["-r", "carol", "decide", str(ids[24]), "--exclude", "--reason", "wrong out"],  # corrects a sampled one
            ["-r", "bob", "decide", str(ids[0]), "--exclude"]]  # no stored queue; a correction
    for ws in (shell, whole):
        for args in made:
            assert CliRunner().invoke(main, ["-w", str(ws.root), *args]).exit_code == 0
    reads: list[str] = []

    def counted(name: str) -> Any:
        read = getattr(ranking_store, name)

        def reading(*args: Any, **kw: Any) -> Any:
            reads.append(name)
            return read(*args, **kw)
        return reading

    for name in ("record_ids", "decisions_in_force", "load_ranking"):
        monkeypatch.setattr(ranking_store, name, counted(name))
    for reviewer in ("bob", "carol", "carol"):
        said = CliRunner().invoke(main, ["-w", str(shell.root), "-r", reviewer, "decide", "--undo"])
        assert reads == []
        session, claim = service.open_claimed_session(whole, reviewer)  # (quick start, as --undo opened it before)
        try:
            undone = session.undo()
        finally:
            service.release_reviewer(whole, claim)
        assert undone is not None
        assert (said.exit_code, said.stdout) == (0, f"{undone.record_id}\tundo\t{reviewer}\n"), said.output
        assert f"undid {undone.label} of record {undone.record_id}" in said.stderr
        assert "record_ids" in reads and "decisions_in_force" in reads  # (the session on every record's)
        reads.clear()
    assert _stored(shell) == _stored(whole)
    assert shell.store.current_decisions() == before


def test_a_deciding_session_serves_counts_and_undoes_nothing(tmp_path: Path) -> None:
    ws, ids = _built(tmp_path / "ws")
    session = service.open_session(ws, "alice", quick_start=True, records=[ids[7]])
    assert session.is_to_screen(ids[7]) and not session.is_to_screen(ids[8])  # (not read)
    for refused in (session.next_record, session.progress, session.undo, session.start_sample):
        with pytest.raises(RuntimeError, match="only decides"):
            refused()
    assert session.decide(ids[7], "include", chosen=True).record_id == ids[7]


def test_a_deciding_session_on_more_records_than_one_in_list_reads_them_all(tmp_path: Path) -> None:
    """``review decide`` takes any number of ids: a session on 1,001 named records (past ``IN_LIST_MAX``, the
    last ones first) knows each one and the reviewer's label on it as a session on every record does, and a
    correction of the last record named keeps its sampled phase (a reading cut at the first slice refused it)."""
    from review.store.in_lists import IN_LIST_MAX

    ws = init_workspace(tmp_path / "ws", title="many", reviewers=["alice"], seed=5)
    store = ws.store
    store.add_batch([Record(title=f"record {n}") for n in range(2 * IN_LIST_MAX + 99)], file_name="f.ris",
                    file_sha256="0" * 64, source_name="PubMed", format="ris", encoding="utf-8")
    ids = sorted(r.id for r in store.records() if r.id is not None)
    now = utcnow()
    rows = [dict(record_id=r, reviewer="alice", stage="title_abstract", label="include" if r % 5 == 0 else "exclude",
                 reasons=[], note="", created_at=now, model_rank=None, undoes_id=None,
                 model_info={"phase": "sample" if r % 3 == 0 else "ranked"}) for r in ids[1::2]]
    with store.transaction() as conn:
        conn.execute(schema.screening_decisions.insert(), rows)
    ranking_store.start_sample(store, "alice", sample_start=7, seed=5)
    ranking_store.save_ranking(store, "alice", order=ids, probabilities=[0.5] * len(ids), n_labelled=len(rows),
                               seed=5, model_info={"model": "svm", "query": "max", "seed": 5})
    named = ids[-(2 * IN_LIST_MAX + 1):][::-1]
    narrow = service.open_session(ws, "alice", quick_start=True, records=named)
    whole = service.open_session(ws, "alice", quick_start=True)
    assert [(narrow.is_to_screen(r), narrow.label_in_force(r)) for r in named] == [
        (whole.is_to_screen(r), whole.label_in_force(r)) for r in named]
    last = next(r for r in reversed(named) if r % 3 == 0 and whole.is_decided(r))  # (in the first slice read)
    first = next(r for r in named if r % 3 == 0 and whole.is_decided(r))  # (in the last slice read)
    for record_id in (first, last):
        decision = narrow.decide(record_id, "maybe", chosen=True)
        assert decision.model_info["phase"] == "sample" and decision.model_info["sample_start"] == 7
        assert decision.model_rank == ids.index(record_id) + 1


def test_a_phase_stored_as_null_reads_ranked_whichever_way_the_session_reads_it(tmp_path: Path) -> None:
    """The lean reading takes a decision whose phase is JSON null as ranked; the decision an undo brings back (read
    whole, in the undo's transaction) is read so too, so a correction made after the undo stores the phase one made
    after a fresh reading stores (it stored the text 'None')."""
    ws = init_workspace(tmp_path / "ws", title="null", reviewers=["alice"], seed=5)
    store = ws.store
    store.add_batch([Record(title=f"record {n}") for n in range(4)], file_name="f.ris", file_sha256="0" * 64,
                    source_name="PubMed", format="ris", encoding="utf-8")
    first = min(r.id for r in store.records() if r.id is not None)
    store.add_decision(first, "alice", "exclude", model_info={"phase": None})
    ranking_store.start_sample(store, "alice", sample_start=1, seed=5)  # (a correction keeps its record's phase)
    session = service.open_session(ws, "alice", quick_start=True)
    assert session.decide(first, "include").model_info["phase"] == "ranked"  # (read lean)
    assert session.undo() is not None  # the null-phase decision in force again, read whole
    assert session.decide(first, "maybe").model_info["phase"] == "ranked"
