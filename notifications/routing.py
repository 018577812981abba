"""WebSocket routes of the notifications app (included by ``config.routing``)."""

from __future__ import annotations

from django.urls import path

from notifications.consumers import NotificationConsumer

websocket_urlpatterns = [
    path("ws/tenants/<uuid:tenant_id>/", NotificationConsumer.as_asgi()),
]
