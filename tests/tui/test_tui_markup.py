"""Text from the project (an imported file's source, a reason, an instrument's question) is drawn as it is
written: Rich and Textual read a ``str`` header, prompt or label as markup, so "[in Dutch]" vanished as a
style tag and "[@click=app.quit]x[/]" became a link that ran the app's action on a click."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.console import Console
from rich.text import Text
from textual.app import App
from textual.widgets import OptionList, Select

from review.dedup.decisions import BorderlinePair, FieldDifference
from review.records import Record
from review.tui.screens.dedup import pair_table
from review.tui.screens.modals import ReasonScreen
from tui_workspace import async_test, build_workspace, open_app, settle

ACTION = "[@click=app.quit]x[/]"
BRACKETS = "[in Dutch]"


def _drawn_options(options: OptionList) -> list[str]:
    """Each option as the list draws it (its prompt made visual the list's way), and whether a click runs
    anything: a ``@click`` in the text becomes a style's meta."""
    from textual.style import Style

    drawn = []
    for index in range(options.option_count):
        visual = options._get_visual(options.get_option_at_index(index))
        strips = visual.to_strips(options, visual, 60, None, Style())
        text = "".join(segment.text for strip in strips for segment in strip)
        clicks = any(segment.style is not None and "@click" in (segment.style.meta or {})
                     for strip in strips for segment in strip)
        drawn.append(text.rstrip() + (" <clickable>" if clicks else ""))
    return drawn


def test_the_pair_view_headers_show_the_source_as_written() -> None:
    left = Record(title="Burnout", source=ACTION, id=3)
    right = Record(title="Burnout", source=BRACKETS, id=4)
    pair = BorderlinePair(1, left, right, 0.9, "score 0.90", (FieldDifference("title", "Burnout", "Burnout", None, True),))
    console = Console(width=120, record=True, color_system=None)
    table = pair_table(pair)
    console.print(table)
    drawn = console.export_text()
    assert f"#3 · {ACTION}" in drawn and f"#4 · {BRACKETS}" in drawn, drawn
    for column in table.columns[1:]:  # no link either: the header's spans carry no click
        header = column.header
        assert isinstance(header, Text) and not any("@click" in str(span.style) for span in header.spans)


@async_test
async def test_the_source_filter_lists_the_sources_as_written(tmp_path: Path) -> None:
    workspace = build_workspace(tmp_path / "ws", 4, with_conflicts=False, with_pairs=False)
    for n, source in enumerate((ACTION, BRACKETS)):
        workspace.store.add_batch([Record(title=f"Record from {source}", pmid=f"3900000{n}")],
                                  file_name=f"s{n}.xml", file_sha256=str(n) * 64, source_name=source,
                                  format="pubmed-xml", encoding="utf-8")
    async with open_app(workspace, "alice", "browser", size=(120, 30)) as (app, pilot):
        select = app.screen.query_one("#filter-source", Select)
        drawn = _drawn_options(select.query_one(OptionList))
        assert ACTION in drawn and BRACKETS in drawn, drawn


class _ReasonApp(App[Any]):
    def on_mount(self) -> None:
        self.push_screen(ReasonScreen(["wrong population [adults]", ACTION]))


@async_test
async def test_the_reason_picker_lists_the_reasons_as_written(tmp_path: Path) -> None:
    app = _ReasonApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        drawn = _drawn_options(app.screen.query_one("#reasons", OptionList))
        assert drawn == ["1. wrong population [adults]", f"2. {ACTION}"], drawn


def _drawn_widget(widget: Any) -> str:
    """The widget's lines as drawn, with " <clickable>" when a click on them runs an action."""
    strips = widget.render_lines(widget.region.reset_offset)
    text = "\n".join(strip.text.rstrip() for strip in strips).strip()
    clicks = any(segment.style is not None and "@click" in (segment.style.meta or {})
                 for strip in strips for segment in strip)
    return text + (" <clickable>" if clicks else "")


class _QuestionApp(App[Any]):
    def compose(self) -> Any:
        from review.instrument.itembank import AnswerOption, Question
        from review.tui.screens.instrument_fill import QuestionBlock

        question = Question("q", "work", f"Werkt u {BRACKETS}? {ACTION}", "", "choice",
                            [AnswerOption("yes", f"ja {BRACKETS} {ACTION}", "", "risk", 1.0)],
                            help_nl=f"hulp {BRACKETS} {ACTION}")
        yield QuestionBlock(question, "nl", None)


@async_test
async def test_an_instrument_question_label_help_and_option_show_as_written(tmp_path: Path) -> None:
    from textual.widgets import Label, RadioButton, Static

    app = _QuestionApp()
    async with app.run_test(size=(100, 24)) as pilot:
        await settle(pilot)
        label = app.query_one(".question-text", Label)
        help_text = app.query_one(".question-help", Static)
        option = app.query_one(RadioButton)
        assert _drawn_widget(label) == f"Werkt u {BRACKETS}? {ACTION}"
        assert _drawn_widget(help_text) == f"hulp {BRACKETS} {ACTION}"
        assert _drawn_widget(option).endswith(f"ja {BRACKETS} {ACTION}"), _drawn_widget(option)


def test_the_agreement_table_names_the_reviewers_as_written() -> None:
    from review.screening.agreement import Agreement
    from review.tui.screens.conflicts import stats_table

    console = Console(width=120, record=True, color_system=None)
    console.print(stats_table([Agreement(BRACKETS, ACTION, 10, 9, 0.9, 0.8, 0.85)]))
    drawn = console.export_text()
    lines = [line.strip() for line in drawn.splitlines()]  # (a long pair: one name a line)
    assert any(line.startswith(f"{BRACKETS} ×") for line in lines) and ACTION in lines, drawn


#: A reason whose "[/]" Textual's notify read as a closing tag with nothing open: a MarkupError that ended the app.
CLOSING_TAG = "other [/] see note"


def _toasts(app: Any) -> list[str]:
    """The notifications drawn on screen, as their text."""
    from textual.widgets._toast import Toast

    return [str(toast.render()) for toast in app.screen.query(Toast)]


@async_test
async def test_a_reason_in_the_browser_notification_is_said_as_written(tmp_path: Path) -> None:
    workspace = build_workspace(tmp_path / "ws", 4, with_conflicts=False, with_pairs=False)
    criteria = workspace.path("screening", "criteria.toml")
    criteria.write_text(criteria.read_text(encoding="utf-8").replace(
        "exclusion_reasons = [", f'exclusion_reasons = ["{CLOSING_TAG}", ', 1), encoding="utf-8")
    async with open_app(workspace, "alice", "browser", size=(120, 30), notifications=True) as (app, pilot):
        app.screen.action_decide("exclude", (CLOSING_TAG,))
        await settle(pilot)
        assert app.is_running and app._exception is None, app._exception
        assert any(f"exclude ({CLOSING_TAG})" in toast for toast in _toasts(app)), _toasts(app)


@async_test
async def test_a_removal_reason_in_the_screening_notification_is_said_as_written(tmp_path: Path) -> None:
    from review.services.prisma import remove_records

    workspace = build_workspace(tmp_path / "ws", 6, with_conflicts=False, with_pairs=False)
    async with open_app(workspace, "alice", "screening", size=(100, 30), notifications=True) as (app, pilot):
        screen = app.screen
        screen.retrain_delay = 60.0
        shown = screen.current.id
        remove_records(workspace, [shown], "bob", CLOSING_TAG)
        for _ in range(20):  # the screen's 2 s look at removals in another shell moves on, with the reason
            await pilot.pause(0.25)
            if screen.current is None or screen.current.id != shown:
                break
        await settle(pilot)
        assert screen.current is None or screen.current.id != shown
        assert app.is_running and app._exception is None, app._exception
        assert any(f"removed before screening: {CLOSING_TAG})" in toast for toast in _toasts(app)), _toasts(app)
