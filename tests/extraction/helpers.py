"""Builders shared by the extraction tests: a copy of the programme's study folder and QUIPS tables."""

from __future__ import annotations

import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
#: The six QUIPS domains (Hayden et al. 2013), spelled as the form's keys.
DOMAINS = ("participation", "attrition", "factor_measurement", "outcome_measurement", "confounding", "analysis")
NOTE = "read in the methods section"


def programme_folder(tmp_path: Path) -> Path:
    """The repository's extraction studies and factor list, copied where a test may change them."""
    folder = tmp_path / "extraction"
    shutil.copytree(REPO / "extraction" / "studies", folder / "studies")
    shutil.copy(REPO / "extraction" / "factors.toml", folder)
    return folder


def quips_table(rater: str, rated: tuple[str, ...] = DOMAINS, supported: tuple[str, ...] = DOMAINS) -> str:
    """A ``[quips.RATER]`` table rating ``rated`` "low", with support text for those also in ``supported``."""
    lines = [f"[quips.{rater}]"]
    for domain in rated:
        lines.append(f'{domain} = "low"')
        if domain in supported:
            lines.append(f'{domain}_note = "{NOTE}"')
    return "\n".join(lines) + "\n"
