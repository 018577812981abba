"""Reminders: plan tasks due tomorrow, and plans past their due date, through every channel.

Composed here (plans are coach's) and handed to ``notifications`` as messages with the
``plan.due`` event, so they land in the inbox, go live, by email and to webhooks as the members'
preferences say. Each carries an idempotency key, so a run repeated on the same day (Beat runs
this every 15 minutes) reminds no one twice.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from coach.models import ActionPlan, ActionTask, PlanStatus
from gateway.models import Tenant
from notifications.services import notify


def _local_today(tenant: Tenant, now: datetime) -> date | None:
    """The tenant's local date, once its insight hour has passed (no reminder at 00:05)."""
    local = now.astimezone(ZoneInfo(tenant.timezone))
    return local.date() if local.hour >= tenant.insight_hour else None


def send_plan_reminders(now: datetime | None = None) -> int:
    """Remind the people of every active plan whose task is due tomorrow or that is past due;
    how many reminders were written (a repeat run on the same day writes none)."""
    now = now or timezone.now()
    sent = 0
    for tenant in Tenant.objects.filter(
        is_active=True, action_plans__status=PlanStatus.ACTIVE
    ).distinct():
        today = _local_today(tenant, now)
        if today is None:
            continue
        tomorrow = today + timedelta(days=1)
        tasks = ActionTask.objects.filter(
            plan__tenant=tenant, plan__status=PlanStatus.ACTIVE, done=False, due_date=tomorrow
        ).select_related("plan")
        by_plan: dict[ActionPlan, list[ActionTask]] = defaultdict(list)
        for task in tasks:
            by_plan[task.plan].append(task)
        overdue = ActionPlan.objects.filter(
            tenant=tenant, status=PlanStatus.ACTIVE, due_date__lt=today
        )
        with transaction.atomic():
            for plan, due in by_plan.items():
                names = ", ".join(t.title for t in due)
                sent += len(
                    notify(
                        tenant,
                        kind="info",
                        title=f"Due tomorrow: {names}"[:200],
                        body=f'In the plan "{plan.title}", due {tomorrow.isoformat()}.',
                        data={
                            "plan_id": plan.pk,
                            "task_ids": [t.pk for t in due],
                            "due_date": tomorrow.isoformat(),
                        },
                        users=_people(plan),
                        event="plan.due",
                        key=f"plan.due:tasks:{plan.pk}:{tomorrow.isoformat()}",
                    )
                )
            for plan in overdue:
                due_on = plan.due_date.isoformat() if plan.due_date else ""
                sent += len(
                    notify(
                        tenant,
                        kind="warning",
                        title=f"Past due: {plan.title}"[:200],
                        body=f"This plan was due on {due_on} and is not done yet.",
                        data={"plan_id": plan.pk, "due_date": due_on, "overdue": True},
                        users=_people(plan),
                        event="plan.due",
                        key=f"plan.due:overdue:{plan.pk}:{due_on}",
                    )
                )
    return sent


def _people(plan: ActionPlan) -> list[int] | None:
    """The plan's owner, else whoever made it, else (None) every member."""
    members = set(plan.tenant.memberships.values_list("user_id", flat=True))
    for user_id in (plan.owner_id, plan.created_by_id):
        if user_id is not None and user_id in members:
            return [user_id]
    return None
