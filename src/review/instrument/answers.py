"""Client answers and reports: personal health data, kept outside any repository, mode 0600.

Files go to ``review.paths.user_data_location()/answers`` unless the user names a path; a path inside
the workspace or inside any git work tree is refused, so answers can never be committed.
Nothing here logs answer content.
"""

from __future__ import annotations

import json
import os
import secrets
import stat
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from ..atomic import make_folders, write_text_atomic
from ..errors import ImportFormatError, ValidationError, WorkspaceError
from ..paths import ENV_DATA_DIR, broken_link, enclosing_repository, user_data_location
from ..textdecode import decode_utf8

PRIVATE_MODE = 0o600
#: The default folder of answers and reports: its listing says when clients were seen and how many.
PRIVATE_FOLDER_MODE = 0o700


@dataclass(slots=True)
class AnswerSet:
    """One filled-in instrument: option codes per question, tied to the instrument version."""

    instrument_version: str
    evidence_sha256: str
    answers: dict[str, str] = field(default_factory=dict)
    client_ref: str = ""  # a pseudonym or file number chosen by the expert; never a name by default
    created_at: str = ""
    updated_at: str = ""

    def to_json(self) -> str:
        return json.dumps({
            "instrument_version": self.instrument_version, "evidence_sha256": self.evidence_sha256,
            "client_ref": self.client_ref, "created_at": self.created_at,
            "updated_at": self.updated_at, "answers": self.answers,
        }, ensure_ascii=False, indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str, where: str) -> "AnswerSet":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as err:
            raise ValidationError(f"{where}: not JSON (line {err.lineno})") from err
        answers = data.get("answers") if isinstance(data, dict) else None
        if not isinstance(answers, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in answers.items()):
            raise ValidationError(f"{where}: 'answers' must map question ids to option codes")
        return cls(str(data.get("instrument_version", "")), str(data.get("evidence_sha256", "")),
                   dict(answers), str(data.get("client_ref", "")), str(data.get("created_at", "")),
                   str(data.get("updated_at", "")))


def answers_dir(workspace_root: Path | None = None, *, create: bool = True) -> Path:
    """Default folder for answer files and client reports (created 0700; found open to others, made 0700).

    Refused like any other path when it would lie in the workspace or a git work tree (e.g.
    ``REVIEW_DATA_DIR`` pointing into a repository): said before the first answer, not at it. With
    ``create=False`` only the checks run: a command that may still refuse (``fill`` without a terminal) makes
    the folder with :func:`prepare_answer_folder` once nothing else can stop it.
    """
    path = user_data_location() / "answers"
    try:
        _outside_workspace_and_repositories(path / "answers.json", workspace_root)
    except ValidationError as err:
        raise ValidationError(f"{err}; set {ENV_DATA_DIR} to a folder outside it, or name a file with "
                              "--answers") from None
    _refuse_a_broken_link(path)
    if create:
        make_private_folders(path)
        make_folder_private(path)
    return path


def _refuse_a_broken_link(folder: Path) -> None:
    """One line naming a link on the way to the answers folder that leads nowhere (a data folder on a drive not
    mounted, a moved folder): creating through it failed as a file standing where a folder is needed."""
    link = broken_link(folder)
    if link is None:
        return
    try:
        target = f" (to {os.readlink(link)})"
    except OSError:
        target = ""
    setting = os.environ.get(ENV_DATA_DIR)
    said = f"{ENV_DATA_DIR}={setting}: " if setting else ""
    raise WorkspaceError(f"{said}{link} is a broken link{target}: nothing is there; make the folder it points to, or "
                         f"set {ENV_DATA_DIR} to another folder")


def make_folder_private(folder: Path) -> None:
    """Tighten the default answers folder to 0700 when it was found open to other accounts: ``mkdir`` leaves an
    existing folder as it is (one made by hand, or restored from a backup, at 0755). A folder this account may
    not change is one line saying how to mend it, nothing written."""
    mode = stat.S_IMODE(folder.stat().st_mode)
    if not mode & 0o077:
        return
    try:
        folder.chmod(PRIVATE_FOLDER_MODE)
    except OSError as err:
        raise ValidationError(f"{folder}: this folder of client answers is open to other accounts (mode {mode:o}) "
                              f"and cannot be made private ({err.strerror or err}); its owner can run chmod 700 on "
                              f"it, or set {ENV_DATA_DIR} to a folder of your own") from None


def _default_answers_folder() -> Path | None:
    """The default answers folder, or None when ``$REVIEW_DATA_DIR`` cannot be read: a file the user names needs
    it only to know whether its folder is that one, and one that cannot be found is none."""
    try:
        return (user_data_location() / "answers").resolve()
    except WorkspaceError:
        return None


def make_private_folders(folder: Path) -> None:
    """Create ``folder`` and every missing folder above it 0700: ``answers/client7/x.json`` named before ``answers/``
    existed left ``answers/`` (made by ``mkdir(parents=True)``) listing every client's file to other accounts."""
    make_folders(folder, PRIVATE_FOLDER_MODE)


def new_answer_path(workspace_root: Path | None = None, *, create: bool = True) -> Path:
    """A fresh file name in :func:`answers_dir` (made unless ``create=False``); random, so it reveals nothing
    about the client."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
    return answers_dir(workspace_root, create=create) / f"answers-{stamp}-{secrets.token_hex(4)}.json"


def check_private_path(path: Path, workspace_root: Path | None = None, *, tighten: bool = True) -> Path:
    """Refuse ``path`` when it lies in the workspace or any git work tree; return it resolved.

    A file named in or below the default answers folder makes that folder private here (or is refused when it
    cannot be), when the file is named: ``fill --answers`` opened a form whose every answer was then refused, and ``score``
    wrote its ``--json`` before refusing its ``--out`` there. ``tighten=False`` leaves that to
    :func:`prepare_answer_folder`, for a command that may still refuse and should then have changed nothing.
    """
    resolved = _outside_workspace_and_repositories(path, workspace_root)
    default = _default_answers_folder()
    if tighten and default is not None and default in resolved.parents and default.is_dir():  # (answers/x.json, answers/a/x.json)
        make_folder_private(default)  # (a folder the user made, below it too, is theirs to set: left as it is)
    return resolved


def prepare_answer_folder(path: Path, workspace_root: Path | None = None) -> Path:
    """Ready the folder of answer file ``path`` before the form opens, once nothing else can refuse the command:
    the default answers folder made 0700 when the file goes in it, and made private when found open (a folder that
    cannot be is one line now, not at the first answer). ``fill`` without a terminal left an empty 0700
    ``answers/`` behind when the folder was made as the path was chosen. A folder of the user's is left to the
    first save (:func:`write_private`)."""
    resolved = _outside_workspace_and_repositories(path, workspace_root)
    default = _default_answers_folder()
    if default is not None and resolved.parent == default:
        make_private_folders(default)
    return check_private_path(path, workspace_root)


def _outside_workspace_and_repositories(path: Path, workspace_root: Path | None) -> Path:
    resolved = Path(path).expanduser().resolve()
    if workspace_root is not None:
        root = Path(workspace_root).resolve()
        if resolved == root or root in resolved.parents:
            raise ValidationError(f"{path}: client data may not be stored inside the workspace {root}")
    if (parent := enclosing_repository(resolved)) is not None:
        raise ValidationError(f"{path}: client data may not be stored inside a repository or workspace ({parent})")
    return resolved


def write_private(path: Path, text: str, workspace_root: Path | None = None) -> Path:
    """Write ``text`` to ``path`` as a 0600 file (atomically), after :func:`check_private_path`."""
    target = check_private_path(path, workspace_root)  # (an open default answers folder made private there)
    make_private_folders(target.parent)
    write_text_atomic(target, text, mode=PRIVATE_MODE)  # a temp file made 0600, fsynced, renamed; stale ones removed
    return target


def save_answers(answer_set: AnswerSet, path: Path, workspace_root: Path | None = None) -> Path:
    now = datetime.now(timezone.utc).replace(microsecond=0).isoformat()
    answer_set.created_at = answer_set.created_at or now
    answer_set.updated_at = now
    return write_private(path, answer_set.to_json(), workspace_root)


def read_json_text(path: Path, what: str = "file") -> str:
    """The text of a JSON file: UTF-8 as JSON requires (a byte-order mark, as Windows editors
    write one, is dropped); anything else is one line naming the file, line and byte."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ValidationError(f"{path}: {what} not found") from None
    except OSError as err:
        raise ValidationError(f"{path}: cannot read ({err.strerror or err})") from None
    try:
        return decode_utf8(data, path, "a JSON file must be UTF-8")
    except ImportFormatError as err:
        raise ValidationError(str(err)) from None


def load_answers(path: Path) -> AnswerSet:
    path = Path(path)
    return AnswerSet.from_json(read_json_text(path, "answer file"), str(path))
