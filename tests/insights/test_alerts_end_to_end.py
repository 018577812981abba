"""A morning, end to end: Beat's dispatcher, a real worker, the Redis layer, daphne, a browser's
WebSocket. The cash-crunch tenant's critical alert reaches its member and nobody else."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from gateway.services import create_tenant, issue_token
from insights import dispatch
from insights.models import Insight, InsightSchedule
from insights.tasks import publish_batch
from tests.notifications.conftest import received_within, recv, ws_connect
from tests.processes import celery_worker, daphne_server

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def _replayed(ws) -> list[dict]:
    ws.send(json.dumps({"type": "resume", "last_id": 0}))
    messages = []
    while (message := recv(ws))["type"] != "replay_done":
        messages.append(message)
    return messages


def test_the_cash_crunch_alert_reaches_its_member_and_no_one_else(alice, bob, books):
    # given a London business in a cash crunch (Alice's) and a healthy Dublin one (Bob's), both due
    crunch = create_tenant(alice, name="Thames Print Studio", timezone="Europe/London")
    healthy = create_tenant(bob, name="Liffey Coffee", timezone="Europe/Dublin")
    books(crunch, "cash_crunch")
    books(healthy, "healthy")
    InsightSchedule.objects.update(
        next_run_at="2026-02-10T06:00Z", last_local_date=date(2026, 2, 9)
    )
    alice_key, bob_key = issue_token(alice, "ws")[1], issue_token(bob, "ws")[1]

    with (
        daphne_server() as (_, port),
        celery_worker("insights") as _,
        ws_connect(port, crunch.pk, alice_key) as alice_ws,
        ws_connect(port, healthy.pk, bob_key) as bob_ws,
    ):
        assert _replayed(alice_ws) == []
        assert _replayed(bob_ws) == []

        # when Beat's dispatcher runs at 06:30 London time and the worker does the batch
        outcome = dispatch.dispatch_due(
            datetime(2026, 2, 10, 6, 30, tzinfo=UTC), publish=publish_batch
        )

        # then Alice's open WebSocket gets the critical cash alert, pushed live
        message = recv(alice_ws, timeout=30)
        assert outcome.due == 2
        assert message["type"] == "notification"
        alert = message["notification"]
        assert alert["kind"] == "coach_alert"
        assert "runway" in alert["title"].lower()
        assert alert["data"]["insight_date"] == "2026-02-10"
        # ... and Bob, connected to his own tenant, receives nothing of it (only that his own
        # business's insight changed, for his portfolio page)
        for message in received_within(bob_ws, 2.0):
            assert message == {"type": "portfolio.changed", "tenant_ids": [str(healthy.pk)]}

    assert Insight.objects.filter(local_date=date(2026, 2, 10)).count() == 2
