"""`review migrate --to URL`: SQLite -> PostgreSQL -> SQLite keeps every row, and the exports match."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from postgres import fresh_database
from review.cli import main
from review.records import Record
from review.store import screening as screening_store
from review.store.transfer import content_hashes
from review.workspace import Workspace, init_workspace


def _run(root: Path, *args: str) -> str:
    result = CliRunner().invoke(main, ["-w", str(root), *args])
    assert result.exit_code == 0, result.output + (result.stderr or "")
    return result.output


def _exports(root: Path, tag: str) -> tuple[str, str]:
    _run(root, "export", "records", str(root / f"records-{tag}.csv"))
    _run(root, "export", "decisions", str(root / f"decisions-{tag}.csv"))
    return ((root / f"records-{tag}.csv").read_text(encoding="utf-8"),
            (root / f"decisions-{tag}.csv").read_text(encoding="utf-8"))


def _filled(tmp_path: Path) -> Workspace:
    ws = init_workspace(tmp_path / "ws", title="Round trip", reviewers=["alice", "bob"], seed=3)
    records = [Record(title=f"Sick leave and depression {i}", abstract="Äbstract – ünïcode", authors=["Ann Bee"],
                      year=2000 + i, doi=f"10.1/{i}", keywords=["k"], extra={"n": i}) for i in range(12)]
    ws.store.add_batch(records, file_name="f.ris", file_sha256="z" * 64, source_name="PubMed",
                       format="ris", encoding="utf-8")
    ids = [r.id for r in ws.store.records()]
    for i, record_id in enumerate(ids[:8]):
        ws.store.add_decision(record_id, "alice", "include" if i % 3 == 0 else "exclude",
                              reasons=["population"] if i % 3 else [], note=f"n{i}", model_rank=i,
                              model_info={"model": "nb", "seed": 3})
    ws.store.undo_last("alice")
    ws.store.add_decision(ids[0], "bob", "maybe")
    screening_store.save_ranking(ws.store, "alice", order=ids[::-1], probabilities=[0.5] * len(ids),
                                 model_info={"model": "nb"}, n_labelled=7, seed=3, seconds=0.25)
    return ws


def test_round_trip_sqlite_postgresql_sqlite_keeps_exports_identical(tmp_path: Path) -> None:
    ws = _filled(tmp_path)
    root = ws.root
    before = _exports(root, "before")
    with ws.store.connect() as conn:
        hashes_before = content_hashes(conn)
    ws.store.engine.dispose()
    with fresh_database() as pg_url:
        out = _run(root, "migrate", "--to", pg_url)
        assert "content hash" in out and "screening_decisions" in out
        assert 'database_url = "postgresql://' in (root / "review.toml").read_text(encoding="utf-8")
        on_pg = _exports(root, "pg")
        # Ids continue after the copied ones on PostgreSQL.
        pg_ws = Workspace(root)
        new = pg_ws.store.add_decision(pg_ws.store.records()[-1].id, "bob", "exclude")
        assert new.id == max(d.id for d in pg_ws.store.decisions()) and new.id > 9
        pg_ws.store.undo_last("bob")
        pg_ws.store.engine.dispose()
        back = f"sqlite:///{root / 'back.db'}"
        _run(root, "migrate", "--to", back)
    config = (root / "review.toml").read_text(encoding="utf-8")
    assert 'database = "back.db"' in config and "database_url" not in config
    after = _exports(root, "after")
    assert on_pg[0] == before[0] and after[0] == before[0]
    decisions_before = before[1].splitlines()
    assert after[1].splitlines()[: len(decisions_before)] == decisions_before
    assert len(after[1].splitlines()) == len(decisions_before) + 2  # bob's decision and its undo
    back_ws = Workspace(root)
    with back_ws.store.connect() as conn:
        hashes_after = content_hashes(conn)
    assert hashes_after["records"] == hashes_before["records"]
    assert hashes_after["screening_rankings"] == hashes_before["screening_rankings"]
    assert hashes_after["last_ranking"] == hashes_before["last_ranking"]


def test_migrate_refuses_a_target_that_is_not_empty(tmp_path: Path) -> None:
    ws = _filled(tmp_path)
    other = init_workspace(tmp_path / "other", title="Other")
    other.store.add_batch([Record(title="x")], file_name="g.ris", file_sha256="w" * 64, source_name="db",
                          format="ris", encoding="utf-8")
    target = other.database_url
    other.store.engine.dispose()
    result = CliRunner().invoke(main, ["-w", str(ws.root), "migrate", "--to", target])
    assert result.exit_code != 0 and "not empty" in result.stderr
    assert "database_url" not in (ws.root / "review.toml").read_text(encoding="utf-8")
