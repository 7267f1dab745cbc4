from __future__ import annotations

from datetime import datetime, timedelta, timezone

from review.timestamps import iso_utc, minute_utc


def test_minute_utc_converts_to_utc_and_drops_the_seconds() -> None:
    amsterdam = timezone(timedelta(hours=1))
    assert minute_utc(datetime(2026, 12, 6, 16, 6, 59, 947787, tzinfo=amsterdam)) == "2026-12-06 15:06 UTC"


def test_minute_utc_takes_a_naive_moment_as_utc_as_iso_utc_does() -> None:
    naive = datetime(2026, 12, 31, 23, 59, 30)
    assert minute_utc(naive) == "2026-12-31 23:59 UTC"
    assert iso_utc(naive).startswith("2026-12-31T23:59:30")
