"""Imports every stage's table module so their tables join ``metadata`` before create_all.

Each stage that persists something owns ``store/<stage>.py``; add it here (the package
imports this module).
"""

from __future__ import annotations
from . import fulltext  # noqa: F401  (full-text stage, screening stops)
from . import searches  # noqa: F401  (search runs and batch progress)
from . import instrument  # noqa: F401  (instrument versions and their evidence snapshots)
from . import extraction  # noqa: F401  (study versions, estimates, QUIPS, GRADE)
from . import dedup  # noqa: F401  (dedup runs, pair decisions, clusters)
from . import screening  # noqa: F401  (last ranking per reviewer, ranking log)
from . import sessions  # noqa: F401  (one live session per reviewer)
