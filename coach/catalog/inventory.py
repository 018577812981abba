"""Inventory advice: too much stock, stock outrunning demand, and too little stock."""

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
from coach.catalog.formatting import acronym, days, money, percent
from coach.vocabulary import DAYS_PER_MONTH, Category

# How many days of stock are too many or too few depends on the trade (coach.industry: dio_high,
# dio_very_high, dio_typical, dio_low, dio_very_low): a restaurant's week of fresh food is normal,
# a retailer's week is a stock-out.
# Stock growing 10%+ in a quarter, 15 points faster than sales, is buying ahead of demand.
STOCK_GROWTH_MIN = 0.10
STOCK_GAP_MIN = 0.15
# A 10% sales drop in a quarter is a real change in demand, not a slow month.
SALES_DROP = -0.10
# Stock that has not followed falling sales matters from six weeks of stock on.
CLEARANCE_MIN_DAYS = 45.0


def _overstock_render(v: Known, ctx: TemplateContext) -> Rendered:
    dio, stock, norms = v["dio"], v["inventory_value"], ctx.norms
    target = norms.dio_typical
    released = stock * (dio - target) / dio
    body = (
        f"You have {money(stock, ctx.currency)} tied up in inventory, enough for {days(dio)} of "
        f"sales ({acronym('DIO')}); about {days(target)} is usual for {norms.trade}. Bringing it "
        f"down to that would release about {money(released, ctx.currency)} in cash."
    )
    return f"You hold {days(dio)} of stock", body, {"released": released}


inventory_overstock = Template(
    key="inventory_overstock",
    category=Category.INVENTORY,
    title="Too much stock on hand",
    description="You hold far more stock than is usual in your trade, tying up cash.",
    requires=("dio", "inventory_value"),
    applies=lambda v, ctx: v["dio"] > ctx.norms.dio_high and v["inventory_value"] > 0,
    priority=lambda v, ctx: (
        scored(
            Priority.HIGH, ramp(v["dio"], ctx.norms.dio_very_high, ctx.norms.dio_very_high * 1.6)
        )
        if v["dio"] > ctx.norms.dio_very_high
        else scored(Priority.MEDIUM, ramp(v["dio"], ctx.norms.dio_high, ctx.norms.dio_very_high))
    ),
    render=_overstock_render,
    actions=(
        SuggestedAction("Run an ageing report and flag items unsold for 90 days or more", 0),
        SuggestedAction("Pause reorders on slow-moving items", 1),
        SuggestedAction("Clear aged stock with bundles or discounts", 7),
        SuggestedAction("Set reorder points from actual sales velocity", 14),
        SuggestedAction("Ask suppliers about returns or smaller order sizes", 21),
    ),
    questions=(
        "Which products are slow-moving?",
        "How much cash is stuck in inventory?",
        "What stock level is right for my business?",
    ),
    evidence_metrics=("inventory_value", "dio", "cogs"),
    key_metrics=("dio", "inventory_value", "inventory_growth_3m", "cash_balance"),
)


def _stock_gap(v: Known) -> float:
    return v["inventory_growth_3m"] - v["revenue_growth_3m"]


def _stocking_for_the_season(v: Known) -> bool:
    """Against last year, stock has not grown faster than sales: the build-up is the season's."""
    stock, sales = v.get("inventory_growth_yoy"), v.get("revenue_3m_yoy")
    return stock is not None and sales is not None and stock - sales < STOCK_GAP_MIN


def _outpacing_render(v: Known, ctx: TemplateContext) -> Rendered:
    body = (
        f"Your inventory grew {percent(v['inventory_growth_3m'])} over three months to "
        f"{money(v['inventory_value'], ctx.currency)}, while revenue changed "
        f"{percent(v['revenue_growth_3m'], signed=True)}. Unless you are stocking up for a known "
        "peak, you are buying ahead of demand and locking up cash."
    )
    return "Stock is growing faster than sales", body


inventory_outpacing_sales = Template(
    key="inventory_outpacing_sales",
    category=Category.INVENTORY,
    title="Stock is growing faster than sales",
    description="Inventory has grown much faster than revenue over three months.",
    requires=("inventory_growth_3m", "revenue_growth_3m", "inventory_value"),
    # When sales are falling, inventory_clearance gives the better advice.
    applies=lambda v, ctx: (
        v["inventory_growth_3m"] > STOCK_GROWTH_MIN
        and _stock_gap(v) >= STOCK_GAP_MIN
        and v["revenue_growth_3m"] > SALES_DROP
        and not _stocking_for_the_season(v)
    ),
    priority=lambda v, ctx: scored(
        Priority.HIGH if _stock_gap(v) >= 0.40 else Priority.MEDIUM,
        ramp(_stock_gap(v), STOCK_GAP_MIN, 0.40),
    ),
    render=_outpacing_render,
    actions=(
        SuggestedAction("Check whether the build-up is planned: season, promotion or bulk deal", 0),
        SuggestedAction("Cut next month's purchase orders to match sales", 2),
        SuggestedAction("Review minimum order quantities with suppliers", 7),
        SuggestedAction("Track stock growth and sales growth side by side every month", 14),
    ),
    questions=(
        "Why is my inventory growing faster than sales?",
        "Should I cut back on purchasing?",
        "Is bulk buying really saving me money?",
    ),
    evidence_metrics=("inventory_value", "revenue"),
    key_metrics=("inventory_growth_3m", "revenue_growth_3m", "inventory_value", "dio"),
)


def _sales_fell(v: Known) -> bool:
    """Sales down over three months, and down on the same months last year when the books go back
    that far: a fall that last year also had is the season, not lost demand."""
    year_on_year = v.get("revenue_3m_yoy")
    return v["revenue_growth_3m"] <= SALES_DROP and (
        year_on_year is None or year_on_year <= SALES_DROP
    )


def _clearance_render(v: Known, ctx: TemplateContext) -> Rendered:
    stock_growth = v["inventory_growth_3m"]
    stock = (
        f"inventory grew {percent(stock_growth)}"
        if stock_growth > 0
        else "inventory did not come down"
    )
    body = (
        f"Revenue fell {percent(-v['revenue_growth_3m'])} over three months while {stock}; you "
        f"now hold {money(v['inventory_value'], ctx.currency)}, or {days(v['dio'])} of sales. "
        "Clearing slow movers now, before they age, turns them back into cash."
    )
    return "Sales dropped but stock did not", body


inventory_clearance = Template(
    key="inventory_clearance",
    category=Category.INVENTORY,
    title="Stock has not followed falling sales",
    description="Sales have fallen over three months while inventory stayed high.",
    requires=("revenue_growth_3m", "inventory_growth_3m", "dio", "inventory_value"),
    applies=lambda v, ctx: (
        _sales_fell(v)
        and v["inventory_growth_3m"] >= 0
        and v["dio"] >= max(CLEARANCE_MIN_DAYS, ctx.norms.dio_typical)
        and v["inventory_value"] > 0
    ),
    priority=lambda v, ctx: scored(
        Priority.HIGH if v["revenue_growth_3m"] <= -0.25 else Priority.MEDIUM,
        ramp(v["revenue_growth_3m"], SALES_DROP, -0.40),
    ),
    render=_clearance_render,
    actions=(
        SuggestedAction("Identify the products whose sales fell most", 0),
        SuggestedAction("Stop reordering them until stock is back in line", 1),
        SuggestedAction("Run a clearance on aged items", 7),
        SuggestedAction("Shift purchasing towards your best sellers", 14),
    ),
    questions=(
        "Which products should I clear first?",
        "How deep should my discounts be?",
        "Will sales come back?",
    ),
    evidence_metrics=("revenue", "inventory_value", "dio"),
    key_metrics=("revenue_growth_3m", "inventory_growth_3m", "inventory_value", "dio"),
)


def _stockout_render(v: Known, ctx: TemplateContext) -> Rendered:
    dio, norms = v["dio"], ctx.norms
    restock = norms.dio_low * 2
    top_up = v["cogs"] / DAYS_PER_MONTH * (restock - dio)
    body = (
        f"Your {money(v['inventory_value'], ctx.currency)} of inventory covers just {days(dio)} "
        f"of sales, where {norms.trade} usually hold about {days(norms.dio_typical)}. A late "
        "delivery or a busy week could leave you unable to sell. Topping up to "
        f"{days(restock)} of stock would take about {money(top_up, ctx.currency)}, "
        "best spent on your fastest sellers."
    )
    return f"Only {days(dio)} of stock left", body, {"restock": restock, "top_up": top_up}


stockout_risk = Template(
    key="stockout_risk",
    category=Category.INVENTORY,
    title="Risk of running out of stock",
    description="Your stock covers fewer days of sales than is safe in your trade.",
    requires=("dio", "inventory_value", "cogs"),
    # Zero stock with no cost of goods is a business without inventory, not a stock-out; a trade
    # that holds no stock (services, construction) is never warned of running out.
    applies=lambda v, ctx: (
        ctx.norms.holds_stock
        and 0 < v["dio"] < ctx.norms.dio_low
        and v["inventory_value"] > 0
        and v["cogs"] > 0
    ),
    priority=lambda v, ctx: scored(
        Priority.HIGH if v["dio"] < ctx.norms.dio_very_low else Priority.MEDIUM,
        ramp(v["dio"], ctx.norms.dio_low, 0),
    ),
    render=_stockout_render,
    actions=(
        SuggestedAction("List your best sellers and their stock on hand", 0),
        SuggestedAction("Set reorder points and safety stock for them", 2),
        SuggestedAction("Confirm supplier lead times", 3),
        SuggestedAction("Place top-up orders for items under two weeks of cover", 5),
    ),
    questions=(
        "Which products are about to run out?",
        "How much safety stock should I hold?",
        "Can I afford to stock up right now?",
    ),
    evidence_metrics=("inventory_value", "dio", "revenue"),
    key_metrics=("dio", "inventory_value", "revenue_growth_3m", "cash_balance"),
)

TEMPLATES: tuple[Template, ...] = (
    inventory_overstock,
    inventory_outpacing_sales,
    inventory_clearance,
    stockout_risk,
)
