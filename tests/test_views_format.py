"""Time formatting: the cached, strftime-free forms equal strftime's in UTC (with four-digit years) for every
instant and offset."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from snapsite.site.views.format import human_time, iso, runbook_name

INSTANTS = (
    datetime(2026, 11, 20, 12, 0, 5, tzinfo=UTC),
    datetime(2026, 11, 20, 2, 30, 0, 999_999, tzinfo=timezone(timedelta(hours=5, minutes=30))),
    datetime(2026, 12, 31, 23, 59, 59, tzinfo=timezone(timedelta(hours=-8))),
    datetime(999, 1, 2, 3, 4, 5, tzinfo=UTC),
    datetime(1, 1, 2, tzinfo=UTC),
    datetime(9999, 12, 30, 23, 59, 59, tzinfo=UTC),
)


@pytest.mark.parametrize("value", INSTANTS, ids=str)
def test_iso_and_human_time_match_strftime_in_utc(value: datetime) -> None:
    utc = value.astimezone(UTC)
    # strftime's %Y leaves years before 1000 unpadded on glibc ("1-01-02"), which is not RFC 3339 and crashed
    # the build (issue 12): the year is compared with four digits, the rest with strftime.
    year = f"{utc.year:04d}"
    assert iso(value) == year + utc.strftime("-%m-%dT%H:%M:%SZ")
    assert human_time(value) == year + utc.strftime("-%m-%d %H:%M:%S UTC")


def test_the_same_instant_in_two_zones_formats_the_same() -> None:
    utc = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
    shifted = utc.astimezone(timezone(timedelta(hours=2)))
    assert iso(utc) == iso(shifted) == "2026-11-20T12:00:00Z"
    assert human_time(shifted) == "2026-11-20 12:00:00 UTC"


def test_missing_times() -> None:
    assert iso(None) is None
    assert human_time(None) == "\u2014"


def test_runbook_name_is_stable_when_cached() -> None:
    assert runbook_name("ERR_RUN_005") == runbook_name("ERR_RUN_005") == "ERR_RUN_005"
    assert runbook_name("CON") == runbook_name("CON") != "CON"


def test_iso_times_have_four_digit_years() -> None:
    """Year 1 is a valid snapshot time (issue 12's property test found a build crash on '1-01-02T00:00:00Z')."""
    from datetime import UTC, datetime

    from snapsite.site.views.format import human_time, iso

    early = datetime(1, 1, 2, tzinfo=UTC)
    assert iso(early) == "0001-01-02T00:00:00Z"
    assert datetime.fromisoformat(iso(early) or "") == early
    assert human_time(early) == "0001-01-02 00:00:00 UTC"
