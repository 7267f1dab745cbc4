"""The one package that touches the database (SQLAlchemy Core; SQLite or PostgreSQL).

``Store`` (in ``core``) opens a workspace's database and holds records and screening decisions;
each stage that persists something owns ``store/<stage>.py`` with its tables and queries, as
functions taking the ``Store``. Importing the package registers every stage's tables.
"""

from __future__ import annotations

from . import stage_tables  # noqa: F401  (every stage's tables join ``metadata`` before create_all)
from .core import Connection, Store, utcnow
from .schema import metadata

__all__ = ["Connection", "Store", "metadata", "utcnow"]
