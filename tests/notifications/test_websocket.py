"""The WebSocket, end to end: a real daphne process, the Redis layer, a real client.

Notifications are created in this (the test) process and pushed through Redis to the daphne
process, as a worker's would be.
"""

from __future__ import annotations

import json
import time

import pytest
from websockets.exceptions import InvalidStatus

from notifications import live
from notifications.consumers import (
    CLOSE_FLOOD,
    CLOSE_MESSAGE_TOO_BIG,
    CLOSE_NOT_MEMBER,
    CLOSE_UNAUTHENTICATED,
)
from notifications.models import LiveConnection, Notification
from notifications.services import notify
from tests.notifications.conftest import (
    close_code,
    nothing_within,
    notify_then_fail,
    recv,
    ws_connect,
)

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def resume(ws, last_id: int = 0) -> list[dict]:
    """Send ``resume`` and collect what is replayed, up to ``replay_done`` (included)."""
    ws.send(json.dumps({"type": "resume", "last_id": last_id}))
    messages = []
    while True:
        message = recv(ws)
        messages.append(message)
        if message["type"] == "replay_done":
            return messages


def test_a_member_receives_a_notification_created_in_another_process(
    daphne_port, tenant, alice, key_for
):
    with ws_connect(daphne_port, tenant.pk, key_for(alice)) as ws:
        assert resume(ws) == [{"type": "replay_done", "count": 0, "last_id": 0}]

        created = notify(tenant, kind="coach_alert", title="Runway under 3 months", data={"r": 1})

        message = recv(ws)
        assert message["type"] == "notification"
        assert message["notification"]["id"] == created[0].id
        assert message["notification"]["title"] == "Runway under 3 months"
        assert message["notification"]["data"] == {"r": 1}


def test_the_token_can_come_as_a_subprotocol(daphne_port, tenant, alice, key_for):
    key = key_for(alice)

    with ws_connect(daphne_port, tenant.pk, subprotocols=["coach.v1", f"token.{key}"]) as ws:
        assert ws.subprotocol == "coach.v1"
        ws.send(json.dumps({"type": "ping", "ts": 12}))
        assert recv(ws) == {"type": "pong", "ts": 12}


@pytest.mark.parametrize("key", [None, "coach_not-a-real-token"])
def test_a_missing_or_bad_token_is_closed_4401(daphne_port, tenant, key):
    with ws_connect(daphne_port, tenant.pk, key) as ws:
        assert close_code(ws) == CLOSE_UNAUTHENTICATED


def test_a_non_member_is_closed_4403(daphne_port, other_tenant, alice, key_for):
    with ws_connect(daphne_port, other_tenant.pk, key_for(alice)) as ws:
        assert close_code(ws) == CLOSE_NOT_MEMBER
    assert not LiveConnection.objects.exists()


def test_a_foreign_origin_is_refused_at_the_handshake(daphne_port, tenant, alice, key_for):
    with pytest.raises(InvalidStatus) as refused:
        ws_connect(daphne_port, tenant.pk, key_for(alice), origin="https://evil.example")

    assert refused.value.response.status_code == 403


def test_another_tenants_notifications_never_arrive(
    daphne_port, tenant, other_tenant, alice, bob, add_member, key_for
):
    # given Alice in both tenants, connected to hers only
    add_member(other_tenant, alice)
    with ws_connect(daphne_port, tenant.pk, key_for(alice)) as ws:
        resume(ws)

        # when Bob's tenant notifies everyone (Alice included), then Alice's tenant does
        notify(other_tenant, kind="warning", title="Bob's stock low")
        mine = notify(tenant, kind="info", title="Alice's books closed", users=[alice])

        # then only her tenant's notification reaches this socket
        assert recv(ws)["notification"]["id"] == mine[0].id
        assert nothing_within(ws, 0.3)


def test_a_client_that_missed_three_gets_exactly_those_in_order_on_resume(
    daphne_port, tenant, alice, key_for
):
    key = key_for(alice)
    # given a client that saw one notification, then went away
    with ws_connect(daphne_port, tenant.pk, key) as ws:
        resume(ws)
        seen = notify(tenant, kind="info", title="seen")[0]
        assert recv(ws)["notification"]["id"] == seen.id

    # when three arrive while it is offline
    missed = [notify(tenant, kind="info", title=f"missed {i}")[0].id for i in range(3)]

    # then resuming from the last id it saw replays exactly those three, in order
    with ws_connect(daphne_port, tenant.pk, key) as ws:
        replay = resume(ws, seen.id)
        assert [m["notification"]["id"] for m in replay[:-1]] == missed
        assert replay[-1] == {"type": "replay_done", "count": 3, "last_id": missed[-1]}
        # and nothing is sent twice afterwards
        assert nothing_within(ws, 0.3)


def test_a_rolled_back_notification_is_never_delivered(daphne_port, tenant, alice, key_for):
    with ws_connect(daphne_port, tenant.pk, key_for(alice)) as ws:
        resume(ws)

        with pytest.raises(RuntimeError, match="caller failed"):
            notify_then_fail(tenant, title="never happened")
        committed = notify(tenant, kind="info", title="happened")[0]

        assert recv(ws)["notification"]["id"] == committed.id
        assert nothing_within(ws, 0.3)
    assert not Notification.objects.filter(title="never happened").exists()


def test_a_push_the_layer_lost_is_filled_from_the_inbox_in_order(
    daphne_port, tenant, alice, key_for, monkeypatch
):
    with ws_connect(daphne_port, tenant.pk, key_for(alice)) as ws:
        resume(ws)
        # given a notification whose push is lost on the way (as a full or dead layer would)
        real_push = live.push_notifications
        monkeypatch.setattr(live, "push_notifications", lambda pushes: None)
        lost = notify(tenant, kind="info", title="lost push")[0]
        monkeypatch.setattr(live, "push_notifications", real_push)

        # when the next one is pushed
        nxt = notify(tenant, kind="info", title="next")[0]

        # then the socket gets both, in order, once
        assert [recv(ws)["notification"]["id"] for _ in range(2)] == [lost.id, nxt.id]
        assert nothing_within(ws, 0.3)


def test_events_sent_to_a_user_are_forwarded_as_is(
    daphne_port, tenant, alice, bob, add_member, key_for
):
    add_member(tenant, bob)
    with (
        ws_connect(daphne_port, tenant.pk, key_for(alice)) as alices,
        ws_connect(daphne_port, tenant.pk, key_for(bob)) as bobs,
    ):
        resume(alices)
        resume(bobs)

        live.send_to_user(tenant.pk, alice.pk, {"type": "chat.delta", "text": "Cash is", "n": 1})

        assert recv(alices) == {"type": "chat.delta", "text": "Cash is", "n": 1}
        assert nothing_within(bobs, 0.3)


def test_an_ack_marks_the_notification_delivered(daphne_port, tenant, alice, key_for):
    with ws_connect(daphne_port, tenant.pk, key_for(alice)) as ws:
        resume(ws)
        created = notify(tenant, kind="info", title="ack me")[0]
        recv(ws)

        ws.send(json.dumps({"type": "ack", "id": created.id}))
        ws.send(json.dumps({"type": "ack", "id": created.id + 1000}))

        assert recv(ws)["code"] == "unknown_id"
    created.refresh_from_db()
    assert created.delivered_at is not None


def test_connections_are_recorded_while_open(daphne_port, tenant, alice, key_for):
    with ws_connect(daphne_port, tenant.pk, key_for(alice)) as ws:
        resume(ws)
        row = LiveConnection.objects.get()
        assert (row.user_id, row.tenant_id) == (alice.pk, tenant.pk)

    # the row goes when the server has processed the close
    deadline = time.monotonic() + 5
    while LiveConnection.objects.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not LiveConnection.objects.exists()


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ("{not json", "bad_json"),
        ("[1, 2]", "bad_message"),
        ('{"type": 5}', "bad_message"),
        ('{"type": "subscribe_all"}', "unknown_type"),
        ('{"type": "resume", "last_id": "yesterday"}', "bad_message"),
        ('{"type": "ack", "id": true}', "bad_message"),
        (b"\x00\x01", "bad_frame"),
    ],
)
def test_malformed_messages_get_an_error_and_the_socket_stays_open(
    daphne_port, tenant, alice, key_for, frame, code
):
    with ws_connect(daphne_port, tenant.pk, key_for(alice)) as ws:
        ws.send(frame)
        error = recv(ws)
        assert (error["type"], error["code"]) == ("error", code)
        assert error["detail"]

        ws.send(json.dumps({"type": "ping"}))
        assert recv(ws) == {"type": "pong"}


def test_an_oversized_message_closes_4009(daphne_port, tenant, alice, key_for):
    with ws_connect(daphne_port, tenant.pk, key_for(alice)) as ws:
        ws.send(json.dumps({"type": "ping", "pad": "x" * 10_000}))
        assert close_code(ws) == CLOSE_MESSAGE_TOO_BIG


def test_a_flooding_client_is_closed_4429(daphne_port, tenant, alice, key_for):
    with ws_connect(daphne_port, tenant.pk, key_for(alice)) as ws:
        for _ in range(500):
            try:
                ws.send('{"type": "ping"}')
            except Exception:
                break
        assert close_code(ws) == CLOSE_FLOOD
