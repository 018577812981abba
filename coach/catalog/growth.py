"""Growth advice: funding growth that drains cash, and using strength to invest or borrow well."""

from __future__ import annotations

from coach.catalog.base import (
    COVER_MEANS,
    Known,
    Priority,
    Rendered,
    SuggestedAction,
    Template,
    TemplateContext,
    ramp,
    scored,
)
from coach.catalog.cash_flow import cash_drop
from coach.catalog.formatting import money, months, percent
from coach.vocabulary import Category

# 10% more revenue in a quarter is growth that needs working capital.
STRONG_GROWTH = 0.10
# 15% in a quarter, profitably, is the point where capacity becomes the next constraint.
FAST_GROWTH = 0.15
# Losing a quarter of cash to growth in three months is a high-priority funding problem.
GROWTH_CASH_DROP_HIGH = 0.25
# Healthy enough to invest: margins that fund growth and two months of costs in the bank.
HEALTHY_GROSS_MARGIN = 0.35
HEALTHY_NET_MARGIN = 0.10
HEALTHY_CASH_MONTHS = 2.0
# Lenders want profit and a steady trend; under four months of cash a standby facility is useful.
LENDABLE_NET_MARGIN = 0.05
CREDIT_LINE_MAX_CASH_MONTHS = 4.0


def _straining_render(v: Known, ctx: TemplateContext) -> Rendered:
    body = (
        f"Revenue grew {percent(v['revenue_growth_3m'])} over three months, but cash fell by "
        f"{money(-v['cash_change_3m'], ctx.currency)} to {money(v['cash_balance'], ctx.currency)}. "
        "Growth needs cash up front (stock, staff, customers who pay later); fund it deliberately "
        "so that success does not leave you short."
    )
    return "Growth is draining your cash", body


growth_straining_cash = Template(
    key="growth_straining_cash",
    category=Category.GROWTH,
    title="Growth is straining cash",
    description="Revenue is growing fast while your cash balance falls.",
    requires=("revenue_growth_3m", "cash_change_3m", "cash_balance"),
    applies=lambda v, ctx: v["revenue_growth_3m"] >= STRONG_GROWTH and v["cash_change_3m"] < 0,
    priority=lambda v, ctx: (
        scored(Priority.HIGH, ramp(cash_drop(v), GROWTH_CASH_DROP_HIGH, 0.5))
        if cash_drop(v) >= GROWTH_CASH_DROP_HIGH
        else scored(Priority.MEDIUM, ramp(cash_drop(v), 0, GROWTH_CASH_DROP_HIGH))
    ),
    render=_straining_render,
    actions=(
        SuggestedAction("Forecast the working capital next quarter's growth needs", 0),
        SuggestedAction("Ask new customers for deposits or shorter payment terms", 3),
        SuggestedAction("Negotiate supplier terms that match your sales cycle", 7),
        SuggestedAction("Line up growth financing before cash gets tight", 14),
    ),
    questions=(
        "Why is my cash falling when sales are growing?",
        "How much cash does my growth need?",
        "Should I finance growth with a loan?",
    ),
    evidence_metrics=("revenue", "cash_balance"),
    key_metrics=("revenue_growth_3m", "cash_change_3m", "cash_balance", "dso"),
)


def _invest_render(v: Known, ctx: TemplateContext) -> Rendered:
    extra_sales = v["revenue"] * 0.10  # a 10% step up is a concrete, reachable growth goal
    body = (
        f"With a {percent(v['gross_margin'])} gross margin, a {percent(v['net_margin'])} net "
        f"margin and {months(v['cash_months_of_expenses'])} of costs in the bank (cash cover: "
        f"{COVER_MEANS}), you can afford to invest. Growing sales by a tenth "
        f"({money(extra_sales, ctx.currency)} a month) would add about "
        f"{money(extra_sales * v['gross_margin'], ctx.currency)} of gross profit a month."
    )
    return (
        "You are in a strong position to invest in growth",
        body,
        {"extra_sales": extra_sales, "extra_gross_profit": extra_sales * v["gross_margin"]},
    )


growth_investment_ready = Template(
    key="growth_investment_ready",
    category=Category.GROWTH,
    title="Ready to invest in growth",
    description="Healthy margins and cash reserves make this a good time to invest in growth.",
    requires=(
        "gross_margin",
        "net_margin",
        "revenue_growth_3m",
        "cash_months_of_expenses",
        "revenue",
    ),
    applies=lambda v, ctx: (
        v["gross_margin"] >= HEALTHY_GROSS_MARGIN
        and v["net_margin"] >= HEALTHY_NET_MARGIN
        and v["revenue_growth_3m"] >= 0
        and v["cash_months_of_expenses"] >= HEALTHY_CASH_MONTHS
    ),
    priority=lambda v, ctx: scored(
        Priority.MEDIUM if v["net_margin"] >= 0.20 else Priority.LOW,
        ramp(v["net_margin"], HEALTHY_NET_MARGIN, 0.30),
    ),
    render=_invest_render,
    actions=(
        SuggestedAction("Pick the growth bet with the fastest payback", 0),
        SuggestedAction("Set a budget you can lose without touching your reserve", 3),
        SuggestedAction("Define the one number that shows it is working", 3),
        SuggestedAction("Launch a small test", 14),
        SuggestedAction("Review the results and scale what works", 45),
    ),
    questions=(
        "Where should I invest to grow?",
        "How much can I safely invest?",
        "Should I hire or spend on marketing?",
    ),
    evidence_metrics=("revenue", "net_income", "gross_margin"),
    key_metrics=("gross_margin", "net_margin", "revenue_growth_3m", "cash_months_of_expenses"),
)


def _capacity_render(v: Known, ctx: TemplateContext) -> Rendered:
    growth = v["revenue_growth_3m"]
    body = (
        f"Revenue grew {percent(growth)} over three months to {money(v['revenue'], ctx.currency)} "
        f"a month, at a {percent(v['net_margin'])} net margin and without draining cash. Plan "
        "staff, stock and systems for the next step up before service quality slips."
    )
    return f"Revenue is up {percent(growth)}: plan your capacity", body


capacity_planning = Template(
    key="capacity_planning",
    category=Category.GROWTH,
    title="Plan capacity for growth",
    description="Fast, profitable growth: plan people, stock and systems before they limit you.",
    requires=("revenue_growth_3m", "net_margin", "cash_change_3m", "revenue"),
    applies=lambda v, ctx: (
        v["revenue_growth_3m"] >= FAST_GROWTH and v["net_margin"] > 0 and v["cash_change_3m"] >= 0
    ),
    priority=lambda v, ctx: scored(
        Priority.MEDIUM if v["revenue_growth_3m"] >= 0.30 else Priority.LOW,
        ramp(v["revenue_growth_3m"], FAST_GROWTH, 0.5),
    ),
    render=_capacity_render,
    actions=(
        SuggestedAction("Forecast demand for the next two quarters", 0),
        SuggestedAction("Find the first bottleneck: people, stock, equipment or systems", 3),
        SuggestedAction("Plan hires or contractors ahead of the peak", 14),
        SuggestedAction("Check that your suppliers can scale with you", 14),
    ),
    questions=(
        "Can my team handle more growth?",
        "When should I hire?",
        "How do I keep quality up while growing?",
    ),
    evidence_metrics=("revenue", "net_income", "cash_balance"),
    key_metrics=("revenue_growth_3m", "net_margin", "revenue", "cash_balance"),
)


def _credit_render(v: Known, ctx: TemplateContext) -> Rendered:
    growth = v["revenue_growth_3m"]
    trend = "growing" if growth > 0 else "steady"
    body = (
        f"You are profitable ({percent(v['net_margin'])} net margin), revenue is {trend} "
        f"({percent(growth, signed=True)} over three months) and you hold "
        f"{months(v['cash_months_of_expenses'])} of costs in cash (cash cover: {COVER_MEANS}). "
        "Lenders offer the best terms "
        "when you do not urgently need the money; a standby facility of about one month's revenue "
        f"({money(v['revenue'], ctx.currency)}) gives you room for growth or a rough patch."
    )
    return "Arrange a credit line while your numbers are strong", body


credit_line_while_healthy = Template(
    key="credit_line_while_healthy",
    category=Category.GROWTH,
    title="Arrange credit while healthy",
    description="Your numbers are strong enough to secure a credit line on good terms now.",
    requires=("net_margin", "cash_months_of_expenses", "revenue_growth_3m", "revenue"),
    applies=lambda v, ctx: (
        v["net_margin"] >= LENDABLE_NET_MARGIN
        and 1 <= v["cash_months_of_expenses"] < CREDIT_LINE_MAX_CASH_MONTHS
        and v["revenue_growth_3m"] >= 0
        and v["revenue"] > 0
    ),
    priority=lambda v, ctx: scored(
        Priority.LOW,
        ramp(v["cash_months_of_expenses"], CREDIT_LINE_MAX_CASH_MONTHS, 1),
    ),
    render=_credit_render,
    actions=(
        SuggestedAction("Gather your last 12 months of accounts and cash flow", 0),
        SuggestedAction("Ask your bank and one alternative lender for a credit line quote", 7),
        SuggestedAction("Compare rates, fees and covenants", 14),
        SuggestedAction("Write down when you would draw on it, and when not", 21),
    ),
    questions=(
        "Why should I borrow when I do not need to?",
        "How big a credit line do I need?",
        "What do lenders look at?",
    ),
    evidence_metrics=("revenue", "net_income", "cash_balance"),
    key_metrics=("net_margin", "cash_months_of_expenses", "revenue_growth_3m", "cash_balance"),
)

TEMPLATES: tuple[Template, ...] = (
    growth_straining_cash,
    growth_investment_ready,
    capacity_planning,
    credit_line_while_healthy,
)
