"""Slack and webhook destinations on the console's Settings page, in a real browser against daphne
and a real Celery worker: a bad URL is refused at its field, a webhook is added and its secret
shown once, a test event reaches a local receiver signed with that secret and shows in the
delivery log (status, code, attempts), then it is turned off and deleted."""

from __future__ import annotations

import io
import json

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from gateway.models import Tenant
from notifications.models import Destination
from notifications.webhooks import SIGNATURE_HEADER, verify_signature
from tests.e2e.a11y import check_accessibility
from tests.e2e.conftest import off_loop
from tests.e2e.test_console import login
from tests.notifications.receivers import Receiver, http_receiver  # noqa: F401 - fixture
from tests.processes import celery_worker, daphne_server, free_port

pytestmark = [pytest.mark.e2e, pytest.mark.services]

SECTION = "#settings-destinations"
FORM = "form[data-name=new-destination]"


def _harbor() -> str:
    call_command("seed_demo", stdout=io.StringIO())
    get_user_model().objects.get(username="demo")
    return str(Tenant.objects.get(name="Harbor Coffee Roasters").pk)


def test_an_owner_adds_a_webhook_tests_it_and_reads_the_log(
    transactional_db,
    browser,
    shot,
    monkeypatch,
    http_receiver: Receiver,  # noqa: F811
):
    monkeypatch.setenv("COACH_WEBHOOK_ALLOW_PRIVATE", "true")  # the receiver is on loopback
    harbor = off_loop(_harbor)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    page = browser.pages[0] if browser.pages else browser.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    with daphne_server(port), celery_worker("notifications"):
        login(page, base, harbor)
        page.click("#nav a[data-page=settings]")
        page.wait_for_selector(f"{SECTION} :text('No destinations yet.')")

        # a Slack URL that is no URL: the API's 400 at the field, nothing saved
        page.select_option("#dest-kind", "slack")
        page.fill("#dest-url", "not a url")
        page.click(f"{FORM} button[type=submit]")
        page.wait_for_selector("#dest-url-error:not([hidden])")
        assert page.get_attribute("#dest-url", "aria-invalid") == "true"
        assert off_loop(lambda: Destination.objects.filter(tenant_id=harbor).count()) == 0
        errors.clear()  # the browser logs the 400 it was shown

        # a webhook: added, its signing secret shown once
        page.select_option("#dest-kind", "webhook")
        page.fill("#dest-name", "Books sync")
        page.fill("#dest-url", http_receiver.url)
        page.click(f"{FORM} button[type=submit]")
        page.wait_for_selector("#dest-secret")
        secret = page.input_value("#dest-secret")
        assert secret
        row = f"{SECTION} .destination[data-kind=webhook]"
        page.wait_for_selector(f"{row}:has-text('Books sync')")
        check_accessibility(page, "settings with a destination")
        shot(page, "47-settings-destinations", full_page=True)

        # a test event: it reaches the receiver, signed with that secret, and shows in the log
        page.click(f"{row} [data-action=test]")
        received = http_receiver.wait_for(1)
        body = received[0].body
        verify_signature(secret, received[0].headers[SIGNATURE_HEADER], body)
        assert json.loads(body)["type"] == "test"
        for _ in range(100):
            page.click(f"{row} button:has-text('Refresh log')")
            if page.query_selector(f"{row} tr[data-status=sent]"):
                break
            page.wait_for_timeout(100)
        cells = page.eval_on_selector_all(
            f"{row} tr[data-status=sent] td", "cells => cells.map(c => c.textContent)"
        )
        assert cells[:4] == ["test", "Sent", "200", "1"]  # event, status, code, attempts
        check_accessibility(page, "settings with a delivery log")
        shot(page, "48-settings-delivery-log", full_page=True)

        # turned off, then deleted after asking
        page.click(f"{row} [data-action=toggle]")
        page.wait_for_selector(f"{row} [data-action=toggle]:has-text('Turn on')")
        assert off_loop(lambda: Destination.objects.get(tenant_id=harbor).enabled) is False
        page.click(f"{row} [data-action=delete]")
        page.click(f"{row} .confirm-inline button:has-text('Yes')")
        page.wait_for_selector(row, state="detached")
        assert off_loop(lambda: Destination.objects.filter(tenant_id=harbor).count()) == 0
    assert errors == []
