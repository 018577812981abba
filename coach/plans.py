"""Action plans, built step by step as the wizard does: details, timeline, tasks, confirm.

Every change is validated against the whole plan (dates, tasks) and fails with a ``PlanError``
naming the field, before anything is written.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from coach.models import ActionPlan, ActionTask, PlanStatus, Recommendation, Status
from coach.outcomes import figure_of
from gateway.errors import FieldError
from gateway.models import Membership, Tenant

# A plan prefilled from a recommendation whose actions carry no timeline runs for a month.
DEFAULT_PLAN_DAYS = 30

# Status changes a user makes directly; draft -> active goes through confirm (it validates).
PLAN_TRANSITIONS: dict[str, frozenset[str]] = {
    PlanStatus.DRAFT: frozenset({PlanStatus.CANCELLED}),
    PlanStatus.ACTIVE: frozenset({PlanStatus.DONE, PlanStatus.CANCELLED}),
    PlanStatus.DONE: frozenset({PlanStatus.ACTIVE}),
    PlanStatus.CANCELLED: frozenset({PlanStatus.DRAFT}),
}

_DETAIL_FIELDS = ("title", "description", "priority", "start_date", "due_date", "owner")


class PlanError(FieldError):
    """An invalid plan or task; ``field`` names what is wrong (``tasks[2].due_date``)."""


def _check_title(title: str | None, field: str = "title") -> str:
    title = (title or "").strip()
    if not title:
        raise PlanError(field, "must not be empty")
    return title


def _check_owner(tenant: Tenant, owner: User | None, field: str = "owner") -> None:
    """A plan's owner or a task's assignee works for this tenant (or is nobody)."""
    if owner is not None and not Membership.objects.filter(tenant=tenant, user=owner).exists():
        raise PlanError(field, "is not a member of this tenant")


def member(tenant: Tenant, user_id: int | None, field: str = "owner") -> User | None:
    """The user with this id among the tenant's members (None for nobody); a ``PlanError``
    naming ``field`` otherwise: a user of another tenant is as unknown here as one who does not
    exist. How the API turns a plan owner's or a task assignee's id into a person."""
    if user_id is None:
        return None
    found = Membership.objects.select_related("user").filter(tenant=tenant, user_id=user_id).first()
    if found is None:
        raise PlanError(field, "is not a member of this tenant")
    return found.user


def _check_timeline(start: date | None, due: date | None) -> None:
    if start and due and due < start:
        raise PlanError("due_date", f"must not be before the start date {start.isoformat()}")


def _check_task_due(plan: ActionPlan, due: date | None, field: str) -> None:
    if due is None:
        return
    if plan.due_date and due > plan.due_date:
        raise PlanError(field, f"must not be after the plan's due date {plan.due_date.isoformat()}")
    if plan.start_date and due < plan.start_date:
        raise PlanError(
            field, f"must not be before the plan's start date {plan.start_date.isoformat()}"
        )


def _check_tasks_fit(plan: ActionPlan, tasks: Sequence[ActionTask]) -> None:
    for index, task in enumerate(tasks):
        _check_task_due(plan, task.due_date, f"tasks[{index}].due_date")


def _days_after(start: date, days: int) -> date:
    """``start`` plus ``days``; a start so late that the plan would end after the last day of
    the calendar (9999-12-31) is a bad ``start_date``, not an overflow."""
    try:
        return start + timedelta(days=days)
    except OverflowError:
        raise PlanError(
            "start_date",
            f"is too late: a plan from it would run {days} days, past {date.max.isoformat()}",
        ) from None


def _mark_acted(recommendation: Recommendation, user: User) -> None:
    """Planning is acting on it, whatever its status was (also after a dismissal)."""
    if recommendation.status == Status.ACTED:
        return
    recommendation.status = Status.ACTED
    recommendation.acted_at = timezone.now()
    recommendation.status_changed_by = user
    recommendation.save(update_fields=["status", "acted_at", "status_changed_by"])


@transaction.atomic
def create_plan(
    tenant: Tenant,
    user: User,
    *,
    details: Mapping[str, Any],
    tasks: Sequence[Mapping[str, Any]] = (),
    recommendation: Recommendation | None = None,
) -> ActionPlan:
    """A draft plan; from a recommendation, prefilled with its words and its suggested tasks
    (each due its days after the start), then ``tasks`` (each a title, a due date and an
    ``assignee``: a member's user id or None). The recommendation is marked acted when the plan
    is confirmed, not before: a wizard closed half-way leaves it as it was.

    An error at one of ``tasks`` names it by its place in ``tasks`` (``tasks[1].assignee``), as
    the request spelled it; a suggested task that would fall after the plan's due date names the
    plan's ``due_date``, the one thing the caller gave."""
    values = dict(details)
    prefilled: list[ActionTask] = []
    if recommendation is not None:
        start = values.get("start_date") or tenant.local_today()
        offsets = [int(a.get("days_from_start") or 0) for a in recommendation.actions or []]
        values.setdefault("title", recommendation.display_title[:200])
        values.setdefault("description", recommendation.display_body)
        values.setdefault("priority", recommendation.priority)
        values["start_date"] = start
        if "due_date" not in values:
            values["due_date"] = _days_after(start, max([DEFAULT_PLAN_DAYS, *offsets]))
        prefilled = [
            ActionTask(title=title[:200], due_date=_days_after(start, offset))
            for a, offset in zip(recommendation.actions or [], offsets, strict=True)
            if (title := str(a.get("title") or "").strip())
        ]
    values["title"] = _check_title(values.get("title"))
    _check_timeline(values.get("start_date"), values.get("due_date"))
    _check_owner(tenant, values.get("owner"))
    metric, metric_start = figure_of(recommendation) if recommendation else ("", None)
    plan = ActionPlan(
        tenant=tenant,
        recommendation=recommendation,
        metric=metric,  # did it work? the figure it should move, and its value now
        metric_start=metric_start,
        created_by=user,
        owner=values.pop("owner", None) or user,
        **{k: v for k, v in values.items() if k in _DETAIL_FIELDS},
    )
    late = [t for t in prefilled if t.due_date and plan.due_date and t.due_date > plan.due_date]
    if late:
        last = max(late, key=lambda t: t.due_date or date.min)
        raise PlanError(
            "due_date",
            f"must not be before {last.due_date}, when the recommendation's task "
            f"“{last.title}” is due",
        )
    given = [
        ActionTask(
            title=_check_title(t.get("title"), f"tasks[{i}].title")[:200],
            due_date=t.get("due_date"),
            assignee=member(tenant, t.get("assignee"), f"tasks[{i}].assignee"),
        )
        for i, t in enumerate(tasks)
    ]
    _check_tasks_fit(plan, given)
    plan.save()
    new_tasks = [*prefilled, *given]
    for position, task in enumerate(new_tasks):
        task.plan, task.position = plan, position
    ActionTask.objects.bulk_create(new_tasks)
    return plan


@transaction.atomic
def update_plan(plan: ActionPlan, changes: Mapping[str, Any]) -> ActionPlan:
    """Change details, timeline and status; dates are checked against the plan's tasks."""
    plan = ActionPlan.objects.select_for_update().get(pk=plan.pk)
    if "title" in changes:
        plan.title = _check_title(changes["title"])
    for name in ("description", "priority", "start_date", "due_date"):
        if name in changes:
            setattr(plan, name, changes[name])
    if "owner" in changes:
        _check_owner(plan.tenant, changes["owner"])
        plan.owner = changes["owner"]
    _check_timeline(plan.start_date, plan.due_date)
    _check_tasks_fit(plan, list(plan.tasks.all()))
    if "status" in changes and changes["status"] != plan.status:
        _change_status(plan, changes["status"])
    plan.save()
    return plan


def _change_status(plan: ActionPlan, status: str) -> None:
    if status == PlanStatus.ACTIVE and plan.status == PlanStatus.DRAFT:
        raise PlanError("status", "a draft becomes active when it is confirmed")
    if status not in PLAN_TRANSITIONS.get(plan.status, frozenset()):
        allowed = ", ".join(sorted(PLAN_TRANSITIONS.get(plan.status, ()))) or "none"
        raise PlanError("status", f"cannot go from {plan.status} to {status} (allowed: {allowed})")
    plan.status = status
    plan.completed_at = timezone.now() if status == PlanStatus.DONE else None


@transaction.atomic
def confirm_plan(plan: ActionPlan, user: User | None = None) -> ActionPlan:
    """The wizard's last step: a complete, consistent draft becomes active, and the
    recommendation it came from is acted on (by ``user``)."""
    plan = ActionPlan.objects.select_for_update().get(pk=plan.pk)
    if plan.status != PlanStatus.DRAFT:
        raise PlanError("status", f"only a draft can be confirmed; this plan is {plan.status}")
    _check_title(plan.title)
    tasks = list(plan.tasks.all())
    if not tasks:
        raise PlanError("tasks", "a plan needs at least one task before it is confirmed")
    if plan.start_date is None:
        raise PlanError("start_date", "is required to confirm the plan")
    if plan.due_date is None:
        raise PlanError("due_date", "is required to confirm the plan")
    _check_timeline(plan.start_date, plan.due_date)
    _check_tasks_fit(plan, tasks)
    plan.status = PlanStatus.ACTIVE
    plan.confirmed_at = timezone.now()
    plan.save(update_fields=["status", "confirmed_at", "updated_at"])
    if plan.recommendation is not None and user is not None:
        _mark_acted(plan.recommendation, user)
    return plan


@transaction.atomic
def add_task(
    plan: ActionPlan,
    *,
    title: str,
    due_date: date | None = None,
    position: int | None = None,
    assignee: User | None = None,
) -> ActionTask:
    """Append a task, or insert it at ``position`` (0-based) and shift the ones after it."""
    plan = ActionPlan.objects.select_for_update().get(pk=plan.pk)
    title = _check_title(title)
    _check_task_due(plan, due_date, "due_date")
    _check_owner(plan.tenant, assignee, "assignee")
    count = plan.tasks.count()
    at = count if position is None else max(0, min(position, count))
    ids = list(plan.tasks.order_by("position", "id").values_list("id", flat=True))
    task = ActionTask.objects.create(
        plan=plan, title=title, due_date=due_date, position=at, assignee=assignee
    )
    ids.insert(at, task.pk)
    _renumber(plan, ids)
    task.refresh_from_db()
    return task


@transaction.atomic
def update_task(task: ActionTask, changes: Mapping[str, Any], *, user: User) -> ActionTask:
    """Rename, re-date, (un)assign, or complete (who and when are recorded) or reopen a task."""
    task = ActionTask.objects.select_related("plan").select_for_update().get(pk=task.pk)
    if "title" in changes:
        task.title = _check_title(changes["title"])
    if "due_date" in changes:
        _check_task_due(task.plan, changes["due_date"], "due_date")
        task.due_date = changes["due_date"]
    if "assignee" in changes:
        _check_owner(task.plan.tenant, changes["assignee"], "assignee")
        task.assignee = changes["assignee"]
    if "done" in changes and bool(changes["done"]) != task.done:
        task.done = bool(changes["done"])
        task.completed_by = user if task.done else None
        task.completed_at = timezone.now() if task.done else None
    task.save()
    ActionPlan.objects.filter(pk=task.plan_id).update(updated_at=timezone.now())
    return task


@transaction.atomic
def remove_task(task: ActionTask) -> None:
    plan = ActionPlan.objects.select_for_update().get(pk=task.plan_id)
    task.delete()
    _renumber(plan, list(plan.tasks.order_by("position", "id").values_list("id", flat=True)))


@transaction.atomic
def reorder_tasks(plan: ActionPlan, order: Sequence[int]) -> list[ActionTask]:
    """Put the tasks in the given order; ``order`` must name each of the plan's tasks once."""
    plan = ActionPlan.objects.select_for_update().get(pk=plan.pk)
    current = set(plan.tasks.values_list("id", flat=True))
    if len(order) != len(set(order)) or set(order) != current:
        raise PlanError("order", "must list each of the plan's task ids exactly once")
    _renumber(plan, list(order))
    return list(plan.tasks.order_by("position"))


def _renumber(plan: ActionPlan, ordered_ids: Sequence[int]) -> None:
    """Positions 0..n-1 in the given order."""
    tasks = {t.pk: t for t in plan.tasks.all()}
    changed = []
    for index, pk in enumerate(ordered_ids):
        tasks[pk].position = index
        changed.append(tasks[pk])
    ActionTask.objects.bulk_update(changed, ["position"])
    ActionPlan.objects.filter(pk=plan.pk).update(updated_at=timezone.now())
