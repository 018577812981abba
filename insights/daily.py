"""The daily insight of a batch of tenants: few queries in, one transaction out.

A batch loads what it needs in a constant number of queries, scores and ranks each tenant in
memory, and writes insights, recommendations, failures, alerts and the next schedule in one
transaction. One tenant's bad data fails that tenant alone; a batch run twice writes nothing
twice (the schedule rows are locked while writing, and a unique constraint is the backstop).
"""

from __future__ import annotations

import gc
import logging
import time
import traceback
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from django.db import connection, models, transaction
from django.utils import timezone

from coach.catalog.base import Priority
from coach.engine import IssuedBefore
from coach.enrichment import schedule_enrichment
from coach.models import Recommendation
from coach.services import build_recommendations
from feedback.learning import engine_inputs
from gateway.models import Tenant
from insights import telemetry
from insights.metrics import MONEY_FIELDS, Period
from insights.models import FinancialPeriod, Insight, InsightFailure, InsightSchedule
from insights.scheduling import Item, next_run_at
from insights.scoring import HealthScore, explain_change
from insights.services import Assessment, assess, engine_config
from notifications.services import Message, notify_members

log = logging.getLogger(__name__)


@dataclass
class BatchResult:
    done: list[Item] = field(default_factory=list)
    skipped: list[Item] = field(default_factory=list)
    failed: list[Item] = field(default_factory=list)
    alerts: int = 0

    def summary(self) -> dict[str, int]:
        return {"done": len(self.done), "skipped": len(self.skipped), "failed": len(self.failed)}


def _existing(items: Sequence[Item]) -> set[Item]:
    tenant_ids = {tenant_id for tenant_id, _ in items}
    dates = {day for _, day in items}
    rows = Insight.objects.filter(tenant_id__in=tenant_ids, local_date__in=dates)
    found = set(rows.values_list("tenant_id", "local_date"))
    return {item for item in items if item in found}


def _periods(tenant_ids: Iterable[UUID]) -> dict[UUID, list[Period]]:
    grouped: dict[UUID, list[Period]] = defaultdict(list)
    rows = FinancialPeriod.objects.filter(tenant_id__in=list(tenant_ids)).values_list(
        "tenant_id", "month", *MONEY_FIELDS
    )
    for tenant_id, month, *money in rows.iterator(chunk_size=5000):
        grouped[tenant_id].append(Period(month, *money))
    return grouped


def _history(items: Sequence[Item], cooldown_days: int) -> dict[UUID, list[IssuedBefore]]:
    earliest = min(day for _, day in items) - timedelta(days=cooldown_days)
    latest = max(day for _, day in items)
    rows = Recommendation.objects.filter(
        tenant_id__in=[tenant_id for tenant_id, _ in items],
        issued_on__gte=earliest,
        issued_on__lte=latest,
    ).values_list("tenant_id", "template_key", "priority", "issued_on")
    history: dict[UUID, list[IssuedBefore]] = defaultdict(list)
    for tenant_id, key, priority, issued_on in rows:
        history[tenant_id].append(IssuedBefore(key, Priority(priority), issued_on))
    return history


def _previous_health(items: Sequence[Item]) -> dict[UUID, HealthScore]:
    """Each tenant's latest insight before the batch's date, to say what changed since."""
    latest = max(day for _, day in items)
    rows = (
        Insight.objects.filter(tenant_id__in=[t for t, _ in items], local_date__lt=latest)
        .order_by("tenant_id", "-local_date")
        .distinct("tenant_id")
        .values_list("tenant_id", "local_date", "health")
    )
    wanted = dict(items)
    return {
        tenant_id: HealthScore.from_dict(health)
        for tenant_id, day, health in rows
        if health and day < wanted[tenant_id]
    }


@dataclass
class _Computed:
    tenant: Tenant
    day: date
    assessment: Assessment
    change: dict[str, Any]
    duration_ms: float
    next_run_at: datetime | None = None


def _compute(
    items: Sequence[Item],
    tenants: dict[UUID, Tenant],
    result: BatchResult,
    task_id: str,
    at: datetime,
) -> tuple[list[_Computed], list[InsightFailure]]:
    config = engine_config()
    periods = _periods(tenants)
    history = _history(items, config.cooldown_days)
    previous = _previous_health(items)
    learned = engine_inputs(list(tenants), max(day for _, day in items))
    computed, failures = [], []
    for tenant_id, day in items:
        tenant = tenants[tenant_id]
        started = time.perf_counter()
        try:
            inputs = learned.get(tenant_id)
            assessment = assess(
                periods.get(tenant_id, []),
                currency=tenant.currency,
                tenant_name=tenant.name,
                today=day,
                history=[h for h in history.get(tenant_id, []) if h.issued_on <= day],
                adjustments=inputs.adjustments if inputs else None,
                silenced=inputs.silenced if inputs else None,
                config=config,
            )
            change = explain_change(assessment.health, previous.get(tenant_id)).to_dict()
            # The next run is computed here too: a tenant with a corrupt zone fails here, alone.
            following = next_run_at(at, tenant.timezone, tenant.insight_hour, day)
        except Exception as exc:
            log.warning(
                "insight failed tenant=%s date=%s task=%s error=%r", tenant_id, day, task_id, exc
            )
            failures.append(
                InsightFailure(
                    tenant_id=tenant_id,
                    local_date=day,
                    error=f"{type(exc).__name__}: {exc}"[:2000],
                    traceback=traceback.format_exc()[-8000:],
                    task_id=task_id,
                )
            )
            result.failed.append((tenant_id, day))
            continue
        duration = (time.perf_counter() - started) * 1000
        computed.append(_Computed(tenant, day, assessment, change, duration, following))
    return computed, failures


def _alerts(tenant: Tenant, day: date, recommendations: Sequence[Recommendation]) -> list[Message]:
    """A critical recommendation becomes a coach alert for every member of its tenant."""
    return [
        Message(
            tenant,
            kind="coach_alert",
            title=rec.title,
            body=rec.body,
            data={
                "recommendation_id": rec.pk,
                "insight_date": day.isoformat(),
                "category": rec.category,
            },
        )
        for rec in recommendations
        if rec.priority == Priority.CRITICAL
    ]


def _allocate_ids(cursor: Any, *groups: Sequence[models.Model]) -> None:
    """Give unsaved rows their ids from their tables' own sequences, in one query for all.

    COPY returns nothing, so the ids are taken first; the rows keep them (the through rows, the
    alerts and enrichment need them), in the order bulk_create would have given them.
    """
    wanted = [(group[0]._meta.db_table, len(group)) for group in groups if group]
    if not wanted:
        return
    arrays = ", ".join(
        "ARRAY(SELECT nextval(pg_get_serial_sequence(%s, 'id')::regclass)"
        " FROM generate_series(1, %s))"
        for _ in wanted
    )
    cursor.execute(f"SELECT {arrays}", [value for pair in wanted for value in pair])
    allocated = iter(cursor.fetchone())
    for group in groups:
        if group:
            for obj, pk in zip(group, sorted(next(allocated)), strict=True):
                obj.pk = pk


def _copy_in(cursor: Any, objs: Sequence[models.Model]) -> None:
    """Write saved-to-be model instances (ids set) with COPY: what ``bulk_create`` would write
    (same fields, defaults, ``pre_save`` values and database conversions), without building a
    statement whose parameters psycopg quotes one by one (JSON in arrays was most of a batch's
    write time). A constraint violation raises Django's IntegrityError, as bulk_create does."""
    if not objs:
        return
    db = cursor.db  # the connection itself: ``connection`` is a proxy, costly per field
    opts = objs[0]._meta
    fields = opts.concrete_fields
    quote = db.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    with (
        db.wrap_database_errors,
        cursor.copy(f"COPY {quote(opts.db_table)} ({columns}) FROM STDIN") as copy,
    ):
        for obj in objs:
            copy.write_row([f.get_db_prep_save(f.pre_save(obj, True), db) for f in fields])
    for obj in objs:
        obj._state.adding = False
        obj._state.db = db.alias


def _copy_through(cursor: Any, pairs: Sequence[tuple[int, int]]) -> None:
    """The insight ↔ recommendation rows, by COPY (their ids come from the table's default)."""
    if not pairs:
        return
    through = Insight.recommendations.through
    table = cursor.db.ops.quote_name(through._meta.db_table)
    with (
        cursor.db.wrap_database_errors,
        cursor.copy(f"COPY {table} (insight_id, recommendation_id) FROM STDIN") as copy,
    ):
        for pair in pairs:
            copy.write_row(pair)


def run_batch(
    items: Sequence[Item], *, task_id: str = "", at: datetime | None = None
) -> BatchResult:
    """Compute and store the insights of ``items`` ((tenant id, local date) pairs).

    ``at`` is the instant the work was dispatched for (default: now); each tenant's next run is
    computed from it, so a replayed morning schedules the day after that morning.
    """
    result = BatchResult()
    items = list(dict.fromkeys(items))
    if not items:
        return result
    already = _existing(items)
    result.skipped.extend(already)
    todo = [item for item in items if item not in already]
    tenants = Tenant.objects.in_bulk([tenant_id for tenant_id, _ in todo])
    todo = [item for item in todo if item[0] in tenants]
    if not todo:
        return result
    now = timezone.now()
    at = at or now
    with _collector_paused():
        return _run(todo, tenants, result, task_id=task_id, now=now, at=at)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while a batch runs.

    Everything a batch builds lives until it ends, so the collector's full passes (triggered by
    the many objects that survive) free little yet cost about a sixth of a batch's CPU;
    reference counting frees the batch when it ends, and the collector resumes after it.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _run(
    todo: list[Item],
    tenants: dict[UUID, Tenant],
    result: BatchResult,
    *,
    task_id: str,
    now: datetime,
    at: datetime,
) -> BatchResult:
    """Compute the batch, then write it in one transaction (``run_batch``'s body)."""
    computed, failures = _compute(todo, tenants, result, task_id, at)
    with transaction.atomic():
        schedules = {
            s.tenant_id: s
            for s in InsightSchedule.objects.select_for_update()
            .filter(tenant_id__in=[c.tenant.pk for c in computed])
            .order_by("tenant_id")
        }
        # Under the lock: another worker may have written some of these meanwhile.
        done_meanwhile = _existing([(c.tenant.pk, c.day) for c in computed])
        computed = [c for c in computed if (c.tenant.pk, c.day) not in done_meanwhile]
        result.skipped.extend(done_meanwhile)
        recs_by_tenant = {
            c.tenant.pk: build_recommendations(c.tenant, c.assessment.candidates, issued_on=c.day)
            for c in computed
        }
        recommendations = [r for recs in recs_by_tenant.values() for r in recs]
        insights = [
            Insight(
                tenant=c.tenant,
                local_date=c.day,
                score=c.assessment.health.overall,
                band=c.assessment.health.band or "",
                health=c.assessment.health.to_dict(),
                change=c.change,
                as_of=c.assessment.metrics.as_of,
                has_data=c.assessment.metrics.as_of is not None,
                generated_at=now,
                duration_ms=round(c.duration_ms, 3),
                task_id=task_id,
            )
            for c in computed
        ]
        with connection.cursor() as cursor:
            _allocate_ids(cursor, recommendations, insights)
            _copy_in(cursor, recommendations)
            _copy_in(cursor, insights)
            _copy_through(
                cursor,
                [
                    (insight.pk, rec.pk)
                    for insight, c in zip(insights, computed, strict=True)
                    for rec in recs_by_tenant[c.tenant.pk]
                ],
            )
        InsightFailure.objects.bulk_create(failures)
        for c in computed:
            schedule = schedules.get(c.tenant.pk) or InsightSchedule(tenant=c.tenant)
            if schedule.last_local_date is None or c.day >= schedule.last_local_date:
                schedule.last_local_date = c.day
                schedule.next_run_at = c.next_run_at
            elif schedule.next_run_at is None:  # a past date run by hand, for a new schedule
                schedule.next_run_at = c.next_run_at
            schedule.task_id = ""  # nothing pending any more
            schedules[c.tenant.pk] = schedule
        InsightSchedule.objects.bulk_create(
            list(schedules.values()),
            update_conflicts=True,
            unique_fields=["tenant"],
            update_fields=["next_run_at", "last_local_date", "task_id"],
        )
        alerts = [
            message
            for c in computed
            for message in _alerts(c.tenant, c.day, recs_by_tenant[c.tenant.pk])
        ]
        notify_members(alerts)  # in this transaction; pushed after commit
        result.alerts = len(alerts)
        result.done.extend((c.tenant.pk, c.day) for c in computed)
        rec_ids = [r.pk for recs in recs_by_tenant.values() for r in recs]
        transaction.on_commit(lambda: schedule_enrichment(rec_ids))
        transaction.on_commit(
            lambda: telemetry.record_batch(result, computed_ms=[c.duration_ms for c in computed])
        )
    for c in computed:
        log.info(
            "insight generated tenant=%s date=%s task=%s score=%s recommendations=%d",
            c.tenant.pk,
            c.day,
            task_id,
            c.assessment.health.overall,
            len(recs_by_tenant[c.tenant.pk]),
        )
    return result


def regenerate(tenant: Tenant, day: date, *, user: Any = None, task_id: str = "") -> Insight:
    """Replace a tenant's insight for ``day`` explicitly, and record that it was replaced.

    Recommendations of the old insight that nobody touched are withdrawn; those already seen,
    acted on or dismissed stay (and keep their templates in cooldown).
    """
    with transaction.atomic():
        InsightSchedule.objects.select_for_update().filter(tenant=tenant).first()
        insight = Insight.objects.select_for_update().filter(tenant=tenant, local_date=day).first()
        if insight is None:
            run_batch([(tenant.pk, day)], task_id=task_id)
            return Insight.objects.get(tenant=tenant, local_date=day)
        started = time.perf_counter()
        old = list(insight.recommendations.values_list("pk", "status"))
        untouched = [pk for pk, status in old if status == "new"]
        insight.recommendations.remove(*untouched)
        Recommendation.objects.filter(pk__in=untouched).delete()
        config = engine_config()
        inputs = engine_inputs([tenant.pk], day).get(tenant.pk)
        assessment = assess(
            _periods([tenant.pk]).get(tenant.pk, []),
            currency=tenant.currency,
            tenant_name=tenant.name,
            today=day,
            history=_history([(tenant.pk, day)], config.cooldown_days).get(tenant.pk, []),
            adjustments=inputs.adjustments if inputs else None,
            silenced=inputs.silenced if inputs else None,
            config=config,
        )
        previous = _previous_health([(tenant.pk, day)]).get(tenant.pk)
        recs = Recommendation.objects.bulk_create(
            build_recommendations(tenant, assessment.candidates, issued_on=day)
        )
        insight.recommendations.add(*recs)
        insight.score = assessment.health.overall
        insight.band = assessment.health.band or ""
        insight.health = assessment.health.to_dict()
        insight.change = explain_change(assessment.health, previous).to_dict()
        insight.as_of = assessment.metrics.as_of
        insight.has_data = assessment.metrics.as_of is not None
        insight.duration_ms = round((time.perf_counter() - started) * 1000, 3)
        insight.regenerated_at = timezone.now()
        insight.regenerated_by = user
        insight.regeneration_count += 1
        insight.task_id = task_id or insight.task_id
        insight.save()
        notify_members(_alerts(tenant, day, recs))
        rec_ids = [r.pk for r in recs]
        transaction.on_commit(lambda: schedule_enrichment(rec_ids))
    log.info(
        "insight regenerated tenant=%s date=%s by=%s", tenant.pk, day, getattr(user, "pk", None)
    )
    return insight
