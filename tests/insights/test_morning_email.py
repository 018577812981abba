"""The morning email: composed by the daily pipeline, sent by notifications over real SMTP."""

from __future__ import annotations

from datetime import UTC, date, datetime
from urllib.parse import urlsplit

import pytest
from django.test import Client

from insights.models import InsightSchedule
from notifications import channels, delivery
from notifications.models import Delivery, DeliveryStatus, Event

pytestmark = pytest.mark.django_db


@pytest.fixture
def smtp(settings, smtp_server):
    """Django's SMTP backend pointed at the test's SMTP server; yields what it receives."""
    port, inbox = smtp_server
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.COACH_PUBLIC_URL = "https://coach.example"
    return inbox


@pytest.fixture
def bakery(make_tenant, books, alice, bob, add_member):
    """A New York business in a cash crunch with two members who have email addresses, due
    on Saturday 7 March 2026, the day before the clocks go forward."""
    alice.email, bob.email = "alice@example.com", "bob@example.com"
    alice.save()
    bob.save()
    tenant = make_tenant("America/New_York", 6)
    add_member(tenant, bob)
    books(tenant, "cash_crunch")
    InsightSchedule.objects.filter(tenant=tenant).update(
        next_run_at=datetime(2026, 3, 7, 11, 0, tzinfo=UTC), last_local_date=date(2026, 3, 6)
    )
    return tenant


def send_due() -> dict[str, int]:
    """What the notifications queue does after commit, here in the test process."""
    return delivery.send(delivery.due_ids())


def test_the_morning_email_arrives_once_per_member_after_the_insight_across_dst(
    bakery, replay, smtp
):
    # given 05:30 in New York on Saturday (EST, UTC-5): before the insight hour
    replay(datetime(2026, 3, 7, 10, 30, tzinfo=UTC))
    send_due()
    assert smtp.of_kind("digest") == []

    # when the morning passes 06:00 local, the insight is written and the emails go out
    replay(datetime(2026, 3, 7, 11, 5, tzinfo=UTC))
    send_due()
    saturday = smtp.wait_for(2, "digest")
    assert sorted(str(m["To"]) for m in saturday) == ["alice@example.com", "bob@example.com"]
    assert all("2026-03-07" in m["Subject"] for m in saturday)

    # on Sunday the clocks went forward (EDT, UTC-4): 06:05 local is 10:05 UTC, an hour earlier
    replay(datetime(2026, 3, 8, 10, 5, tzinfo=UTC))
    send_due()
    both = smtp.wait_for(4, "digest")
    assert sorted(str(m["To"]) for m in both[2:]) == ["alice@example.com", "bob@example.com"]
    assert all("2026-03-08" in m["Subject"] for m in both[2:])

    # and a second pass the same morning, or the same deliveries sent again, send nothing more
    replay(datetime(2026, 3, 8, 10, 35, tzinfo=UTC))
    assert send_due()["sent"] == 0
    assert delivery.send(Delivery.objects.values_list("pk", flat=True))["sent"] == 0
    assert len(smtp.of_kind("digest")) == 4
    assert len(smtp.to("alice@example.com", "digest")) == 2


def test_the_email_says_the_score_the_advice_in_the_tenants_currency_with_unsubscribe(
    bakery, replay, smtp
):
    bakery.currency = "GBP"
    bakery.save()
    replay(datetime(2026, 3, 7, 11, 5, tzinfo=UTC))
    send_due()
    message = smtp.wait_for(2, "digest")[0]

    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "Health score:" in text
    assert "What to do next:" in text
    assert "£" in text  # the tenant's currency
    assert "$" not in text
    assert "https://coach.example/#tenant=" in html
    # one-click unsubscribe: a signed link in the body and the RFC 8058 headers
    link = str(message["List-Unsubscribe"]).strip().strip("<>")
    assert link.startswith("https://coach.example/email/unsubscribe/")
    assert link in text
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["Message-ID"].startswith("<coach-delivery-")


def test_a_member_who_unsubscribed_gets_nothing(bakery, replay, smtp, bob):
    replay(datetime(2026, 3, 7, 11, 5, tzinfo=UTC))
    send_due()
    smtp.wait_for(2, "digest")
    bobs = smtp.to("bob@example.com", "digest")[0]
    path = urlsplit(str(bobs["List-Unsubscribe"]).strip().strip("<>")).path

    # a link scanner's GET changes nothing; the mail client's one-click POST unsubscribes
    anonymous = Client()
    assert anonymous.get(path).status_code == 200
    assert channels.effective(bakery, bob.pk)["digest"] == "daily"
    answer = anonymous.post(
        path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert answer.status_code == 200
    assert b"Unsubscribed" in answer.content
    assert channels.effective(bakery, bob.pk)["digest"] == "off"

    # a forged or altered token is refused
    assert anonymous.post(path[:-5] + "xxxx/").status_code == 404

    replay(datetime(2026, 3, 8, 10, 5, tzinfo=UTC))
    send_due()
    assert len(smtp.to("bob@example.com", "digest")) == 1
    assert len(smtp.to("alice@example.com", "digest")) == 2


def test_unsubscribing_after_the_email_was_queued_cancels_it(bakery, replay, smtp, bob):
    replay(datetime(2026, 3, 7, 11, 5, tzinfo=UTC))
    channels.unsubscribe(bakery, bob.pk, channels.DIGEST)
    send_due()
    assert [str(m["To"]) for m in smtp.wait_for(1, "digest")] == ["alice@example.com"]
    bobs = Delivery.objects.get(user=bob, event=Event.DIGEST)
    assert bobs.status == DeliveryStatus.CANCELLED


def test_weekly_instead_of_daily_is_a_preference(bakery, replay, smtp, bob):
    # Bob wants it weekly, on Sundays (6); the tenant's default stays daily
    channels.update(bakery, bob.pk, digest="weekly", digest_weekday=6)
    replay(datetime(2026, 3, 7, 11, 5, tzinfo=UTC))  # a Saturday
    replay(datetime(2026, 3, 8, 10, 5, tzinfo=UTC))  # a Sunday
    send_due()
    smtp.wait_for(3, "digest")
    assert len(smtp.to("alice@example.com", "digest")) == 2
    assert ["2026-03-08" in m["Subject"] for m in smtp.to("bob@example.com", "digest")] == [True]


def test_a_replayed_past_day_sends_no_morning_email(bakery, replay, smtp):
    replay(datetime(2026, 3, 7, 11, 5, tzinfo=UTC))
    assert Delivery.objects.filter(event=Event.DIGEST).count() == 2
    from insights import daily
    from insights.pipeline.write import Mode

    daily.run_batch([(bakery.pk, date(2026, 3, 1))], mode=Mode.HISTORY)
    assert Delivery.objects.filter(event=Event.DIGEST).count() == 2


def test_the_email_gives_the_forecasts_breach_date_when_there_is_one(bakery, replay, smtp):
    from insights.forecast.store import compute

    compute(bakery)  # the cash crunch's forecast, stored for its books
    replay(datetime(2026, 3, 7, 11, 5, tzinfo=UTC))
    digest = Delivery.objects.filter(event=Event.DIGEST).first()
    assert digest is not None
    breach = digest.payload["forecast_breach_date"]
    assert breach is not None
    send_due()
    text = smtp.wait_for(2, "digest")[0].get_body(preferencelist=("plain",)).get_content()
    assert f"falls below your buffer on {breach}" in text
