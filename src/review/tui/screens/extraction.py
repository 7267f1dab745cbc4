"""Extraction: one form per study (``extraction/studies/<id>.toml``), saved to the file and the store.

The form's study-level fields come from ``form.toml`` (or the packaged default). Saving
validates through the extraction service (one-line problems), writes the file atomically and
stores the new version; a problem in a field the form edits writes nothing, a problem elsewhere in
the file (or unfinished QUIPS) saves with a warning. Per-factor estimates are shown
read-only (edit them in the file).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.visual import VisualType
from textual.widget import Widget
from textual.worker import Worker, WorkerState
from textual.widgets import DataTable, Header, Input, Label, ListItem, ListView, Static

from ...errors import ReviewError, ValidationError
from ...services.extraction import (
    CollapseRule, Form, SavedNotStored, collapse_rule, estimate_direction, load_form, quips_view, read_study_file,
    save_study_form, store_changed_files, study_files,
)
from ...levels import ci_level_fraction, ci_level_prefix
from ..read_only import action_state
from .base import RefitsOnResize, plain, refuse_key, report_worker_error, screen_footer

#: What the form says while extraction/studies/ holds no study file.
NO_STUDIES = ("No study files yet: add one as extraction/studies/<id>.toml (docs/synthesis.md), "
              "then ctrl+r reloads.")
#: The form's status line while ctrl+r reads the folder and the store in a worker.
REREADING = "Reading the study files again…"

#: The fields of an estimate the form shows read-only, then the direction each gives for recurrence.
ESTIMATE_FIELDS = ("factor", "contrast", "subgroup", "measure", "estimate", "ci_low", "ci_high",
                   "estimate_type", "source_location", "measure_as_published")
DIRECTION_COLUMN = "direction"
#: The estimates table's columns, in the order shown: contrast joins its subgroup, effect joins the
#: measure, the estimate and its interval (``OR 2.59 (1.40–4.80)``).
ESTIMATE_COLUMNS = ("factor", "contrast", "effect", "type", DIRECTION_COLUMN, "source")
#: Which columns stay as the pane narrows, most needed first; factor is cut (to ``MIN_FACTOR``) before
#: effect or direction go. A line under the table gives the highlighted estimate whole when any column
#: is hidden or cut: at 80 columns ten columns scrolled sideways and hid the direction.
COLUMNS_BY_NEED = ("factor", "effect", DIRECTION_COLUMN, "contrast", "type", "source")
MIN_FACTOR = 8
ALWAYS_SHOWN = COLUMNS_BY_NEED[:3]
QUIPS_COLUMNS = ("rater", "domain", "rating", "support")
TRUE_WORDS = {"true": True, "yes": True, "y": True, "1": True, "false": False, "no": False, "n": False, "0": False}


def parse_value(text: str, kind: str) -> Any:
    """Input text -> TOML value for a field type; unparseable text stays a string so validation names it."""
    text = text.strip()
    if text == "":
        return None
    try:
        if kind == "integer":
            return int(text)
        if kind == "number":
            return float(text) if any(c in text for c in ".eE") else int(text)
    except ValueError:
        return text
    if kind == "boolean":
        return TRUE_WORDS.get(text.lower(), text)
    if kind == "list":
        return [part.strip() for part in text.split(";") if part.strip()]
    return text


def estimate_cells(estimate: dict[str, Any]) -> dict[str, str]:
    """One estimate of a study file as the table's cells, by column."""
    value = {name: format_value(estimate.get(name)) for name in ESTIMATE_FIELDS}
    prefix = ci_level_prefix(ci_level_fraction(estimate.get("ci_level")))  # as Estimate.label (90 read as 0.9)
    interval = f" ({prefix}{value['ci_low']}–{value['ci_high']})" if value["ci_low"] or value["ci_high"] else ""
    return {
        "factor": value["factor"],
        "contrast": value["contrast"] + (f" [{value['subgroup']}]" if value["subgroup"] else ""),
        "effect": (" ".join(v for v in (value["measure"], value["estimate"]) if v) + interval
                   + (f" (published as {value['measure_as_published']})" if value["measure_as_published"] else "")),
        "type": value["estimate_type"],
        DIRECTION_COLUMN: estimate_direction(estimate),
        "source": value["source_location"],
    }


def fit_columns(cells: list[dict[str, str]], room: int, padding: int = 2) -> dict[str, int]:
    """Column -> width for ``room`` cells of table width (each column takes ``padding`` more): the most
    needed columns whole while they fit, factor cut rather than effect or direction left out."""
    need = {name: max([len(name)] + [len(row[name]) for row in cells]) for name in ESTIMATE_COLUMNS}
    widths: dict[str, int] = {}
    left = room
    for name in COLUMNS_BY_NEED:
        if name in ALWAYS_SHOWN or need[name] + padding <= left:  # (what they lack is cut from factor below)
            widths[name] = need[name]
            left -= widths[name] + padding
    if left < 0:  # factor gives way to effect and direction
        widths["factor"] = max(MIN_FACTOR, widths["factor"] + left)
    return {name: widths[name] for name in ESTIMATE_COLUMNS if name in widths}


def table_cuts(estimates: list[dict[str, str]], widths: dict[str, int]) -> bool:
    """True when columns of ``widths`` hide or cut any of ``estimates``' cells (a cell left out has no width)."""
    return any(len(cells[name]) > widths.get(name, -1)
               for cells in estimates for name in ESTIMATE_COLUMNS if cells[name])


def estimate_detail(cells: dict[str, str]) -> str:
    """The highlighted estimate whole, for when the table hides or cuts some of it (two or three lines
    at 80 columns: factor (contrast) · effect type · direction · source)."""
    factor = f"{cells['factor']} ({cells['contrast']})" if cells["contrast"] else cells["factor"]
    effect = " ".join(v for v in (cells["effect"], cells["type"]) if v)
    return " · ".join(v for v in (factor, effect, cells[DIRECTION_COLUMN], cells["source"]) if v)


def format_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return str(value)


@dataclass(frozen=True, slots=True)
class FolderReading:
    """What opening the screen or ctrl+r reads: the store brought level with the study files, the form, the
    study files listed and the QUIPS rule, each with the one line that says why it could not be read."""

    form: Form
    form_error: str
    paths: list[Path]
    rule: CollapseRule
    rule_error: str = ""
    caught_up: tuple[str, ...] = ()  # studies stored because their file was newer than the store
    store_error: str = ""


class FolderReread(Message):
    """ctrl+r's worker read the extraction folder and the store: the screen shows what it read."""

    def __init__(self, reading: FolderReading) -> None:
        super().__init__()
        self.reading = reading


def read_folder(workspace: Any, folder: Path, *, store: bool = True) -> FolderReading:
    """The extraction folder and the store, read (a worker's on ctrl+r: 4–18 ms for 15 study files on the UI
    thread, growing with the studies). Touches no widget. ``store``: store the study files newer than the store
    (not in a read-only window, which shows the files)."""
    caught_up, store_error = catch_up(workspace, folder) if store else ((), "")
    try:
        form, form_error = load_form(folder), ""
    except ReviewError as err:  # a broken form.toml closed the whole app with a traceback
        form, form_error = load_form(None), f"{err} — showing the default form; fix the file, then ctrl+r"
    paths = study_files(folder) if (folder / "studies").is_dir() else []
    try:
        rule, rule_error = collapse_rule(folder), ""
    except ReviewError as err:  # a bad [extraction.quips] in review.toml: said, the default rule shown
        rule, rule_error = CollapseRule(), str(err)
    return FolderReading(form, form_error, paths, rule, rule_error, caught_up, store_error)


def catch_up(workspace: Any, folder: Path) -> tuple[tuple[str, ...], str]:
    """Store the study files newer than the store (a save killed between its file and store writes: the file
    is what the reviewer sees); returns the studies stored, and why not as one line ("" when it could)."""
    try:
        return tuple(store_changed_files(workspace, folder).loaded), ""
    except ReviewError as err:
        return (), str(err)


class ExtractionScreen(RefitsOnResize):
    """Study files on the left, the selected study's form on the right, its estimates below."""

    CSS_PATH = "extraction.tcss"
    HELP = ("Pick a study on the left, edit its study-level fields and press **ctrl+s** (or **f2**) to save: "
            "the form is validated against `extraction/form.toml` and `factors.toml`; a valid study is written "
            "atomically to `extraction/studies/<id>.toml` and loaded into the store; a problem in a field of "
            "the form shows and writes nothing, a problem elsewhere in the file is saved but not stored, and "
            "unfinished QUIPS is saved as a draft (the synthesis refuses it until finished). The id is the file name and cannot be changed here. "
            "Per-factor estimates (with the direction each gives for recurrence) and the QUIPS ratings (with "
            "their support text and the collapsed risk of bias) are shown read-only: edit them in the file "
            "(then `review extraction load`).")
    #: The actions that record something, refused in a read-only window (``tui.read_only``).
    WRITES: ClassVar[frozenset[str]] = frozenset({"save"})
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="extraction.save", tooltip="Validate, write the study file and store it"),
        Binding("f2", "save", "Save", show=False, id="extraction.save_f2", tooltip="Save (fallback key)"),
        Binding("ctrl+r", "reload", "Reload", id="extraction.reload", tooltip="Re-read the study files"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.paths: list[Path] = []
        self._listed: list[Path] | None = None  # the study files the list shows (None: not filled yet)
        self.current: Path | None = None
        self.data: dict[str, Any] = {}
        self.form: Form | None = None
        self.form_error = ""  # why form.toml could not be read (the default form shows), else ""
        #: The study fields the form's inputs were made for (None: no inputs, as while there is no study file).
        self._input_fields: dict[str, Any] | None = None
        self.rule = CollapseRule()  # the workspace's QUIPS collapse rule, read on each reload
        self.estimates: list[dict[str, str]] = []  # the study's estimates as table cells
        self._widths: dict[str, int] = {}  # the estimates table's columns as last fitted
        #: The table as last fitted hides or cuts some estimate (``table_cuts``): the line under it shows.
        self._cut = False
        #: ctrl+r's worker is reading (the form's status line says so; a save waits for it).
        self.rereading = False
        self._reread_again = False  # ctrl+r pressed again meanwhile: read once more when this one lands
        self._status_before: VisualType = ""  # the status line the reading replaced, put back if no study shows
        #: The values the form's inputs were last filled with (or held at ctrl+r): a value that differs when the
        #: reading lands was typed meanwhile, and stays (ctrl+r on the UI thread took those keys after it).
        self._filled: dict[str, str] = {}
        self._stored_at_landing = False  # (the files newer than the store, stored once the workspace opened)

    @property
    def folder(self) -> Path:
        return self.app.workspace.path("extraction")  # type: ignore[attr-defined, no-any-return]

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="extraction-main"):
            with Vertical(id="study-pane"):
                yield Label("Studies", classes="pane-title")
                yield ListView(id="study-list")
            with Vertical(id="form-pane"):
                yield Static("No study selected", id="form-status", markup=False)  # a file name is not markup
                yield VerticalScroll(id="study-form")  # its inputs: form.toml's study fields, read at each reload
                yield Label("Estimates (read-only; edit them in the file)", classes="pane-title")
                yield DataTable(id="estimate-table", cursor_type="row", zebra_stripes=True)
                yield Static("", id="estimate-detail")  # the highlighted estimate whole, when the table cuts it
                yield Label("Risk of bias (QUIPS; read-only, edit in the file)", id="quips-title",
                            classes="pane-title", markup=False)
                yield DataTable(id="quips-table", cursor_type="row", zebra_stripes=True)
        yield screen_footer()

    @staticmethod
    def _field_widgets(form: Form) -> list[Widget]:
        """A label and an input per study field of ``form``."""
        widgets: list[Widget] = []
        for name, spec in form.fields("study").items():
            placeholder = " | ".join(c for c in spec.choices if c) if spec.choices else spec.help or spec.type
            widgets.append(Label(name + (" *" if spec.required else ""), classes="field-label", markup=False))
            widgets.append(Input(placeholder=placeholder, id=f"field-{name}", disabled=name == "id",
                                 tooltip=spec.help or None))
        return widgets

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return action_state(self, action)  # (a key that records: dimmed in a read-only window)

    async def on_mount(self) -> None:
        self.query_one("#quips-table", DataTable).add_columns(*QUIPS_COLUMNS)
        # Opening reads on the UI thread: the first frame shows the form, not an empty pane (about 10 ms for
        # 15 studies, docs/benchmarks/tui-blocking-2026-12-06.md).
        await self.show_reading(read_folder(self.app.workspace, self.folder, store=self._stores()),  # type: ignore[attr-defined]
                                said=False)
        if self.paths:  # keyboard first: up/down picks a study, tab goes on to its form
            self.query_one("#study-list", ListView).focus()
        if getattr(self.app, "project", None) is None:  # the start screen: the store is stored to once it opens
            self.watch(self.app, "project", self._project_landed, init=False)

    def _project_landed(self, project: Any) -> None:
        """The workspace opened after this screen read the folder (it is the start screen): store the study
        files newer than the store now, unless the window is read-only (before, it tried at once and a
        read-only store said "Store not updated")."""
        if project is None or project.read_only or self._stored_at_landing:
            return
        self._stored_at_landing = True
        self._say_stored(*catch_up(self.app.workspace, self.folder))  # type: ignore[attr-defined]

    def _say_stored(self, caught_up: tuple[str, ...], store_error: str) -> None:
        if store_error:
            self.notify(store_error, title="Store not updated", severity="warning", timeout=8)
        elif caught_up:
            self.notify(f"stored {len(caught_up)} study file(s) newer than the store: "
                        f"{', '.join(caught_up)}", title="Store updated")

    def action_reload(self) -> None:
        """Read the study files, the form and the QUIPS rule again, in a worker (the store too: a file newer
        than it is stored); the status line says so meanwhile, and what was read is said when it lands."""
        if self.rereading:
            self._reread_again = True
            return
        # What was typed before the key is read again from the file, as before; what is typed meanwhile stays.
        self._filled = self._input_values()
        self._start_reread()

    def _start_reread(self) -> None:
        self.rereading = True
        status = self.query_one("#form-status", Static)
        self._status_before = status.content
        status.update(REREADING)
        self._reread(self.folder)

    @work(thread=True, exclusive=True, exit_on_error=False, group="extraction-reread")
    def _reread(self, folder: Path) -> None:
        self.post_message(FolderReread(read_folder(self.app.workspace, folder, store=self._stores())))  # type: ignore[attr-defined]

    def _stores(self) -> bool:
        """Whether the study files newer than the store are stored: not in a read-only window, nor before the
        workspace has opened (it may open read-only; ``_project_landed`` stores them then)."""
        project = getattr(self.app, "project", None)
        return project is not None and not project.read_only

    @on(FolderReread)
    async def _folder_reread(self, message: FolderReread) -> None:
        typed = {name: value for name, value in self._input_values().items() if value != self._filled.get(name)}
        try:
            await self.show_reading(message.reading, said=True, typed=typed)
        finally:
            self._reread_done()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group == "extraction-reread" and event.state == WorkerState.ERROR:
            report_worker_error(self, event)  # (one line; the status line is put back, ctrl+r works again)
            self.query_one("#form-status", Static).update(self._status_before)
            self._reread_done()

    def _reread_done(self) -> None:
        self.rereading = False
        if self._reread_again:  # (what was typed since the first ctrl+r stays through this one too)
            self._reread_again = False
            self._start_reread()

    def _input_values(self) -> dict[str, str]:
        return {name: box.value for name in (self._input_fields or {})
                for box in self.query(f"#field-{name}").results(Input)}

    async def show_reading(self, reading: FolderReading, *, said: bool, typed: dict[str, str] | None = None) -> None:
        """Show what ``read_folder`` read; ``said``: one line says what was read (ctrl+r with no study file
        changed nothing in view, and the key looked broken). ``typed``: input values typed while it was read."""
        folder = self.folder
        self._say_stored(reading.caught_up, reading.store_error)
        form, self.form_error = reading.form, reading.form_error
        if self.form_error:
            self.notify(self.form_error, title="form.toml", severity="error", timeout=10)
            form = self.form or form  # (the fields shown stay; at opening, the default form's)
        self.paths = reading.paths
        # Inputs for the fields read now (a form.toml fixed or extended while the screen is open), and none
        # while there is no study file to fill in: mounting the default form's 21 inputs took about half of
        # the screen's first visit.
        wanted = form.fields("study") if self.paths else None
        if wanted != self._input_fields:
            scroll = self.query_one("#study-form", VerticalScroll)
            typing = self.focused is not None and scroll in self.focused.ancestors  # (its input goes now)
            await scroll.remove_children()
            if wanted is not None:
                await scroll.mount_all(self._field_widgets(form))
            self._input_fields = wanted
            if typing:  # the keys go on to the form (its first field that takes typing), not nowhere
                first = next((i for i in scroll.query(Input) if not i.disabled), None)
                (first or self.query_one("#study-list", ListView)).focus()
        self.form = form
        self.rule = reading.rule
        if reading.rule_error:
            self.notify(reading.rule_error, title="QUIPS rule", severity="warning", timeout=8)
        listing = self.query_one("#study-list", ListView)
        if self.paths != self._listed:  # (the same files: the list stays; making its items was most of a reload)
            listing.clear()
            listing.extend(ListItem(Label(p.stem, markup=False), name=str(p)) for p in self.paths)
            self._listed = list(self.paths)
        # No study open: the form takes no typing (ctrl+s would have nothing to save it into).
        self.query_one("#study-form", VerticalScroll).disabled = not self.paths
        if said:
            self.notify(f"Read again: {len(self.paths)} study file{'' if len(self.paths) == 1 else 's'} in "
                        f"{folder.name}/studies/", title="Extraction", timeout=3)
        if not self.paths:
            self.current = None
            self.query_one("#form-status", Static).update(NO_STUDIES)
            return
        status = self.query_one("#form-status", Static)
        if status.content == REREADING:  # put back: a study file that no longer reads leaves the line as it was
            status.update(self._status_before)
        index = self.paths.index(self.current) if self.current in self.paths else 0
        self.show_study(self.paths[index], typed=typed if self.paths[index] == self.current else None)
        listing.index = index

    @on(ListView.Highlighted, "#study-list")
    def _highlighted(self, event: ListView.Highlighted) -> None:
        if event.item is not None and event.item.name and Path(event.item.name) != self.current:
            self.show_study(Path(event.item.name))

    def show_study(self, path: Path, *, typed: dict[str, str] | None = None) -> None:
        """Show the study file at ``path``; ``typed``: input values typed since ctrl+r, kept over the file's."""
        try:
            data = read_study_file(path)
        except ReviewError as err:
            self.notify(str(err), title="Cannot read", severity="error")
            return
        self.current, self.data = path, data
        assert self.form is not None
        study = data.get("study", {}) if isinstance(data.get("study"), dict) else {}
        for name in self.form.fields("study"):
            self._filled[name] = format_value(study.get(name))
            self.query_one(f"#field-{name}", Input).value = (typed or {}).get(name, self._filled[name])
        self.query_one("#form-status", Static).update(f"{path.stem} · {path.relative_to(self.folder.parent)}")
        estimates = data.get("estimates", [])
        self.estimates = [estimate_cells(e) for e in (estimates if isinstance(estimates, list) else [])
                          if isinstance(e, dict)]  # a malformed file: shown, not a crash
        self._show_estimates()
        quips = quips_view(self.rule, data)
        self.query_one("#quips-title", Label).update(f"Risk of bias (QUIPS; read-only, edit in the file): "
                                                      f"{quips.summary}")
        quips_table = self.query_one("#quips-table", DataTable)
        quips_table.clear()
        for row in quips.rows:
            quips_table.add_row(*(plain(cell) for cell in row))

    def _refit(self) -> None:
        if self._estimate_widths() != self._widths:
            self._show_estimates()

    def _estimate_widths(self) -> dict[str, int]:
        table = self.query_one("#estimate-table", DataTable)
        return fit_columns(self.estimates, table.size.width - 2, 2 * table.cell_padding)  # (2: the scrollbar)

    def _show_estimates(self) -> None:
        """The estimates in the columns that fit the table's width now."""
        table = self.query_one("#estimate-table", DataTable)
        cursor = table.cursor_row
        self._widths = widths = self._estimate_widths()
        table.clear(columns=True)
        for name, width in widths.items():
            table.add_column(name, width=width, key=name)
        for cells in self.estimates:
            table.add_row(*(plain(cells[name]) for name in widths))
        self._cut = table_cuts(self.estimates, widths)  # (once per study and width, not per cursor move)
        if self.estimates:
            table.move_cursor(row=min(max(cursor, 0), len(self.estimates) - 1))
        self._show_detail()

    @on(DataTable.RowHighlighted, "#estimate-table")
    def _show_detail(self) -> None:
        """Under the table, the highlighted estimate whole, when the table hides or cuts any of it."""
        table = self.query_one("#estimate-table", DataTable)
        detail = self.query_one("#estimate-detail", Static)
        row = table.cursor_row
        detail.display = self._cut and 0 <= row < len(self.estimates)
        if detail.display:
            detail.update(Text(estimate_detail(self.estimates[row]), style="dim"))

    def form_data(self) -> dict[str, Any]:
        """The current file data with the study table replaced by the form's values."""
        assert self.form is not None
        study: dict[str, Any] = {}
        for name, spec in self.form.fields("study").items():
            value = parse_value(self.query_one(f"#field-{name}", Input).value, spec.type)
            if value is not None:
                study[name] = value
        return {**self.data, "study": study}

    def action_save(self) -> None:
        if self.rereading:  # its look at the store could store the same file a second time
            refuse_key(self, "The study files are being read again: save in a moment (what you typed stays).")
            return
        path, form = self.current, self.form
        if path is None or form is None:
            self.notify(NO_STUDIES, title="Nothing to save", severity="warning", timeout=8)
            return
        try:
            saved = save_study_form(self.app.workspace, path, self.form_data())  # type: ignore[attr-defined]
        except SavedNotStored as err:  # the file is saved: a warning, not a failure
            self.notify(str(err), title="Saved, not stored", severity="warning", timeout=8)
            return
        except ValidationError as err:  # a field the form edits: nothing written
            self.notify(str(err), title="Not saved", severity="error", timeout=8)
            return
        except (ReviewError, OSError) as err:
            self.notify(str(err), title="Save failed", severity="error", timeout=8)
            return
        self.data = saved.data
        if saved.warnings:
            self.notify(" ".join(saved.warnings), title="Saved (draft)" if saved.stored else "Saved, not stored",
                        severity="warning", timeout=8)
        else:
            self.notify(f"saved {path.name} and loaded it into the store", title="Saved")
