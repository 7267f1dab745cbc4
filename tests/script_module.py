"""A script of the repository (``benchmarks/``, ``scripts/``) loaded as a module, for its tests.

Import it as ``from script_module import load_script`` (tests/ is on pytest's pythonpath).
"""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType

from shared_data import REPO_ROOT


def load_script(relative_path: str, name: str) -> ModuleType:
    """``REPO_ROOT / relative_path`` as module ``name``; a second call returns the same module.

    The module is registered in ``sys.modules`` while it loads (dataclasses look their module up
    while being built) and stays there. Benchmarks put ``benchmarks/`` on ``sys.path`` for their
    sibling modules; the path is restored afterwards, or ``benchmarks/instrument.py`` would shadow
    the tests' ``instrument`` package.
    """
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, REPO_ROOT / relative_path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    saved = list(sys.path)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(name, None)
        raise
    finally:
        sys.path[:] = saved
    return module
