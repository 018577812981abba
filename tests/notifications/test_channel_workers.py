"""Channels out through a real Celery worker: sent after commit from the notifications queue,
once per recipient even when the worker is killed in the middle of sending."""

from __future__ import annotations

import json
import signal
import threading
import time

import pytest

from notifications.models import Delivery, DeliveryStatus, Destination
from notifications.services import notify
from notifications.tasks import sweep_deliveries
from notifications.webhooks import SIGNATURE_HEADER, new_secret, verify_signature
from tests.processes import celery_worker

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker_env(monkeypatch, smtp_server):
    """What the worker subprocess reads: the test's SMTP server, short leases and backoff."""
    port, inbox = smtp_server
    monkeypatch.setenv("EMAIL_HOST", "127.0.0.1")
    monkeypatch.setenv("EMAIL_PORT", str(port))
    monkeypatch.setenv("COACH_WEBHOOK_ALLOW_PRIVATE", "true")
    monkeypatch.setenv("NOTIFICATIONS_SEND_LEASE_SECONDS", "2")
    monkeypatch.setenv("NOTIFICATIONS_RETRY_BASE_SECONDS", "0.2")
    return inbox


@pytest.fixture
def team(tenant, alice, make_user, add_member):
    """Alice and four colleagues, each with an email address."""
    people = [alice] + [make_user(f"colleague{n}") for n in range(1, 5)]
    for person in people:
        person.email = f"{person.username}@example.com"
        person.save()
        if person != alice:
            add_member(tenant, person)
    return people


def until(condition, timeout: float = 30.0, every: float = 0.1) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(every)


def test_alert_emails_go_out_after_commit_from_the_worker(tenant, team, worker_env):
    with celery_worker("notifications"):
        notify(tenant, kind="coach_alert", title="Cash runway below 60 days")
        emails = worker_env.wait_for(5)
    assert sorted(str(m["To"]) for m in emails) == sorted(p.email for p in team)
    until(lambda: Delivery.objects.filter(status=DeliveryStatus.SENT).count() == 5)


def test_a_worker_killed_mid_send_sends_no_duplicate(tenant, team, worker_env):
    # given the SMTP server holds the third email in the middle of its exchange (at RCPT TO)
    held, release = threading.Event(), threading.Event()
    third = team[2].email

    def hold(address: str) -> None:
        if address == third and not held.is_set():
            held.set()
            release.wait(30)

    worker_env.on_rcpt = hold
    with celery_worker("notifications") as (proc, _):
        notify(tenant, kind="coach_alert", title="Cash runway below 60 days")
        assert held.wait(30)
        # when the worker is killed while sending it
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    release.set()
    assert len(worker_env.messages) == 2
    assert Delivery.objects.filter(status=DeliveryStatus.SENDING).count() == 1

    # then another worker, once the dead one's lease ran out, sends the rest: each email once
    with celery_worker("notifications"):
        until(
            lambda: (
                Delivery.objects.filter(
                    status=DeliveryStatus.SENDING, lease_until__gt=_now()
                ).count()
                == 0
            )
        )
        sweep_deliveries.delay()
        worker_env.wait_for(5)
        until(lambda: Delivery.objects.filter(status=DeliveryStatus.SENT).count() == 5)
        sweep_deliveries.delay().get(timeout=10)  # a later sweep finds nothing to send
    recipients = [str(m["To"]) for m in worker_env.messages]
    assert sorted(recipients) == sorted(p.email for p in team)
    assert len(set(recipients)) == 5


def test_a_receiver_answering_500_three_times_then_200_gets_the_event_once(
    tenant, team, worker_env, http_receiver
):
    http_receiver.statuses = [500, 500, 500, 200]
    secret = new_secret()
    dest = Destination.objects.create(
        tenant=tenant,
        kind="webhook",
        url=http_receiver.url,
        secret=secret,
        events=["alert.created"],
    )
    with celery_worker("notifications"):
        notify(tenant, kind="coach_alert", title="Cash runway below 60 days")
        requests = http_receiver.wait_for(4)
        until(lambda: Delivery.objects.get(destination=dest).status == DeliveryStatus.SENT)
        sweep_deliveries.delay().get(timeout=10)
    assert [r.status for r in requests] == [500, 500, 500, 200]
    assert len(http_receiver.requests) == 4
    assert len({json.loads(r.body)["id"] for r in requests}) == 1
    for r in requests:
        verify_signature(secret, r.headers[SIGNATURE_HEADER], r.body)
    row = Delivery.objects.get(destination=dest)
    assert (row.attempts, row.response_code) == (4, 200)


def _now():
    from django.utils import timezone

    return timezone.now()
