"""The demo's pipeline steps, each calling the same stage function the CLI uses."""

from __future__ import annotations

from importlib import resources

from ..atomic import write_text_atomic
from ..workspace import Workspace
from .files import DemoFiles, Progress
from ..words import counted, whole


def search_pubmed(workspace: Workspace, files: DemoFiles, say: Progress) -> str:
    """Run the demo query against the local E-utilities stand-in serving the PubMed export."""
    from ..sources.search import client_for, run_searches
    from ..sources.standin import running

    say("searching PubMed (local stand-in)")
    with running(files.pubmed_xml) as standin:
        client = client_for(workspace, base_url=standin.url)
        outcomes = run_searches(workspace, ["demo"], client=client)
    outcome = outcomes[0]
    return (f"search     demo: {counted(outcome.hit_count, 'hit')}, {whole(outcome.new_records)} stored in "
            f"{counted(outcome.requests, 'request')}")


def import_exports(workspace: Workspace, files: DemoFiles, say: Progress) -> str:
    from ..sources.importer import import_files

    say("importing the Embase and PsycINFO exports")
    outcomes = []
    # The RIS export names its database (DB tag); the MEDLINE-format file is Ovid PsycINFO's.
    for path, source in ((files.embase_ris, None), (files.psycinfo_nbib, "PsycINFO")):
        report = import_files(workspace, [path], source=source)
        report.raise_first_error()
        outcomes.extend(report.files)
    parts = [f"{f.path.name}: {whole(f.n_records)} {f.source_name}" for f in outcomes]
    return "import     " + "; ".join(parts)


def deduplicate(workspace: Workspace, files: DemoFiles, say: Progress) -> str:
    from ..dedup.run import run_dedup

    say("finding duplicates across the three databases")
    summary = run_dedup(workspace)
    return (f"dedup      {counted(summary.n_duplicates_removed, 'duplicate')} set aside, "
            f"{counted(summary.n_pending_review, 'borderline pair')} for review")


def prepare_screening(workspace: Workspace, files: DemoFiles | None, say: Progress) -> str:
    """Screening criteria for the demo topic, so the screening screen highlights terms: written over the
    new review's template (which has none), never over criteria someone edited."""
    from ..screening.criteria import template_text

    target = workspace.path("screening", "criteria.toml")
    if not target.exists() or target.read_text(encoding="utf-8") == template_text():
        demo = resources.files("review.demo").joinpath("criteria.toml")
        write_text_atomic(target, demo.read_text(encoding="utf-8"))
    return f"screening  criteria in {target.relative_to(workspace.root)}"


def validation_data(workspace: Workspace, files: DemoFiles, say: Progress) -> str:
    """SYNTHETIC pilot and cohort data for every ``review validate`` kind, with the plan that runs them."""
    from ..validate.demo import write_demo_data

    say("writing synthetic validation data")
    written = write_demo_data(workspace.path("validate"), workspace.config.seed)
    return f"validate   {len(written) - 1} synthetic data sets and analyses.toml in validate/ (review validate run)"
