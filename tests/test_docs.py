"""The README stays an entry point and every relative link in the docs leads somewhere."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]
PAGES = [REPO / "README.md", *sorted((REPO / "docs").rglob("*.md"))]
LINK = re.compile(r"\]\(([^)\s]+)\)")


def test_readme_is_an_entry_point() -> None:
    assert len((REPO / "README.md").read_text(encoding="utf-8").splitlines()) <= 250


def test_readme_says_which_python_the_package_requires() -> None:
    """`pip install -e .` on Python 3.10 or outside a virtual environment on Debian/Ubuntu fails before `review`
    exists, and the README said neither (fresh31): the version it names is pyproject's requires-python."""
    import tomllib

    requires = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["requires-python"]
    readme = " ".join((REPO / "README.md").read_text(encoding="utf-8").split())
    assert requires.startswith(">=")
    assert f"Python {requires[2:]} or later" in readme and "python3 -m venv .venv" in readme


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(REPO)))
def test_relative_links_resolve(page: Path) -> None:
    broken = []
    for target in LINK.findall(page.read_text(encoding="utf-8")):
        if re.match(r"[a-z]+:", target) or target.startswith("#"):
            continue  # external URL or an anchor on the same page
        path = (page.parent / target.split("#", 1)[0]).resolve()
        if not path.exists():
            broken.append(target)
    assert broken == [], f"{page.relative_to(REPO)}: broken links {broken}"


def _heading_anchors(page: Path) -> set[str]:
    return _anchors(page.read_text(encoding="utf-8"))


def _anchors(text: str) -> set[str]:
    """The anchors GitHub gives a page's headings (lower case, punctuation dropped, spaces as hyphens; a
    repeated heading's anchor gets -1, -2, ...). A ``# comment`` in a fenced code block is no heading."""
    anchors: set[str] = set()
    seen: dict[str, int] = {}
    fence = ""  # the open fence's marker (``` or ~~~), "" outside a code block
    for line in text.splitlines():
        marker = re.match(r" {0,3}(`{3,}|~{3,})", line)
        if marker and (not fence or marker.group(1).startswith(fence)):
            fence = "" if fence else marker.group(1)
            continue
        heading = None if fence else re.match(r"#{1,6}\s+(.*)", line)
        if heading:
            slug = re.sub(r"[^\w\- ]", "", re.sub(r"[`*]", "", heading.group(1)).strip().lower()).replace(" ", "-")
            repeats = seen.get(slug, 0)
            seen[slug] = repeats + 1
            anchors.add(f"{slug}-{repeats}" if repeats else slug)
    return anchors


def test_heading_anchors_skip_code_fences_and_number_repeated_headings() -> None:
    # A `# comment` line in a ```bash block counted as a heading, so a link to it passed; and GitHub's
    # "-1" anchor of a second heading of the same name was flagged though it works.
    text = ("# Setup\n```bash\n# install first\nreview init\n```\n## Setup\n~~~\n```\n# still code\n~~~\n"
            "## Next step\n")
    assert _anchors(text) == {"setup", "setup-1", "next-step"}


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(REPO)))
def test_links_to_a_part_of_a_page_find_its_heading(page: Path) -> None:
    # README's "docs/screening.md#resolving-conflicts-from-the-shell" and four "screening.md#commands" landed at
    # the top of a 500-line page: those parts were bold paragraphs, which give no anchor.
    broken = []
    for target in LINK.findall(page.read_text(encoding="utf-8")):
        path, _, anchor = target.partition("#")
        if not anchor or re.match(r"[a-z]+:", target):
            continue
        linked = (page.parent / path).resolve() if path else page
        if linked.suffix == ".md" and linked.exists() and anchor not in _heading_anchors(linked):
            broken.append(target)
    assert broken == [], f"{page.relative_to(REPO)}: links to no heading {broken}"


@pytest.mark.parametrize("folder", ["benchmarks", "decisions"])
def test_every_dated_page_and_decision_is_listed(folder: str) -> None:
    """The folder's README lists every page in it, so a new benchmark or decision cannot go missing."""
    listing = (REPO / "docs" / folder / "README.md").read_text(encoding="utf-8")
    linked = set(re.findall(r"\]\(([^)#]+\.md)\)", listing))
    pages = {p.name for p in (REPO / "docs" / folder).glob("*.md") if p.name != "README.md"}
    assert pages - linked == set()


def _placeholder(token: str) -> bool:
    """``FILE``, ``KIND``, ``...``, ``link/unlink``, ``ID``: words that stand for something."""
    return token.isupper() or any(mark in token for mark in ("...", "…", "/", "|", "<", "["))


def _review_lines(text: str) -> list[tuple[int, str]]:
    """Every ``review ...`` command in a code span or a fenced block, with its line number."""
    found, fenced = [], False
    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith("```"):
            fenced = not fenced
            continue
        spans = [line] if fenced else re.findall(r"`([^`]+)`", line)
        for span in spans:
            for match in re.finditer(r"(?:^|\$ |&& )\s*(review(?: [^#]*)?)", span):
                found.append((number, match.group(1).split("  #")[0].strip()))
    return found


def _command_of(main: Any, context: Any, tokens: list[str]) -> tuple[Any, list[str], str | None]:
    """The command a ``review …`` line's tokens reach (global -w/-r skipped), the tokens left for it, and the name of
    a subcommand its group does not have (None when every name was found, or a flag or placeholder came first)."""
    import click

    command = main
    while tokens and isinstance(command, click.Group):
        if tokens[0] in ("-w", "--workspace", "-r", "--reviewer"):
            tokens = tokens[2:]
            continue
        if tokens[0].startswith("-") or _placeholder(tokens[0]):
            break
        sub = command.get_command(context, tokens[0])
        if sub is None:
            return command, tokens, tokens[0]
        command, tokens = sub, tokens[1:]
    return command, tokens, None


def test_every_command_and_flag_in_the_docs_exists() -> None:
    """A renamed command or flag must take its documentation along (README and docs/)."""
    import shlex

    import click

    from review.cli import main

    main.load_all()
    context = click.Context(main)
    wrong = []
    for page in PAGES:
        for number, command_line in _review_lines(page.read_text(encoding="utf-8")):
            try:
                tokens = shlex.split(command_line)[1:]
            except ValueError:
                continue
            command, tokens, unknown = _command_of(main, context, tokens)
            if unknown is not None and (command is main or not getattr(command, "invoke_without_command", False)):
                wrong.append(f"{page.relative_to(REPO)}:{number}: no command {unknown!r}: {command_line}")
            flags = {"--help", "-w", "--workspace"}
            for param in command.params:
                if isinstance(param, click.Option):
                    flags.update(param.opts, param.secondary_opts)
            for token in tokens:
                flag = re.sub(r"[=\[\]/|].*$", "", token).rstrip(".,;:)")
                if flag.startswith("--") and flag != "--" and flag not in flags:
                    wrong.append(f"{page.relative_to(REPO)}:{number}: no {flag} in {command.name}: {command_line}")
    assert wrong == []


def test_the_readme_shows_every_required_option_of_a_command_it_gives_arguments() -> None:
    """A new user copies the README's commands: `review simulate FILE.csv` there failed with "Missing option
    '--json'" (fresh31). A command shown with arguments names each option its command requires."""
    import shlex

    import click

    from review.cli import main

    main.load_all()
    context = click.Context(main)
    readme = REPO / "README.md"
    lacking = []
    for number, command_line in _review_lines(readme.read_text(encoding="utf-8")):
        try:
            tokens = shlex.split(command_line)[1:]
        except ValueError:
            continue
        command, tokens, _ = _command_of(main, context, tokens)
        if isinstance(command, click.Group) or not tokens or "--help" in tokens:
            continue  # a command named in passing, not a usage to copy
        shown = set(re.findall(r"--?[A-Za-z][\w-]*", command_line))
        for param in command.params:
            if isinstance(param, click.Option) and param.required and not shown & set(param.opts):
                lacking.append(f"README.md:{number}: {param.opts[-1]} missing: {command_line}")
    assert lacking == []


def test_the_classifier_level_is_said_one_way() -> None:
    """min(confidence, max(0.5, 1 - 4(1 - confidence))) since decision 0029: at least 0.5, or the confidence
    when that is lower. The --confidence help said "at least 0.5" only and screening.md "never above the confidence",
    which contradict each other below 0.5 (the level is the confidence there)."""
    import click

    from review.cli import main

    main.load_all()
    simulate = main.get_command(click.Context(main), "simulate")
    assert simulate is not None
    [confidence] = [param for param in simulate.params if param.name == "confidence"]
    help_text = " ".join(str(getattr(confidence, "help", "")).split())
    screening = " ".join((REPO / "docs" / "screening.md").read_text(encoding="utf-8").split())
    wording = "at least 0.5, or the confidence when that is lower"
    assert wording in help_text and wording in screening


@pytest.mark.parametrize("page", ["decisions/0028-stopping-round-6-low-score-calibration.md",
                                  "benchmarks/screening-stopping-round6-2026-12-05.md"])
def test_a_judged_outcome_keeps_its_words_and_a_later_correction_is_a_dated_note(page: str) -> None:
    """What the judged run said stays as it was written (here: skeletal muscle relaxants seeds 27 and 30,
    'where the Lomax rule never stops'); what was found afterwards is a dated note below it, not an edit."""
    text = " ".join((REPO / "docs" / page).read_text(encoding="utf-8").split())
    judged = "(skeletal muscle relaxants seeds 27 and 30, where the Lomax rule never stops): the benchmark's Lomax"
    note = "The paragraph above is wrong about those two runs"
    assert judged in text and note in text and text.index(judged) < text.index(note)
    assert "Note (2026-12-05, after the outcome; issue sfix13)." in text[text.index(note) - 60:text.index(note)]


def test_deciding_sessions_waiting_behind_a_removal_is_said_where_the_removal_check_is() -> None:
    """Deciding sessions share the removals' lock, but a removal or restore waiting for one of them makes
    every later decision wait too: screening.md and removal_reason's docstring said they never wait."""
    from review.store.fulltext import removal_reason

    screening = " ".join((REPO / "docs" / "screening.md").read_text(encoding="utf-8").split())
    docstring = " ".join(str(removal_reason.__doc__).split())
    wording = "do not wait for each other here, except behind a removal or restore that is waiting for one of them"
    assert wording.replace(" here,", " there,") in screening and wording in docstring


def test_synthesis_md_quotes_the_meta_analysis_line_the_report_prints_for_its_three_rows(tmp_path: Path) -> None:
    """synthesis.md quoted τ² 0.0202 and a prediction interval 0.11-24.70 that no data in the repository gives
    (docs audit 2026-12-06): its example now names its three rows, and the report must print what it quotes."""
    from review.extraction.model import Estimate, Factor, Study
    from review.synthesis.factors import SynthesisSettings, synthesise_factor
    from review.synthesis.report import markdown_report

    factor = Factor("conflict_with_supervisor", "Conflict with supervisor", "Conflict met leidinggevende", "social",
                    True, True)
    studies = [Study(id=name, cohort_id=name, citation=name, country="NL", design="cohort",
                     evidence_type="empirical", outcome_definition="recurrent sick leave", data_source="full text",
                     estimates=[Estimate(factor=factor.id, estimate_type="adjusted", source_location="Table 2",
                                         measure="OR", estimate=value, ci_low=low, ci_high=high,
                                         contrast="conflict vs none")])
               for name, value, low, high in (("a", 2.21, 1.21, 4.04), ("b", 1.80, 1.10, 2.95),
                                              ("c", 1.60, 1.10, 2.33))]
    settings = SynthesisSettings(rule_set="ariens")
    result = synthesise_factor(factor, studies, {}, settings)
    report = markdown_report([result], settings, plots={}, n_studies=3, root=tmp_path)
    line = next(x for x in report.splitlines() if x.startswith("**Meta-analysis**"))
    page = " ".join((REPO / "docs" / "synthesis.md").read_text(encoding="utf-8").split())
    paragraph = page[page.index("The report's meta-analysis line names its conventions."):]
    paragraph = paragraph[:paragraph.index("from no data in the repository")]
    assert "2.21 (1.21-4.04), 1.80 (1.10-2.95) and 1.60 (1.10-2.33)" in paragraph
    quoted = re.findall(r"`([^`]+)`", paragraph)
    shown = [q for q in quoted if any(ch.isdigit() for ch in q) and "prediction interval …" not in q]
    assert len(shown) == 2  # the estimates with τ² and I², and the prediction interval
    for fragment in shown:
        assert fragment in line, (fragment, line)


def _simulation_json(tmp_path: Path) -> dict:
    import csv
    import json

    from click.testing import CliRunner

    from review.cli import main

    data_csv, out = tmp_path / "set.csv", tmp_path / "sim.json"
    with data_csv.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["record_id", "title", "abstract", "label_included"])
        for i in range(60):
            topic = "recurrent sickness absence depression" if i % 10 == 0 else f"knee surgery trial {i % 7}"
            writer.writerow([i + 1, f"{topic} study {i}", f"We studied {topic} in cohort {i}.", int(i % 10 == 0)])
    result = CliRunner().invoke(main, ["simulate", str(data_csv), "--seed", "1", "--json", str(out)])
    assert result.exit_code == 0, result.output
    return json.loads(out.read_text(encoding="utf-8"))


def test_screening_md_names_every_key_review_simulate_writes(tmp_path: Path) -> None:
    """Each top-level key of the JSON has its row in the key table (`tool`, decision 0080, among them), and the
    `tool` row names the keys of its object."""
    data = _simulation_json(tmp_path)
    page = (REPO / "docs" / "screening.md").read_text(encoding="utf-8")
    start = page.index("| key | meaning |")
    table = page[start:page.index("\n\n", start)].splitlines()[2:]
    named = {key for line in table for key in re.findall(r"`([^`]+)`", line.split(" | ")[0])}
    assert set(data) - named == set()
    tool_row = next(line for line in table if line.startswith("| `tool` |"))
    assert set(data["tool"]) - set(re.findall(r"`([^`]+)`", tool_row)) == set()


def test_screening_md_names_every_stopping_key_review_simulate_writes(tmp_path: Path) -> None:
    """`consecutive_irrelevant`'s `limit` was written by `review simulate` but named nowhere in its key table
    (docs audit 2026-12-06): every key of `stopping` and of its rules must be in the table's `stopping` row."""
    stopping = _simulation_json(tmp_path)["stopping"]
    page = (REPO / "docs" / "screening.md").read_text(encoding="utf-8")
    row = next(line for line in page.splitlines() if line.startswith("| `stopping` |"))
    named = set(re.findall(r"`([^`]+)`", row))
    keys = set(stopping) | {key for value in stopping.values() if isinstance(value, dict) for key in value}
    assert keys - named == set()
