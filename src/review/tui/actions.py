"""Pipeline actions the dashboard runs in workers: each calls its stage's service."""

from __future__ import annotations

import shlex
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..paths import current_folder
from ..services import dedup, prisma, screening, sources
from ..words import counted, whole
from ..workspace import Workspace

#: How an action says where it is (one short line; the dashboard shows the newest).
Say = Callable[[str], None]


def _silent(line: str) -> None:
    """The default ``say``: an action called outside the dashboard (a test, a script) keeps quiet."""


@dataclass(frozen=True, slots=True)
class PipelineAction:
    """A dashboard action: which service it calls and how to summarise the result."""

    key: str
    label: str
    run: Callable[[Workspace, str, Say], str]
    #: Why a blind session does not run it ("": it shows nothing of the other reviewers' decisions).
    refused_blind: str = ""


def run_search(workspace: Workspace, reviewer: str, say: Say = _silent) -> str:
    def progress(event: sources.SearchProgress) -> None:  # a search of thousands of records takes minutes
        say(event.line())  # worded as `review search --progress` words it in a log

    searches = sources.start_searches(workspace, progress=progress)
    outcomes = list(searches.run())
    # A template has no run, so the dashboard's query rows leave it out: the summary says it was passed over.
    return "; ".join([*(f"{o.name}: busy (another process searches it)" if o.refused is not None
                        else f"{o.name}: {counted(o.hit_count, 'hit')}, {whole(o.new_records)} new" for o in outcomes),
                      *(f"{path.name}: a template, not searched" for path in searches.skipped_templates)])


def run_dedup(workspace: Workspace, reviewer: str, say: Say = _silent) -> str:
    def progress(stage: str, done: int, total: int) -> None:  # as `review dedup` shows it on a terminal
        say(f"{stage} {done:,} of {total:,}")

    return "; ".join(" ".join(line.split()) for line in dedup.run_dedup(workspace, progress=progress).merge_lines())


def run_export(workspace: Workspace, reviewer: str, say: Say = _silent) -> str:
    exported = screening.export_agreement(workspace)
    prisma.write_outputs(workspace)
    return "exported to screening/: " + ", ".join([p.name for p in exported.paths] + ["prisma/"])


ACTIONS: tuple[PipelineAction, ...] = (
    # "p", not "s": on the screening screen "s" records a stop, and one key means one thing.
    PipelineAction("p", "Search PubMed", run_search),
    PipelineAction("d", "Deduplicate", run_dedup),
    # agreement.csv/json and conflicts.csv give each reviewer's label; prisma.json lists the records they disagree
    # on: blind mode hides both until every reviewer has finished (docs/screening.md, "Blind mode hides").
    PipelineAction("x", "Export", run_export,
                   refused_blind="Blind mode: the export shows the other reviewers' decisions (agreement files, "
                                 "PRISMA's conflicts); b on screen 4 ends blind mode."),
)


def import_path(workspace: Workspace, typed: str) -> Path:
    """The file a path typed in the import dialog names: ``~`` expanded, a relative path taken from the
    workspace's root (the app's own folder may be another: ``review -w``), else from the folder review started in
    when only there it names a file (``review`` started in ``exports/``: ``embase.ris`` there, as ``review import``
    run in that folder reads it). A path pasted as a shell quotes it (a file dragged into the terminal:
    ``'/a/my file.ris'``, ``"…"``, ``my\\ file.ris``) is unquoted, as the shell does for ``review import``, when the
    text as typed names no file but the unquoted one does. None found: the text as typed, from the root (what a
    refusal names)."""
    folders = [workspace.root, *[f for f in [current_folder()] if f is not None and f != workspace.root]]
    try:
        words = shlex.split(typed)
    except ValueError:  # (an unbalanced quote: no shell line, so the text as typed only)
        words = []
    texts = [typed, *(words if len(words) == 1 else [])]
    found = (path for text in texts for folder in folders if (path := _typed_path(folder, text)).exists())
    return next(found, _typed_path(workspace.root, typed))


def start_folder_note(workspace: Workspace) -> str:
    """What the dialog says a relative path starts from: the root, and the folder review started in when another."""
    folder = current_folder()
    if folder is None or folder == workspace.root:
        return f"relative to {workspace.root}"
    return f"relative to {workspace.root} (else to {folder}, where review started)"


def _typed_path(folder: Path, typed: str) -> Path:
    path = Path(typed.strip()).expanduser()
    return path if path.is_absolute() else folder / path


@dataclass(frozen=True, slots=True)
class ImportSummary:
    """What an import from the dashboard says afterwards: the lines ``review import`` prints, in words."""

    lines: tuple[str, ...]
    #: The reader's warnings (a cp1252 file, a CSV's short last row), as ``review import`` prints them.
    warnings: tuple[str, ...]
    #: A file skipped as imported before: nothing new.
    skipped: bool

    @property
    def text(self) -> str:
        return "\n".join([*self.lines, *(f"warning: {w}" for w in self.warnings)])


def run_import(workspace: Workspace, path: Path, source: str | None, say: Say = _silent) -> ImportSummary:
    """Import one file as ``review import FILE [--source NAME]`` does (the same service); a file refused raises its
    one-line ``ImportFormatError`` (nothing from it stored: the service imports a file whole or not at all)."""

    def progress(file: Path, phase: str, n_parsed: int) -> None:
        say(sources.import_progress(file, phase, n_parsed))

    report = sources.import_files(workspace, [path], source=source, progress=progress)
    report.raise_first_error()
    lines = []
    for item in report.files:
        per_source = item.several_sources or {item.source_name: item.n_records}
        named = ", ".join(f"{name} {n:,}" if len(per_source) > 1 else name for name, n in per_source.items())
        if item.status == "imported":
            # (records already here from another file are duplicates for d, deduplicate: the import stores all)
            line = (f"{item.path.name}: {counted(item.n_records, 'record')} read, {item.n_records:,} new "
                    f"({item.format}, {item.encoding}, source {named})")
        else:  # the same bytes imported before (under any name): none of its records is stored twice
            line = f"{item.path.name}: 0 new, all already present: {item.message}"
        if item.deleted_pmids:
            line += f"; {len(item.deleted_pmids)} PMIDs deleted by PubMed: {', '.join(item.deleted_pmids)}"
        lines.append(line)
    return ImportSummary(tuple(lines), tuple(report.warnings),
                         skipped=any(f.status == "skipped" for f in report.files))
