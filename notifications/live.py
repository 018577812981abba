"""Pushing to open WebSockets through the channel layer, and watching the layer's health.

Every WebSocket of a user on a tenant joins that user's group, so any process (a worker, another
web process) reaches it with one ``group_send``. The channel layer may drop messages (a full
channel, a Redis restart, a partition); the inbox in Postgres is the record, and the consumer
fills gaps from it (see ``consumers.py``). This module never touches the database.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import threading
import uuid
import weakref
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, NamedTuple
from uuid import UUID

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from redis import asyncio as aioredis

from notifications.conf import setting

logger = logging.getLogger(__name__)

# This web process, as recorded on its live connections: host, pid and a boot id, so that a
# restarted process with a reused pid is a different server.
SERVER_ID = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


# Concurrent group_sends per push batch: enough to overlap round trips, far below the pool size.
PUSH_CONCURRENCY = 32


class InboxPush(NamedTuple):
    tenant_id: UUID
    user_id: int
    seq: int
    notification: dict[str, Any]


def group_for(tenant_id: UUID | str, user_id: int) -> str:
    """The group of a user's WebSockets on a tenant (the layer allows [a-z0-9._-], < 100)."""
    return f"coach.u.{UUID(str(tenant_id)).hex}.{int(user_id)}"


async def apush_notifications(pushes: list[InboxPush]) -> None:
    """Send inbox notifications to their users' groups, concurrently; losses are logged."""
    layer = get_channel_layer()
    if layer is None or not pushes:
        return
    # Bounded: the layer's Redis pool holds 100 connections; a tenant-wide notify must not
    # ask for a thousand at once (redis-py answers MaxConnectionsError).
    limit = asyncio.Semaphore(PUSH_CONCURRENCY)

    async def send(p: InboxPush) -> None:
        message = {"type": "inbox.notification", "seq": p.seq, "notification": p.notification}
        async with limit:
            await layer.group_send(group_for(p.tenant_id, p.user_id), message)

    results = await asyncio.gather(*(send(p) for p in pushes), return_exceptions=True)
    failed = [r for r in results if isinstance(r, BaseException)]
    if failed:
        # Not raised: the rows are committed and clients get them on resume or on the next push.
        logger.warning("%d of %d live pushes failed: %r", len(failed), len(pushes), failed[0])


class _PushLoop:
    """An event loop thread per process for sync callers (workers, request threads).

    ``async_to_sync`` from a thread without a loop makes a new loop per call, and the channel
    layer a new Redis connection per loop: a connect per notify. This loop and its connections
    live as long as the process (a forked child starts its own).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._pid = 0

    def run(self, coro: Coroutine[Any, Any, None], timeout: float) -> None:
        with self._lock:
            if self._loop is None or self._pid != os.getpid():
                self._loop, self._pid = asyncio.new_event_loop(), os.getpid()
                threading.Thread(target=self._loop.run_forever, daemon=True).start()
        asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)


_push_loop = _PushLoop()
# A push waits at most this long for Redis; the rows are committed, so a slow push only delays.
PUSH_TIMEOUT_SECONDS = 10.0


def push_notifications(pushes: list[InboxPush]) -> None:
    """Sync twin of ``apush_notifications``, for ``transaction.on_commit``."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        _push_loop.run(apush_notifications(pushes), PUSH_TIMEOUT_SECONDS)
    else:  # called from a thread that runs a loop: asgiref knows how to hop
        async_to_sync(apush_notifications)(pushes)


async def asend_to_user(tenant_id: UUID | str, user_id: int, payload: dict[str, Any]) -> None:
    """Push a non-inbox event (e.g. ``{"type": "chat.delta", ...}``) to a user's open sockets.

    The consumer forwards ``payload`` as the JSON message, as is. Best effort: nothing is stored,
    so a client that is offline or loses it does not get it later.
    """
    if not isinstance(payload, dict) or not isinstance(payload.get("type"), str):
        raise ValueError("payload: must be a dict with a string 'type'")
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        await layer.group_send(
            group_for(tenant_id, user_id), {"type": "live.event", "payload": payload}
        )
    except Exception:
        logger.warning("live event for user %s lost", user_id, exc_info=True)


def send_to_user(tenant_id: UUID | str, user_id: int, payload: dict[str, Any]) -> None:
    """Sync twin of ``asend_to_user`` (one stream of chunks reuses one Redis connection)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        _push_loop.run(asend_to_user(tenant_id, user_id, payload), PUSH_TIMEOUT_SECONDS)
    else:
        async_to_sync(asend_to_user)(tenant_id, user_id, payload)


# --- the layer watch ---------------------------------------------------------------------------


def layer_redis_url() -> str:
    """The Redis the default channel layer talks to (its first host)."""
    host = settings.CHANNEL_LAYERS["default"]["CONFIG"]["hosts"][0]
    if isinstance(host, dict):
        return str(host["address"])
    if isinstance(host, list | tuple):
        return f"redis://{host[0]}:{host[1]}"
    return str(host)


class LayerWatch:
    """One per web process: checks that the layer's Redis is up and the same instance.

    A Redis that restarted lost the groups and whatever was in flight; one that was unreachable
    dropped what was published meanwhile. Either way every socket of this process is told
    (``on_layer_lost``) so that it closes and its client resumes from the inbox. The watch also
    refreshes ``last_seen`` of this process's connection rows.
    """

    def __init__(self) -> None:
        self.listeners: weakref.WeakSet[Any] = weakref.WeakSet()
        self._task: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.run_id: str | None = None
        self.healthy = True
        self._closing: set[asyncio.Future[None]] = set()

    def register(self, listener: Any, touch: Callable[[], Awaitable[object]]) -> None:
        """Add a consumer (with ``on_layer_lost()``); starts the watch on the running loop."""
        self.listeners.add(listener)
        loop = asyncio.get_running_loop()
        if self._task is None or self._task.done() or self._loop is not loop:
            self._loop = loop
            self._task = loop.create_task(self._run(touch))

    def unregister(self, listener: Any) -> None:
        self.listeners.discard(listener)

    async def _check(self, client: aioredis.Redis) -> str | None:
        try:
            info = await client.info("server")
        except Exception:
            return None
        return str(info.get("run_id"))

    async def _run(self, touch: Callable[[], Awaitable[object]]) -> None:
        url = layer_redis_url()
        self.run_id = None  # a fresh watch has not seen this Redis before
        client = aioredis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)
        loop = asyncio.get_running_loop()
        next_touch = loop.time() + setting("NOTIFICATIONS_SERVER_TOUCH_SECONDS")
        try:
            while True:
                run_id = await self._check(client)
                lost = run_id is None or (self.run_id is not None and run_id != self.run_id)
                if run_id is None:
                    if self.healthy:
                        logger.warning("channel layer Redis %s unreachable", url)
                    self.healthy = False
                else:
                    if lost:
                        logger.warning("channel layer Redis %s restarted", url)
                    self.healthy = True
                    self.run_id = run_id
                if lost:
                    self._tell_lost()
                if loop.time() >= next_touch:
                    next_touch = loop.time() + setting("NOTIFICATIONS_SERVER_TOUCH_SECONDS")
                    with contextlib.suppress(Exception):
                        await touch()
                if not self.listeners:
                    return
                await asyncio.sleep(setting("NOTIFICATIONS_LAYER_CHECK_SECONDS"))
        finally:
            with contextlib.suppress(Exception):
                await client.aclose()

    def _tell_lost(self) -> None:
        for listener in list(self.listeners):
            task = asyncio.ensure_future(listener.on_layer_lost())
            self._closing.add(task)
            task.add_done_callback(self._closing.discard)


watch = LayerWatch()
