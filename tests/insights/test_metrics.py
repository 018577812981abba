"""Metrics from monthly books: worked examples computed by hand, gaps, zeros and unknowns."""

from __future__ import annotations

import json
import math
import random
from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coach.vocabulary import DAYS_PER_MONTH
from insights.metrics import (
    METRIC_KEYS,
    MONEY_FIELDS,
    VALUE_KEYS,
    FinancialMetrics,
    Period,
    compute_metrics,
    shift_month,
)


def p(year: int, month: int, **money: int | str | None) -> Period:
    """A period with money given as ints or strings (exact Decimals)."""
    return Period(
        date(year, month, 1),
        **{k: None if v is None else Decimal(str(v)) for k, v in money.items()},
    )


def april_2024(**overrides: int | None) -> Period:
    """April 2024 (30 days), the month most worked examples look at."""
    money: dict[str, int | None] = {
        "revenue": 90_000,
        "cogs": 36_000,
        "operating_expenses": 40_500,
        "payroll": 18_000,
        "net_income": 9_000,
        "cash_balance": 153_000,
        "accounts_receivable": 45_000,
        "accounts_payable": 12_000,
        "inventory_value": 24_000,
    }
    money.update(overrides)
    return p(2024, 4, **money)


# --- money of the month and ratios ----------------------------------------------------------


def test_it_reports_the_money_of_the_latest_month_and_gross_profit() -> None:
    # given
    periods = [p(2024, 3, revenue=1), april_2024()]

    # when
    values = compute_metrics(periods).values

    # then
    assert values["revenue"] == 90_000.0
    assert values["cogs"] == 36_000.0
    assert values["gross_profit"] == 54_000.0  # 90,000 - 36,000
    assert values["operating_expenses"] == 40_500.0
    assert values["payroll"] == 18_000.0
    assert values["net_income"] == 9_000.0
    assert values["cash_balance"] == 153_000.0
    assert values["accounts_receivable"] == 45_000.0
    assert values["accounts_payable"] == 12_000.0
    assert values["inventory_value"] == 24_000.0


def test_it_computes_margins_and_ratios_as_fractions_of_revenue() -> None:
    values = compute_metrics([april_2024()]).values

    assert values["gross_margin"] == pytest.approx(0.6)  # 54,000 / 90,000
    assert values["net_margin"] == pytest.approx(0.1)  # 9,000 / 90,000
    assert values["operating_expense_ratio"] == pytest.approx(0.45)  # 40,500 / 90,000
    assert values["payroll_ratio"] == pytest.approx(0.2)  # 18,000 / 90,000


def test_it_keeps_exact_cents_in_money_differences() -> None:
    values = compute_metrics([p(2024, 4, revenue="1000.10", cogs="400.05")]).values

    assert values["gross_profit"] == 600.05


# --- days ------------------------------------------------------------------------------------


def test_it_computes_dso_dpo_dio_and_the_cash_conversion_cycle() -> None:
    # given April: 30 days
    values = compute_metrics([april_2024()]).values

    # then
    assert values["dso"] == pytest.approx(15.0)  # 45,000 / 90,000 x 30
    assert values["dpo"] == pytest.approx(10.0)  # 12,000 / 36,000 x 30
    assert values["dio"] == pytest.approx(20.0)  # 24,000 / 36,000 x 30
    assert values["cash_conversion_cycle"] == pytest.approx(25.0)  # 15 + 20 - 10


@pytest.mark.parametrize(
    ("month", "expected_dso"),
    [
        (date(2024, 1, 1), 31.0),
        (date(2024, 2, 1), 29.0),  # leap year
        (date(2023, 2, 1), 28.0),
        (date(2024, 4, 1), 30.0),
    ],
)
def test_it_uses_the_actual_number_of_days_in_the_month(month: date, expected_dso: float) -> None:
    # AR equal to one month of revenue is exactly that month's number of days
    period = Period(month, revenue=Decimal(60_000), accounts_receivable=Decimal(60_000))

    assert compute_metrics([period]).values["dso"] == pytest.approx(expected_dso)


def test_it_computes_the_dso_change_over_3_months() -> None:
    # given January (31 days): 50,000 / 155,000 x 31 = 10.0; April: 15.0
    periods = [p(2024, 1, revenue=155_000, accounts_receivable=50_000), april_2024()]

    values = compute_metrics(periods).values

    assert values["dso_change_3m"] == pytest.approx(5.0)


# --- growth and trends ---------------------------------------------------------------------


def test_it_computes_month_over_month_growth_against_the_previous_calendar_month() -> None:
    values = compute_metrics([p(2024, 3, revenue=80_000), april_2024()]).values

    assert values["revenue_growth_mom"] == pytest.approx(0.125)  # 90,000 / 80,000 - 1


def test_it_computes_month_over_month_growth_across_a_year_boundary() -> None:
    values = compute_metrics([p(2023, 12, revenue=50_000), p(2024, 1, revenue=40_000)]).values

    assert values["revenue_growth_mom"] == pytest.approx(-0.2)  # 40,000 / 50,000 - 1


def test_it_computes_year_over_year_growth_against_the_same_month_a_year_earlier() -> None:
    values = compute_metrics([p(2023, 4, revenue=75_000), april_2024()]).values

    assert values["revenue_growth_yoy"] == pytest.approx(0.2)  # 90,000 / 75,000 - 1
    assert values["revenue_growth_mom"] is None  # March 2024 is absent


def _six_months(revenues: list[int], opex: list[int] | None = None) -> list[Period]:
    """Nov 2023 .. Apr 2024."""
    months = [(2023, 11), (2023, 12), (2024, 1), (2024, 2), (2024, 3), (2024, 4)]
    return [
        p(y, m, revenue=revenues[i], operating_expenses=None if opex is None else opex[i])
        for i, (y, m) in enumerate(months)
    ]


def test_it_computes_3_month_revenue_and_opex_growth_from_6_months() -> None:
    # given revenue 300,000 then 360,000; opex 150,000 then 135,000
    periods = _six_months(
        [100_000, 100_000, 100_000, 110_000, 120_000, 130_000],
        [50_000, 50_000, 50_000, 45_000, 45_000, 45_000],
    )

    values = compute_metrics(periods).values

    assert values["revenue_growth_3m"] == pytest.approx(0.2)  # 360,000 / 300,000 - 1
    assert values["opex_growth_3m"] == pytest.approx(-0.1)  # 135,000 / 150,000 - 1


def test_it_needs_all_6_months_for_3_month_growth_and_volatility() -> None:
    periods = _six_months([100_000] * 6)[1:]  # November missing

    values = compute_metrics(periods).values

    assert values["revenue_growth_3m"] is None
    assert values["revenue_volatility"] is None


def test_it_computes_revenue_volatility_as_the_coefficient_of_variation() -> None:
    # mean 100,000; every month 20,000 away from it: population stdev 20,000
    periods = _six_months([80_000, 120_000, 80_000, 120_000, 80_000, 120_000])

    values = compute_metrics(periods).values

    assert values["revenue_volatility"] == pytest.approx(0.2)  # 20,000 / 100,000


def test_it_computes_inventory_growth_and_gross_margin_change_over_3_months() -> None:
    # given January: inventory 20,000, gross margin 50%; April: inventory 24,000, margin 60%
    periods = [p(2024, 1, revenue=100_000, cogs=50_000, inventory_value=20_000), april_2024()]

    values = compute_metrics(periods).values

    assert values["inventory_growth_3m"] == pytest.approx(0.2)  # 24,000 / 20,000 - 1
    assert values["gross_margin_change_3m"] == pytest.approx(0.1)  # 0.6 - 0.5


# --- cash ------------------------------------------------------------------------------------


def _cash_book(balances: list[int]) -> list[Period]:
    """Jan..Apr 2024 with these balances; April is the april_2024 month otherwise."""
    head = [p(2024, m, cash_balance=b) for m, b in zip((1, 2, 3), balances[:3], strict=True)]
    return [*head, april_2024(cash_balance=balances[3])]


def test_it_computes_net_burn_runway_and_cash_change_from_4_balances() -> None:
    # given balances 150,000 -> 140,000 -> 126,000 -> 120,000: decreases 10,000, 14,000, 6,000
    values = compute_metrics(_cash_book([150_000, 140_000, 126_000, 120_000])).values

    assert values["net_burn"] == pytest.approx(10_000.0)  # 30,000 / 3
    assert values["runway_days"] == pytest.approx(365.25)  # 120,000 / 10,000 x 30.4375
    assert values["cash_change_3m"] == pytest.approx(-30_000.0)  # 120,000 - 150,000
    assert values["cash_months_of_expenses"] == pytest.approx(120_000 / 76_500)


def test_it_computes_cash_months_of_expenses() -> None:
    values = compute_metrics([april_2024()]).values

    assert values["cash_months_of_expenses"] == pytest.approx(2.0)  # 153,000 / (36,000 + 40,500)


def test_it_reports_growing_cash_as_negative_burn_without_runway() -> None:
    values = compute_metrics(_cash_book([100_000, 110_000, 120_000, 130_000])).values

    assert values["net_burn"] == pytest.approx(-10_000.0)
    assert values["runway_days"] is None  # not burning: runway is not finite


def test_it_gives_no_runway_at_zero_burn() -> None:
    values = compute_metrics(_cash_book([100_000, 90_000, 110_000, 100_000])).values

    assert values["net_burn"] == 0.0
    assert values["runway_days"] is None


def test_it_gives_zero_runway_when_the_balance_is_already_negative() -> None:
    values = compute_metrics(_cash_book([30_000, 10_000, 0, -30_000])).values

    assert values["net_burn"] == pytest.approx(20_000.0)
    assert values["runway_days"] == 0.0
    assert values["cash_change_3m"] == pytest.approx(-60_000.0)  # -30,000 - 30,000


def test_it_needs_4_consecutive_balances_for_net_burn() -> None:
    # February's balance is unknown
    periods = _cash_book([150_000, 140_000, 126_000, 120_000])
    periods[1] = p(2024, 2, revenue=1)

    values = compute_metrics(periods).values

    assert values["net_burn"] is None
    assert values["runway_days"] is None
    assert values["cash_change_3m"] == pytest.approx(-30_000.0)  # needs only January and April


def test_it_counts_the_months_of_data() -> None:
    assert compute_metrics(_cash_book([1, 2, 3, 4])).values["months_of_data"] == 4.0


# --- cash-flow table -----------------------------------------------------------------------


def test_it_builds_one_cash_flow_row_per_month_with_the_change_vs_the_previous_month() -> None:
    # given
    periods = _cash_book([150_000, 140_000, 126_000, 120_000])

    # when
    rows = compute_metrics(periods).cash_flow

    # then
    assert [r.month for r in rows] == [date(2024, m, 1) for m in (1, 2, 3, 4)]
    assert rows[0].cash_change is None  # no December
    assert rows[1].cash_change == -10_000.0
    april = rows[3]
    assert april.inflow == 90_000.0
    assert april.outflow == 76_500.0  # 36,000 + 40,500
    assert april.net == 13_500.0
    assert april.cash_balance == 120_000.0
    assert april.cash_change == -6_000.0  # 120,000 - 126,000
    assert rows[0].inflow is None  # January revenue unknown, not zero


# --- gaps, zeros, unknowns -----------------------------------------------------------------


def test_it_leaves_metrics_that_need_a_missing_month_as_none() -> None:
    # given January, February and April, but no March
    periods = [
        p(2024, 1, revenue=100_000, cash_balance=100_000, inventory_value=10_000),
        p(2024, 2, revenue=100_000, cash_balance=100_000),
        april_2024(),
    ]

    # when
    metrics = compute_metrics(periods)

    # then
    values = metrics.values
    assert values["revenue_growth_mom"] is None
    assert values["net_burn"] is None
    assert values["runway_days"] is None
    assert metrics.cash_flow[-1].cash_change is None
    # January is exactly 3 months before April, so these still work
    assert values["inventory_growth_3m"] == pytest.approx(1.4)  # 24,000 / 10,000 - 1
    assert values["cash_change_3m"] == pytest.approx(53_000.0)  # 153,000 - 100,000


def test_it_gives_none_for_every_division_by_zero() -> None:
    # given
    periods = [
        *_six_months([0] * 5 + [0]),
        Period(
            date(2024, 5, 1),
            revenue=Decimal(0),
            cogs=Decimal(0),
            operating_expenses=Decimal(0),
            payroll=Decimal(0),
            net_income=Decimal(0),
            cash_balance=Decimal(0),
            accounts_receivable=Decimal(10),
            accounts_payable=Decimal(10),
            inventory_value=Decimal(10),
        ),
    ]

    # when
    values = compute_metrics(periods).values

    # then
    for key in (
        "gross_margin",
        "net_margin",
        "operating_expense_ratio",
        "payroll_ratio",
        "revenue_growth_mom",
        "revenue_growth_3m",
        "revenue_volatility",
        "dso",
        "dpo",
        "dio",
        "cash_conversion_cycle",
        "cash_months_of_expenses",
    ):
        assert values[key] is None, key
    assert values["gross_profit"] == 0.0


def test_it_gives_none_for_growth_from_a_negative_base() -> None:
    values = compute_metrics([p(2024, 3, revenue=-5_000), april_2024()]).values

    assert values["revenue_growth_mom"] is None


def test_it_treats_a_missing_value_as_unknown_not_zero() -> None:
    # given cogs unknown: a margin of 100% would be invented
    values = compute_metrics([april_2024(cogs=None)]).values

    assert values["gross_profit"] is None
    assert values["gross_margin"] is None
    assert values["dpo"] is None
    assert values["dio"] is None
    assert values["cash_conversion_cycle"] is None
    assert values["cash_months_of_expenses"] is None
    assert values["net_margin"] == pytest.approx(0.1)  # unaffected
    assert compute_metrics([april_2024(cogs=None)]).cash_flow[0].outflow is None


def test_it_gives_empty_metrics_without_periods() -> None:
    metrics = compute_metrics([])

    assert metrics.as_of is None
    assert metrics.values == {**dict.fromkeys(METRIC_KEYS), "months_of_data": 0.0}
    assert all(points == [] for points in metrics.series.values())
    assert metrics.cash_flow == []


# --- ordering, shape, validation -----------------------------------------------------------


def test_it_sorts_unsorted_input_and_returns_ascending_series() -> None:
    # given
    ordered = _cash_book([150_000, 140_000, 126_000, 120_000])
    shuffled = [ordered[2], ordered[0], ordered[3], ordered[1]]

    # when
    metrics = compute_metrics(shuffled)

    # then
    assert metrics == compute_metrics(ordered)
    assert metrics.as_of == date(2024, 4, 1)
    assert [month for month, _ in metrics.series["cash_balance"]] == [
        date(2024, m, 1) for m in (1, 2, 3, 4)
    ]
    assert metrics.series["cash_balance"][0] == (date(2024, 1, 1), 150_000.0)


def test_it_rejects_two_periods_for_the_same_month() -> None:
    with pytest.raises(ValueError, match="Duplicate period for month 2024-04-01"):
        compute_metrics([april_2024(), p(2024, 4, revenue=1)])


def test_it_has_a_series_for_every_metric_but_months_of_data() -> None:
    metrics = compute_metrics(_cash_book([1, 2, 3, 4]))

    assert set(metrics.values) == set(VALUE_KEYS)
    assert set(metrics.series) == set(METRIC_KEYS)
    assert "months_of_data" not in metrics.series
    assert all(len(points) == 4 for points in metrics.series.values())


def test_it_computes_each_month_of_a_series_with_that_months_own_history() -> None:
    metrics = compute_metrics([p(2024, 2, revenue=50_000), p(2024, 3, revenue=60_000)])

    assert metrics.series["revenue_growth_mom"] == [
        (date(2024, 2, 1), None),
        (date(2024, 3, 1), pytest.approx(0.2)),
    ]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"month": date(2024, 4, 2)}, "first day of a month"),
        ({"month": datetime(2024, 4, 1, tzinfo=None)}, "must be a date"),  # noqa: DTZ001
        ({"month": "2024-04-01"}, "must be a date"),
        ({"month": date(2024, 4, 1), "revenue": "abc"}, "Period.revenue must be a number"),
        ({"month": date(2024, 4, 1), "cogs": Decimal("NaN")}, "Period.cogs must be finite"),
        ({"month": date(2024, 4, 1), "payroll": True}, "Period.payroll must be a number"),
        ({"month": date(2024, 4, 1), "revenue": Decimal("1e30")}, "out of range"),
    ],
)
def test_it_rejects_invalid_periods_with_a_message_naming_the_field(
    kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        Period(**kwargs)  # type: ignore[arg-type]


def test_it_coerces_ints_and_floats_to_exact_decimals() -> None:
    period = Period(date(2024, 4, 1), revenue=100, cogs=0.1)  # type: ignore[arg-type]

    assert period.revenue == Decimal(100)
    assert period.cogs == Decimal("0.1")


def test_it_round_trips_through_json() -> None:
    # given
    metrics = compute_metrics(_cash_book([150_000, 140_000, 126_000, 120_000]))

    # when
    stored = json.loads(json.dumps(metrics.to_dict(), allow_nan=False))

    # then
    assert stored["as_of"] == "2024-04-01"
    assert stored["series"]["cash_balance"][0] == ["2024-01-01", 150_000.0]
    assert stored["cash_flow"][3]["month"] == "2024-04-01"
    assert FinancialMetrics.from_dict(stored) == metrics


def test_it_shifts_months_across_years_and_stops_at_the_calendar_edge() -> None:
    assert shift_month(date(2024, 1, 1), -1) == date(2023, 12, 1)
    assert shift_month(date(2024, 11, 1), 14) == date(2026, 1, 1)
    assert shift_month(date(1, 1, 1), -1) is None


def test_average_month_is_a_quarter_of_a_leap_cycle() -> None:
    assert DAYS_PER_MONTH == 365.25 / 12


def test_runway_uses_the_shared_month_length() -> None:
    # 12,000 of cash burning 3,000 a month lasts four average months, whatever month it is.
    periods = [p(2024, m, cash_balance=21_000 - 3_000 * (m - 1)) for m in range(1, 5)]

    values = compute_metrics(periods).values

    assert values["runway_days"] == pytest.approx(4 * DAYS_PER_MONTH)


# --- properties ----------------------------------------------------------------------------

money = st.none() | st.decimals(
    min_value=Decimal("-1e12"), max_value=Decimal("1e12"), places=2, allow_nan=False
)
books = st.lists(
    st.builds(
        Period,
        month=st.builds(date, st.integers(2019, 2024), st.integers(1, 12), st.just(1)),
        **{name: money for name in MONEY_FIELDS},
    ),
    max_size=30,
    unique_by=lambda period: period.month,
)


@settings(max_examples=150, deadline=None)
@given(periods=books, seed=st.integers(0, 2**16))
def test_it_gives_finite_or_none_values_in_any_order(periods: list[Period], seed: int) -> None:
    # when
    metrics = compute_metrics(periods)
    shuffled = list(periods)
    random.Random(seed).shuffle(shuffled)

    # then
    for value in metrics.values.values():
        assert value is None or math.isfinite(value)
    assert compute_metrics(shuffled) == metrics
    json.dumps(metrics.to_dict(), allow_nan=False)
    if metrics.values["runway_days"] is not None:
        assert metrics.values["runway_days"] >= 0


# --- series are computed when read, and equal the month-by-month computation -----------------


def test_every_series_equals_each_months_own_metrics() -> None:
    # given two years of books with a gap and unknown fields
    from insights.demo_data import story_periods
    from insights.metrics import _Books, _month_metrics

    raw = story_periods("fast_growth", date(2026, 10, 1))
    raw[7]["cogs"] = None
    periods = [Period(**row) for i, row in enumerate(raw) if i != 12]  # type: ignore[arg-type]

    # when
    metrics = compute_metrics(periods)

    # then each series point is that month's full computation, and values the last month's
    books = _Books(periods)
    per_month = {month: _month_metrics(books, month) for month in books.months}
    assert set(metrics.series) == set(METRIC_KEYS)
    for key in METRIC_KEYS:
        assert metrics.series[key] == [(month, per_month[month][key]) for month in books.months]
    assert {k: v for k, v in metrics.values.items() if k != "months_of_data"} == per_month[
        books.months[-1]
    ]


def test_series_is_a_mapping_of_metric_keys_only() -> None:
    metrics = compute_metrics(_cash_book([1, 2, 3, 4]))

    assert "dso" in metrics.series
    assert "months_of_data" not in metrics.series
    with pytest.raises(KeyError):
        metrics.series["months_of_data"]
    assert dict(metrics.series) == metrics.series
    assert len(metrics.series) == len(METRIC_KEYS)
