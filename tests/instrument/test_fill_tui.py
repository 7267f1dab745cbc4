"""The fill-in flow under Pilot: answer per domain, see the profile, save a private report."""

from __future__ import annotations

import asyncio
import functools
import json
import stat

import pytest

from click.testing import CliRunner

from review.cli import main
from review.instrument import project
from review.instrument.itembank import dumps_bank
from review.tui.instrument_app import make_app

from .conftest import QUESTIONS, SYNTHESIS


def run_async(test):
    """Run an async test body with asyncio (no async plugin needed)."""
    @functools.wraps(test)
    def wrapper(*args, **kwargs):
        return asyncio.run(test(*args, **kwargs))
    return wrapper


async def answer(pilot, selector: str) -> None:
    await pilot.click(selector)
    await pilot.pause()


@pytest.fixture
def built(workspace, tmp_path, monkeypatch):
    monkeypatch.setenv("REVIEW_DATA_DIR", str(tmp_path / "private"))
    (workspace.root / "extraction" / "synthesis.csv").write_text(SYNTHESIS, encoding="utf-8")
    (workspace.root / "instrument" / "questions.toml").write_text(QUESTIONS, encoding="utf-8")
    project.build(workspace, exports=False)
    return workspace


@run_async
async def test_fill_in_flow(built, tmp_path):
    answers_path = tmp_path / "client" / "answers.json"
    app = make_app(built, answers_path=answers_path, client_ref="dossier 7")
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        screen = app.fill_screen
        tabs = screen.query_one("#fill-tabs")
        assert tabs.active == "tab-social"
        # gated questions wait for their gate
        assert screen.query_one("#block-conflict").has_class("-pending")
        await answer(pilot, "#opt-has_supervisor-yes")
        await answer(pilot, "#opt-conflict-yes")
        await answer(pilot, "#opt-support-no")
        assert not screen.query_one("#block-conflict").has_class("-pending")
        assert str(tabs.get_tab("tab-social").label) == "Sociaal 3/3"
        await pilot.press("right_square_bracket")
        assert tabs.active == "tab-work"
        await answer(pilot, "#opt-company-large")
        await pilot.press("right_square_bracket")
        assert tabs.active == "tab-health"
        await answer(pilot, "#opt-prev_absence-yes")
        await pilot.press("right_square_bracket")
        await pilot.pause()
        assert tabs.active == "tab-profile"
        profile = screen.profile
        assert [f.factor_id for f in profile.risks] == ["supervisor_conflict", "prev_episodes"]
        assert [f.factor_id for f in profile.signals] == ["company_size"]
        assert profile.indication == "many_risk_signals"
        await pilot.click("#save-markdown")
        await pilot.click("#save-html")
        await pilot.pause()
    saved = json.loads(answers_path.read_text())
    assert saved["answers"] == {"has_supervisor": "yes", "conflict": "yes", "support": "no",
                                "company": "large", "prev_absence": "yes"}
    assert saved["client_ref"] == "dossier 7" and saved["instrument_version"]
    assert stat.S_IMODE(answers_path.stat().st_mode) == 0o600
    report = tmp_path / "client" / "answers-report.md"
    html = tmp_path / "client" / "answers-report.html"
    assert stat.S_IMODE(report.stat().st_mode) == 0o600 and stat.S_IMODE(html.stat().st_mode) == 0o600
    assert "Conflict met leidinggevende" in report.read_text() and "dossier 7" in report.read_text()
    # One client report for both shells: `review instrument score` on the same answers says the same.
    scored = CliRunner().invoke(main, ["-w", str(built.root), "instrument", "score", str(answers_path)])
    assert scored.exit_code == 0, scored.output
    assert scored.stdout == report.read_text()


@run_async
async def test_gate_no_hides_questions_and_answers_resume(built, tmp_path):
    answers_path = tmp_path / "a.json"
    app = make_app(built, answers_path=answers_path)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        await answer(pilot, "#opt-has_supervisor-no")
        assert app.fill_screen.query_one("#block-conflict").has_class("-off")
    again = make_app(built, answers_path=answers_path)
    async with again.run_test(size=(100, 40)) as pilot:
        assert again.fill_screen.answer_set.answers == {"has_supervisor": "no"}
        assert again.fill_screen.query_one("#opt-has_supervisor-no").value is True


def test_fill_refuses_answer_files_in_the_workspace(built):
    from review.errors import ValidationError
    with pytest.raises(ValidationError, match="inside the workspace"):
        make_app(built, answers_path=built.root / "answers.json")


def test_default_answer_file_goes_to_the_user_data_dir(built, tmp_path):
    app = make_app(built)
    assert str(app.fill_screen.answers_path).startswith(str(tmp_path / "private"))


@run_async
async def test_keyboard_first_help_and_footer_language(built, tmp_path):
    bank = project.current_bank(built)
    bank.question("prev_absence").medical = True
    (built.root / "instrument" / "item_bank.toml").write_text(dumps_bank(bank), encoding="utf-8")
    app = make_app(built, answers_path=tmp_path / "c" / "a.json", lang="en")
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        screen = app.fill_screen
        assert app.focused is not None and app.focused.id == "rs-has_supervisor"  # no Tab needed first
        # Tab skips questions still waiting for their gate (and the scroll container).
        assert screen.query_one("#rs-conflict").disabled
        await pilot.press("tab")
        assert app.focused is None or app.focused.id != "rs-conflict"
        await pilot.press("shift+tab", "enter")  # back on the gate; Enter picks the first option
        await pilot.pause()
        assert screen.answer_set.answers["has_supervisor"] == "yes"
        assert not screen.query_one("#rs-conflict").disabled
        await pilot.press("question_mark")
        await pilot.pause()
        (note,) = list(app._notifications)
        assert "counts as unanswered" in note.message and note.title.startswith("Does the client have")
        descriptions = {b.binding.description for b in screen.active_bindings.values() if b.binding.show}
        assert {"Next", "Previous", "Help", "Report", "Quit"} <= descriptions
        assert not descriptions & {"Volgende", "Vorige", "Uitleg", "Rapport", "Stoppen"}
        consent = screen.query_one("#block-prev_absence .question-consent")
        assert "client consents" in str(consent.render())


@run_async
async def test_status_line_counts_only_questions_that_apply(built, tmp_path):
    # The status line counted questions switched off by their gate as still open, unlike the tab labels.
    app = make_app(built, answers_path=tmp_path / "client" / "a.json", lang="en")
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        screen = app.fill_screen
        await answer(pilot, "#opt-has_supervisor-no")
        for option in ("#opt-company-large", "#opt-prev_absence-yes"):
            await pilot.press("right_square_bracket")
            await answer(pilot, option)
        status = str(screen.query_one("#fill-status").render())
        assert status.startswith("3 of 3 questions filled in ·"), status  # was '3 of 5'
        assert str(screen.query_one("#fill-tabs").get_tab("tab-social").label) == "Social 1/1"


@run_async
async def test_status_line_does_not_call_dont_know_answered(built, tmp_path):
    # 'Weet niet' counts as unanswered in the profile; the line said '2 van 3 vragen beantwoord' with one of them
    # 'Weet niet' (the browser form's bar said the same until 2026-12-07).
    app = make_app(built, answers_path=tmp_path / "client" / "a.json", lang="en")
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        screen = app.fill_screen
        await answer(pilot, "#opt-has_supervisor-no")
        await pilot.press("right_square_bracket")
        await answer(pilot, "#opt-company-unknown")
        status = str(screen.query_one("#fill-status").render())
        assert status.startswith("2 of 3 questions filled in, 1 of them with ‘Don't know / not discussed’ ·"), status


@run_async
async def test_status_line_counts_as_the_browser_form_when_a_gate_is_dont_know(built, tmp_path):
    # The conflict answer kept after its gate became 'Weet niet' counted as filled in ('2 of 5 …', 'Social 2/3'),
    # which the profile ignores and the browser form's bar left out: one count, scoring.question_progress.
    app = make_app(built, answers_path=tmp_path / "client" / "a.json", lang="en")
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        screen = app.fill_screen
        await answer(pilot, "#opt-has_supervisor-yes")
        await answer(pilot, "#opt-conflict-yes")
        await answer(pilot, "#opt-has_supervisor-unknown")
        status = str(screen.query_one("#fill-status").render())
        assert status.startswith("1 of 5 questions filled in, 1 of them with ‘Don't know / not discussed’ ·"), status
        assert str(screen.query_one("#fill-tabs").get_tab("tab-social").label) == "Social 1/3"
        assert screen.answer_set.answers["conflict"] == "yes"  # kept, not counted


@run_async
async def test_the_profile_and_a_saved_report_score_the_answers_once(built, tmp_path, monkeypatch):
    # Showing the profile scored twice and saving a report three times (score, then the report's
    # own scoring, twice); the report saved is the one shown, from one scoring.
    from review.instrument import scoring

    calls: list[int] = []
    real = scoring.score

    def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(project, "score", counted)
    app = make_app(built, answers_path=tmp_path / "client" / "answers.json")
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        await answer(pilot, "#opt-has_supervisor-yes")
        assert calls == []  # an answer is saved, not scored
        app.fill_screen.query_one("#fill-tabs").active = "tab-profile"
        await pilot.pause()
        assert len(calls) == 1
        app.fill_screen.action_save_report("html")
        assert len(calls) == 2


@run_async
async def test_a_help_text_with_brackets_is_said_as_written(built, tmp_path):
    # Textual's notify read the bank's help text as markup: "[/]" in it raised a MarkupError that ended the app.
    from textual.widgets._toast import Toast

    bank = project.current_bank(built)
    bank.question("has_supervisor").help_en = "see the contract [/] or ask [b]HR"
    (built.root / "instrument" / "item_bank.toml").write_text(dumps_bank(bank), encoding="utf-8")
    app = make_app(built, answers_path=tmp_path / "c" / "a.json", lang="en")
    async with app.run_test(size=(100, 40), notifications=True) as pilot:
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        await pilot.pause()
        assert app.is_running and app._exception is None, app._exception
        drawn = [str(toast.render()) for toast in app.screen.query(Toast)]
        assert any("see the contract [/] or ask [b]HR" in text for text in drawn), drawn
