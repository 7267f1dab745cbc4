"""Fill-in mode: the labour expert answers the instrument per domain and sees the profile.

Every change is saved at once to the answer file (0600, outside any repository, through
``review.instrument.answers``); nothing about the client is logged. The last tab shows the
profile and saves it as a report (Markdown or HTML) next to the answer file.
"""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import (
    Button, Footer, Label, Markdown, RadioButton, RadioSet, Static, TabbedContent, TabPane,
)

from ...errors import ReviewError
from ...services.instrument import (
    DOMAIN_LABELS, DOMAINS, AnswerSet, InstrumentConfig, ItemBank, Profile, Question, ScoredResponse, T, enabled,
    medical_note, question_progress, report_text, save_answers, score_answer_set, write_private,
)

PROFILE_TAB = "tab-profile"


class QuestionBlock(Vertical):
    """One question: its text, optional help and a radio button per answer option."""

    def __init__(self, question: Question, lang: str, selected: str | None) -> None:
        super().__init__(id=f"block-{question.link_id}", classes="question")
        self.question = question
        self.lang = lang
        self.selected = selected

    def compose(self) -> ComposeResult:
        q, en = self.question, self.lang == "en"
        # markup=False / Text: the bank's texts are written by the project, "[...]" in them is text, not a style.
        yield Label(q.text_en if en else q.text_nl, classes="question-text", markup=False)
        help_text = q.help_en if en else q.help_nl
        if help_text:
            yield Static(help_text, classes="question-help", markup=False)
        if q.medical:
            yield Static(medical_note(T(self.lang), q), classes="question-help question-consent", markup=False)
        with RadioSet(id=f"rs-{q.link_id}"):
            for option in q.options:
                yield RadioButton(Text(option.text_en if en else option.text_nl),
                                  value=option.code == self.selected,
                                  id=f"opt-{q.link_id}-{option.code}", name=option.code)


def fill_bindings(lang: str) -> list[BindingType]:
    """The screen's keys, described in the chosen language (the footer shows them)."""
    en = lang == "en"
    return [
        Binding("right_square_bracket", "next_tab", "Next" if en else "Volgende", key_display="]",
                id="fill.next", tooltip="Next domain / profile" if en else "Volgend domein / profiel"),
        Binding("left_square_bracket", "previous_tab", "Previous" if en else "Vorige", key_display="[",
                id="fill.previous", tooltip="Previous domain" if en else "Vorig domein"),
        Binding("question_mark", "help", "Help" if en else "Uitleg", key_display="?", id="fill.help",
                tooltip="Explain the current question" if en else "Uitleg bij de huidige vraag"),
        Binding("ctrl+r", "save_report('markdown')", "Report" if en else "Rapport", id="fill.report",
                tooltip=("Save the profile report (Markdown) next to the answer file" if en
                         else "Sla het rapport (Markdown) op naast het antwoordbestand")),
        Binding("ctrl+q", "app.quit", "Quit" if en else "Stoppen", id="fill.quit",
                tooltip="Quit (answers are already saved)" if en else "Stoppen (antwoorden zijn al opgeslagen)"),
    ]


class FillScreenBase(Screen[None]):
    """Questions per domain in tabs, then the profile with save buttons."""

    CSS_PATH = "instrument_fill.tcss"

    def __init__(self, bank: ItemBank, config: InstrumentConfig, answer_set: AnswerSet,
                 answers_path: Path, *, workspace_root: Path | None = None, lang: str = "nl") -> None:
        super().__init__()
        self.bank = bank
        self.config = config
        self.answer_set = answer_set
        self.answers_path = answers_path
        self.workspace_root = workspace_root
        self.lang = lang
        self.domains = [d for d in DOMAINS if bank.questions_in(d)]
        self.profile: Profile | None = None
        self.saved_reports: list[Path] = []

    @staticmethod
    def for_language(lang: str) -> type["FillScreenBase"]:
        return InstrumentFillScreenEn if lang == "en" else InstrumentFillScreen

    def _t(self, nl: str, en: str) -> str:
        return en if self.lang == "en" else nl

    def compose(self) -> ComposeResult:
        title = self._t(self.bank.title_nl, self.bank.title_en)
        yield Static(f"{title} · {self._t('versie', 'version')} {self.bank.version}", id="fill-title", markup=False)
        with TabbedContent(id="fill-tabs"):
            for domain in self.domains:
                nl, en = DOMAIN_LABELS[domain]
                with TabPane(self._t(nl, en), id=f"tab-{domain}"):
                    with VerticalScroll(can_focus=False):
                        for question in self.bank.questions_in(domain):
                            yield QuestionBlock(question, self.lang,
                                                self.answer_set.answers.get(question.link_id))
            with TabPane(self._t("Profiel", "Profile"), id=PROFILE_TAB):
                with Horizontal(id="report-buttons"):
                    yield Button(self._t("Rapport opslaan (Markdown)", "Save report (Markdown)"),
                                 id="save-markdown", variant="primary")
                    yield Button(self._t("Rapport opslaan (HTML)", "Save report (HTML)"), id="save-html")
                with VerticalScroll(can_focus=False):
                    yield Markdown(id="profile-md")
        yield Static("", id="fill-status", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self._refresh_enabled()
        self._show_status()
        self.call_after_refresh(self._focus_first_question)

    def _focus_first_question(self) -> None:
        """Start on the first open question of the active tab, so arrows and Enter work at once."""
        tabs = self.query_one("#fill-tabs", TabbedContent)
        pane = tabs.get_pane(tabs.active) if tabs.active else None
        if pane is None:
            return
        for radio_set in pane.query(RadioSet):
            if radio_set.display and not radio_set.disabled and radio_set.parent is not None \
                    and radio_set.parent.display:
                radio_set.focus()
                return

    def action_help(self) -> None:
        """Show the help text of the focused question (or how the keys work)."""
        block = next((w for w in (self.focused.ancestors_with_self if self.focused else [])
                      if isinstance(w, QuestionBlock)), None)
        if block is None:
            self.notify(self._t("Kies een vraag met Tab, een antwoord met de pijltjes en Enter of spatie. "
                                "] en [ gaan naar het volgende of vorige domein.",
                                "Pick a question with Tab, an answer with the arrows and Enter or Space. "
                                "] and [ move to the next or previous domain."),
                        title=self._t("Uitleg", "Help"), timeout=10)
            return
        q = block.question
        parts = [self._t(q.help_nl, q.help_en)] if self._t(q.help_nl, q.help_en) else []
        if q.medical:
            parts.append(medical_note(T(self.lang), q))
        parts.append(self._t("‘Weet niet / niet besproken’ telt als niet beantwoord, nooit als ‘nee’.",
                             "‘Don't know / not discussed’ counts as unanswered, never as ‘no’."))
        self.notify(" ".join(parts), title=self._t(q.text_nl, q.text_en), timeout=15)

    # -- answering -------------------------------------------------------------------------
    @on(RadioSet.Changed)
    def _answered(self, event: RadioSet.Changed) -> None:
        link_id = (event.radio_set.id or "").removeprefix("rs-")
        code = event.pressed.name
        if not link_id or code is None or self.bank.question(link_id) is None:
            return
        self.answer_set.answers[link_id] = code
        try:
            save_answers(self.answer_set, self.answers_path, self.workspace_root)
        except (ReviewError, OSError) as err:
            self.notify(str(err), title=self._t("Niet opgeslagen", "Not saved"), severity="error")
        self._refresh_enabled()
        self._show_status()

    def _refresh_enabled(self) -> None:
        for question in self.bank.questions:
            state = enabled(question, self.answer_set.answers, self.bank)
            block = self.query_one(f"#block-{question.link_id}", QuestionBlock)
            block.set_class(state is False, "-off")
            block.set_class(state is None, "-pending")
            # A question waiting for its gate cannot be answered yet, so Tab passes it by.
            block.query_one(RadioSet).disabled = state is not True

    def _domain_label(self, domain: str) -> str:
        """Tab title with progress, e.g. ``Werk 2/4``, counted as the status line and the browser form count."""
        nl, en = DOMAIN_LABELS[domain]
        progress = question_progress(self.bank, self.answer_set.answers, self.bank.questions_in(domain))
        return f"{self._t(nl, en)} {progress.filled}/{progress.total}"

    def _show_status(self) -> None:
        tabs = self.query_one("#fill-tabs", TabbedContent)
        for domain in self.domains:
            tabs.get_tab(f"tab-{domain}").label = self._domain_label(domain)
        # The browser form's bar says the same line (question_progress): 'Weet niet' is filled in, said apart.
        progress = question_progress(self.bank, self.answer_set.answers).line(self.lang)
        self.query_one("#fill-status", Static).update(
            progress + self._t(f" · antwoorden in {self.answers_path.name} (alleen voor u leesbaar)",
                               f" · answers in {self.answers_path.name} (readable by you only)"))

    # -- navigation and profile ------------------------------------------------------------
    def _tab_ids(self) -> list[str]:
        return [f"tab-{d}" for d in self.domains] + [PROFILE_TAB]

    def _move(self, step: int) -> None:
        tabs = self.query_one("#fill-tabs", TabbedContent)
        ids = self._tab_ids()
        index = ids.index(tabs.active) if tabs.active in ids else 0
        tabs.active = ids[max(0, min(len(ids) - 1, index + step))]

    def action_next_tab(self) -> None:
        self._move(1)

    def action_previous_tab(self) -> None:
        self._move(-1)

    @on(TabbedContent.TabActivated)
    def _tab_changed(self, event: TabbedContent.TabActivated) -> None:
        if event.pane.id == PROFILE_TAB:
            self.show_profile()
        else:
            self.call_after_refresh(self._focus_first_question)

    def show_profile(self) -> Profile:
        return self._show_scored().profile

    def _show_scored(self) -> ScoredResponse:
        """Score the answers (once) and show the client report ``review instrument score`` writes for them."""
        scored = score_answer_set(self.bank, self.config, self.answer_set)
        self.profile = scored.profile
        self.query_one("#profile-md", Markdown).update(report_text(self.bank, scored, "markdown", self.lang))
        return scored

    @on(Button.Pressed, "#save-markdown")
    def _save_markdown(self) -> None:
        self.action_save_report("markdown")

    @on(Button.Pressed, "#save-html")
    def _save_html(self) -> None:
        self.action_save_report("html")

    def action_save_report(self, fmt: str) -> None:
        scored = self._show_scored()  # the report saved is the one shown, from one scoring
        suffix = ".html" if fmt == "html" else ".md"
        target = self.answers_path.with_name(f"{self.answers_path.stem}-report{suffix}")
        try:
            path = write_private(target, report_text(self.bank, scored, fmt, self.lang), self.workspace_root)
        except (ReviewError, OSError) as err:
            self.notify(str(err), title=self._t("Niet opgeslagen", "Not saved"), severity="error")
            return
        self.saved_reports.append(path)
        self.notify(str(path), title=self._t("Rapport opgeslagen", "Report saved"))


class InstrumentFillScreen(FillScreenBase):
    """The fill-in screen with Dutch key descriptions."""

    BINDINGS = fill_bindings("nl")


class InstrumentFillScreenEn(FillScreenBase):
    """The fill-in screen with English key descriptions (``--lang en``)."""

    BINDINGS = fill_bindings("en")
