"""Command-line entry point: a thin shell over the stage functions.

Each stage adds its commands in ``cli/<stage>.py`` through ``register(group)``; stdout carries
data, errors go to stderr as one line with a mapped exit code.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import NoReturn

import click

from ..errors import ReviewError, first_line
from ..paths import current_folder, named_from, removed_folder_error
from ..tomlread import SettingProblem
from .context import FOLDER, Context, command_workspace, pass_context

#: Stage command modules, in pipeline order.
COMMAND_MODULES: tuple[str, ...] = (
    "workspace", "sources", "search", "dedup", "screening", "conflicts", "prisma", "demo",
    "extraction", "synthesis", "instrument", "validate", "tui",
)

#: Which module registers each top-level command. Modules load only when their command runs,
#: so ``review dedup`` never pays for scikit-learn or matplotlib. A test keeps this in step.
COMMAND_HOMES: dict[str, str] = {
    "init": "workspace", "status": "workspace", "migrate": "workspace", "import": "sources", "search": "search", "dedup": "dedup",
    "simulate": "screening", "decide": "screening", "conflicts": "conflicts", "prisma": "prisma", "fulltext": "prisma", "demo": "demo",
    "extraction": "extraction", "synthesis": "synthesis", "meta": "synthesis",
    "instrument": "instrument", "validate": "validate", "tui": "tui", "screen": "tui",
}
#: Commands that several modules contribute subcommands to, and those modules: ``review export decisions`` loads
#: these three, not every stage (synthesis alone pulls in SciPy: 1.3 s of CPU). A test keeps this in step.
SHARED_COMMANDS: dict[str, tuple[str, ...]] = {"export": ("sources", "screening", "tui")}

#: The one-line summary of every listed top-level command, as ``review --help`` shows it without importing a
#: command module (those pull in SQLAlchemy, scikit-learn and pandas: ~2 s). Each fits an 80-column line
#: whole (click cut each command's first help paragraph there, mid-phrase); loading a command makes it that
#: command's ``short_help``, so group listings say the same. A test keeps them in step with the commands.
COMMAND_SUMMARIES: dict[str, str] = {
    "import": "Import records from exported files (RIS, nbib, XML, BibTeX...).",
    "search": "Run the PubMed queries in queries/ and store the new hits.",
    "dedup": "Find duplicate records, or cluster the records of a CSV file.",
    "screen": "Screen titles and abstracts in the terminal UI.",
    "decide": "Record title/abstract decisions from the shell, or undo one.",
    "conflicts": "List conflicts between reviewers, or resolve them.",
    "simulate": "Replay screening of a labelled CSV to measure the model.",
    "fulltext": "Record full-text retrieval and eligibility, report by report.",
    "prisma": "Write the PRISMA 2020 flow: counts, CSV, JSON and diagram.",
    "extraction": "Extraction forms, QUIPS risk of bias, extractor comparison.",
    "synthesis": "Evidence level per factor from the extracted studies.",
    "meta": "Pool the estimates in a CSV file, as R's metagen does.",
    "instrument": "Item bank, scoring, exports and fill-in for labour experts.",
    "validate": "After the review: own data, validity, agreement, usability.",
    "init": "Create a review workspace.",
    "status": "Print what the workspace holds per stage.",
    "export": "Write workspace data out (records, decisions, searches...).",
    "migrate": "Move the store to another database (SQLite <-> PostgreSQL).",
    "demo": "Build a demo workspace from a generated corpus and open it.",
}

#: ``review --help``'s command list: the stages in the order a review goes through them (sources, dedup,
#: screening, PRISMA with full text, extraction, synthesis, instrument, validation), then the workspace's
#: own commands and utilities. Every command of ``COMMAND_SUMMARIES`` is in one (a test checks).
COMMAND_SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Stages, in the order of a review", (
        "import", "search", "dedup", "screen", "decide", "conflicts", "simulate", "fulltext", "prisma", "extraction",
        "synthesis", "meta", "instrument", "validate",
    )),
    ("Workspace and utilities", ("init", "status", "export", "migrate", "demo")),
)

__all__ = ["COMMAND_HOMES", "COMMAND_MODULES", "COMMAND_SECTIONS", "COMMAND_SUMMARIES", "Context", "ReviewGroup",
           "format_command_sections", "main", "pass_context"]

#: Every listed command in ``COMMAND_SECTIONS`` order (shell completion offers them so too).
_SECTION_ORDER: dict[str, int] = {name: n for n, name in enumerate(name for _, names in COMMAND_SECTIONS
                                                                    for name in names)}


class ReviewGroup(click.Group):
    """Loads command modules on demand; turns ``ReviewError`` into one stderr line and its exit code."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._loaded: set[str] = set()

    def load(self, module: str) -> None:
        if module in self._loaded:
            return
        self._loaded.add(module)
        imported = importlib.import_module(f"{__name__}.{module}")
        imported.register(self)
        for name, command in self.commands.items():
            if name in COMMAND_SUMMARIES and command.short_help is None:
                command.short_help = COMMAND_SUMMARIES[name]

    def load_all(self) -> None:
        for module in COMMAND_MODULES:
            self.load(module)

    def list_commands(self, ctx: click.Context) -> list[str]:
        """The commands in the order of the review's stages, then the utilities (unlisted ones last)."""
        self.load_all()
        return sorted(super().list_commands(ctx), key=lambda name: (_SECTION_ORDER.get(name, len(_SECTION_ORDER)), name))

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list of ``review --help``, rendered from stand-ins built from ``COMMAND_SUMMARIES``
        (the loaded commands' short help) so that no command module loads."""
        format_command_sections(ctx, formatter, {name: click.Command(name, short_help=text)
                                                 for name, text in COMMAND_SUMMARIES.items()})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        homes = SHARED_COMMANDS.get(cmd_name) or ((COMMAND_HOMES[cmd_name],) if cmd_name in COMMAND_HOMES else None)
        if homes is None:  # (a mistyped command: every module, for click's suggestion)
            self.load_all()
        else:
            for home in homes:
                self.load(home)
        return super().get_command(ctx, cmd_name)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, hoist_workspace_option(args))
        except click.UsageError as err:
            _exit_with_usage_line(err)

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except click.UsageError as err:
            _exit_with_usage_line(err)
        except ReviewError as err:
            workspace = command_workspace() if isinstance(err, SettingProblem) else None
            # The file an error starts with named as every 'wrote PATH' line names one (paths.named_here): from the
            # current folder when below it, else in full (extraction load and synthesis printed study files in full
            # where extraction validate named them from here).
            click.echo(f"review: {_from_here(workspace.say(err) if workspace is not None else str(err))}", err=True)
            sys.exit(err.exit_code)
        except ImportError as err:
            # A library review depends on, missing or broken in the install (numpy and scipy load where a file is
            # pooled, not at start-up): one line naming it. One of review's own modules stays a traceback (a bug).
            if (err.name or "").split(".")[0] == "review":
                raise
            click.echo(f"review: {err} (a library review needs): reinstall review with its dependencies "
                       "(pip install --force-reinstall review; in a checkout, pip install -e .)", err=True)
            sys.exit(1)
        except OSError as err:
            # An output path that cannot be written (read-only folder, a file where a folder
            # should be): one line naming the path, not a traceback.
            if isinstance(err, (BrokenPipeError, KeyboardInterrupt)):
                raise
            if err.filename is None and current_folder() is None:  # a relative name read where the folder is gone
                gone = removed_folder_error()  # (it said 'review: No such file or directory', naming nothing)
                click.echo(f"review: {gone}", err=True)
                sys.exit(gone.exit_code)
            click.echo(f"review: {_from_here(describe_os_error(err))}", err=True)
            sys.exit(1)
        except Exception as err:
            message = describe_store_error(err)
            if message is None:
                raise
            click.echo(f"review: {message}", err=True)
            sys.exit(1)


def _from_here(message: str) -> str:
    """``message`` with the file it starts with named from the current folder when below it (``paths.named_from``);
    as it is where the current folder is gone (removed under the shell)."""
    here = current_folder()
    return message if here is None else named_from(message, here)


def format_command_sections(ctx: click.Context, formatter: click.HelpFormatter,
                            commands: dict[str, click.Command]) -> None:
    """``commands`` under the headings of ``COMMAND_SECTIONS``, in its order, one line each as click writes
    a command list (its short help); names in one column throughout."""
    shown = [name for _, names in COMMAND_SECTIONS for name in names if name in commands]
    if not shown:
        return
    column = max(len(name) for name in shown)
    limit = formatter.width - 6 - column  # (click's own arithmetic for the summary's room)
    for title, names in COMMAND_SECTIONS:
        rows = [(name.ljust(column), commands[name].get_short_help_str(limit))
                for name in names if name in commands and not commands[name].hidden]
        if rows:
            with formatter.section(title):
                formatter.write_dl(rows)


#: What click raises for a bare group (older clicks have no such class and print the help themselves).
_NO_ARGS_IS_HELP: type[Exception] | tuple[()] = getattr(click.exceptions, "NoArgsIsHelpError", ())


def _exit_with_usage_line(err: click.UsageError) -> NoReturn:
    """A command-line mistake as one stderr line, like every other error, and click's exit status 2:
    ``review: simulate: Invalid value for 'FILE': … (review simulate --help)`` (click prints three lines).
    A group called without its subcommand still shows its help, as click does."""
    if isinstance(err, _NO_ARGS_IS_HELP):
        raise err
    sub = (err.ctx.command_path.split(" ", 1) + [""])[1] if err.ctx is not None else ""  # (root name: review)
    where = f"{sub}: " if sub else ""
    message = err.format_message()
    if isinstance(err, click.NoSuchOption) and err.option_name in _REVIEWER_FLAGS:
        # Only --workspace moves (hoist_workspace_option): 'review decide 12 --include -r bob' said no more.
        # A command with a --reviewer of its own (init, whose -r is not taken) is pointed to it: the
        # group's -r in front would be dropped there ('review -r alice init ws' names no reviewer).
        own = err.ctx is not None and any("--reviewer" in getattr(param, "opts", ()) for param in err.ctx.command.params)
        message = (f"{message.rstrip('.')}: " + (f"{sub} takes its own --reviewer NAME" if own
                                                  else f"the reviewer goes before the command, review -r NAME {sub} …"))
    click.echo(f"review: {where}{message} ({' '.join(['review', sub]).strip()} --help)", err=True)
    sys.exit(err.exit_code)


#: The group option every subcommand accepts too, wherever it is typed (``review status -w DIR``).
_WORKSPACE_FLAGS = ("--workspace", "-w")
#: The group's reviewer option, which does not move: a subcommand given it is told where it goes.
_REVIEWER_FLAGS = ("--reviewer", "-r")


def hoist_workspace_option(args: list[str]) -> list[str]:
    """``args`` with ``--workspace DIR`` moved in front of the subcommand (nothing after ``--`` moves)."""
    front: list[str] = []
    rest: list[str] = []
    index = 0
    while index < len(args):
        token = args[index]
        if token == "--":
            rest.extend(args[index:])
            break
        if token in _WORKSPACE_FLAGS and index + 1 < len(args):
            front.extend(args[index:index + 2])
            index += 2
            continue
        if token.startswith("--workspace=") or (token.startswith("-w") and len(token) > 2 and token[2] != "-"):
            front.append(token)
        else:
            rest.append(token)
        index += 1
    return front + rest


def describe_os_error(err: OSError) -> str:
    """``path: reason`` for an operating-system error (reason as the OS words it)."""
    where = err.filename if err.filename is not None else ""
    reason = err.strerror or str(err)
    if isinstance(err, (FileExistsError, NotADirectoryError)):
        reason = f"cannot write here ({reason}: a file stands where a folder is needed)"
    elif isinstance(err, PermissionError):
        reason = f"cannot write here ({reason})"
    return f"{where}: {reason}" if where else reason


def describe_store_error(err: Exception) -> str | None:
    """One line for a database error the user can fix (read-only store or folder), else None."""
    if type(err).__name__ != "OperationalError":
        return None
    text = first_line(getattr(err, "orig", None) or err)
    lowered = text.lower()
    if "readonly" in lowered or "read-only" in lowered or "unable to open" in lowered or "disk i/o" in lowered:
        return (f"the workspace store cannot be written ({text}); check that review.db and its folder "
                "are writable by you")
    return None


def _show_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    """``review, version 0.1.0 (commit 890bd80f1234, with uncommitted changes)``: what results record (decision 0080).
    Asked only here, so a command without ``--version`` never runs git."""
    if not value or ctx.resilient_parsing:
        return
    from ..tool_version import tool_version

    found = tool_version()
    click.echo(f"review, version {found.version}" + (f" ({found.detail})" if found.detail else ""))
    ctx.exit()


# -h as well as --help (every subcommand inherits it; none takes -h for anything else): `review -h` said
# "No such option '-h'" to a user who tried the usual first (fresh31).
@click.group(cls=ReviewGroup, invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--workspace", "-w", type=FOLDER,
              help="Workspace directory (default: nearest parent holding review.toml).")
@click.option("--reviewer", "-r", help="Reviewer name (default: first in review.toml).")
@click.option("--version", is_flag=True, expose_value=False, is_eager=True, callback=_show_version,
              help="Show the version (from a git checkout, its commit too) and exit.")
@click.pass_context
def main(ctx: click.Context, workspace: Path | None, reviewer: str | None) -> None:
    """Systematic reviews from PubMed search to evidence synthesis, and a questionnaire drafted from it.

    Without a command: the terminal UI on the dashboard (`review screen` opens it on screening).
    """
    ctx.obj = Context(workspace, reviewer)
    if ctx.invoked_subcommand is None:
        from .tui import tui

        ctx.invoke(tui)

