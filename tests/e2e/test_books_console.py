"""The API's member endpoints that had no place in the console, in a real browser: the Books
page's monthly figures (a bad value shown at its field and nothing saved, then a good one: the
table and today's score follow; a viewer reads without edit controls), a new business (the
caller lands on its empty dashboard, which points to "Add your books"), what the team told Coach
(feedback given through the API, summed up in the Settings page), and a past day's insight
opened from the dashboard. Each screen at 1280 and 390 px with the accessibility check."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect
from rest_framework.test import APIClient

from coach.catalog.registry import catalog_listing
from coach.models import Recommendation
from feedback.models import Feedback
from gateway.models import Membership, Role, Tenant
from gateway.services import create_tenant
from insights.daily import run_batch, run_today
from insights.demo_data import story_periods
from insights.financials import upsert_periods
from insights.management.commands.seed_demo import last_full_month
from insights.models import FinancialPeriod, Insight
from tests.e2e.conftest import off_loop, watch
from tests.e2e.test_imports_console import PASSWORD, _login
from tests.e2e.test_screens import both_widths, unexpected
from tests.processes import daphne_server

pytestmark = [pytest.mark.e2e, pytest.mark.services]

PAST_DAYS = (9, 6, 3)


def _fits_a_phone(page: Any) -> None:
    """At 390 px the page itself does not scroll sideways (only a table's own box may)."""
    page.set_viewport_size({"width": 390, "height": 844})
    width = page.evaluate("() => document.documentElement.scrollWidth")
    page.set_viewport_size({"width": 1280, "height": 900})
    assert width <= 390, width


def _alfama(owner_name: str) -> dict[str, Any]:
    """A bike shop with 24 months of books, a few earlier insights on healthy books and today's
    on a cash crunch (so the days differ), its owner and a viewer."""
    users = get_user_model().objects
    owner = users.create_user(username=owner_name, password=PASSWORD)
    viewer = users.create_user(username=f"{owner_name}-viewer", password=PASSWORD)
    tenant = create_tenant(owner, name="Alfama Bikes", timezone="Europe/Lisbon", currency="EUR")
    Membership.objects.create(user=viewer, tenant=tenant, role=Role.VIEWER)
    last = last_full_month(tenant)
    today = tenant.local_today()
    upsert_periods(tenant, story_periods("healthy", last))
    for days_ago in PAST_DAYS:
        run_batch([(tenant.pk, today - timedelta(days=days_ago))])
    upsert_periods(tenant, story_periods("cash_crunch", last))
    run_today(tenant)
    return {"tenant": str(tenant.pk), "owner": owner.pk, "viewer": viewer.username, "last": last}


def _period(tenant_id: str, month: date) -> dict[str, Any]:
    return dict(FinancialPeriod.objects.filter(tenant_id=tenant_id, month=month).values().get())


def _today(tenant_id: str) -> Insight:
    tenant = Tenant.objects.get(pk=tenant_id)
    return Insight.objects.get(tenant=tenant, local_date=tenant.local_today())


def test_a_month_with_a_bad_value_then_a_good_one_and_a_viewer_reads_only(
    transactional_db, browser
) -> None:
    given = off_loop(_alfama, "figures")
    tenant_id, last = given["tenant"], given["last"]
    key = f"{last:%Y-%m}"
    before = off_loop(_period, tenant_id, last)
    rescored_before = off_loop(_today, tenant_id).regeneration_count
    page = browser.pages[0] if browser.pages else browser.new_page()
    errors = watch(page, [])
    figures = "[data-testid=figures]"
    dialog = "dialog[data-name=month-figures]"

    with daphne_server() as (_, port):
        base = f"http://127.0.0.1:{port}"
        _login(page, base, tenant_id, "figures")
        page.click("#nav a[data-page=books]")
        page.wait_for_selector(f"{figures} tbody tr[data-month='{key}']")
        # newest first, 12 at first, each figure labelled in words, money in euros
        rows = page.eval_on_selector_all(
            f"{figures} tbody tr", "rows => rows.map(r => r.dataset.month)"
        )
        assert rows[0] == key
        assert len(rows) == 12
        assert rows == sorted(rows, reverse=True)
        headers = page.eval_on_selector_all(
            f"{figures} thead th", "ths => ths.map(t => t.textContent)"
        )
        assert headers[:4] == ["Month", "Revenue", "Cost of sales", "Operating expenses"]
        assert "Receivables" in headers
        assert "Cash balance" in headers
        assert "€" in page.inner_text(
            f"{figures} tbody tr[data-month='{key}'] td[data-field=revenue]"
        )
        assert page.get_attribute(f"{figures} .table-wrap", "tabindex") == "0"
        page.click(f"{figures} button:has-text('Show all 24 months')")
        assert page.locator(f"{figures} tbody tr").count() == 24
        page.click(f"{figures} button:has-text('Show the last 12 months')")
        both_widths(page, "60-books-figures")

        # a thousands separator: the API's 400 at the field, nothing saved
        page.click(f"{figures} button.edit-month[data-month='{key}']")
        page.wait_for_selector(dialog)
        assert page.input_value("#figure-revenue") == before["revenue"].to_eng_string()
        page.fill("#figure-revenue", "12,500")
        page.click(f"{dialog} button[type=submit]")
        page.wait_for_selector("#figure-revenue-error:not([hidden])")
        assert "plain decimal number" in page.inner_text("#figure-revenue-error")
        assert page.get_attribute("#figure-revenue", "aria-invalid") == "true"
        expect(page.locator("#figure-revenue")).to_be_focused()
        assert "Nothing was saved" in page.inner_text(f"{dialog} .form-error")
        both_widths(page, "61-books-figures-error", full_page=False)

        # payroll above the operating expenses: the rule spanning fields, named in words
        page.fill("#figure-revenue", "12500")
        page.fill("#figure-payroll", str(before["operating_expenses"] + 1))
        page.click(f"{dialog} button[type=submit]")
        page.wait_for_selector("#figure-payroll-error:not([hidden])")
        assert "must not exceed operating expenses" in page.inner_text("#figure-payroll-error")
        assert page.is_hidden("#figure-revenue-error")
        assert off_loop(_period, tenant_id, last) == before

        # good values; inventory emptied is unknown, not zero
        page.fill("#figure-payroll", before["payroll"].to_eng_string())
        page.fill("#figure-inventory_value", "")
        page.click(f"{dialog} button[type=submit]")
        page.wait_for_selector(dialog, state="hidden")
        status = "[data-testid=figures-status]"
        page.wait_for_selector(f"{status}:has-text('saved')")
        assert "Today's score is updated" in page.inner_text(status)
        row = f"{figures} tbody tr[data-month='{key}']"
        assert "12,500" in page.inner_text(f"{row} td[data-field=revenue]")
        assert page.inner_text(f"{row} td[data-field=inventory_value]").startswith("—")
        expect(page.locator(f"{row} button.edit-month")).to_be_focused()
        both_widths(page, "62-books-figures-saved")
        _fits_a_phone(page)

        # an earlier month, added by hand
        page.click("#figures-add")
        page.wait_for_selector(dialog)
        earliest = off_loop(
            lambda: FinancialPeriod.objects.filter(tenant_id=tenant_id).earliest("month").month
        )
        added = (earliest - timedelta(days=1)).replace(day=1)
        page.fill("#figure-month", f"{added:%Y-%m}")
        page.fill("#figure-revenue", "8100.50")
        page.click(f"{dialog} button[type=submit]")
        page.wait_for_selector(f"{status}:has-text('added')")

        # the viewer: the same table, no edit controls
        page.click("#logout")
        page.wait_for_selector("#login-form")  # signed out before the address changes
        _login(page, base, tenant_id, given["viewer"])
        page.goto(f"{base}/#tenant={tenant_id}&page=books")
        page.wait_for_selector(f"{figures} tbody tr[data-month='{key}']")
        assert page.locator(f"{figures} button.edit-month").count() == 0
        assert page.is_hidden("#figures-add") if page.locator("#figures-add").count() else True
        both_widths(page, "63-books-figures-viewer")
        _fits_a_phone(page)

    after = off_loop(_period, tenant_id, last)
    assert after["revenue"] == Decimal("12500.00")
    assert after["inventory_value"] is None
    assert after["payroll"] == before["payroll"]
    assert after["cogs"] == before["cogs"]  # not sent, kept
    assert off_loop(_period, tenant_id, added)["revenue"] == Decimal("8100.50")
    assert off_loop(_today, tenant_id).regeneration_count > rescored_before
    assert unexpected(errors, r"400 POST /v1/tenants/[0-9a-f-]+/financials/") == [], errors


def test_a_new_business_opens_on_its_empty_dashboard(transactional_db, browser) -> None:
    given = off_loop(_alfama, "founder")
    page = browser.pages[0] if browser.pages else browser.new_page()
    errors = watch(page, [])
    form = "form[data-name=new-business]"
    with daphne_server() as (_, port):
        base = f"http://127.0.0.1:{port}"
        _login(page, base, given["tenant"], "founder")
        page.click("#new-business")
        page.wait_for_selector(form)
        expect(page.locator("#new-business-name")).to_be_focused()
        page.fill("#new-business-name", "Porto Ceramics")
        page.select_option("#new-business-timezone", "Europe/Lisbon")
        page.select_option("#new-business-insight_hour", "7")
        page.select_option("#new-business-industry", "retail")
        page.fill("#new-business-currency", "ABC")
        page.click(f"{form} button[type=submit]")
        page.wait_for_selector("#new-business-currency-error:not([hidden])")
        assert "ISO 4217" in page.inner_text("#new-business-currency-error")
        assert page.get_attribute("#new-business-currency", "aria-invalid") == "true"
        both_widths(page, "64-new-business-error", full_page=False)
        assert off_loop(lambda: Tenant.objects.filter(name="Porto Ceramics").exists()) is False

        page.fill("#new-business-currency", "eur")
        page.click(f"{form} button[type=submit]")
        page.wait_for_selector("h1:has-text('Porto Ceramics')")
        page.wait_for_selector(".empty-state [data-testid=add-books]")
        expect(page.locator("#dashboard h1")).to_be_focused()
        created = off_loop(lambda: Tenant.objects.get(name="Porto Ceramics"))
        assert f"tenant={created.pk}" in page.url
        assert page.input_value("#tenant-select") == str(created.pk)
        both_widths(page, "65-new-business-dashboard")
        page.click(".empty-state [data-testid=add-books]")
        page.wait_for_selector("h1:has-text('Add your books')")
        page.wait_for_selector("[data-testid=figures-empty]")

    assert (created.timezone, created.insight_hour, created.currency, created.industry) == (
        "Europe/Lisbon",
        7,
        "EUR",
        "retail",
    )
    role = off_loop(lambda: Membership.objects.get(tenant=created, user_id=given["owner"]).role)
    assert role == Role.OWNER
    assert (
        unexpected(
            errors,
            r"400 POST /v1/tenants/",
            r"404 GET /v1/tenants/[0-9a-f-]+/insights/latest/",
            r"404 GET /v1/tenants/[0-9a-f-]+/forecast/",
        )
        == []
    ), errors


def _feedback_through_the_api(tenant_id: str, owner: int) -> str:
    """The owner's feedback on today's most urgent card, posted to the API as the old
    frontend does; returns the title of the card's kind in the catalog (the summary names the
    template, not the day's wording)."""
    rec = (
        Recommendation.objects.filter(tenant_id=tenant_id, status="new").order_by("-score").first()
    )
    assert rec is not None
    client = APIClient()
    client.force_authenticate(get_user_model().objects.get(pk=owner))
    response = client.post(
        f"/v1/tenants/{tenant_id}/coach/recommendations/{rec.pk}/feedback",
        {
            "helpful": False,
            "reason": "wrong_data",
            "comment": "Payroll in March is off by a month.",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    return next(t["title"] for t in catalog_listing() if t["key"] == rec.template_key)


def test_what_the_team_told_coach_shows_feedback_given_through_the_api(
    transactional_db, browser
) -> None:
    given = off_loop(_alfama, "listener")
    title = off_loop(_feedback_through_the_api, given["tenant"], given["owner"])
    assert off_loop(lambda: Feedback.objects.count()) == 1
    page = browser.pages[0] if browser.pages else browser.new_page()
    errors = watch(page, [])
    section = "[data-testid=feedback-summary]"
    with daphne_server() as (_, port):
        base = f"http://127.0.0.1:{port}"
        _login(page, base, given["tenant"], "listener")
        page.click("#nav a[data-page=settings]")
        page.wait_for_selector(section)
        overall = page.inner_text("[data-testid=feedback-overall]")
        assert "0% of the ratings say the advice helped (0 of 1 rating)" in overall
        assert "The numbers are wrong" in page.inner_text(f"{section} [data-reason=wrong_data]")
        assert "1 time" in page.inner_text(f"{section} [data-reason=wrong_data]")
        comment = page.inner_text(f"{section} .fb-comments li")
        assert "Payroll in March is off by a month." in comment
        assert f"on “{title}”" in comment
        assert "listener" in comment
        page.locator(section).scroll_into_view_if_needed()
        both_widths(page, "66-settings-feedback-summary")

        # every member may read it (the API answers any role): the viewer sees it too. Signing
        # out stops the app at once: an address change right after asks the API nothing but
        # the sign-out itself (it used to load the page while the session ended: 401s)
        asked: list[str] = []
        page.on("request", lambda request: asked.append(f"{request.method} {request.url}"))
        page.evaluate(
            "() => { document.querySelector('#logout').click();"
            " location.hash = location.hash.replace('page=settings', 'page=plans'); }"
        )
        page.wait_for_selector("#login-form")
        page.wait_for_timeout(300)
        assert [a for a in asked if "/v1/" in a] == [f"DELETE {base}/v1/auth/session/"]
        _login(page, base, given["tenant"], given["viewer"])
        page.goto(f"{base}/#tenant={given['tenant']}&page=settings")
        page.wait_for_selector(section)
        assert "Payroll in March is off by a month." in page.inner_text(section)
    assert unexpected(errors) == [], errors


def test_a_past_days_insight_opens_read_only_and_back_to_today(transactional_db, browser) -> None:
    given = off_loop(_alfama, "historian")
    tenant_id = given["tenant"]

    def past() -> tuple[date, float, float]:
        tenant = Tenant.objects.get(pk=tenant_id)
        day = tenant.local_today() - timedelta(days=PAST_DAYS[-1])
        then = Insight.objects.get(tenant=tenant, local_date=day).score
        now = _today(tenant_id).score
        assert then is not None
        assert now is not None
        return day, then, now

    day, then_score, today_score = off_loop(past)
    assert round(then_score, 1) != round(today_score, 1)  # healthy books then, a crunch now
    page = browser.pages[0] if browser.pages else browser.new_page()
    errors = watch(page, [])
    with daphne_server() as (_, port):
        base = f"http://127.0.0.1:{port}"
        _login(page, base, tenant_id, "historian")
        picker = "[data-testid=past-day-picker]"
        page.wait_for_selector(picker)
        both_widths(page, "67-dashboard-past-day-picker")
        options = page.eval_on_selector_all(f"{picker} option", "os => os.map(o => o.value)")
        today = off_loop(lambda: Tenant.objects.get(pk=tenant_id).local_today())
        assert options == [f"{today - timedelta(days=d):%Y-%m-%d}" for d in sorted(PAST_DAYS)]
        page.select_option("#past-day", f"{day:%Y-%m-%d}")
        page.focus(f"{picker} button[type=submit]")
        page.keyboard.press("Enter")
        view = "dialog[data-name=past-day] [data-testid=past-day]"
        page.wait_for_selector(view)
        assert page.get_attribute(view, "data-day") == f"{day:%Y-%m-%d}"
        assert float(page.inner_text("[data-testid=past-score]")) == round(then_score, 1)
        assert page.locator(f"{view} .component").count() == 4
        assert "Read only" in page.inner_text(view)
        assert page.locator(f"{view} .rec-actions, {view} input").count() == 0
        assert f"{day.day}" in page.inner_text("#modal-title")
        both_widths(page, "68-dashboard-past-day", full_page=False)

        page.click(f"{view} button:has-text('Back to today')")
        page.wait_for_selector("#modal", state="hidden")
        expect(page.locator(f"{picker} button[type=submit]")).to_be_focused()
        assert float(page.inner_text("[data-testid=score]")) == round(today_score, 1)
        # Escape closes it too
        page.keyboard.press("Enter")
        page.wait_for_selector(view)
        page.keyboard.press("Escape")
        page.wait_for_selector("#modal", state="hidden")
    assert unexpected(errors) == [], errors
