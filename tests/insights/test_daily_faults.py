"""Faults of the daily insight: one tenant's bad data fails that tenant alone, whatever stage it
breaks in; every active tenant gets a schedule; a missed day stays missed and the next one runs
at its hour; replays never write the future, and a past date is scored as its books stood."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from coach.models import Recommendation
from gateway.models import Membership, Tenant
from insights import daily
from insights.models import Insight, InsightFailure, InsightSchedule
from notifications.models import Notification

pytestmark = pytest.mark.django_db

DAY = date(2026, 2, 10)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def _pair(make_tenant, books):
    bad, good = make_tenant(), make_tenant()
    books(bad)
    books(good)
    return bad, good


def test_a_stored_recommendation_that_no_longer_parses_fails_that_tenant_alone(make_tenant, books):
    bad, good = _pair(make_tenant, books)
    daily.run_batch([(bad.pk, date(2026, 2, 9))])
    Recommendation.objects.filter(tenant=bad).update(priority="urgent")  # not a priority

    result = daily.run_batch([(bad.pk, DAY), (good.pk, DAY)])

    assert result.failed == [(bad.pk, DAY)]
    assert result.done == [(good.pk, DAY)]
    failure = InsightFailure.objects.get(tenant=bad, local_date=DAY)
    assert failure.error.startswith("history:")
    assert "urgent" in failure.error


@pytest.fixture
def refuse_insights_of():
    """A real Postgres trigger that refuses one tenant's insight rows, as a constraint would."""
    created: list[str] = []

    def refuse(tenant: Tenant) -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                """
                CREATE OR REPLACE FUNCTION refuse_one_tenant() RETURNS trigger AS $$
                BEGIN
                    IF NEW.tenant_id = %s::uuid THEN
                        RAISE EXCEPTION 'refused by the test trigger';
                    END IF;
                    RETURN NEW;
                END $$ LANGUAGE plpgsql
                """,
                [str(tenant.pk)],
            )
            cursor.execute(
                "CREATE TRIGGER refuse_one_tenant BEFORE INSERT OR UPDATE ON insights_insight "
                "FOR EACH ROW EXECUTE FUNCTION refuse_one_tenant()"
            )
        created.append("refuse_one_tenant")

    yield refuse
    with connection.cursor() as cursor:
        for name in created:
            cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON insights_insight")
            cursor.execute(f"DROP FUNCTION IF EXISTS {name}()")


def test_a_tenant_whose_rows_the_database_refuses_fails_alone(
    make_tenant, books, refuse_insights_of
):
    bad, good = _pair(make_tenant, books)
    refuse_insights_of(bad)

    result = daily.run_batch([(bad.pk, DAY), (good.pk, DAY)], task_id="task-7")

    assert result.failed == [(bad.pk, DAY)]
    assert result.done == [(good.pk, DAY)]
    assert Insight.objects.filter(tenant=good, local_date=DAY).exists()
    assert not Insight.objects.filter(tenant=bad).exists()
    assert not Recommendation.objects.filter(tenant=bad).exists()  # nothing half-written
    failure = InsightFailure.objects.get(tenant=bad)
    assert failure.error.startswith("write:")
    assert "refused by the test trigger" in failure.error
    assert failure.task_id == "task-7"


def test_a_tenant_without_a_schedule_row_gets_its_insight_from_beat(alice, books, replay):
    # made in bulk, as an import or SQL would: no schedule row, no signal
    (tenant,) = Tenant.objects.bulk_create(
        [Tenant(name="Bulk Ltd", timezone="Europe/London", insight_hour=6)]
    )
    Membership.objects.create(tenant=tenant, user=alice, role="owner")
    books(tenant)
    assert not InsightSchedule.objects.filter(tenant=tenant).exists()

    claimed = replay(utc("2026-02-10T07:00"))

    assert (tenant.pk, DAY) in claimed
    assert Insight.objects.filter(tenant=tenant, local_date=DAY).exists()


@pytest.mark.parametrize(
    ("zone", "hour", "missed_due", "early", "on_time", "day"),
    [
        # hour-23 tenant: its 10 Feb was missed (Beat down across midnight); at 00:30 on the
        # 11th the 11th is not run, it runs at 23:00
        ("UTC", 23, "2026-02-10T23:00", "2026-02-11T00:30", "2026-02-11T23:05", date(2026, 2, 11)),
        # Kathmandu (+05:45), 06:00: a lease that ran out after local midnight
        (
            "Asia/Kathmandu",
            6,
            "2026-02-10T18:30",
            "2026-02-11T00:10",
            "2026-02-11T00:20",
            date(2026, 2, 11),
        ),
    ],
)
def test_a_missed_day_stays_missed_and_the_next_runs_at_its_hour(
    make_tenant, books, replay, zone, hour, missed_due, early, on_time, day
):
    tenant = make_tenant(zone, hour)
    books(tenant)
    InsightSchedule.objects.filter(tenant=tenant).update(next_run_at=utc(missed_due))

    assert replay(utc(early)) == []
    assert not Insight.objects.filter(tenant=tenant).exists()
    schedule = InsightSchedule.objects.get(tenant=tenant)
    assert schedule.next_run_at > utc(early)

    assert replay(utc(on_time)) == [(tenant.pk, day)]
    assert list(Insight.objects.filter(tenant=tenant).values_list("local_date", flat=True)) == [day]


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("run_insights", *args, stdout=out)
    return out.getvalue()


def test_a_replay_into_the_future_is_refused_unless_asked_for(make_tenant, books):
    tenant = make_tenant()
    books(tenant)
    tomorrow = (datetime.now(UTC) + timedelta(days=2)).strftime("%Y-%m-%dT%H:%MZ")
    future_day = (tenant.local_today() + timedelta(days=1)).isoformat()

    with pytest.raises(CommandError, match="in the future"):
        _run("--dispatch", "--at", tomorrow)
    with pytest.raises(CommandError, match=r"after .* today"):
        _run(str(tenant.pk), "--date", future_day)
    assert not Insight.objects.exists()

    _run(str(tenant.pk), "--date", future_day, "--allow-future")
    assert Insight.objects.filter(local_date=future_day).exists()


def test_a_past_date_is_scored_on_its_books_as_they_stood_and_alerts_no_one(make_tenant, books):
    tenant = make_tenant()
    books(tenant, "cash_crunch", last_month=date(2026, 9, 1))

    output = _run(str(tenant.pk), "--date", "2026-03-15")

    assert "1 done" in output
    insight = Insight.objects.get(tenant=tenant)
    assert insight.local_date == date(2026, 3, 15)
    assert insight.as_of == date(2026, 2, 1)  # the last month closed before that day
    assert not insight.recommendations.exists()
    assert not Notification.objects.filter(tenant=tenant).exists()
