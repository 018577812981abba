"""Notification settings in the console, in a real browser: the member's own choices per channel,
an error shown at its field, and the team's defaults for an owner."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from gateway.models import Tenant
from notifications import channels
from notifications.models import Inbox
from tests.e2e.conftest import off_loop
from tests.e2e.test_console import login
from tests.processes import daphne_server, free_port

pytestmark = [pytest.mark.e2e, pytest.mark.services]


def _harbor() -> tuple[Tenant, int]:
    call_command("seed_demo", stdout=io.StringIO())
    demo = get_user_model().objects.get(username="demo")
    return Tenant.objects.get(name="Harbor Coffee Roasters"), demo.pk


def test_a_member_sets_channels_and_the_owner_the_team_defaults(transactional_db, browser, shot):
    harbor, demo = off_loop(_harbor)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    page = browser.pages[0] if browser.pages else browser.new_page()
    with daphne_server(port):
        login(page, base, str(harbor.pk))
        page.click("#bell")
        page.click("#notification-settings")
        form = "form[data-name=notification-settings]"
        page.wait_for_selector(form)
        assert page.is_visible(f"{form} h3:has-text('Team defaults')")  # demo owns Harbor
        shot(page, "30-notification-settings")

        # a quiet hour with no end: the API's 400 is shown at the field, nothing closes
        page.fill(f"{form} [name=quiet_start]", "22:00")
        page.click(f"{form} button[type=submit]")
        page.wait_for_selector(f"{form} [data-field=quiet_end] .field-error:not([hidden])")
        shot(page, "31-notification-settings-error")

        # the whole form: quiet hours, the morning email weekly on Friday, warnings by email,
        # and the team's default for urgent alerts in quiet hours
        page.fill(f"{form} [name=quiet_end]", "07:00")
        page.uncheck(f"{form} [name=inherit_kinds]")
        page.check(f"{form} [name=email_kinds][value=warning]")
        page.select_option(f"{form} [name=digest]", "weekly")
        page.select_option(f"{form} [name=digest_weekday]", "4")
        page.select_option(f"{form} [name=team_urgent_in_quiet_hours]", "true")
        page.click(f"{form} button[type=submit]")
        page.wait_for_selector("#modal", state="hidden")

    mine = off_loop(lambda: channels.effective(harbor, demo))
    assert mine["digest"] == "weekly"
    assert mine["digest_weekday"] == 4
    assert "warning" in mine["email_kinds"]
    assert mine["urgent_in_quiet_hours"] is True  # inherited from the team's new default
    quiet = off_loop(lambda: Inbox.objects.get(tenant=harbor, user_id=demo))
    assert (str(quiet.quiet_start), str(quiet.quiet_end)) == ("22:00:00", "07:00:00")
    assert off_loop(lambda: channels.stored(harbor, None))["urgent_in_quiet_hours"] is True
