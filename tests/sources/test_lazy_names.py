"""review.sources loads its public names on first use (PEP 562): each one must still be there."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

import review.sources as sources


@pytest.mark.parametrize("name", sorted(sources._HOMES))
def test_every_public_name_loads_from_its_home(name: str) -> None:
    home = importlib.import_module(f"review.sources.{sources._HOMES[name]}")
    assert getattr(sources, name) is getattr(home, name)


def test_all_lists_every_lazy_name_and_dir_shows_them_before_use() -> None:
    assert sorted(sources.__all__) == sorted(sources._HOMES)
    code = "import review.sources as s, sys; print(sorted(set(s.__all__) - set(dir(s))))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_a_wrong_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="import_filez"):
        sources.import_filez  # noqa: B018
