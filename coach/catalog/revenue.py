"""Revenue advice: drops over a month, a quarter and a year, swings, and a plateau."""

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
from coach.catalog.formatting import money, percent
from coach.vocabulary import Category

# A 15% fall in one month is beyond ordinary monthly noise for most small businesses.
MOM_DROP = -0.15
MOM_DROP_HIGH = -0.30
# Five percent down over a quarter or a year is a trend; twenty percent is a serious one.
TREND_DROP = -0.05
TREND_DROP_HIGH = -0.20
# Last year's change into the same month within ten points of this year's: the dip is the season.
SEASON_TOLERANCE = 0.10
# Monthly swings of a quarter of average revenue make cash planning guesswork.
VOLATILITY_HIGH = 0.25
VOLATILITY_VERY_HIGH = 0.40


def _before(revenue: float, growth: float) -> float | None:
    """The revenue the growth rate was measured against, when it can be recovered."""
    return revenue / (1 + growth) if growth > -1 else None


def _drop_priority(growth: float, warn: float, high: float) -> tuple[Priority, float]:
    if growth <= high:
        return scored(Priority.HIGH, ramp(growth, high, 2 * high))
    return scored(Priority.MEDIUM, ramp(growth, warn, high))


def seasonal_dip(v: Known) -> bool:
    """This month's fall is one that last year also had, and the last three months are not down
    on the same months last year: a season, not an alarm."""
    last_year = v.get("revenue_mom_last_year")
    year_on_year = v.get("revenue_3m_yoy", v.get("revenue_growth_yoy"))
    return (
        last_year is not None
        and last_year <= v["revenue_growth_mom"] + SEASON_TOLERANCE
        and (year_on_year is None or year_on_year > TREND_DROP)
    )


def _mom_render(v: Known, ctx: TemplateContext) -> Rendered:
    growth, revenue = v["revenue_growth_mom"], v["revenue"]
    before = _before(revenue, growth)
    since = f" from {money(before, ctx.currency)}" if before is not None else ""
    body = (
        f"Revenue fell {percent(-growth)} last month, to {money(revenue, ctx.currency)}{since}. "
        "Check whether it is timing (a late invoice, a holiday, a big order the month before) or "
        "a real loss of customers."
    )
    return f"Revenue fell {percent(-growth)} last month", body


revenue_drop_mom = Template(
    key="revenue_drop_mom",
    category=Category.REVENUE,
    title="Revenue dropped last month",
    description="Revenue fell sharply compared with the month before.",
    requires=("revenue_growth_mom", "revenue"),
    applies=lambda v, ctx: v["revenue_growth_mom"] <= MOM_DROP and not seasonal_dip(v),
    priority=lambda v, ctx: _drop_priority(v["revenue_growth_mom"], MOM_DROP, MOM_DROP_HIGH),
    render=_mom_render,
    actions=(
        SuggestedAction(
            "Compare last month's sales by customer and product with the month before", 0
        ),
        SuggestedAction("Check for invoices not yet sent and orders delayed", 1),
        SuggestedAction("Call your top customers whose orders dropped", 3),
        SuggestedAction("Plan a promotion or outreach to recover the shortfall", 7),
    ),
    questions=(
        "Why did revenue drop last month?",
        "Is this drop seasonal?",
        "Which customers bought less?",
    ),
    evidence_metrics=("revenue", "gross_profit"),
    key_metrics=("revenue", "revenue_growth_mom", "revenue_growth_3m", "revenue_growth_yoy"),
)


def _quarter_render(v: Known, ctx: TemplateContext) -> Rendered:
    growth = v["revenue_growth_3m"]
    body = (
        f"Your last three months brought in {percent(-growth)} less than the three before; this "
        f"month's revenue was {money(v['revenue'], ctx.currency)}. "
    )
    year_on_year = v.get("revenue_3m_yoy")
    if year_on_year is not None:
        body += (
            f"They are also {percent(-year_on_year)} below the same three months last year, so "
            "this is not the season. "
        )
    body += (
        "A sustained decline needs a plan: find which customers or products are shrinking and "
        "act on them."
    )
    derived = {} if year_on_year is None else {"revenue_3m_yoy": year_on_year}
    return f"Revenue is down {percent(-growth)} over three months", body, derived


revenue_declining_3m = Template(
    key="revenue_declining_3m",
    category=Category.REVENUE,
    title="Revenue is declining",
    description="The last three months brought in less revenue than the three before.",
    requires=("revenue_growth_3m", "revenue"),
    # Compared with the same three months last year when the books go back that far: a quarter
    # that is down on the one before but not on last year is the season.
    applies=lambda v, ctx: (
        v["revenue_growth_3m"] <= TREND_DROP and v.get("revenue_3m_yoy", TREND_DROP) <= TREND_DROP
    ),
    priority=lambda v, ctx: _drop_priority(v["revenue_growth_3m"], TREND_DROP, TREND_DROP_HIGH),
    render=_quarter_render,
    actions=(
        SuggestedAction("Break revenue down by customer, product and channel", 0),
        SuggestedAction("Contact customers whose spending dropped", 3),
        SuggestedAction("Review your pricing and offers against competitors", 7),
        SuggestedAction("Launch one focused campaign to win back or win new customers", 14),
        SuggestedAction("Bring costs in line with the lower revenue if the trend continues", 21),
    ),
    questions=(
        "Why is my revenue declining?",
        "Which products are losing sales?",
        "Should I cut costs or push sales?",
    ),
    evidence_metrics=("revenue",),
    key_metrics=("revenue", "revenue_growth_3m", "revenue_growth_mom", "net_margin"),
)


def _yoy_render(v: Known, ctx: TemplateContext) -> Rendered:
    growth, revenue = v["revenue_3m_yoy"], v["revenue_3m"]
    before = _before(revenue, growth)
    last_year = f" ({money(before, ctx.currency)})" if before is not None else ""
    body = (
        f"Your last three months brought in {money(revenue, ctx.currency)}, {percent(-growth)} "
        f"less than the same three months last year{last_year}. Comparing with last year takes "
        "the season out, so this points to a real change in demand, pricing or customers."
    )
    return (
        f"Revenue is {percent(-growth)} below last year",
        body,
        {} if before is None else {"revenue_3m_last_year": before},
    )


revenue_decline_yoy = Template(
    key="revenue_decline_yoy",
    category=Category.REVENUE,
    title="Revenue is below last year",
    description="The last three months brought in less than the same three months last year.",
    requires=("revenue_3m_yoy", "revenue_3m"),
    applies=lambda v, ctx: v["revenue_3m_yoy"] <= TREND_DROP,
    priority=lambda v, ctx: _drop_priority(v["revenue_3m_yoy"], TREND_DROP, TREND_DROP_HIGH),
    render=_yoy_render,
    actions=(
        SuggestedAction("Compare this year's customer list with last year's", 0),
        SuggestedAction("Find out why lost customers left", 3),
        SuggestedAction("Check whether your prices kept up with the market", 7),
        SuggestedAction("Set a quarterly revenue target and track it monthly", 14),
    ),
    questions=(
        "Why are sales lower than last year?",
        "Have I lost customers?",
        "Is my market shrinking?",
    ),
    evidence_metrics=("revenue",),
    key_metrics=("revenue_3m", "revenue_3m_yoy", "revenue_growth_12m", "revenue_trend"),
)


def _volatile_render(v: Known, ctx: TemplateContext) -> tuple[str, str]:
    body = (
        f"Over the last six months your revenue typically moved {percent(v['revenue_volatility'])} "
        f"away from its average; this month it was {money(v['revenue'], ctx.currency)}. Plan "
        "cash for the low months: set fixed costs against a weak month, not an average one."
    )
    return "Your revenue swings a lot month to month", body


revenue_volatile = Template(
    key="revenue_volatile",
    category=Category.REVENUE,
    title="Revenue is volatile",
    description="Monthly revenue swings widely, which makes cash hard to plan.",
    requires=("revenue_volatility", "revenue"),
    applies=lambda v, ctx: v["revenue_volatility"] >= VOLATILITY_HIGH,
    # Swings that last year also had are the season: worth planning for, never more than low.
    priority=lambda v, ctx: scored(
        Priority.MEDIUM
        if v["revenue_volatility"] >= VOLATILITY_VERY_HIGH and "revenue_mom_last_year" not in v
        else Priority.LOW,
        ramp(v["revenue_volatility"], VOLATILITY_HIGH, 0.8),
    ),
    render=_volatile_render,
    actions=(
        SuggestedAction("Chart revenue for the last 12 months and mark the low months", 0),
        SuggestedAction("Build a cash reserve that covers your weakest month", 7),
        SuggestedAction("Add recurring revenue: retainers, subscriptions or service contracts", 21),
        SuggestedAction("Plan promotions for the usual slow periods", 30),
    ),
    questions=(
        "Why does my revenue swing so much?",
        "How do I plan for slow months?",
        "How can I make revenue more predictable?",
    ),
    evidence_metrics=("revenue",),
    key_metrics=("revenue_volatility", "revenue", "revenue_growth_mom", "cash_months_of_expenses"),
)


def _stalled_render(v: Known, ctx: TemplateContext) -> tuple[str, str]:
    body = (
        f"Revenue is flat: {percent(v['revenue_growth_3m'], signed=True)} over three months and "
        f"{percent(v['revenue_growth_yoy'], signed=True)} against last year, at "
        f"{money(v['revenue'], ctx.currency)} this month. Flat revenue with rising costs quietly "
        "erodes profit; pick one growth lever and test it."
    )
    return "Revenue has plateaued", body


revenue_stalled = Template(
    key="revenue_stalled",
    category=Category.REVENUE,
    title="Revenue has plateaued",
    description="Revenue has been flat both over three months and against last year.",
    requires=("revenue_growth_3m", "revenue_growth_yoy", "revenue"),
    # Flat within noise both short and long term; real declines are named by their own templates.
    applies=lambda v, ctx: (
        TREND_DROP < v["revenue_growth_3m"] < 0.02 and TREND_DROP < v["revenue_growth_yoy"] < 0.03
    ),
    priority=lambda v, ctx: scored(Priority.LOW, ramp(v["revenue_growth_yoy"], 0.03, TREND_DROP)),
    render=_stalled_render,
    actions=(
        SuggestedAction("Pick one lever to test: price, new customers or more per customer", 0),
        SuggestedAction("Ask your best customers what else they would buy from you", 7),
        SuggestedAction("Test a modest price increase on new orders", 14),
        SuggestedAction("Review results after 30 days and keep what works", 30),
    ),
    questions=(
        "How can I grow revenue again?",
        "Should I raise my prices?",
        "Where can I find new customers?",
    ),
    evidence_metrics=("revenue",),
    key_metrics=("revenue", "revenue_growth_3m", "revenue_growth_yoy", "gross_margin"),
)

TEMPLATES: tuple[Template, ...] = (
    revenue_drop_mom,
    revenue_declining_3m,
    revenue_decline_yoy,
    revenue_volatile,
    revenue_stalled,
)
