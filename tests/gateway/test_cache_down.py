"""The cache's Redis dies: the API keeps answering from Postgres (throttling fails open, and says
so in the log) while /readyz reports the cache down. A real redis-server, stopped mid-test."""

from __future__ import annotations

import copy
import logging
import shutil
import subprocess
import time
from collections.abc import Iterator

import pytest
import redis
from django.conf import settings
from django.test import override_settings

from gateway import throttling
from tests.processes import free_port, stop_process

pytestmark = pytest.mark.django_db


@pytest.fixture
def cache_redis() -> Iterator[subprocess.Popen]:
    """A redis-server of the test's own on a free port, set as the cache; the test stops it."""
    server = shutil.which("redis-server")
    if server is None:
        pytest.skip("redis-server is not installed")
    port = free_port()
    proc = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    client = redis.Redis(port=port, socket_connect_timeout=0.2)
    deadline = time.monotonic() + 10
    while True:
        try:
            client.ping()
            break
        except redis.ConnectionError:
            if proc.poll() is not None or time.monotonic() > deadline:
                stop_process(proc, timeout=5)
                pytest.fail(f"redis-server on {port} did not start")
            time.sleep(0.05)
    caches = copy.deepcopy(settings.CACHES)
    caches["default"]["LOCATION"] = f"redis://127.0.0.1:{port}/0"
    with override_settings(CACHES=caches):
        yield proc
    stop_process(proc, timeout=5)


@pytest.fixture
def fresh_log_window(monkeypatch):
    """The next cache failure is logged (the module logs once a minute per process)."""
    monkeypatch.setattr(throttling, "_last_logged", 0.0)


def test_the_api_answers_from_postgres_while_the_cache_is_down(
    cache_redis, fresh_log_window, api, anon, alice, tenant, caplog
):
    # given the API working with its cache up
    assert api.get("/v1/me/").status_code == 200
    assert anon.get("/readyz").status_code == 200
    # when the cache's Redis dies
    stop_process(cache_redis, timeout=5)
    with caplog.at_level(logging.WARNING, logger="gateway.throttling"):
        me = api.get("/v1/me/")
        tenants = api.get("/v1/tenants/")
        login = anon.post("/v1/auth/token/", {"username": "alice", "password": "pw-alice"})
        wrong = anon.post("/v1/auth/token/", {"username": "alice", "password": "nope"})
    # then the API keeps answering, throttle-free, from Postgres
    assert me.status_code == 200, me.content
    assert me.json()["username"] == "alice"
    assert [t["name"] for t in tenants.json()["results"]] == ["Alice Bakery"]
    assert login.status_code == 201, login.content
    assert wrong.status_code == 401
    # and says so in the log
    assert "throttling skipped: the cache is unreachable" in caplog.text
    # while /readyz reports the cache down
    ready = anon.get("/readyz")
    assert ready.status_code == 503
    assert ready.json()["failing"] == ["redis"]
