"""Channels out, queued: who gets what by email, Slack and webhooks, and when.

Callers hand plain data in (``queue_digests`` from the daily pipeline; ``queue_for_notifications``
from ``notify``); this module decides the channel, the timing (quiet hours, a weekly digest) and
writes one ``Delivery`` per recipient in the caller's transaction. Unique per recipient and key,
so running the same thing twice queues nothing new. Sending happens after commit
(``notifications.delivery``).
"""

from __future__ import annotations

import dataclasses
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta
from functools import partial
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from gateway.models import Membership, Tenant
from notifications.models import (
    ALL_KINDS,
    DEFAULT_EMAIL_KINDS,
    URGENT_KINDS,
    Channel,
    ChannelPreferences,
    Delivery,
    Destination,
    DigestFrequency,
    Event,
    Inbox,
    LiveConnection,
    Notification,
)

# What a member gets when neither they nor their tenant chose otherwise.
BUILTIN_PREFERENCES: dict[str, Any] = {
    "email_kinds": list(DEFAULT_EMAIL_KINDS),
    "digest": DigestFrequency.DAILY.value,
    "digest_weekday": 0,
    "urgent_in_quiet_hours": False,
}
PREFERENCE_FIELDS = tuple(BUILTIN_PREFERENCES)
# Email kinds a member may turn off in one click: the morning email, and each inbox kind.
DIGEST = "digest"
EMAIL_KINDS = (DIGEST, *ALL_KINDS)


# --- preferences ----------------------------------------------------------------------------


def resolve(member: dict[str, Any] | None, tenant: dict[str, Any] | None) -> dict[str, Any]:
    """Effective preferences: the member's value, else the tenant's default, else built-in."""
    result = {}
    for name, builtin in BUILTIN_PREFERENCES.items():
        value = (member or {}).get(name)
        if value is None:
            value = (tenant or {}).get(name)
        result[name] = builtin if value is None else value
    return result


def _rows(
    tenant_ids: Iterable[UUID], user_ids: Iterable[int] | None
) -> dict[tuple[UUID, int | None], dict]:
    query = ChannelPreferences.objects.filter(tenant_id__in=set(tenant_ids))
    if user_ids is not None:
        query = query.filter(Q(user_id__in=set(user_ids)) | Q(user__isnull=True))
    return {
        (row["tenant_id"], row["user_id"]): row
        for row in query.values("tenant_id", "user_id", *PREFERENCE_FIELDS)
    }


def effective_many(
    pairs: Iterable[tuple[UUID, int]],
) -> dict[tuple[UUID, int], dict[str, Any]]:
    """Effective preferences of many (tenant, user) pairs in one query."""
    pairs = list(pairs)
    rows = _rows({t for t, _ in pairs}, {u for _, u in pairs})
    return {(t, u): resolve(rows.get((t, u)), rows.get((t, None))) for t, u in pairs}


def effective(tenant: Tenant, user_id: int) -> dict[str, Any]:
    return effective_many([(tenant.pk, user_id)])[(tenant.pk, user_id)]


def _whose(user_id: int | None) -> Q:
    """A member's row, or (None) the tenant's defaults."""
    return Q(user__isnull=True) if user_id is None else Q(user_id=user_id)


def stored(tenant: Tenant, user_id: int | None) -> dict[str, Any]:
    """The member's own choices (or, with no user, the tenant's defaults); None inherits."""
    row = (
        ChannelPreferences.objects.filter(_whose(user_id), tenant=tenant)
        .values(*PREFERENCE_FIELDS)
        .first()
    )
    return row or dict.fromkeys(PREFERENCE_FIELDS)


@transaction.atomic
def update(tenant: Tenant, user_id: int | None, **changes: Any) -> dict[str, Any]:
    """Set some of a member's choices (or the tenant's defaults); None means inherit again."""
    unknown = set(changes) - set(PREFERENCE_FIELDS)
    if unknown:
        raise ValueError(f"unknown preference(s): {', '.join(sorted(unknown))}")
    row = (
        ChannelPreferences.objects.select_for_update()
        .filter(_whose(user_id), tenant=tenant)
        .first()
    )
    if row is None:
        row = ChannelPreferences(tenant=tenant, user_id=user_id)
    for name, value in changes.items():
        setattr(row, name, value)
    row.save()
    return stored(tenant, user_id)


def unsubscribe(tenant: Tenant, user_id: int, kind: str) -> None:
    """Turn one email kind off for a member: the morning email, or one kind of alert."""
    if kind == DIGEST:
        update(tenant, user_id, digest=DigestFrequency.OFF.value)
        return
    if kind not in ALL_KINDS:
        raise ValueError(f"kind: {kind!r} is not an email kind")
    with transaction.atomic():
        current = effective(tenant, user_id)["email_kinds"]
        update(tenant, user_id, email_kinds=[k for k in current if k != kind])


def wants_email(prefs: dict[str, Any], event: str, kind: str | None) -> bool:
    """Whether the effective preferences still ask for this email (checked again at send)."""
    if event == Event.DIGEST:
        return prefs["digest"] != DigestFrequency.OFF
    return kind in prefs["email_kinds"]


def digest_due(prefs: dict[str, Any], day: date) -> bool:
    """A daily digest goes every day; a weekly one on the member's weekday."""
    if prefs["digest"] == DigestFrequency.DAILY:
        return True
    return prefs["digest"] == DigestFrequency.WEEKLY and day.weekday() == prefs["digest_weekday"]


# --- timing ---------------------------------------------------------------------------------


def quiet_until(now: datetime, zone: str, start: time | None, end: time | None) -> datetime | None:
    """When the quiet hours around ``now`` end (an instant), or None when not in them."""
    from notifications.services import in_quiet_hours  # services imports this module

    tz = ZoneInfo(zone)
    local = now.astimezone(tz)
    if end is None or not in_quiet_hours(start, end, local.time()):
        return None
    ends = datetime.combine(local.date(), end, tzinfo=tz)
    if ends <= local:
        ends = datetime.combine(local.date() + timedelta(days=1), end, tzinfo=tz)
    return ends.astimezone(ZoneInfo("UTC"))


def _quiet_hours(pairs: Iterable[tuple[UUID, int]]) -> dict[tuple[UUID, int], tuple[Any, Any]]:
    pairs = set(pairs)
    rows = Inbox.objects.filter(
        tenant_id__in={t for t, _ in pairs}, user_id__in={u for _, u in pairs}
    ).values_list("tenant_id", "user_id", "quiet_start", "quiet_end")
    return {(t, u): (s, e) for t, u, s, e in rows if (t, u) in pairs}


def _emails(user_ids: Iterable[int]) -> dict[int, str]:
    from django.contrib.auth import get_user_model

    rows = get_user_model().objects.filter(pk__in=set(user_ids), is_active=True).exclude(email="")
    return dict(rows.values_list("pk", "email"))


def _destinations(tenant_ids: Iterable[UUID], event: str) -> dict[UUID, list[Destination]]:
    found: dict[UUID, list[Destination]] = defaultdict(list)
    for dest in Destination.objects.filter(tenant_id__in=set(tenant_ids), enabled=True):
        if event in dest.events:
            found[dest.tenant_id].append(dest)
    return found


def event_id(key: str) -> str:
    """The id a webhook event carries: the same for every destination and every retry."""
    return "evt_" + uuid.uuid5(uuid.NAMESPACE_URL, f"coach:{key}").hex


def _tenant_data(tenant: Tenant) -> dict[str, Any]:
    return {"id": str(tenant.pk), "name": tenant.name, "currency": tenant.currency}


def _webhook_rows(
    tenant: Tenant, dests: Sequence[Destination], event: str, key: str, data: dict, now: datetime
) -> list[Delivery]:
    payload = {
        "id": event_id(key),
        "created_at": now.isoformat(),
        "tenant": _tenant_data(tenant),
        "data": data,
    }
    return [
        Delivery(
            tenant=tenant,
            channel=dest.kind,
            event=event,
            key=key,
            destination=dest,
            payload=payload,
            next_attempt_at=now,
        )
        for dest in dests
    ]


def _store(rows: list[Delivery]) -> None:
    """Insert the rows that are new (a re-run's are skipped) and send the due ones after commit."""
    if not rows:
        return
    Delivery.objects.bulk_create(rows, ignore_conflicts=True)
    from notifications.delivery import send_after_commit

    keys = sorted({row.key for row in rows})
    transaction.on_commit(partial(send_after_commit, keys), robust=True)


# --- the morning email ------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Digest:
    """What the daily pipeline hands over for one tenant's insight: plain data only.

    ``cards``: the top recommendations, each ``{"id", "title", "body", "priority",
    "figures": [{"label", "value"}]}`` with values already written in the tenant's currency.
    """

    tenant: Tenant
    local_date: date
    insight_id: int
    score: float | None
    change: float | None
    band: str
    cards: list[dict[str, Any]]
    forecast_breach_date: date | None = None

    def as_data(self) -> dict[str, Any]:
        return {
            "insight_id": self.insight_id,
            "local_date": self.local_date.isoformat(),
            "score": self.score,
            "change": self.change,
            "band": self.band,
            "cards": self.cards,
            "forecast_breach_date": (
                self.forecast_breach_date.isoformat() if self.forecast_breach_date else None
            ),
        }


def queue_digests(digests: Sequence[Digest], *, now: datetime | None = None) -> None:
    """The morning email for each member who wants it today, and ``insight.created`` events.

    Called in the transaction that writes the insights; a constant number of queries for any
    number of tenants. One email per member, tenant and local day (a regenerated insight sends
    none): the key is the local date, not the insight.
    """
    if not digests:
        return
    now = now or timezone.now()
    tenant_ids = {d.tenant.pk for d in digests}
    members: dict[UUID, list[int]] = defaultdict(list)
    for tenant_id, user_id in Membership.objects.filter(tenant_id__in=tenant_ids).values_list(
        "tenant_id", "user_id"
    ):
        members[tenant_id].append(user_id)
    pairs = [(t, u) for t, users in members.items() for u in users]
    prefs = effective_many(pairs)
    quiet = _quiet_hours(pairs)
    emails = _emails(u for _, u in pairs)
    hooks = _destinations(tenant_ids, Event.INSIGHT)
    rows: list[Delivery] = []
    for d in digests:
        data = d.as_data()
        key = f"digest:{d.tenant.pk}:{d.local_date.isoformat()}"
        for user_id in members[d.tenant.pk]:
            mine = prefs[(d.tenant.pk, user_id)]
            if user_id not in emails or not digest_due(mine, d.local_date):
                continue
            start, end = quiet.get((d.tenant.pk, user_id), (None, None))
            rows.append(
                Delivery(
                    tenant=d.tenant,
                    channel=Channel.EMAIL,
                    event=Event.DIGEST,
                    key=key,
                    user_id=user_id,
                    payload={"kind": DIGEST, "tenant": _tenant_data(d.tenant), **data},
                    next_attempt_at=quiet_until(now, d.tenant.timezone, start, end) or now,
                )
            )
        rows += _webhook_rows(
            d.tenant,
            hooks.get(d.tenant.pk, []),
            Event.INSIGHT,
            f"insight:{d.tenant.pk}:{d.local_date}",
            data,
            now,
        )
    _store(rows)


# --- alerts (from notify) ---------------------------------------------------------------------


def queue_for_notifications(
    created: Sequence[Notification],
    events: dict[int, tuple[str, str]],
    *,
    now: datetime | None = None,
) -> None:
    """Alert emails for members not connected now, and webhook events, for new inbox rows.

    ``events``: for the first row of each message that is a webhook event, (event, key).
    At most one email per notification (its id is the key), respecting quiet hours: an urgent
    kind waits for their end unless the member chose to get urgent alerts in them.
    """
    if not created:
        return
    now = now or timezone.now()
    pairs = {(n.tenant_id, n.user_id) for n in created}
    prefs = effective_many(pairs)
    wanted = [n for n in created if n.kind in prefs[(n.tenant_id, n.user_id)]["email_kinds"]]
    rows: list[Delivery] = []
    if wanted:
        connected = set(
            LiveConnection.objects.filter(
                tenant_id__in={n.tenant_id for n in wanted}, user_id__in={n.user_id for n in wanted}
            ).values_list("tenant_id", "user_id")
        )
        wanted = [n for n in wanted if (n.tenant_id, n.user_id) not in connected]
        emails = _emails(n.user_id for n in wanted)
        quiet = _quiet_hours((n.tenant_id, n.user_id) for n in wanted)
        for n in wanted:
            if n.user_id not in emails:
                continue
            mine = prefs[(n.tenant_id, n.user_id)]
            start, end = quiet.get((n.tenant_id, n.user_id), (None, None))
            hold = quiet_until(now, n.tenant.timezone, start, end)
            if hold is not None and n.kind in URGENT_KINDS and mine["urgent_in_quiet_hours"]:
                hold = None
            rows.append(
                Delivery(
                    tenant_id=n.tenant_id,
                    channel=Channel.EMAIL,
                    event=Event.ALERT,
                    key=f"notification:{n.pk}",
                    user_id=n.user_id,
                    payload={
                        "kind": n.kind,
                        "tenant": _tenant_data(n.tenant),
                        **_notification_data(n),
                    },
                    next_attempt_at=hold or now,
                )
            )
    by_event: dict[str, list[tuple[Notification, str]]] = defaultdict(list)
    for n in created:
        if n.pk in events:
            event, key = events[n.pk]
            by_event[event].append((n, key))
    for event, notes in by_event.items():
        hooks = _destinations({n.tenant_id for n, _ in notes}, event)
        for n, key in notes:
            data = _notification_data(n)
            data.pop("notification_id")  # one member's row; the event is the tenant's
            rows += _webhook_rows(n.tenant, hooks.get(n.tenant_id, []), event, key, data, now)
    _store(rows)


def _notification_data(n: Notification) -> dict[str, Any]:
    return {
        "notification_id": n.pk,
        "kind": n.kind,
        "title": n.title,
        "body": n.body,
        "data": n.data,
        "created_at": n.created_at.isoformat() if n.created_at else None,
    }


def console_link(tenant_id: UUID | str) -> str:
    return f"{settings.COACH_PUBLIC_URL.rstrip('/')}/#tenant={tenant_id}"
