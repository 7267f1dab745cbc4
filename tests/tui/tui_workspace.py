"""A small deterministic workspace for the TUI tests, snapshots, kill test and benchmark."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from textual.app import App
from textual.pilot import Pilot

from review.extraction import Estimate, Study, save_study
from review.records import Record
from review.dedup import decisions
from review.store import dedup as dedup_store
from review.workspace import Workspace, init_workspace

if TYPE_CHECKING:
    from review.tui.app import ReviewApp
    from review.tui.screens.screening import ScreeningScreen

CRITERIA = """\
# Terms highlighted on the screening screen.
exclusion_reasons = ["wrong population", "wrong outcome", "wrong design", "not primary research"]

[include]
terms = ["sickness absence", "recurren*", "return to work", "depress*", "common mental disorder*"]

[exclude]
terms = ["child*", "adolescen*", "randomi?ed"]
"""

TOPICS = [
    ("Recurrent sickness absence due to common mental disorders: a cohort of 9,904 employees",
     "Occup Environ Med", ["Koopmans PC", "Bultmann U", "Roelen CA"]),
    ("Return to work after depression and the risk of recurrence",
     "Scand J Work Environ Health", ["Arends I", "van der Klink JJ", "Bultmann U"]),
    ("Adolescent anxiety and school absenteeism in children",
     "J Child Psychol", ["Smith J", "Doe A"]),
    ("Burnout among nurses: a cross-sectional survey", "Int J Nurs Stud", ["Lee K"]),
    ("Predictors of repeated sick leave with mental disorders in the public sector",
     "BMC Public Health", ["Ervasti J", "Vahtera J", "Virtanen M", "Kivimaki M", "Pentti J",
                           "Oksanen T", "Ahola K"]),
    ("A randomised trial of exercise for knee osteoarthritis", "Lancet", ["Brown T"]),
    ("Work stress, social support and depressive symptoms", "Psychol Med", ["Norder G"]),
    ("Sickness absence trajectories after a first episode of depression", "J Affect Disord",
     ["Endo M", "Haruyama Y"]),
]


def build_workspace(root: Path, n: int = 12, *, with_conflicts: bool = True, with_pairs: bool = True) -> Workspace:
    """``n`` records (alice and bob as reviewers), criteria, optional conflicts and dedup pairs."""
    workspace = init_workspace(root, title="TUI test review", reviewers=["alice", "bob"], seed=11)
    # Pinned so snapshots follow the UI, not the engine's choice of default model.
    with workspace.path("review.toml").open("a", encoding="utf-8") as handle:
        handle.write('\n[screening]\nmodel = "logistic"\n')
        # Retrain in a thread: deterministic timing for Pilot tests; one test covers the process.
        handle.write('\n[tui]\nretrain = "thread"\n')
    workspace = Workspace(root)
    workspace.path("screening", "criteria.toml").write_text(CRITERIA, encoding="utf-8")
    records = []
    for i in range(n):
        title, journal, authors = TOPICS[i % len(TOPICS)]
        records.append(Record(
            title=title if i < len(TOPICS) else f"{title} (study {i})",
            abstract=(f"BACKGROUND: Study {i} on workers. METHODS: We followed {100 + i} employees "
                      f"for {i % 5 + 1} years. RESULTS: Recurrence of sickness absence was {10 + i}%. "
                      "CONCLUSIONS: Return to work needs follow-up."),
            authors=list(authors), year=2005 + i % 12, journal=journal,
            keywords=["sick leave", "mental health"], mesh=["Absenteeism", "Depression"],
            pmid=str(20000000 + i), doi=f"10.1000/test.{i}",
        ))
    half = n // 2
    store = workspace.store
    store.add_batch(records[:half], file_name="pubmed.xml", file_sha256="a" * 64, source_name="PubMed",
                    format="pubmed-xml", encoding="utf-8")
    store.add_batch(records[half:], file_name="embase.ris", file_sha256="b" * 64, source_name="Embase",
                    format="ris", encoding="utf-8")
    ids = [r.id for r in store.records()]
    if with_conflicts:
        for rid, a, b in zip(ids[:4], ["include", "exclude", "include", "exclude"],
                             ["include", "include", "exclude", "exclude"]):
            store.add_decision(rid, "alice", a, model_info={"fixture": True})
            store.add_decision(rid, "bob", b)
    if with_pairs and n >= 8:
        with store.transaction() as conn:
            run_id = dedup_store.add_run(conn, algorithm_version="test", n_records=n, n_candidates=2,
                                         n_changed=2, n_clusters=0, n_duplicates=0, n_borderline=2,
                                         seconds=0.0)
            decisions.apply_auto_verdicts(conn, run_id, [
                decisions.PairVerdict(ids[0], ids[4], "borderline", 0.71,
                                        {"explanation": "similar authors, different titles"}),
                decisions.PairVerdict(ids[1], ids[7], "borderline", 0.64,
                                        {"explanation": "same topic and journal family"}),
            ])
    return workspace


def labels(workspace: Workspace, reviewer: str = "alice") -> dict[int, str]:
    """The reviewer's current title/abstract label per record id."""
    return {rid: d.label for (rid, _), d in workspace.store.current_decisions(reviewer=reviewer).items()}


def require_reason_on_exclude(workspace: Workspace) -> Path:
    """Turn criteria.toml's ``require_reason_on_exclude`` on; the file's path, for later edits."""
    path = workspace.path("screening", "criteria.toml")
    path.write_text("require_reason_on_exclude = true\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    return path


def screen_lines(app: App[object]) -> list[str]:
    """The screen's lines as drawn now, dialogs and docked widgets included (notifications are not drawn under
    ``run_test`` unless ``open_app(notifications=True)``)."""
    return ["".join(segment.text for segment in strip) for strip in app.screen._compositor.render_strips()]


async def settle(pilot: Pilot, rounds: int = 20) -> None:
    """Wait until every worker has finished and the messages they posted are handled."""
    from textual.worker import WorkerCancelled, WorkerFailed

    app = pilot.app
    for _ in range(rounds):
        for worker in list(app.workers):
            try:
                await worker.wait()
            except (WorkerCancelled, WorkerFailed):
                pass  # the app reports these itself; tests assert on what it shows
        await pilot.pause()
        if all(w.is_finished for w in app.workers):
            await pilot.pause()
            return


@asynccontextmanager
async def open_app(workspace: Workspace, reviewer: str = "alice", start: str = "dashboard", *,
                   size: tuple[int, int] = (100, 32), blind: bool | None = None,
                   notifications: bool = False) -> AsyncIterator[tuple[ReviewApp, Pilot]]:
    """The app on ``start`` as ``reviewer``, run headless and settled: every start-up worker done.
    ``notifications``: draw them as toasts (``run_test`` keeps them in ``app._notifications`` only, so a
    message Textual cannot draw passes unseen)."""
    from review.tui.app import make_app

    app = make_app(workspace, reviewer, start, blind=blind)
    async with app.run_test(size=size, notifications=notifications) as pilot:
        await settle(pilot)
        yield app, pilot


@asynccontextmanager
async def open_screening(workspace: Workspace, reviewer: str = "alice", *, size: tuple[int, int] = (80, 24),
                         blind: bool | None = None) -> AsyncIterator[tuple[ReviewApp, Pilot, ScreeningScreen]]:
    """``open_app`` on the screening screen, its retrain held off for a minute (a retrain's reordering would
    change the record a key lands on): the app, the pilot and the screen."""
    from review.tui.screens.screening import ScreeningScreen

    async with open_app(workspace, reviewer, "screening", size=size, blind=blind) as (app, pilot):
        screen = app.screen
        assert isinstance(screen, ScreeningScreen)
        screen.retrain_delay = 60.0
        yield app, pilot, screen


def async_test(fn):  # type: ignore[no-untyped-def]
    """Run an async test function with asyncio (no async pytest plugin needed)."""
    import asyncio
    import functools

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):  # type: ignore[no-untyped-def]
        return asyncio.run(fn(*args, **kwargs))

    return wrapper


AGE_FACTOR_TOML = """\
[[factor]]
id = "age"
label_en = "Age"
label_nl = "Leeftijd"
domain = "personal"
modifiable = false
assessable = true
"""


def write_arends_study(workspace: Workspace, *, estimates: list[Estimate] | None = None) -> Path:
    """extraction/factors.toml with one factor (age) and one valid study file, arends2014 (n 158), in
    extraction/studies/; the screens' extraction tests start from it."""
    folder = workspace.path("extraction")
    (folder / "studies").mkdir(parents=True, exist_ok=True)
    (folder / "factors.toml").write_text(AGE_FACTOR_TOML, encoding="utf-8")
    study = Study(id="arends2014", cohort_id="arends2014", citation="Arends I et al. Occup Environ Med 2014;71:21-29",
                  country="Netherlands", design="cohort", evidence_type="empirical",
                  outcome_definition="new sickness absence episode due to CMD", data_source="abstract", n=158,
                  estimates=list(estimates or []))
    return save_study(study, folder / "studies" / "arends2014.toml")
