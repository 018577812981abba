"""The forecast as plain functions: books in, a distribution of cash out (no database)."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, cast

import pytest

from coach.vocabulary import DAYS_PER_MONTH
from insights.demo_data import story_periods
from insights.forecast.engine import (
    Anchor,
    Change,
    ChangeKind,
    NotEnoughBooks,
    forecast,
    run,
    simulate,
)
from insights.metrics import Period, shift_month


def _books(
    months: int,
    *,
    revenue: float,
    costs: float,
    last_cash: float,
    noise: float = 0.0,
    last: date = date(2026, 1, 1),
    seed: int = 1,
) -> list[Period]:
    """Books whose cash moves by revenue minus costs each month, ending at ``last_cash``."""
    rng = random.Random(seed)
    rows = []
    for _ in range(months):
        got = revenue * (1 + rng.uniform(-noise, noise))
        spent = costs * (1 + rng.uniform(-noise, noise) / 4)
        rows.append((got, spent))
    cash = last_cash - sum(got - spent for got, spent in rows[1:])
    periods = []
    for i, (got, spent) in enumerate(rows):
        if i:
            cash += got - spent
        month = shift_month(last, i - months + 1)
        assert month is not None
        periods.append(
            Period(
                month=month,
                revenue=Decimal(f"{got:.2f}"),
                cogs=Decimal("0"),
                operating_expenses=Decimal(f"{spent:.2f}"),
                cash_balance=Decimal(f"{cash:.2f}"),
            )
        )
    return periods


def _story(name: str, seed: int = 0, months: int | None = None) -> list[Period]:
    periods = [Period(**cast(Any, p)) for p in story_periods(name, date(2026, 1, 1), seed=seed)]
    return periods[-months:] if months else periods


def _width(row: dict) -> float:
    return float(row["p90"]) - float(row["p10"])


def test_burning_twenty_thousand_with_forty_left_runs_out_in_about_two_months():
    # given £20,000 a month burnt (revenue 30,000, costs 50,000) and £40,000 left
    books = _books(12, revenue=30_000, costs=50_000, last_cash=40_000, noise=0.02)

    result = forecast(books)

    # then the median date cash runs out is within a week of the arithmetic (two months on)
    assert result.cash_zero is not None
    expected = result.start + timedelta(days=2 * DAYS_PER_MONTH)
    assert abs((result.cash_zero.p50 - expected).days) <= 7
    assert result.cash_zero.p10 <= result.cash_zero.p50 <= result.cash_zero.p90
    # and cash is below the buffer (a month of costs) before it is gone
    assert result.buffer_breach is not None
    assert result.buffer_breach.p50 < result.cash_zero.p50


def test_a_healthy_growing_business_has_no_breach_within_twelve_months():
    result = forecast(_story("healthy"))

    assert result.cash_zero is None
    assert result.buffer_breach is None
    assert float(result.months[-1]["p50"]) > float(result.months[0]["p50"])


def test_a_seasonal_business_forecast_shows_next_years_season():
    # given two years of a retailer with a strong yearly season
    books = _story("inventory_overstock")

    result = forecast(books)

    # then the method is the seasonal one, and the forecast's busiest and quietest months are
    # the same calendar months as last year's
    assert result.method.name.startswith("seasonal")
    last_year = books[-12:]
    peak = max(last_year, key=lambda p: p.revenue or 0).month.month
    trough = min(last_year, key=lambda p: p.revenue or 0).month.month
    inflow = dict(zip([m["month"] for m in result.months], result.monthly_inflow, strict=True))
    forecast_peak = int(max(inflow, key=lambda k: inflow[k])[5:])
    forecast_trough = int(min(inflow, key=lambda k: inflow[k])[5:])
    assert forecast_peak == peak
    assert forecast_trough == trough


def test_the_band_widens_with_the_horizon():
    result = forecast(_story("shrinking_revenue"))

    widths = [_width(m) for m in result.months]
    assert widths[0] > 0
    assert widths[-1] > widths[5] > widths[0]
    weekly = [_width(w) for w in result.weeks]
    assert weekly[-1] > weekly[0]


def test_the_band_is_wider_for_noisier_books():
    calm = forecast(_books(18, revenue=100_000, costs=90_000, last_cash=200_000, noise=0.02))
    noisy = forecast(_books(18, revenue=100_000, costs=90_000, last_cash=200_000, noise=0.20))

    assert _width(noisy.months[-1]) > 2 * _width(calm.months[-1])
    assert _width(noisy.weeks[-1]) > _width(calm.weeks[-1])


@pytest.mark.parametrize(
    ("months", "method"),
    [(24, "ETS(A,Ad,N)"), (14, "ETS(A,Ad,N)"), (8, "ETS(A,N,N)"), (4, "random walk")],
)
def test_the_method_degrades_honestly_with_less_history(months, method):
    result = forecast(_story("cash_crunch", months=months))

    assert result.method.name == method
    assert str(months) in result.method.reason


def test_fewer_than_three_months_is_no_forecast():
    with pytest.raises(NotEnoughBooks, match="at least 3"):
        forecast(_story("healthy", months=2))


def test_the_same_books_give_the_same_forecast():
    books = _story("slow_collections")

    assert forecast(books).to_dict("GBP") == forecast(books).to_dict("GBP")


def test_the_api_shape_money_as_strings_dates_iso():
    body = forecast(_story("cash_crunch")).to_dict("GBP")

    assert set(body) == {
        "as_of",
        "method",
        "currency",
        "buffer",
        "weeks",
        "months",
        "cash_zero",
        "buffer_breach",
    }
    assert len(body["weeks"]) == 13
    assert len(body["months"]) == 12
    assert set(body["weeks"][0]) == {"week_start", "p10", "p50", "p90", "inflow", "outflow"}
    assert set(body["months"][0]) == {"month", "p10", "p50", "p90"}
    assert body["as_of"] == "2026-01-31"
    assert body["weeks"][0]["week_start"] == "2026-02-01"
    assert body["months"][0]["month"] == "2026-02"
    assert isinstance(body["weeks"][0]["p50"], str)
    Decimal(body["weeks"][0]["p50"])  # a decimal in a string
    assert set(body["cash_zero"]) == {"p10", "p50", "p90"}


def test_a_change_moves_only_its_driver():
    sim = simulate(_story("slow_collections"))
    base = run(sim)

    faster = run(sim, [Change(ChangeKind.COLLECT_DAYS, 45)])
    injected = run(sim, [Change(ChangeKind.CASH_INJECTION, 50_000, date(2026, 3, 1))])

    assert faster.cash_13w > base.cash_13w
    # an injection adds exactly its amount from its day on, and nothing before
    assert float(injected.months[0]["p50"]) == pytest.approx(float(base.months[0]["p50"]))
    assert float(injected.months[1]["p50"]) == pytest.approx(
        float(base.months[1]["p50"]) + 50_000, abs=0.02
    )


# --- the bank's daily cash as the starting point --------------------------------------------------


def test_a_more_recent_bank_balance_is_where_the_forecast_starts():
    # books to January 2026 (£40,000 at its end, £20,000 a month burnt); the bank says £25,000 on
    # 20 February
    books = _books(12, revenue=30_000, costs=50_000, last_cash=40_000, noise=0.02)
    plain = forecast(books)
    sim = simulate(books, anchor=Anchor(date(2026, 2, 20), 25_000.0))

    anchored = run(sim)

    assert (anchored.as_of, anchored.start) == (date(2026, 2, 20), date(2026, 2, 21))
    assert "bank balance at the end of 2026-02-20" in anchored.method.describe()
    # the first week moves £25,000 by a week of the burn (20,000 / 28 a day in February)
    first = float(anchored.weeks[0]["p50"])
    assert abs(first - (25_000 - 7 * 20_000 / 28)) < 1_500
    # February keeps only its last 8 days; the months listed start there
    assert anchored.months[0]["month"] == "2026-02"
    assert sum(sim.month_days) == sum(sim.month_lengths) - 20
    # less cash than the books imply runs out sooner, by the £15,000 less at that date
    assert plain.cash_zero is not None
    assert anchored.cash_zero is not None
    assert anchored.cash_zero.p50 < plain.cash_zero.p50
    # the same books with the anchor give the same forecast
    assert run(simulate(books, anchor=Anchor(date(2026, 2, 20), 25_000.0))).weeks == anchored.weeks


@pytest.mark.parametrize(
    "day",
    [date(2026, 1, 20), date(2026, 5, 20)],  # inside the books' last month; months past them
)
def test_a_bank_balance_inside_the_books_or_too_far_past_them_is_not_a_start(day):
    books = _books(12, revenue=30_000, costs=50_000, last_cash=40_000, noise=0.02)

    anchored = run(simulate(books, anchor=Anchor(day, 1.0)))

    assert anchored.start == date(2026, 2, 1)
    assert anchored.weeks == forecast(books).weeks
