"""The portfolio: every business a user belongs to on one page (an accountant's clients, an
adviser's, a group's companies), worst first, kept live.

``rows_for`` reads it in a constant number of queries whatever the number of businesses;
``announce`` tells the members of businesses whose insight was just written, on whichever of
their sockets is open (a socket is joined to one business, so every business of the member
gets the event: it names the business that changed, never its data).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import timedelta
from typing import Any
from uuid import UUID

from django.contrib.auth.models import User
from django.utils import timezone

from coach.models import Recommendation, Status
from coach.vocabulary import Priority
from gateway.models import Membership
from insights.forecast.store import latest_stored
from insights.models import Insight
from notifications.live import send_to_user
from notifications.models import LiveConnection

# Open recommendations older than this are not a business's "top alert" any more.
TOP_ALERT_DAYS = 14


def rows_for(user: User) -> list[dict[str, Any]]:
    """One row per active business of ``user``: score, band, change since the previous insight,
    top open alert, forecast breach; worst score first (businesses without a score last)."""
    memberships = list(
        Membership.objects.filter(user=user, tenant__is_active=True).select_related("tenant")
    )
    ids = [m.tenant_id for m in memberships]
    latest = {
        i.tenant_id: i
        for i in Insight.objects.filter(tenant_id__in=ids)
        .order_by("tenant_id", "-local_date")
        .distinct("tenant_id")
        .only("tenant_id", "local_date", "score", "band", "change", "stage", "generated_at")
    }
    since = timezone.localdate() - timedelta(days=TOP_ALERT_DAYS)
    alerts: dict[UUID, list[Recommendation]] = defaultdict(list)
    open_recs = Recommendation.objects.filter(
        tenant_id__in=ids, status__in=[Status.NEW, Status.SEEN], issued_on__gte=since
    ).only(
        "id",
        "tenant_id",
        "title",
        "enriched_title",
        "priority",
        "score",
        "issued_on",
        "snoozed_until",
    )
    for rec in open_recs:
        alerts[rec.tenant_id].append(rec)
    forecasts = latest_stored(ids)
    rows = []
    for m in memberships:
        tenant = m.tenant
        today = tenant.local_today()
        insight = latest.get(tenant.pk)
        waking = [r for r in alerts[tenant.pk] if not r.snoozed_until or r.snoozed_until <= today]
        top = min(
            waking,
            key=lambda r: (-Priority(r.priority).rank, -r.score, -r.issued_on.toordinal()),
            default=None,
        )
        forecast = forecasts.get(tenant.pk)
        breach = (forecast.buffer_breach or {}).get("p50") if forecast else None
        cash_zero = (forecast.cash_zero or {}).get("p50") if forecast else None
        change = (insight.change or {}).get("delta") if insight else None
        rows.append(
            {
                "tenant_id": tenant.pk,
                "name": tenant.name,
                "role": m.role,
                "currency": tenant.currency,
                "timezone": tenant.timezone,
                "local_date": insight.local_date if insight else None,
                "score": insight.score if insight else None,
                "band": (insight.band or None) if insight else None,
                "stage": (insight.stage or None) if insight else None,
                "change": change,
                "open_recommendations": len(waking),
                "top_alert": None
                if top is None
                else {
                    "id": top.pk,
                    "title": top.display_title,
                    "priority": top.priority,
                    "issued_on": top.issued_on,
                },
                "buffer_breach": breach,
                "cash_zero": cash_zero,
                "runway_days": forecast.runway_days if forecast else None,
            }
        )
    rows.sort(key=lambda r: (r["score"] is None, r["score"] or 0.0, r["name"]))
    return rows


def announce(tenant_ids: Iterable[UUID]) -> None:
    """After an insight of these businesses is committed: a ``portfolio.changed`` event to every
    member of them, on each business they belong to (best effort, like every live event)."""
    changed = {str(t) for t in tenant_ids}
    if not changed:
        return
    members = Membership.objects.filter(
        tenant_id__in=list(changed), tenant__is_active=True
    ).values_list("user_id", "tenant_id")
    per_user: dict[int, set[str]] = defaultdict(set)
    for user_id, tenant_id in members:
        per_user[user_id].add(str(tenant_id))
    if not per_user:
        return
    # Only where those members have a socket open right now (the recorded live connections): an
    # adviser who belongs to thousands of businesses is not sent thousands of events per batch
    # for sockets that do not exist (it was most of a daily batch's time).
    sockets = (
        LiveConnection.objects.filter(user_id__in=list(per_user), tenant__is_active=True)
        .order_by()
        .values_list("user_id", "tenant_id")
        .distinct()
    )
    for user_id, tenant_id in sockets:
        payload = {"type": "portfolio.changed", "tenant_ids": sorted(per_user[user_id])}
        send_to_user(tenant_id, user_id, payload)  # best effort: logs a loss, never raises
