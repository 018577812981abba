"""Cash flow advice: runway, burn, buffers, and the cash held by customers and suppliers."""

from __future__ import annotations

from coach.catalog.base import (
    COVER_MEANS,
    RUNWAY_MEANS,
    RUNWAY_VS_COVER,
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
from coach.catalog.formatting import (
    acronym,
    days,
    duration,
    money,
    months,
    percent,
    span_of_months,
)
from coach.vocabulary import DAYS_PER_MONTH, Category, Stage

# Survival first: cash that runs out within about three months is the day's first and critical
# card, whatever else is wrong; cutting costs or closing financing takes about that long.
RUNWAY_CRITICAL_DAYS = 3 * DAYS_PER_MONTH
# Up to six months of runway an established business must act now (high).
RUNWAY_WARN_DAYS = 6 * DAYS_PER_MONTH
# A business investing in growth is told its runway up to two years out: raising money takes
# about six months, and it should start with six more in hand.
FUNDED_RUNWAY_DAYS = 24 * DAYS_PER_MONTH
RAISE_MONTHS = 6.0
RAISE_HIGH_DAYS = 12 * DAYS_PER_MONTH
RAISE_MEDIUM_DAYS = 18 * DAYS_PER_MONTH
# The stages whose losses fund the business's growth (or its start), where runway is the story.
INVESTING_STAGES = (Stage.GROWING, Stage.EARLY, Stage.PRE_REVENUE)
# Last month's loss 25% above the 3-month average burn is beyond ordinary payment timing.
BURN_ACCELERATION = 1.25
# Losing a tenth of cash in a quarter is a trend worth naming while there is still room.
CASH_DROP_WARN = 0.10
CASH_DROP_HIGH = 0.30
# How long customers take to pay and suppliers are paid is read against the trade's norms
# (coach.industry: dso_slow, dso_very_slow, dpo_typical, dpo_early).
# A week longer to collect within a quarter is a trend, not noise.
DSO_RISE_DAYS = 7.0
# Collections two weeks faster than a year ago, now within the trade's norm, is a turnaround.
DSO_IMPROVED_DAYS = -14.0
# Less than a month of costs in the bank leaves no room for one bad month.
BUFFER_MIN_MONTHS = 1.0
BUFFER_TARGET_MONTHS = 2.0
# Beyond six months of costs, with cash not falling, extra cash is earning nothing.
SURPLUS_MONTHS = 6.0
RESERVE_MONTHS = 3.0


def _runway_priority(v: Known, ctx: TemplateContext) -> tuple[Priority, float]:
    runway = v["runway_days"]
    if runway < RUNWAY_CRITICAL_DAYS:
        return scored(Priority.CRITICAL, ramp(runway, RUNWAY_CRITICAL_DAYS, 0))
    return scored(Priority.HIGH, ramp(runway, RUNWAY_WARN_DAYS, RUNWAY_CRITICAL_DAYS))


def cover_sentence(v: Known, ctx: TemplateContext) -> str:
    """The cash cover beside a runway, with how the two differ ("" when cover is unknown)."""
    cover = v.get("cash_months_of_expenses")
    if cover is None or cover < 0:
        return ""
    return f" Your cash cover is {span_of_months(cover)} ({COVER_MEANS}). {RUNWAY_VS_COVER}"


def _runway_render(v: Known, ctx: TemplateContext) -> Rendered:
    runway, burn, cash = v["runway_days"], v["net_burn"], v["cash_balance"]
    cut = 0.2  # a fifth of the burn is an ambitious but usual first round of cuts
    cut_amount, stretched = burn * cut, runway / (1 - cut)
    body = (
        f"Your runway is {duration(runway)} ({RUNWAY_MEANS}): your cash of "
        f"{money(cash, ctx.currency)} against a burn of {money(burn, ctx.currency)} a month. "
        f"Cutting the burn by a fifth ({money(cut_amount, ctx.currency)} a month) would stretch it "
        f"to {duration(stretched)}; start with collections and spending you can pause this week"
    )
    if ctx.stage in INVESTING_STAGES:
        body += ", and talk to your investors or lender about bridge financing now"
    body += "." + cover_sentence(v, ctx)
    return (
        f"Cash runway is down to {duration(runway)}",
        body,
        {"burn_cut": cut_amount, "runway_after_cut": stretched},
    )


cash_runway_low = Template(
    key="cash_runway_low",
    category=Category.CASH_FLOW,
    title="Cash runway is short",
    description="Your cash will run out within six months at the current burn rate.",
    requires=("runway_days", "net_burn", "cash_balance"),
    # Investing businesses hear of a runway over three months from growth_runway instead.
    applies=lambda v, ctx: (
        v["net_burn"] > 0
        and v["runway_days"] < RUNWAY_WARN_DAYS
        and (v["runway_days"] < RUNWAY_CRITICAL_DAYS or ctx.stage not in INVESTING_STAGES)
    ),
    priority=_runway_priority,
    render=_runway_render,
    actions=(
        SuggestedAction("Build a 13-week cash forecast", 0),
        SuggestedAction("Chase every overdue invoice and offer early-payment discounts", 1),
        SuggestedAction("Freeze or defer non-essential spending", 2),
        SuggestedAction("Ask your bank about a credit line or overdraft", 5),
        SuggestedAction("Agree a cost plan that cuts the monthly burn by a fifth", 10),
    ),
    questions=(
        "Why is my runway shrinking?",
        "Which costs can I cut fastest?",
        "Should I apply for a line of credit now?",
    ),
    evidence_metrics=("cash_balance", "net_burn", "revenue", "operating_expenses"),
    key_metrics=("runway_days", "cash_balance", "net_burn", "cash_months_of_expenses"),
)


def _accelerating(v: Known, ctx: TemplateContext) -> bool:
    burn, income = v["net_burn"], v["net_income"]
    return burn > 0 and income < 0 and -income >= BURN_ACCELERATION * burn and not seasonal_loss(v)


def _acceleration_priority(v: Known, ctx: TemplateContext) -> tuple[Priority, float]:
    loss, cash = -v["net_income"], v["cash_balance"]
    severity = ramp(loss / v["net_burn"], BURN_ACCELERATION, 2.5)
    # At last month's loss rate, under four months of cash is a high-priority problem.
    if cash <= loss * 4:
        return scored(Priority.HIGH, severity)
    return scored(Priority.MEDIUM, severity)


def _acceleration_render(v: Known, ctx: TemplateContext) -> Rendered:
    loss, burn, cash = -v["net_income"], v["net_burn"], v["cash_balance"]
    body = (
        f"Last month you lost {money(loss, ctx.currency)}, {percent(loss / burn - 1)} more than "
        f"your average cash burn of {money(burn, ctx.currency)} a month over the past three "
        "months. "
    )
    derived = {"loss_over_burn": loss / burn - 1}
    if cash > 0:
        lasts = cash / loss * DAYS_PER_MONTH
        derived["lasts_at_last_month"] = lasts
        body += (
            f"If losses stay at last month's level, your {money(cash, ctx.currency)} of cash lasts "
            f"about {duration(lasts)}"
        )
        runway = v.get("runway_days")
        body += (
            f", not the {duration(runway)} of your runway ({RUNWAY_MEANS})."
            if runway is not None
            else "."
        )
    else:
        body += "You have no cash left to absorb it, so every extra cost now needs financing."
    return "Your burn is speeding up", body, derived


burn_accelerating = Template(
    key="burn_accelerating",
    category=Category.CASH_FLOW,
    title="Burn rate is accelerating",
    description="Last month's loss is well above your average cash burn of the past three months.",
    requires=("net_burn", "net_income", "cash_balance"),
    applies=_accelerating,
    priority=_acceleration_priority,
    render=_acceleration_render,
    actions=(
        SuggestedAction("Compare last month's costs line by line with the prior three months", 0),
        SuggestedAction("Separate one-off costs from new recurring ones", 1),
        SuggestedAction("Pause new hires and discretionary spend until the burn is back down", 2),
        SuggestedAction("Update your cash forecast with last month's run-rate", 3),
        SuggestedAction("Set a monthly burn ceiling and check it weekly", 7),
    ),
    questions=(
        "What made last month's loss bigger?",
        "Is this a one-off or a trend?",
        "How long does my cash last at this pace?",
    ),
    evidence_metrics=("net_income", "cash_balance", "operating_expenses", "revenue"),
    key_metrics=("net_burn", "net_income", "cash_balance", "runway_days"),
)


def cash_drop(v: Known) -> float:
    """The share of cash lost over three months (0 when cash did not fall)."""
    change = v["cash_change_3m"]
    start = v["cash_balance"] - change
    return -change / start if change < 0 and start > 0 else 0.0


def _declining_priority(v: Known, ctx: TemplateContext) -> tuple[Priority, float]:
    drop = cash_drop(v)
    if drop >= CASH_DROP_HIGH:
        return scored(Priority.HIGH, ramp(drop, CASH_DROP_HIGH, 0.6))
    return scored(Priority.MEDIUM, ramp(drop, CASH_DROP_WARN, CASH_DROP_HIGH))


def _declining_render(v: Known, ctx: TemplateContext) -> Rendered:
    drop = cash_drop(v)
    body = (
        f"Your cash balance dropped by {money(-v['cash_change_3m'], ctx.currency)} over the last "
        f"three months, to {money(v['cash_balance'], ctx.currency)}. Your runway ({RUNWAY_MEANS}) "
        f"is still {duration(v['runway_days'])}, which is the time to act calmly: find what is "
        "draining cash before it becomes urgent."
    )
    return f"Cash has fallen {percent(drop)} in three months", body, {"cash_drop": drop}


cash_declining = Template(
    key="cash_declining",
    category=Category.CASH_FLOW,
    title="Cash is declining",
    description="Your cash balance has fallen noticeably over three months, while runway is "
    "still comfortable.",
    requires=("cash_change_3m", "cash_balance", "runway_days"),
    # With less runway, cash_runway_low (or growth_runway) speaks instead.
    applies=lambda v, ctx: (
        cash_drop(v) >= CASH_DROP_WARN
        and v["runway_days"] >= RUNWAY_WARN_DAYS
        and ctx.stage not in INVESTING_STAGES
    ),
    priority=_declining_priority,
    render=_declining_render,
    actions=(
        SuggestedAction("Review the last three months of cash outflows by category", 0),
        SuggestedAction("Pinpoint whether lower sales, higher costs or one-offs caused it", 2),
        SuggestedAction("Set a minimum cash balance and check against it weekly", 3),
        SuggestedAction("Plan two or three cost or collection moves to stop the decline", 7),
    ),
    questions=(
        "Where is my cash going?",
        "How long can I sustain this decline?",
        "What is a safe minimum cash balance for my business?",
    ),
    evidence_metrics=("cash_balance", "revenue", "operating_expenses"),
    key_metrics=("cash_balance", "cash_change_3m", "runway_days", "net_burn"),
)


def _slow_priority(v: Known, ctx: TemplateContext) -> tuple[Priority, float]:
    dso, norms = v["dso"], ctx.norms
    if dso > norms.dso_very_slow:
        return scored(Priority.HIGH, ramp(dso, norms.dso_very_slow, norms.dso_very_slow * 1.6))
    return scored(Priority.MEDIUM, ramp(dso, norms.dso_slow, norms.dso_very_slow))


def _slow_render(v: Known, ctx: TemplateContext) -> Rendered:
    dso, receivable, norms = v["dso"], v["accounts_receivable"], ctx.norms
    target = norms.dso_typical
    freed = receivable * (dso - target) / dso
    body = (
        f"You have {money(receivable, ctx.currency)} in unpaid invoices and customers pay on "
        f"average after {days(dso)} ({acronym('DSO')}); about {days(target)} is usual for "
        f"{norms.trade}. Getting there would free about {money(freed, ctx.currency)} in cash."
    )
    return f"Customers take {days(dso)} to pay you", body, {"freed": freed}


receivables_slow = Template(
    key="receivables_slow",
    category=Category.CASH_FLOW,
    title="Customers pay slowly",
    description="Customers take longer to pay than is usual in your trade, holding back cash.",
    requires=("dso", "accounts_receivable"),
    applies=lambda v, ctx: v["dso"] > ctx.norms.dso_slow and v["accounts_receivable"] > 0,
    priority=_slow_priority,
    render=_slow_render,
    actions=(
        SuggestedAction("List invoices over 30 days overdue and call the five largest", 0),
        SuggestedAction("Send automatic payment reminders at 7, 14 and 30 days", 2),
        SuggestedAction("Offer a small discount for payment within 10 days", 5),
        SuggestedAction("Ask slow payers for deposits or upfront payment", 10),
        SuggestedAction("Tighten credit terms for new customers", 14),
    ),
    questions=(
        "Which customers pay me late?",
        "How much cash would faster collections free?",
        "Should I offer early-payment discounts?",
    ),
    evidence_metrics=("dso", "accounts_receivable", "revenue"),
    key_metrics=("dso", "accounts_receivable", "dso_change_3m", "cash_balance"),
)


def _slowing_render(v: Known, ctx: TemplateContext) -> Rendered:
    change, dso, receivable = v["dso_change_3m"], v["dso"], v["accounts_receivable"]
    body = (
        f"Your customers take {days(change)} longer to pay than three months ago: "
        f"{days(dso)} now. It is still manageable, but each extra day holds back about "
        f"{money(receivable / dso, ctx.currency)} of your {money(receivable, ctx.currency)} in "
        "unpaid invoices; catching it now keeps invoices from going stale."
    )
    return f"Customers are paying {days(change)} slower", body, {"per_day": receivable / dso}


receivables_slowing = Template(
    key="receivables_slowing",
    category=Category.CASH_FLOW,
    title="Collections are slowing down",
    description="Customers are taking noticeably longer to pay than three months ago.",
    requires=("dso_change_3m", "dso", "accounts_receivable"),
    # Above the trade's slow mark receivables_slow speaks; this is the early warning below it.
    applies=lambda v, ctx: (
        v["dso_change_3m"] >= DSO_RISE_DAYS and 0 < v["dso"] <= ctx.norms.dso_slow
    ),
    priority=lambda v, ctx: scored(
        Priority.MEDIUM if v["dso_change_3m"] >= 15 else Priority.LOW,
        ramp(v["dso_change_3m"], DSO_RISE_DAYS, 30),
    ),
    render=_slowing_render,
    actions=(
        SuggestedAction("Find the customers whose payments slowed down", 0),
        SuggestedAction("Make sure invoices go out the day the work is delivered", 1),
        SuggestedAction("Send polite reminders before the due date", 3),
        SuggestedAction("Agree payment plans with customers who are struggling", 7),
    ),
    questions=(
        "Why are customers paying slower?",
        "Which invoices are overdue?",
        "How do I remind customers without hurting the relationship?",
    ),
    evidence_metrics=("dso", "accounts_receivable"),
    key_metrics=("dso", "dso_change_3m", "accounts_receivable", "revenue"),
)


def _early_render(v: Known, ctx: TemplateContext) -> Rendered:
    dpo, terms = v["dpo"], ctx.norms.dpo_typical
    kept = v["cogs"] / DAYS_PER_MONTH * (terms - dpo)
    body = (
        f"You settle supplier bills after {days(dpo)} on average, faster than the "
        f"{days(terms)} usual for {ctx.norms.trade}. Paying on the due date instead would keep "
        f"about {money(kept, ctx.currency)} more cash in the business, unless a supplier gives "
        "you a discount for paying early."
    )
    return f"You pay suppliers in {days(dpo)}", body, {"kept": kept}


payables_paid_early = Template(
    key="payables_paid_early",
    category=Category.CASH_FLOW,
    title="Suppliers are paid early",
    description="You pay suppliers well before usual terms, giving away cash you could keep.",
    requires=("dpo", "cogs", "accounts_payable"),
    applies=lambda v, ctx: v["dpo"] < ctx.norms.dpo_early and v["cogs"] > 0,
    priority=lambda v, ctx: scored(
        Priority.MEDIUM if v["dpo"] < ctx.norms.dpo_early / 2 else Priority.LOW,
        ramp(v["dpo"], ctx.norms.dpo_early, 0),
    ),
    render=_early_render,
    actions=(
        SuggestedAction("List your suppliers and their payment terms", 0),
        SuggestedAction("Schedule payments for the due date, not the invoice date", 2),
        SuggestedAction("Ask your key suppliers for 30- or 45-day terms", 7),
        SuggestedAction("Take early-payment discounts only where they beat your cost of cash", 14),
    ),
    questions=(
        "Is paying suppliers early hurting my cash?",
        "How do I ask suppliers for longer terms?",
        "Are early-payment discounts worth it?",
    ),
    evidence_metrics=("dpo", "accounts_payable", "cogs"),
    key_metrics=("dpo", "accounts_payable", "cash_balance", "cash_conversion_cycle"),
)


def _buffer_render(v: Known, ctx: TemplateContext) -> Rendered:
    cover, cash = v["cash_months_of_expenses"], v["cash_balance"]
    costs = v["cogs"] + v["operating_expenses"]
    target = BUFFER_TARGET_MONTHS * costs
    derived = {"costs": costs, "target": target}
    advice = (
        f"A buffer of two months ({money(target, ctx.currency)}) would let you absorb a slow month "
        "or a late-paying customer without stress."
    )
    if ctx.cash_buffer is not None and ctx.cash_buffer > 0:
        advice = (
            f"You asked Coach to keep at least {money(ctx.cash_buffer, ctx.currency)}; two months "
            f"of costs ({money(target, ctx.currency)}) would let you absorb a slow month too."
        )
        derived["cash_buffer"] = ctx.cash_buffer
    if cash <= 0:
        body = (
            f"You have no cash buffer ({money(cash, ctx.currency)}) against monthly costs of "
            f"{money(costs, ctx.currency)}. {advice}"
        )
        return "You have no cash buffer", body, derived
    body = (
        f"Your {money(cash, ctx.currency)} of cash covers {span_of_months(cover)} of "
        f"your monthly costs of {money(costs, ctx.currency)} (cash cover: {COVER_MEANS}). {advice}"
    )
    derived["cover_days"] = cover * DAYS_PER_MONTH
    return f"Your cash covers only {span_of_months(cover)} of costs", body, derived


cash_buffer_thin = Template(
    key="cash_buffer_thin",
    category=Category.CASH_FLOW,
    title="Cash buffer is thin",
    description="Your cash covers less than one month of costs.",
    requires=("cash_months_of_expenses", "cash_balance", "cogs", "operating_expenses"),
    applies=lambda v, ctx: (
        v["cash_months_of_expenses"] < BUFFER_MIN_MONTHS and v["cogs"] + v["operating_expenses"] > 0
    ),
    priority=lambda v, ctx: scored(
        Priority.HIGH if v["cash_months_of_expenses"] < 0.5 else Priority.MEDIUM,
        ramp(v["cash_months_of_expenses"], BUFFER_MIN_MONTHS, 0),
    ),
    render=_buffer_render,
    actions=(
        SuggestedAction("Set a target cash buffer of two months of costs", 0),
        SuggestedAction("Speed up collections on your largest open invoices", 1),
        SuggestedAction("Move a fixed share of every receipt into a reserve account", 3),
        SuggestedAction("Arrange an overdraft or credit line as a safety net", 7),
    ),
    questions=(
        "How much cash should I keep in reserve?",
        "How can I build a buffer quickly?",
        "What happens if a big customer pays late?",
    ),
    evidence_metrics=("cash_balance", "operating_expenses", "cogs"),
    key_metrics=("cash_months_of_expenses", "cash_balance", "operating_expenses", "net_burn"),
)


def _surplus(v: Known) -> float:
    """Cash above a three-month reserve."""
    return v["cash_balance"] - RESERVE_MONTHS * (v["cogs"] + v["operating_expenses"])


def _surplus_render(v: Known, ctx: TemplateContext) -> Rendered:
    reserve = RESERVE_MONTHS * (v["cogs"] + v["operating_expenses"])
    body = (
        f"Your {money(v['cash_balance'], ctx.currency)} covers "
        f"{months(v['cash_months_of_expenses'])} of costs (cash cover: {COVER_MEANS}) and your "
        f"cash is not falling. Keeping three months ({money(reserve, ctx.currency)}) as a reserve "
        f"leaves about {money(_surplus(v), ctx.currency)} that could earn interest, pay down "
        "expensive debt or fund growth."
    )
    return (
        "You have surplus cash to put to work",
        body,
        {"reserve": reserve, "surplus": _surplus(v)},
    )


idle_cash_surplus = Template(
    key="idle_cash_surplus",
    category=Category.CASH_FLOW,
    title="Surplus cash is sitting idle",
    description="You hold far more cash than you need as a reserve, and it is not earning.",
    requires=("cash_months_of_expenses", "cash_balance", "cogs", "operating_expenses", "net_burn"),
    applies=lambda v, ctx: (
        v["cash_months_of_expenses"] >= SURPLUS_MONTHS and v["net_burn"] <= 0 and _surplus(v) > 0
    ),
    priority=lambda v, ctx: scored(
        Priority.LOW, ramp(v["cash_months_of_expenses"], SURPLUS_MONTHS, 12)
    ),
    render=_surplus_render,
    actions=(
        SuggestedAction("Decide your reserve: three months of costs", 0),
        SuggestedAction("Move surplus cash to an interest-bearing account", 3),
        SuggestedAction("Pay down your most expensive debt", 7),
        SuggestedAction("Shortlist growth investments with a clear payback", 14),
    ),
    questions=(
        "How much cash should I keep on hand?",
        "Where can I safely park surplus cash?",
        "Should I pay off debt or invest in growth?",
    ),
    evidence_metrics=("cash_balance", "revenue", "net_income"),
    key_metrics=("cash_balance", "cash_months_of_expenses", "net_burn", "net_margin"),
)


def _funded_priority(v: Known, ctx: TemplateContext) -> tuple[Priority, float]:
    runway = v["runway_days"]
    if runway < RAISE_HIGH_DAYS:
        return scored(Priority.HIGH, ramp(runway, RAISE_HIGH_DAYS, RUNWAY_CRITICAL_DAYS))
    if runway < RAISE_MEDIUM_DAYS:
        return scored(Priority.MEDIUM, ramp(runway, RAISE_MEDIUM_DAYS, RAISE_HIGH_DAYS))
    return scored(Priority.LOW, ramp(runway, FUNDED_RUNWAY_DAYS, RAISE_MEDIUM_DAYS))


def _funded_render(v: Known, ctx: TemplateContext) -> Rendered:
    runway, burn, cash = v["runway_days"], v["net_burn"], v["cash_balance"]
    runway_months = runway / DAYS_PER_MONTH
    trend = v.get("revenue_trend")
    derived: dict[str, float] = {"runway_months": runway_months}
    for key in ("revenue_trend", "trend_months"):
        if key in v:
            derived[key] = v[key]
    if ctx.stage == Stage.PRE_REVENUE:
        opening = (
            "Before your first sales, runway is the number that matters: you burn "
            f"{money(burn, ctx.currency)} a month"
        )
    elif trend is not None and trend > 0:
        opening = (
            f"You are investing in growth: revenue grows about {percent(trend)} a month (a "
            f"trend fitted over {months(v.get('trend_months') or 0, decimals=0)}) while you burn "
            f"{money(burn, ctx.currency)} a month"
        )
    else:
        opening = f"Your business is young and burns {money(burn, ctx.currency)} a month"
    body = (
        f"{opening}. Your {money(cash, ctx.currency)} of cash gives a runway of "
        f"{duration(runway)} ({RUNWAY_MEANS}). "
    )
    start_in = runway_months - RAISE_MONTHS
    if start_in > 0:
        derived["start_in_months"] = start_in
        body += (
            f"Raising money takes about {months(RAISE_MONTHS, decimals=0)}, so start within "
            f"{months(start_in)}"
        )
    else:
        body += f"Raising money takes about {months(RAISE_MONTHS, decimals=0)}, so start now"
    cut = burn / 3  # a third of the burn: what a team can cut without stopping the product
    derived.update({"burn_cut": cut, "runway_after_cut": cash / (burn - cut) * DAYS_PER_MONTH})
    body += (
        f", or cut the burn by a third ({money(cut, ctx.currency)} a month) to stretch the "
        f"runway to {duration(derived['runway_after_cut'])}. Losses are expected at this stage; "
        "running out of cash before the next milestone is not."
    )
    return f"Runway: {duration(runway)} at your current burn", body, derived


growth_runway = Template(
    key="growth_runway",
    category=Category.CASH_FLOW,
    title="Runway while you invest in growth",
    description="A young or fast-growing business burning cash: how long the cash lasts and "
    "when to raise money or cut the burn.",
    requires=("runway_days", "net_burn", "cash_balance"),
    applies=lambda v, ctx: (
        ctx.stage in INVESTING_STAGES
        and v["net_burn"] > 0
        and RUNWAY_CRITICAL_DAYS <= v["runway_days"] < FUNDED_RUNWAY_DAYS
    ),
    priority=_funded_priority,
    render=_funded_render,
    actions=(
        SuggestedAction("Write down the milestone the current cash must reach", 0),
        SuggestedAction("Build a monthly plan of cash, burn and revenue to that milestone", 3),
        SuggestedAction("List the cuts that would stretch the runway by a third", 7),
        SuggestedAction("Start conversations with investors or lenders", 14),
        SuggestedAction("Review runway and the fundraising timeline every month", 30),
    ),
    questions=(
        "When should I start raising money?",
        "How much should I raise?",
        "What could I cut without slowing growth?",
    ),
    evidence_metrics=("cash_balance", "net_burn", "revenue", "operating_expenses"),
    key_metrics=("runway_days", "net_burn", "cash_balance", "revenue_trend"),
)


def _improved_render(v: Known, ctx: TemplateContext) -> Rendered:
    change, dso = v["dso_change_12m"], v["dso"]
    before = dso - change
    freed = v["revenue"] / DAYS_PER_MONTH * -change  # a day's revenue per day collected sooner
    body = (
        f"Customers now pay in {days(dso)} on average, down from {days(before)} a year ago "
        f"({acronym('DSO')}). At this month's revenue of {money(v['revenue'], ctx.currency)}, "
        f"that keeps about {money(freed, ctx.currency)} more cash in the business. Whatever you "
        "changed in invoicing and follow-up is working: keep it."
    )
    return (
        f"Collections are {days(-change)} faster than a year ago",
        body,
        {"dso_before": before, "freed": freed},
    )


collections_improved = Template(
    key="collections_improved",
    category=Category.CASH_FLOW,
    title="Collections have improved",
    description="Customers pay markedly faster than a year ago and within your trade's norm.",
    requires=("dso_change_12m", "dso", "revenue"),
    applies=lambda v, ctx: (
        v["dso_change_12m"] <= DSO_IMPROVED_DAYS
        and 0 < v["dso"] <= ctx.norms.dso_slow
        and v["revenue"] > 0
    ),
    priority=lambda v, ctx: scored(Priority.LOW, ramp(v["dso_change_12m"], -14, -45)),
    render=_improved_render,
    actions=(
        SuggestedAction("Write down what changed in invoicing and follow-up", 0),
        SuggestedAction("Make it the standard process for every new customer", 7),
        SuggestedAction("Decide what to do with the cash it freed", 14),
    ),
    questions=(
        "What made collections faster?",
        "How much cash did it free?",
        "What should I do with the extra cash?",
    ),
    evidence_metrics=("dso", "accounts_receivable", "revenue"),
    key_metrics=("dso", "dso_change_12m", "accounts_receivable", "cash_balance"),
)

TEMPLATES: tuple[Template, ...] = (
    cash_runway_low,
    growth_runway,
    collections_improved,
    burn_accelerating,
    cash_declining,
    receivables_slow,
    receivables_slowing,
    payables_paid_early,
    cash_buffer_thin,
    idle_cash_surplus,
)
