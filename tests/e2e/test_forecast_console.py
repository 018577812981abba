"""The forecast in the console, in a real browser: the cash-crunch tenant's band, median, buffer
line and breach date; a card's impact line; a what-if tried and saved; a plan's outcome."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from coach.models import ActionPlan, PlanStatus
from gateway.models import Tenant
from insights.daily import run_batch
from insights.forecast.store import compute
from tests.e2e.a11y import check_accessibility
from tests.e2e.conftest import off_loop
from tests.e2e.test_console import login
from tests.processes import daphne_server

pytestmark = [pytest.mark.e2e, pytest.mark.services]


def _thames_today() -> tuple[str, bool]:
    """The demo books, Thames' forecast stored and today's insight written on it; whether any
    of today's cards carries an impact."""
    call_command("seed_demo", stdout=io.StringIO())
    thames = Tenant.objects.get(name="Thames Print Studio")
    compute(thames)
    run_batch([(thames.pk, thames.local_today())])
    demo = get_user_model().objects.get(username="demo")
    ActionPlan.objects.create(
        tenant=thames,
        title="Chase the five largest invoices",
        status=PlanStatus.DONE,
        owner=demo,
        metric="dso",
        metric_start=88.0,
        readings=[[str(thames.local_today() - timedelta(days=1)), 52.0]],
        outcome={
            "metric": "dso",
            "start": 88.0,
            "end": 52.0,
            "change": -36.0,
            "moved": "better",
            "on": str(thames.local_today()),
            "explanation": "Since you started “Chase the five largest invoices”, customers pay "
            "in 52 days instead of 88 days. It moved the way the plan wanted.",
        },
    )
    with_impact = thames.recommendations.filter(impact__isnull=False).exists()
    return str(thames.pk), with_impact


def test_the_forecast_chart_what_if_impact_and_outcome(transactional_db, browser, shot) -> None:
    tenant_id, with_impact = off_loop(_thames_today)
    with daphne_server() as (_, port):
        base = f"http://127.0.0.1:{port}"
        page = browser.pages[0] if browser.pages else browser.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        login(page, base, tenant_id)

        # the forecast: a band, the median, the buffer line, and the breach date marked
        page.wait_for_selector(".forecast-card svg.forecast-chart")
        card = ".forecast-card"
        assert page.locator(f"{card} polygon.band").count() == 1
        assert page.locator(f"{card} path.median").count() == 1
        assert page.locator(f"{card} .hline[data-name=Buffer]").count() == 1
        assert page.locator(f"{card} .marker").count() >= 1
        summary = page.inner_text("[data-testid=forecast-summary]")
        assert "below your buffer" in summary
        assert "runs out on" in summary
        assert "Method:" in page.inner_text(f"{card} .method")
        shot(page, "10-forecast", full_page=True)

        # twelve months
        page.click(f"{card} [data-view=months]")
        assert page.locator(f"{card} svg.forecast-chart circle").count() == 12

        # the cards' impact lines
        if with_impact:
            assert page.locator(".rec [data-testid=impact]").count() >= 1
            assert "If you do it:" in page.locator(".rec [data-testid=impact]").first.inner_text()

        # what-if: £150,000 injected at the start, tried beside the baseline
        page.select_option(f"{card} .whatif-row select[name=kind]", "cash_injection")
        page.fill(f"{card} .whatif-row input[name=value]", "150000")
        start = page.get_attribute(f"{card} .whatif-row input[name=date]", "min") or ""
        page.fill(f"{card} .whatif-row input[name=date]", start)
        page.fill(f"{card} .whatif input[name=name]", "Investor bridge")
        page.click(f"{card} [data-action=try]")
        answer = page.wait_for_selector("[data-testid=scenario-answer]")
        assert "Investor bridge" in answer.inner_text()
        assert "up" in answer.inner_text()
        assert page.locator(f"{card} polygon.band").count() == 2
        shot(page, "11-what-if", full_page=True)
        # the same on a phone: the chart fits, the what-if form stays usable
        page.set_viewport_size({"width": 390, "height": 844})
        page.wait_for_timeout(300)
        check_accessibility(page, "forecast and what-if at 390 px")
        chart = page.locator(f"{card} svg.forecast-chart").first.bounding_box()
        assert chart is not None
        assert chart["x"] >= 0
        assert chart["x"] + chart["width"] <= 390
        shot(page, "11-what-if-390", full_page=True)
        page.set_viewport_size({"width": 1280, "height": 900})

        # saved, and listed
        page.click(f"{card} [data-action=save]")
        page.wait_for_selector(f"{card} .scenarios button:has-text('Investor bridge')")

        # a bad value says which field
        page.fill(f"{card} .whatif-row input[name=value]", "")
        page.click(f"{card} [data-action=try]")
        error = page.wait_for_selector(f"{card} .form-error:has-text('changes[0]')")
        assert "amount" in error.inner_text()

        # the plan's outcome
        outcome = page.wait_for_selector(".outcomes-card .outcome.moved-better")
        assert "52 days instead of 88" in outcome.inner_text()
        shot(page, "12-plan-outcome", full_page=True)
        assert errors == []
