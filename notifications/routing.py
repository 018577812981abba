"""WebSocket routes of the notifications app (included by ``config.routing``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import path

from notifications.consumers import NotificationConsumer

if TYPE_CHECKING:
    from channels.routing import _ExtendedURLPattern

websocket_urlpatterns: list[_ExtendedURLPattern] = [
    # Channels routes ASGI apps through Django's path(), whose stub admits views only (and so
    # returns a plain URLPattern, not the Channels route it is at run time).
    path(
        "ws/tenants/<uuid:tenant_id>/",
        NotificationConsumer.as_asgi(),  # type: ignore[arg-type]
    ),  # type: ignore[list-item]
]
