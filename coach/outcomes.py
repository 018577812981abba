"""Did it work? A plan's figure, read by every later insight, and its outcome said once.

A plan made from a recommendation names the figure it should move (the recommendation's first
evidence metric with a value) and that value when it started. The insight pipeline hands each
day's metric values here (``progress``: pure), records the reading, and when the plan is done or
its due date has passed, reports the outcome once: did the figure move the right way, and by how
much. What plans achieved per template feeds the ranking (``feedback/outcomes.py``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.utils import timezone

from coach.catalog.formatting import calendar_date, format_metric
from coach.models import ActionPlan, Recommendation
from gateway.models import Tenant
from notifications.services import Message

# Figures where less is better; for the rest, more is.
LOWER_IS_BETTER = frozenset(
    {
        "dso",
        "dio",
        "cash_conversion_cycle",
        "dso_change_3m",
        "operating_expenses",
        "operating_expense_ratio",
        "payroll",
        "payroll_ratio",
        "cogs",
        "net_burn",
        "inventory_value",
        "inventory_growth_3m",
        "opex_growth_3m",
        "revenue_volatility",
        "accounts_receivable",
    }
)
# Templates whose advice moves their figure the other way from the usual.
TEMPLATE_DIRECTION: dict[str, int] = {
    "supplier_payments_late": -1,  # pay suppliers sooner: fewer days payable
    "stockout_risk": +1,  # hold more stock
}
# A change smaller than this share of the starting value is "not moved".
UNCHANGED = 0.02
# Readings kept per plan (one a day: over a year).
MAX_READINGS = 400

# How a figure's change reads, for the figures whose words are plainer than their name.
PHRASES: dict[str, str] = {
    "dso": "customers pay in {end} instead of {start}",
    "dpo": "you pay suppliers in {end} instead of {start}",
    "dio": "stock sits for {end} instead of {start}",
    "cash_balance": "your cash is {end}, against {start} when you started",
    "runway_days": "your runway is {end}, against {start} when you started",
}
LABELS: dict[str, str] = {
    "gross_margin": "your gross margin",
    "net_margin": "your net margin",
    "revenue": "monthly revenue",
    "operating_expenses": "monthly operating costs",
    "inventory_value": "your stock",
    "net_income": "monthly net income",
    "accounts_receivable": "what customers owe you",
    "accounts_payable": "what you owe suppliers",
    "cash_conversion_cycle": "your cash conversion cycle",
    "payroll": "monthly payroll",
}


def figure_of(recommendation: Recommendation) -> tuple[str, float | None]:
    """The figure a plan from ``recommendation`` should move, and its value now."""
    figures = recommendation.figures or {}
    for key in recommendation.evidence_metrics or []:
        value = figures.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return key, float(value)
    return "", None


def direction(metric: str, template_key: str) -> int:
    """+1 when more of ``metric`` is what the advice wants, -1 when less is."""
    if template_key in TEMPLATE_DIRECTION:
        return TEMPLATE_DIRECTION[template_key]
    return -1 if metric in LOWER_IS_BETTER else +1


@dataclass(frozen=True)
class OpenPlan:
    """What the pipeline reads of a plan still to be reported (plain data)."""

    id: int
    tenant_id: Any
    title: str
    metric: str
    start: float
    started_on: date | None
    due_date: date | None
    done: bool
    template_key: str
    readings: list[list[Any]] = field(default_factory=list)


@dataclass
class Progress:
    """A plan's reading of the day, and its outcome when it is due (reported once)."""

    plan: OpenPlan
    readings: list[list[Any]]
    outcome: dict[str, Any] | None = None


def outcome(plan: OpenPlan, end: float, day: date, currency: str) -> dict[str, Any]:
    """Whether the figure moved the right way since the plan started, and the sentence."""
    change = end - plan.start
    scale = max(abs(plan.start), 1e-9)
    sign = direction(plan.metric, plan.template_key)
    if abs(change) / scale < UNCHANGED:
        moved = "unchanged"
    else:
        moved = "better" if change * sign > 0 else "worse"
    shown_start = format_metric(plan.metric, plan.start, currency)
    shown_end = format_metric(plan.metric, end, currency)
    template = PHRASES.get(plan.metric)
    if template is None:
        label = LABELS.get(plan.metric, plan.metric.replace("_", " "))
        template = label + " is {end}, against {start} when you started"
    since = f"Since you started “{plan.title}”"
    if plan.started_on:
        since += f" on {calendar_date(plan.started_on)}"
    sentence = f"{since}, " + template.format(start=shown_start, end=shown_end) + "."
    verdict = {
        "better": " It moved the way the plan wanted.",
        "worse": " It moved the wrong way: worth a look at what changed.",
        "unchanged": " It has hardly moved yet.",
    }[moved]
    return {
        "metric": plan.metric,
        "start": plan.start,
        "end": end,
        "change": change,
        "moved": moved,
        "on": day.isoformat(),
        "explanation": sentence + verdict,
    }


def progress(
    plans: Sequence[OpenPlan], values: Mapping[str, float | None], day: date, currency: str
) -> list[Progress]:
    """Each plan's reading for ``day`` and, when it is done or past due, its outcome."""
    found = []
    for plan in plans:
        value = values.get(plan.metric)
        readings = [r for r in plan.readings if r[0] != day.isoformat()]
        if value is not None:
            readings.append([day.isoformat(), value])
        readings = readings[-MAX_READINGS:]
        due = plan.done or (plan.due_date is not None and day > plan.due_date)
        result = Progress(plan, readings)
        if due and value is not None:
            result.outcome = outcome(plan, value, day, currency)
        found.append(result)
    return found


def record_progress(found: Sequence[tuple[Tenant, Progress]]) -> list[Message]:
    """Store the day's readings and the outcomes due (in the caller's transaction); the
    messages of the outcomes reported now. A plan already reported (by a concurrent write) is
    not reported again: the plans are locked and re-read first."""
    if not found:
        return []
    ids = [one.plan.id for _, one in found]
    plans = {
        plan.pk: plan
        for plan in ActionPlan.objects.select_for_update()
        .filter(pk__in=ids, outcome_reported_at__isnull=True)
        .order_by("pk")
    }
    now = timezone.now()
    changed, messages = [], []
    for tenant, one in found:
        plan = plans.get(one.plan.id)
        if plan is None:
            continue
        plan.readings = one.readings
        if one.outcome is not None:
            plan.outcome = one.outcome
            plan.outcome_reported_at = now
            messages.append(
                Message(
                    tenant,
                    kind="success" if one.outcome["moved"] == "better" else "info",
                    title=f"Did it work? {plan.title}"[:200],
                    body=one.outcome["explanation"],
                    data={"kind": "plan_outcome", "plan_id": plan.pk, **one.outcome},
                )
            )
        changed.append(plan)
    ActionPlan.objects.bulk_update(changed, ["readings", "outcome", "outcome_reported_at"])
    return messages
