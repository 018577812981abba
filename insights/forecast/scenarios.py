"""What-if scenarios: validating a body of driver changes, running it beside the baseline, and
saving it by name. Bad input is a ``FieldError`` naming the field (``changes[1].days``)."""

from __future__ import annotations

import math
from datetime import date, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction

from gateway.errors import FieldError
from gateway.models import Tenant
from insights.financials import parse_amount
from insights.forecast.engine import (
    CHANGE_VALUE,
    Change,
    ChangeKind,
    NotEnoughBooks,
    Simulation,
    run,
)
from insights.forecast.models import ForecastScenario
from insights.forecast.store import buffer_of, simulation_for

MAX_CHANGES = 20
NAME_MAX = 100
# Bounds that keep a scenario a business's, not a typo's.
PERCENT_BOUNDS: dict[ChangeKind, tuple[float, float]] = {
    ChangeKind.REVENUE_GROWTH: (-100.0, 1000.0),
    ChangeKind.COST_CUT: (0.0, 100.0),
}
MAX_DAYS = 365.0


class NoForecast(FieldError):
    """The books cannot carry a forecast, so there is no scenario to run."""


def parse_name(raw: Any) -> str:
    if not isinstance(raw, str) or not raw.strip():
        raise FieldError("name", "is required: a short name for the scenario")
    name = raw.strip()
    if len(name) > NAME_MAX:
        raise FieldError("name", f"must be at most {NAME_MAX} characters")
    return name


def _number(raw: Any, field: str) -> float:
    if isinstance(raw, bool) or not isinstance(raw, int | float | str):
        raise FieldError(field, "must be a number")
    try:
        value = float(raw)
    except ValueError:
        raise FieldError(field, f"must be a number, got {raw!r}") from None
    if not math.isfinite(value):
        raise FieldError(field, "must be a finite number")
    return value


def parse_changes(raw: Any, *, start: date, horizon_end: date) -> list[Change]:
    """The changes of a body, each checked; the first bad one raises naming its field."""
    if not isinstance(raw, list):
        raise FieldError("changes", "must be a list of changes")
    if not raw:
        raise FieldError("changes", "must contain at least one change")
    if len(raw) > MAX_CHANGES:
        raise FieldError("changes", f"at most {MAX_CHANGES} changes per scenario")
    return [_parse_change(i, item, start, horizon_end) for i, item in enumerate(raw)]


def _parse_change(index: int, item: Any, start: date, horizon_end: date) -> Change:
    where = f"changes[{index}]"
    if not isinstance(item, dict):
        raise FieldError(where, "must be an object with kind, date and amount, percent or days")
    try:
        kind = ChangeKind(str(item.get("kind")))
    except ValueError:
        kinds = ", ".join(k.value for k in ChangeKind)
        raise FieldError(f"{where}.kind", f"must be one of {kinds}") from None
    wanted = CHANGE_VALUE[kind]
    unknown = sorted(set(item) - {"kind", "date", wanted})
    if unknown:
        raise FieldError(
            f"{where}.{unknown[0]}", f"is not a field of a {kind.value} change (it takes {wanted})"
        )
    on: date | None = None
    if item.get("date") not in (None, ""):
        try:
            on = date.fromisoformat(str(item["date"]))
        except ValueError:
            raise FieldError(f"{where}.date", "must be a date as YYYY-MM-DD") from None
        if on > horizon_end:
            raise FieldError(
                f"{where}.date", f"is after the forecast's horizon ({horizon_end.isoformat()})"
            )
    elif kind in (ChangeKind.CASH_INJECTION, ChangeKind.LOAN):
        raise FieldError(f"{where}.date", "is required: the day the money arrives")
    if wanted not in item or item[wanted] is None:
        raise FieldError(f"{where}.{wanted}", f"is required for a {kind.value} change")
    field = f"{where}.{wanted}"
    if wanted == "amount":
        try:
            amount = parse_amount("amount", item[wanted])
        except ValueError as exc:
            raise FieldError(field, str(exc)) from None
        if amount is None or amount <= 0:
            raise FieldError(field, "must be more than zero")
        value = float(amount)
    elif wanted == "percent":
        value = _number(item[wanted], field)
        low, high = PERCENT_BOUNDS[kind]
        if not low <= value <= high:
            raise FieldError(field, f"must be between {low:g} and {high:g}")
    else:
        value = _number(item[wanted], field)
        if not 0 <= value <= MAX_DAYS:
            raise FieldError(field, f"must be between 0 and {MAX_DAYS:g} days")
    return Change(kind, value, on if on is None or on > start else None)


def horizon(sim: Simulation) -> tuple[date, date]:
    return sim.start, sim.start + timedelta(days=sim.days - 1)


def answer(tenant: Tenant, body: Any) -> tuple[str, list[Change], dict[str, Any]]:
    """Run a scenario body on the tenant's current books: (name, changes, answer body)."""
    if not isinstance(body, dict):
        raise FieldError("non_field_errors", "the body must be a JSON object with name and changes")
    unknown = sorted(set(body) - {"name", "changes", "save"})
    if unknown:
        raise FieldError(unknown[0], "unknown field; a scenario has name, changes and save")
    name = parse_name(body.get("name"))
    try:
        sim, _ = simulation_for(tenant)
    except NotEnoughBooks as exc:
        raise NoForecast("changes", f"no forecast to change: {exc}") from None
    start, end = horizon(sim)
    changes = parse_changes(body.get("changes"), start=start, horizon_end=end)
    return name, changes, compare(tenant, sim, changes)


def compare(tenant: Tenant, sim: Simulation, changes: list[Change]) -> dict[str, Any]:
    buffer = buffer_of(tenant)
    baseline = run(sim, buffer=buffer).to_dict(tenant.currency)
    scenario = run(sim, changes, buffer=buffer).to_dict(tenant.currency)
    return {"baseline": baseline, "scenario": scenario}


@transaction.atomic
def save(tenant: Tenant, user: User, name: str, changes: list[Change]) -> ForecastScenario:
    """Save (or replace) the tenant's scenario of that name."""
    scenario, _ = ForecastScenario.objects.update_or_create(
        tenant=tenant,
        name=name,
        defaults={"changes": [c.to_dict() for c in changes], "created_by": user},
    )
    return scenario


def rerun(tenant: Tenant, scenario: ForecastScenario) -> dict[str, Any]:
    """A saved scenario on today's books (its changes were valid when saved)."""
    try:
        sim, _ = simulation_for(tenant)
    except NotEnoughBooks as exc:
        raise NoForecast("changes", f"no forecast to change: {exc}") from None
    start, end = horizon(sim)
    changes = []
    for item in scenario.changes:
        on = date.fromisoformat(item["date"]) if item.get("date") else None
        if on is not None and on > end:
            continue  # past the horizon of today's books
        key = CHANGE_VALUE[ChangeKind(item["kind"])]
        changes.append(
            Change(ChangeKind(item["kind"]), float(item[key]), on if on and on > start else None)
        )
    return compare(tenant, sim, changes)
