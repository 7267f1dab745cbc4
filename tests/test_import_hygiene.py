"""Domain code never imports Textual: the TUI is a shell over it (style guide, pattern 1)."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import review

DOMAIN_PACKAGES = ("sources", "dedup", "screening", "prisma", "extraction", "synthesis",
                   "instrument", "store", "demo", "services", "validate")


def _domain_modules() -> list[str]:
    names = ["review.records", "review.workspace", "review.errors"]
    for info in pkgutil.walk_packages(review.__path__, "review."):
        top = info.name.split(".")[1]
        if top in DOMAIN_PACKAGES:
            names.append(info.name)
    return names


def test_domain_modules_do_not_import_textual() -> None:
    modules = _domain_modules()
    assert len(modules) > 5
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "leaked = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
        "print(','.join(leaked[:5]))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "", f"domain code imported textual: {result.stdout}"
