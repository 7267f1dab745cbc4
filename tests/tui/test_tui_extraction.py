"""Pilot tests of the extraction form screen (key 7): edit a study, save to file and store."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual.widgets import DataTable, Input

from review.extraction import Estimate, load_study, save_study
from review.store import extraction as tables
from review.tui.screens.extraction import ExtractionScreen, estimate_cells, parse_value
from review.workspace import Workspace
from tui_workspace import async_test, open_app, settle, write_arends_study

SIZE = (110, 34)
def _study_file(ws: Workspace) -> Path:
    return write_arends_study(ws, estimates=[Estimate(factor="age", contrast="per year", estimate_type="adjusted",
                                                      source_location="Abstract, Results", measure="HR",
                                                      estimate=1.02, ci_low=1.01, ci_high=1.04)])


async def _set(pilot, app, field: str, value: str) -> None:  # type: ignore[no-untyped-def]
    box = app.screen.query_one(f"#field-{field}", Input)
    box.value = value
    await pilot.pause()


def test_parse_value_keeps_bad_text_for_validation() -> None:
    assert parse_value("12", "integer") == 12
    assert parse_value("12x", "integer") == "12x"
    assert parse_value("", "string") is None
    assert parse_value("1.5", "number") == 1.5
    assert parse_value("yes", "boolean") is True


@async_test
async def test_extraction_form_saves_file_and_store(tui_ws: Workspace) -> None:
    path = _study_file(tui_ws)
    async with open_app(tui_ws, "alice", size=SIZE) as (app, pilot):
        await pilot.press("7")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ExtractionScreen)
        assert screen.current == path
        assert screen.query_one("#field-n", Input).value == "158"
        assert screen.query_one("#field-id", Input).disabled
        assert screen.query_one("#estimate-table", DataTable).row_count == 1
        await _set(pilot, app, "n", "160")
        await _set(pilot, app, "follow_up", "4 years")
        screen.query_one("#field-country", Input).focus()
        await pilot.press("ctrl+s")
        await settle(pilot)
        saved = load_study(path)
        assert saved.n == 160 and saved.follow_up == "4 years"
        assert len(saved.estimates) == 1 and saved.estimates[0].estimate == 1.02
        version = tables.study_version(tui_ws.store, "arends2014", "")
        assert version is not None
        assert version.data["study"]["n"] == 160 and version.data["study"]["follow_up"] == "4 years"
        # Typing in a field does not trigger other keys (q quits, 1 switches screens elsewhere).
        await pilot.press("7", "q")
        assert isinstance(app.screen, ExtractionScreen)
        assert screen.query_one("#field-country", Input).value.endswith("7q")


@async_test
async def test_opening_the_form_stores_a_file_the_store_is_behind(tui_ws: Workspace) -> None:
    """The file one version ahead of the store, as a save killed between its two writes leaves it
    (tests/extraction/test_killed_save.py kills a real one): opening the form stores the file."""
    from review.services.extraction import load_folder, read_study_file

    path = _study_file(tui_ws)
    load_folder(tui_ws, path.parent.parent)
    path.write_text(path.read_text(encoding="utf-8").replace("n = 158", "n = 160"), encoding="utf-8")
    async with open_app(tui_ws, "alice", "extraction", size=SIZE) as (app, pilot):
        await settle(pilot)
        assert any(n.title == "Store updated" and "arends2014" in n.message for n in app._notifications)
    version = tables.study_version(tui_ws.store, "arends2014", "")
    assert version is not None and version.data == read_study_file(path) and version.data["study"]["n"] == 160


@async_test
async def test_extraction_form_invalid_value_writes_nothing(tui_ws: Workspace) -> None:
    path = _study_file(tui_ws)
    before = path.read_bytes()
    async with open_app(tui_ws, "alice", "extraction", size=SIZE) as (app, pilot):
        await _set(pilot, app, "n", "about 160")
        await pilot.press("f2")
        await settle(pilot)
        lines = before.decode().splitlines()
        n_line = lines.index("n = 158") + 1
        country_line = next(i for i, line in enumerate(lines, start=1) if line.startswith("country ="))
        messages = [n.message for n in app._notifications]
        # each message names the line of the field in the file, as 'review extraction validate' does
        assert any(f"study.n: expected integer, got str 'about 160' (line {n_line})" in m for m in messages), messages
        assert all(n.severity == "error" for n in app._notifications)
        await _set(pilot, app, "n", "160")
        await _set(pilot, app, "country", "")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert any(f"study.country: required field is missing (line {country_line})" in n.message
                   for n in app._notifications), [n.message for n in app._notifications]
    assert path.read_bytes() == before
    assert tables.study_version(tui_ws.store, "arends2014", "") is None


@async_test
async def test_without_study_files_the_form_takes_no_typing_and_ctrl_s_says_why(tui_ws: Workspace) -> None:
    """The empty form took typing, and ctrl+s only rang the bell: what was typed was lost. Without a study file
    the form has no inputs at all (mounting the default form's 21 took about half the screen's first visit);
    a study file added shows them at ctrl+r."""
    async with open_app(tui_ws, "alice", "extraction", size=(80, 24)) as (app, pilot):
        screen = app.screen
        assert isinstance(screen, ExtractionScreen) and screen.current is None
        assert not screen.query("#study-form Input")
        assert screen.query_one("#study-form").disabled
        await pilot.press("x")
        assert not isinstance(app.focused, Input)
        await pilot.press("ctrl+s")
        await pilot.pause()
        (note,) = [n for n in app._notifications if n.title == "Nothing to save"]
        assert "extraction/studies/<id>.toml" in note.message
        await pilot.press("ctrl+r")  # nothing there yet: said, not silence (the screen looked the same)
        await settle(pilot)
        assert list(app._notifications)[-1].message == "Read again: 0 study files in extraction/studies/"
        _study_file(tui_ws)
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert screen.query_one("#field-country", Input).value and not screen.query_one("#study-form").disabled
        assert list(app._notifications)[-1].message == "Read again: 1 study file in extraction/studies/"


@async_test
async def test_a_save_the_store_refuses_is_a_warning_that_the_file_is_saved(tui_ws: Workspace,
                                                                           monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The file written, the store refusing (busy, moved): not 'Save failed' but its own warning."""
    from review.errors import ReviewError
    from review.extraction import loading

    path = _study_file(tui_ws)
    async with open_app(tui_ws, "alice", "extraction", size=SIZE) as (app, pilot):
        await settle(pilot)

        def busy(*args: object, **kwargs: object) -> bool:
            raise ReviewError("store busy")

        monkeypatch.setattr(loading, "store_study", busy)
        await _set(pilot, app, "n", "160")
        app.screen.query_one("#field-country", Input).focus()
        await pilot.press("ctrl+s")
        await settle(pilot)
        notes = [n for n in app._notifications if "store busy" in n.message]
        assert [(n.title, n.severity) for n in notes] == [("Saved, not stored", "warning")]
        assert "saved, but not stored" in notes[0].message
    assert load_study(path).n == 160


@async_test
async def test_the_form_shows_each_estimates_direction_and_the_quips_ratings_with_support(tui_ws: Workspace) -> None:
    from textual.widgets import Label

    path = _study_file(tui_ws)
    domains = ("participation", "attrition", "factor_measurement", "outcome_measurement", "confounding", "analysis")
    path.write_text(path.read_text(encoding="utf-8") + "\n[quips.alice]\n" + "".join(
        f'{d} = "{"moderate" if d == "attrition" else "low"}"\n{d}_note = "{d} as the paper reports it"\n'
        for d in domains), encoding="utf-8")
    async with open_app(tui_ws, "alice", "extraction", size=SIZE) as (app, pilot):
        await settle(pilot)
        screen = app.screen
        estimates = screen.query_one("#estimate-table", DataTable)
        assert str(estimates.get_row_at(0)[-1]) == "risk"  # HR 1.02 (1.01-1.04) for recurrence
        quips = screen.query_one("#quips-table", DataTable)
        assert quips.row_count == 6
        assert [str(cell) for cell in quips.get_row_at(1)] == ["alice", "attrition", "moderate",
                                                               "attrition as the paper reports it"]
        title = str(screen.query_one("#quips-title", Label).render())
        assert "risk of bias: low (rated by alice only; rule grooten: low if ≤1 moderate" in title
        # review.toml's rule is read once per reload, not again for every study highlighted
        second = path.with_name("zeta2020.toml")
        second.write_text(path.read_text(encoding="utf-8").replace('"arends2014"', '"zeta2020"'), encoding="utf-8")
        await pilot.press("ctrl+r")
        await settle(pilot)
        import review.services.extraction as module

        reads = []
        original = module.collapse_rule
        module.collapse_rule = lambda folder: reads.append(folder) or original(folder)  # type: ignore[assignment]
        try:
            screen.show_study(second)
            screen.show_study(path)
            screen.show_study(second)
            await settle(pilot)
        finally:
            module.collapse_rule = original  # type: ignore[assignment]
        assert reads == [] and screen.current == second
        assert "rule grooten" in str(screen.query_one("#quips-title", Label).render())


@async_test
async def test_the_form_saves_a_draft_and_a_file_with_problems_outside_its_fields(tui_ws: Workspace) -> None:
    """Half-rated QUIPS blocked every save of the form, though the form cannot edit QUIPS: it saves
    and stores as a draft. A malformed estimate (edited in the file) is kept, the file saved, not stored."""
    path = _study_file(tui_ws)
    path.write_text(path.read_text(encoding="utf-8") + '[quips.bob]\nparticipation = "low"\n', encoding="utf-8")
    async with open_app(tui_ws, "alice", "extraction", size=SIZE) as (app, pilot):
        await _set(pilot, app, "n", "160")
        await pilot.press("ctrl+s")
        await settle(pilot)
        draft = [n for n in app._notifications if n.title == "Saved (draft)"]
        assert draft and "quips.bob.participation_note: no support text" in draft[0].message, \
            [n.message for n in app._notifications]
        version = tables.study_version(tui_ws.store, "arends2014", "")
        assert version is not None and version.data["study"]["n"] == 160
        assert version.data["quips"] == {"bob": {"participation": "low"}}
        await pilot.press("ctrl+r")
        await settle(pilot)
        path.write_text(path.read_text(encoding="utf-8").replace('measure = "HR"', 'mesure = "HR"'), encoding="utf-8")
        await pilot.press("ctrl+r")
        await settle(pilot)
        await _set(pilot, app, "n", "161")
        await pilot.press("ctrl+s")
        await settle(pilot)
        refused = [n for n in app._notifications if n.title == "Saved, not stored"]
        assert refused and "estimates[1].mesure: unknown field" in refused[0].message
    text = path.read_text(encoding="utf-8")
    assert "n = 161" in text and 'mesure = "HR"' in text and "participation" in text
    version = tables.study_version(tui_ws.store, "arends2014", "")
    assert version is not None and version.data["study"]["n"] == 160


@async_test
async def test_a_broken_form_toml_is_one_line_and_the_default_form_not_a_crash(tui_ws: Workspace, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """load_form ran in compose: pressing 7 with a broken form.toml closed the app with a traceback."""
    from review.tui.screens import extraction

    reads: list[object] = []
    real_load_form = extraction.load_form
    monkeypatch.setattr(extraction, "load_form", lambda folder: reads.append(folder) or real_load_form(folder))
    path = _study_file(tui_ws)
    form = tui_ws.path("extraction", "form.toml")
    form.write_text('[study.id]\nrequired = true\n', encoding="utf-8")
    async with open_app(tui_ws, "alice", size=SIZE) as (app, pilot):
        await pilot.press("7")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ExtractionScreen) and screen.current == path
        (error,) = [n for n in app._notifications if n.severity == "error"]
        assert "form.toml:study.id: needs a type" in error.message and "\n" not in error.message
        assert screen.query_one("#field-n", Input).value == "158"  # the default form's fields
        assert reads[0] is not None and reads[1:] == [None]  # form.toml read once at opening (then the default)
        # Fixed (with a field more) while the screen is open: ctrl+r shows it, no restart needed.
        from review.extraction.forms import default_form_text

        form.write_text(default_form_text() + '\n[study.sponsor]\ntype = "text"\n', encoding="utf-8")
        screen.query_one("#field-n", Input).focus()  # (ctrl+r pressed while typing: that input is replaced)
        await pilot.pause()
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert isinstance(app.screen, ExtractionScreen) and screen.current == path
        assert screen.query_one("#field-sponsor", Input).value == ""
        assert screen.query_one("#field-n", Input).value == "158"
        focused = app.focused
        assert isinstance(focused, Input) and not focused.disabled and focused.parent is screen.query_one("#study-form")
        assert not any("restart" in n.message or "starts again" in n.message for n in app._notifications)


@async_test
async def test_the_study_list_has_the_focus_so_the_keyboard_alone_picks_a_study_and_saves(tui_ws: Workspace) -> None:
    """Nothing had the focus and tab went past the list into the form: a study could not be picked by keys."""
    from textual.widgets import ListView

    first = _study_file(tui_ws)
    second = first.with_name("koopmans2010.toml")
    second.write_text(first.read_text(encoding="utf-8").replace("arends2014", "koopmans2010"), encoding="utf-8")
    async with open_app(tui_ws, "alice", "extraction", size=(80, 24)) as (app, pilot):
        screen = app.screen
        assert isinstance(app.focused, ListView) and screen.current == first
        await pilot.press("down")
        await settle(pilot)
        assert screen.current == second
        await pilot.press("tab")
        assert isinstance(app.focused, (Input, type(screen.query_one("#study-form"))))
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert any("saved koopmans2010.toml" in n.message for n in app._notifications)


@async_test
async def test_the_estimates_fit_80_columns_and_the_highlighted_one_is_shown_whole(tui_ws: Workspace) -> None:
    """Ten columns scrolled sideways at 80 columns, the direction and the source out of view."""
    from textual.widgets import Static

    path = _study_file(tui_ws)
    path.write_text(path.read_text(encoding="utf-8").replace(
        'contrast = "per year"', 'contrast = "per year of age at the first episode"\nsubgroup = "women"'),
        encoding="utf-8")
    async with open_app(tui_ws, "alice", "extraction", size=(80, 24)) as (app, pilot):
        await settle(pilot)
        screen = app.screen
        table = screen.query_one("#estimate-table", DataTable)
        shown = [str(c.label) for c in table.ordered_columns]
        assert shown[:3] == ["factor", "effect", "direction"], shown
        assert sum(c.get_render_width(table) for c in table.ordered_columns) <= table.scrollable_content_region.width
        assert [str(cell) for cell in table.get_row_at(0)][:3] == ["age", "HR 1.02 (1.01–1.04)", "risk"]
        detail = str(screen.query_one("#estimate-detail", Static).render())
        for part in ("per year of age at the first episode [women]", "HR 1.02 (1.01–1.04)", "adjusted",
                     "risk", "Abstract, Results"):
            assert part in detail, (part, detail)
        await pilot.resize_terminal(160, 30)  # room for every column: no line under the table
        await settle(pilot)
        assert [str(c.label) for c in table.ordered_columns] == ["factor", "contrast", "effect", "type",
                                                                 "direction", "source"]
        assert not screen.query_one("#estimate-detail", Static).display
        # A cell is plain text: DataTable read a str cell as markup, and the subgroup "[women]" vanished as a tag.
        drawn = "\n".join(line.text for line in table.render_lines(table.region.reset_offset))
        assert "per year of age at the first episode [women]" in drawn, drawn


LONG_SOURCE = ("Table 3, multivariable Cox model adjusted for sex, education, occupational grade and prior "
               "sickness absence in the three years before baseline, page 26")


@async_test
async def test_a_long_estimate_is_shown_whole_under_the_table_at_80_by_24(tui_ws: Workspace) -> None:
    """The line under the table was capped at 4 lines: a long source was cut off at 80 columns."""
    from textual.widgets import Static

    path = _study_file(tui_ws)
    path.write_text(path.read_text(encoding="utf-8").replace(
        'source_location = "Abstract, Results"', f'source_location = "{LONG_SOURCE}"'), encoding="utf-8")
    async with open_app(tui_ws, "alice", "extraction", size=(80, 24)) as (app, pilot):
        await settle(pilot)
        widget = app.screen.query_one("#estimate-detail", Static)
        detail = str(widget.render())
        assert LONG_SOURCE in detail
        lines = Text(detail).wrap(app.console, widget.content_region.width)
        assert len(lines) > 4 and widget.content_region.height >= len(lines), (len(lines), widget.region)


@async_test
async def test_the_line_under_the_estimates_works_out_the_cut_once_per_study_and_width(
        tui_ws: Workspace, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Every cursor move on the estimates table compared every cell of every estimate with its column."""
    from textual.widgets import Static

    from review.tui.screens import extraction

    path = _study_file(tui_ws)
    study = load_study(path)
    study.estimates = [Estimate(factor="age", contrast=f"per {n} years of age at the first episode",
                                estimate_type="adjusted", source_location=f"Table {n}", measure="HR",
                                estimate=1.0 + n / 100, ci_low=1.0, ci_high=1.1) for n in range(1, 6)]
    save_study(study, path)
    checks: list[int] = []
    cuts = extraction.table_cuts
    monkeypatch.setattr(extraction, "table_cuts", lambda *args: (checks.append(1), cuts(*args))[1])
    async with open_app(tui_ws, "alice", "extraction", size=(80, 24)) as (app, pilot):
        await settle(pilot)
        screen = app.screen
        opened = len(checks)
        assert opened >= 1
        screen.query_one("#estimate-table", DataTable).focus()
        detail = screen.query_one("#estimate-detail", Static)
        for n in range(2, 6):
            await pilot.press("down")
            await pilot.pause()
            assert detail.display and f"Table {n}" in str(detail.render())
        assert len(checks) == opened  # the cursor moved four rows: no estimate compared again
        await pilot.resize_terminal(160, 30)  # another width: worked out again, and nothing is cut now
        await settle(pilot)
        assert len(checks) == opened + 1 and not detail.display


def test_the_effect_cell_names_a_ci_level_other_than_95_as_the_direction_beside_it_is_judged_at_95() -> None:
    # 'OR 1.5 (1.05–2.14)' stood beside 'null' with no sign the interval was a 90 % one.
    estimate = {"factor": "f", "measure": "OR", "estimate": 1.5, "ci_low": 1.05, "ci_high": 2.14, "ci_level": 0.9,
                "contrast": "x vs y", "estimate_type": "adjusted", "source_location": "Table 2"}
    cells = estimate_cells(estimate)
    assert (cells["effect"], cells["direction"]) == ("OR 1.5 (90 % CI 1.05–2.14)", "null")
    assert estimate_cells({**estimate, "ci_level": 0.975})["effect"] == "OR 1.5 (97.5 % CI 1.05–2.14)"
    assert estimate_cells({**estimate, "ci_level": 0.95})["effect"] == "OR 1.5 (1.05–2.14)"
    assert estimate_cells({**estimate, "ci_level": "90"})["effect"] == "OR 1.5 (1.05–2.14)"  # no level: the form says


@async_test
async def test_ctrl_r_reads_in_a_worker_says_so_and_keeps_what_is_typed_meanwhile(tui_ws: Workspace,
                                                                                   monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """ctrl+r read the store and the folder on the UI thread (4-18 ms for 15 study files, growing with them): now in
    a worker, held here to look at the screen meanwhile. What it reads and says is as before."""
    import threading

    from textual.widgets import Static

    from review.services.extraction import load_folder
    from review.tui.screens import extraction

    path = _study_file(tui_ws)
    load_folder(tui_ws, path.parent.parent)
    async with open_app(tui_ws, "alice", "extraction", size=SIZE) as (app, pilot):
        screen = app.screen
        assert isinstance(screen, ExtractionScreen)
        status = screen.query_one("#form-status", Static)
        shown = status.content
        release, threads = threading.Event(), []
        real = extraction.read_folder

        def held(workspace, folder, **options):  # type: ignore[no-untyped-def]
            threads.append(threading.current_thread())
            assert release.wait(10)
            return real(workspace, folder, **options)

        monkeypatch.setattr(extraction, "read_folder", held)
        path.write_text(path.read_text(encoding="utf-8").replace("n = 158", "n = 160"), encoding="utf-8")
        await _set(pilot, app, "follow_up", "typed before ctrl+r")  # read again from the file, as before
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert threads and threads[0] is not threading.main_thread()
        assert status.content == extraction.REREADING
        await _set(pilot, app, "country", "Belgium")  # typed while it reads: kept
        await pilot.press("ctrl+s")  # its look at the store could store the file twice: refused, said
        await pilot.pause()
        assert [n.title for n in app._notifications][-1] == "Nothing done"
        await pilot.press("ctrl+r")  # again while reading: read once more when this one lands
        release.set()
        await settle(pilot)
        assert len(threads) == 2
        assert screen.query_one("#field-n", Input).value == "160"
        assert screen.query_one("#field-follow_up", Input).value == ""
        assert screen.query_one("#field-country", Input).value == "Belgium"
        assert status.content == shown and not screen.rereading
        notes = [(n.title, n.message) for n in app._notifications]
        assert ("Store updated", "stored 1 study file(s) newer than the store: arends2014") in notes
        assert notes.count(("Extraction", "Read again: 1 study file in extraction/studies/")) == 2
    version = tables.study_version(tui_ws.store, "arends2014", "")
    assert version is not None and version.data["study"]["n"] == 160
    assert load_study(path).country == "Netherlands"  # the refused save wrote nothing


@async_test
async def test_a_reading_that_fails_is_one_line_and_ctrl_r_works_again(tui_ws: Workspace, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from textual.widgets import Static

    from review.tui.screens import extraction

    _study_file(tui_ws)
    async with open_app(tui_ws, "alice", "extraction", size=SIZE) as (app, pilot):
        screen = app.screen
        assert isinstance(screen, ExtractionScreen)
        shown = screen.query_one("#form-status", Static).content
        real = extraction.read_folder

        def unreadable(workspace, folder, **options):  # type: ignore[no-untyped-def]
            raise PermissionError(13, "Permission denied", str(folder / "studies"))

        monkeypatch.setattr(extraction, "read_folder", unreadable)
        await pilot.press("ctrl+r")
        await settle(pilot)
        (error,) = [n for n in app._notifications if n.severity == "error"]
        assert error.title == "PermissionError" and "Permission denied" in error.message
        assert screen.query_one("#form-status", Static).content == shown and not screen.rereading
        monkeypatch.setattr(extraction, "read_folder", real)
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert list(app._notifications)[-1].message == "Read again: 1 study file in extraction/studies/"
