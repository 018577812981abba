"""The stored forecast: computed once per books version, read by the daily insight, alerted once
per breach, worth something on each card, and answered by the API (real Postgres)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from insights.daily import run_batch, run_today
from insights.demo_data import story_periods
from insights.financials import upsert_periods
from insights.forecast.engine import Change, ChangeKind, forecast
from insights.forecast.impact import lever
from insights.forecast.models import Forecast, ForecastAlert
from insights.forecast.store import compute, periods_of, tenant_rows
from insights.models import Insight
from insights.pipeline import Mode
from notifications.models import Notification

pytestmark = pytest.mark.django_db

FORECAST_URL = "/v1/tenants/{}/forecast/"


def _breach_alerts(tenant) -> list[Notification]:
    """The alerts that carried a breach (to one member: the tenant fixture has one)."""
    return [
        n
        for n in Notification.objects.filter(tenant=tenant, kind="coach_alert")
        if (n.data or {}).get("forecast_breach")
    ]


def test_a_forecast_is_computed_once_per_books_version(tenant, books):
    books(tenant, "cash_crunch")

    first = compute(tenant)
    second = compute(tenant)

    assert first.created
    assert not second.created
    assert second.forecast.pk == first.forecast.pk
    assert Forecast.objects.filter(tenant=tenant).count() == 1
    # the buffer is an input too: a new buffer is a new version
    tenant.cash_buffer = Decimal("5000.00")
    tenant.save()
    third = compute(tenant)
    assert third.created
    assert third.forecast.books_version != first.forecast.books_version
    assert third.forecast.buffer == Decimal("5000.00")


def test_get_forecast_answers_the_stored_forecast(api, tenant, other_tenant, books):
    books(tenant, "cash_crunch")
    books(other_tenant, "healthy")
    stored = compute(tenant).forecast

    response = api.get(FORECAST_URL.format(tenant.pk))

    assert response.status_code == 200
    body = response.json()
    assert body == {**stored.body, "currency": "USD"}
    assert body["cash_zero"]["p50"] is not None
    assert len(body["weeks"]) == 13
    assert len(body["months"]) == 12
    # another business's forecast answers 404, as if it did not exist
    assert api.get(FORECAST_URL.format(other_tenant.pk)).status_code == 404


def test_get_forecast_without_books_says_what_is_missing(api, tenant):
    response = api.get(FORECAST_URL.format(tenant.pk))

    assert response.status_code == 404
    assert "at least 3 consecutive months" in response.json()["detail"]


def test_the_daily_insight_reads_the_stored_forecast(
    tenant, books, django_capture_on_commit_callbacks
):
    books(tenant, "cash_crunch")
    stored = compute(tenant).forecast

    with django_capture_on_commit_callbacks(execute=True):
        insight, _ = run_today(tenant)

    assert insight.forecast is not None
    assert insight.forecast["books_version"] == stored.books_version
    assert insight.forecast["cash_zero"] == stored.cash_zero
    assert insight.forecast["buffer_breach"] == stored.buffer_breach


def test_without_a_current_forecast_the_insight_goes_without_and_nothing_is_fitted(tenant, books):
    books(tenant, "cash_crunch")
    compute(tenant)
    # the books change after the forecast was stored
    upsert_periods(tenant, [{"month": date(2026, 1, 1), "cash_balance": Decimal("99999.00")}])

    insight, _ = run_today(tenant)

    assert insight.forecast is None
    assert Forecast.objects.filter(tenant=tenant).count() == 1  # the daily run fitted nothing


def test_the_breach_alert_goes_out_once_per_breach(
    tenant, books, django_capture_on_commit_callbacks
):
    # given a business whose cash falls below its buffer within its warning window
    books(tenant, "cash_crunch")
    compute(tenant)
    day = tenant.local_today()

    # when the insight is written on three mornings
    with django_capture_on_commit_callbacks(execute=True):
        run_batch([(tenant.pk, day)])
        run_batch([(tenant.pk, day + timedelta(days=1))])
        run_batch([(tenant.pk, day + timedelta(days=2))], mode=Mode.REPLACE)

    # then the breach went out once, with its dates, joined to the morning's critical cash
    # alert (one alert about cash, not two)
    alerts = _breach_alerts(tenant)
    assert len(alerts) == 1
    assert "falls below your buffer of" in alerts[0].body
    assert alerts[0].data["forecast_breach"]["buffer_breach"]["p50"]
    assert alerts[0].data["category"] == "cash_flow"
    assert Notification.objects.filter(tenant=tenant, kind="coach_alert").count() == 1
    assert ForecastAlert.objects.filter(tenant=tenant, closed_on__isnull=True).count() == 1

    # when an injection of cash ends the breach, the next insight closes it
    upsert_periods(tenant, [{"month": date(2026, 1, 1), "cash_balance": Decimal("5000000.00")}])
    compute(tenant)
    with django_capture_on_commit_callbacks(execute=True):
        run_batch([(tenant.pk, day + timedelta(days=3))])
    assert ForecastAlert.objects.filter(tenant=tenant, closed_on__isnull=True).count() == 0

    # and a new breach later alerts again
    upsert_periods(tenant, [{"month": date(2026, 1, 1), "cash_balance": Decimal("1000.00")}])
    compute(tenant)
    with django_capture_on_commit_callbacks(execute=True):
        run_batch([(tenant.pk, day + timedelta(days=4))])
    assert len(_breach_alerts(tenant)) == 2


def test_no_alert_when_the_breach_is_beyond_the_warning_window(tenant, make_tenant):
    # given books whose cash lasts about five months, and a four-week warning window
    tenant.forecast_warning_weeks = 4
    tenant.save()
    rows = []
    cash = 300_000.0
    for i in range(12):
        cash -= 20_000
        rows.append(
            {
                "month": date(2025, 2 + i, 1) if i < 11 else date(2026, 1, 1),
                "revenue": Decimal("30000.00"),
                "cogs": Decimal("0.00"),
                "operating_expenses": Decimal("50000.00"),
                "cash_balance": Decimal(f"{cash:.2f}"),
            }
        )
    upsert_periods(tenant, rows)
    stored = compute(tenant).forecast
    assert stored.buffer_breach is not None
    breach = date.fromisoformat(stored.buffer_breach["p50"])

    # when the insight is written long before the breach
    day = breach - timedelta(weeks=10)
    with time_machine.travel(day.isoformat() + "T15:00Z", tick=False):
        run_batch([(tenant.pk, day)])

    assert _breach_alerts(tenant) == []


def test_impact_figures_equal_a_rerun_of_the_forecast_on_the_changed_drivers(
    tenant, books, django_capture_on_commit_callbacks
):
    # given a business whose customers pay slowly
    books(tenant, "slow_collections")
    stored = compute(tenant).forecast
    with django_capture_on_commit_callbacks(execute=True):
        insight, _ = run_today(tenant)
    card = insight.recommendations.get(template_key="receivables_slow")

    # then the card's impact is the forecast re-run with the collection days its text names
    assert card.impact is not None
    chosen = lever(card.figures, tenant.currency)
    periods = periods_of(tenant_rows(tenant.pk))
    before = forecast(periods)
    after = forecast(periods, chosen.changes)
    assert chosen.changes[0].kind == ChangeKind.COLLECT_DAYS
    target = (
        card.figures["dso"]
        - card.figures["freed"] * card.figures["dso"] / card.figures["accounts_receivable"]
    )
    assert chosen.changes[0].value == pytest.approx(target)
    assert Decimal(card.impact["cash_13w_delta"]) == Decimal(
        f"{after.cash_13w - before.cash_13w:.2f}"
    )
    assert card.impact["figures"]["cash_13w_before"] == f"{before.cash_13w:.2f}"
    assert card.impact["figures"]["cash_13w_after"] == f"{after.cash_13w:.2f}"
    assert Decimal(card.impact["cash_13w_delta"]) > 0
    assert card.impact == {
        k: v for k, v in stored.impacts["receivables_slow"].items() if k not in ("basis", "lever")
    }
    assert card.impact["explanation"].startswith("Collecting in ")


def test_a_card_without_a_driver_to_move_has_no_impact(tenant, books):
    books(tenant, "thin_margins")
    compute(tenant)

    insight, _ = run_today(tenant)

    margins = insight.recommendations.filter(category="profitability")
    assert margins.exists()
    assert all(rec.impact is None for rec in margins)


def test_impact_is_on_the_recommendation_api(api, tenant, books):
    # a retailer in a cash crunch whose customers pay slowly for a shop: its losses speak too,
    # a card no forecast lever moves
    tenant.industry = "retail"
    tenant.save(update_fields=["industry"])
    books(tenant, "cash_crunch")
    compute(tenant)
    run_today(tenant)

    response = api.get(f"/v1/tenants/{tenant.pk}/coach/recommendations/")

    assert response.status_code == 200
    by_key = {r["template_key"]: r for r in response.json()["results"]}
    impact = by_key["receivables_slow"]["impact"]
    assert set(impact) >= {"runway_days_delta", "cash_13w_delta", "score_delta", "explanation"}
    assert "impact" in next(r for r in by_key.values() if r["impact"] is None)


def test_a_change_of_books_enqueues_the_forecast_and_books_without_one_are_not_fitted_daily(
    tenant, books
):
    books(tenant, "healthy")

    # the morning's insight finds no forecast yet: it goes without, and does not fit one itself
    insight, _ = run_today(tenant)

    assert insight.forecast is None
    assert not Forecast.objects.filter(tenant=tenant).exists()
    assert Insight.objects.filter(tenant=tenant).count() == 1


def test_story_periods_give_a_forecast_for_every_demo_story(tenant):
    from insights.demo_data import STORIES

    for name in STORIES:
        periods = periods_of(
            [
                (p["month"], *[p[f] for f in list(p)[1:]])
                for p in story_periods(name, date(2026, 1, 1))
            ]
        )
        result = forecast(periods)
        if name == "cash_crunch":
            assert result.cash_zero is not None
        assert result.method.name


def test_scenario_changes_move_the_date(tenant, books):
    books(tenant, "cash_crunch")
    periods = periods_of(tenant_rows(tenant.pk))

    base = forecast(periods)
    rescued = forecast(periods, [Change(ChangeKind.CASH_INJECTION, 100_000, base.start)])

    assert rescued.cash_zero is None or rescued.cash_zero.p50 > base.cash_zero.p50


def test_a_bank_statement_more_recent_than_the_books_is_where_the_forecast_starts(
    api, tenant, books
):
    from insights.imports.samples import Row, render_ofx
    from insights.metrics import shift_month

    today = tenant.local_today()
    books(tenant, "cash_crunch", last_month=shift_month(today.replace(day=1), -2))
    plain = api.get(FORECAST_URL.format(tenant.id)).json()
    yesterday = today - timedelta(days=1)
    statement = render_ofx(
        [Row(yesterday - timedelta(days=3), Decimal("-500.00"), "RENT", "R1")],
        bank_id="1",
        account_id="2",
        currency=tenant.currency,
        start=yesterday - timedelta(days=20),
        end=yesterday,
        balance=Decimal("12345.67"),
    )
    upload = api.post(
        f"/v1/tenants/{tenant.id}/imports/",
        {"file": SimpleUploadedFile("bank.ofx", statement)},
        format="multipart",
    )
    assert upload.status_code == 201, upload.json()

    anchored = api.get(FORECAST_URL.format(tenant.id)).json()

    assert anchored["as_of"] == yesterday.isoformat()
    assert "12345.67" in anchored["method"]
    assert anchored["weeks"][0]["week_start"] == today.isoformat()
    assert anchored["weeks"][0] != plain["weeks"][0]
    # undone, the statement no longer starts it: the books' own start comes back
    api.delete(f"/v1/tenants/{tenant.id}/imports/{upload.json()['id']}/")
    again = api.get(FORECAST_URL.format(tenant.id)).json()
    assert (again["as_of"], again["weeks"]) == (plain["as_of"], plain["weeks"])
