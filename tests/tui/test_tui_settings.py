"""An open app follows edits of review.toml (review.tui.settings): at a recount, a screen switch, focus."""

from __future__ import annotations

import threading

from textual.events import AppFocus
from textual.widgets import Static

from review.tui import actions
from review.tui.screens import dashboard, dashboard_jobs
from review.tui.screens.browser import BrowserScreen
from review.tui.screens.dashboard import DashboardScreen
from review.tui.screens.help import HelpScreen
from review.tui.screens.screening import ScreeningScreen
from review.workspace import Workspace
from tui_workspace import async_test, open_app, settle


def _append(workspace: Workspace, text: str) -> None:
    with workspace.path("review.toml").open("a", encoding="utf-8") as handle:
        handle.write(text)


def _messages(app) -> list[str]:  # type: ignore[no-untyped-def]
    return [n.message for n in app._notifications]


@async_test
async def test_an_edited_prisma_sources_counts_at_the_next_recount(fresh_ws: Workspace) -> None:
    """The known leftover: the dashboard kept counting Embase as a database until a restart."""
    async with open_app(fresh_ws, "alice", size=(100, 32)) as (app, pilot):
        assert isinstance(app.screen, DashboardScreen)
        assert app.screen.data.other_methods == 0
        _append(fresh_ws, '\n[prisma.sources]\nEmbase = "citation"\n')
        await pilot.press("g")
        await settle(pilot)
        assert app.screen.data.other_methods == 6  # Embase's six records go straight to full text now
        assert app.screen.data.progress.total == 6
        assert any("prisma.sources in use now" in m for m in _messages(app))


@async_test
async def test_a_broken_review_toml_keeps_the_last_settings_in_one_line_and_a_fix_is_read(fresh_ws: Workspace) -> None:
    async with open_app(fresh_ws, "alice", size=(100, 32)) as (app, pilot):
        good = fresh_ws.path("review.toml").read_text(encoding="utf-8")
        fresh_ws.path("review.toml").write_text(good + "\n[prisma.sources\n", encoding="utf-8")
        await pilot.press("g")
        await settle(pilot)
        errors = [n for n in app._notifications if n.severity == "error"]
        assert len(errors) == 1 and "review.toml" in errors[0].message and "keeping the settings" in errors[0].message
        assert "\n" not in errors[0].message
        assert fresh_ws.config.title == "TUI test review"
        fresh_ws.path("review.toml").write_text(good + '\n[prisma.sources]\nEmbase = "citation"\n', encoding="utf-8")
        await pilot.press("1")  # a screen switch reads it too
        await settle(pilot)
        assert app.screen.data.other_methods == 6


@async_test
async def test_a_broken_edit_a_worker_reads_first_is_said_at_once(fresh_ws: Workspace) -> None:
    """A worker (a retrain reads [prisma.sources]) took in the broken edit: the app went on with the settings
    read before and said nothing until the next focus, screen switch or recount."""
    async with open_app(fresh_ws, "alice", size=(100, 32)) as (app, pilot):
        good = fresh_ws.path("review.toml").read_text(encoding="utf-8")
        fresh_ws.path("review.toml").write_text(good + "\n[prisma.sources\n", encoding="utf-8")
        worker = threading.Thread(target=lambda: fresh_ws.config)
        worker.start()
        worker.join()
        await settle(pilot)
        errors = [n.message for n in app._notifications if n.severity == "error"]
        assert len(errors) == 1 and "review.toml" in errors[0] and "keeping the settings" in errors[0], errors
        await pilot.press("g")  # (said once: a recount does not say it again)
        await settle(pilot)
        assert len([n for n in app._notifications if n.severity == "error"]) == 1


@async_test
async def test_keys_apply_at_once_and_start_up_settings_say_they_need_a_restart(fresh_ws: Workspace) -> None:
    async with open_app(fresh_ws, "alice", size=(100, 32)) as (app, pilot):
        _append(fresh_ws, '\n[tui.keys]\n"app.browser" = "b"\n')
        text = fresh_ws.path("review.toml").read_text(encoding="utf-8")
        fresh_ws.path("review.toml").write_text(text.replace('retrain = "thread"', 'retrain = "process"'),
                                                encoding="utf-8")
        app.post_message(__import__("textual.events", fromlist=["AppFocus"]).AppFocus())  # back from the editor
        await settle(pilot)
        assert any("tui.retrain changed: restart review" in m for m in _messages(app)), _messages(app)
        await pilot.press("b")
        await settle(pilot)
        assert isinstance(app.screen, BrowserScreen)


@async_test
async def test_the_dashboards_own_stopping_rule_switch_is_not_reported_as_an_edit(fresh_ws: Workspace) -> None:
    async with open_app(fresh_ws, "alice", size=(100, 32)) as (app, pilot):
        await pilot.press("t")
        await settle(pilot)
        assert app.project.session.stopping_rule == "certified"
        assert not any("restart" in m or "read again" in m for m in _messages(app)), _messages(app)


@async_test
async def test_the_stopping_rule_switch_says_it_is_every_reviewers(fresh_ws: Workspace) -> None:
    # walk31: ben's t wrote stopping_rule = "certified" into review.toml, the rule of ann's verdicts too (her
    # status at once, her window once reopened), and said only "Certified rule: confirms recall with a random …".
    async with open_app(fresh_ws, "alice", size=(100, 32)) as (app, pilot):
        await pilot.press("t")
        await settle(pilot)
        said = [m for m in _messages(app) if m.startswith("Certified rule")]
        assert said and "every reviewer of this review (alice, bob)" in said[-1], _messages(app)


@async_test
async def test_the_screening_queue_follows_an_edited_prisma_sources_in_view_and_under_a_modal(fresh_ws: Workspace) -> None:
    """It said "prisma.sources in use now" but went on serving the six Embase records."""
    async with open_app(fresh_ws, "alice", "screening", size=(100, 32)) as (app, pilot):
        screen = app.screen
        assert isinstance(screen, ScreeningScreen)
        assert "Screened 0 / 12" in str(screen.query_one("#counts").render())
        good = fresh_ws.path("review.toml").read_text(encoding="utf-8")
        _append(fresh_ws, '\n[prisma.sources]\nEmbase = "citation"\n')
        app.post_message(AppFocus())  # back from the editor
        await settle(pilot)
        assert any("prisma.sources in use now" in m for m in _messages(app))
        assert "Screened 0 / 6" in str(screen.query_one("#counts").render())
        assert screen.current is not None and app.project.session.is_to_screen(screen.current.id)
        # Under a modal: the screen below follows when it shows again.
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        fresh_ws.path("review.toml").write_text(good, encoding="utf-8")
        app.post_message(AppFocus())
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen
        assert "Screened 0 / 12" in str(screen.query_one("#counts").render())


@async_test
async def test_editing_back_a_setting_the_app_wrote_needs_a_restart(fresh_ws: Workspace) -> None:
    """t wrote certified and the session follows it: an edit back to recommended is not in use."""
    path = fresh_ws.path("review.toml")
    path.write_text(path.read_text(encoding="utf-8").replace('model = "logistic"', 'model = "logistic"\nstopping_rule = "recommended"'),
                    encoding="utf-8")  # (as the app opened it: compared with that, the edit back looked undone)
    fresh_ws = Workspace(fresh_ws.root)
    async with open_app(fresh_ws, "alice", size=(100, 32)) as (app, pilot):
        await pilot.press("t")
        await settle(pilot)
        text = fresh_ws.path("review.toml").read_text(encoding="utf-8")
        assert 'stopping_rule = "certified"' in text
        fresh_ws.path("review.toml").write_text(text.replace('"certified"', '"recommended"'), encoding="utf-8")
        await pilot.press("g")
        await settle(pilot)
        assert any("screening.stopping_rule changed: restart review" in m for m in _messages(app)), _messages(app)
        assert not any("in use now" in m for m in _messages(app)), _messages(app)


@async_test
async def test_an_edited_seed_needs_a_restart_and_refused_keys_are_not_in_use(fresh_ws: Workspace) -> None:
    async with open_app(fresh_ws, "alice", size=(100, 32)) as (app, pilot):
        text = fresh_ws.path("review.toml").read_text(encoding="utf-8")
        assert "seed = 11" in text
        fresh_ws.path("review.toml").write_text(text.replace("seed = 11", "seed = 12")
                                                + '\n[tui.keys]\n"app.browser" = 5\n', encoding="utf-8")
        await pilot.press("g")
        await settle(pilot)
        messages = _messages(app)
        assert any("review.seed changed: restart review" in m for m in messages), messages
        assert any("keeping the keys as they were" in m for m in messages), messages
        assert not any("tui.keys in use now" in m for m in messages), messages


@async_test
async def test_a_second_dashboard_action_is_refused_while_one_runs(fresh_ws: Workspace, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """p then d ran both, and the first one's end cleared the second's job line."""
    release, ran = threading.Event(), []

    def slow(workspace: Workspace, reviewer: str, say: actions.Say = actions._silent) -> str:
        ran.append("slow")
        say("halfway")
        release.wait(10)
        return "done"

    def other(workspace: Workspace, reviewer: str, say: actions.Say = actions._silent) -> str:
        ran.append("other")
        return "other done"

    monkeypatch.setattr(dashboard_jobs, "ACTIONS", (actions.PipelineAction("p", "Search PubMed", slow),
                                               actions.PipelineAction("d", "Deduplicate", other)))
    async with open_app(fresh_ws, "alice", size=(100, 32)) as (app, pilot):
        app.screen.action_run("p")
        for _ in range(50):
            await pilot.pause(0.01)
            if "halfway" in str(app.screen.query_one("#job", Static).render()):
                break
        app.screen.action_run("d")
        await pilot.pause()
        assert any("Deduplicate not started" in m for m in _messages(app)), _messages(app)
        release.set()
        await settle(pilot)
        assert ran == ["slow"]


@async_test
async def test_an_empty_screening_queue_follows_an_edit_that_brings_records_back(fresh_ws: Workspace) -> None:
    """With nothing shown, the resume returned early: "nothing left" until a restart."""
    good = fresh_ws.path("review.toml").read_text(encoding="utf-8")
    _append(fresh_ws, '\n[prisma.sources]\nEmbase = "citation"\nPubMed = "citation"\n')
    async with open_app(Workspace(fresh_ws.root), "alice", "screening", size=(100, 32)) as (app, pilot):
        screen = app.screen
        assert isinstance(screen, ScreeningScreen) and screen.current is None
        fresh_ws.path("review.toml").write_text(good, encoding="utf-8")
        app.post_message(AppFocus())
        await settle(pilot)
        assert screen.current is not None and app.project.session.is_to_screen(screen.current.id)
        assert "Screened 0 / 12" in str(screen.query_one("#counts").render())


def _count_gathers(monkeypatch) -> list[int]:  # type: ignore[no-untyped-def]
    calls: list[int] = []
    real = dashboard.gather

    def counted(project):  # type: ignore[no-untyped-def]
        calls.append(1)
        return real(project)

    monkeypatch.setattr(dashboard, "gather", counted)
    return calls


@async_test
async def test_a_switch_after_an_edit_loads_the_screen_once(fresh_ws: Workspace, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The switch resumed the dashboard, and the settings follow's end resumed it again."""
    calls = _count_gathers(monkeypatch)
    async with open_app(fresh_ws, "alice", "screening", size=(100, 32)) as (app, pilot):
        await pilot.press("1")
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        before = len(calls)
        _append(fresh_ws, '\n[prisma.sources]\nEmbase = "citation"\n')
        await pilot.press("1")
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)
        assert len(calls) == before + 1
        assert app.screen.data.other_methods == 6  # (counted after the queue followed)


@async_test
async def test_the_stopping_rule_key_counts_once(fresh_ws: Workspace, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    calls = _count_gathers(monkeypatch)
    async with open_app(fresh_ws, "alice", size=(100, 32)) as (app, pilot):
        await settle(pilot)
        before = len(calls)
        _append(fresh_ws, '\n[prisma.sources]\nEmbase = "citation"\n')  # (read with t's write: a follow)
        await pilot.press("t")
        await settle(pilot)
        assert len(calls) == before + 1
        assert "Certified rule" in str(app.screen.query_one("#stop", Static).render())
        assert app.screen.data.other_methods == 6


@async_test
async def test_a_failing_set_aside_refresh_is_one_notification_on_the_dashboard(fresh_ws: Workspace, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from review.errors import ReviewError
    from review.tui.project import Project

    def busy(self):  # type: ignore[no-untyped-def]
        raise ReviewError("the store is busy (test)")

    async with open_app(fresh_ws, "alice", size=(100, 32)) as (app, pilot):
        monkeypatch.setattr(Project, "refresh_set_aside", busy)
        _append(fresh_ws, '\n[prisma.sources]\nEmbase = "citation"\n')
        await pilot.press("g")
        await settle(pilot)
        assert app.is_running
        assert sum("store is busy (test)" in m for m in _messages(app)) == 1, _messages(app)


@async_test
async def test_a_busy_store_at_the_screening_follow_is_one_notification_and_keeps_the_record(fresh_ws: Workspace, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from review.errors import ReviewError
    from review.tui.project import Project
    from review.tui.screens import screening

    def busy(*args):  # type: ignore[no-untyped-def]
        raise ReviewError("the store is busy (test)")

    async with open_app(fresh_ws, "alice", "screening", size=(100, 32)) as (app, pilot):
        screen = app.screen
        assert isinstance(screen, ScreeningScreen) and screen.current is not None
        shown = screen.current.id
        monkeypatch.setattr(Project, "refresh_set_aside", busy)
        monkeypatch.setattr(screening, "decided_among", busy)
        _append(fresh_ws, '\n[prisma.sources]\nEmbase = "citation"\n')
        app.post_message(AppFocus())
        await settle(pilot)
        assert app.is_running and screen.current is not None and screen.current.id == shown
        assert sum("store is busy (test)" in m for m in _messages(app)) == 1, _messages(app)
        await pilot.press("question_mark")  # back from a modal: Textual's own resume, on the UI thread
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert app.is_running and app.screen is screen and screen.current.id == shown
        assert sum("store is busy (test)" in m for m in _messages(app)) == 1, _messages(app)


@async_test
async def test_an_edit_a_worker_read_first_is_still_reported_once(fresh_ws: Workspace) -> None:
    """workspace.config follows the file at any use: a read in a worker took the edit in before the app's
    check, which compared the new settings with themselves and said nothing."""
    async with open_app(fresh_ws, "alice", size=(100, 32)) as (app, pilot):
        _append(fresh_ws, '\n[pubmed]\nemail = "alice@example.org"\n')
        assert fresh_ws.config.section("pubmed")["email"] == "alice@example.org"  # (a worker's use)
        await pilot.press("g")
        await settle(pilot)
        assert [m for m in _messages(app) if "pubmed.email in use now" in m], _messages(app)
        await pilot.press("g")
        await settle(pilot)
        assert len([m for m in _messages(app) if "pubmed.email" in m]) == 1


@async_test
async def test_an_edited_store_location_says_restart_and_keeps_the_open_store(fresh_ws: Workspace) -> None:
    async with open_app(fresh_ws, "alice", size=(100, 32)) as (app, pilot):
        url, store = fresh_ws.database_url, fresh_ws.store
        text = fresh_ws.path("review.toml").read_text(encoding="utf-8")
        fresh_ws.path("review.toml").write_text(text.replace('database = "review.db"', 'database = "elsewhere.db"'),
                                                encoding="utf-8")
        await pilot.press("g")
        await settle(pilot)
        lines = [m for m in _messages(app) if "review.database" in m or "another store" in m]
        assert len(lines) == 1 and "restart review" in lines[0] and "review.db" in lines[0], _messages(app)
        assert fresh_ws.database_url == url and fresh_ws.store is store
        assert isinstance(app.screen, DashboardScreen) and app.screen.data.progress.total == 12
        assert not fresh_ws.path("elsewhere.db").exists()


@async_test
async def test_a_bad_setting_edited_in_is_named_by_its_line_as_the_command_line_names_it(fresh_ws: Workspace) -> None:
    """A bad review.toml value the dashboard reads: one notification naming the file, the key's line and the key,
    the same words as ``review prisma`` prints (the engines that check a setting see its table, not the file)."""
    async with open_app(fresh_ws, "alice", size=(100, 32)) as (app, pilot):
        _append(fresh_ws, '\n[prisma.sources]\nEmbase = "bogus"\n')
        line = len(fresh_ws.path("review.toml").read_text(encoding="utf-8").splitlines())  # the key's: the last
        await pilot.press("g")
        await settle(pilot)
        errors = [n.message for n in app._notifications if n.severity == "error"]
        expected = f"{fresh_ws.config_path}:prisma.sources.Embase: 'bogus': expected one of"
        assert len(errors) == 1 and errors[0].startswith(expected) and errors[0].endswith(f" (line {line})"), errors


def test_a_table_no_stage_reads_or_a_misspelt_tui_key_edited_in_is_said_not_used(workspace: Workspace) -> None:
    # rrev24b: an edit adding [Screening] or `[tui] blnd` read 'review.toml read again: Screening.stopping_rule in
    # use now' while nothing reads them (the command line warns of such a table and refuses such a key at start).
    from review.tui.settings import SettingsWatcher

    watcher = SettingsWatcher(workspace)
    _append(workspace, '\n[Screening]\nstopping_rule = "certified"\n\n[tui]\nblnd = true\n\n[prisma.sources]\n'
                       'Embase = "citation"\n')
    change = watcher.check()
    lines = workspace.config_path.read_text(encoding="utf-8").splitlines()
    path, unread = workspace.config_path, "no setting review reads (misspelt?), not used"
    # each named as a refusal of a setting is, PATH:KEY: what (line N) (it read 'review.toml: Screening.stopping_rule,
    # tui.blnd: no setting …', no path, no line)
    assert change.message() == (f"{path}:Screening.stopping_rule: {unread} (line {lines.index('[Screening]') + 2}); "
                                f"{path}:tui.blnd: {unread} (line {lines.index('blnd = true') + 1}); "
                                "review.toml read again: prisma.sources in use now")
    assert change.unread == ("Screening.stopping_rule", "tui.blnd")


def test_a_key_its_stage_refuses_edited_in_is_said_not_used(workspace: Workspace) -> None:
    # rrev24c: a misspelt [synthesis], [dedup] or [screening] key edited in read 'in use now' (the stage refuses it,
    # naming its line, when it next runs); a known key beside them is in use.
    from review.tui.settings import SettingsWatcher, checked_line

    watcher = SettingsWatcher(workspace)
    _append(workspace, '\n[synthesis]\nconsistancy = 0.75\nunrated_as = "low"\n\n[dedup]\nrelatd = "merge"\n'
                       '\n[screening]\ntarget_recal = 0.9\n')
    change = watcher.check()
    assert change.unread == ("dedup.relatd", "screening.target_recal", "synthesis.consistancy")
    # (synthesis.unrated_as is checked as review synthesis checks its table, which refuses the misspelt key: named
    # already, so the check adds no line)
    lines = workspace.config_path.read_text(encoding="utf-8").splitlines()
    assert change.message() == "; ".join([
        *(f"{workspace.config_path}:{name}: no setting review reads (misspelt?), not used (line {lines.index(key) + 1})"
          for name, key in (("dedup.relatd", 'relatd = "merge"'), ("screening.target_recal", "target_recal = 0.9"),
                            ("synthesis.consistancy", "consistancy = 0.75")))])
    assert change.checking == ("synthesis.unrated_as",)
    assert checked_line(workspace, change) == ("", True)


@async_test
async def test_a_synthesis_value_its_stage_refuses_edited_in_is_named_by_its_line_at_once(fresh_ws: Workspace) -> None:
    """tui31: `[synthesis] consistency = "high"` edited in read 'review.toml read again: synthesis.consistency in use
    now' (nothing in the app reads [synthesis]) until review synthesis refused it; now the check review synthesis
    makes names it at the first reading of the file, in the command line's words, and a fix is in use."""
    async with open_app(fresh_ws, "alice", size=(100, 32)) as (app, pilot):
        _append(fresh_ws, '\n[synthesis]\nconsistency = "high"\n')
        line = len(fresh_ws.path("review.toml").read_text(encoding="utf-8").splitlines())
        await pilot.press("g")
        await settle(pilot)
        assert not any("in use now" in m for m in _messages(app)), _messages(app)
        errors = [n.message for n in app._notifications if n.severity == "error"]
        assert errors == [f"{fresh_ws.config_path}:synthesis.consistency: 'high': expected a number (line {line}); "
                          "review synthesis refuses it until it is fixed"], errors
        text = fresh_ws.path("review.toml").read_text(encoding="utf-8")
        fresh_ws.path("review.toml").write_text(text.replace('"high"', "0.8"), encoding="utf-8")
        await pilot.press("g")
        await settle(pilot)
        assert _messages(app)[-1] == "review.toml read again: synthesis.consistency in use now", _messages(app)
        assert len([n for n in app._notifications if n.severity == "error"]) == 1


@async_test
async def test_a_table_no_stage_reads_is_one_notification_when_the_app_opens(fresh_ws: Workspace) -> None:
    # rrev24b: the command line's warning (f1e2b708) went to stderr under the app's screen, unseen while it ran.
    _append(fresh_ws, '\n[Screening]\nstopping_rule = "certified"\n')
    async with open_app(fresh_ws, "alice", size=(100, 32)) as (app, pilot):
        await settle(pilot)
        said = [m for m in _messages(app) if "no table review reads" in m]
        line = fresh_ws.config_path.read_text(encoding="utf-8").splitlines().index("[Screening]") + 1
        assert said == [f"{fresh_ws.config_path}:Screening: no table review reads (known: review, pubmed, dedup, "
                        "screening, fulltext, prisma, extraction, synthesis, instrument, tui); its settings are not "
                        f"used (line {line})"]


def test_a_dedup_value_its_stage_refuses_edited_in_is_named_by_its_line(workspace: Workspace) -> None:
    # tui31: `[dedup] related = "bogus"` read 'review.toml read again: dedup.related in use now' until `d` ran dedup,
    # which refused it; a [synthesis] value beside it that review synthesis takes is in use.
    from review.tui.settings import SettingsWatcher, checked_line

    watcher = SettingsWatcher(workspace)
    _append(workspace, '\n[dedup]\nrelated = "bogus"\n\n[synthesis]\nconsistency = 0.8\n')
    change = watcher.check()
    assert change.checking == ("dedup.related", "synthesis.consistency") and change.message() == ""
    line = workspace.config_path.read_text(encoding="utf-8").splitlines().index('related = "bogus"') + 1
    assert checked_line(workspace, change) == (
        f"{workspace.config_path}:dedup.related: 'bogus': expected 'link' or 'merge' (line {line}); review dedup refuses "
        "it until it is fixed; review.toml read again: synthesis.consistency in use now", True)


def test_a_pubmed_or_fulltext_value_its_command_refuses_edited_in_is_named_by_its_line(workspace: Workspace) -> None:
    # toml32: `[pubmed] rate_per_second = -1` or a misspelt `[fulltext] reason` edited in read 'review.toml read
    # again: … in use now' (until review search, or a full-text exclusion, refused it), where [synthesis], [extraction]
    # and [dedup] were named at once; a [pubmed] value review search takes is in use.
    from review.tui.settings import SettingsWatcher, checked_line

    watcher = SettingsWatcher(workspace)
    _append(workspace, '\n[pubmed]\nrate_per_second = -1\n\n[fulltext]\nreason = ["Wrong population"]\n')
    change = watcher.check()
    lines = workspace.config_path.read_text(encoding="utf-8").splitlines()
    reason_line = lines.index('reason = ["Wrong population"]') + 1
    # (a misspelt key is named as not used at once, as a misspelt [dedup] key is)
    assert change.unread == ("fulltext.reason",) and change.checking == ("pubmed.rate_per_second",)
    assert change.message() == (f"{workspace.config_path}:fulltext.reason: no setting review reads (misspelt?), not "
                                f"used (line {reason_line})")
    assert checked_line(workspace, change) == (
        f"{workspace.config_path}:pubmed.rate_per_second: -1: expected requests per second, 0 or more (0: unpaced, "
        f"for a local stand-in) (line {lines.index('rate_per_second = -1') + 1}); review search refuses it until it is "
        "fixed", True)
    text = workspace.config_path.read_text(encoding="utf-8")
    workspace.config_path.write_text(text.replace("rate_per_second = -1", "rate_per_second = 2"), encoding="utf-8")
    change = watcher.check()
    assert change.checking == ("pubmed.rate_per_second",) and change.message() == ""
    assert checked_line(workspace, change) == ("review.toml read again: pubmed.rate_per_second in use now", False)


def test_a_misspelt_key_mended_is_not_named_as_not_used_again(workspace: Workspace) -> None:
    # toml32: mending `[fulltext] reason` to `reasons` read '…:fulltext.reason: no setting review reads (misspelt?),
    # not used (line N)' once more (the key's removal counted as an edit of it, at its table's line) beside the mended
    # key in use; a key nothing reads that is gone changes nothing in use.
    from review.tui.settings import SettingsWatcher, checked_line

    _append(workspace, '\n[fulltext]\nreason = ["Wrong population"]\n\n[Screening]\nstopping_rule = "certified"\n')
    watcher = SettingsWatcher(workspace)
    text = workspace.config_path.read_text(encoding="utf-8")
    workspace.config_path.write_text(text.replace("reason =", "reasons =").replace('\n[Screening]\nstopping_rule = '
                                                                                     '"certified"\n', ""),
                                     encoding="utf-8")
    change = watcher.check()
    assert change.unread == () and change.changed == ("fulltext.reasons",) and change.message() == "", change
    assert checked_line(workspace, change) == ("review.toml read again: fulltext.reasons in use now", False)


@async_test
async def test_values_their_stages_refuse_already_there_are_named_when_the_app_opens(fresh_ws: Workspace) -> None:
    # tuiopen32: a bad value edited in while the app was open was named at once, one there when it opened only when
    # its stage ran (`d`, review synthesis); review status names them in these words.
    _append(fresh_ws, '\n[dedup]\nrelated = "bogus"\n\n[synthesis]\nconsistency = "high"\n')
    lines = fresh_ws.config_path.read_text(encoding="utf-8").splitlines()
    related, consistency = lines.index('related = "bogus"') + 1, lines.index('consistency = "high"') + 1
    async with open_app(fresh_ws, "alice", size=(100, 32)) as (app, pilot):
        await settle(pilot)
        await app.workers.wait_for_complete()
        await settle(pilot)
        errors = [n.message for n in app._notifications if n.severity == "error"]
        assert errors == [
            f"{fresh_ws.config_path}:dedup.related: 'bogus': expected 'link' or 'merge' "
            f"(line {related}); review dedup refuses it until it is fixed; "
            f"{fresh_ws.config_path}:synthesis.consistency: 'high': expected a number "
            f"(line {consistency}); review synthesis refuses it until it is fixed"], errors


def test_the_checks_said_when_the_app_opens_load_neither_numpy_nor_scipy(workspace: Workspace) -> None:
    """They run beside the first screen's loading: the synthesis modules' numpy and scipy take a second to import."""
    import subprocess
    import sys

    _append(workspace, '\n[dedup]\nrelated = "bogus"\n\n[synthesis]\nconsistency = "high"\n\n[fulltext]\nreasons = 3\n'
                       '\n[pubmed]\ntimeout = -1\n')
    code = ("import sys; from review.services.workspace import refused_settings; from review.workspace import Workspace\n"
            f"print(len(refused_settings(Workspace({str(workspace.root)!r}))))\n"
            "print(sorted(m for m in ('numpy', 'scipy', 'sklearn') if m in sys.modules))")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["4", "[]"], run.stdout
