"""Whether ``synthesis.csv`` is still the synthesis of the extraction folder: the inputs it was written from, kept
beside it (``synthesis-inputs.json``), against the inputs now.

Content digests, not modification times: a clone or a checkout sets every file's time to when it was written there,
and would make a current synthesis read as stale (or a stale one as current). Kept free of the synthesis engine's
imports (scipy: 1.4 s), so ``review status`` reads it cheaply.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..atomic import write_text_atomic
from ..extraction.forms import FACTORS_FILE, study_files

#: The record of what ``synthesis.csv`` was written from, in the extraction folder beside it.
INPUTS_FILE = "synthesis-inputs.json"
#: The record's format: a record in another (a newer review's, digested otherwise) is not compared, so it reads as
#: "not known" rather than as every input changed. A record naming none is format 1 (those written before it was named).
INPUTS_FORMAT = 1
SYNTHESIS_FILE = "synthesis.csv"
GRADE_FILE = "grade.toml"  # (synthesis.grade's name, not imported: that module loads scipy)
#: The review.toml tables the synthesis reads its settings from (``settings.workspace_settings``).
SETTINGS_TABLES = ("synthesis", "extraction")


def _digest(data: bytes) -> str:
    # CRLF read as LF: git's core.autocrlf checks text files out with CRLF (Windows) and commits them with LF, so a
    # record written on either side would name every file as changed on the other (LF files digest as before).
    return hashlib.sha256(data.replace(b"\r\n", b"\n")).hexdigest()


def input_digests(extraction_dir: Path) -> dict[str, str]:
    """The folder's files the synthesis reads, by name from the folder (``studies/a.toml``), each with its SHA-256:
    the reconciled study files, ``factors.toml`` and ``grade.toml`` when there."""
    folder = Path(extraction_dir)
    named = [folder / FACTORS_FILE, folder / GRADE_FILE, *study_files(folder)]
    return {path.relative_to(folder).as_posix(): _digest(path.read_bytes()) for path in named if path.is_file()}


def settings_digest(config: Mapping[str, Any]) -> str:
    """review.toml's synthesis settings (its ``[synthesis]`` and ``[extraction]`` tables) but the rule set, as one
    digest: the order of keys, comments and spacing aside."""
    tables = {name: config.get(name, {}) for name in SETTINGS_TABLES}
    synthesis = tables["synthesis"]
    if isinstance(synthesis, Mapping):
        tables["synthesis"] = {k: v for k, v in synthesis.items() if k != "rule_set"}
    return _digest(json.dumps(tables, sort_keys=True, default=str).encode("utf-8"))


def write_inputs(extraction_dir: Path, rule_set: str, config: Mapping[str, Any],
                 files: Mapping[str, str] | None = None) -> Path:
    """Record what the ``synthesis.csv`` just written was made from (call after writing it: a run killed before
    leaves the older record, which is not of this file, so status says it does not know, never that it is current).
    ``files``: ``input_digests`` taken before the run read the folder (default: now), so a file saved while it ran
    reads as changed since, not as in the synthesis."""
    folder = Path(extraction_dir)
    record = {"format": INPUTS_FORMAT, "synthesis_csv": _digest((folder / SYNTHESIS_FILE).read_bytes()),
              "rule_set": rule_set, "settings": settings_digest(config),
              "files": dict(input_digests(folder) if files is None else files)}
    path = folder / INPUTS_FILE
    write_text_atomic(path, json.dumps(record, indent=1, sort_keys=True) + "\n")
    return path


@dataclass(frozen=True, slots=True)
class Freshness:
    """How ``synthesis.csv`` stands against its inputs now."""

    #: The rule set it was written under ("" when neither the record nor the file says).
    rule_set: str
    #: Whether the inputs it was written from are known (a record that is this file's).
    recorded: bool
    changed: list[str] = field(default_factory=list)  # files changed since, by name from the folder
    added: list[str] = field(default_factory=list)  # study files that were not there
    removed: list[str] = field(default_factory=list)  # files that were there and are gone
    #: review.toml's settings other than the rule set differ from those it was written with.
    settings_changed: bool = False

    @property
    def stale(self) -> bool:
        return bool(self.changed or self.added or self.removed or self.settings_changed)


def freshness(extraction_dir: Path, config: Mapping[str, Any]) -> Freshness:
    """``synthesis.csv`` of the folder (which must exist) against the inputs now; a record that is missing, unreadable
    or of another ``synthesis.csv`` (one copied in or edited by hand) leaves ``recorded`` false, the rule set then read
    from the file's ``rule_set`` column."""
    folder = Path(extraction_dir)
    csv_bytes = (folder / SYNTHESIS_FILE).read_bytes()
    try:
        record = json.loads((folder / INPUTS_FILE).read_text(encoding="utf-8"))
        known = (isinstance(record, dict) and record.get("format", INPUTS_FORMAT) == INPUTS_FORMAT
                 and record.get("synthesis_csv") == _digest(csv_bytes)
                 and isinstance(record.get("files"), dict) and isinstance(record.get("rule_set"), str))
    except (OSError, ValueError):
        known = False
    if not known:
        return Freshness(_rule_set_column(folder / SYNTHESIS_FILE), recorded=False)
    then: dict[str, str] = record["files"]
    now = input_digests(folder)
    return Freshness(
        record["rule_set"], recorded=True,
        changed=sorted(name for name in now if name in then and now[name] != then[name]),
        added=sorted(name for name in now if name not in then),
        removed=sorted(name for name in then if name not in now),
        settings_changed=record.get("settings") != settings_digest(config))


def _rule_set_column(path: Path) -> str:
    """The rule set the rows of ``synthesis.csv`` name ("" if none can be read, ", "-joined if several)."""
    from .evidence_csv import synthesis_rows
    from ..errors import ReviewError

    try:
        names = dict.fromkeys(row.rule_set for _, row in synthesis_rows(path))
    except ReviewError:
        return ""
    return ", ".join(names)

