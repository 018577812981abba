"""WebSocket routes. The notifications app owns the consumers."""

from __future__ import annotations

from django.urls import URLPattern

from notifications.routing import websocket_urlpatterns as notification_routes

websocket_urlpatterns: list[URLPattern] = [*notification_routes]
