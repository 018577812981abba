"""Profitability advice: margins that erode, are thin, or do not cover the overheads."""

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
    seasonal_loss,
)
from coach.catalog.formatting import money, month_count, percent, points
from coach.vocabulary import Category, Stage

# Three points of gross margin lost in a quarter is more than pricing noise; eight is serious.
MARGIN_EROSION = -0.03
MARGIN_EROSION_HIGH = -0.08
# A loss of a tenth of revenue cannot be carried for long by a small business.
NET_LOSS_HIGH = -0.10
# Under 5% net margin, one bad month or a cost increase turns profit into loss.
NET_MARGIN_THIN = 0.05
NET_MARGIN_VERY_THIN = 0.02
# A low gross margin is low for the trade (coach.industry: gross_margin_low, _very_low): 20% is
# normal for a builder, a crisis for a restaurant.
# A fitted slide of four points over a year or two is a drift an owner does not see month to
# month; eight points is serious.
DRIFT = -0.04
DRIFT_HIGH = -0.08
DRIFT_MIN_MONTHS = 12.0
# Six profitable months in a row after losses is a turnaround worth saying out loud.
STREAK_MONTHS = 6.0
# Margin recovering by three points over the fitted window is improvement, not noise.
RECOVERY = 0.03
# A loss that funds growth or a start is framed by the runway card (growth_runway) instead.
FUNDED_STAGES = (Stage.GROWING, Stage.PRE_REVENUE)


def _erosion_render(v: Known, ctx: TemplateContext) -> Rendered:
    change, revenue = v["gross_margin_change_3m"], v["revenue"]
    body = (
        f"Your gross margin dropped {points(-change)} over three months, to "
        f"{percent(v['gross_margin'])}. On this month's revenue of {money(revenue, ctx.currency)} "
        f"that is about {money(-change * revenue, ctx.currency)} less gross profit a month. Check "
        "supplier prices, discounts and your product mix."
    )
    return f"Gross margin fell {points(-change)}", body, {"lost_gross_profit": -change * revenue}


gross_margin_eroding = Template(
    key="gross_margin_eroding",
    category=Category.PROFITABILITY,
    title="Gross margin is eroding",
    description="Your gross margin has fallen by several points over three months.",
    requires=("gross_margin_change_3m", "gross_margin", "revenue"),
    applies=lambda v, ctx: v["gross_margin_change_3m"] <= MARGIN_EROSION,
    priority=lambda v, ctx: (
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


def _loss_render(v: Known, ctx: TemplateContext) -> Rendered:
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
        return (
            f"You lost {money(loss, ctx.currency)} last month",
            body,
            {"break_even": break_even, "shortfall": break_even - revenue},
        )
    else:
        body += " Your operating result covers the overheads, so look at costs below it too."
    return f"You lost {money(loss, ctx.currency)} last month", body


net_loss = Template(
    key="net_loss",
    category=Category.PROFITABILITY,
    title="The business is losing money",
    description="Your costs exceed your revenue: the business made a net loss last month.",
    requires=("net_margin", "net_income", "revenue", "gross_margin", "operating_expenses"),
    # A growing or pre-revenue business burning cash hears of its losses through its runway; a
    # loss in the month that always loses, in a profitable year, is the season.
    applies=lambda v, ctx: (
        v["net_income"] < 0
        and not (ctx.stage in FUNDED_STAGES and v.get("net_burn", 0) > 0)
        and not seasonal_loss(v)
    ),
    priority=lambda v, ctx: (
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


def _thin_render(v: Known, ctx: TemplateContext) -> Rendered:
    margin, revenue = v["net_margin"], v["revenue"]
    body = (
        f"You kept {money(v['net_income'], ctx.currency)} of {money(revenue, ctx.currency)} in "
        f"revenue last month, a net margin of {percent(margin)}. A small dip in sales or a cost "
        "increase would push you into a loss; each extra point of margin is worth "
        f"{money(revenue * 0.01, ctx.currency)} a month."
    )
    return f"Net margin is thin at {percent(margin)}", body, {"one_point": revenue * 0.01}


net_margin_thin = Template(
    key="net_margin_thin",
    category=Category.PROFITABILITY,
    title="Net margin is thin",
    description="The business is profitable, but by less than 5% of revenue.",
    requires=("net_margin", "net_income", "revenue"),
    applies=lambda v, ctx: v["net_income"] >= 0 and 0 <= v["net_margin"] < NET_MARGIN_THIN,
    priority=lambda v, ctx: scored(
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


def _low_margin_render(v: Known, ctx: TemplateContext) -> Rendered:
    margin, norms = v["gross_margin"], ctx.norms
    profit, revenue = money(v["gross_profit"], ctx.currency), money(v["revenue"], ctx.currency)
    if margin <= 0:
        body = (
            f"Your direct costs exceed your sales: a gross margin of {percent(margin)}, or "
            f"{profit} of gross profit on {revenue} of revenue. Every sale loses money before "
            "overheads; fix prices or direct costs first."
        )
    else:
        body = (
            f"Only {percent(margin)} of each sale is left after {norms.cost_of_sales}: {profit} of "
            f"gross profit on {revenue} of revenue, where {norms.trade} usually keep about "
            f"{percent(norms.gross_margin_typical)}. That leaves little for rent, payroll and "
            "profit; pricing and supplier costs are your levers."
        )
    return f"Gross margin is low at {percent(margin)}", body


gross_margin_low = Template(
    key="gross_margin_low",
    category=Category.PROFITABILITY,
    title="Gross margin is low",
    description="Less of each sale is left after direct costs than is usual in your trade.",
    requires=("gross_margin", "revenue", "gross_profit"),
    applies=lambda v, ctx: v["gross_margin"] < ctx.norms.gross_margin_low and v["revenue"] > 0,
    priority=lambda v, ctx: (
        scored(Priority.HIGH, ramp(v["gross_margin"], ctx.norms.gross_margin_very_low, -0.2))
        if v["gross_margin"] < ctx.norms.gross_margin_very_low
        else scored(
            Priority.MEDIUM,
            ramp(v["gross_margin"], ctx.norms.gross_margin_low, ctx.norms.gross_margin_very_low),
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


def _drift_render(v: Known, ctx: TemplateContext) -> Rendered:
    drift, margin, span, norms = (
        v["gross_margin_drift"],
        v["gross_margin"],
        v["trend_months"],
        ctx.norms,
    )
    cost_share, usual_share = 1 - margin, 1 - norms.gross_margin_typical
    body = (
        f"Over the last {month_count(span)} your gross margin slid {points(-drift)} (a trend "
        f"fitted to every month, not two points) to {percent(margin)} this month: your "
        f"{norms.cost_of_sales} now take {percent(cost_share)} of revenue, where "
        f"{norms.trade} usually spend about {percent(usual_share)}. A slow slide is easy to miss "
        "month to month; check supplier prices, portions or waste, and your prices."
    )
    title = f"Your {norms.cost_of_sales} have crept up over {month_count(span)}"
    return title, body, {"cost_share": cost_share, "usual_share": usual_share}


gross_margin_drifting = Template(
    key="gross_margin_drifting",
    category=Category.PROFITABILITY,
    title="Gross margin is sliding slowly",
    description="A trend fitted over one to two years shows your gross margin sliding.",
    requires=("gross_margin_drift", "gross_margin", "trend_months", "revenue"),
    applies=lambda v, ctx: (
        v["gross_margin_drift"] <= DRIFT and v["trend_months"] >= DRIFT_MIN_MONTHS
    ),
    priority=lambda v, ctx: (
        scored(Priority.HIGH, ramp(v["gross_margin_drift"], DRIFT_HIGH, -0.15))
        if v["gross_margin_drift"] <= DRIFT_HIGH
        else scored(Priority.MEDIUM, ramp(v["gross_margin_drift"], DRIFT, DRIFT_HIGH))
    ),
    render=_drift_render,
    actions=(
        SuggestedAction("Compare this year's supplier prices with last year's", 0),
        SuggestedAction("Check portions, waste and discounts on your best sellers", 3),
        SuggestedAction("Reprice the items whose costs rose most", 14),
        SuggestedAction("Track gross margin every month against a target", 30),
    ),
    questions=(
        "Which costs crept up?",
        "Should I raise my prices?",
        "What gross margin is normal for my trade?",
    ),
    evidence_metrics=("gross_margin", "revenue", "cogs"),
    key_metrics=("gross_margin", "gross_margin_drift", "trend_months", "gross_profit"),
)


def _streak_render(v: Known, ctx: TemplateContext) -> Rendered:
    streak = v["profitable_streak"]
    body = (
        f"You have been profitable {month_count(streak)} in a row, after "
        f"{month_count(v['loss_months_24m'])} with a loss in the last two years. Last month you "
        f"kept {money(v['net_income'], ctx.currency)} ({percent(v['net_margin'])} of revenue). "
        "The turnaround is working: hold on to what changed, and put part of each month's profit "
        "aside as a reserve."
    )
    return f"{month_count(streak).capitalize()} of profit in a row", body


back_in_profit = Template(
    key="back_in_profit",
    category=Category.PROFITABILITY,
    title="Back in profit",
    description="Several profitable months in a row after a period of losses.",
    requires=("profitable_streak", "loss_months_24m", "net_income", "net_margin"),
    applies=lambda v, ctx: v["profitable_streak"] >= STREAK_MONTHS and v["loss_months_24m"] >= 1,
    priority=lambda v, ctx: scored(Priority.LOW, ramp(v["profitable_streak"], STREAK_MONTHS, 18)),
    render=_streak_render,
    actions=(
        SuggestedAction("Write down the changes that turned the business around", 0),
        SuggestedAction("Set a monthly amount of profit to keep as a reserve", 7),
        SuggestedAction("Review the reserve and the margin each month", 30),
    ),
    questions=(
        "What turned my business around?",
        "How much profit should I keep as a reserve?",
        "Can I start investing again?",
    ),
    evidence_metrics=("net_income", "revenue", "cash_balance"),
    key_metrics=("profitable_streak", "net_income", "net_margin", "loss_months_24m"),
)


def _recovery_render(v: Known, ctx: TemplateContext) -> Rendered:
    drift, margin, span = v["gross_margin_drift"], v["gross_margin"], v["trend_months"]
    body = (
        f"Over the last {month_count(span)} your gross margin rose {points(drift)} (a trend "
        f"fitted to every month) to {percent(margin)} this month. On this month's revenue of "
        f"{money(v['revenue'], ctx.currency)} that is about "
        f"{money(drift * v['revenue'], ctx.currency)} more gross profit a month than at the "
        "start. Your pricing and buying are working."
    )
    return f"Gross margin is up {points(drift)}", body, {"gained": drift * v["revenue"]}


margin_recovering = Template(
    key="margin_recovering",
    category=Category.PROFITABILITY,
    title="Gross margin is improving",
    description="A trend fitted over one to two years shows your gross margin rising.",
    requires=("gross_margin_drift", "gross_margin", "trend_months", "revenue"),
    applies=lambda v, ctx: (
        v["gross_margin_drift"] >= RECOVERY and v["trend_months"] >= DRIFT_MIN_MONTHS
    ),
    priority=lambda v, ctx: scored(Priority.LOW, ramp(v["gross_margin_drift"], RECOVERY, 0.15)),
    render=_recovery_render,
    actions=(
        SuggestedAction("Note which price or supplier changes raised the margin", 0),
        SuggestedAction("Apply them to the products that have not had them yet", 14),
        SuggestedAction("Set the new margin as the floor to hold each month", 30),
    ),
    questions=(
        "Why is my margin improving?",
        "Where else could I apply the same changes?",
        "What margin should I aim for now?",
    ),
    evidence_metrics=("gross_margin", "revenue", "cogs"),
    key_metrics=("gross_margin", "gross_margin_drift", "trend_months", "gross_profit"),
)

TEMPLATES: tuple[Template, ...] = (
    gross_margin_eroding,
    gross_margin_drifting,
    back_in_profit,
    margin_recovering,
    net_loss,
    net_margin_thin,
    gross_margin_low,
)
