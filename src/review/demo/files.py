"""What the demo's build and pipeline steps share: the generated files and the progress callback."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

#: Receives one line per step of the build ("generating the demo corpus").
Progress = Callable[[str], None]


@dataclass(slots=True)
class DemoFiles:
    pubmed_xml: Path
    embase_ris: Path
    psycinfo_nbib: Path
    truth_csv: Path
    screening_csv: Path
