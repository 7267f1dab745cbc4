"""kill -9 inside `review synthesis`'s first run, between registering the rule set in review.toml and
writing synthesis.csv: the rule set is registered first, so no synthesis.csv exists whose rule set
review.toml does not record, and the next run (without --rule-set) keeps the one registered."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from kill_harness import SIGKILLED
from review.services.synthesis import synthesise_extraction
from review.synthesis import load_synthesis
from review.workspace import Workspace

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs SIGKILL")

#: The first synthesis of a workspace with --rule-set iwh, SIGKILLed from inside its output step.
SYNTHESIS_KILLED_BEFORE_OUTPUTS = """
import os, signal, sys
from pathlib import Path
from review.services.synthesis import synthesise_extraction
from review.synthesis import run

def killed(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)

run.write_outputs = killed
synthesise_extraction(Path(sys.argv[1]), "iwh", plots=False)
print("output step returned", flush=True)
"""


def test_a_synthesis_killed_before_its_outputs_has_registered_its_rule_set(workspace: Workspace) -> None:
    folder = workspace.root / "extraction"
    shutil.copytree(REPO / "extraction" / "studies", folder / "studies")
    shutil.copy(REPO / "extraction" / "factors.toml", folder)
    config = workspace.root / "review.toml"
    assert "synthesis" not in tomllib.loads(config.read_text(encoding="utf-8"))
    child = subprocess.run([sys.executable, "-c", SYNTHESIS_KILLED_BEFORE_OUTPUTS, str(folder)],
                           capture_output=True, text=True, timeout=180)
    assert child.returncode == SIGKILLED, child.stderr[-800:]
    assert "returned" not in child.stdout
    assert tomllib.loads(config.read_text(encoding="utf-8"))["synthesis"]["rule_set"] == "iwh"
    assert not (folder / "synthesis.csv").exists()  # the state the kill left: registered, no outputs yet
    again = synthesise_extraction(folder, plots=False)  # no --rule-set: the registered one is used
    assert not any("pre-registered" in note for note in again.notes)
    assert {ev.rule_set for ev in load_synthesis(folder / "synthesis.csv")} == {"iwh"}
