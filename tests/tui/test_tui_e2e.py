"""The issue's "done when", by keyboard, on a small corpus from the demo's generator.

``scripts/demo_e2e.py`` runs the same walkthrough on the full demo workspace (about 170
keys to the stopping rule, about 20 s); this test runs it on 100 generated publications
so it stays fast: screen until the rule says stop, a second reviewer screens blind and
disagrees now and then, the conflicts are resolved by key, the dashboard counts match the
store.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from review.demo.corpus import generate
from review.demo.pipeline import prepare_screening
from review.records import Record
from review.workspace import Workspace, init_workspace
from script_module import load_script

pytestmark = pytest.mark.slow


def _driver():  # type: ignore[no-untyped-def]
    """``scripts/demo_e2e.py`` as a module (the script and this test share the walkthrough)."""
    return load_script("scripts/demo_e2e.py", "demo_e2e")


def small_demo(root: Path, n_publications: int = 100, n_relevant: int = 6) -> tuple[Workspace, set[str]]:
    """A workspace of generated demo publications (one copy each), and the relevant titles."""
    corpus = generate(20261125, n_publications=n_publications, n_relevant=n_relevant)
    workspace = init_workspace(root, title="small demo", reviewers=["anna", "ben"], seed=5)
    prepare_screening(workspace, None, lambda _message: None)  # the demo's criteria.toml
    records = [Record(title=p.title, abstract=" ".join(f"{label}: {text}" if label else text
                                                      for label, text in p.sections),
                      authors=[f"{last} {fore}" for last, fore in p.authors], year=p.year,
                      journal=p.journal[0], doi=p.doi, pmid=p.pmid, keywords=list(p.keywords),
                      mesh=list(p.mesh))
               for p in corpus.publications]
    workspace.store.add_batch(records, file_name="demo.xml", file_sha256="d" * 64, source_name="PubMed",
                              format="pubmed-xml", encoding="utf-8")
    driver = _driver()
    relevant = {driver.title_key(p.title) for p in corpus.publications if p.relevant}
    return workspace, relevant


def test_screen_to_stop_resolve_conflicts_and_read_the_dashboard_by_keyboard(tmp_path: Path) -> None:
    driver = _driver()
    workspace, relevant = small_demo(tmp_path / "demo")

    def answer(record: Record) -> bool:
        return driver.title_key(record.title) in relevant

    run = asyncio.run(driver.walk(workspace, answer, second=25, flip_every=4, pause_every=20))
    assert run.failures == []
    assert run.verdict == "stop" and run.stop_recorded
    assert 0 < run.screened <= run.store["total"]
    assert run.store["included"] == len(relevant) or run.store["remaining"] > 0
    assert run.conflicts > 0 and run.resolved == run.conflicts
    assert run.dashboard["screened"] == run.store["screened"] == run.screened
    assert run.dashboard["included"] == run.store["included"]


def decision_order(workspace: Workspace, reviewer: str) -> list[tuple[int, str]]:
    """The reviewer's decisions as (record id, label), in the order they were made."""
    decisions = workspace.store.current_decisions(reviewer=reviewer).values()
    return [(d.record_id, d.label) for d in sorted(decisions, key=lambda d: d.id)]


def test_the_scripted_screening_does_not_depend_on_how_fast_the_model_retrains(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The demo's counts must be the same on every run: the same keys on two workspaces, once with
    retrains that land at once and once with retrains that land late, screen the same records."""
    import review.screening.ranker  # noqa: F401  (imported now, the prompt retrains are prompt)
    from review.tui.retrainer import Retrainer

    driver = _driver()
    retrain = Retrainer.retrain
    orders = []
    for late in (False, True):
        workspace, relevant = small_demo(tmp_path / f"late-{late}")
        with workspace.path("review.toml").open("a", encoding="utf-8") as handle:
            handle.write('\n[tui]\nretrain = "thread"\n')  # no worker process to start: cheaper
        workspace = Workspace(workspace.root)

        def late_retrain(self: Retrainer, session, late: bool = late):  # type: ignore[no-untyped-def]
            if late:  # a slow machine: the ranking lands well after the keys that asked for it
                time.sleep(0.3)
            return retrain(self, session)

        monkeypatch.setattr(Retrainer, "retrain", late_retrain)
        keys, _, _ = asyncio.run(driver.screen_by_keys(
            workspace, "anna", lambda record, relevant=relevant: driver.title_key(record.title) in relevant,
            until_stop=False, limit=30, pause_every=10))
        assert keys == 30
        orders.append(decision_order(workspace, "anna"))
    assert orders[0] == orders[1]
