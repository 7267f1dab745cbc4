"""Explicit schema migrations: one function per version step, tested on old stores."""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa

#: ``MIGRATIONS[n]`` upgrades a store at version ``n`` to ``n + 1`` inside one transaction.
MIGRATIONS: dict[int, Callable[[sa.Connection], None]] = {}
