"""Channels out: alert emails and quiet hours, preferences per channel, destinations, signed
webhooks and Slack, the delivery log, URL checks, auto-disable; against a real SMTP server and a
real HTTP receiver, in the test process."""

from __future__ import annotations

import json
from datetime import UTC, datetime, time, timedelta

import pytest
import time_machine
from django.utils import timezone

from gateway.models import Role
from notifications import channels, delivery, webhooks
from notifications.models import (
    Delivery,
    DeliveryStatus,
    Destination,
    Inbox,
    LiveConnection,
    Notification,
)
from notifications.services import notify
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def smtp(settings, smtp_server):
    port, inbox = smtp_server
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    return inbox


@pytest.fixture
def private_ok(settings):
    settings.COACH_WEBHOOK_ALLOW_PRIVATE = True
    settings.NOTIFICATIONS_RETRY_BASE_SECONDS = 0.01


@pytest.fixture
def members(tenant, alice, bob, add_member):
    alice.email, bob.email = "alice@example.com", "bob@example.com"
    alice.save()
    bob.save()
    add_member(tenant, bob)
    return alice, bob


def send_due() -> dict[str, int]:
    return delivery.send(delivery.due_ids())


def destination(tenant, url: str, kind: str = "webhook", **fields) -> tuple[Destination, str]:
    secret = webhooks.new_secret() if kind == "webhook" else ""
    dest = Destination.objects.create(
        tenant=tenant,
        kind=kind,
        url=url,
        secret=secret,
        events=["insight.created", "alert.created", "plan.due"],
        **fields,
    )
    return dest, secret


# --- alert emails -----------------------------------------------------------------------------


def test_an_urgent_alert_is_emailed_once_to_members_who_are_not_connected(tenant, members, smtp):
    _, bob = members
    # given Bob has the console open (a live connection) and Alice does not
    LiveConnection.objects.create(
        tenant=tenant, user=bob, server="s", channel_name="c", last_seen=timezone.now()
    )
    notify(tenant, kind="coach_alert", title="Cash runway below 60 days", body="Act now.")
    notify(tenant, kind="info", title="Not emailed: info is not an email kind by default")

    send_due()
    send_due()  # a second sender finds nothing left to send

    emails = smtp.wait_for(1)
    assert [str(m["To"]) for m in emails] == ["alice@example.com"]
    assert emails[0]["Subject"] == "Alice Bakery: Cash runway below 60 days"
    assert emails[0]["X-Coach-Email"] == "coach_alert"
    assert Delivery.objects.get().status == DeliveryStatus.SENT


def test_quiet_hours_hold_the_urgent_email_until_they_end(tenant, members, smtp):
    alice, _ = members
    # given Alice's quiet hours are 22:00-07:00 in New York, and it is 23:00 there (EST)
    Inbox.objects.create(tenant=tenant, user=alice, quiet_start=time(22), quiet_end=time(7))
    night = datetime(2026, 1, 15, 4, 0, tzinfo=UTC)
    with time_machine.travel(night, tick=False):
        notify(tenant, kind="coach_alert", title="Cash runway below 60 days", users=[alice])
    held = Delivery.objects.get(user=alice)
    assert held.next_attempt_at == datetime(2026, 1, 15, 12, 0, tzinfo=UTC)  # 07:00 EST

    # when the sweep runs during the night, nothing goes out
    with time_machine.travel(datetime(2026, 1, 15, 11, 59, tzinfo=UTC)):
        assert send_due()["sent"] == 0
    assert smtp.messages == []

    # then at the end of quiet hours it is sent, once
    with time_machine.travel(datetime(2026, 1, 15, 12, 0, 30, tzinfo=UTC)):
        assert send_due()["sent"] == 1
    assert [str(m["To"]) for m in smtp.wait_for(1)] == ["alice@example.com"]


def test_a_member_may_get_urgent_alerts_during_quiet_hours(tenant, members, smtp):
    alice, _ = members
    Inbox.objects.create(tenant=tenant, user=alice, quiet_start=time(22), quiet_end=time(7))
    channels.update(tenant, alice.pk, urgent_in_quiet_hours=True)
    night = datetime(2026, 1, 15, 4, 0, tzinfo=UTC)
    with time_machine.travel(night, tick=False):
        notify(tenant, kind="coach_alert", title="Cash runway below 60 days", users=[alice])
        notify(tenant, kind="warning", title="Not urgent: waits", users=[alice])
    channels.update(tenant, alice.pk, email_kinds=["coach_alert", "warning"])
    assert Delivery.objects.get(user=alice).next_attempt_at == night


def test_quiet_hours_end_at_the_local_time_across_a_dst_change():
    # 01:00-07:00 in New York on the night the clocks go forward (8 March 2026)
    at = datetime(2026, 3, 8, 6, 30, tzinfo=UTC)  # 01:30 EST
    ends = channels.quiet_until(at, "America/New_York", time(1), time(7))
    assert ends == datetime(2026, 3, 8, 11, 0, tzinfo=UTC)  # 07:00 EDT, UTC-4
    assert channels.quiet_until(at, "America/New_York", time(2), time(3)) is None


# --- preferences per channel ------------------------------------------------------------------


def test_tenant_defaults_apply_until_a_member_overrides_them(tenant, members):
    alice, bob = members
    bobs = client_for(bob)
    # the owner sets the tenant's default: the morning email weekly, and warnings by email
    answer = client_for(alice).patch(
        f"/v1/tenants/{tenant.pk}/notifications/preferences/tenant/",
        {"digest": "weekly", "email_kinds": ["warning", "coach_alert"]},
        format="json",
    )
    assert answer.status_code == 200, answer.content
    mine = bobs.get(f"/v1/tenants/{tenant.pk}/notifications/preferences/channels/").json()
    assert mine["effective"]["digest"] == "weekly"
    assert mine["own"]["digest"] is None

    # Bob overrides the digest, then goes back to the default with null
    url = f"/v1/tenants/{tenant.pk}/notifications/preferences/channels/"
    assert (
        bobs.patch(url, {"digest": "daily"}, format="json").json()["effective"]["digest"] == "daily"
    )
    assert (
        bobs.patch(url, {"digest": None}, format="json").json()["effective"]["digest"] == "weekly"
    )
    assert channels.effective(tenant, bob.pk)["email_kinds"] == ["warning", "coach_alert"]

    # a member may not change the tenant's defaults; bad values are a 400 naming the field
    refused = bobs.patch(
        f"/v1/tenants/{tenant.pk}/notifications/preferences/tenant/",
        {"digest": "off"},
        format="json",
    )
    assert refused.status_code == 403
    bad = bobs.patch(url, {"digest_weekday": 9, "email_kinds": ["nope"]}, format="json")
    assert bad.status_code == 400
    assert set(bad.json()["errors"]) >= {"digest_weekday", "email_kinds"}


# --- destinations and signed webhooks ---------------------------------------------------------


def test_a_destination_is_created_with_its_secret_shown_once(
    tenant, alice, private_ok, http_receiver
):
    api = client_for(alice)
    url = f"/v1/tenants/{tenant.pk}/notifications/destinations/"
    created = api.post(url, {"kind": "webhook", "url": http_receiver.url}, format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["secret"].startswith("whsec_")
    assert body["events"] == ["insight.created", "alert.created", "plan.due"]
    assert created["Cache-Control"] == "no-store"
    again = api.get(f"{url}{body['id']}/").json()
    assert "secret" not in again
    assert "secret" not in api.get(url).json()[0]


def test_the_webhook_signature_verifies_and_a_replayed_timestamp_is_rejected(
    tenant, members, private_ok, http_receiver
):
    _, secret = destination(tenant, http_receiver.url)
    notify(tenant, kind="coach_alert", title="Cash runway below 60 days")
    send_due()

    request = http_receiver.wait_for(1)[0]
    header = request.headers[webhooks.SIGNATURE_HEADER]
    stamp = webhooks.verify_signature(secret, header, request.body)
    event = json.loads(request.body)
    assert event["type"] == "alert.created"
    assert event["data"]["title"] == "Cash runway below 60 days"
    assert event["tenant"]["id"] == str(tenant.pk)
    assert request.headers["Coach-Event-Id"] == event["id"]

    # a captured request replayed ten minutes later is refused, as is a changed body or secret
    with pytest.raises(webhooks.SignatureError, match="old"):
        webhooks.verify_signature(secret, header, request.body, now=stamp + 600)
    with pytest.raises(webhooks.SignatureError, match="does not match"):
        webhooks.verify_signature(secret, header, request.body + b" ")
    with pytest.raises(webhooks.SignatureError, match="does not match"):
        webhooks.verify_signature(webhooks.new_secret(), header, request.body)


def test_slack_gets_blocks(tenant, members, private_ok, http_receiver):
    destination(tenant, http_receiver.url, kind="slack")
    notify(tenant, kind="coach_alert", title="Cash runway below 60 days", body="Act <now> & save.")
    send_due()
    message = json.loads(http_receiver.wait_for(1)[0].body)
    assert message["text"] == "Alice Bakery: Cash runway below 60 days"
    assert message["blocks"][0]["type"] == "section"
    assert "Act &lt;now&gt; &amp; save." in message["blocks"][1]["text"]["text"]
    assert webhooks.SIGNATURE_HEADER not in http_receiver.requests[0].headers


def test_a_receiver_failing_three_times_gets_the_event_once(
    tenant, members, private_ok, http_receiver
):
    http_receiver.statuses = [500, 500, 500, 200]
    dest, _ = destination(tenant, http_receiver.url)
    notify(tenant, kind="coach_alert", title="Cash runway below 60 days")

    for _ in range(10):  # the sweep, as Beat runs it; the backoff is shortened for the test
        send_due()
        if len(http_receiver.requests) >= 4:
            break
        Delivery.objects.filter(status=DeliveryStatus.PENDING).update(
            next_attempt_at=timezone.now()
        )

    requests = http_receiver.wait_for(4)
    assert [r.status for r in requests] == [500, 500, 500, 200]
    assert len({json.loads(r.body)["id"] for r in requests}) == 1  # the same event each time
    send_due()
    assert len(http_receiver.requests) == 4
    row = Delivery.objects.get(destination=dest)
    assert (row.status, row.attempts, row.response_code) == ("sent", 4, 200)
    dest.refresh_from_db()
    assert dest.consecutive_failures == 0


def test_retries_back_off_exponentially_over_hours(settings):
    settings.NOTIFICATIONS_RETRY_BASE_SECONDS = 60
    delays = [delivery.backoff(n, jitter=False) for n in range(1, 8)]
    assert delays[:4] == [60, 240, 960, 3840]
    assert delays[-1] == 6 * 3600
    assert sum(delays) > 12 * 3600


def test_a_destination_failing_again_and_again_is_disabled_and_the_owner_told(
    tenant, members, private_ok, http_receiver, settings
):
    settings.NOTIFICATIONS_DISABLE_AFTER = 3
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 2
    http_receiver.statuses = [503]
    dest, _ = destination(tenant, http_receiver.url, name="Ops hook")
    notify(tenant, kind="coach_alert", title="One")
    notify(tenant, kind="coach_alert", title="Two")
    for _ in range(4):
        send_due()
        Delivery.objects.filter(status=DeliveryStatus.PENDING).update(
            next_attempt_at=timezone.now()
        )

    dest.refresh_from_db()
    assert not dest.enabled
    assert "3 failed attempts" in dest.disabled_reason
    alice, _ = members
    told = Notification.objects.filter(kind="error", title__contains="Ops hook")
    assert list(told.values_list("user_id", flat=True)) == [alice.pk]  # the owner only
    assert len(http_receiver.requests) == 3  # nothing more once disabled


def test_send_test_event_and_the_delivery_log(
    tenant, alice, private_ok, http_receiver, django_capture_on_commit_callbacks
):
    dest, secret = destination(tenant, http_receiver.url)
    api = client_for(alice)
    base = f"/v1/tenants/{tenant.pk}/notifications/destinations/{dest.pk}"
    answer = api.post(f"{base}/test/")
    assert answer.status_code == 202
    send_due()
    request = http_receiver.wait_for(1)[0]
    assert json.loads(request.body)["type"] == "test"
    webhooks.verify_signature(secret, request.headers[webhooks.SIGNATURE_HEADER], request.body)
    log = api.get(f"{base}/deliveries/").json()
    assert log["count"] == 1
    entry = log["results"][0]
    assert (entry["event"], entry["status"], entry["response_code"], entry["attempts"]) == (
        "test",
        "sent",
        200,
        1,
    )


def test_another_tenants_destinations_and_logs_answer_404(
    tenant, other_tenant, alice, bob, private_ok, http_receiver
):
    theirs, _ = destination(other_tenant, http_receiver.url)
    api = client_for(alice)
    for path in (
        f"/v1/tenants/{other_tenant.pk}/notifications/destinations/",
        f"/v1/tenants/{other_tenant.pk}/notifications/destinations/{theirs.pk}/",
        f"/v1/tenants/{other_tenant.pk}/notifications/destinations/{theirs.pk}/deliveries/",
        f"/v1/tenants/{tenant.pk}/notifications/destinations/{theirs.pk}/",
        f"/v1/tenants/{tenant.pk}/notifications/destinations/{theirs.pk}/deliveries/",
    ):
        assert api.get(path).status_code == 404, path
    assert (
        api.post(
            f"/v1/tenants/{tenant.pk}/notifications/destinations/{theirs.pk}/test/"
        ).status_code
        == 404
    )
    assert (
        api.delete(f"/v1/tenants/{tenant.pk}/notifications/destinations/{theirs.pk}/").status_code
        == 404
    )
    assert Destination.objects.filter(pk=theirs.pk).exists()


def test_a_plain_member_cannot_see_destinations(tenant, bob, add_member, private_ok, http_receiver):
    add_member(tenant, bob, Role.MEMBER)
    destination(tenant, http_receiver.url)
    assert (
        client_for(bob).get(f"/v1/tenants/{tenant.pk}/notifications/destinations/").status_code
        == 404
    )


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("http://127.0.0.1:9/hook", "loopback or private"),
        ("https://10.1.2.3/hook", "loopback or private"),
        ("https://169.254.169.254/latest/meta-data", "loopback or private"),
        ("https://[::1]/hook", "loopback or private"),
        ("https://localhost/hook", "loopback or private"),
        ("ftp://example.com/x", "must start with"),
        ("https://user:pw@example.com/x", "user name or password"),
    ],
)
def test_destination_urls_are_checked(tenant, alice, url, problem):
    answer = client_for(alice).post(
        f"/v1/tenants/{tenant.pk}/notifications/destinations/",
        {"kind": "webhook", "url": url},
        format="json",
    )
    assert answer.status_code == 400
    assert problem in answer.json()["errors"]["url"][0]
    assert not Destination.objects.exists()


def test_https_only_in_production_even_when_private_addresses_are_allowed():
    with pytest.raises(webhooks.UnsafeURL, match="https://"):
        webhooks.check_url("http://127.0.0.1/hook", allow_private=True, production=True)
    assert webhooks.check_url("https://127.0.0.1/hook", allow_private=True, production=True)


def test_the_check_is_made_again_before_each_post(tenant, members, settings, http_receiver):
    # a destination saved while private addresses were allowed, then the setting is turned off
    settings.COACH_WEBHOOK_ALLOW_PRIVATE = True
    dest, _ = destination(tenant, http_receiver.url)
    settings.COACH_WEBHOOK_ALLOW_PRIVATE = False
    notify(tenant, kind="coach_alert", title="Cash runway below 60 days")
    send_due()
    assert http_receiver.requests == []
    assert "loopback or private" in Delivery.objects.get(destination=dest).error


def test_events_are_queued_once_per_destination_and_key(tenant, members, private_ok, http_receiver):
    destination(tenant, http_receiver.url)
    notify(tenant, kind="info", title="Due tomorrow", event="plan.due", key="plan.due:1:2026-03-08")
    notify(tenant, kind="info", title="Due tomorrow", event="plan.due", key="plan.due:1:2026-03-08")
    assert Notification.objects.filter(title="Due tomorrow").count() == 2  # one per member, once
    assert Delivery.objects.filter(event="plan.due").count() == 1
    send_due()
    assert json.loads(http_receiver.wait_for(1)[0].body)["type"] == "plan.due"


def test_a_lease_that_ran_out_is_taken_over_and_a_sent_delivery_never_again(tenant, members, smtp):
    notify(tenant, kind="coach_alert", title="Cash runway below 60 days")
    row = Delivery.objects.filter(user__isnull=False).first()
    claimed = delivery.claim(row.pk)
    assert claimed is not None
    assert delivery.claim(row.pk) is None  # held by the first sender
    Delivery.objects.filter(pk=row.pk).update(lease_until=timezone.now() - timedelta(seconds=1))
    assert delivery.send([row.pk])["sent"] == 1  # the first sender died: another one sends it
    assert delivery.send([row.pk])["skipped"] == 1
