"""Fixtures of the notifications tests: real daphne processes and a real WebSocket client."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect
from websockets.typing import Origin

from gateway.services import issue_token
from notifications.services import notify
from tests.notifications.receivers import http_receiver, smtp_server  # noqa: F401 - fixtures
from tests.processes import daphne_server

ORIGIN = "http://localhost"


@pytest.fixture(scope="session")
def daphne_port(django_db_setup, django_db_blocker) -> Iterator[int]:
    """One daphne for the WebSocket tests, on the test database and the test Redis."""
    with (
        django_db_blocker.unblock(),
        daphne_server(NOTIFICATIONS_LAYER_CHECK_SECONDS="0.5") as (
            _,
            port,
        ),
    ):
        yield port


def ws_connect(
    port: int, tenant_id: Any, key: str | None = None, *, origin: str = ORIGIN, **kwargs: Any
) -> ClientConnection:
    """A WebSocket to the tenant's endpoint, authenticated by ``?token=`` when a key is given."""
    query = f"?token={key}" if key else ""
    return connect(
        f"ws://127.0.0.1:{port}/ws/tenants/{tenant_id}/{query}",
        origin=Origin(origin),
        proxy=None,
        compression=None,
        open_timeout=5,
        **kwargs,
    )


def recv(ws: ClientConnection, timeout: float = 5.0) -> dict[str, Any]:
    return json.loads(ws.recv(timeout=timeout))


def nothing_within(ws: ClientConnection, seconds: float) -> bool:
    """True when no message arrives within ``seconds``."""
    try:
        ws.recv(timeout=seconds)
    except TimeoutError:
        return True
    return False


def received_within(ws: ClientConnection, seconds: float) -> list[dict[str, Any]]:
    """Every message that arrives within ``seconds``."""
    messages, deadline = [], time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        try:
            messages.append(json.loads(ws.recv(timeout=left)))
        except TimeoutError:
            break
    return messages


def close_code(ws: ClientConnection, timeout: float = 5.0) -> int | None:
    """Read until the server closes; the close code it sent."""
    try:
        while True:
            ws.recv(timeout=timeout)
    except ConnectionClosed as closed:
        return closed.rcvd.code if closed.rcvd else None


def notify_then_fail(tenant, title: str) -> None:
    """A caller whose transaction notifies, then fails."""
    with transaction.atomic():
        notify(tenant, kind="error", title=title)
        raise RuntimeError("caller failed")


@pytest.fixture
def key_for():
    def make(user) -> str:
        return issue_token(user, "ws")[1]

    return make
