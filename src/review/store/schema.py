"""Core tables. Stage-specific tables live in ``store/<stage>.py`` on the same metadata.

Portable types only (no SQLite-only SQL) so the same code runs on PostgreSQL.
Decision tables are append-only: an undo is a new row pointing at the row it undoes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from ..timestamps import as_utc

metadata = sa.MetaData()


class UtcDateTime(sa.types.TypeDecorator[datetime]):
    """A moment stored in UTC and read back as an aware UTC datetime on either engine: SQLite keeps
    no zone (it returned naive values) and PostgreSQL answers in the session's zone, so exports
    written from one differed from the other's after ``review migrate``."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        # naive: UTC by the store's convention; said so, or PostgreSQL reads it in its zone
        return None if value is None else as_utc(value)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else as_utc(value)

#: Bump when any table changes and add a step to ``store.migrations.MIGRATIONS``.
SCHEMA_VERSION = 4

schema_info = sa.Table(
    "schema_info",
    metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)

import_batches = sa.Table(
    "import_batches",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("file_name", sa.Text, nullable=False),
    sa.Column("file_sha256", sa.String(64), nullable=False, index=True),
    sa.Column("source_name", sa.Text, nullable=False),
    sa.Column("format", sa.String(32), nullable=False),
    sa.Column("encoding", sa.String(32), nullable=False),
    sa.Column("n_records", sa.Integer, nullable=False),
    sa.Column("imported_at", UtcDateTime(), nullable=False),
    # Set when the batch came from a logged search run rather than a file.
    sa.Column("search_run_id", sa.Integer, nullable=True),
)

records = sa.Table(
    "records",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("batch_id", sa.Integer, sa.ForeignKey("import_batches.id"), nullable=False, index=True),
    sa.Column("external_id", sa.Text, nullable=False, default=""),
    sa.Column("source_name", sa.Text, nullable=False),
    sa.Column("position", sa.Text, nullable=False, default=""),
    sa.Column("title", sa.Text, nullable=False, default=""),
    sa.Column("abstract", sa.Text, nullable=False, default=""),
    sa.Column("authors", sa.JSON, nullable=False),
    sa.Column("year", sa.Integer, nullable=True),
    sa.Column("journal", sa.Text, nullable=False, default=""),
    sa.Column("volume", sa.Text, nullable=False, default=""),
    sa.Column("issue", sa.Text, nullable=False, default=""),
    sa.Column("pages", sa.Text, nullable=False, default=""),
    sa.Column("doi", sa.Text, nullable=False, default="", index=True),
    sa.Column("pmid", sa.Text, nullable=False, default="", index=True),
    sa.Column("keywords", sa.JSON, nullable=False),
    sa.Column("mesh", sa.JSON, nullable=False),
    sa.Column("publication_types", sa.JSON, nullable=False),
    sa.Column("language", sa.Text, nullable=False, default=""),
    sa.Column("extra", sa.JSON, nullable=False),
    sa.Column("raw", sa.Text, nullable=False, default=""),
)

screening_decisions = sa.Table(
    "screening_decisions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("record_id", sa.Integer, sa.ForeignKey("records.id"), nullable=False, index=True),
    sa.Column("reviewer", sa.Text, nullable=False, index=True),
    # title_abstract now; other screening stages may follow.
    sa.Column("stage", sa.String(32), nullable=False, default="title_abstract"),
    # include | exclude | maybe | undo
    sa.Column("label", sa.String(16), nullable=False),
    sa.Column("reasons", sa.JSON, nullable=False),
    sa.Column("note", sa.Text, nullable=False, default=""),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("model_rank", sa.Integer, nullable=True),
    # Model, query strategy, seed and training size at the time of the decision.
    sa.Column("model_info", sa.JSON, nullable=False),
    sa.Column("undoes_id", sa.Integer, sa.ForeignKey("screening_decisions.id"), nullable=True),
    # The TUI's blind mode (other reviewers' decisions hidden) at the moment of the decision: true or false; NULL
    # on undo rows and on decisions made before schema 4, which did not record it (PRISMA 2020 item 8).
    sa.Column("blind", sa.Boolean, nullable=True),
)

# One row per change of a reviewer's screening decisions at a stage (a decision or an undo), numbered 1, 2, …
# in the change's own transaction under the per-reviewer lock: the highest number is one primary-key read, so a
# session tells whether anyone else changed its reviewer's decisions without counting the log (O(log size) on
# PostgreSQL, whose ids do not commit in order). Rows are only appended: a role that may only SELECT and
# INSERT decides.
decision_changes = sa.Table(
    "screening_decision_changes",
    metadata,
    sa.Column("reviewer", sa.Text, primary_key=True),
    sa.Column("stage", sa.String(32), primary_key=True),
    sa.Column("n", sa.Integer, primary_key=True, autoincrement=False),
)
