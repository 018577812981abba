"""What keeps a reconnect storm from collapsing (issue 11, "Under load"); the figure itself is in
docs/benchmarks.md (``benchmarks/ws_fanout.py --storm N``), never in a test.

- the token's identity is cached briefly in the web process, and a revocation is honoured
  within the cache's TTL;
- each socket's database work is batched with the others' (one statement per batch);
- a process that is behind refuses new connects at once: 4013 after the handshake, and under
  daphne a 503 before it, which clients retry with their backoff.
"""

from __future__ import annotations

import asyncio
import json
import threading
from contextlib import ExitStack

import pytest
from asgiref.sync import async_to_sync
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.testing import WebsocketCommunicator
from django.db import connection, transaction
from websockets.exceptions import InvalidStatus

from gateway import ws_auth
from gateway.batching import Coalescer
from gateway.models import hash_token
from gateway.services import issue_token, revoke_token, users_for_digests
from gateway.ws_auth import WebSocketAuthStack
from gateway.ws_gate import CLOSE_TRY_AGAIN_LATER, ConnectGate
from notifications import services
from notifications.models import LiveConnection
from notifications.services import notify
from tests.notifications.conftest import recv, ws_connect
from tests.processes import daphne_server

pytestmark = pytest.mark.django_db(transaction=True)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class WhoAmI(AsyncWebsocketConsumer):
    async def connect(self) -> None:
        user = self.scope["user"]
        if not user.is_authenticated:
            await self.close(code=4401)
            return
        await self.accept()
        await self.send(json.dumps({"username": user.username}))


def _connect(application, path: str) -> tuple[bool, int | None, dict | None]:
    headers = [(b"origin", b"http://localhost"), (b"host", b"localhost")]

    async def run():
        communicator = WebsocketCommunicator(application, path, headers=headers)
        connected, code = await communicator.connect()
        message = json.loads(await communicator.receive_from()) if connected else None
        await communicator.disconnect()
        return connected, code, message

    return async_to_sync(run)()


@pytest.fixture
def clock(monkeypatch):
    """The identity cache on a clock the test moves, with a 10 s TTL, empty."""
    fake = FakeClock()
    monkeypatch.setattr(ws_auth.identities, "clock", fake)
    monkeypatch.setattr(ws_auth.identities, "ttl", 10.0)
    ws_auth.identities.clear()
    yield fake
    ws_auth.identities.clear()


# --- the identity cache ------------------------------------------------------------------------


def test_a_revoked_token_is_refused_once_the_cache_ttl_has_passed(clock, alice):
    app = WebSocketAuthStack(WhoAmI.as_asgi())
    token, key = issue_token(alice, "ws")
    assert _connect(app, f"/ws/?token={key}")[2] == {"username": "alice"}

    revoke_token(token)

    # within the TTL the process still knows the token (the documented window)
    clock.now += 9.9
    assert _connect(app, f"/ws/?token={key}")[0]
    # past it, the database is asked again and says no
    clock.now += 0.2
    assert _connect(app, f"/ws/?token={key}")[:2] == (False, 4401)


def test_with_a_ttl_of_zero_a_revocation_applies_to_the_next_connect(clock, alice, monkeypatch):
    monkeypatch.setattr(ws_auth.identities, "ttl", 0.0)
    app = WebSocketAuthStack(WhoAmI.as_asgi())
    token, key = issue_token(alice, "ws")
    assert _connect(app, f"/ws/?token={key}")[0]

    revoke_token(token)

    assert _connect(app, f"/ws/?token={key}")[:2] == (False, 4401)


def test_failures_are_not_cached(clock, alice):
    app = WebSocketAuthStack(WhoAmI.as_asgi())
    key = "coach_not-yet-a-token"
    assert _connect(app, f"/ws/?token={key}")[:2] == (False, 4401)

    # a token that did not authenticate is asked again next time (nothing remembered)
    assert ws_auth.identities.get(hash_token(key)) is None


# --- batching ----------------------------------------------------------------------------------


def test_concurrent_token_lookups_are_one_statement_with_one_answer_each(alice, bob):
    revoked, revoked_key = issue_token(bob, "old")
    revoke_token(revoked)
    keys = [issue_token(alice, f"t{i}")[1] for i in range(30)] + [revoked_key, "coach_nope"]
    lookups: Coalescer[str, object] = Coalescer(users_for_digests)

    async def storm():
        return await asyncio.gather(*(lookups(hash_token(key)) for key in keys))

    users = async_to_sync(storm)()

    assert lookups.batches == 1
    assert [getattr(u, "username", None) for u in users] == ["alice"] * 30 + [None, None]


def test_a_batch_that_fails_fails_its_callers_not_the_next_batch():
    calls: list[list[int]] = []

    def run_many(items: list[int]) -> list[int]:
        calls.append(items)
        if -1 in items:
            raise ValueError("bad batch")
        return [item * 2 for item in items]

    doubled: Coalescer[int, int] = Coalescer(run_many)

    async def scenario():
        first = await asyncio.gather(doubled(1), doubled(-1), return_exceptions=True)
        second = await asyncio.gather(doubled(2), doubled(3))
        return first, second

    first, second = async_to_sync(scenario)()

    assert [type(r) for r in first] == [ValueError, ValueError]
    assert second == [4, 6]


def test_connection_rows_and_replays_are_batched_per_request(
    tenant, other_tenant, alice, bob, add_member
):
    add_member(tenant, bob)
    mine = notify(tenant, kind="info", title="for alice", users=[alice])[0]
    opened = services.open_connections(
        [
            services.OpenRequest(alice.pk, tenant.pk, "s", "chan-a"),
            services.OpenRequest(alice.pk, other_tenant.pk, "s", "chan-b"),  # not a member
            services.OpenRequest(bob.pk, tenant.pk, "s", "chan-c"),
        ]
    )
    assert opened[1] is None
    assert opened[0] is not None
    assert opened[2] is not None
    assert (opened[0].live_seq, opened[2].live_seq) == (1, 0)
    assert set(LiveConnection.objects.values_list("channel_name", flat=True)) == {
        "chan-a",
        "chan-c",
    }

    replays = services.replay_after_many(
        [
            services.ReplayRequest(tenant.pk, alice.pk, 0),
            services.ReplayRequest(tenant.pk, bob.pk, 0),
            services.ReplayRequest(tenant.pk, alice.pk, mine.id),
        ]
    )
    assert replays == [services.replay_after(tenant.pk, alice.pk, 0), [], []]
    assert replays[0][0][1]["id"] == mine.id

    services.close_connections([opened[0].connection_id, opened[2].connection_id])
    assert not LiveConnection.objects.exists()


# --- shedding ----------------------------------------------------------------------------------


class Held(AsyncWebsocketConsumer):
    """Accepts, then keeps its connect "in progress" until the test lets it go."""

    release = asyncio.Event()

    async def connect(self) -> None:
        await self.accept()
        await self.release.wait()
        self.scope["coach.connect_done"]()  # type: ignore[typeddict-item]
        await self.send("ready")


def test_a_gate_that_is_behind_refuses_at_once_with_4013_and_recovers():
    clock = FakeClock()
    gate = ConnectGate(Held.as_asgi(), budget=2.0, floor=1, clock=clock)

    async def scenario():
        Held.release = asyncio.Event()
        slow = WebsocketCommunicator(gate, "/ws/")
        assert (await slow.connect())[0]
        assert gate.connecting == 1

        clock.now += 2.5  # the oldest connect in progress is past the budget
        refused = WebsocketCommunicator(gate, "/ws/")
        connected, _ = await refused.connect()
        closed = await refused.receive_output()
        assert connected
        assert closed == {"type": "websocket.close", "code": CLOSE_TRY_AGAIN_LATER, "reason": ""}
        assert gate.refused == 1

        Held.release.set()  # the slow one finishes: the gate is no longer behind
        assert await slow.receive_from() == "ready"
        assert gate.connecting == 0
        admitted = WebsocketCommunicator(gate, "/ws/")
        assert (await admitted.connect())[0]
        assert await admitted.receive_from() == "ready"
        await asyncio.gather(slow.disconnect(), admitted.disconnect())

    async_to_sync(scenario)()


@pytest.mark.services
def test_daphne_answers_503_before_the_handshake_while_a_connect_is_stuck(
    tenant, alice, bob, add_member, key_for
):
    # given a web process that admits one connect at a time, and one stuck on its connection
    # row (the table locked by this test)
    add_member(tenant, bob)
    locked, release = threading.Event(), threading.Event()

    def hold_the_table():
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {LiveConnection._meta.db_table} IN EXCLUSIVE MODE")
            locked.set()
            release.wait(60)
        connection.close()

    holder = threading.Thread(target=hold_the_table)
    with daphne_server(WS_MAX_CONNECTING="1") as (_, port), ExitStack() as sockets:
        holder.start()
        try:
            assert locked.wait(10)
            # accepted (the consumer accepts first), then waiting for its row
            stuck = sockets.enter_context(ws_connect(port, tenant.pk, key_for(alice)))

            # when another client connects, it is refused at once with a 503 to retry later
            with pytest.raises(InvalidStatus) as refused:
                ws_connect(port, tenant.pk, key_for(bob))
            assert refused.value.response.status_code == 503
            assert refused.value.response.headers["Retry-After"] == "1"
        finally:
            release.set()
            holder.join()

        # then, the stuck one done, connects are admitted again and nothing was lost
        stuck.send(json.dumps({"type": "resume", "last_id": 0}))
        assert recv(stuck, timeout=30)["type"] == "replay_done"
        admitted = sockets.enter_context(ws_connect(port, tenant.pk, key_for(bob)))
        admitted.send(json.dumps({"type": "ping"}))
        assert recv(admitted, timeout=30) == {"type": "pong"}


def test_below_the_floor_of_a_storm_nothing_is_shed():
    clock = FakeClock()
    gate = ConnectGate(Held.as_asgi(), budget=2.0, floor=2, clock=clock)

    async def scenario():
        Held.release = asyncio.Event()
        slow = WebsocketCommunicator(gate, "/ws/")
        assert (await slow.connect())[0]
        clock.now += 60  # one connect stuck for a minute is not a storm

        assert not gate.behind()
        Held.release.set()
        assert await slow.receive_from() == "ready"
        await slow.disconnect()

    async_to_sync(scenario)()
    assert gate.refused == 0
