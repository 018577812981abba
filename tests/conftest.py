"""Fixtures shared by every app's tests: users, tenants, API clients, real Redis."""

from __future__ import annotations

import socket
import uuid
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.test import Client
from rest_framework.test import APIClient

from gateway.models import Role, Tenant
from gateway.services import create_tenant, issue_token
from tests.schema_check import checking_request

if TYPE_CHECKING:
    import _socket  # where the stubs declare socket.connect

_real_connect = socket.socket.connect


def _loopback_only(self: _socket.socket, address: Any) -> None:
    """Block the network except loopback and unix sockets, so nothing can call a real service."""
    if isinstance(address, tuple) and address:
        host = str(address[0])
        if not (host.startswith("127.") or host in {"::1", "localhost"}):
            raise RuntimeError(f"test tried to reach {address!r}; only loopback is allowed")
    return _real_connect(self, address)


@pytest.fixture(autouse=True, scope="session")
def _block_network() -> Iterator[None]:
    socket.socket.connect = _loopback_only  # type: ignore[method-assign]
    yield
    socket.socket.connect = _real_connect  # type: ignore[method-assign]


@pytest.fixture(autouse=True)
def _fresh_cache_namespace() -> Iterator[None]:
    """Throttling counters live in the (real, Redis) cache; each test starts from none.

    A fresh key prefix, not ``cache.clear()``: clearing is FLUSHDB, which would also wipe the
    broker's queues and another test run's keys in the same Redis database.
    """
    default = caches["default"]
    before = default.key_prefix
    default.key_prefix = f"{before}-{uuid.uuid4().hex[:8]}"
    yield
    default.key_prefix = before


@pytest.fixture(autouse=True)
def _responses_match_the_schema(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every JSON answer of ``/v1/`` that a test receives must be what the OpenAPI schema says
    (tests/schema_check.py): a mismatch fails the test that saw it."""
    monkeypatch.setattr(Client, "request", checking_request(Client.request))


@pytest.fixture
def make_user(db):
    counter = iter(range(1, 10_000))

    def make(username: str | None = None, **extra: Any):
        name = username or f"user{next(counter)}"
        return get_user_model().objects.create_user(username=name, password="pw-" + name, **extra)

    return make


@pytest.fixture
def alice(make_user):
    return make_user("alice")


@pytest.fixture
def bob(make_user):
    return make_user("bob")


@pytest.fixture
def tenant(alice) -> Tenant:
    """Alice's business, in a non-UTC zone on purpose."""
    return create_tenant(alice, name="Alice Bakery", timezone="America/New_York", currency="USD")


@pytest.fixture
def other_tenant(bob) -> Tenant:
    """Bob's business: Alice must never see anything of it."""
    return create_tenant(bob, name="Bob Bikes", timezone="Europe/London", currency="GBP")


@pytest.fixture
def add_member():
    def add(tenant: Tenant, user, role: str = Role.MEMBER):
        return tenant.memberships.create(user=user, role=role)

    return add


def client_for(user) -> APIClient:
    """An API client authenticated the way real clients are: with a token header."""
    _, key = issue_token(user, "test")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.fixture
def api(alice) -> APIClient:
    return client_for(alice)


@pytest.fixture
def anon() -> APIClient:
    return APIClient()
