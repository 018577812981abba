"""Reminders: plan tasks due tomorrow or missed yesterday, and plans past their due date, through
every channel, each to the person who must act.

A task's reminder goes to its assignee; a task nobody is assigned to (or whose assignee is no
longer a member of the business) reminds the plan's people, as the plan's own due date does: its
owner, else whoever made it, else every member. Nobody who has left the business is reminded.

Composed here (plans are coach's) and handed to ``notifications`` as messages with the
``plan.due`` event, so they land in the inbox, go live, by email and to webhooks as the members'
preferences say. Each carries an idempotency key per plan, recipient and day (or due date), so a
run repeated on the same day (Beat runs this every 15 minutes) reminds no one twice.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from coach.models import ActionPlan, ActionTask, PlanStatus
from gateway.models import Tenant
from notifications.services import notify

# The plan's people when its owner and its maker have both left: every member, as one message
# (one Slack post or webhook event, not one per member).
EVERYONE = None


@dataclass(frozen=True)
class _Reminder:
    """One message: its recipient (a member's user id, or EVERYONE) and what notify() gets."""

    recipient: int | None
    kind: str
    title: str
    body: str
    data: dict[str, Any]
    key: str


def _local_today(tenant: Tenant, now: datetime) -> date | None:
    """The tenant's local date, once its insight hour has passed (no reminder at 00:05)."""
    local = now.astimezone(ZoneInfo(tenant.timezone))
    return local.date() if local.hour >= tenant.insight_hour else None


def send_plan_reminders(now: datetime | None = None) -> int:
    """Remind the people of every active plan: of its tasks due tomorrow and those due yesterday
    and not done (their assignees), and of the plan itself once it is past due (its owner); how
    many notifications were written (a repeat run on the same day writes none)."""
    now = now or timezone.now()
    sent = 0
    for tenant in Tenant.objects.filter(
        is_active=True, action_plans__status=PlanStatus.ACTIVE
    ).distinct():
        today = _local_today(tenant, now)
        if today is None:
            continue
        members = set(tenant.memberships.values_list("user_id", flat=True))
        reminders = [
            *_task_reminders(tenant, today, members),
            *_plan_reminders(tenant, today, members),
        ]
        with transaction.atomic():
            for r in reminders:
                sent += len(
                    notify(
                        tenant,
                        kind=r.kind,
                        title=r.title[:200],
                        body=r.body,
                        data=r.data,
                        users=None if r.recipient is EVERYONE else [r.recipient],
                        event="plan.due",
                        key=r.key,
                    )
                )
    return sent


def _task_reminders(tenant: Tenant, today: date, members: set[int]) -> list[_Reminder]:
    """Tasks due tomorrow, and tasks due yesterday that are not done: one message per plan and
    person who must do them."""
    tomorrow, yesterday = today + timedelta(days=1), today - timedelta(days=1)
    tasks = (
        ActionTask.objects.filter(
            plan__tenant=tenant,
            plan__status=PlanStatus.ACTIVE,
            done=False,
            due_date__in=[tomorrow, yesterday],
        )
        .select_related("plan")
        .order_by("plan_id", "position", "id")
    )
    groups: dict[tuple[date, ActionPlan, int | None], list[ActionTask]] = defaultdict(list)
    for task in tasks:
        if task.due_date is None:  # filtered out; says so to the type checker
            continue
        groups[(task.due_date, task.plan, _doer(task, members))].append(task)
    reminders = []
    for (due, plan, recipient), due_tasks in groups.items():
        names = ", ".join(t.title for t in due_tasks)
        missed = due < today
        reminders.append(
            _Reminder(
                recipient=recipient,
                kind="warning" if missed else "info",
                title=f"{'Overdue' if missed else 'Due tomorrow'}: {names}",
                body=(
                    f'In the plan "{plan.title}", due {due.isoformat()} and not done yet.'
                    if missed
                    else f'In the plan "{plan.title}", due {due.isoformat()}.'
                ),
                data={
                    "plan_id": plan.pk,
                    "task_ids": [t.pk for t in due_tasks],
                    "due_date": due.isoformat(),
                    "overdue": missed,
                    "recipient": recipient,
                },
                key=_key("tasks-overdue" if missed else "tasks", plan, due, recipient),
            )
        )
    return reminders


def _plan_reminders(tenant: Tenant, today: date, members: set[int]) -> list[_Reminder]:
    """Active plans past their due date, to the plan's people: once per due date (a new date
    reminds again)."""
    overdue = ActionPlan.objects.filter(tenant=tenant, status=PlanStatus.ACTIVE, due_date__lt=today)
    reminders = []
    for plan in overdue:
        if plan.due_date is None:  # filtered out; says so to the type checker
            continue
        due_on = plan.due_date.isoformat()
        recipient = _plan_people(plan, members)
        reminders.append(
            _Reminder(
                recipient=recipient,
                kind="warning",
                title=f"Past due: {plan.title}",
                body=f"This plan was due on {due_on} and is not done yet.",
                data={
                    "plan_id": plan.pk,
                    "due_date": due_on,
                    "overdue": True,
                    "recipient": recipient,
                },
                key=_key("overdue", plan, plan.due_date, recipient),
            )
        )
    return reminders


def _key(what: str, plan: ActionPlan, day: date, recipient: int | None) -> str:
    """Once per plan, day and recipient: a reminder run twice writes nothing new, and a task
    handed to someone else reminds its new assignee. (EVERYONE is reached only when the owner
    and the maker have left, so nobody hears one reminder both by name and as a member.)"""
    who = "all" if recipient is EVERYONE else f"u{recipient}"
    return f"plan.due:{what}:{plan.pk}:{day.isoformat()}:{who}"


def _doer(task: ActionTask, members: set[int]) -> int | None:
    """Who must do the task: its assignee while a member, else the plan's people."""
    if task.assignee_id is not None and task.assignee_id in members:
        return task.assignee_id
    return _plan_people(task.plan, members)


def _plan_people(plan: ActionPlan, members: set[int]) -> int | None:
    """The plan's owner, else whoever made it (while members), else EVERYONE."""
    for user_id in (plan.owner_id, plan.created_by_id):
        if user_id is not None and user_id in members:
            return user_id
    return EVERYONE
