"""Health score: threshold tables, renormalization, explanations, properties and daily change."""

from __future__ import annotations

import json
import math
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from insights.metrics import Period, compute_metrics
from insights.scoring import (
    COMPONENT_INPUTS,
    COMPONENT_WEIGHTS,
    ComponentScore,
    HealthScore,
    band_for,
    explain_change,
    interpolate,
    score_health,
)

ALL_INPUTS = sorted({name for names in COMPONENT_INPUTS.values() for name in names})


def component(values: dict[str, float | None], key: str) -> ComponentScore:
    result = score_health(values).component(key)
    assert result is not None
    return result


def healthy_values(**overrides: float | None) -> dict[str, float | None]:
    """Inputs whose component scores are known by hand: cash 60, ops 65, revenue 77, profit 60."""
    values: dict[str, float | None] = {
        "runway_days": 90.0,  # 60
        "net_burn": 10_000.0,
        "cash_months_of_expenses": 2.0,  # 60 -> cash flow 0.7 x 60 + 0.3 x 60 = 60
        "dso": 45.0,  # 80
        "operating_expense_ratio": 0.6,  # 50 -> operations 65
        "revenue_growth_3m": 0.05,  # 75
        "revenue_growth_mom": 0.01,  # not used while the 3-month growth is known
        "revenue_growth_yoy": 0.10,  # 80 -> revenue 0.6 x 75 + 0.4 x 80 = 77
        "net_margin": 0.05,  # 60
    }
    values.update(overrides)
    return values


# --- threshold tables ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("runway_days", "net_burn", "expected"),
    [
        (1_000.0, 1_000.0, 100.0),
        (365.0, 1_000.0, 100.0),
        (180.0, 1_000.0, 80.0),
        (135.0, 1_000.0, 70.0),  # halfway between 90 (60) and 180 (80)
        (90.0, 1_000.0, 60.0),
        (75.0, 1_000.0, 50.0),
        (60.0, 1_000.0, 40.0),
        (45.0, 1_000.0, 30.0),
        (30.0, 1_000.0, 20.0),
        (15.0, 1_000.0, 10.0),
        (0.0, 1_000.0, 0.0),
        (-10.0, 1_000.0, 0.0),
        (None, -500.0, 100.0),  # cash growing: not burning is the best runway
        (None, 0.0, 100.0),  # cash flat
        (45.0, None, 30.0),  # runway alone is enough
    ],
)
def test_it_scores_cash_flow_runway_on_its_thresholds(
    runway_days: float | None, net_burn: float | None, expected: float
) -> None:
    result = component({"runway_days": runway_days, "net_burn": net_burn}, "cash_flow")

    assert result.score == pytest.approx(expected)
    assert result.status == "partial"  # cash_months_of_expenses is missing
    assert result.missing == ["cash_months_of_expenses"]


@pytest.mark.parametrize(
    ("months", "expected"),
    [
        (-1.0, 0.0),
        (0.0, 0.0),
        (0.5, 20.0),
        (1.0, 40.0),
        (2.0, 60.0),
        (3.0, 80.0),
        (4.5, 90.0),
        (6.0, 100.0),
        (24.0, 100.0),
    ],
)
def test_it_scores_the_cash_buffer_on_its_thresholds(months: float, expected: float) -> None:
    result = component({"cash_months_of_expenses": months}, "cash_flow")

    assert result.score == pytest.approx(expected)
    assert result.missing == ["runway_days", "net_burn"]


@pytest.mark.parametrize(
    ("runway_days", "net_burn", "months", "expected"),
    [
        (90.0, 5_000.0, 2.0, 60.0),  # 0.7 x 60 + 0.3 x 60
        (180.0, 5_000.0, 1.0, 68.0),  # 0.7 x 80 + 0.3 x 40
        # 0.7 x 100 + 0.3 x 20 = 76, but two weeks of cash hold cash flow to 55 (COVER_CAP_TABLE)
        (None, -2_000.0, 0.5, 55.0),
        (15.0, 9_000.0, 0.25, 10.0),  # 0.7 x 10 + 0.3 x 10
    ],
)
def test_it_weighs_runway_70_and_cash_buffer_30_in_cash_flow(
    runway_days: float | None, net_burn: float, months: float, expected: float
) -> None:
    values = {"runway_days": runway_days, "net_burn": net_burn, "cash_months_of_expenses": months}

    result = component(values, "cash_flow")

    assert result.score == pytest.approx(expected)
    assert result.status == "ok"
    assert result.missing == []


@pytest.mark.parametrize(
    ("dso", "expected"),
    [
        (0.0, 100.0),
        (30.0, 100.0),
        (37.5, 90.0),
        (45.0, 80.0),
        (52.5, 67.5),
        (60.0, 55.0),
        (75.0, 30.0),
        (82.5, 15.0),
        (90.0, 0.0),
        (200.0, 0.0),
    ],
)
def test_it_scores_operations_dso_on_its_thresholds(dso: float, expected: float) -> None:
    result = component({"dso": dso}, "operations")

    assert result.score == pytest.approx(expected)
    assert result.missing == ["operating_expense_ratio"]


@pytest.mark.parametrize(
    ("ratio", "expected"),
    [
        (0.10, 100.0),
        (0.30, 100.0),
        (0.375, 87.5),
        (0.45, 75.0),
        (0.60, 50.0),
        (0.70, 35.0),
        (0.80, 20.0),
        (0.90, 10.0),
        (1.00, 0.0),
        (1.50, 0.0),
    ],
)
def test_it_scores_the_operating_expense_ratio_on_its_thresholds(
    ratio: float, expected: float
) -> None:
    result = component({"operating_expense_ratio": ratio}, "operations")

    assert result.score == pytest.approx(expected)
    assert result.missing == ["dso"]


def test_it_averages_dso_and_opex_ratio_in_operations() -> None:
    result = component({"dso": 45.0, "operating_expense_ratio": 0.6}, "operations")

    assert result.score == pytest.approx(65.0)  # 0.5 x 80 + 0.5 x 50
    assert result.status == "ok"


@pytest.mark.parametrize(
    ("growth", "expected"),
    [
        (-0.50, 0.0),
        (-0.20, 0.0),
        (-0.15, 12.5),
        (-0.10, 25.0),
        (-0.05, 40.0),
        (0.0, 55.0),
        (0.05, 75.0),
        (0.10, 90.0),
        (0.15, 95.0),
        (0.20, 100.0),
        (3.00, 100.0),
    ],
)
def test_it_scores_3_month_revenue_growth_on_its_thresholds(growth: float, expected: float) -> None:
    result = component({"revenue_growth_3m": growth}, "revenue")

    assert result.score == pytest.approx(expected)
    assert result.missing == ["revenue_growth_yoy"]


@pytest.mark.parametrize(
    ("growth", "expected"),
    [
        (-0.40, 0.0),
        (-0.25, 0.0),
        (-0.10, 30.0),
        (0.0, 55.0),
        (0.05, 67.5),
        (0.10, 80.0),
        (0.25, 100.0),
    ],
)
def test_it_scores_year_over_year_growth_on_its_thresholds(growth: float, expected: float) -> None:
    result = component({"revenue_growth_yoy": growth}, "revenue")

    assert result.score == pytest.approx(expected)
    assert result.missing == ["revenue_growth_3m", "revenue_growth_mom"]


@pytest.mark.parametrize(
    ("growth", "expected"),
    [(-0.15, 0.0), (-0.05, 30.0), (0.0, 55.0), (0.03, 75.0), (0.08, 100.0), (0.50, 100.0)],
)
def test_it_falls_back_to_month_over_month_growth_for_a_short_history(
    growth: float, expected: float
) -> None:
    result = component({"revenue_growth_mom": growth}, "revenue")

    assert result.score == pytest.approx(expected)
    assert result.status == "partial"
    assert "revenue_growth_3m" in result.missing


def test_it_prefers_3_month_growth_over_month_over_month_growth() -> None:
    values: dict[str, float | None] = {
        "revenue_growth_3m": 0.05,
        "revenue_growth_mom": -0.5,
        "revenue_growth_yoy": 0.10,
    }

    result = component(values, "revenue")

    assert result.score == pytest.approx(77.0)  # 0.6 x 75 + 0.4 x 80; MoM ignored
    assert result.status == "ok"


@pytest.mark.parametrize(
    ("net_margin", "expected"),
    [
        (-0.50, 0.0),
        (-0.20, 0.0),
        (-0.10, 20.0),
        (0.0, 40.0),
        (0.025, 50.0),
        (0.05, 60.0),
        (0.10, 80.0),
        (0.15, 100.0),
        (0.40, 100.0),
    ],
)
def test_it_scores_profitability_net_margin_on_its_thresholds(
    net_margin: float, expected: float
) -> None:
    result = component({"net_margin": net_margin}, "profitability")

    assert result.score == pytest.approx(expected)
    assert result.status == "ok"


@pytest.mark.parametrize(
    ("overall", "band"),
    [
        (None, None),
        (0.0, "critical"),
        (39.9, "critical"),
        (40.0, "weak"),
        (59.9, "weak"),
        (60.0, "fair"),
        (74.9, "fair"),
        (75.0, "strong"),
        (100.0, "strong"),
    ],
)
def test_it_names_the_band_of_an_overall_score(overall: float | None, band: str | None) -> None:
    assert band_for(overall) == band


def test_interpolation_is_flat_beyond_the_table_and_clamped() -> None:
    table = ((0.0, -50.0), (10.0, 150.0))

    assert interpolate(-1.0, table) == 0.0
    assert interpolate(5.0, table) == 50.0
    assert interpolate(11.0, table) == 100.0


# --- the overall score ----------------------------------------------------------------------


def test_it_weighs_the_four_components_into_the_overall_score() -> None:
    # when
    health = score_health(healthy_values())

    # then: 0.35 x 60 + 0.25 x 65 + 0.25 x 77 + 0.15 x 60 = 21 + 16.25 + 19.25 + 9
    assert health.overall == pytest.approx(65.5)
    assert health.band == "fair"
    assert health.insufficient == []
    assert [c.key for c in health.components] == list(COMPONENT_WEIGHTS)
    assert [c.score for c in health.components] == [60.0, 65.0, 77.0, 60.0]
    assert [c.effective_weight for c in health.components] == [0.35, 0.25, 0.25, 0.15]
    assert health.summary == "Financial health is fair at 65.5 out of 100."


def test_it_renormalizes_the_weights_when_a_component_has_no_data() -> None:
    # given no net margin
    health = score_health(healthy_values(net_margin=None))

    # then
    profitability = health.component("profitability")
    assert profitability is not None
    assert profitability.score is None
    assert profitability.status == "insufficient_data"
    assert profitability.effective_weight == 0.0
    assert profitability.missing == ["net_margin"]
    weights = {c.key: c.effective_weight for c in health.components}
    assert weights["cash_flow"] == pytest.approx(0.35 / 0.85)
    assert weights["operations"] == pytest.approx(0.25 / 0.85)
    assert weights["revenue"] == pytest.approx(0.25 / 0.85)
    # (0.35 x 60 + 0.25 x 65 + 0.25 x 77) / 0.85 = 56.5 / 0.85
    assert health.overall == pytest.approx(round(56.5 / 0.85, 1))
    assert health.insufficient == ["profitability"]
    assert "profitability has no data" in health.summary
    assert "so the score weighs cash flow 41%, operations 29% and revenue 29%" in health.summary


def test_it_names_every_component_without_data_in_the_summary() -> None:
    health = score_health({"net_margin": 0.10})

    assert health.overall == 80.0  # profitability alone carries all the weight
    assert health.component("profitability").effective_weight == 1.0
    assert health.insufficient == ["cash_flow", "operations", "revenue"]
    assert "cash flow, operations and revenue have no data" in health.summary


def test_it_gives_no_overall_score_when_nothing_has_data() -> None:
    # when
    health = score_health({})

    # then
    assert health.overall is None
    assert health.band is None
    assert health.insufficient == list(COMPONENT_WEIGHTS)
    assert all(c.status == "insufficient_data" for c in health.components)
    assert all(c.effective_weight == 0.0 for c in health.components)
    assert health.summary.startswith("Not enough data to score financial health")


def test_it_scores_a_partial_component_from_what_it_has_and_lists_what_is_missing() -> None:
    # given burning cash but no runway figure; only the buffer can be scored
    result = component(healthy_values(runway_days=None, cash_months_of_expenses=3.0), "cash_flow")

    assert result.score == pytest.approx(80.0)
    assert result.status == "partial"
    assert result.missing == ["runway_days"]
    assert result.explanation == (
        "Cash covering 3 months of costs (cash cover: how long your cash would pay all your costs "
        "if no money came in) scores 80; not scored for lack of data: runway (needs four months "
        "of cash balances in a row)."
    )


def test_it_mentions_partial_components_in_the_summary() -> None:
    health = score_health(healthy_values(dso=None))

    assert health.component("operations").status == "partial"
    assert health.summary.endswith(
        "; scored without days to collect (needs this month's receivables and revenue)."
    )


def test_it_explains_each_component_with_its_numbers() -> None:
    health = score_health(
        healthy_values(runway_days=45.0, net_burn=12_000.0, cash_months_of_expenses=None)
    )
    by_key = {c.key: c.explanation for c in health.components}

    assert by_key["cash_flow"].startswith(
        "A runway of 45 days (how long your cash lasts at the average fall in cash of the last "
        "three months) at a net burn of 12,000/month scores 30"
    )
    assert by_key["operations"] == (
        "Customers taking 45 days to pay (DSO, days sales outstanding) and operating expenses "
        "at 60% of revenue score 65."
    )
    assert by_key["profitability"] == "Net margin of 5% scores 60."
    not_burning = component({"net_burn": -3_000.0}, "cash_flow").explanation
    assert not_burning.startswith("Cash growing by 3,000/month on average scores 100")


def test_it_treats_non_finite_inputs_as_missing() -> None:
    health = score_health({"net_margin": math.nan, "dso": math.inf, "revenue_growth_3m": 0.0})

    assert health.insufficient == ["cash_flow", "operations", "profitability"]
    assert health.component("operations").inputs["dso"] is None
    json.dumps(health.to_dict(), allow_nan=False)


def test_it_rejects_a_value_that_is_not_a_number() -> None:
    with pytest.raises(TypeError, match="'dso'"):
        score_health({"dso": "fast"})  # type: ignore[dict-item]


def test_it_scores_the_values_of_compute_metrics() -> None:
    # given four months burning 10,000 a month from 150,000
    periods = [
        Period(
            date(2024, month, 1),
            revenue=Decimal(100_000),
            cogs=Decimal(40_000),
            operating_expenses=Decimal(70_000),
            net_income=Decimal(-10_000),
            cash_balance=Decimal(balance),
            accounts_receivable=Decimal(50_000),
        )
        for month, balance in ((1, 150_000), (2, 140_000), (3, 130_000), (4, 120_000))
    ]

    # when
    health = score_health(compute_metrics(periods).values)

    # then runway 120,000 / 10,000 x 30.4375 = 365.25 days -> 100;
    # cash cover 120,000 / 110,000 = 1.09 months -> 40 + 20 x 0.09 = 41.8
    cash_flow = health.component("cash_flow")
    assert cash_flow is not None
    assert cash_flow.inputs["runway_days"] == pytest.approx(365.25)
    # 0.7 x 100 + 0.3 x 41.8 = 82.5, held to 79.5 by a cover of 1.09 months (COVER_CAP_TABLE:
    # 74.9 at one month, 100 at one and a half)
    assert cash_flow.score == pytest.approx(79.5)
    # DSO 50,000 / 100,000 x 30 = 15 days -> 100; opex ratio 0.7 -> 35
    assert health.component("operations").score == pytest.approx(67.5)
    # net margin -10% -> 20
    assert health.component("profitability").score == pytest.approx(20.0)
    assert health.insufficient == []  # revenue scored from month-over-month growth (0%)


def test_it_round_trips_the_health_score_through_json() -> None:
    health = score_health(healthy_values(net_margin=None))

    stored = json.loads(json.dumps(health.to_dict(), allow_nan=False))

    assert HealthScore.from_dict(stored) == health


# --- properties ----------------------------------------------------------------------------

any_number = st.none() | st.floats(allow_nan=True, allow_infinity=True)
any_values = st.fixed_dictionaries({name: any_number for name in ALL_INPUTS})
finite = st.floats(min_value=-1e12, max_value=1e12, allow_nan=False)


@settings(max_examples=300, deadline=None)
@given(values=any_values)
def test_every_score_stays_within_0_and_100_for_any_input(values: dict[str, float | None]) -> None:
    # when
    health = score_health(values)

    # then
    for part in health.components:
        assert part.score is None or 0.0 <= part.score <= 100.0
    assert health.overall is None or 0.0 <= health.overall <= 100.0
    if health.overall is not None:
        assert sum(c.effective_weight for c in health.components) == pytest.approx(1.0)
    json.dumps(health.to_dict(), allow_nan=False)


@settings(max_examples=300, deadline=None)
@given(
    net_burn=st.floats(min_value=-1e9, max_value=1e9),
    expenses=st.floats(min_value=1.0, max_value=1e9),
    cash=finite,
    more=st.floats(min_value=0.0, max_value=1e12),
)
def test_more_cash_never_lowers_the_cash_flow_score(
    net_burn: float, expenses: float, cash: float, more: float
) -> None:
    def cash_flow_score(balance: float) -> float | None:
        values = {
            "net_burn": net_burn,
            "runway_days": max(balance, 0.0) / net_burn * 30.4375 if net_burn > 0 else None,
            "cash_months_of_expenses": balance / expenses,
        }
        return component(values, "cash_flow").score

    before, after = cash_flow_score(cash), cash_flow_score(cash + more)

    assert before is not None
    assert after is not None
    assert after >= before


@settings(max_examples=150, deadline=None)
@given(
    balances=st.lists(st.integers(-(10**9), 10**9), min_size=4, max_size=4),
    expenses=st.integers(1, 10**8),
    more=st.integers(0, 10**9),
)
def test_more_cash_at_month_end_never_lowers_the_cash_flow_score_end_to_end(
    balances: list[int], expenses: int, more: int
) -> None:
    def cash_flow_score(extra: int) -> float | None:
        periods = [
            Period(
                date(2024, month, 1),
                cogs=Decimal(0),
                operating_expenses=Decimal(expenses),
                cash_balance=Decimal(balance + (extra if month == 4 else 0)),
            )
            for month, balance in zip((1, 2, 3, 4), balances, strict=True)
        ]
        return component(compute_metrics(periods).values, "cash_flow").score

    before, after = cash_flow_score(0), cash_flow_score(more)

    assert before is not None
    assert after is not None
    assert after >= before


@settings(max_examples=300, deadline=None)
@given(margin=finite, more=st.floats(min_value=0.0, max_value=1e12))
def test_a_higher_net_margin_never_lowers_profitability(margin: float, more: float) -> None:
    before = component({"net_margin": margin}, "profitability").score
    after = component({"net_margin": margin + more}, "profitability").score

    assert before is not None
    assert after is not None
    assert after >= before


@settings(max_examples=300, deadline=None)
@given(dso=finite, more=st.floats(min_value=0.0, max_value=1e12), opex_ratio=st.none() | finite)
def test_a_higher_dso_never_raises_operations(
    dso: float, more: float, opex_ratio: float | None
) -> None:
    before = component({"dso": dso, "operating_expense_ratio": opex_ratio}, "operations").score
    after = component(
        {"dso": dso + more, "operating_expense_ratio": opex_ratio}, "operations"
    ).score

    assert before is not None
    assert after is not None
    assert after <= before


# --- change between two days ---------------------------------------------------------------


def test_it_explains_a_drop_driven_by_the_runway() -> None:
    # given yesterday: runway 120 days (66.67) and cash cover of 3 months (80)
    yesterday = score_health(healthy_values(runway_days=120.0, cash_months_of_expenses=3.0))
    # and today: runway 60 days (40), while DSO improved from 45 to 40 days (80 -> 86.67)
    today = score_health(
        healthy_values(runway_days=60.0, net_burn=20_000.0, cash_months_of_expenses=3.0, dso=40.0)
    )

    # when
    change = explain_change(today, yesterday)

    # then cash flow 0.7 x 66.67 + 0.3 x 80 = 70.7 -> 0.7 x 40 + 24 = 52.0
    # operations 0.5 x 80 + 0.5 x 50 = 65.0 -> 0.5 x 86.67 + 25 = 68.3
    # yesterday: 0.35 x 70.7 + 0.25 x 65 + 0.25 x 77 + 0.15 x 60 = 69.245 -> 69.2
    # today:     0.35 x 52.0 + 0.25 x 68.3 + 0.25 x 77 + 0.15 x 60 = 63.525 -> 63.5
    assert yesterday.overall == pytest.approx(69.2)
    assert today.overall == pytest.approx(63.5)
    assert change.delta == pytest.approx(-5.7)
    deltas = {c.key: c.delta for c in change.components}
    assert deltas == {
        "cash_flow": pytest.approx(-18.7),
        "operations": pytest.approx(3.3),
        "revenue": 0.0,
        "profitability": 0.0,
    }
    cash_flow_change = change.components[0]
    assert cash_flow_change.contribution == pytest.approx(0.35 * -18.7, abs=0.01)
    # runway: 0.35 x 0.7 x (40 - 66.67) = -6.53; DSO: 0.25 x 0.5 x (86.67 - 80) = +0.83
    assert [d.input for d in change.drivers] == ["runway_days", "dso"]
    runway, dso = change.drivers
    assert (runway.before, runway.after) == (120.0, 60.0)
    assert runway.contribution == pytest.approx(-6.53, abs=0.01)
    assert dso.contribution == pytest.approx(0.83, abs=0.01)
    assert change.sentence == (
        "Score fell 5.7 points, mostly because runway dropped from 3.9 months to 60 days."
    )
    json.dumps(change.to_dict(), allow_nan=False)


def test_it_explains_against_a_score_read_back_from_json() -> None:
    yesterday = score_health(healthy_values(net_margin=0.15))
    stored = json.loads(json.dumps(yesterday.to_dict()))

    change = explain_change(score_health(healthy_values()), HealthScore.from_dict(stored))

    assert change.delta == pytest.approx(-6.0)  # 0.15 x (60 - 100)
    assert change.sentence == (
        "Score fell 6.0 points, mostly because net margin dropped from 15% to 5%."
    )


def test_it_says_when_cash_started_burning() -> None:
    yesterday = score_health(healthy_values(runway_days=None, net_burn=-1_000.0))
    today = score_health(healthy_values(runway_days=60.0, net_burn=5_000.0))

    change = explain_change(today, yesterday)

    assert change.drivers[0].input == "runway_days"
    assert change.drivers[0].description == "cash started burning, leaving a runway of 60 days"


def test_it_has_no_delta_without_a_previous_score() -> None:
    today = score_health(healthy_values())

    change = explain_change(today, None)

    assert change.delta is None
    assert change.before is None
    assert change.drivers == []
    assert all(c.delta is None for c in change.components)
    assert change.sentence == "No earlier score to compare with; today's score is 65.5."


def test_it_has_no_delta_when_today_lacks_data() -> None:
    change = explain_change(score_health({}), score_health(healthy_values()))

    assert change.delta is None
    assert change.after is None
    assert change.sentence == "No score today for lack of data (it was 65.5)."


def test_it_says_when_the_score_held() -> None:
    change = explain_change(score_health(healthy_values()), score_health(healthy_values()))

    assert change.delta == 0.0
    assert change.drivers == []
    assert change.sentence == "Score held at 65.5."
