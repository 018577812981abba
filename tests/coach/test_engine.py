"""The engine picks the day's recommendations: urgent first, not repeated too soon, not silenced,
shaped by feedback, and never so many that the critical ones get lost."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

from coach.catalog import Candidate, Priority, TemplateContext, evaluate
from coach.engine import EngineConfig, IssuedBefore, rank

TODAY = date(2025, 3, 14)

# A business about to run out of cash: five weeks of runway, losing money, slow collections.
CASH_CRUNCH: dict[str, float | None] = {
    "revenue": 42000,
    "cogs": 25200,
    "gross_profit": 16800,
    "operating_expenses": 29000,
    "payroll": 17000,
    "net_income": -12200,
    "cash_balance": 21233,
    "accounts_receivable": 61000,
    "accounts_payable": 9000,
    "inventory_value": 38000,
    "gross_margin": 0.40,
    "net_margin": -0.29,
    "operating_expense_ratio": 0.69,
    "payroll_ratio": 0.405,
    "revenue_growth_mom": -0.08,
    "revenue_growth_yoy": -0.12,
    "revenue_growth_3m": -0.09,
    "opex_growth_3m": 0.06,
    "inventory_growth_3m": 0.04,
    "gross_margin_change_3m": -0.02,
    "revenue_volatility": 0.18,
    "dso": 62,
    "dpo": 11,
    "dio": 45,
    "cash_conversion_cycle": 96,
    "dso_change_3m": 9,
    "net_burn": 18200,
    "runway_days": 35,
    "cash_months_of_expenses": 0.39,
    "cash_change_3m": -54600,
    "months_of_data": 18,
}

# A profitable, growing business with three months of costs in the bank and cash rising.
HEALTHY: dict[str, float | None] = {
    "revenue": 150000,
    "cogs": 82500,
    "gross_profit": 67500,
    "operating_expenses": 45000,
    "payroll": 30000,
    "net_income": 22500,
    "cash_balance": 400000,
    "accounts_receivable": 175000,
    "accounts_payable": 88000,
    "inventory_value": 110000,
    "gross_margin": 0.45,
    "net_margin": 0.15,
    "operating_expense_ratio": 0.30,
    "payroll_ratio": 0.20,
    "revenue_growth_mom": 0.02,
    "revenue_growth_yoy": 0.12,
    "revenue_growth_3m": 0.06,
    "opex_growth_3m": 0.04,
    "inventory_growth_3m": 0.05,
    "gross_margin_change_3m": 0.01,
    "revenue_volatility": 0.08,
    "dso": 35,
    "dpo": 32,
    "dio": 40,
    "cash_conversion_cycle": 43,
    "dso_change_3m": -1,
    "net_burn": -15000,
    "runway_days": None,  # cash is growing: there is no runway to speak of
    "cash_months_of_expenses": 3.14,
    "cash_change_3m": 45000,
    "months_of_data": 24,
}


def candidate(key: str, priority: Priority = Priority.HIGH, score: float = 70.0) -> Candidate:
    return Candidate(
        template_key=key,
        category="cash_flow",
        priority=priority,
        score=score,
        title=key,
        body=f"{key} body",
    )


def keys(candidates: list[Candidate]) -> list[str]:
    return [c.template_key for c in candidates]


def issued(key: str, days_ago: int, priority: Priority = Priority.HIGH) -> IssuedBefore:
    return IssuedBefore(template_key=key, priority=priority, issued_on=TODAY - timedelta(days_ago))


# --- ordering -------------------------------------------------------------------------------


def test_it_orders_by_priority_then_score_then_key() -> None:
    given = [
        candidate("low_one", Priority.LOW, 39),
        candidate("high_b", Priority.HIGH, 65),
        candidate("critical_one", Priority.CRITICAL, 81),
        candidate("high_a", Priority.HIGH, 65),
        candidate("high_top", Priority.HIGH, 79),
        candidate("medium_one", Priority.MEDIUM, 59),
    ]

    ranked = rank(given, today=TODAY, config=EngineConfig(max_per_day=10))

    assert keys(ranked) == [
        "critical_one",
        "high_top",
        "high_a",
        "high_b",
        "medium_one",
        "low_one",
    ]


def test_it_is_deterministic_whatever_the_input_order() -> None:
    given = [candidate(f"t{i}", Priority.MEDIUM, 50) for i in range(8)] + [
        candidate("c", Priority.CRITICAL, 90)
    ]
    expected = keys(rank(given, today=TODAY))

    for seed in range(5):
        shuffled = given[:]
        random.Random(seed).shuffle(shuffled)
        assert keys(rank(shuffled, today=TODAY)) == expected
    assert expected == ["c", "t0", "t1", "t2", "t3"]


def test_it_keeps_one_candidate_per_template() -> None:
    given = [candidate("dup", Priority.MEDIUM, 50), candidate("dup", Priority.HIGH, 61)]

    ranked = rank(given, today=TODAY)

    assert len(ranked) == 1
    assert ranked[0].priority == Priority.HIGH


def test_it_ranks_nothing_to_nothing() -> None:
    assert rank([], today=TODAY) == []


# --- cooldown -------------------------------------------------------------------------------


@pytest.mark.parametrize("days_ago", [0, 1, 6])
def test_it_skips_a_template_issued_within_the_cooldown(days_ago: int) -> None:
    ranked = rank(
        [candidate("runway"), candidate("other")],
        today=TODAY,
        history=[issued("runway", days_ago)],
    )

    assert keys(ranked) == ["other"]


@pytest.mark.parametrize("days_ago", [7, 8, 30])
def test_it_allows_a_template_again_after_the_cooldown(days_ago: int) -> None:
    ranked = rank([candidate("runway")], today=TODAY, history=[issued("runway", days_ago)])

    assert keys(ranked) == ["runway"]


def test_it_allows_a_template_within_the_cooldown_when_its_priority_rose() -> None:
    given = [candidate("runway", Priority.CRITICAL, 85)]

    ranked = rank(given, today=TODAY, history=[issued("runway", 2, Priority.HIGH)])

    assert keys(ranked) == ["runway"]


@pytest.mark.parametrize("now", [Priority.HIGH, Priority.MEDIUM])
def test_it_keeps_the_cooldown_when_priority_did_not_rise(now: Priority) -> None:
    ranked = rank([candidate("runway", now)], today=TODAY, history=[issued("runway", 2)])

    assert ranked == []


def test_the_cooldown_compares_with_the_latest_issue() -> None:
    # critical 20 days ago, then medium 3 days ago: high now is a rise against the latest
    history = [
        issued("runway", 20, Priority.CRITICAL),
        issued("runway", 3, Priority.MEDIUM),
    ]

    ranked = rank([candidate("runway", Priority.HIGH)], today=TODAY, history=history)

    assert keys(ranked) == ["runway"]


def test_the_cooldown_is_configurable() -> None:
    history = [issued("runway", 2)]

    assert rank([candidate("runway")], today=TODAY, history=history, config=EngineConfig(0))
    assert not rank([candidate("runway")], today=TODAY, history=history, config=EngineConfig(3))


def test_history_accepts_the_stored_priority_string() -> None:
    stored = IssuedBefore("runway", "critical", TODAY - timedelta(days=1))  # type: ignore[arg-type]

    assert stored.priority is Priority.CRITICAL
    assert rank([candidate("runway", Priority.CRITICAL)], today=TODAY, history=[stored]) == []


# --- cap ------------------------------------------------------------------------------------


def test_it_caps_the_day_at_max_per_day() -> None:
    given = [candidate(f"t{i}", Priority.MEDIUM, 40 + i) for i in range(8)]

    ranked = rank(given, today=TODAY)

    assert keys(ranked) == ["t7", "t6", "t5", "t4", "t3"]


def test_the_cap_never_drops_a_critical_one_for_a_lower_one() -> None:
    given = [candidate(f"high{i}", Priority.HIGH, 79) for i in range(5)] + [
        candidate(f"crit{i}", Priority.CRITICAL, 80) for i in range(3)
    ]

    ranked = rank(given, today=TODAY)

    assert keys(ranked) == ["crit0", "crit1", "crit2", "high0", "high1"]


def test_the_cap_keeps_every_critical_one_even_beyond_the_limit() -> None:
    given = [candidate(f"crit{i}", Priority.CRITICAL, 80 + i) for i in range(7)] + [
        candidate("high", Priority.HIGH, 79)
    ]

    ranked = rank(given, today=TODAY, config=EngineConfig(max_per_day=5))

    assert len(ranked) == 7
    assert all(c.priority == Priority.CRITICAL for c in ranked)


def test_a_zero_cap_still_lets_critical_ones_through() -> None:
    given = [candidate("crit", Priority.CRITICAL, 90), candidate("high")]

    assert keys(rank(given, today=TODAY, config=EngineConfig(max_per_day=0))) == ["crit"]


@pytest.mark.parametrize("config", [{"cooldown_days": -1}, {"max_per_day": -1}])
def test_the_config_refuses_negative_limits(config: dict[str, int]) -> None:
    with pytest.raises(ValueError, match="zero or more"):
        EngineConfig(**config)


# --- silenced -------------------------------------------------------------------------------


@pytest.mark.parametrize(("until", "kept"), [(-1, True), (0, False), (1, False), (60, False)])
def test_it_leaves_out_templates_silenced_until_a_date(until: int, kept: bool) -> None:
    silenced = {"runway": TODAY + timedelta(days=until)}

    ranked = rank([candidate("runway"), candidate("other")], today=TODAY, silenced=silenced)

    assert ("runway" in keys(ranked)) is kept
    assert "other" in keys(ranked)


def test_silencing_holds_even_for_a_critical_one() -> None:
    silenced = {"runway": TODAY}

    assert rank([candidate("runway", Priority.CRITICAL)], today=TODAY, silenced=silenced) == []


# --- adjustments ----------------------------------------------------------------------------


def test_adjustments_reorder_within_a_priority() -> None:
    given = [candidate("a", Priority.HIGH, 70), candidate("b", Priority.HIGH, 65)]

    ranked = rank(given, today=TODAY, adjustments={"a": 0.8})

    assert keys(ranked) == ["b", "a"]
    assert [c.score for c in ranked] == [65, 56]


def test_adjustments_never_cross_priorities() -> None:
    given = [candidate("critical", Priority.CRITICAL, 81), candidate("low", Priority.LOW, 30)]

    ranked = rank(given, today=TODAY, adjustments={"low": 10.0, "critical": 0.1})

    assert keys(ranked) == ["critical", "low"]
    assert [c.score for c in ranked] == [8.1, 300]


def test_a_missing_adjustment_is_neutral() -> None:
    ranked = rank([candidate("a", score=70)], today=TODAY, adjustments={"other": 0.5})

    assert ranked[0].score == 70


def test_adjustments_decide_which_ones_fit_under_the_cap() -> None:
    given = [candidate(f"t{i}", Priority.MEDIUM, 50) for i in range(6)]

    ranked = rank(given, today=TODAY, adjustments={"t5": 1.2})

    assert keys(ranked)[0] == "t5"
    assert "t4" not in keys(ranked)


@pytest.mark.parametrize("factor", [-0.5, float("nan"), float("inf")])
def test_a_nonsense_adjustment_fails_loudly(factor: float) -> None:
    with pytest.raises(ValueError, match="adjustment"):
        rank([candidate("a")], today=TODAY, adjustments={"a": factor})


def test_it_does_not_change_the_candidates_it_was_given() -> None:
    given = [candidate("a", score=70)]

    rank(given, today=TODAY, adjustments={"a": 0.5})

    assert given[0].score == 70


# --- realistic businesses, catalog and engine together -----------------------------------------


def test_a_cash_crunch_puts_a_critical_cash_flow_recommendation_first() -> None:
    candidates = evaluate(CASH_CRUNCH, ctx=TemplateContext(currency="USD"))

    ranked = rank(candidates, today=TODAY)

    first = ranked[0]
    assert first.priority == Priority.CRITICAL
    assert first.category == "cash_flow"
    assert first.template_key == "cash_runway_low"
    assert "35 days" in first.body
    assert "$18,200 a month" in first.body
    assert len(ranked) == 5


def test_a_cash_crunch_still_reaches_the_owner_after_yesterdays_alert_if_it_got_worse() -> None:
    history = [IssuedBefore("cash_runway_low", Priority.HIGH, TODAY - timedelta(days=1))]

    ranked = rank(evaluate(CASH_CRUNCH), today=TODAY, history=history)

    assert ranked[0].template_key == "cash_runway_low"


def test_a_healthy_business_gets_no_critical_recommendation() -> None:
    candidates = evaluate(HEALTHY)

    ranked = rank(candidates, today=TODAY)

    assert all(c.priority != Priority.CRITICAL for c in candidates)
    assert {"growth_investment_ready", "credit_line_while_healthy"} <= set(keys(ranked))
    assert not {c.category for c in ranked} & {"cash_flow", "profitability"}
