"""Profitability advice: margins that erode, are thin, or do not cover the overheads."""

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
from coach.catalog.formatting import money, percent, points
from coach.vocabulary import Category

# Three points of gross margin lost in a quarter is more than pricing noise; eight is serious.
MARGIN_EROSION = -0.03
MARGIN_EROSION_HIGH = -0.08
# A loss of a tenth of revenue cannot be carried for long by a small business.
NET_LOSS_HIGH = -0.10
# Under 5% net margin, one bad month or a cost increase turns profit into loss.
NET_MARGIN_THIN = 0.05
NET_MARGIN_VERY_THIN = 0.02
# Below ~20% gross margin little is left for rent, payroll and profit in most SMB models.
GROSS_MARGIN_LOW = 0.20
GROSS_MARGIN_VERY_LOW = 0.05


def _erosion_render(v: Known, ctx: TemplateContext) -> tuple[str, str]:
    change, revenue = v["gross_margin_change_3m"], v["revenue"]
    body = (
        f"Your gross margin dropped {points(-change)} over three months, to "
        f"{percent(v['gross_margin'])}. On this month's revenue of {money(revenue, ctx.currency)} "
        f"that is about {money(-change * revenue, ctx.currency)} less gross profit a month. Check "
        "supplier prices, discounts and your product mix."
    )
    return f"Gross margin fell {points(-change)}", body


gross_margin_eroding = Template(
    key="gross_margin_eroding",
    category=Category.PROFITABILITY,
    title="Gross margin is eroding",
    description="Your gross margin has fallen by several points over three months.",
    requires=("gross_margin_change_3m", "gross_margin", "revenue"),
    applies=lambda v: v["gross_margin_change_3m"] <= MARGIN_EROSION,
    priority=lambda v: (
        scored(Priority.HIGH, ramp(v["gross_margin_change_3m"], MARGIN_EROSION_HIGH, -0.15))
        if v["gross_margin_change_3m"] <= MARGIN_EROSION_HIGH
        else scored(
            Priority.MEDIUM, ramp(v["gross_margin_change_3m"], MARGIN_EROSION, MARGIN_EROSION_HIGH)
        )
    ),
    render=_erosion_render,
    actions=(
        SuggestedAction("Compare supplier prices now with three months ago", 0),
        SuggestedAction("Check the discounts and free extras given to customers", 2),
        SuggestedAction("Review your product mix for low-margin items", 5),
        SuggestedAction("Pass cost increases on through a price update", 14),
        SuggestedAction("Renegotiate with your largest suppliers", 21),
    ),
    questions=(
        "Why is my gross margin falling?",
        "Should I raise my prices?",
        "Which products have the lowest margins?",
    ),
    evidence_metrics=("gross_margin", "revenue", "cogs"),
    key_metrics=("gross_margin", "gross_margin_change_3m", "gross_profit", "revenue"),
)


def _loss_render(v: Known, ctx: TemplateContext) -> tuple[str, str]:
    loss, revenue, margin = -v["net_income"], v["revenue"], v["gross_margin"]
    body = (
        f"You lost {money(loss, ctx.currency)} last month, a net margin of "
        f"{percent(v['net_margin'])} on {money(revenue, ctx.currency)} of revenue."
    )
    if margin <= 0:
        body += (
            f" With a gross margin of {percent(margin)} every sale loses money before overheads, "
            "so pricing and direct costs come first."
        )
    elif (break_even := v["operating_expenses"] / margin) > revenue:
        body += (
            f" At your {percent(margin)} gross margin you need about "
            f"{money(break_even, ctx.currency)} of monthly revenue to cover operating expenses of "
            f"{money(v['operating_expenses'], ctx.currency)}: "
            f"{money(break_even - revenue, ctx.currency)} more than now, or lower costs."
        )
    else:
        body += " Your operating result covers the overheads, so look at costs below it too."
    return f"You are losing {money(loss, ctx.currency)} a month", body


net_loss = Template(
    key="net_loss",
    category=Category.PROFITABILITY,
    title="The business is losing money",
    description="Your costs exceed your revenue: the business made a net loss last month.",
    requires=("net_margin", "net_income", "revenue", "gross_margin", "operating_expenses"),
    applies=lambda v: v["net_income"] < 0,
    priority=lambda v: (
        scored(Priority.HIGH, ramp(v["net_margin"], NET_LOSS_HIGH, -0.30))
        if v["net_margin"] <= NET_LOSS_HIGH
        else scored(Priority.MEDIUM, ramp(v["net_margin"], 0, NET_LOSS_HIGH))
    ),
    render=_loss_render,
    actions=(
        SuggestedAction("Work out your break-even revenue and share it with the team", 0),
        SuggestedAction("Cut or renegotiate your three largest overheads", 3),
        SuggestedAction("Raise prices on products with the thinnest margins", 7),
        SuggestedAction("Drop unprofitable products, services or customers", 14),
        SuggestedAction("Review progress against break-even every month", 30),
    ),
    questions=(
        "How much do I need to sell to break even?",
        "Which costs should I cut first?",
        "How long can I afford to run at a loss?",
    ),
    evidence_metrics=("net_income", "revenue", "operating_expenses"),
    key_metrics=("net_margin", "net_income", "gross_margin", "operating_expense_ratio"),
)


def _thin_render(v: Known, ctx: TemplateContext) -> tuple[str, str]:
    margin, revenue = v["net_margin"], v["revenue"]
    body = (
        f"You kept {money(v['net_income'], ctx.currency)} of {money(revenue, ctx.currency)} in "
        f"revenue last month, a net margin of {percent(margin)}. A small dip in sales or a cost "
        "increase would push you into a loss; each extra point of margin is worth "
        f"{money(revenue * 0.01, ctx.currency)} a month."
    )
    return f"Net margin is thin at {percent(margin)}", body


net_margin_thin = Template(
    key="net_margin_thin",
    category=Category.PROFITABILITY,
    title="Net margin is thin",
    description="The business is profitable, but by less than 5% of revenue.",
    requires=("net_margin", "net_income", "revenue"),
    applies=lambda v: v["net_income"] >= 0 and 0 <= v["net_margin"] < NET_MARGIN_THIN,
    priority=lambda v: scored(
        Priority.MEDIUM if v["net_margin"] < NET_MARGIN_VERY_THIN else Priority.LOW,
        ramp(v["net_margin"], NET_MARGIN_THIN, 0),
    ),
    render=_thin_render,
    actions=(
        SuggestedAction("List price increases you could make without losing customers", 0),
        SuggestedAction("Find three overheads to trim", 3),
        SuggestedAction("Focus sales effort on your highest-margin products", 7),
        SuggestedAction("Set a target net margin and track it monthly", 14),
    ),
    questions=(
        "What is a healthy net margin for my business?",
        "How can I improve my profit margin?",
        "Where is my profit going?",
    ),
    evidence_metrics=("net_income", "revenue", "net_margin"),
    key_metrics=("net_margin", "net_income", "gross_margin", "operating_expense_ratio"),
)


def _low_margin_render(v: Known, ctx: TemplateContext) -> tuple[str, str]:
    margin = v["gross_margin"]
    profit, revenue = money(v["gross_profit"], ctx.currency), money(v["revenue"], ctx.currency)
    if margin <= 0:
        body = (
            f"Your direct costs exceed your sales: a gross margin of {percent(margin)}, or "
            f"{profit} of gross profit on {revenue} of revenue. Every sale loses money before "
            "overheads; fix prices or direct costs first."
        )
    else:
        body = (
            f"Only {percent(margin)} of each sale is left after direct costs: {profit} of gross "
            f"profit on {revenue} of revenue. That leaves little for rent, payroll and profit; "
            "pricing and supplier costs are your levers."
        )
    return f"Gross margin is low at {percent(margin)}", body


gross_margin_low = Template(
    key="gross_margin_low",
    category=Category.PROFITABILITY,
    title="Gross margin is low",
    description="Less than a fifth of each sale is left after direct costs.",
    requires=("gross_margin", "revenue", "gross_profit"),
    applies=lambda v: v["gross_margin"] < GROSS_MARGIN_LOW and v["revenue"] > 0,
    priority=lambda v: (
        scored(Priority.HIGH, ramp(v["gross_margin"], GROSS_MARGIN_VERY_LOW, -0.2))
        if v["gross_margin"] < GROSS_MARGIN_VERY_LOW
        else scored(
            Priority.MEDIUM, ramp(v["gross_margin"], GROSS_MARGIN_LOW, GROSS_MARGIN_VERY_LOW)
        )
    ),
    render=_low_margin_render,
    actions=(
        SuggestedAction("Calculate the margin of each product or service", 0),
        SuggestedAction("Raise prices where you are below the market", 7),
        SuggestedAction("Get quotes from alternative suppliers", 10),
        SuggestedAction("Cut or reprice your lowest-margin offerings", 21),
    ),
    questions=(
        "Are my prices too low?",
        "How do I lower my direct costs?",
        "What gross margin should I aim for?",
    ),
    evidence_metrics=("gross_margin", "revenue", "cogs"),
    key_metrics=("gross_margin", "gross_profit", "revenue", "gross_margin_change_3m"),
)

TEMPLATES: tuple[Template, ...] = (
    gross_margin_eroding,
    net_loss,
    net_margin_thin,
    gross_margin_low,
)
