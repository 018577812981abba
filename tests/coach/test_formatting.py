"""Numbers in recommendations read the way the tenant writes them."""

from __future__ import annotations

import pytest

from coach.catalog.base import METRICS
from coach.catalog.formatting import (
    NOT_AVAILABLE,
    days,
    format_metric,
    money,
    months,
    number,
    percent,
    points,
)


@pytest.mark.parametrize(
    ("currency", "expected"),
    [
        ("USD", "$12,500"),
        ("EUR", "€12,500"),
        ("GBP", "£12,500"),
        ("INR", "₹12,500"),
        ("AUD", "A$12,500"),
        ("CAD", "CA$12,500"),
        ("JPY", "¥12,500"),
        ("CHF", "12,500 CHF"),
        ("SEK", "12,500 SEK"),
        ("eur", "€12,500"),
        (" gbp ", "£12,500"),
        ("", "$12,500"),
    ],
)
def test_it_writes_money_in_the_tenants_currency(currency: str, expected: str) -> None:
    assert money(12500, currency) == expected


def test_it_defaults_to_dollars() -> None:
    assert money(12500) == "$12,500"


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [
        (-1200, "USD", "-$1,200"),
        (-1200.4, "EUR", "-€1,200"),
        (-1200, "CHF", "-1,200 CHF"),
        (-0.4, "USD", "$0"),  # rounds to nothing: no "-$0"
        (-0.5, "USD", "-$1"),
    ],
)
def test_it_puts_the_minus_before_the_symbol(amount: float, currency: str, expected: str) -> None:
    assert money(amount, currency) == expected


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (12499.5, "$12,500"),  # half-up, not banker's rounding
        (12498.5, "$12,499"),
        (12500.49, "$12,500"),
        (0.5, "$1"),
        (2.5, "$3"),
        (1_234_567.89, "$1,234,568"),
    ],
)
def test_it_rounds_money_half_up_to_whole_units(amount: float, expected: str) -> None:
    assert money(amount) == expected


def test_it_keeps_cents_when_asked() -> None:
    assert money(2.675, decimals=2) == "$2.68"  # the 2.675 a person typed, not the float 2.67499…
    assert money(-1234.5, "GBP", decimals=2) == "-£1,234.50"


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (999, "₹999"),
        (1_250_000, "₹12,50,000"),
        (12_345_678, "₹1,23,45,678"),
        (-250_000, "-₹2,50,000"),
    ],
)
def test_it_groups_rupees_in_lakhs_and_crores(amount: float, expected: str) -> None:
    assert money(amount, "INR") == expected


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), float("-inf")])
def test_it_refuses_to_format_a_number_that_is_not_finite(bad: float) -> None:
    with pytest.raises(ValueError, match="finite"):
        money(bad)


@pytest.mark.parametrize(
    ("fraction", "expected"),
    [
        (0.235, "23.5%"),
        (0.4, "40%"),
        (0.2349, "23.5%"),
        (0.23449, "23.4%"),
        (1.5, "150%"),
        (-0.042, "-4.2%"),
        (-0.0004, "0%"),
        (0, "0%"),
    ],
)
def test_it_writes_fractions_as_percentages(fraction: float, expected: str) -> None:
    assert percent(fraction) == expected


def test_it_signs_percentages_on_request() -> None:
    assert percent(0.042, signed=True) == "+4.2%"
    assert percent(-0.042, signed=True) == "-4.2%"
    assert percent(0, signed=True) == "0%"


def test_it_writes_margin_changes_in_percentage_points() -> None:
    assert points(0.042) == "4.2 percentage points"
    assert points(0.01) == "1 percentage point"
    assert points(-0.03) == "-3 percentage points"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (45, "45 days"),
        (44.5, "45 days"),
        (44.4, "44 days"),
        (1, "1 day"),
        (0.6, "1 day"),
        (0, "0 days"),
        (1234, "1,234 days"),
    ],
)
def test_it_writes_whole_days(value: float, expected: str) -> None:
    assert days(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0.64, "0.6 months"), (1.0, "1 month"), (2.04, "2 months"), (2.55, "2.6 months")],
)
def test_it_writes_months_with_one_decimal(value: float, expected: str) -> None:
    assert months(value) == expected


def test_it_writes_plain_numbers_grouped() -> None:
    assert number(1234567) == "1,234,567"


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("cash_balance", 12500, "€12,500"),
        ("gross_margin", 0.315, "31.5%"),
        ("gross_margin_change_3m", -0.032, "-3.2 percentage points"),
        ("dso", 44.6, "45 days"),
        ("cash_months_of_expenses", 0.64, "0.6 months"),
        ("months_of_data", 14, "14"),
        ("net_burn", None, NOT_AVAILABLE),
    ],
)
def test_it_formats_any_metric_for_its_card(key: str, value: float | None, expected: str) -> None:
    assert format_metric(key, value, "EUR") == expected


def test_it_can_format_every_known_metric() -> None:
    for key in METRICS:
        assert format_metric(key, 1.0)
