"""The object every command receives: the ``--workspace`` and ``--reviewer`` options, resolved lazily."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
import math

import click

from ..errors import ChoiceError, ReviewError, check_input_file
from ..paths import current_folder, named_from
from ..records import parse_record_id
from ..workspace import MAX_SEED, Workspace


class RecordIdType(click.ParamType):
    """A record id as the TUI and exports show it: ``12`` or ``#12`` (as ``review decide`` takes it)."""

    name = "ID"

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int):
            return value
        record_id = parse_record_id(str(value))
        if record_id is None:
            self.fail(f"{value!r}: expected a record id (a whole number, as the TUI and exports show)", param, ctx)
        return record_id


RECORD_ID = RecordIdType()


class FolderType(click.Path):
    """A folder the command works in (``--workspace``, ``review init PATH``). An empty name is refused: click reads
    ``""`` as ``.``, so ``-w "$WS"`` with ``WS`` unset acted on the workspace around the current folder, and ``review
    init ""`` made one in it."""

    def __init__(self) -> None:
        super().__init__(path_type=Path, file_okay=False)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str) and not value.strip():
            self.fail("an empty folder name: name the folder ('.' for the current one)", param, ctx)
        return super().convert(value, param, ctx)


#: The type of the workspace folder options and arguments.
FOLDER = FolderType()


class InputFileType(click.ParamType):
    """A file the command reads: one that is missing, a folder, a device or a socket is a bad input
    file (exit 3, the line ``review: PATH: no such file``) in every command, as docs/interfaces.md
    defines it (``errors.check_input_file``). A FIFO is read: these commands read their file once, and
    ``gpg -d r.json.gpg | review instrument score /dev/stdin`` keeps client answers off disk. The store of
    the workspace the command runs in is refused too, unread (``Workspace.refuse_own_store``, which
    ``review import`` calls through its service); outside a workspace there is none."""

    name = "file"

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> Path:
        path = value if isinstance(value, Path) else Path(str(value))
        check_input_file(path, pipe_ok=True)
        workspace = command_workspace()
        if workspace is not None:
            workspace.refuse_own_store(path)
        return path

    def shell_complete(self, ctx: click.Context, param: click.Parameter,
                       incomplete: str) -> list[click.shell_completion.CompletionItem]:
        return [click.shell_completion.CompletionItem(incomplete, type="file")]


#: The type of every input-file argument and option.
INPUT_FILE = InputFileType()

def refuse_blank(hint: str) -> Callable[[click.Context, click.Parameter, str | None], str | None]:
    """A callback refusing a blank value (``--reason ""``, ``--reason " "``) as a command-line mistake, exit 2,
    before anything is read or recorded: one rule for every reason and explanation typed on the command
    line, as a missing ``--reason`` is click's own exit 2 (a blank one exited 1 or 4, command by command).
    ``hint`` says what to give instead."""

    def check(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise click.BadParameter(f"{value!r} is blank; {hint}")
        return value

    return check


def one_label(include: bool, exclude: bool, maybe: bool, reason: str | None, *, alternative: str = "") -> str:
    """The one screening label the flags give (``decide``, ``conflicts resolve``); a clash of flags is a
    command-line mistake, exit 2. ``alternative`` names another way out (" (or --undo)")."""
    labels = [name for name, chosen in (("include", include), ("exclude", exclude), ("maybe", maybe)) if chosen]
    if len(labels) != 1:
        raise click.UsageError(f"give exactly one of --include, --exclude, --maybe{alternative}")
    if reason is not None and labels != ["exclude"]:
        raise click.UsageError("--reason: only with --exclude (a reason says why a record is excluded)")
    return labels[0]


def check_record_ids(ids: tuple[str, ...]) -> None:
    """An ID that is no record id ('abc', '²') is a command-line mistake, exit 2, as in fulltext, prisma
    remove/restore and dedup --undo-merge; one not in the workspace is the service's exit 1."""
    from ..services.screening import record_id_refusal

    refusal = next((r for r in map(record_id_refusal, ids) if r is not None), None)
    if refusal is not None:
        raise click.UsageError(refusal)


@contextmanager
def choices_checked() -> Iterator[None]:
    """A value the service finds among none of the review's choices (``ChoiceError``: an exclusion reason
    criteria.toml does not list) said as click says a bad value, exit 2, so every value typed wrong reads
    alike: ``review: decide: Invalid value for '--reason': 'x' is not … (review decide --help)``."""
    try:
        yield
    except ChoiceError as err:
        raise click.BadParameter(f"{err.value!r} {err.problem}", ctx=click.get_current_context(),
                                 param_hint=f"'{err.option}'") from None


def choice_callback(check: Callable[[str], str]) -> Callable[[click.Context, click.Parameter, str | None], str | None]:
    """A callback passing an option's value through ``check`` (a service function raising ``ChoiceError``)
    while the command line is read: a value it refuses exits 2 before anything runs."""

    def callback(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
        if value is None:
            return None
        with choices_checked():
            return check(value)

    return callback


class AnyCaseChoice(click.ParamType):
    """One of ``choices``, typed in any case (``or``, ``Reml``), handed on and shown in help and errors as
    written (``[OR|HR|RR|MD]``): click's case-insensitive Choice lists them lower-cased, so ``review meta
    --help`` offered ``[fe|dl|reml|ml|pm]`` beside ``[default: REML]`` and a help text in capitals."""

    name = "choice"

    def __init__(self, choices: tuple[str, ...] | list[str]) -> None:
        self.choices = tuple(choices)

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        return "[" + "|".join(self.choices) + "]"

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> str:
        wanted = str(value).casefold()
        for choice in self.choices:
            if choice.casefold() == wanted:
                return choice
        self.fail(f"{value!r} is not one of {', '.join(map(repr, self.choices))} (any case).", param, ctx)

    def shell_complete(self, ctx: click.Context, param: click.Parameter,
                       incomplete: str) -> list[click.shell_completion.CompletionItem]:
        start = incomplete.casefold()
        return [click.shell_completion.CompletionItem(c) for c in self.choices if c.casefold().startswith(start)]


class NumberRange(click.FloatRange):
    """click's FloatRange that also refuses ``nan``, which passes every bound (each comparison is false) and was
    refused later, exit 4 or 1, where a number out of range is a command-line mistake, exit 2."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> float:
        number = super().convert(value, param, ctx)
        if math.isnan(number):
            self.fail(f"{value!r} is not a number.", param, ctx)
        return float(number)


#: A proportion strictly between 0 and 1 (a recall, a confidence or CI level); any other is a
#: command-line mistake, exit 2 (docs/interfaces.md), said by click before anything runs.
OPEN_FRACTION = NumberRange(0, 1, min_open=True, max_open=True)

#: A seed: a whole number 0 to 2**32 - 1 (numpy refuses a negative one, which was a traceback when
#: used; scikit-learn's random_state refuses one above, which blamed the input file, exit 1). review.toml
#: holds the same range (WorkspaceConfig refuses a larger seed there in one line, exit 2).
SEED = click.IntRange(min=0, max=MAX_SEED)


class Context:
    """What every command gets: the workspace option and the reviewer name."""

    def __init__(self, workspace: Path | None, reviewer: str | None) -> None:
        self.workspace_path = workspace
        self.reviewer_option = reviewer
        self._workspace: Workspace | None = None
        self._warned_names: set[str] = set()

    @property
    def workspace(self) -> Workspace:
        workspace = self._workspace
        if workspace is None:
            workspace = Workspace.find(self.workspace_path)
            self.use_workspace(workspace)
        return workspace

    def use_workspace(self, workspace: Workspace) -> None:
        """Act on ``workspace`` from now on (``review demo`` opens the one it built)."""
        self.workspace_path = workspace.root
        workspace.on_config_error = say_config_kept
        self._workspace = workspace
        say_unknown_tables(workspace)

    @property
    def decider(self) -> str:
        """:attr:`reviewer` for a command that records screening decisions (``review decide``): review.toml's first
        reviewer named by its file, key and line when it is ``consensus``, which does not screen (``-r consensus`` is
        refused by the service, naming the option)."""
        name = self.reviewer
        if self.reviewer_option is None:
            from ..services.screening import check_configured_decider

            check_configured_decider(self.workspace)
        return name

    @property
    def reviewer(self) -> str:
        from ..services.screening import check_configured_reviewer, check_reviewer_name

        if self.reviewer_option is None:  # review.toml's first: named by its file, key and line
            name = self.workspace.config.reviewers[0]
            warning = check_configured_reviewer(self.workspace)
        else:
            name = self.reviewer_option
            try:  # the workspace only for a name the rules refuse: it may be one holding decisions there
                warning = check_reviewer_name(name, "--reviewer")
            except ReviewError as refused:
                try:
                    workspace = self.workspace
                except ReviewError:
                    raise refused from None
                warning = check_reviewer_name(name, "--reviewer", workspace)
        if warning is not None and name not in self._warned_names:  # once per command, however often read
            self._warned_names.add(name)
            click.echo(warning, err=True)
        return name


def say(kind: str, text: str) -> None:
    """One stderr line of a command that goes on, prefixed as every CLI line is: ``review: warning: …``,
    ``review: note: …`` (``kind`` is ``warning`` or ``note``). A line that starts with a file names it from the
    current folder when below it, as the error lines do (``review synthesis`` named a study file in full where
    ``review instrument build`` named it from the workspace, walk28)."""
    here = current_folder()
    click.echo(f"review: {kind}: {text if here is None else named_from(text, here)}", err=True)


def say_unknown_tables(workspace: Workspace) -> None:
    """One stderr line naming review.toml's tables that no stage reads: a misspelt ``[Screening]`` left the
    recommended stopping rule in force without a word (walk24)."""
    for line in workspace.setting_warnings():
        say("warning", line)


def say_config_kept(error: str) -> None:
    """One stderr line when review.toml, edited while the command runs, cannot be read: the command goes on
    with the settings it read before (``Workspace.config``), which without this line it did without a word."""
    say("warning", f"{error}; this command goes on with the settings it read before the edit")


#: ``@pass_context`` hands a command the typed ``Context`` (instead of ``@click.pass_obj``).
pass_context = click.make_pass_decorator(Context)


def command_workspace() -> Workspace | None:
    """The workspace the command runs in or is pointed at (``-w``), also for a command that needs none; None
    outside one or where its review.toml cannot be read (the command itself says so where it needs the
    workspace). Its store is not opened."""
    click_ctx = click.get_current_context(silent=True)
    context = click_ctx.find_object(Context) if click_ctx is not None else None
    if context is None:
        return None
    try:
        return context.workspace
    except (ReviewError, OSError, ValueError):
        return None
