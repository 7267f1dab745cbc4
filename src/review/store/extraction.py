"""Extraction and synthesis tables: study versions per extractor, estimates, QUIPS, GRADE.

Append-only like the screening log: loading a study again adds a new version; the latest
version per (study, extractor) is the effective one. One transaction per study.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import sqlalchemy as sa

from .core import Store, inserted_id
from .schema import UtcDateTime, metadata

extraction_studies = sa.Table(
    "extraction_studies",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("study_id", sa.String(128), nullable=False, index=True),
    # "" for the reconciled file, else the extractor's name
    sa.Column("extractor", sa.String(128), nullable=False, default=""),
    sa.Column("cohort_id", sa.String(128), nullable=False, default=""),
    sa.Column("citation", sa.Text, nullable=False, default=""),
    sa.Column("design", sa.String(32), nullable=False, default=""),
    sa.Column("evidence_type", sa.String(16), nullable=False, default="empirical"),
    sa.Column("source_file", sa.Text, nullable=False, default=""),
    sa.Column("data", sa.JSON, nullable=False),  # the whole study file, as parsed
    sa.Column("created_at", UtcDateTime(), nullable=False),
)

extraction_estimates = sa.Table(
    "extraction_estimates",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("version_id", sa.Integer, sa.ForeignKey("extraction_studies.id"), nullable=False, index=True),
    sa.Column("study_id", sa.String(128), nullable=False, index=True),
    sa.Column("factor_id", sa.String(128), nullable=False, index=True),
    sa.Column("contrast", sa.Text, nullable=False, default=""),
    sa.Column("subgroup", sa.Text, nullable=False, default=""),
    sa.Column("measure", sa.String(8), nullable=False, default=""),
    sa.Column("estimate", sa.Float, nullable=True),
    sa.Column("ci_low", sa.Float, nullable=True),
    sa.Column("ci_high", sa.Float, nullable=True),
    sa.Column("ci_level", sa.Float, nullable=False, default=0.95),
    sa.Column("p", sa.Float, nullable=True),
    sa.Column("estimate_type", sa.String(16), nullable=False, default=""),
    sa.Column("estimate_status", sa.Text, nullable=False, default=""),
    sa.Column("finding", sa.String(16), nullable=False, default=""),
    sa.Column("source_location", sa.Text, nullable=False, default=""),
)

quips_ratings = sa.Table(
    "quips_ratings",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("study_id", sa.String(128), nullable=False, index=True),
    sa.Column("rater", sa.String(128), nullable=False),  # "consensus" for the agreed rating
    sa.Column("domain", sa.String(32), nullable=False),
    sa.Column("rating", sa.String(16), nullable=False),
    sa.Column("version_id", sa.Integer, sa.ForeignKey("extraction_studies.id"), nullable=True),
    sa.Column("created_at", UtcDateTime(), nullable=False),
)

study_quality = sa.Table(
    "study_quality",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("study_id", sa.String(128), nullable=False, index=True),
    sa.Column("rob", sa.String(16), nullable=False),  # low | moderate | high | unrated
    sa.Column("rule", sa.Text, nullable=False),
    sa.Column("basis", sa.Text, nullable=False, default=""),
    sa.Column("version_id", sa.Integer, sa.ForeignKey("extraction_studies.id"), nullable=True),
    sa.Column("created_at", UtcDateTime(), nullable=False),
)

grade_judgements = sa.Table(
    "grade_judgements",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("factor_id", sa.String(128), nullable=False, index=True),
    sa.Column("start", sa.String(16), nullable=False),
    sa.Column("domains", sa.JSON, nullable=False),  # domain -> {"change": -1, "reason": "..."}
    sa.Column("certainty", sa.String(16), nullable=False),
    sa.Column("source", sa.String(16), nullable=False),  # auto | reviewer
    sa.Column("reviewer", sa.String(128), nullable=False, default=""),
    sa.Column("created_at", UtcDateTime(), nullable=False),
)


def _now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(slots=True, frozen=True)
class StudyVersion:
    id: int
    study_id: str
    extractor: str
    data: dict[str, Any]
    created_at: Any


def save_study_version(
    store: Store,
    data: dict[str, Any],
    *,
    extractor: str = "",
    source_file: str = "",
    estimates: list[dict[str, Any]] | None = None,
    quips: dict[str, dict[str, str]] | None = None,
    quality: tuple[str, str, str] | None = None,
) -> int:
    """Store one study (file data, estimate rows, QUIPS rows, collapsed quality) in one transaction."""
    study = data["study"]
    now = _now()
    with store.transaction() as conn:
        version_id = inserted_id(conn.execute(extraction_studies.insert().values(
            study_id=study["id"], extractor=extractor, cohort_id=study.get("cohort_id", ""),
            citation=study.get("citation", ""), design=study.get("design", ""),
            evidence_type=study.get("evidence_type", "empirical"), source_file=source_file, data=data,
            created_at=now,
        )))
        if estimates:
            conn.execute(extraction_estimates.insert(), [
                dict(row, version_id=version_id, study_id=study["id"]) for row in estimates
            ])
        rows = [dict(study_id=study["id"], rater=rater, domain=domain, rating=rating, version_id=version_id,
                     created_at=now)
                for rater, ratings in (quips or {}).items() for domain, rating in ratings.items()]
        if rows:
            conn.execute(quips_ratings.insert(), rows)
        if quality is not None:
            rob, rule, basis = quality
            conn.execute(study_quality.insert().values(study_id=study["id"], rob=rob, rule=rule, basis=basis,
                                                       version_id=version_id, created_at=now))
    return version_id


def latest_versions(store: Store, *, extractor: str | None = None) -> list[StudyVersion]:
    """The newest version per (study, extractor), ordered by study id."""
    t = extraction_studies
    newest = sa.select(sa.func.max(t.c.id)).group_by(t.c.study_id, t.c.extractor)
    query = sa.select(t).where(t.c.id.in_(newest)).order_by(t.c.study_id, t.c.extractor)
    if extractor is not None:
        query = query.where(t.c.extractor == extractor)
    with store.connect() as conn:
        return [StudyVersion(r["id"], r["study_id"], r["extractor"], dict(r["data"]), r["created_at"])
                for r in conn.execute(query).mappings()]


def study_version(store: Store, study_id: str, extractor: str = "") -> StudyVersion | None:
    for version in latest_versions(store, extractor=extractor):
        if version.study_id == study_id:
            return version
    return None


def estimates_for(store: Store, version_id: int) -> list[dict[str, Any]]:
    t = extraction_estimates
    with store.connect() as conn:
        return [dict(r) for r in conn.execute(sa.select(t).where(t.c.version_id == version_id).order_by(t.c.id))
                .mappings()]


def quips_for(store: Store, study_id: str) -> dict[str, dict[str, str]]:
    """Latest rating per rater and domain."""
    t = quips_ratings
    out: dict[str, dict[str, str]] = {}
    with store.connect() as conn:
        for r in conn.execute(sa.select(t).where(t.c.study_id == study_id).order_by(t.c.id)).mappings():
            out.setdefault(r["rater"], {})[r["domain"]] = r["rating"]
    return out


def add_quips_rating(store: Store, study_id: str, rater: str, domain: str, rating: str) -> None:
    """One rater's rating of one domain (one transaction; the TUI's QUIPS key press)."""
    with store.transaction() as conn:
        conn.execute(quips_ratings.insert().values(study_id=study_id, rater=rater, domain=domain, rating=rating,
                                                   version_id=None, created_at=_now()))


def latest_quality(store: Store) -> dict[str, str]:
    t = study_quality
    with store.connect() as conn:
        rows = conn.execute(sa.select(t.c.study_id, t.c.rob).order_by(t.c.id)).all()
    return {study_id: rob for study_id, rob in rows}


def add_grade_judgement(
    store: Store, factor_id: str, *, start: str, domains: dict[str, Any], certainty: str,
    source: str = "auto", reviewer: str = "",
) -> int:
    with store.transaction() as conn:
        return inserted_id(conn.execute(grade_judgements.insert().values(
            factor_id=factor_id, start=start, domains=domains, certainty=certainty, source=source,
            reviewer=reviewer, created_at=_now(),
        )))


def latest_grade_judgements(store: Store) -> dict[str, dict[str, Any]]:
    """Newest judgement per factor (a reviewer's judgement is just a newer row)."""
    t = grade_judgements
    with store.connect() as conn:
        rows = conn.execute(sa.select(t).order_by(t.c.id)).mappings().all()
    return {r["factor_id"]: dict(r) for r in rows}


def record_identifiers(store: Store, other_dois: str = "") -> list[tuple[int, str, str]]:
    """(record id, doi, pmid) of every record with a doi or a pmid, as imported (the study files name their paper
    by these: ``review status`` matches them to the studies included at full text). Three columns, no text. With
    ``other_dois`` (the ``extra`` key the readers keep a record's further DOIs under), also (record id, doi, "") for
    each of those, read only from the records whose ``extra`` names the key."""
    from .schema import records

    query = sa.select(records.c.id, records.c.doi, records.c.pmid).where(sa.or_(records.c.doi != "",
                                                                               records.c.pmid != ""))
    with store.connect() as conn:
        found = [(int(row.id), str(row.doi), str(row.pmid)) for row in conn.execute(query)]
        if other_dois:
            named = sa.cast(records.c.extra, sa.Text).like(f'%"{other_dois}"%')
            for row in conn.execute(sa.select(records.c.id, records.c.extra).where(named)):
                values = row.extra.get(other_dois) if isinstance(row.extra, dict) else None
                for value in [values] if isinstance(values, str) else values if isinstance(values, list) else []:
                    found.append((int(row.id), str(value), ""))
    return found
