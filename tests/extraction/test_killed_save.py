"""kill -9 between a form save's two writes (the study file, then the store): the file is what the
reviewer sees and commits, so the next open of the form and the next synthesis store it, and the
store never stays a version behind the file without anyone noticing."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kill_harness import SIGKILLED
from review.errors import ReviewError
from review.services import extraction as service
from review.services.synthesis import synthesise_extraction
from review.store import extraction as tables
from review.workspace import Workspace

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs SIGKILL")


def _programme_folder(workspace: Workspace) -> Path:
    """The programme's 15 study files and factor list copied into the workspace's extraction folder."""
    folder = workspace.root / "extraction"
    shutil.copytree(REPO / "extraction" / "studies", folder / "studies")
    shutil.copy(REPO / "extraction" / "factors.toml", folder)
    return folder

#: The form's save (as the TUI's ctrl+s calls it), killed with SIGKILL at the moment the study file
#: is written and the store write would start: the child sends itself the signal from inside the
#: store step, so the kill lands exactly between the two, every run.
SAVE_KILLED_BEFORE_STORE = """
import os, signal, sys
from pathlib import Path
from review.extraction import loading
from review.services import extraction as service
from review.workspace import Workspace

def killed(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)

loading.store_study = killed
path = Path(sys.argv[2])
data = service.read_study_file(path)
data["study"]["citation"] = "Edited in the form"
service.save_study_file(Workspace(sys.argv[1]), path, data)
print("store step returned", flush=True)
"""


def _killed_save(workspace: Workspace) -> Path:
    """A workspace whose store holds the programme's studies, then a form save of arends2014 killed
    between its file write and its store write; returns that study file."""
    folder = _programme_folder(workspace)
    assert len(service.load_folder(workspace, folder).loaded) == 15
    path = folder / "studies" / "arends2014.toml"
    child = subprocess.run([sys.executable, "-c", SAVE_KILLED_BEFORE_STORE, str(workspace.root), str(path)],
                           capture_output=True, text=True, timeout=120)
    assert child.returncode == SIGKILLED, child.stderr[-800:]
    assert "returned" not in child.stdout
    assert service.read_study_file(path)["study"]["citation"] == "Edited in the form"
    # The state the audit found: the file is one version ahead of the store.
    stored = tables.study_version(workspace.store, "arends2014")
    assert stored is not None and stored.data["study"]["citation"] != "Edited in the form"
    return path


def test_opening_the_form_stores_the_file_a_killed_save_left_behind(workspace: Workspace) -> None:
    path = _killed_save(workspace)
    reopened = Workspace(workspace.root)
    report = service.store_changed_files(reopened)  # what the extraction screen runs when it opens
    assert report.loaded == ["arends2014"] and len(report.unchanged) == 14
    stored = tables.study_version(reopened.store, "arends2014")
    assert stored is not None and stored.data == service.read_study_file(path)
    assert stored.data["study"]["citation"] == "Edited in the form"
    assert service.store_changed_files(reopened).loaded == []  # level now: nothing stored twice


def test_synthesis_after_a_killed_save_brings_the_store_level_first(workspace: Workspace) -> None:
    path = _killed_save(workspace)
    (path.parent / "broken.toml").write_text("[study]\nid = 'other'\n", encoding="utf-8")  # invalid: skipped
    before = len(tables.latest_versions(workspace.store))
    with pytest.raises(ReviewError, match="broken.toml"):  # the synthesis itself refuses the broken file
        synthesise_extraction(path.parent.parent, plots=False)
    stored = tables.study_version(workspace.store, "arends2014")
    assert stored is not None and stored.data == service.read_study_file(path)
    assert len(tables.latest_versions(workspace.store)) == before  # nothing of the broken file stored


def test_a_save_whose_store_write_fails_says_the_file_is_saved(workspace: Workspace,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """The store refusing (busy, gone) after the file was written: the message says what happened."""
    from review.extraction import loading

    folder = _programme_folder(workspace)
    service.load_folder(workspace, folder)
    path = folder / "studies" / "arends2014.toml"
    data = service.read_study_file(path)
    data["study"]["citation"] = "Edited in the form"

    def busy(*args: object, **kwargs: object) -> bool:
        raise ReviewError("store busy")

    monkeypatch.setattr(loading, "store_study", busy)
    with pytest.raises(ReviewError, match=r"arends2014.toml: saved, but not stored \(store busy\)"):
        service.save_study_file(workspace, path, data)
    monkeypatch.undo()
    assert service.store_changed_files(workspace).loaded == ["arends2014"]


def test_opening_the_form_leaves_an_extractors_own_copy_to_load(workspace: Workspace) -> None:
    """An extractor's ID.who.toml is theirs until 'review extraction load': the form's catch-up,
    which only mends the reconciled file a save left behind, never stores it."""
    folder = _programme_folder(workspace)
    own = folder / "studies" / "arends2014.alice.toml"
    shutil.copy(folder / "studies" / "arends2014.toml", own)
    assert "arends2014 (alice)" in service.load_folder(workspace, folder).loaded
    text = own.read_text(encoding="utf-8")
    own.write_text(text.replace('citation = "Arends I,', 'citation = "Alice, still working: Arends I,'),
                   encoding="utf-8")
    stored_before = tables.study_version(workspace.store, "arends2014", "alice")
    report = service.store_changed_files(workspace)
    assert not [label for label in report.loaded + report.unchanged if "alice" in label]
    stored = tables.study_version(workspace.store, "arends2014", "alice")
    assert stored is not None and stored_before is not None and stored.id == stored_before.id
    assert service.load_folder(workspace, folder).loaded == ["arends2014 (alice)"]  # load is its way in


def test_the_synthesis_catch_up_releases_the_store_it_opened(workspace: Workspace,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """The catch-up opens the folder's workspace store for itself; its connections go back at once."""
    from review.store import Store

    folder = _programme_folder(workspace)
    service.load_folder(workspace, folder)
    opened: list[Store] = []
    real_open = Store.open

    def recording_open(*args: object, **kwargs: object) -> Store:
        store = real_open(*args, **kwargs)  # type: ignore[arg-type]
        opened.append(store)
        return store

    def stop(*args: object, **kwargs: object) -> None:
        raise ReviewError("stopped after the catch-up")

    monkeypatch.setattr(Store, "open", recording_open)
    monkeypatch.setattr("review.synthesis.run.run_synthesis", stop)
    with pytest.raises(ReviewError, match="stopped after the catch-up"):
        synthesise_extraction(folder, plots=False)
    assert opened and all(store.engine.pool.checkedin() == 0 for store in opened)
    monkeypatch.undo()
    monkeypatch.setattr(Store, "open", recording_open)
    opened.clear()
    assert synthesise_extraction(folder, plots=False).grade_stored  # a whole run: catch-up, then GRADE rows
    assert len(opened) == 1 and opened[0].engine.pool.checkedin() == 0  # one store, released
