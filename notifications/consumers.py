"""The WebSocket at ``/ws/tenants/{tenant_id}/``: live notifications, heartbeats and resume.

The protocol is documented in ``docs/notifications.md``. Every pushed notification carries its
user's live sequence number; the consumer sends them in order, skips ones it already sent (a
resume and a push can overlap) and fetches from the inbox the ones the channel layer lost.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeGuard

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncWebsocketConsumer

from gateway.batching import Coalescer
from gateway.json_limits import JSONTooDeep, loads_limited
from notifications import services
from notifications.conf import setting
from notifications.live import SERVER_ID, group_for, watch

if TYPE_CHECKING:
    from asgiref.typing import WebSocketConnectEvent, WebSocketDisconnectEvent

logger = logging.getLogger(__name__)

SUBPROTOCOL = "coach.v1"

# Close codes (documented in docs/notifications.md). Servers may only send 1000 and 3000-4999,
# so the RFC 6455 meanings (1009, 1012, 1013) are mirrored as 4009, 4012, 4013.
CLOSE_MESSAGE_TOO_BIG = 4009
CLOSE_SERVICE_RESTART = 4012  # the channel layer was lost: reconnect and resume
CLOSE_TRY_AGAIN_LATER = 4013  # the channel layer is unavailable right now: retry with backoff
CLOSE_UNAUTHENTICATED = 4401
CLOSE_NOT_MEMBER = 4403
CLOSE_HEARTBEAT_TIMEOUT = 4408
CLOSE_FLOOD = 4429

# The connect path's database work, batched across sockets (gateway.batching): a reconnect storm
# costs a few statements per batch, not a few per socket on the one database thread.
_open_connection: Coalescer[services.OpenRequest, services.Opened | None] = Coalescer(
    services.open_connections
)
_close_connection: Coalescer[int, None] = Coalescer(services.close_connections)
_replay_after: Coalescer[services.ReplayRequest, list[tuple[int, dict[str, Any]]]] = Coalescer(
    services.replay_after_many
)
_live_between = database_sync_to_async(services.live_between)
_mark_delivered = database_sync_to_async(services.mark_delivered)
_touch_server = database_sync_to_async(services.touch_server)


async def touch_this_server() -> int:
    return await _touch_server(SERVER_ID)


def _positive_int(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


class NotificationConsumer(AsyncWebsocketConsumer):
    """One client's socket on one tenant. Thin: parsing and ordering here, storage in services."""

    connection_id: int | None = None
    group: str | None = None
    closing = False
    seq = 0
    _idle: asyncio.TimerHandle | None = None
    _closer: asyncio.Future[None] | None = None

    async def dispatch(self, message: dict[str, Any]) -> None:
        # Channels closes stale DB connections around every message with a thread hop; the
        # handlers that touch the database do that themselves, so pushes stay on the loop.
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    # --- lifecycle ---------------------------------------------------------------------------

    async def websocket_connect(self, message: WebSocketConnectEvent) -> None:
        # Accept first, so that a refusal reaches the client as a close code it can act on.
        offered = self.scope.get("subprotocols") or []
        await self.accept(SUBPROTOCOL if SUBPROTOCOL in offered else None)
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self._close(CLOSE_UNAUTHENTICATED)
            return
        self.tenant_id = self.scope["url_route"]["kwargs"]["tenant_id"]
        self.user_id = user.pk
        # Join before reading the live sequence: everything after it reaches this socket.
        try:
            self.group = group_for(self.tenant_id, user.pk)
            await self.channel_layer.group_add(self.group, self.channel_name)
        except Exception:
            logger.warning("channel layer unavailable; refusing a socket", exc_info=True)
            self.group = None
            await self._close(CLOSE_TRY_AGAIN_LATER)
            return
        opened = await _open_connection(
            services.OpenRequest(user.pk, self.tenant_id, SERVER_ID, self.channel_name)
        )
        self._connected()
        if opened is None:
            await self._close(CLOSE_NOT_MEMBER)
            return
        self.connection_id, self.seq = opened.connection_id, opened.live_seq
        loop = asyncio.get_running_loop()
        self._last_frame = loop.time()
        self._tokens = float(setting("NOTIFICATIONS_FLOOD_BURST"))
        self._timeout = float(setting("NOTIFICATIONS_HEARTBEAT_TIMEOUT"))
        self._idle = loop.call_later(self._timeout, self._check_idle)
        watch.register(self, touch_this_server)

    async def websocket_disconnect(self, message: WebSocketDisconnectEvent) -> None:
        if self._idle is not None:
            self._idle.cancel()
        watch.unregister(self)
        if self.group is not None:
            try:
                await self.channel_layer.group_discard(self.group, self.channel_name)
            except Exception:
                logger.info("group_discard failed; the layer forgets the channel by itself")
        if self.connection_id is not None:
            await _close_connection(self.connection_id)
        raise StopConsumer

    def _connected(self) -> None:
        """Tell the connect gate (gateway.ws_gate) this socket's connect work is done."""
        done: Callable[[], None] | None = self.scope.get("coach.connect_done")  # type: ignore[assignment]
        if done is not None:
            done()

    async def _close(self, code: int) -> None:
        self._connected()
        if not self.closing:
            self.closing = True
            await self.close(code)

    def _check_idle(self) -> None:
        silent = asyncio.get_running_loop().time() - self._last_frame
        if silent >= self._timeout:
            self._closer = asyncio.ensure_future(self._close(CLOSE_HEARTBEAT_TIMEOUT))
        else:
            self._idle = asyncio.get_running_loop().call_later(
                self._timeout - silent, self._check_idle
            )

    async def on_layer_lost(self) -> None:
        """Called by the layer watch: what was in flight may be lost, so the client resumes."""
        await self._close(CLOSE_SERVICE_RESTART)

    # --- client to server --------------------------------------------------------------------

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if self.closing or self.connection_id is None:
            return
        now = asyncio.get_running_loop().time()
        rate = float(setting("NOTIFICATIONS_FLOOD_RATE"))
        burst = float(setting("NOTIFICATIONS_FLOOD_BURST"))
        self._tokens = min(burst, self._tokens + (now - self._last_frame) * rate)
        self._last_frame = now
        if self._tokens < 1:
            await self._close(CLOSE_FLOOD)
            return
        self._tokens -= 1
        limit = int(setting("NOTIFICATIONS_MAX_MESSAGE_BYTES"))
        raw = text_data if text_data is not None else bytes_data or b""
        if len(raw) > limit or (text_data is not None and len(text_data.encode()) > limit):
            await self._close(CLOSE_MESSAGE_TOO_BIG)
            return
        if text_data is None:
            await self._error("bad_frame", "send JSON text frames, not binary")
            return
        try:
            content = loads_limited(text_data)
        except JSONTooDeep as too_deep:
            await self._error("bad_json", f"the message is {too_deep}")
            return
        except ValueError:
            await self._error("bad_json", "the message is not valid JSON")
            return
        if not isinstance(content, dict) or not isinstance(content.get("type"), str):
            await self._error("bad_message", "a message is a JSON object with a string 'type'")
            return
        handler = self.CLIENT_TYPES.get(content["type"])
        if handler is None:
            known = ", ".join(sorted(self.CLIENT_TYPES))
            shown = repr(content["type"])[:50]
            await self._error("unknown_type", f"type: {shown} is not one of {known}")
            return
        await handler(self, content)

    async def _ping(self, content: dict[str, Any]) -> None:
        reply: dict[str, Any] = {"type": "pong"}
        if "ts" in content:
            reply["ts"] = content["ts"]  # echoed, so a client can measure the round trip
        await self._send(reply)

    async def _resume(self, content: dict[str, Any]) -> None:
        last_id = content.get("last_id", 0)
        if not _positive_int(last_id):
            await self._error("bad_message", "last_id: must be an integer >= 0")
            return
        rows = await _replay_after(services.ReplayRequest(self.tenant_id, self.user_id, last_id))
        for _, notification in rows:
            await self._send({"type": "notification", "notification": notification})
        if rows:
            self.seq = max(self.seq, max(seq for seq, _ in rows))
            last_id = rows[-1][1]["id"]
        await self._send({"type": "replay_done", "count": len(rows), "last_id": last_id})

    async def _ack(self, content: dict[str, Any]) -> None:
        notification_id = content.get("id")
        if not _positive_int(notification_id):
            await self._error("bad_message", "id: must be an integer >= 0")
            return
        if not await _mark_delivered(self.tenant_id, self.user_id, notification_id):
            await self._error("unknown_id", f"id: no notification {notification_id} here")

    CLIENT_TYPES = {"ping": _ping, "resume": _resume, "ack": _ack}

    # --- server to client --------------------------------------------------------------------

    async def inbox_notification(self, message: dict[str, Any]) -> None:
        """A notification pushed after its commit; in order, once, gaps filled from the inbox."""
        seq = int(message["seq"])
        if self.closing or self.connection_id is None or seq <= self.seq:
            return
        if seq > self.seq + 1:
            for _, missed in await _live_between(self.tenant_id, self.user_id, self.seq, seq):
                await self._send({"type": "notification", "notification": missed})
        self.seq = seq
        await self._send({"type": "notification", "notification": message["notification"]})

    async def live_event(self, message: dict[str, Any]) -> None:
        """A non-inbox event (``live.send_to_user``), forwarded as is."""
        if not self.closing and self.connection_id is not None:
            await self._send(message["payload"])

    async def _send(self, content: dict[str, Any]) -> None:
        await self.send(text_data=json.dumps(content, separators=(",", ":")))

    async def _error(self, code: str, detail: str) -> None:
        await self._send({"type": "error", "code": code, "detail": detail})
