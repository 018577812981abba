"""Nothing lost: several web processes, a worker, heartbeats, a Redis restart, dead servers."""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
import redis
from django.utils import timezone
from websockets.exceptions import ConnectionClosed, InvalidStatus

from notifications.consumers import CLOSE_HEARTBEAT_TIMEOUT, CLOSE_SERVICE_RESTART
from notifications.models import LiveConnection
from notifications.services import notify
from notifications.tasks import prune_stale_connections
from tests.notifications.conftest import close_code, recv, ws_connect
from tests.processes import celery_worker, daphne_server, free_port

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def resume(ws, last_id: int = 0) -> list[dict]:
    ws.send(json.dumps({"type": "resume", "last_id": last_id}))
    messages = [recv(ws)]
    while messages[-1]["type"] != "replay_done":
        messages.append(recv(ws))
    return messages


def test_a_worker_notification_reaches_clients_on_two_web_processes_within_a_second(
    tenant, alice, bob, add_member, key_for
):
    # given Alice and Bob connected to two different daphne processes, and a Celery worker
    add_member(tenant, bob)
    with (
        daphne_server() as (_, port_a),
        daphne_server() as (_, port_b),
        celery_worker("notifications", include="tests.notifications.worker_tasks"),
        ws_connect(port_a, tenant.pk, key_for(alice)) as alices,
        ws_connect(port_b, tenant.pk, key_for(bob)) as bobs,
    ):
        resume(alices)
        resume(bobs)

        # when the worker creates a notification for the tenant
        from tests.notifications.worker_tasks import notify_from_worker

        started = time.monotonic()
        ids = notify_from_worker.delay(str(tenant.pk), "Cash runway below 60 days").get(timeout=10)

        # then both see it, each their own row, in well under a second
        got = {recv(alices)["notification"]["id"], recv(bobs)["notification"]["id"]}
        assert time.monotonic() - started < 1.0
        assert got == set(ids)


def test_a_silent_client_is_closed_after_the_heartbeat_timeout(tenant, alice, key_for):
    with daphne_server(NOTIFICATIONS_HEARTBEAT_TIMEOUT="0.6") as (_, port):
        # given a client that pings more often than the timeout: it stays open
        with ws_connect(port, tenant.pk, key_for(alice)) as pinging:
            for _ in range(5):
                time.sleep(0.25)
                pinging.send('{"type": "ping"}')
                assert recv(pinging) == {"type": "pong"}

        # when a client goes silent, then it is closed with the heartbeat code
        with ws_connect(port, tenant.pk, key_for(alice)) as silent:
            started = time.monotonic()
            assert close_code(silent) == CLOSE_HEARTBEAT_TIMEOUT
            assert 0.5 < time.monotonic() - started < 3


@pytest.fixture
def own_redis() -> Iterator[tuple[int, subprocess.Popen]]:
    """A private redis-server (never the shared one), so the test can restart it."""
    port = free_port()
    procs: list[subprocess.Popen] = []

    def start() -> subprocess.Popen:
        args = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
        args += ["--appendonly", "no", "--daemonize", "no"]
        proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        procs.append(proc)
        client = redis.Redis(port=port)
        for _ in range(100):
            try:
                client.ping()
                return proc
            except redis.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    start()
    yield port, start  # type: ignore[misc]
    for proc in procs:
        if proc.poll() is None:
            proc.terminate()
            proc.wait(timeout=10)


@contextmanager
def reconnect(port: int, tenant_id, key: str, deadline: float):
    """What a client does after a close: retry with a short backoff until a socket holds."""
    while time.monotonic() < deadline:
        try:
            with ws_connect(port, tenant_id, key) as ws:
                ws.send('{"type": "ping"}')
                if recv(ws, timeout=2) == {"type": "pong"}:
                    yield ws
                    return
        except (ConnectionClosed, InvalidStatus, OSError, TimeoutError):
            pass
        time.sleep(0.2)
    raise AssertionError("could not reconnect")


def test_after_a_redis_restart_the_client_reconnects_resumes_and_loses_nothing(
    own_redis, settings, tenant, alice, key_for
):
    redis_port, start_redis = own_redis
    layer_url = f"redis://127.0.0.1:{redis_port}/0"
    layers = json.loads(json.dumps(settings.CHANNEL_LAYERS))
    layers["default"]["CONFIG"]["hosts"] = [layer_url]
    settings.CHANNEL_LAYERS = layers  # this process pushes through the private Redis too
    key = key_for(alice)
    server = daphne_server(CHANNEL_LAYER_URL=layer_url, NOTIFICATIONS_LAYER_CHECK_SECONDS="0.2")
    with server as (_, port):
        with ws_connect(port, tenant.pk, key) as ws:
            resume(ws)
            seen = notify(tenant, kind="info", title="before")[0]
            assert recv(ws)["notification"]["id"] == seen.id

            # when Redis restarts (losing every group and message) while the client is connected
            redis.Redis(port=redis_port).shutdown(nosave=True)
            # then the server tells the client to reconnect and resume
            assert close_code(ws) == CLOSE_SERVICE_RESTART
        # and what is created meanwhile is committed, though its push is lost
        missed = notify(tenant, kind="warning", title="during the outage")[0]
        start_redis()

        # when the client reconnects and resumes from the last id it saw
        with reconnect(port, tenant.pk, key, time.monotonic() + 15) as ws:
            replay = resume(ws, seen.id)

            # then it gets what it missed, and live pushes flow again
            assert [m["notification"]["id"] for m in replay[:-1]] == [missed.id]
            after = notify(tenant, kind="info", title="after")[0]
            assert recv(ws)["notification"]["id"] == after.id


def test_connections_of_a_dead_server_are_pruned(tenant, alice):
    old = timezone.now() - timedelta(minutes=10)
    LiveConnection.objects.create(
        tenant=tenant, user=alice, server="dead:1:x", channel_name="c1", last_seen=old
    )
    LiveConnection.objects.create(
        tenant=tenant, user=alice, server="alive:2:y", channel_name="c2", last_seen=timezone.now()
    )

    assert prune_stale_connections() == 1

    assert list(LiveConnection.objects.values_list("server", flat=True)) == ["alive:2:y"]


def test_a_live_server_keeps_its_connections_fresh(tenant, alice, key_for):
    with (
        daphne_server(
            NOTIFICATIONS_SERVER_TOUCH_SECONDS="0.2", NOTIFICATIONS_LAYER_CHECK_SECONDS="0.1"
        ) as (_, port),
        ws_connect(port, tenant.pk, key_for(alice)) as ws,
    ):
        resume(ws)
        first = LiveConnection.objects.get().last_seen
        time.sleep(0.6)
        assert LiveConnection.objects.get().last_seen > first
