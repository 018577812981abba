"""Plan reminders: tasks due tomorrow or missed yesterday and plans past due, once per day and
recipient, each to the person who must act (a task's assignee, else the plan's owner), never to
someone who has left the business, through the channels."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest

from coach import tasks as coach_tasks
from coach.models import ActionPlan, ActionTask, PlanStatus
from coach.reminders import send_plan_reminders
from config.celery import app
from gateway.services import create_tenant
from notifications import delivery
from notifications.models import Delivery, Destination, Notification
from notifications.webhooks import new_secret
from tests.processes import celery_worker

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


# --- To the person who must act --------------------------------------------------------------


def _inbox() -> dict[int, list[str]]:
    """Each recipient's reminder titles, in the order written."""
    found: dict[int, list[str]] = {}
    for note in Notification.objects.order_by("id"):
        found.setdefault(note.user_id, []).append(note.title)
    return found


@pytest.fixture
def carol(make_user, tenant, add_member):
    carol = make_user("carol")
    add_member(tenant, carol)
    return carol


def test_an_assigned_task_reminds_its_assignee_and_the_owner_hears_the_rest(plan, bob, carol):
    # given: Carol does one task due tomorrow, nobody is assigned the other
    ActionTask.objects.filter(title="Call the top 5 debtors").update(assignee=carol)
    ActionTask.objects.create(
        plan=plan, title="Post the letters", position=4, due_date=date(2026, 2, 11)
    )

    # when the reminders run, twice that day
    assert send_plan_reminders(MORNING) == 2
    assert send_plan_reminders(MORNING.replace(hour=18)) == 0

    # then Carol hears of her task, Bob (the owner) of the unassigned one, Alice of nothing
    assert _inbox() == {
        carol.pk: ["Due tomorrow: Call the top 5 debtors"],
        bob.pk: ["Due tomorrow: Post the letters"],
    }
    mine = Notification.objects.get(user=carol)
    assert mine.data["recipient"] == carol.pk
    assert mine.data["task_ids"] == [ActionTask.objects.get(title="Call the top 5 debtors").pk]


def test_a_task_handed_to_someone_else_reminds_the_new_assignee_once(
    plan, bob, carol, make_user, tenant, add_member
):
    dave = make_user("dave")
    add_member(tenant, dave)
    task = ActionTask.objects.get(title="Call the top 5 debtors")
    task.assignee = carol
    task.save()
    assert send_plan_reminders(MORNING) == 1

    task.assignee = dave
    task.save()

    assert send_plan_reminders(MORNING.replace(hour=14)) == 1
    assert send_plan_reminders(MORNING.replace(hour=15)) == 0
    assert _inbox() == {
        carol.pk: ["Due tomorrow: Call the top 5 debtors"],
        dave.pk: ["Due tomorrow: Call the top 5 debtors"],
    }


def test_an_assignee_who_left_is_not_reminded_the_owner_is(plan, tenant, bob, carol):
    ActionTask.objects.filter(title="Call the top 5 debtors").update(assignee=carol)
    tenant.memberships.filter(user=carol).delete()  # Carol left the business; her task stays

    assert send_plan_reminders(MORNING) == 1

    assert _inbox() == {bob.pk: ["Due tomorrow: Call the top 5 debtors"]}


def test_a_task_missed_yesterday_reminds_its_assignee_once(plan, bob, carol):
    # given: Carol's task was due yesterday (9 February) and is not done; a done one is silent
    ActionTask.objects.filter(title="Call the top 5 debtors").update(
        assignee=carol, due_date=date(2026, 2, 9)
    )
    ActionTask.objects.filter(title="Done already").update(
        assignee=carol, due_date=date(2026, 2, 9)
    )

    assert send_plan_reminders(MORNING) == 1
    assert send_plan_reminders(MORNING.replace(hour=20)) == 0
    # the day after, it is no longer news
    assert send_plan_reminders(MORNING + timedelta(days=1)) == 0

    note = Notification.objects.get()
    assert (note.user_id, note.kind, note.title) == (
        carol.pk,
        "warning",
        "Overdue: Call the top 5 debtors",
    )
    assert note.data["overdue"] is True
    assert note.data["due_date"] == "2026-02-09"


def test_the_plan_past_due_goes_to_its_owner_not_to_the_assignees(plan, bob, carol):
    ActionTask.objects.all().update(assignee=carol, due_date=None)
    plan.due_date = date(2026, 2, 9)
    plan.start_date = date(2026, 2, 1)
    plan.save()

    assert send_plan_reminders(MORNING) == 1

    assert _inbox() == {bob.pk: ["Past due: Collect overdue invoices"]}


def test_an_owner_who_left_hands_the_plan_to_its_maker_then_to_everyone(
    plan, tenant, alice, bob, carol, make_user, add_member
):
    dave = make_user("dave")
    add_member(tenant, dave)
    # the owner (Bob) left: the plan's maker (Alice) hears of the unassigned task
    tenant.memberships.filter(user=bob).delete()
    assert send_plan_reminders(MORNING) == 1
    assert _inbox() == {alice.pk: ["Due tomorrow: Call the top 5 debtors"]}

    # the maker left too: every member still there hears of it, once
    tenant.memberships.filter(user=alice).delete()
    assert send_plan_reminders(MORNING.replace(hour=13)) == 2
    assert send_plan_reminders(MORNING.replace(hour=14)) == 0
    assert _inbox() == {
        alice.pk: ["Due tomorrow: Call the top 5 debtors"],
        carol.pk: ["Due tomorrow: Call the top 5 debtors"],
        dave.pk: ["Due tomorrow: Call the top 5 debtors"],
    }


def test_nothing_for_a_plan_that_is_not_active(plan, carol):
    ActionTask.objects.update(assignee=carol)
    plan.status = PlanStatus.DONE
    plan.save()

    assert send_plan_reminders(MORNING) == 0


@pytest.mark.services
def test_beats_task_reminds_through_a_real_worker(transactional_db, make_user, add_member):
    # given: a business whose morning has come (insight hour 0), an active plan, and a task due
    # tomorrow (its local tomorrow) assigned to Carol
    owner = make_user("owner")
    carol = make_user("carol")
    business = create_tenant(
        owner, name="Night Bakery", timezone="Asia/Tokyo", currency="JPY", insight_hour=0
    )
    add_member(business, carol)
    today = business.local_today()
    plan = ActionPlan.objects.create(
        tenant=business,
        title="Restock flour",
        status=PlanStatus.ACTIVE,
        start_date=today - timedelta(days=3),
        due_date=today + timedelta(days=10),
        owner=owner,
        created_by=owner,
    )
    ActionTask.objects.create(
        plan=plan,
        title="Order flour",
        position=0,
        due_date=today + timedelta(days=1),
        assignee=carol,
    )
    with app.connection_for_write() as conn:  # no earlier test's task waiting for this worker
        app.amqp.queues["default"].bind(conn.default_channel).purge()

    # when Beat's task runs on a worker, twice
    with celery_worker("default"):
        first = coach_tasks.send_plan_reminders.delay().get(timeout=30)
        second = coach_tasks.send_plan_reminders.delay().get(timeout=30)

    # then Carol is reminded once, and nobody else
    assert (first, second) == (1, 0)
    assert _inbox() == {carol.pk: ["Due tomorrow: Order flour"]}
