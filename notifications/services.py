"""State changes of the inbox: notify, read, unread, read all, clear, preferences, connections.

Writers of one user's notifications take that user's ``Inbox`` row lock first, always in
``user_id`` order, so ids commit in order per user and writers never deadlock each other.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime, time, timedelta
from functools import cache, partial
from typing import Any, NamedTuple
from uuid import UUID
from zoneinfo import ZoneInfo

from django.contrib.auth.models import AbstractBaseUser, User
from django.db import connection, transaction
from django.db.models import F, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from gateway.models import Membership, Tenant, hash_token
from gateway.tenancy import tenant_members
from notifications import channels, live
from notifications.conf import INBOX_CAP
from notifications.models import (
    ALL_KINDS,
    URGENT_KINDS,
    WEBHOOK_EVENTS,
    Event,
    Inbox,
    Kind,
    LiveConnection,
    Notification,
    SentOnce,
)

logger = logging.getLogger(__name__)

TITLE_MAX = 200
KEY_MAX = 200
# The fields of a notification as the API and the WebSocket show it, in this order.
FIELDS = ("id", "kind", "title", "body", "data", "created_at", "read_at")


class NotifyError(ValueError):
    """``notify`` was called with something it cannot deliver; the message names the argument."""


# --- pure helpers ---------------------------------------------------------------------------


def iso(value: datetime | None) -> str | None:
    """Datetimes as the API shows them (UTC, ``Z``), the same in JSON bodies and WS messages."""
    if value is None:
        return None
    return value.astimezone(ZoneInfo("UTC")).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def in_quiet_hours(start: time | None, end: time | None, local: time) -> bool:
    """Whether a local wall-clock time falls in [start, end); a window may wrap past midnight."""
    if start is None or end is None or start == end:
        return False
    if start < end:
        return start <= local < end
    return local >= start or local < end


def pushes_live(
    kind: str, live_kinds: Iterable[str], start: time | None, end: time | None, local: time
) -> bool:
    """A kind is pushed when the user wants it live, and in quiet hours only when urgent."""
    if kind not in live_kinds:
        return False
    return kind in URGENT_KINDS or not in_quiet_hours(start, end, local)


def as_payload(row: tuple[Any, ...]) -> dict[str, Any]:
    """One notification (a ``FIELDS`` tuple) as plain JSON-ready data."""
    item = dict(zip(FIELDS, row, strict=True))
    item["created_at"] = iso(item["created_at"])
    item["read_at"] = iso(item["read_at"])
    return item


def _payload_of(n: Notification) -> dict[str, Any]:
    return as_payload(tuple(getattr(n, name) for name in FIELDS))


# --- notify -----------------------------------------------------------------------------------


def _recipients(
    tenant: Tenant, users: Iterable[Any] | None, roles: Iterable[str] | None
) -> list[int]:
    members = Membership.objects.filter(tenant=tenant)
    if roles is not None:
        members = members.filter(role__in=list(roles))
    if users is None:
        return sorted(members.values_list("user_id", flat=True))
    wanted = {getattr(user, "pk", user) for user in users}
    found = set(members.filter(user_id__in=wanted).values_list("user_id", flat=True))
    if roles is None and wanted - found:
        missing = ", ".join(str(pk) for pk in sorted(wanted - found))
        raise NotifyError(f"users: {missing} not members of tenant {tenant.pk}")
    return sorted(found)


@dataclasses.dataclass(frozen=True)
class Message:
    """One notification to send to (some of) a tenant's members."""

    tenant: Tenant
    kind: str
    title: str
    body: str = ""
    data: dict[str, Any] | None = None
    # The webhook event it is (``plan.due``, say); a coach alert is ``alert.created`` anyway.
    event: str = ""
    # An idempotency key: a message whose key was sent before in its tenant is skipped.
    key: str = ""

    @property
    def webhook_event(self) -> str:
        return self.event or (Event.ALERT.value if self.kind == Kind.COACH_ALERT else "")

    def validate(self) -> None:
        if self.kind not in ALL_KINDS:
            raise NotifyError(f"kind: {self.kind!r} is not one of {', '.join(ALL_KINDS)}")
        if not self.title or len(self.title) > TITLE_MAX:
            raise NotifyError(f"title: must be 1 to {TITLE_MAX} characters")
        if self.data is not None and not isinstance(self.data, dict):
            raise NotifyError("data: must be a JSON object (dict)")
        if self.event and self.event not in WEBHOOK_EVENTS:
            raise NotifyError(f"event: {self.event!r} is not one of {', '.join(WEBHOOK_EVENTS)}")
        if len(self.key) > KEY_MAX:
            raise NotifyError(f"key: at most {KEY_MAX} characters")


def notify(
    tenant: Tenant,
    *,
    kind: str,
    title: str,
    body: str = "",
    data: dict[str, Any] | None = None,
    users: Iterable[Any] | None = None,
    roles: Iterable[str] | None = None,
    event: str = "",
    key: str = "",
) -> list[Notification]:
    """Put a notification in the inbox of each chosen member, and push it after commit.

    Recipients: ``users`` (who must be members), else the members with ``roles``, else every
    member; both given means the given users that have one of the roles. Rows are written in
    the caller's transaction; the push happens from one ``on_commit``, so a rolled-back
    notification is never pushed. Cost per call: a handful of queries whatever the number of
    recipients.
    """
    message = Message(tenant, kind, title, body, data, event=event, key=key)
    message.validate()
    recipients = _recipients(tenant, users, roles)
    if not recipients:
        return []
    return _deliver([(message, recipients)])


def notify_members(messages: Sequence[Message]) -> list[Notification]:
    """``notify`` for many tenants at once, each message to every member of its tenant.

    The same guarantees as ``notify`` (written in the caller's transaction, pushed after
    commit), in a constant number of queries however many tenants and messages: the daily
    batch alerts hundreds of tenants with it.
    """
    for message in messages:
        message.validate()
    members: dict[UUID, list[int]] = defaultdict(list)
    rows = Membership.objects.filter(tenant_id__in={m.tenant.pk for m in messages})
    for tenant_id, user_id in rows.order_by("user_id").values_list("tenant_id", "user_id"):
        members[tenant_id].append(user_id)
    batch = [(m, members[m.tenant.pk]) for m in messages if members[m.tenant.pk]]
    return _deliver(batch) if batch else []


def _deliver(batch: Sequence[tuple[Message, Sequence[int]]]) -> list[Notification]:
    """Write each message into its recipients' inboxes and push the live ones after commit.

    Inbox rows are locked in (user, tenant) order, the order every writer uses, so concurrent
    writers never deadlock and each user's ids commit in order.
    """
    now = timezone.now()
    with transaction.atomic():
        batch = _first_time(batch)
        if not batch:
            return []
        return _write(batch, now)


def _first_time(
    batch: Sequence[tuple[Message, Sequence[int]]],
) -> Sequence[tuple[Message, Sequence[int]]]:
    """The messages without a key, and those whose key this tenant has not had before."""
    keyed = [m for m, _ in batch if m.key]
    if not keyed:
        return batch
    table = SentOnce._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""INSERT INTO {table} (tenant_id, key, created_at)
                SELECT * FROM unnest(%s::uuid[], %s::text[], %s::timestamptz[])
                ON CONFLICT DO NOTHING RETURNING tenant_id, key""",  # noqa: S608 - our table
            [[m.tenant.pk for m in keyed], [m.key for m in keyed], [timezone.now()] * len(keyed)],
        )
        new = set(cursor.fetchall())
    return [(m, r) for m, r in batch if not m.key or (m.tenant.pk, m.key) in new]


def _write(batch: Sequence[tuple[Message, Sequence[int]]], now: datetime) -> list[Notification]:
    pairs = {(m.tenant.pk, user_id) for m, recipients in batch for user_id in recipients}
    Inbox.objects.bulk_create(
        [Inbox(tenant_id=t, user_id=u) for t, u in sorted(pairs, key=lambda p: (p[1], str(p[0])))],
        ignore_conflicts=True,
    )
    locked = (
        Inbox.objects.select_for_update()
        .filter(tenant_id__in={t for t, _ in pairs}, user_id__in={u for _, u in pairs})
        .order_by("user_id", "tenant_id")
    )
    inboxes = {(i.tenant_id, i.user_id): i for i in locked if (i.tenant_id, i.user_id) in pairs}
    rows = []
    for message, recipients in batch:
        local = now.astimezone(ZoneInfo(message.tenant.timezone)).time()
        for user_id in recipients:
            inbox = inboxes[(message.tenant.pk, user_id)]
            seq = None
            if pushes_live(
                message.kind, inbox.live_kinds, inbox.quiet_start, inbox.quiet_end, local
            ):
                inbox.live_seq += 1
                seq = inbox.live_seq
            inbox.version += 1
            inbox.stored += 1
            inbox.updated_at = now
            rows.append(
                Notification(
                    tenant=message.tenant,
                    user_id=user_id,
                    kind=message.kind,
                    title=message.title,
                    body=message.body,
                    data=message.data or {},
                    seq=seq,
                )
            )
    created = Notification.objects.bulk_create(rows)
    events: dict[int, tuple[str, str]] = {}
    first = 0
    for message, recipients in batch:
        if message.webhook_event and recipients:
            pk = created[first].pk
            events[pk] = (message.webhook_event, message.key or f"{message.webhook_event}:{pk}")
        first += len(recipients)
    channels.queue_for_notifications(created, events, now=now)
    touched = list(inboxes.values())
    _prune(touched)
    Inbox.objects.bulk_update(touched, ["version", "live_seq", "stored", "updated_at"])
    pushes = [
        live.InboxPush(n.tenant_id, n.user_id, n.seq, _payload_of(n))
        for n in created
        if n.seq is not None
    ]
    if pushes:
        transaction.on_commit(partial(live.push_notifications, pushes), robust=True)
    return created


def _prune(inboxes: list[Inbox]) -> None:
    """Keep the newest ``INBOX_CAP`` per user and tenant: one statement, touching only the
    excess rows."""
    over = [(i.tenant_id, i.user_id, i.stored - INBOX_CAP) for i in inboxes if i.stored > INBOX_CAP]
    if not over:
        return
    table = Notification._meta.db_table
    sql = f"""
        DELETE FROM {table} n USING (
            SELECT x.id FROM unnest(%s::uuid[], %s::bigint[], %s::int[])
                AS u(tenant_id, user_id, excess)
            CROSS JOIN LATERAL (
                SELECT id FROM {table}
                WHERE tenant_id = u.tenant_id AND user_id = u.user_id ORDER BY id LIMIT u.excess
            ) x
        ) old WHERE n.id = old.id RETURNING n.tenant_id, n.user_id
    """  # noqa: S608 - the table name is ours; values are parameters
    with connection.cursor() as cursor:
        cursor.execute(
            sql, [[t for t, _, _ in over], [u for _, u, _ in over], [e for _, _, e in over]]
        )
        deleted: dict[tuple[UUID, int], int] = defaultdict(int)
        for tenant_id, user_id in cursor.fetchall():
            deleted[(tenant_id, user_id)] += 1
    for inbox in inboxes:
        inbox.stored -= deleted.get((inbox.tenant_id, inbox.user_id), 0)


# --- the inbox as its owner sees it ---------------------------------------------------------


def inbox_version(tenant_id: UUID, user_id: int) -> int:
    """The inbox's change counter: equal versions mean an identical inbox (the ETag)."""
    version = (
        Inbox.objects.filter(tenant_id=tenant_id, user_id=user_id)
        .values_list("version", flat=True)
        .first()
    )
    return version or 0


# Postgres renders the page as JSON text in one statement: no model instances, no serializer,
# no per-row Python. Timestamps in the same format as ``iso``.
_TS = """to_char({0} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')"""
_PAGE_SQL = f"""
    SELECT json_build_object(
        'count', count(*),
        'unread', count(*) FILTER (WHERE read_at IS NULL),
        'results', coalesce((
            SELECT json_agg(json_build_object(
                'id', p.id, 'kind', p.kind, 'title', p.title, 'body', p.body, 'data', p.data,
                'created_at', {_TS.format("p.created_at")}, 'read_at', {_TS.format("p.read_at")}
            ) ORDER BY p.id DESC)
            FROM (
                SELECT * FROM {{table}}
                WHERE tenant_id = %(tenant)s AND user_id = %(user)s
                  AND (NOT %(unread)s OR read_at IS NULL) AND id < %(before)s
                ORDER BY id DESC LIMIT %(limit)s
            ) p
        ), '[]'::json)
    )::text
    FROM {{table}} WHERE tenant_id = %(tenant)s AND user_id = %(user)s
"""  # noqa: S608 - table names are ours; values are parameters


def inbox_page_json(
    tenant_id: UUID, user_id: int, *, unread_only: bool, limit: int, before: int | None
) -> str:
    """The newest notifications, newest first, with total and unread counts, as JSON text."""
    sql = _PAGE_SQL.format(table=Notification._meta.db_table)
    params: dict[str, Any] = {
        "tenant": tenant_id,
        "user": user_id,
        "unread": unread_only,
        "before": before if before is not None else 2**63 - 1,
        "limit": limit,
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return str(cursor.fetchone()[0])


def inbox_page(
    tenant_id: UUID, user_id: int, *, unread_only: bool, limit: int, before: int | None
) -> dict[str, Any]:
    """``inbox_page_json`` decoded, for callers that want Python data."""
    text = inbox_page_json(tenant_id, user_id, unread_only=unread_only, limit=limit, before=before)
    return json.loads(text)


def _inbox_version_query(
    tenant_id: UUID | str, *, user_id: int | None = None, token_digest: str | None = None
) -> QuerySet[Membership, tuple[int, int]]:
    """(user id, inbox version) rows of the callers ``tenant_members`` lets into the tenant."""
    version = Inbox.objects.filter(
        tenant_id=OuterRef("tenant_id"), user_id=OuterRef("user_id")
    ).values("version")[:1]
    return (
        tenant_members(tenant_id, user_id=user_id, token_digest=token_digest)
        .annotate(inbox_version=Coalesce(Subquery(version), 0))
        .order_by()
        .values_list("user_id", "inbox_version")[:1]
    )


# Stand-ins the fast path's query is compiled with, replaced by the caller's values per request.
_MARKS: dict[str, object] = {"tenant": UUID(int=0), "digest": "\x00digest", "user": -1}


@cache
def _compiled_version_query(by_token: bool) -> tuple[str, list[tuple[str | None, Any]]] | None:
    """The fast path's SQL compiled once per process, and what goes in each parameter.

    Compiling the ORM query costs more than running it (about 1 ms against 0.2 ms here), so it
    is compiled once with stand-ins. A parameter is a stand-in's name ("tenant", "digest",
    "user") or a constant of the rule, kept as compiled. None when the rule has a parameter
    that could change between requests (a time, say): then each call compiles it afresh.
    """
    caller = {"token_digest": _MARKS["digest"]} if by_token else {"user_id": _MARKS["user"]}
    query = _inbox_version_query(_MARKS["tenant"], **caller)  # type: ignore[arg-type]
    sql, params = query.query.sql_with_params()
    slots: list[tuple[str | None, Any]] = []
    for param in params:
        name = next((name for name, mark in _MARKS.items() if param == mark), None)
        if name is None and not isinstance(param, int | str):
            return None
        slots.append((name, param))
    return sql, slots


def inbox_version_for_caller(
    tenant_id: UUID | str, *, token_key: str | None = None, user_id: int | None = None
) -> tuple[int, int] | None:
    """(user id, inbox version) if this caller may read the tenant's inbox, else None.

    For the conditional GET's fast path, in one query. Who may read is ``tenant_members``, the
    rule the ordinary path applies through ``membership_for``: one definition, so the fast path
    cannot answer 304 to a caller the ordinary path refuses. Name the caller by a token key
    (the token must be usable) or by a user id already authenticated (a session).
    """
    if (token_key is None) == (user_id is None):
        raise ValueError("name the caller by exactly one of token_key and user_id")
    digest = hash_token(token_key) if token_key is not None else None
    compiled = _compiled_version_query(by_token=digest is not None)
    if compiled is None:
        query = _inbox_version_query(tenant_id, user_id=user_id, token_digest=digest)
        row = next(iter(query), None)
    else:
        sql, slots = compiled
        values = {"tenant": UUID(str(tenant_id)), "digest": digest, "user": user_id}
        with connection.cursor() as cursor:
            cursor.execute(sql, [values[name] if name else value for name, value in slots])
            row = cursor.fetchone()
    return (int(row[0]), int(row[1])) if row else None


def _locked_inbox(tenant: Tenant, user: User) -> Inbox | None:
    """The user's inbox row, locked: every writer takes it first (see the module docstring)."""
    return Inbox.objects.select_for_update().filter(tenant=tenant, user=user).first()


def _bump(inbox: Inbox, **changes: Any) -> None:
    Inbox.objects.filter(pk=inbox.pk).update(
        version=F("version") + 1, updated_at=timezone.now(), **changes
    )


def _set_read(
    tenant: Tenant, user: User, notification_id: int, read_at: datetime | None
) -> dict[str, Any]:
    with transaction.atomic():
        inbox = _locked_inbox(tenant, user)
        mine = Notification.objects.filter(tenant=tenant, user=user, pk=notification_id)
        if inbox is None or not mine.exists():
            raise Http404("No such notification.")
        changed = mine.filter(read_at__isnull=read_at is not None).update(read_at=read_at)
        if changed:
            _bump(inbox)
        return as_payload(mine.values_list(*FIELDS).get())


def mark_read(tenant: Tenant, user: User, notification_id: int) -> dict[str, Any]:
    """Mark one of the caller's notifications read (404 for anyone else's)."""
    return _set_read(tenant, user, notification_id, timezone.now())


def mark_unread(tenant: Tenant, user: User, notification_id: int) -> dict[str, Any]:
    """Mark one of the caller's notifications unread again."""
    return _set_read(tenant, user, notification_id, None)


@transaction.atomic
def mark_all_read(tenant: Tenant, user: User) -> int:
    """Mark all the caller's unread notifications read; how many changed."""
    inbox = _locked_inbox(tenant, user)
    if inbox is None:
        return 0
    changed = Notification.objects.filter(tenant=tenant, user=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    if changed:
        _bump(inbox)
    return changed


@transaction.atomic
def clear_all(tenant: Tenant, user: User) -> int:
    """Delete all the caller's notifications; how many there were. The live sequence goes on."""
    inbox = _locked_inbox(tenant, user)
    if inbox is None:
        return 0
    deleted, _ = Notification.objects.filter(tenant=tenant, user=user).delete()
    if deleted:
        _bump(inbox, stored=0)
    return deleted


def preferences(tenant: Tenant, user: User) -> Inbox:
    """The caller's inbox row (created on first use), which holds their preferences."""
    inbox, _ = Inbox.objects.get_or_create(tenant=tenant, user=user)
    return inbox


@transaction.atomic
def update_preferences(tenant: Tenant, user: User, **changes: Any) -> Inbox:
    """Change which kinds are pushed live and the quiet hours (both ends or neither)."""
    Inbox.objects.get_or_create(tenant=tenant, user=user)
    inbox = Inbox.objects.select_for_update().get(tenant=tenant, user=user)
    for name in ("live_kinds", "quiet_start", "quiet_end"):
        if name in changes:
            setattr(inbox, name, changes[name])
    inbox.save(update_fields=["live_kinds", "quiet_start", "quiet_end", "updated_at"])
    return inbox


# --- live connections (called by the consumer through database_sync_to_async) ---------------


@dataclasses.dataclass(frozen=True)
class Opened:
    connection_id: int
    live_seq: int


def open_connection(
    user: AbstractBaseUser, tenant_id: UUID, server: str, channel_name: str
) -> Opened | None:
    """Record a WebSocket of a member; None when the user is not a member of an active tenant.

    The live sequence is read after the caller joined the user's group, so every notification
    after it is pushed to this connection, and every one up to it is in the inbox already.
    One statement (membership check, insert, sequence read): a reconnect storm runs thousands
    of these through one database thread per web process.
    """
    sql = f"""
        WITH member AS (
            SELECT 1 FROM {Membership._meta.db_table} m
            JOIN {Tenant._meta.db_table} t ON t.id = m.tenant_id
            WHERE m.user_id = %(user)s AND m.tenant_id = %(tenant)s AND t.is_active
        ), opened AS (
            INSERT INTO {LiveConnection._meta.db_table}
                (tenant_id, user_id, server, channel_name, connected_at, last_seen)
            SELECT %(tenant)s, %(user)s, %(server)s, %(channel)s, %(now)s, %(now)s FROM member
            RETURNING id
        )
        SELECT opened.id, COALESCE(
            (SELECT live_seq FROM {Inbox._meta.db_table}
             WHERE tenant_id = %(tenant)s AND user_id = %(user)s), 0)
        FROM opened
    """  # noqa: S608 - table names are ours; values are parameters
    params = {
        "user": user.pk,
        "tenant": tenant_id,
        "server": server,
        "channel": channel_name,
        "now": timezone.now(),
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return Opened(row[0], row[1]) if row else None


def close_connection(connection_id: int) -> None:
    LiveConnection.objects.filter(pk=connection_id).delete()


class OpenRequest(NamedTuple):
    user_id: int
    tenant_id: UUID
    server: str
    channel_name: str


def open_connections(requests: Sequence[OpenRequest]) -> list[Opened | None]:
    """``open_connection`` for many sockets in one statement and one commit (a connect batch).

    One result per request, in order: None where the user is not a member of an active tenant.
    Each caller joined its group before asking, so the sequences read here (at the statement's
    start) are at or after each one's join, as ``open_connection`` requires.
    """
    if not requests:
        return []
    sql = f"""
        WITH req AS (
            SELECT * FROM unnest(%(users)s::bigint[], %(tenants)s::uuid[], %(servers)s::text[],
                                 %(channels)s::text[]) AS r(user_id, tenant_id, server, channel)
        ), member AS (
            SELECT req.* FROM req
            JOIN {Membership._meta.db_table} m
                ON m.user_id = req.user_id AND m.tenant_id = req.tenant_id
            JOIN {Tenant._meta.db_table} t ON t.id = req.tenant_id AND t.is_active
        ), opened AS (
            INSERT INTO {LiveConnection._meta.db_table}
                (tenant_id, user_id, server, channel_name, connected_at, last_seen)
            SELECT tenant_id, user_id, server, channel, %(now)s, %(now)s FROM member
            RETURNING id, channel_name
        )
        SELECT opened.channel_name, opened.id, COALESCE(i.live_seq, 0)
        FROM opened JOIN member ON member.channel = opened.channel_name
        LEFT JOIN {Inbox._meta.db_table} i
            ON i.tenant_id = member.tenant_id AND i.user_id = member.user_id
    """  # noqa: S608 - table names are ours; values are parameters
    params: dict[str, Any] = {
        "users": [r.user_id for r in requests],
        "tenants": [r.tenant_id for r in requests],
        "servers": [r.server for r in requests],
        "channels": [r.channel_name for r in requests],
        "now": timezone.now(),
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        opened = {channel: Opened(pk, seq) for channel, pk, seq in cursor.fetchall()}
    return [opened.get(r.channel_name) for r in requests]


def close_connections(connection_ids: Sequence[int]) -> list[None]:
    """``close_connection`` for many sockets in one statement."""
    LiveConnection.objects.filter(pk__in=connection_ids).delete()
    return [None] * len(connection_ids)


class ReplayRequest(NamedTuple):
    tenant_id: UUID
    user_id: int
    after_id: int


def replay_after_many(
    requests: Sequence[ReplayRequest],
) -> list[list[tuple[int, dict[str, Any]]]]:
    """``replay_after`` for many sockets in one statement (resumes right after a connect storm)."""
    if not requests:
        return []
    columns = ", ".join(f"n.{name}" for name in FIELDS)
    sql = f"""
        SELECT r.idx, n.seq, {columns}
        FROM unnest(%(idx)s::int[], %(tenants)s::uuid[], %(users)s::bigint[],
                    %(after)s::bigint[]) AS r(idx, tenant_id, user_id, after_id)
        CROSS JOIN LATERAL (
            SELECT * FROM {Notification._meta.db_table} x
            WHERE x.tenant_id = r.tenant_id AND x.user_id = r.user_id AND x.id > r.after_id
              AND x.seq IS NOT NULL
            ORDER BY x.id LIMIT {int(INBOX_CAP)}
        ) n
        ORDER BY r.idx, n.id
    """  # noqa: S608 - table names and fields are ours; values are parameters
    params: dict[str, Any] = {
        "idx": list(range(len(requests))),
        "tenants": [r.tenant_id for r in requests],
        "users": [r.user_id for r in requests],
        "after": [min(r.after_id, 2**63 - 1) for r in requests],
    }
    out: list[list[tuple[int, dict[str, Any]]]] = [[] for _ in requests]
    data_at = FIELDS.index("data")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for idx, seq, *fields in cursor.fetchall():
            if isinstance(fields[data_at], str):  # jsonb arrives as text through Django's cursor
                fields[data_at] = json.loads(fields[data_at])
            out[idx].append((seq, as_payload(tuple(fields))))
    return out


def replay_after(tenant_id: UUID, user_id: int, after_id: int) -> list[tuple[int, dict[str, Any]]]:
    """What a client that saw ``after_id`` missed: the live notifications after it, in order."""
    rows = (
        Notification.objects.filter(
            tenant_id=tenant_id, user_id=user_id, id__gt=after_id, seq__isnull=False
        )
        .order_by("id")
        .values_list("seq", *FIELDS)[:INBOX_CAP]
    )
    return [(row[0], as_payload(row[1:])) for row in rows]


def live_between(
    tenant_id: UUID, user_id: int, after_seq: int, before_seq: int
) -> list[tuple[int, dict[str, Any]]]:
    """The live notifications a connection lost between two sequence numbers (a gap)."""
    rows = (
        Notification.objects.filter(
            tenant_id=tenant_id, user_id=user_id, seq__gt=after_seq, seq__lt=before_seq
        )
        .order_by("seq")
        .values_list("seq", *FIELDS)[:INBOX_CAP]
    )
    return [(row[0], as_payload(row[1:])) for row in rows]


def mark_delivered(tenant_id: UUID, user_id: int, notification_id: int) -> bool:
    """Record that the client has a notification (its ``ack``); False when it is not theirs."""
    found = Notification.objects.filter(tenant_id=tenant_id, user_id=user_id, pk=notification_id)
    if not found.exists():
        return False
    found.filter(delivered_at__isnull=True).update(delivered_at=timezone.now())
    return True


def touch_server(server: str) -> int:
    """Mark every connection of a live web process as seen (one UPDATE per process)."""
    return LiveConnection.objects.filter(server=server).update(last_seen=timezone.now())


def prune_stale_connections(max_age: timedelta) -> int:
    """Delete connections whose web process stopped refreshing them (it died)."""
    deleted, _ = LiveConnection.objects.filter(last_seen__lt=timezone.now() - max_age).delete()
    return deleted
