"""The dispatcher: find the tenants whose insight is due, lease them, and queue their batches.

Due-ness is a UTC instant per tenant (``InsightSchedule.next_run_at``, indexed), so a pass costs
in proportion to the tenants that are due. Rows are claimed with ``FOR UPDATE SKIP LOCKED`` and
leased (moved a few minutes ahead) in the same transaction, so two dispatchers running at once
(a duplicated Beat) split the work instead of doubling it; the batches are published after
commit. Only a written insight moves a tenant to its next local day, so a batch that is lost is
dispatched again when its lease runs out.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from uuid import UUID
from zoneinfo import ZoneInfoNotFoundError

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from gateway.models import Tenant
from insights import telemetry
from insights.models import Insight, InsightFailure, InsightSchedule
from insights.scheduling import Item, insight_instant, local_date_at, next_run_at

log = logging.getLogger(__name__)

# Rows claimed per transaction: big enough to amortise the round trips, small enough that a
# pass over 100,000 due tenants never holds locks on all of them at once.
CLAIM_CHUNK = 5000


@dataclass(frozen=True)
class DispatchResult:
    due: int
    batches: int
    lag_seconds: float  # how long the oldest due tenant had been waiting

    def summary(self) -> dict[str, float]:
        return {"due": self.due, "batches": self.batches, "lag_seconds": round(self.lag_seconds, 3)}


def ensure_schedules(now: datetime | None = None) -> int:
    """Give every active tenant without a schedule one; returns how many were created."""
    now = now or timezone.now()
    missing = Tenant.objects.filter(is_active=True).exclude(
        pk__in=InsightSchedule.objects.values("tenant_id")
    )
    rows = [
        InsightSchedule(tenant=t, next_run_at=_first_run(now, t))
        for t in missing.only("id", "timezone", "insight_hour")
    ]
    InsightSchedule.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def _first_run(now: datetime, tenant: Tenant) -> datetime:
    try:
        return next_run_at(now, tenant.timezone, tenant.insight_hour, None)
    except (ZoneInfoNotFoundError, ValueError):
        return now  # due at once: the dispatcher records the corrupt zone for this tenant alone


def reschedule(tenant: Tenant, now: datetime | None = None) -> InsightSchedule:
    """Recompute a tenant's next run after its timezone or insight hour changed."""
    now = now or timezone.now()
    with transaction.atomic():
        schedule = InsightSchedule.objects.select_for_update().filter(tenant=tenant).first()
        last = schedule.last_local_date if schedule else None
        due = next_run_at(now, tenant.timezone, tenant.insight_hour, last)
        schedule, _ = InsightSchedule.objects.update_or_create(
            tenant=tenant, defaults={"next_run_at": due}
        )
    return schedule


def _failure(row: InsightSchedule, at: datetime, exc: Exception) -> InsightFailure:
    log.warning("dispatch failed tenant=%s error=%r", row.tenant_id, exc)
    return InsightFailure(
        tenant_id=row.tenant_id, local_date=at.date(), error=f"{type(exc).__name__}: {exc}"[:2000]
    )


def dispatch_due(
    at: datetime | None = None,
    *,
    publish: Callable[[Sequence[Item], datetime], None],
    batch_size: int | None = None,
    max_tenants: int | None = None,
) -> DispatchResult:
    """Claim the tenants due at ``at`` (default: now) and publish their work in batches.

    Each claimed tenant's insight is for its local date at ``at``, and only once that date's
    insight hour has come: a local day that has passed entirely is never backfilled, and a day
    is never run early because the previous one was missed.
    """
    real_now = timezone.now()
    at = at or real_now
    ensure_schedules(at)  # tenants made by bulk or SQL import have none yet
    batch_size = batch_size or settings.INSIGHT_BATCH_SIZE
    max_tenants = max_tenants or settings.INSIGHT_DISPATCH_MAX
    lease_until = max(at, real_now) + timedelta(seconds=settings.INSIGHT_LEASE_SECONDS)
    due = batches = 0
    lag = 0.0
    while due < max_tenants:
        with transaction.atomic():
            rows = list(
                InsightSchedule.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(next_run_at__lte=at, tenant__is_active=True)
                .select_related("tenant")
                .order_by("next_run_at")[: min(CLAIM_CHUNK, max_tenants - due)]
            )
            if not rows:
                break
            if due == 0:
                lag = max(0.0, (at - rows[0].next_run_at).total_seconds())
            items: list[Item] = []
            failures: list[InsightFailure] = []
            moved: list[InsightSchedule] = []  # not leased: each gets its own next run
            for row in rows:
                try:
                    day = local_date_at(at, row.tenant.timezone)
                except (ZoneInfoNotFoundError, ValueError) as exc:
                    # A corrupt zone fails that tenant, recorded; it is retried a day later.
                    failures.append(_failure(row, at, exc))
                    row.next_run_at = at + timedelta(days=1)
                    moved.append(row)
                    continue
                if row.last_local_date and day <= row.last_local_date:
                    # Already done for that day (e.g. the zone changed): due again tomorrow.
                    row.next_run_at = next_run_at(
                        at, row.tenant.timezone, row.tenant.insight_hour, row.last_local_date
                    )
                    moved.append(row)
                    continue
                hour_of_day = insight_instant(day, row.tenant.insight_hour, row.tenant.timezone)
                if at < hour_of_day:
                    # Due since an earlier local day (Beat down across midnight, a lease that
                    # ran out after it): that day stays missed, and this one runs at its hour.
                    row.next_run_at = hour_of_day
                    moved.append(row)
                else:
                    items.append((row.tenant_id, day))
            # The leased rows all get the same values: one plain UPDATE, not bulk_update's
            # CASE per row (which took seconds for a chunk of thousands).
            InsightSchedule.objects.filter(tenant_id__in=[t for t, _ in items]).update(
                next_run_at=lease_until, dispatched_at=real_now
            )
            InsightSchedule.objects.bulk_update(moved, ["next_run_at"])
            InsightFailure.objects.bulk_create(failures)
            chunks = [items[i : i + batch_size] for i in range(0, len(items), batch_size)]
            for chunk in chunks:
                transaction.on_commit(partial(publish, chunk, at))
            due += len(items)
            batches += len(chunks)
    telemetry.set_gauge("dispatcher_lag_seconds", lag)
    telemetry.incr("dispatcher_runs_total")
    telemetry.incr("insights_dispatched_total", due)
    log.info("dispatch at=%s due=%d batches=%d lag=%.1fs", at.isoformat(), due, batches, lag)
    return DispatchResult(due=due, batches=batches, lag_seconds=lag)


def queue_today(tenant: Tenant) -> dict[str, str]:
    """Queue the tenant's insight for its local today, unless it exists or is already queued.

    The intent is recorded on the tenant's schedule in the transaction (``task_id``, leased
    ``next_run_at``, ``dispatched_at`` still empty) and the task is published after commit,
    which stamps ``dispatched_at``. The answer says what is true: ``queued`` once published,
    ``pending`` when the broker refused it (the sweep publishes it within a minute, or a retry
    of this call does; the dispatcher takes the tenant again when the lease runs out). A retry
    while the intent is still unpublished publishes it with the same task id.
    """
    now = timezone.now()
    day = local_date_at(now, tenant.timezone)
    lease = timedelta(seconds=settings.INSIGHT_LEASE_SECONDS)
    with transaction.atomic():
        schedule = InsightSchedule.objects.select_for_update().filter(tenant=tenant).first()
        if schedule is None:
            schedule = reschedule(tenant, now)
            schedule = InsightSchedule.objects.select_for_update().get(tenant=tenant)
        if Insight.objects.filter(tenant=tenant, local_date=day).exists():
            return {"status": "done", "local_date": day.isoformat()}
        if schedule.task_id and schedule.next_run_at > now:
            task_id = schedule.task_id
            if schedule.dispatched_at:
                return {"status": "queued", "task_id": task_id, "local_date": day.isoformat()}
            at = schedule.next_run_at - lease  # when it was asked for: publish that, again
        else:
            task_id, at = str(uuid.uuid4()), now
            schedule.task_id = task_id
            schedule.dispatched_at = None  # recorded, not published yet
            schedule.next_run_at = now + lease
            schedule.save(update_fields=["task_id", "dispatched_at", "next_run_at"])
        published: list[bool] = []
        transaction.on_commit(
            lambda: published.append(publish_run(tenant.pk, task_id, at, tenant.timezone))
        )
    status = "queued" if any(published) else "pending"
    return {"status": status, "task_id": task_id, "local_date": day.isoformat()}


def publish_run(tenant_id: UUID, task_id: str, at: datetime, zone: str) -> bool:
    """Publish a recorded run-now intent (after its commit) and stamp it published; False, and
    the intent kept for the sweep, when the broker refuses it."""
    from insights.tasks import encode, run_insight_batch

    day = local_date_at(at, zone)
    try:
        run_insight_batch.apply_async(
            args=(encode([(tenant_id, day)]), at.isoformat()), task_id=task_id
        )
    except Exception as exc:
        log.warning("run-now of tenant=%s not published (%r); the sweep retries", tenant_id, exc)
        return False
    InsightSchedule.objects.filter(
        tenant_id=tenant_id, task_id=task_id, dispatched_at__isnull=True
    ).update(dispatched_at=timezone.now())
    return True


# A run-now intent younger than this is left to the request that recorded it (publishing it).
PUBLISH_GRACE = timedelta(seconds=5)


def publish_unpublished_runs(now: datetime | None = None) -> int:
    """The sweep's part for run-now: publish again the intents recorded but never published
    (the broker was down at commit) while their lease lasts; returns how many were published.
    Only the rows leased within the last lease are read (the ``next_run_at`` index)."""
    now = now or timezone.now()
    lease = timedelta(seconds=settings.INSIGHT_LEASE_SECONDS)
    rows = list(
        InsightSchedule.objects.filter(
            next_run_at__gt=now,
            next_run_at__lte=now + lease - PUBLISH_GRACE,
            dispatched_at__isnull=True,
        )
        .exclude(task_id="")
        .select_related("tenant")
    )
    published = 0
    for row in rows:
        asked_at = row.next_run_at - lease
        if not publish_run(row.tenant_id, row.task_id, asked_at, row.tenant.timezone):
            break  # the broker is still down: the next sweep tries again
        published += 1
    return published
