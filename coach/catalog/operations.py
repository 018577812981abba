"""Operations advice: cost creep, payroll weight, working capital and supplier standing."""

from __future__ import annotations

from coach.catalog.base import (
    Known,
    Priority,
    Rendered,
    SuggestedAction,
    Template,
    TemplateContext,
    ramp,
    scored,
)
from coach.catalog.formatting import acronym, days, money, number, percent
from coach.vocabulary import Category, Stage

# Costs up 5%+ in a quarter and 10 points faster than revenue is cost creep, not noise.
OPEX_GROWTH_MIN = 0.05
OPEX_GAP_MIN = 0.10
OPEX_GAP_HIGH = 0.25
# Payroll share, the cash conversion cycle and supplier payment days are read against the
# trade's norms (coach.industry): 62% payroll is a consultancy's normal, a retailer's crisis.
# Payroll is read over the last twelve months when the books have them (a quiet month's share is
# the season), and not at all for a growing or pre-revenue business burning cash: its team is its
# investment, and its runway card speaks for its costs.
FUNDED_STAGES = (Stage.GROWING, Stage.PRE_REVENUE)


def payroll_share(v: Known) -> float:
    """Payroll over revenue across the last 12 months when known, else this month's."""
    return v.get("payroll_ratio_12m", v["payroll_ratio"])


# Under six months of books, trends and seasonality cannot be told apart.
HISTORY_MIN_MONTHS = 6.0
HISTORY_GOOD_MONTHS = 13  # a year-on-year comparison needs the same month a year ago


def _opex_gap(v: Known) -> float:
    return v["opex_growth_3m"] - v["revenue_growth_3m"]


def _creep_render(v: Known, ctx: TemplateContext) -> Rendered:
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
    applies=lambda v, ctx: v["opex_growth_3m"] > OPEX_GROWTH_MIN and _opex_gap(v) >= OPEX_GAP_MIN,
    priority=lambda v, ctx: (
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


def _payroll_render(v: Known, ctx: TemplateContext) -> Rendered:
    ratio, norms = payroll_share(v), ctx.norms
    over = "over the last twelve months" if "payroll_ratio_12m" in v else "last month"
    body = (
        f"You spent {money(v['payroll'], ctx.currency)} on payroll against "
        f"{money(v['revenue'], ctx.currency)} of revenue last month; {over} payroll took "
        f"{percent(ratio)} of revenue, where {norms.trade} usually spend about "
        f"{percent(norms.payroll_typical)}. Before cutting people, look at utilisation, overtime "
        "and how you price your team's time."
    )
    return f"Payroll takes {percent(ratio)} of revenue", body, {"payroll_share": ratio}


payroll_ratio_high = Template(
    key="payroll_ratio_high",
    category=Category.OPERATIONS,
    title="Payroll is heavy for your revenue",
    description="Payroll takes a larger share of revenue than is usual in your trade.",
    requires=("payroll_ratio", "payroll", "revenue"),
    applies=lambda v, ctx: (
        payroll_share(v) > ctx.norms.payroll_high
        and not (ctx.stage in FUNDED_STAGES and v.get("net_burn", 0) > 0)
    ),
    priority=lambda v, ctx: (
        scored(Priority.HIGH, ramp(payroll_share(v), ctx.norms.payroll_very_high, 1.0))
        if payroll_share(v) > ctx.norms.payroll_very_high
        else scored(
            Priority.MEDIUM,
            ramp(payroll_share(v), ctx.norms.payroll_high, ctx.norms.payroll_very_high),
        )
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


def _cycle_render(v: Known, ctx: TemplateContext) -> Rendered:
    cycle = v["cash_conversion_cycle"]
    body = (
        f"It takes {days(cycle)} from paying suppliers to getting paid by customers (the cash "
        f"conversion cycle): stock sits for {days(v['dio'])}, customers pay in {days(v['dso'])}, "
        f"and you pay suppliers in {days(v['dpo'])}. Shortening any of the three frees working "
        "capital."
    )
    return f"Your cash is tied up for {days(cycle)}", body


cash_conversion_cycle_long = Template(
    key="cash_conversion_cycle_long",
    category=Category.OPERATIONS,
    title="Long cash conversion cycle",
    description="Cash takes far longer than is usual in your trade to come back from stock and "
    "customers.",
    requires=("cash_conversion_cycle", "dso", "dio", "dpo"),
    applies=lambda v, ctx: v["cash_conversion_cycle"] > ctx.norms.ccc_long,
    priority=lambda v, ctx: (
        scored(
            Priority.HIGH,
            ramp(
                v["cash_conversion_cycle"], ctx.norms.ccc_very_long, ctx.norms.ccc_very_long * 1.6
            ),
        )
        if v["cash_conversion_cycle"] > ctx.norms.ccc_very_long
        else scored(
            Priority.MEDIUM,
            ramp(v["cash_conversion_cycle"], ctx.norms.ccc_long, ctx.norms.ccc_very_long),
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


def _late_render(v: Known, ctx: TemplateContext) -> Rendered:
    dpo, norms = v["dpo"], ctx.norms
    body = (
        f"You owe suppliers {money(v['accounts_payable'], ctx.currency)} and take {days(dpo)} on "
        f"average to pay them ({acronym('DPO')}), well past the {days(norms.dpo_typical)} usual "
        f"for {norms.trade}. That protects cash today but risks late fees, stricter terms or a "
        "supplier putting you on hold."
    )
    return f"Suppliers wait {days(dpo)} to be paid", body


supplier_payments_late = Template(
    key="supplier_payments_late",
    category=Category.OPERATIONS,
    title="Suppliers are paid late",
    description="You take far longer than usual terms to pay suppliers, risking the relationship.",
    requires=("dpo", "accounts_payable"),
    applies=lambda v, ctx: v["dpo"] > ctx.norms.dpo_late and v["accounts_payable"] > 0,
    priority=lambda v, ctx: (
        scored(
            Priority.HIGH, ramp(v["dpo"], ctx.norms.dpo_very_late, ctx.norms.dpo_very_late * 1.5)
        )
        if v["dpo"] > ctx.norms.dpo_very_late
        else scored(Priority.MEDIUM, ramp(v["dpo"], ctx.norms.dpo_late, ctx.norms.dpo_very_late))
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


def _history_render(v: Known, ctx: TemplateContext) -> Rendered:
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
    applies=lambda v, ctx: 1 <= v["months_of_data"] < HISTORY_MIN_MONTHS,
    priority=lambda v, ctx: scored(Priority.LOW, ramp(v["months_of_data"], HISTORY_MIN_MONTHS, 1)),
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
