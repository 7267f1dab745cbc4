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


def test_local_day_is_the_day_in_this_machines_time_zone(monkeypatch):
    import time

    from review.timestamps import local_day

    monkeypatch.setenv("TZ", "Europe/Amsterdam")
    time.tzset()
    try:
        assert local_day("2026-12-06T23:30:00+00:00") == "2026-12-07"  # 00:30 in Amsterdam
        assert local_day("2026-12-06T23:30:00Z") == "2026-12-07"
        assert local_day("2026-12-06T22:59:59+00:00") == "2026-12-06"
        assert local_day("2026-12-06T23:30:00") == "2026-12-07"  # no offset: UTC
        assert local_day("2026-12-06") == "2026-12-06"  # a date alone is its own day
        assert [local_day(s) for s in ("", "2026-12", "gisteren")] == ["", "", ""]
    finally:
        monkeypatch.undo()
        time.tzset()
