"""The one written form of a stored moment: ISO 8601 in UTC with an explicit offset.

The store hands back UTC times on both engines (``store.schema.UtcDateTime``); every file that
writes one uses ``iso_utc``, so an export reads the same before and after ``review migrate``.
Lines people read (``review status``, the PRISMA-S report) say the minute instead: ``minute_utc``.
"""

from __future__ import annotations

from datetime import date, datetime, timezone

__all__ = ["as_utc", "iso_utc", "local_day", "minute_utc"]


def as_utc(moment: datetime) -> datetime:
    """The moment as an aware UTC datetime; a naive one is taken as UTC (the store's convention)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def iso_utc(moment: datetime) -> str:
    """``2026-12-05T12:15:03.123456+00:00``: UTC, microseconds always shown, so the width never varies.
    A naive moment is taken as UTC (what the store keeps)."""
    return as_utc(moment).isoformat(timespec="microseconds")


def minute_utc(moment: datetime) -> str:
    """``2026-12-05 12:15 UTC``: the moment as people read it in a status line or a report. A naive moment is
    taken as UTC."""
    return f"{as_utc(moment):%Y-%m-%d %H:%M} UTC"


def local_day(stamp: str) -> str:
    """``YYYY-MM-DD``: the day an ISO 8601 moment (``2026-12-06T23:30:00+00:00``, ``…Z``) fell on in this machine's
    time zone, the one a person dating a paper here writes (00:30 in Amsterdam is the 7th, the UTC day the 6th).
    A date alone is its own day, a moment without an offset is taken as UTC; "" when ``stamp`` is no date."""
    text = stamp.strip()
    try:
        if len(text) == 10:
            return date.fromisoformat(text).isoformat()
        return as_utc(datetime.fromisoformat(text)).astimezone().date().isoformat()
    except ValueError:
        return ""
