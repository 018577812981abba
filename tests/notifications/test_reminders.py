"""Plan reminders: tasks due tomorrow and plans past due, once per day, through the channels."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from coach.models import ActionPlan, ActionTask, PlanStatus
from coach.reminders import send_plan_reminders
from notifications import delivery
from notifications.models import Delivery, Destination, Notification
from notifications.webhooks import new_secret

pytestmark = pytest.mark.django_db

# 07:00 in New York (EST) on Tuesday 10 February 2026: past the tenant's insight hour (06:00).
MORNING = datetime(2026, 2, 10, 12, 0, tzinfo=UTC)


@pytest.fixture
def plan(tenant, alice, bob, add_member):
    add_member(tenant, bob)
    plan = ActionPlan.objects.create(
        tenant=tenant,
        title="Collect overdue invoices",
        status=PlanStatus.ACTIVE,
        start_date=date(2026, 2, 1),
        due_date=date(2026, 2, 20),
        owner=bob,
        created_by=alice,
    )
    ActionTask.objects.create(
        plan=plan, title="Call the top 5 debtors", position=1, due_date=date(2026, 2, 11)
    )
    ActionTask.objects.create(
        plan=plan, title="Done already", position=2, due_date=date(2026, 2, 11), done=True
    )
    ActionTask.objects.create(plan=plan, title="Later", position=3, due_date=date(2026, 2, 15))
    return plan


def test_a_task_due_tomorrow_reminds_the_plans_owner_once(plan, bob):
    assert send_plan_reminders(MORNING) == 1
    assert send_plan_reminders(MORNING.replace(hour=16)) == 0  # Beat runs it again that day
    reminder = Notification.objects.get()
    assert reminder.user_id == bob.pk
    assert reminder.title == "Due tomorrow: Call the top 5 debtors"
    assert reminder.data["plan_id"] == plan.pk


def test_nothing_before_the_insight_hour(plan):
    assert send_plan_reminders(datetime(2026, 2, 10, 5, 0, tzinfo=UTC)) == 0  # 00:00 local


def test_a_plan_past_due_is_reminded_once_and_again_if_its_date_moves(plan):
    ActionTask.objects.all().delete()
    plan.due_date = date(2026, 2, 9)
    plan.save()
    assert send_plan_reminders(MORNING) == 1
    assert send_plan_reminders(datetime(2026, 2, 11, 12, 0, tzinfo=UTC)) == 0
    assert Notification.objects.get().title == "Past due: Collect overdue invoices"
    plan.due_date = date(2026, 2, 10)
    plan.save()
    assert send_plan_reminders(datetime(2026, 2, 11, 12, 0, tzinfo=UTC)) == 1


def test_reminders_reach_webhooks_as_plan_due(plan, tenant, settings, http_receiver):
    settings.COACH_WEBHOOK_ALLOW_PRIVATE = True
    Destination.objects.create(
        tenant=tenant,
        kind="webhook",
        url=http_receiver.url,
        secret=new_secret(),
        events=["plan.due"],
    )
    send_plan_reminders(MORNING)
    send_plan_reminders(MORNING)
    assert Delivery.objects.filter(event="plan.due").count() == 1
    delivery.send(delivery.due_ids())
    event = json.loads(http_receiver.wait_for(1)[0].body)
    assert event["type"] == "plan.due"
    assert event["data"]["data"]["due_date"] == "2026-02-11"
