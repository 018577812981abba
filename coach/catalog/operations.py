"""Operations advice: cost creep, payroll weight, working capital and supplier standing."""

from __future__ import annotations

from coach.catalog.base import (
    Known,
    Priority,
    SuggestedAction,
    Template,
    TemplateContext,
    ramp,
    scored,
)
from coach.catalog.formatting import days, money, number, percent
from coach.vocabulary import Category

# Costs up 5%+ in a quarter and 10 points faster than revenue is cost creep, not noise.
OPEX_GROWTH_MIN = 0.05
OPEX_GAP_MIN = 0.10
OPEX_GAP_HIGH = 0.25
# Beyond ~40% of revenue, staff costs crowd out margin in most SMBs; 55% is rarely sustainable.
PAYROLL_HIGH = 0.40
PAYROLL_VERY_HIGH = 0.55
# Two months between paying for stock and being paid ties up a lot of working capital.
CCC_LONG_DAYS = 60.0
CCC_VERY_LONG_DAYS = 120.0
# Well past common 30-60 day terms: late fees, stricter terms and supply risk.
DPO_LATE_DAYS = 75.0
DPO_VERY_LATE_DAYS = 100.0
# Under six months of books, trends and seasonality cannot be told apart.
HISTORY_MIN_MONTHS = 6.0
HISTORY_GOOD_MONTHS = 13  # a year-on-year comparison needs the same month a year ago


def _opex_gap(v: Known) -> float:
    return v["opex_growth_3m"] - v["revenue_growth_3m"]


def _creep_render(v: Known, ctx: TemplateContext) -> tuple[str, str]:
    body = (
        f"Operating expenses grew {percent(v['opex_growth_3m'])} over three months to "
        f"{money(v['operating_expenses'], ctx.currency)} a month, while revenue changed "
        f"{percent(v['revenue_growth_3m'], signed=True)}. If that gap persists, it eats straight "
        "into profit."
    )
    return "Costs are rising faster than revenue", body


opex_outpacing_revenue = Template(
    key="opex_outpacing_revenue",
    category=Category.OPERATIONS,
    title="Costs are rising faster than revenue",
    description="Operating expenses have grown much faster than revenue over three months.",
    requires=("opex_growth_3m", "revenue_growth_3m", "operating_expenses"),
    applies=lambda v: v["opex_growth_3m"] > OPEX_GROWTH_MIN and _opex_gap(v) >= OPEX_GAP_MIN,
    priority=lambda v: (
        scored(Priority.HIGH, ramp(_opex_gap(v), OPEX_GAP_HIGH, 0.5))
        if _opex_gap(v) >= OPEX_GAP_HIGH
        else scored(Priority.MEDIUM, ramp(_opex_gap(v), OPEX_GAP_MIN, OPEX_GAP_HIGH))
    ),
    render=_creep_render,
    actions=(
        SuggestedAction("List every cost that grew in the last three months", 0),
        SuggestedAction("Separate investments in growth from cost creep", 2),
        SuggestedAction("Cancel unused subscriptions and services", 3),
        SuggestedAction("Set a monthly budget per cost category", 7),
        SuggestedAction("Review the budget against actuals each month", 30),
    ),
    questions=(
        "Which costs grew the most?",
        "Are my new costs paying off?",
        "How do I keep overheads under control?",
    ),
    evidence_metrics=("operating_expenses", "revenue"),
    key_metrics=(
        "opex_growth_3m",
        "revenue_growth_3m",
        "operating_expenses",
        "operating_expense_ratio",
    ),
)


def _payroll_render(v: Known, ctx: TemplateContext) -> tuple[str, str]:
    ratio = v["payroll_ratio"]
    body = (
        f"You spent {money(v['payroll'], ctx.currency)} on payroll against "
        f"{money(v['revenue'], ctx.currency)} of revenue last month ({percent(ratio)}). Before "
        "cutting people, look at utilisation, overtime and how you price your team's time."
    )
    return f"Payroll takes {percent(ratio)} of revenue", body


payroll_ratio_high = Template(
    key="payroll_ratio_high",
    category=Category.OPERATIONS,
    title="Payroll is heavy for your revenue",
    description="Payroll takes more than 40% of revenue.",
    requires=("payroll_ratio", "payroll", "revenue"),
    applies=lambda v: v["payroll_ratio"] > PAYROLL_HIGH,
    priority=lambda v: (
        scored(Priority.HIGH, ramp(v["payroll_ratio"], PAYROLL_VERY_HIGH, 0.8))
        if v["payroll_ratio"] > PAYROLL_VERY_HIGH
        else scored(Priority.MEDIUM, ramp(v["payroll_ratio"], PAYROLL_HIGH, PAYROLL_VERY_HIGH))
    ),
    render=_payroll_render,
    actions=(
        SuggestedAction("Compare payroll with revenue per team over the last six months", 0),
        SuggestedAction("Review overtime and contractor spend", 3),
        SuggestedAction("Check how much staff time is billable or revenue-generating", 7),
        SuggestedAction("Hold new hires until the ratio improves", 7),
        SuggestedAction("Reprice labour-heavy services", 21),
    ),
    questions=(
        "Is my payroll too high for my revenue?",
        "How can I improve staff productivity?",
        "Should I hire or use contractors?",
    ),
    evidence_metrics=("payroll", "revenue"),
    key_metrics=("payroll_ratio", "payroll", "revenue", "net_margin"),
)


def _cycle_render(v: Known, ctx: TemplateContext) -> tuple[str, str]:
    cycle = v["cash_conversion_cycle"]
    body = (
        f"It takes {days(cycle)} from paying suppliers to getting paid by customers: stock sits "
        f"for {days(v['dio'])}, customers pay in {days(v['dso'])}, and you pay suppliers in "
        f"{days(v['dpo'])}. Shortening any of the three frees working capital."
    )
    return f"Your cash is tied up for {days(cycle)}", body


cash_conversion_cycle_long = Template(
    key="cash_conversion_cycle_long",
    category=Category.OPERATIONS,
    title="Long cash conversion cycle",
    description="Cash takes more than two months to come back from stock and customers.",
    requires=("cash_conversion_cycle", "dso", "dio", "dpo"),
    applies=lambda v: v["cash_conversion_cycle"] > CCC_LONG_DAYS,
    priority=lambda v: (
        scored(Priority.HIGH, ramp(v["cash_conversion_cycle"], CCC_VERY_LONG_DAYS, 200))
        if v["cash_conversion_cycle"] > CCC_VERY_LONG_DAYS
        else scored(
            Priority.MEDIUM, ramp(v["cash_conversion_cycle"], CCC_LONG_DAYS, CCC_VERY_LONG_DAYS)
        )
    ),
    render=_cycle_render,
    actions=(
        SuggestedAction("Pick the biggest lever: stock, collections or supplier terms", 0),
        SuggestedAction("Set a target and an owner for each lever", 3),
        SuggestedAction("Tighten invoicing and collections", 7),
        SuggestedAction("Negotiate longer terms with your top suppliers", 14),
        SuggestedAction("Track the cycle every month", 30),
    ),
    questions=(
        "What is the cash conversion cycle?",
        "Which part of my cycle should I shorten first?",
        "How much cash would a shorter cycle free?",
    ),
    evidence_metrics=("cash_conversion_cycle", "dso", "dio", "dpo"),
    key_metrics=("cash_conversion_cycle", "dso", "dio", "dpo"),
)


def _late_render(v: Known, ctx: TemplateContext) -> tuple[str, str]:
    dpo = v["dpo"]
    body = (
        f"You owe suppliers {money(v['accounts_payable'], ctx.currency)} and take {days(dpo)} on "
        "average to pay them, well past typical 30-60 day terms. That protects cash today but "
        "risks late fees, stricter terms or a supplier putting you on hold."
    )
    return f"Suppliers wait {days(dpo)} to be paid", body


supplier_payments_late = Template(
    key="supplier_payments_late",
    category=Category.OPERATIONS,
    title="Suppliers are paid late",
    description="You take far longer than usual terms to pay suppliers, risking the relationship.",
    requires=("dpo", "accounts_payable"),
    applies=lambda v: v["dpo"] > DPO_LATE_DAYS and v["accounts_payable"] > 0,
    priority=lambda v: (
        scored(Priority.HIGH, ramp(v["dpo"], DPO_VERY_LATE_DAYS, 150))
        if v["dpo"] > DPO_VERY_LATE_DAYS
        else scored(Priority.MEDIUM, ramp(v["dpo"], DPO_LATE_DAYS, DPO_VERY_LATE_DAYS))
    ),
    render=_late_render,
    actions=(
        SuggestedAction("List overdue supplier invoices by age", 0),
        SuggestedAction("Rank suppliers by how critical they are to your operations", 1),
        SuggestedAction("Call key suppliers to agree payment plans", 2),
        SuggestedAction("Build supplier payments into your weekly cash plan", 7),
    ),
    questions=(
        "Am I at risk of losing suppliers?",
        "Which suppliers should I pay first?",
        "How do I agree a payment plan?",
    ),
    evidence_metrics=("dpo", "accounts_payable"),
    key_metrics=("dpo", "accounts_payable", "cash_balance", "cash_months_of_expenses"),
)


def _history_render(v: Known, ctx: TemplateContext) -> tuple[str, str]:
    count = number(v["months_of_data"])
    unit = "month" if count == "1" else "months"
    body = (
        f"Coach has {count} {unit} of your financial history. With at least "
        f"{HISTORY_GOOD_MONTHS} months it can separate trends from seasonality and compare you "
        "with last year; closing the books every month makes each recommendation sharper."
    )
    return "Add more financial history", body


books_history_short = Template(
    key="books_history_short",
    category=Category.OPERATIONS,
    title="Financial history is short",
    description="Less than six months of books, so trends and seasonality are hard to read.",
    requires=("months_of_data",),
    # With no books at all there is nothing to advise on; the caller says the data is missing.
    applies=lambda v: 1 <= v["months_of_data"] < HISTORY_MIN_MONTHS,
    priority=lambda v: scored(Priority.LOW, ramp(v["months_of_data"], HISTORY_MIN_MONTHS, 1)),
    render=_history_render,
    actions=(
        SuggestedAction("Gather the last 12 months of bank statements and invoices", 0),
        SuggestedAction("Enter or import the missing months", 3),
        SuggestedAction("Set a monthly date to close and reconcile the books", 7),
    ),
    questions=(
        "Why does more history help?",
        "Which months are missing?",
        "How do I keep my books up to date?",
    ),
    evidence_metrics=("revenue", "cash_balance"),
    key_metrics=("months_of_data", "revenue", "cash_balance", "net_income"),
)

TEMPLATES: tuple[Template, ...] = (
    opex_outpacing_revenue,
    payroll_ratio_high,
    cash_conversion_cycle_long,
    supplier_payments_late,
    books_history_short,
)
