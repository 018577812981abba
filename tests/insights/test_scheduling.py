"""When an insight is due, in the tenant's own zone: DST both ways, odd offsets, +14."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta

import pytest

from insights.scheduling import insight_instant, local_date_at, next_insight_date, next_run_at


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("zone", "day", "hour", "expected_utc"),
    [
        # New York, an ordinary winter day (UTC-5) and summer day (UTC-4)
        ("America/New_York", date(2026, 1, 15), 6, "2026-01-15T11:00"),
        ("America/New_York", date(2026, 7, 15), 6, "2026-07-15T10:00"),
        # The spring-forward day: 06:00 is after the jump, so it is EDT
        ("America/New_York", date(2026, 3, 8), 6, "2026-03-08T10:00"),
        # 02:00 does not exist that day: it resolves to 03:00 EDT, still on the 8th
        ("America/New_York", date(2026, 3, 8), 2, "2026-03-08T07:00"),
        # The fall-back day: 01:00 happens twice; the first one (EDT) is used
        ("America/New_York", date(2026, 11, 1), 1, "2026-11-01T05:00"),
        ("America/New_York", date(2026, 11, 1), 6, "2026-11-01T11:00"),
        # Lord Howe moves by 30 minutes (UTC+10:30 in winter, +11 in summer)
        ("Australia/Lord_Howe", date(2026, 7, 1), 6, "2026-06-30T19:30"),
        ("Australia/Lord_Howe", date(2026, 1, 10), 6, "2026-01-09T19:00"),
        # Its 02:00-02:30 gap on 2026-10-04
        ("Australia/Lord_Howe", date(2026, 10, 4), 2, "2026-10-03T15:30"),
        # Kathmandu: +05:45, no DST
        ("Asia/Kathmandu", date(2026, 3, 8), 6, "2026-03-08T00:15"),
        # Kiritimati: +14, its morning is the previous UTC day
        ("Pacific/Kiritimati", date(2026, 3, 8), 6, "2026-03-07T16:00"),
    ],
)
def test_the_insight_instant_is_the_local_hour_in_utc(zone, day, hour, expected_utc):
    instant = insight_instant(day, hour, zone)

    assert instant == utc(expected_utc)
    assert local_date_at(instant, zone) == day


@pytest.mark.parametrize(
    "zone",
    [
        "America/New_York",
        "Australia/Lord_Howe",
        "Asia/Kathmandu",
        "Pacific/Kiritimati",
        "Europe/London",
    ],
)
@pytest.mark.parametrize("hour", [0, 1, 2, 6, 23])
def test_consecutive_insights_are_one_local_day_apart_all_year(zone, hour):
    # given a tenant whose insight is written every time it is due, for a whole year
    now = utc("2026-01-01T00:00")
    last = None
    days = []
    while now < utc("2027-01-01T00:00"):
        due = next_run_at(now, zone, hour, last)
        # when the clock reaches the due instant, the insight is for that local date
        day = local_date_at(due, zone)
        days.append(day)
        last, now = day, due + timedelta(minutes=1)

    # then no local day is skipped or repeated, including the DST change days
    assert all((b - a).days == 1 for a, b in itertools.pairwise(days))
    assert len(set(days)) == len(days)


def test_a_new_tenant_past_its_hour_is_due_at_once():
    now = utc("2026-03-08T15:00")  # 11:00 in New York

    assert next_run_at(now, "America/New_York", 6, None) == utc("2026-03-08T10:00")


def test_a_zone_change_westwards_does_not_repeat_the_day():
    # given an insight for the 26th written in Tokyo
    now = utc("2026-05-25T22:00")  # 07:00 on the 26th in Tokyo, 15:00 on the 25th in LA

    # when the tenant moves to Los Angeles, where it is still the 25th
    day = next_insight_date(now, "America/Los_Angeles", last_local_date=date(2026, 5, 26))

    # then the next insight is for the 27th in LA, not a second one for the 26th or the 25th
    assert day == date(2026, 5, 27)


def test_a_zone_change_eastwards_leaves_no_gap():
    # given an insight for the 25th written in Los Angeles
    now = utc("2026-05-26T03:00")  # 20:00 on the 25th in LA, 12:00 on the 26th in Tokyo

    # when the tenant moves to Tokyo, where the 26th's hour has passed
    due = next_run_at(now, "Asia/Tokyo", 6, last_local_date=date(2026, 5, 25))

    # then the 26th is due at once
    assert due == utc("2026-05-25T21:00")
    assert due <= now
