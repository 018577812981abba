"""The recommendation catalog: every template applies when it should, is silent when it should
not, never speaks about numbers it does not have, and says the numbers the way the tenant reads
them."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coach.catalog import (
    CATALOG,
    CATEGORIES,
    METRICS,
    Candidate,
    Priority,
    TemplateContext,
    catalog_listing,
    evaluate,
    get_template,
)
from coach.catalog.base import Series
from coach.catalog.registry import EVIDENCE_MONTHS
from coach.vocabulary import Stage

NOT_A_NUMBER = re.compile(r"\b(None|nan|inf)\b", re.IGNORECASE)
DOCS = Path(__file__).resolve().parents[2] / "docs" / "catalog.md"


@dataclass(frozen=True)
class Case:
    """One template's story: values where it applies (exactly its requires), what it must say,
    and values (still complete) where it must stay silent."""

    applies: dict[str, float]
    priority: Priority
    says: tuple[str, ...]
    silent: dict[str, float]
    ctx: TemplateContext = field(default_factory=TemplateContext)  # the tenant: trade and stage


CASES: dict[str, Case] = {
    # cash flow
    "cash_runway_low": Case(
        {"runway_days": 38, "net_burn": 18200, "cash_balance": 23060},
        Priority.CRITICAL,
        ("38 days", "$18,200 a month", "$23,060", "$3,640", "48 days"),
        {"runway_days": 200, "net_burn": 18200, "cash_balance": 119600},
    ),
    "burn_accelerating": Case(
        {"net_burn": 10000, "net_income": -15000, "cash_balance": 45000},
        Priority.HIGH,
        # 45,000 / 15,000 a month x 30.4375 days (DAYS_PER_MONTH, as runway_days counts)
        ("$15,000", "50% more", "$10,000 a month", "$45,000", "3 months"),
        {"net_burn": 10000, "net_income": -11000, "cash_balance": 45000},
    ),
    "cash_declining": Case(
        {"cash_change_3m": -30000, "cash_balance": 120000, "runway_days": 200},
        Priority.MEDIUM,
        ("20%", "$30,000", "$120,000", "6.6 months"),
        {"cash_change_3m": -5000, "cash_balance": 150000, "runway_days": 900},
    ),
    "receivables_slow": Case(
        {"dso": 62, "accounts_receivable": 61000},
        Priority.MEDIUM,
        ("62 days", "$61,000", "$31,484"),
        {"dso": 38, "accounts_receivable": 61000},
    ),
    "receivables_slowing": Case(
        {"dso_change_3m": 16, "dso": 42, "accounts_receivable": 50000},
        Priority.MEDIUM,
        ("16 days", "42 days", "$1,190", "$50,000"),
        {"dso_change_3m": 3, "dso": 42, "accounts_receivable": 50000},
    ),
    "payables_paid_early": Case(
        {"dpo": 8, "cogs": 30000, "accounts_payable": 8000},
        Priority.MEDIUM,
        ("8 days", "30 days usual", "$21,684"),  # 30,000 / 30.4375 a day x (30 - 8) days
        {"dpo": 32, "cogs": 30000, "accounts_payable": 32000},
    ),
    "cash_buffer_thin": Case(
        {
            "cash_months_of_expenses": 0.4,
            "cash_balance": 20000,
            "cogs": 20000,
            "operating_expenses": 30000,
        },
        Priority.HIGH,
        ("12 days", "$20,000", "$50,000", "$100,000"),
        {
            "cash_months_of_expenses": 1.5,
            "cash_balance": 75000,
            "cogs": 20000,
            "operating_expenses": 30000,
        },
    ),
    "idle_cash_surplus": Case(
        {
            "cash_months_of_expenses": 8,
            "cash_balance": 400000,
            "cogs": 20000,
            "operating_expenses": 30000,
            "net_burn": -5000,
        },
        Priority.LOW,
        ("$400,000", "8 months", "$150,000", "$250,000"),
        {
            "cash_months_of_expenses": 8,
            "cash_balance": 400000,
            "cogs": 20000,
            "operating_expenses": 30000,
            "net_burn": 2000,
        },
    ),
    "growth_runway": Case(
        {"runway_days": 280, "net_burn": 50000, "cash_balance": 460000},
        Priority.HIGH,
        # 280 days = 9.2 months; start raising 6 months before: within 3.2 months; a third of the
        # burn ($16,667) off stretches 460,000 / 33,333 a month to 13.8 months
        ("9.2 months", "$50,000", "$460,000", "3.2 months", "$16,667", "13.8 months"),
        {"runway_days": 900, "net_burn": 50000, "cash_balance": 1478000},
        TemplateContext(stage=Stage.GROWING),
    ),
    "collections_improved": Case(
        {"dso_change_12m": -32, "dso": 38, "revenue": 100000},
        Priority.LOW,
        ("38 days", "70 days", "$105,133", "32 days"),  # 100,000 / 30.4375 a day x 32 days
        {"dso_change_12m": -3, "dso": 38, "revenue": 100000},
    ),
    # inventory
    "inventory_overstock": Case(
        {"dio": 120, "inventory_value": 90000},
        Priority.MEDIUM,
        ("120 days", "$90,000", "60 days", "$45,000"),
        {"dio": 50, "inventory_value": 90000},
    ),
    "inventory_outpacing_sales": Case(
        {"inventory_growth_3m": 0.25, "revenue_growth_3m": 0.02, "inventory_value": 80000},
        Priority.MEDIUM,
        ("25%", "+2%", "$80,000"),
        {"inventory_growth_3m": 0.08, "revenue_growth_3m": 0.02, "inventory_value": 80000},
    ),
    "inventory_clearance": Case(
        {
            "revenue_growth_3m": -0.18,
            "inventory_growth_3m": 0.05,
            "dio": 80,
            "inventory_value": 70000,
        },
        Priority.MEDIUM,
        ("18%", "grew 5%", "$70,000", "80 days"),
        {
            "revenue_growth_3m": -0.02,
            "inventory_growth_3m": 0.05,
            "dio": 80,
            "inventory_value": 70000,
        },
    ),
    "stockout_risk": Case(
        {"dio": 5, "inventory_value": 6000, "cogs": 36000},
        Priority.HIGH,
        ("5 days", "$6,000", "30 days", "$29,569"),  # 36,000 / 30.4375 a day x (30 - 5) days
        {"dio": 40, "inventory_value": 48000, "cogs": 36000},
    ),
    # revenue
    "revenue_drop_mom": Case(
        {"revenue_growth_mom": -0.2, "revenue": 40000},
        Priority.MEDIUM,
        ("20%", "$40,000", "$50,000"),
        {"revenue_growth_mom": -0.05, "revenue": 40000},
    ),
    "revenue_declining_3m": Case(
        {"revenue_growth_3m": -0.25, "revenue": 60000},
        Priority.HIGH,
        ("25%", "$60,000"),
        {"revenue_growth_3m": 0.03, "revenue": 60000},
    ),
    "revenue_decline_yoy": Case(
        {"revenue_3m_yoy": -0.1, "revenue_3m": 135000},
        Priority.MEDIUM,
        ("10%", "$135,000", "$150,000"),
        {"revenue_3m_yoy": 0.08, "revenue_3m": 135000},
    ),
    "revenue_volatile": Case(
        {"revenue_volatility": 0.45, "revenue": 30000},
        Priority.MEDIUM,
        ("45%", "$30,000"),
        {"revenue_volatility": 0.1, "revenue": 30000},
    ),
    "revenue_stalled": Case(
        {"revenue_growth_3m": 0.01, "revenue_growth_yoy": -0.02, "revenue": 80000},
        Priority.LOW,
        ("+1%", "-2%", "$80,000"),
        {"revenue_growth_3m": 0.01, "revenue_growth_yoy": 0.12, "revenue": 80000},
    ),
    # profitability
    "gross_margin_eroding": Case(
        {"gross_margin_change_3m": -0.05, "gross_margin": 0.315, "revenue": 100000},
        Priority.MEDIUM,
        ("5 percentage points", "31.5%", "$100,000", "$5,000"),
        {"gross_margin_change_3m": -0.01, "gross_margin": 0.315, "revenue": 100000},
    ),
    "net_loss": Case(
        {
            "net_margin": -0.29,
            "net_income": -12200,
            "revenue": 42000,
            "gross_margin": 0.4,
            "operating_expenses": 29000,
        },
        Priority.HIGH,
        ("$12,200", "-29%", "$42,000", "40%", "$72,500", "$29,000", "$30,500"),
        {
            "net_margin": 0.07,
            "net_income": 3000,
            "revenue": 42000,
            "gross_margin": 0.4,
            "operating_expenses": 13800,
        },
    ),
    "net_margin_thin": Case(
        {"net_margin": 0.03, "net_income": 3000, "revenue": 100000},
        Priority.LOW,
        ("3%", "$3,000", "$100,000", "$1,000"),
        {"net_margin": 0.12, "net_income": 12000, "revenue": 100000},
    ),
    "gross_margin_low": Case(
        {"gross_margin": 0.15, "revenue": 80000, "gross_profit": 12000},
        Priority.MEDIUM,
        ("15%", "$12,000", "$80,000"),
        {"gross_margin": 0.4, "revenue": 80000, "gross_profit": 32000},
    ),
    "gross_margin_drifting": Case(
        {"gross_margin_drift": -0.10, "gross_margin": 0.62, "trend_months": 24, "revenue": 90000},
        Priority.HIGH,
        ("10 percentage points", "62%", "24 months", "38%", "31%", "food and drink costs"),
        {"gross_margin_drift": -0.02, "gross_margin": 0.62, "trend_months": 24, "revenue": 90000},
        TemplateContext(industry="restaurant"),
    ),
    "back_in_profit": Case(
        {"profitable_streak": 8, "loss_months_24m": 10, "net_income": 9000, "net_margin": 0.09},
        Priority.LOW,
        ("8 months", "10 months", "$9,000", "9%"),
        {"profitable_streak": 3, "loss_months_24m": 10, "net_income": 9000, "net_margin": 0.09},
    ),
    "margin_recovering": Case(
        {"gross_margin_drift": 0.05, "gross_margin": 0.4, "trend_months": 24, "revenue": 100000},
        Priority.LOW,
        ("5 percentage points", "40%", "$5,000", "24 months"),
        {"gross_margin_drift": 0.01, "gross_margin": 0.4, "trend_months": 24, "revenue": 100000},
    ),
    # operations
    "opex_outpacing_revenue": Case(
        {"opex_growth_3m": 0.18, "revenue_growth_3m": 0.02, "operating_expenses": 35000},
        Priority.MEDIUM,
        ("18%", "$35,000", "+2%"),
        {"opex_growth_3m": 0.03, "revenue_growth_3m": 0.02, "operating_expenses": 35000},
    ),
    "payroll_ratio_high": Case(
        {"payroll_ratio": 0.6, "payroll": 30000, "revenue": 50000},
        Priority.HIGH,
        ("60%", "$30,000", "$50,000"),
        {"payroll_ratio": 0.3, "payroll": 15000, "revenue": 50000},
    ),
    "cash_conversion_cycle_long": Case(
        {"cash_conversion_cycle": 95, "dso": 50, "dio": 75, "dpo": 30},
        Priority.MEDIUM,
        ("95 days", "75 days", "50 days", "30 days"),
        {"cash_conversion_cycle": 40, "dso": 35, "dio": 35, "dpo": 30},
    ),
    "supplier_payments_late": Case(
        {"dpo": 110, "accounts_payable": 42000},
        Priority.HIGH,
        ("110 days", "$42,000"),
        {"dpo": 35, "accounts_payable": 42000},
    ),
    "books_history_short": Case(
        {"months_of_data": 3},
        Priority.LOW,
        ("3 months", "13 months"),
        {"months_of_data": 18},
    ),
    # growth
    "growth_straining_cash": Case(
        {"revenue_growth_3m": 0.22, "cash_change_3m": -40000, "cash_balance": 60000},
        Priority.HIGH,
        ("22%", "$40,000", "$60,000"),
        {"revenue_growth_3m": 0.22, "cash_change_3m": 5000, "cash_balance": 60000},
    ),
    "growth_investment_ready": Case(
        {
            "gross_margin": 0.45,
            "net_margin": 0.14,
            "revenue_growth_3m": 0.05,
            "cash_months_of_expenses": 3,
            "revenue": 120000,
        },
        Priority.LOW,
        ("45%", "14%", "3 months", "$12,000", "$5,400"),
        {
            "gross_margin": 0.45,
            "net_margin": 0.04,
            "revenue_growth_3m": 0.05,
            "cash_months_of_expenses": 3,
            "revenue": 120000,
        },
    ),
    "capacity_planning": Case(
        {"revenue_growth_3m": 0.35, "net_margin": 0.12, "cash_change_3m": 15000, "revenue": 90000},
        Priority.MEDIUM,
        ("35%", "$90,000", "12%"),
        {"revenue_growth_3m": 0.08, "net_margin": 0.12, "cash_change_3m": 15000, "revenue": 90000},
    ),
    "credit_line_while_healthy": Case(
        {
            "net_margin": 0.08,
            "cash_months_of_expenses": 2,
            "revenue_growth_3m": 0.03,
            "revenue": 70000,
        },
        Priority.LOW,
        ("8%", "+3%", "2 months", "$70,000"),
        {
            "net_margin": 0.08,
            "cash_months_of_expenses": 6,
            "revenue_growth_3m": 0.03,
            "revenue": 70000,
        },
    ),
}

KEYS = [t.key for t in CATALOG]
REQUIRED = [(t.key, metric) for t in CATALOG for metric in t.requires]


def _only(candidates: list[Candidate], key: str) -> Candidate:
    found = [c for c in candidates if c.template_key == key]
    assert len(found) == 1, f"{key} expected once in {[c.template_key for c in candidates]}"
    return found[0]


# --- the catalog as a whole -----------------------------------------------------------------


def test_it_has_a_case_for_every_template() -> None:
    assert set(CASES) == set(KEYS)


def test_it_has_enough_templates_in_all_six_categories() -> None:
    counts: Counter[str] = Counter(t.category for t in CATALOG)
    assert len(CATALOG) >= 27
    assert set(counts) == set(CATEGORIES)
    minimum = {
        "cash_flow": 6,
        "inventory": 3,
        "revenue": 4,
        "profitability": 4,
        "operations": 4,
        "growth": 3,
    }
    for category, least in minimum.items():
        assert counts[category] >= least, category


def test_it_has_unique_snake_case_keys() -> None:
    assert len(set(KEYS)) == len(KEYS)
    for key in KEYS:
        assert re.fullmatch(r"[a-z][a-z0-9]*(_[a-z0-9]+)*", key), key


@pytest.mark.parametrize("key", KEYS)
def test_each_template_is_complete(key: str) -> None:
    template = get_template(key)
    assert template.title
    assert template.description.endswith(".")
    assert 3 <= len(template.actions) <= 5
    assert all(a.title and a.days_from_start >= 0 for a in template.actions)
    assert len(template.questions) >= 3
    assert all(q.endswith("?") for q in template.questions)
    assert len(template.key_metrics) == 4
    assert len(set(template.key_metrics)) == 4
    assert template.requires
    assert template.evidence_metrics
    for metric in (*template.requires, *template.key_metrics, *template.evidence_metrics):
        assert metric in METRICS, f"{key} names unknown metric {metric}"


def test_get_template_names_the_missing_key() -> None:
    assert get_template("cash_runway_low").category == "cash_flow"
    with pytest.raises(KeyError, match="no_such_template"):
        get_template("no_such_template")


def test_catalog_listing_is_json_for_the_api() -> None:
    listing = catalog_listing()
    assert [entry["key"] for entry in listing] == KEYS
    assert set(listing[0]) == {"key", "category", "title", "description", "requires"}
    assert listing[0]["requires"] == list(CATALOG[0].requires)
    json.dumps(listing)


def test_the_docs_table_lists_every_template() -> None:
    text = DOCS.read_text(encoding="utf-8")
    for template in CATALOG:
        assert f"`{template.key}`" in text, template.key


def test_the_catalog_never_imports_django_insights_or_feedback() -> None:
    code = (
        "import sys, coach.catalog, coach.engine; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'django', 'insights', 'feedback'}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "[]"


# --- every template, one by one -------------------------------------------------------------


@pytest.mark.parametrize("key", KEYS)
def test_each_template_applies_and_says_its_numbers(key: str) -> None:
    # given exactly the metrics the template requires, in a case where it applies
    template, case = get_template(key), CASES[key]
    assert set(case.applies) == set(template.requires)

    # when the catalog runs
    candidate = _only(evaluate(case.applies, ctx=case.ctx), key)

    # then it is there, as urgent as expected, and speaks in formatted numbers
    assert candidate.priority == case.priority
    assert 0 <= candidate.score <= 100
    assert candidate.category == template.category
    text = f"{candidate.title}\n{candidate.body}"
    for expected in case.says:
        assert expected in text, f"{key}: {expected!r} not in {text!r}"
    assert not NOT_A_NUMBER.search(text)


@pytest.mark.parametrize("key", KEYS)
def test_each_template_stays_silent_when_it_does_not_apply(key: str) -> None:
    template, case = get_template(key), CASES[key]
    assert set(case.silent) == set(template.requires)  # silent because of the numbers, not gaps

    assert not template.applies(case.silent, case.ctx)
    assert key not in {c.template_key for c in evaluate(case.silent, ctx=case.ctx)}


@pytest.mark.parametrize(("key", "metric"), REQUIRED)
def test_each_template_is_silent_when_a_required_metric_is_unknown(key: str, metric: str) -> None:
    values: dict[str, float | None] = {**CASES[key].applies, metric: None}

    assert key not in {c.template_key for c in evaluate(values, ctx=CASES[key].ctx)}
    assert get_template(key).missing({k: v for k, v in values.items() if v is not None}) == (
        metric,
    )


@pytest.mark.parametrize("unknown", [float("nan"), float("inf"), "12", True])
def test_it_treats_values_that_are_not_numbers_as_unknown(unknown: object) -> None:
    values = {**CASES["cash_runway_low"].applies, "runway_days": unknown}

    assert "cash_runway_low" not in {c.template_key for c in evaluate(values)}  # type: ignore[arg-type]


def test_it_writes_money_in_the_tenants_currency() -> None:
    candidates = evaluate(CASES["cash_runway_low"].applies, ctx=TemplateContext(currency="EUR"))

    body = _only(candidates, "cash_runway_low").body
    assert "€23,060" in body
    assert "$" not in body


# --- priorities and edge cases of single templates ----------------------------------------------


@pytest.mark.parametrize(
    ("key", "changes", "priority"),
    [
        ("cash_runway_low", {"runway_days": 44.9}, Priority.CRITICAL),
        ("cash_runway_low", {"runway_days": 91}, Priority.CRITICAL),
        ("cash_runway_low", {"runway_days": 92}, Priority.HIGH),
        ("cash_runway_low", {"runway_days": 180}, Priority.HIGH),
        ("growth_runway", {"runway_days": 400}, Priority.MEDIUM),
        ("growth_runway", {"runway_days": 600}, Priority.LOW),
        ("gross_margin_drifting", {"gross_margin_drift": -0.05}, Priority.MEDIUM),
        ("burn_accelerating", {"cash_balance": 500000}, Priority.MEDIUM),
        ("cash_declining", {"cash_change_3m": -60000}, Priority.HIGH),
        ("receivables_slow", {"dso": 80}, Priority.HIGH),
        ("receivables_slowing", {"dso_change_3m": 8}, Priority.LOW),
        ("payables_paid_early", {"dpo": 15}, Priority.LOW),
        ("cash_buffer_thin", {"cash_months_of_expenses": 0.8}, Priority.MEDIUM),
        ("inventory_overstock", {"dio": 200}, Priority.HIGH),
        ("stockout_risk", {"dio": 10}, Priority.MEDIUM),
        ("revenue_drop_mom", {"revenue_growth_mom": -0.4}, Priority.HIGH),
        ("revenue_decline_yoy", {"revenue_3m_yoy": -0.3}, Priority.HIGH),
        ("revenue_volatile", {"revenue_volatility": 0.3}, Priority.LOW),
        ("gross_margin_eroding", {"gross_margin_change_3m": -0.1}, Priority.HIGH),
        ("net_loss", {"net_margin": -0.04}, Priority.MEDIUM),
        ("net_margin_thin", {"net_margin": 0.01}, Priority.MEDIUM),
        ("gross_margin_low", {"gross_margin": -0.05}, Priority.HIGH),
        ("payroll_ratio_high", {"payroll_ratio": 0.45}, Priority.MEDIUM),
        ("cash_conversion_cycle_long", {"cash_conversion_cycle": 130}, Priority.HIGH),
        ("supplier_payments_late", {"dpo": 80}, Priority.MEDIUM),
        ("growth_straining_cash", {"cash_change_3m": -5000}, Priority.MEDIUM),
        ("growth_investment_ready", {"net_margin": 0.25}, Priority.MEDIUM),
        ("capacity_planning", {"revenue_growth_3m": 0.2}, Priority.LOW),
    ],
)
def test_priority_follows_severity(key: str, changes: dict[str, float], priority: Priority) -> None:
    values = {**CASES[key].applies, **changes}

    assert _only(evaluate(values, ctx=CASES[key].ctx), key).priority == priority


def test_only_a_short_runway_is_critical() -> None:
    criticals = {t.key for t in CATALOG if CASES[t.key].priority == Priority.CRITICAL}
    assert criticals == {"cash_runway_low"}


def test_the_score_grows_with_severity_within_a_priority() -> None:
    def score(runway: float) -> float:
        values = {**CASES["cash_runway_low"].applies, "runway_days": runway}
        return _only(evaluate(values), "cash_runway_low").score

    assert score(40) < score(30) < score(10)
    assert score(85) < score(60) < score(45.5)


def test_a_runway_needs_a_burn() -> None:
    values = {**CASES["cash_runway_low"].applies, "net_burn": -1000}
    assert "cash_runway_low" not in {c.template_key for c in evaluate(values)}


def test_cash_declining_leaves_a_short_runway_to_cash_runway_low() -> None:
    values = {**CASES["cash_declining"].applies, "runway_days": 60}
    assert "cash_declining" not in {c.template_key for c in evaluate(values)}


def test_burn_accelerating_without_cash_says_so() -> None:
    values = {**CASES["burn_accelerating"].applies, "cash_balance": -2000}

    candidate = _only(evaluate(values), "burn_accelerating")
    assert "no cash left" in candidate.body
    assert candidate.priority == Priority.HIGH


def test_cash_buffer_thin_when_overdrawn_says_there_is_no_buffer() -> None:
    values = {**CASES["cash_buffer_thin"].applies, "cash_balance": -3000}

    candidate = _only(evaluate(values), "cash_buffer_thin")
    assert candidate.title == "You have no cash buffer"
    assert "-$3,000" in candidate.body


def test_net_loss_with_negative_gross_margin_points_at_pricing() -> None:
    values = {**CASES["net_loss"].applies, "gross_margin": -0.05}

    body = _only(evaluate(values), "net_loss").body
    assert "every sale loses money" in body
    assert "break even" not in body


def test_gross_margin_low_below_zero_says_sales_lose_money() -> None:
    values = {"gross_margin": -0.1, "revenue": 50000, "gross_profit": -5000}

    body = _only(evaluate(values), "gross_margin_low").body
    assert "direct costs exceed your sales" in body
    assert "-$5,000" in body


def test_revenue_drop_to_zero_does_not_invent_the_month_before() -> None:
    values = {"revenue_growth_mom": -1.0, "revenue": 0}

    body = _only(evaluate(values), "revenue_drop_mom").body
    assert "100%" in body
    assert " from " not in body.split(".")[0]


def test_no_books_at_all_is_not_a_short_history() -> None:
    assert "books_history_short" not in {c.template_key for c in evaluate({"months_of_data": 0})}


def test_one_month_of_books_reads_as_one_month() -> None:
    body = _only(evaluate({"months_of_data": 1}), "books_history_short").body
    assert "Coach has 1 month of" in body


def test_inventory_clearance_and_outpacing_never_both_speak() -> None:
    for growth in (-0.3, -0.1, -0.05, 0.0, 0.1):
        values = {
            "revenue_growth_3m": growth,
            "inventory_growth_3m": 0.4,
            "dio": 90,
            "inventory_value": 50000,
        }
        keys = {c.template_key for c in evaluate(values)}
        assert not {"inventory_clearance", "inventory_outpacing_sales"} <= keys


# --- what a candidate carries ---------------------------------------------------------------


def _months(count: int) -> list[date]:
    return [date(2023 + (i // 12), i % 12 + 1, 1) for i in range(count)]


def test_a_candidate_carries_its_evidence_as_json() -> None:
    # given a full month-by-month history, longer than the evidence window
    history = _months(30)
    series: Series = {
        "cash_balance": [(m, 100000.0 - 3000 * i) for i, m in enumerate(history)],
        "net_burn": [(m, None) for m in history],  # unknown months stay unknown
        "dso": [(m, 40.0) for m in history],  # not evidence for this template
    }
    cash_flow = [
        {
            "month": m,
            "inflow": 50000.0,
            "outflow": 53000.0,
            "net": -3000.0,
            "cash_balance": 100000.0 - 3000 * i,
            "cash_change": None if i == 0 else -3000.0,
        }
        for i, m in enumerate(reversed(history))  # out of order on purpose
    ]

    # when the runway template speaks
    candidate = _only(
        evaluate(CASES["cash_runway_low"].applies, series, cash_flow), "cash_runway_low"
    )

    # then it carries the numbers it used and the evidence, JSON-friendly and bounded
    assert candidate.figures == {
        "runway_days": 38.0,
        "net_burn": 18200.0,
        "cash_balance": 23060.0,
        "cash_months_of_expenses": None,
        # what the text computed from them: a fifth of the burn, and the runway without it
        "burn_cut": 3640.0,
        "runway_after_cut": 47.5,
    }
    assert set(candidate.series) == {"cash_balance", "net_burn"}
    points = candidate.series["cash_balance"]
    assert len(points) == EVIDENCE_MONTHS
    assert points[-1] == ["2025-06-01", 13000.0]
    assert candidate.series["net_burn"][0] == ["2023-07-01", None]
    assert len(candidate.cash_flow) == EVIDENCE_MONTHS
    months = [row["month"] for row in candidate.cash_flow]
    assert months == sorted(months)
    assert months[-1] == "2025-06-01"
    assert candidate.actions[0] == {"title": "Build a 13-week cash forecast", "days_from_start": 0}
    assert candidate.questions[0] == "Why is my runway shrinking?"
    assert candidate.key_metrics == list(get_template("cash_runway_low").key_metrics)

    data = candidate.to_dict()
    assert data["priority"] == "critical"
    assert json.loads(json.dumps(data)) == data


def test_a_candidate_without_evidence_has_empty_evidence() -> None:
    candidate = _only(evaluate(CASES["cash_runway_low"].applies), "cash_runway_low")
    assert candidate.series == {}
    assert candidate.cash_flow == []


def test_a_candidate_can_be_rebuilt_from_its_stored_form() -> None:
    candidate = _only(evaluate(CASES["cash_runway_low"].applies), "cash_runway_low")

    assert Candidate(**candidate.to_dict()) == candidate


# --- no input makes the catalog fail ----------------------------------------------------------

_metric_value = st.one_of(
    st.none(),
    st.floats(min_value=-1e7, max_value=1e7, allow_nan=False, allow_infinity=False),
    st.sampled_from([0.0, -1.0, 1.0, 0.5, -0.5, 30.0, 45.0, 90.0]),
)


@settings(max_examples=300, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(st.fixed_dictionaries(dict.fromkeys(METRICS, _metric_value)))
def test_any_metrics_give_well_formed_candidates(values: dict[str, float | None]) -> None:
    for candidate in evaluate(values, ctx=TemplateContext(currency="GBP")):
        template = get_template(candidate.template_key)
        assert all(values[m] is not None for m in template.requires)
        assert isinstance(candidate.priority, Priority)
        assert 0 <= candidate.score <= 100
        assert candidate.title
        assert candidate.body
        assert not NOT_A_NUMBER.search(f"{candidate.title} {candidate.body}")
        assert "$" not in candidate.body
