"""The README stays an entry point and every relative link in the docs leads somewhere."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PAGES = [REPO / "README.md", *sorted((REPO / "docs").rglob("*.md"))]
LINK = re.compile(r"\]\(([^)\s]+)\)")


def test_readme_is_an_entry_point() -> None:
    assert len((REPO / "README.md").read_text(encoding="utf-8").splitlines()) <= 250


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


@pytest.mark.parametrize("folder", ["benchmarks", "decisions"])
def test_every_dated_page_and_decision_is_listed(folder: str) -> None:
    """The folder's README lists every page in it, so a new benchmark or decision cannot go missing."""
    listing = (REPO / "docs" / folder / "README.md").read_text(encoding="utf-8")
    linked = set(re.findall(r"\]\(([^)#]+\.md)\)", listing))
    pages = {p.name for p in (REPO / "docs" / folder).glob("*.md") if p.name != "README.md"}
    assert pages - linked == set()
