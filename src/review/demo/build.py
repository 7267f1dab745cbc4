"""Build the demo workspace: generate exports, search the stand-in PubMed, import, deduplicate."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..atomic import write_bytes_atomic, write_text_atomic
from ..csvcells import NeutralisingDictWriter
from ..errors import WorkspaceError
from ..paths import WORKSPACE_FILE
from ..prisma.fulltext import PROGRAMME_REASONS
from ..tomlwrite import value_text
from ..workspace import Workspace, init_workspace
from . import pipeline, writers
from .corpus import DemoCorpus, generate
from .files import BUILD_STATE_FILE, BUILDING, BUILT, DemoFiles, Progress, build_state, delete_demo_entries

DEMO_TITLE = "Demo: recurrent sickness absence due to common mental disorders"
DEMO_QUERY = '''# Demo strategy, run against the local E-utilities stand-in (no internet needed).
name = "demo"
database = "pubmed"
query = """("Sick Leave"[Mesh] OR "sickness absence"[tiab] OR "return to work"[tiab])
AND ("Mental Disorders"[Mesh] OR depress*[tiab] OR anxiety[tiab] OR burnout[tiab])"""
notes = "Served by review's E-utilities stand-in over the generated demo corpus."
'''

@dataclass(slots=True)
class DemoReport:
    workspace: Workspace
    files: DemoFiles
    steps: list[str] = field(default_factory=list)


def write_corpus_files(corpus: DemoCorpus, folder: Path) -> DemoFiles:
    """The three database exports plus the ground truth (for simulation and dedup benchmarks)."""
    folder.mkdir(parents=True, exist_ok=True)
    files = DemoFiles(
        pubmed_xml=folder / "pubmed_corpus.xml",
        embase_ris=folder / "embase.ris",
        psycinfo_nbib=folder / "psycinfo.nbib",
        truth_csv=folder / "demo_truth.csv",
        screening_csv=folder / "demo_screening.csv",
    )
    write_bytes_atomic(files.pubmed_xml, writers.pubmed_xml(corpus.copies["PubMed"]))
    write_text_atomic(files.embase_ris, writers.ris(corpus.copies["Embase"], database="Embase"))
    write_text_atomic(files.psycinfo_nbib, writers.medline(corpus.copies["PsycINFO"]))
    write_text_atomic(files.truth_csv, _csv(corpus.truth_rows()))
    write_text_atomic(files.screening_csv, _csv(screening_rows(corpus)))
    return files


def screening_rows(corpus: DemoCorpus) -> list[dict[str, str]]:
    """One row per publication in the labelled-CSV schema that ``review simulate`` reads."""
    rows = []
    for pub in corpus.publications:
        rows.append({
            # ``review simulate`` takes integer ids: the number of the publication id P01660 is 1660.
            "record_id": str(int(pub.pub_id.lstrip("P"))),
            "pub_id": pub.pub_id,
            "title": pub.title,
            "abstract": " ".join(f"{label}: {text}" if label else text for label, text in pub.sections),
            "authors": "; ".join(f"{last}, {fore}" for last, fore in pub.authors),
            "year": str(pub.year),
            "doi": pub.doi,
            "label_included": "1" if pub.relevant else "0",
        })
    return rows


def _csv(rows: list[dict[str, str]]) -> str:
    buffer = io.StringIO()
    writer = NeutralisingDictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


#: review.toml's ``[fulltext]`` section of the demo: the programme's exclusion reasons.
DEMO_FULLTEXT = ("\n[fulltext]\n# The programme's full-text exclusion reasons (a new review gets general ones: docs/prisma.md).\n"
                 f"reasons = {value_text(list(PROGRAMME_REASONS))}\n")


def build_demo(path: Path, *, seed: int = 20261125, progress: Progress | None = None) -> DemoReport:
    """Create a complete demo workspace at ``path`` (which must not be a workspace yet)."""
    say = progress or (lambda _message: None)
    if (path / WORKSPACE_FILE).exists():  # (init_workspace refuses it too, but after the state is written)
        raise WorkspaceError(f"{path / WORKSPACE_FILE}: already a workspace")
    state = build_state(path) if path.is_dir() else None
    if path.is_dir() and state != BUILDING and any(path.iterdir()):
        # Only a folder the build made (new, empty, or its own unfinished build) may carry
        # ".demo-build": a folder marked so is taken for a demo, whose own entries the next build deletes.
        raise WorkspaceError(f"{path}: a folder that is not empty; review demo builds in a new or empty folder")
    if state == BUILDING:
        # What a build or a --rebuild that stopped partway left (a killed deletion took review.toml
        # but not review.db, on which init_workspace would build): the build starts from nothing.
        delete_demo_entries(path)
    path.mkdir(parents=True, exist_ok=True)
    write_text_atomic(path / BUILD_STATE_FILE, BUILDING + "\n")  # first: a build stopped partway says so
    init_workspace(path, title=DEMO_TITLE, reviewers=["anna", "ben"], seed=seed)
    # The demo's topic is the programme's: its full-text reasons too, as criteria.toml carries its terms.
    config = path / WORKSPACE_FILE
    write_text_atomic(config, config.read_text(encoding="utf-8") + DEMO_FULLTEXT)
    workspace = Workspace(path)
    say("generating the demo corpus")
    corpus = generate(seed)
    files = write_corpus_files(corpus, workspace.path("imports"))
    write_text_atomic(workspace.path("queries", "demo.toml"), DEMO_QUERY)
    report = DemoReport(workspace=workspace, files=files)
    for step in _pipeline_steps():
        message = step(workspace, files, say)
        if message:
            report.steps.append(message)
    write_text_atomic(path / BUILD_STATE_FILE, BUILT + "\n")  # last: only a finished build is reused
    return report


def _pipeline_steps() -> list[Callable[[Workspace, DemoFiles, Progress], str]]:
    return [pipeline.search_pubmed, pipeline.import_exports, pipeline.deduplicate, pipeline.prepare_screening,
            pipeline.validation_data]
