"""WebSocket routes. The notifications app owns the consumers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from notifications.routing import websocket_urlpatterns as notification_routes

if TYPE_CHECKING:
    from channels.routing import URLRouter, _ExtendedURLPattern

websocket_urlpatterns: list[_ExtendedURLPattern | URLRouter] = [*notification_routes]
