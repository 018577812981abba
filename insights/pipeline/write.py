"""Write: the only code that stores insights and recommendations.

One transaction per call: the insights (new ones by COPY, replaced ones by the ORM), their
recommendations and evidence, the failures, the schedules, and the alerts' inbox rows; then,
after commit, the pushes, the enrichment and the telemetry. Schedule rows are locked first and
existing insights re-read under the lock, so two writers of the same items never both write; a
unique constraint on (tenant, local date) is the backstop.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from django.db import connection, transaction
from django.utils import timezone

from coach.catalog.base import Candidate
from coach.enrichment import schedule_enrichment
from coach.models import Evidence, Recommendation, Status
from coach.outcomes import record_progress
from coach.services import build_evidence, build_recommendations
from coach.vocabulary import Priority
from gateway.logs import tenant_context
from insights import portfolio, telemetry
from insights.forecast.alerts import breach_alerts, close_breaches
from insights.models import Insight, InsightFailure, InsightSchedule
from insights.pipeline.bulk_copy import allocate_ids, copy_in, copy_through
from insights.pipeline.digest import digests_for
from insights.pipeline.plan import InsightPlan
from insights.scheduling import Item, insight_instant
from notifications.channels import queue_digests
from notifications.services import Message, notify_members

log = logging.getLogger(__name__)


class Mode(StrEnum):
    # The morning batch, run-now and generate: write the insights that do not exist yet.
    NEW = "new"
    # Regenerate and a change of books: replace the existing insight (or write it).
    REPLACE = "replace"
    # The demo's past days: the score alone, dated at the day's insight hour; no advice.
    HISTORY = "history"


@dataclass
class WriteResult:
    done: list[Item] = field(default_factory=list)
    skipped: list[Item] = field(default_factory=list)
    failed: list[Item] = field(default_factory=list)
    replaced: list[Item] = field(default_factory=list)  # of ``done``, those that replaced one
    alerts: int = 0
    recommendations: int = 0  # written by this call

    def summary(self) -> dict[str, int]:
        return {"done": len(self.done), "skipped": len(self.skipped), "failed": len(self.failed)}

    def merge(self, other: WriteResult) -> None:
        self.done += other.done
        self.skipped += other.skipped
        self.failed += other.failed
        self.replaced += other.replaced
        self.alerts += other.alerts
        self.recommendations += other.recommendations


# Statuses a user gave: such a recommendation is never withdrawn from under them.
_TOUCHED = frozenset({Status.ACTED, Status.DISMISSED})


def after_commit(callback: Callable[[], object]) -> None:
    """Run ``callback`` once the transaction commits. Its failure (the broker down at that
    instant) is logged, never raised into a caller whose change has already committed."""
    transaction.on_commit(callback, robust=True)


def write(
    plans: Sequence[InsightPlan],
    mode: Mode,
    *,
    task_id: str = "",
    user: Any = None,
    now: datetime | None = None,
) -> WriteResult:
    """Store ``plans`` as ``mode`` says; see the module docstring."""
    result = WriteResult()
    now = now or timezone.now()
    failed = [p for p in plans if p.failed]
    good = [p for p in plans if not p.failed]
    with transaction.atomic():
        schedules = {
            s.tenant_id: s
            for s in InsightSchedule.objects.select_for_update()
            .filter(tenant_id__in=sorted({p.tenant.pk for p in good}))
            .order_by("tenant_id")
        }
        existing = _existing([p.item for p in good])  # under the lock: the truth
        fresh = [p for p in good if p.item not in existing]
        if mode == Mode.REPLACE:
            replacing = [p for p in good if p.item in existing]
        else:
            replacing = []
            result.skipped.extend(p.item for p in good if p.item in existing)
        alerts: list[Message] = []
        new_recs: list[Recommendation] = []
        new_recs += _write_fresh(fresh, mode, task_id, now, alerts)
        for p in replacing:
            new_recs += _replace(existing[p.item], p, task_id, user, now, alerts)
        _record_failures(failed, task_id, result)
        written = fresh + replacing
        _move_schedules(written, schedules)
        alerts += _forecast_alerts(written, alerts)
        alerts += record_progress([(p.tenant, one) for p in written for one in p.plans])
        notify_members(alerts)  # the inbox rows in this transaction; pushed after commit
        if mode != Mode.HISTORY:  # the morning email and insight.created, sent after commit
            queue_digests(digests_for(written, now))
        result.done.extend(p.item for p in written)
        result.replaced.extend(p.item for p in replacing)
        result.alerts = len(alerts)
        result.recommendations = len(new_recs)
        rec_ids = [r.pk for r in new_recs]
        if rec_ids:
            after_commit(lambda: schedule_enrichment(rec_ids))
        durations = [p.duration_ms for p in written]
        after_commit(lambda: telemetry.record_batch(result, computed_ms=durations))
        if written and mode != Mode.HISTORY:  # the portfolio pages of the members, live
            changed = [p.tenant.pk for p in written]
            after_commit(lambda: portfolio.announce(changed))
        stale = [p.tenant.pk for p in written if p.forecast_stale]
        if stale:  # books without a forecast of their version: computed on the worker pool
            after_commit(lambda: _compute_forecasts(stale))
    for p in written:
        with tenant_context(p.tenant.pk):
            log.info(
                "insight %s tenant=%s date=%s task=%s score=%s recommendations=%d",
                "replaced" if p in replacing else "generated",
                p.tenant.pk,
                p.day,
                task_id,
                p.health.overall if p.health else None,
                len(p.candidates),
            )
    return result


def _existing(items: Sequence[Item]) -> dict[Item, Insight]:
    if not items:
        return {}
    rows = Insight.objects.select_for_update().filter(
        tenant_id__in={tenant_id for tenant_id, _ in items},
        local_date__in={day for _, day in items},
    )
    wanted = set(items)
    return {item: row for row in rows if (item := (row.tenant_id, row.local_date)) in wanted}


def _insight_fields(p: InsightPlan) -> dict[str, Any]:
    health = p.health
    if health is None:
        raise ValueError(f"a failed plan has no insight to write: {p.error}")
    return {
        "score": health.overall,
        "band": health.band or "",
        "stage": p.stage.value if p.stage else "",
        "health": health.to_dict(),
        "change": p.change,
        "as_of": p.as_of,
        "has_data": p.as_of is not None,
        "duration_ms": round(p.duration_ms, 3),
        "forecast": p.forecast,
    }


def _write_fresh(
    plans: Sequence[InsightPlan], mode: Mode, task_id: str, now: datetime, alerts: list[Message]
) -> list[Recommendation]:
    """New insights, their evidence and recommendations, by COPY (the daily batch's path)."""
    evidence: list[Evidence] = []
    recs_by_plan: list[list[Recommendation]] = []
    for p in plans:
        if p.candidates:
            ev = build_evidence(p.tenant, p.candidates, day=p.day)
            evidence.append(ev)
        else:
            ev = None
        recs_by_plan.append(
            _with_impacts(
                p, build_recommendations(p.tenant, p.candidates, issued_on=p.day, evidence=ev)
            )
        )
    recommendations = [r for recs in recs_by_plan for r in recs]
    insights = [
        Insight(
            tenant=p.tenant,
            local_date=p.day,
            generated_at=(
                insight_instant(p.day, p.tenant.insight_hour, p.tenant.timezone)
                if mode == Mode.HISTORY
                else now
            ),
            task_id=task_id,
            **_insight_fields(p),
        )
        for p in plans
    ]
    with connection.cursor() as cursor:
        allocate_ids(cursor, evidence, recommendations, insights)
        for rec in recommendations:
            rec.evidence_id = rec.evidence.pk if rec.evidence else None
        copy_in(cursor, evidence)
        copy_in(cursor, recommendations)
        copy_in(cursor, insights)
        copy_through(
            cursor,
            [
                (insight.pk, rec.pk)
                for insight, recs in zip(insights, recs_by_plan, strict=True)
                for rec in recs
            ],
        )
    for p, recs in zip(plans, recs_by_plan, strict=True):
        alerts.extend(_alert(p, rec) for rec in recs if rec.priority == Priority.CRITICAL)
    return recommendations


def _same_words(rec: Recommendation, candidate: Candidate) -> bool:
    return (
        rec.title == candidate.title
        and rec.body == candidate.body
        and rec.priority == candidate.priority.value
        and rec.figures == candidate.figures
    )


def _replace(
    insight: Insight,
    p: InsightPlan,
    task_id: str,
    user: Any,
    now: datetime,
    alerts: list[Message],
) -> list[Recommendation]:
    """Make an existing insight say what ``p`` says, withdrawing (never deleting) what it no
    longer advises.

    A recommendation whose words are unchanged stays (with its chat, feedback and plans); one
    the user acted on or dismissed stays too, and its template is not issued again today;
    anything else the new plan changes is withdrawn and issued anew. A template already alerted
    as critical today is not alerted again.
    """
    current = {r.template_key: r for r in insight.recommendations.exclude(status=Status.WITHDRAWN)}
    alerted = {key for key, r in current.items() if r.priority == Priority.CRITICAL}
    old_evidence = {r.evidence_id for r in current.values() if r.evidence_id}
    evidence = build_evidence(p.tenant, p.candidates, day=p.day) if p.candidates else None
    if evidence is not None:
        evidence.save()
    kept: list[Recommendation] = []
    issue: list[Candidate] = []
    withdraw: list[Recommendation] = []
    for candidate in p.candidates:
        old = current.pop(candidate.template_key, None)
        if old is not None and _same_words(old, candidate):
            old.score, old.evidence = candidate.score, evidence  # same advice, today's books
            old.impact = p.impacts.get(candidate.template_key)
            kept.append(old)
        elif old is not None and old.status in _TOUCHED:
            continue  # the user already dealt with this advice today
        else:
            if old is not None:
                withdraw.append(old)
            issue.append(candidate)
    withdraw += [r for r in current.values() if r.status not in _TOUCHED]
    Recommendation.objects.bulk_update(kept, ["score", "evidence", "impact"])
    Recommendation.objects.filter(pk__in=[r.pk for r in withdraw]).update(
        status=Status.WITHDRAWN, withdrawn_at=now
    )
    created = Recommendation.objects.bulk_create(
        _with_impacts(p, build_recommendations(p.tenant, issue, issued_on=p.day, evidence=evidence))
    )
    insight.recommendations.remove(*withdraw)
    insight.recommendations.add(*created)
    Evidence.objects.filter(pk__in=old_evidence, recommendations__isnull=True).delete()
    for name, value in _insight_fields(p).items():
        setattr(insight, name, value)
    insight.regenerated_at = now
    insight.regenerated_by = user
    insight.regeneration_count += 1
    insight.task_id = task_id or insight.task_id
    insight.save()
    alerts.extend(
        _alert(p, rec)
        for rec in created
        if rec.priority == Priority.CRITICAL and rec.template_key not in alerted
    )
    return created


def _with_impacts(p: InsightPlan, recs: list[Recommendation]) -> list[Recommendation]:
    """Each recommendation with its impact, read from the stored forecast by ``plan``."""
    for rec in recs:
        rec.impact = p.impacts.get(rec.template_key)
    return recs


def _forecast_alerts(written: Sequence[InsightPlan], alerts: list[Message]) -> list[Message]:
    """The buffer-breach alerts of the written insights, once per breach, joined to the day's
    critical cash alert when there is one (see insights/forecast/alerts.py); insights that read
    a forecast without a breach close it."""
    breaching = [
        (p.tenant, p.day, p.breach, (p.forecast or {}).get("buffer", "0"))
        for p in written
        if p.breach is not None
    ]
    close_breaches([(p.tenant.pk, p.day) for p in written if p.forecast and p.breach is None])
    return breach_alerts(breaching, alerts)


def _compute_forecasts(tenant_ids: Sequence[UUID]) -> None:
    from insights.tasks import compute_forecast  # the tasks import the pipeline

    for tenant_id in tenant_ids:
        compute_forecast.delay(str(tenant_id))


def _alert(p: InsightPlan, rec: Recommendation) -> Message:
    """A critical recommendation becomes a coach alert for every member of its tenant."""
    return Message(
        p.tenant,
        kind="coach_alert",
        title=rec.title,
        body=rec.body,
        data={
            "recommendation_id": rec.pk,
            "insight_date": p.day.isoformat(),
            "category": rec.category,
        },
    )


def _record_failures(failed: Sequence[InsightPlan], task_id: str, result: WriteResult) -> None:
    for p in failed:
        with tenant_context(p.tenant.pk):
            log.warning(
                "insight failed tenant=%s date=%s task=%s error=%s",
                p.tenant.pk,
                p.day,
                task_id,
                p.error,
            )
    InsightFailure.objects.bulk_create(
        InsightFailure(
            tenant=p.tenant,
            local_date=p.day,
            error=p.error,
            traceback=p.traceback,
            task_id=task_id,
        )
        for p in failed
    )
    result.failed.extend(p.item for p in failed)


def _move_schedules(written: Sequence[InsightPlan], schedules: dict[UUID, InsightSchedule]) -> None:
    """A written insight moves its tenant to the next local day (never back)."""
    if not written:
        return
    for p in written:
        following = p.next_run_at
        if following is None:
            raise ValueError(f"a failed plan moves no schedule: {p.error}")
        schedule = schedules.get(p.tenant.pk) or InsightSchedule(tenant=p.tenant)
        if schedule.last_local_date is None or p.day >= schedule.last_local_date:
            schedule.last_local_date = p.day
            schedule.next_run_at = following
        elif schedule.next_run_at is None:  # a past date run by hand, for a new schedule
            schedule.next_run_at = following
        schedule.task_id = ""  # nothing pending any more
        schedules[p.tenant.pk] = schedule
    InsightSchedule.objects.bulk_create(
        [schedules[tenant_id] for tenant_id in sorted({p.tenant.pk for p in written})],
        update_conflicts=True,
        unique_fields=["tenant"],
        update_fields=["next_run_at", "last_local_date", "task_id"],
    )
