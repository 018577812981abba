"""The daily insight: one per tenant per local date, whatever runs twice, in every zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.db import IntegrityError

from coach.models import Recommendation
from feedback.models import Feedback
from gateway.models import Tenant
from insights import daily
from insights.models import Insight, InsightFailure, InsightSchedule
from insights.scheduling import local_date_at, next_run_at
from notifications.models import Notification

pytestmark = pytest.mark.django_db


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def dates_of(tenant) -> list[date]:
    return list(
        Insight.objects.filter(tenant=tenant)
        .order_by("local_date")
        .values_list("local_date", flat=True)
    )


def test_a_tenant_gets_its_insight_after_its_local_hour_not_before(make_tenant, books, replay):
    # given a New York tenant created in the night, with books
    tenant = make_tenant("America/New_York", 6)
    InsightSchedule.objects.filter(tenant=tenant).update(next_run_at=utc("2026-01-15T11:00"))
    books(tenant)

    # when the dispatcher runs at 05:55 and at 06:05 local time
    before = replay(utc("2026-01-15T10:55"))
    after = replay(utc("2026-01-15T11:05"))

    # then only the second pass produces the insight, for the local date
    assert before == []
    assert after == [(tenant.pk, date(2026, 1, 15))]
    assert dates_of(tenant) == [date(2026, 1, 15)]


def _every_15_minutes(start: datetime, hours: int):
    return [start + timedelta(minutes=15 * i) for i in range(hours * 4)]


@pytest.mark.parametrize(
    ("zone", "hour", "start", "expected"),
    [
        # New York, spring forward (2026-03-08) and fall back (2026-11-01)
        ("America/New_York", 6, "2026-03-07T00:00", ["2026-03-07", "2026-03-08", "2026-03-09"]),
        ("America/New_York", 2, "2026-03-07T00:00", ["2026-03-07", "2026-03-08", "2026-03-09"]),
        ("America/New_York", 1, "2026-10-31T00:00", ["2026-10-31", "2026-11-01", "2026-11-02"]),
        # Lord Howe's 30-minute shift (2026-10-04)
        ("Australia/Lord_Howe", 2, "2026-10-02T12:00", ["2026-10-03", "2026-10-04", "2026-10-05"]),
        # Kathmandu, +05:45
        ("Asia/Kathmandu", 6, "2026-03-06T12:00", ["2026-03-07", "2026-03-08", "2026-03-09"]),
        # Kiritimati, +14: its day starts ten hours before UTC's
        ("Pacific/Kiritimati", 6, "2026-03-06T00:00", ["2026-03-07", "2026-03-08", "2026-03-09"]),
    ],
)
def test_one_insight_per_local_day_across_dst_and_odd_offsets(
    make_tenant, books, replay, zone, hour, start, expected
):
    # given a tenant whose last insight was for the local date at the start of the window
    tenant = make_tenant(zone, hour)
    books(tenant)
    first = utc(start)
    last = local_date_at(first, zone)
    InsightSchedule.objects.filter(tenant=tenant).update(
        last_local_date=last, next_run_at=next_run_at(first, zone, hour, last)
    )

    # when the dispatcher runs every 15 minutes for three days
    for instant in _every_15_minutes(first, 72):
        replay(instant)

    # then there is exactly one insight per local day, none skipped, none repeated
    assert [d.isoformat() for d in dates_of(tenant)] == expected


def test_the_dispatcher_run_twice_at_the_same_instant_gives_one_insight(make_tenant, books, replay):
    tenant = make_tenant("Europe/London", 6)
    books(tenant)
    InsightSchedule.objects.filter(tenant=tenant).update(next_run_at=utc("2026-02-10T06:00"))

    first = replay(utc("2026-02-10T06:10"))
    second = replay(utc("2026-02-10T06:10"))

    assert first == [(tenant.pk, date(2026, 2, 10))]
    assert second == []
    assert dates_of(tenant) == [date(2026, 2, 10)]


def test_a_batch_run_twice_writes_nothing_twice(make_tenant, books):
    tenant = make_tenant()
    books(tenant)
    items = [(tenant.pk, date(2026, 2, 10))]

    first = daily.run_batch(items)
    recs = Recommendation.objects.count()
    second = daily.run_batch(items)

    assert first.summary() == {"done": 1, "skipped": 0, "failed": 0}
    assert second.summary() == {"done": 0, "skipped": 1, "failed": 0}
    assert Insight.objects.count() == 1
    assert Recommendation.objects.count() == recs


def test_the_database_refuses_a_second_insight_for_a_day(make_tenant):
    tenant = make_tenant()
    Insight.objects.create(
        tenant=tenant, local_date=date(2026, 2, 10), generated_at=utc("2026-02-10T12:00")
    )

    with pytest.raises(IntegrityError):
        Insight.objects.create(
            tenant=tenant, local_date=date(2026, 2, 10), generated_at=utc("2026-02-10T13:00")
        )


def test_missed_mornings_are_done_when_beat_returns_for_the_same_date_not_backfilled(
    make_tenant, books, replay
):
    # given a Sydney tenant done on the 10th, and Beat down from then until the 13th at 09:00
    tenant = make_tenant("Australia/Sydney", 6)
    books(tenant)
    InsightSchedule.objects.filter(tenant=tenant).update(next_run_at=utc("2026-02-09T19:00"))
    replay(utc("2026-02-09T19:05"))  # 06:05 on the 10th in Sydney (UTC+11)

    # when the dispatcher runs again at 09:00 on the 13th, local time
    claimed = replay(utc("2026-02-12T22:00"))

    # then the tenant gets the 13th's insight, and the 11th and 12th are not backfilled
    assert claimed == [(tenant.pk, date(2026, 2, 13))]
    assert dates_of(tenant) == [date(2026, 2, 10), date(2026, 2, 13)]


def test_a_timezone_change_gives_neither_a_gap_nor_a_double(api, make_tenant, books, replay):
    # given a Tokyo tenant whose insight for the 26th was written at 06:00 Tokyo
    tenant = make_tenant("Asia/Tokyo", 6)
    books(tenant)
    InsightSchedule.objects.filter(tenant=tenant).update(next_run_at=utc("2026-05-25T21:00"))
    replay(utc("2026-05-25T21:05"))

    # when the owner moves it to Los Angeles (still the 25th there) through the API
    with time_machine.travel(utc("2026-05-25T21:20"), tick=False):
        response = api.patch(f"/v1/tenants/{tenant.id}/", {"timezone": "America/Los_Angeles"})
    assert response.status_code == 200
    for instant in _every_15_minutes(utc("2026-05-25T21:30"), 48):
        replay(instant)

    # then LA's 25th and 26th are not repeated, and the 27th comes at 06:00 LA time
    assert dates_of(tenant) == [date(2026, 5, 26), date(2026, 5, 27)]
    insight = Insight.objects.get(tenant=tenant, local_date=date(2026, 5, 27))
    assert insight.generated_at is not None


def test_an_insight_hour_change_after_todays_insight_does_not_repeat_today(
    api, make_tenant, books, replay
):
    tenant = make_tenant("Europe/London", 6)
    books(tenant)
    InsightSchedule.objects.filter(tenant=tenant).update(next_run_at=utc("2026-02-10T06:00"))
    replay(utc("2026-02-10T06:05"))

    with time_machine.travel(utc("2026-02-10T06:20"), tick=False):
        api.patch(f"/v1/tenants/{tenant.id}/", {"insight_hour": 9})
    for instant in _every_15_minutes(utc("2026-02-10T06:30"), 30):
        replay(instant)

    assert dates_of(tenant) == [date(2026, 2, 10), date(2026, 2, 11)]
    schedule = InsightSchedule.objects.get(tenant=tenant)
    assert schedule.next_run_at == utc("2026-02-12T09:00")


def test_two_dispatchers_claim_disjoint_tenants(
    make_tenant, books, django_capture_on_commit_callbacks
):
    # given 30 due tenants
    tenants = [make_tenant("Asia/Kolkata", 6) for _ in range(30)]
    InsightSchedule.objects.update(next_run_at=utc("2026-02-10T00:00"))

    # when two dispatchers run at the same instant (sequentially here; SKIP LOCKED and the
    # lease make them disjoint when concurrent, see test_concurrent_dispatchers)
    from insights import dispatch

    claimed: list = []
    with django_capture_on_commit_callbacks(execute=True):
        dispatch.dispatch_due(
            utc("2026-02-10T01:00"), publish=lambda items, _: claimed.extend(items)
        )
        dispatch.dispatch_due(
            utc("2026-02-10T01:00"), publish=lambda items, _: claimed.extend(items)
        )

    # then each tenant was claimed once
    assert sorted(t for t, _ in claimed) == sorted(t.pk for t in tenants)


def test_a_tenant_with_corrupt_data_fails_alone_and_is_recorded(make_tenant, books, alice):
    good, bad = make_tenant(), make_tenant()
    books(good)
    books(bad)
    # the bad tenant has feedback too, which the batch reads in its zone
    daily.run_batch([(bad.pk, date(2026, 2, 9))])
    rec = Recommendation.objects.filter(tenant=bad).first()
    assert rec is not None
    Feedback.objects.create(
        tenant=bad,
        recommendation=rec,
        user=alice,
        template_key=rec.template_key,
        category=rec.category,
        helpful=False,
        reason="not_relevant",
    )
    Tenant.objects.filter(pk=bad.pk).update(timezone="Mars/Olympus")  # bypasses validation
    day = date(2026, 2, 10)

    result = daily.run_batch([(bad.pk, day), (good.pk, day)], task_id="task-1")

    assert result.summary() == {"done": 1, "skipped": 0, "failed": 1}
    assert dates_of(good) == [day]
    assert dates_of(bad) == [date(2026, 2, 9)]
    failure = InsightFailure.objects.get(tenant=bad)
    assert "Mars/Olympus" in failure.error
    assert failure.task_id == "task-1"
    assert failure.traceback


def test_the_dispatcher_survives_a_corrupt_zone(make_tenant, books, replay):
    good, bad = make_tenant("Europe/London"), make_tenant("Europe/London")
    books(good)
    InsightSchedule.objects.update(next_run_at=utc("2026-02-10T06:00"))
    Tenant.objects.filter(pk=bad.pk).update(timezone="Nowhere/Land")

    claimed = replay(utc("2026-02-10T07:00"))

    assert claimed == [(good.pk, date(2026, 2, 10))]
    assert InsightFailure.objects.filter(tenant=bad).exists()


def test_a_tenant_without_books_gets_an_insight_that_says_so_and_no_advice(make_tenant):
    tenant = make_tenant()

    daily.run_batch([(tenant.pk, date(2026, 2, 10))])

    insight = Insight.objects.get(tenant=tenant)
    assert insight.has_data is False
    assert insight.score is None
    assert insight.recommendations.count() == 0
    assert insight.health["summary"].startswith("Not enough data to score")
    assert not Recommendation.objects.filter(tenant=tenant).exists()


def test_the_insight_stores_score_explanation_change_and_recommendations(make_tenant, books, alice):
    # given yesterday's insight on healthy books
    tenant = make_tenant()
    books(tenant, "healthy")
    daily.run_batch([(tenant.pk, date(2026, 2, 9))])

    # when the books turn into a cash crunch overnight
    books(tenant, "cash_crunch")
    daily.run_batch([(tenant.pk, date(2026, 2, 10))])

    # then today's insight scores it, says what changed, and leads with the cash

    insight = Insight.objects.get(tenant=tenant, local_date=date(2026, 2, 10))
    assert insight.band == "critical"
    assert {c["key"] for c in insight.health["components"]} == {
        "cash_flow",
        "operations",
        "revenue",
        "profitability",
    }
    assert insight.change["delta"] < 0
    assert (
        "runway" in insight.change["sentence"].lower()
        or "cash" in insight.change["sentence"].lower()
    )
    top = insight.recommendations.order_by("-score").first()
    assert top.template_key == "cash_runway_low"
    # the critical one became a coach alert in the owner's inbox
    alert = Notification.objects.get(user=alice, tenant=tenant, data__insight_date="2026-02-10")
    assert alert.kind == "coach_alert"
    assert alert.data["recommendation_id"] == top.pk


def test_an_admin_regeneration_replaces_the_insight_and_is_recorded(make_tenant, books, alice):
    tenant = make_tenant()
    books(tenant, "cash_crunch")
    day = date(2026, 2, 10)
    daily.run_batch([(tenant.pk, day)])
    original = Insight.objects.get(tenant=tenant)
    acted = original.recommendations.order_by("-score").first()
    acted.status = "acted"
    acted.save()

    regenerated = daily.regenerate(tenant, day, user=alice)

    assert regenerated.pk == original.pk
    assert Insight.objects.filter(tenant=tenant).count() == 1
    assert regenerated.regeneration_count == 1
    assert regenerated.regenerated_by == alice
    assert regenerated.recommendations.filter(pk=acted.pk).exists()
    # untouched recommendations were replaced, not duplicated
    keys = list(regenerated.recommendations.values_list("template_key", flat=True))
    assert len(keys) == len(set(keys))
