"""Cash flow advice: runway, burn, buffers, and the cash held by customers and suppliers."""

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
from coach.catalog.formatting import days, money, months, number, percent
from coach.vocabulary import DAYS_PER_MONTH, Category

# A quarter of runway is the time it takes to cut costs or close financing before cash runs out.
RUNWAY_WARN_DAYS = 90.0
# Under ~6 weeks, most lenders cannot close a facility in time: act today.
RUNWAY_CRITICAL_DAYS = 45.0
# Last month's loss 25% above the 3-month average burn is beyond ordinary payment timing.
BURN_ACCELERATION = 1.25
# Losing a tenth of cash in a quarter is a trend worth naming while there is still room.
CASH_DROP_WARN = 0.10
CASH_DROP_HIGH = 0.30
# Most SMB terms are net 30: beyond 45 days on average, customers are paying late.
DSO_SLOW_DAYS = 45.0
DSO_VERY_SLOW_DAYS = 75.0
DSO_TARGET_DAYS = 30.0
# A week longer to collect within a quarter is a trend, not noise.
DSO_RISE_DAYS = 7.0
# Paying within three weeks while usual supplier terms are 30 days gives cash away.
DPO_EARLY_DAYS = 20.0
SUPPLIER_TERMS_DAYS = 30.0
# Less than a month of costs in the bank leaves no room for one bad month.
BUFFER_MIN_MONTHS = 1.0
BUFFER_TARGET_MONTHS = 2.0
# Beyond six months of costs, with cash not falling, extra cash is earning nothing.
SURPLUS_MONTHS = 6.0
RESERVE_MONTHS = 3.0


def _runway_priority(v: Known) -> tuple[Priority, float]:
    runway = v["runway_days"]
    if runway < RUNWAY_CRITICAL_DAYS:
        return scored(Priority.CRITICAL, ramp(runway, RUNWAY_CRITICAL_DAYS, 0))
    return scored(Priority.HIGH, ramp(runway, RUNWAY_WARN_DAYS, RUNWAY_CRITICAL_DAYS))


def _runway_render(v: Known, ctx: TemplateContext) -> tuple[str, str]:
    runway, burn, cash = v["runway_days"], v["net_burn"], v["cash_balance"]
    cut = 0.2  # a fifth of the burn is an ambitious but usual first round of cuts
    body = (
        f"Your cash of {money(cash, ctx.currency)} covers {days(runway)} of your current burn "
        f"of {money(burn, ctx.currency)}/month. Cutting the burn by a fifth "
        f"({money(burn * cut, ctx.currency)}/month) would stretch it to "
        f"{days(runway / (1 - cut))}; start with collections and spending you can pause this week."
    )
    return f"Cash runway is down to {days(runway)}", body


cash_runway_low = Template(
    key="cash_runway_low",
    category=Category.CASH_FLOW,
    title="Cash runway is short",
    description="Your cash will run out within three months at the current burn rate.",
    requires=("runway_days", "net_burn", "cash_balance"),
    applies=lambda v: v["net_burn"] > 0 and v["runway_days"] < RUNWAY_WARN_DAYS,
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


def _accelerating(v: Known) -> bool:
    burn, income = v["net_burn"], v["net_income"]
    return burn > 0 and income < 0 and -income >= BURN_ACCELERATION * burn


def _acceleration_priority(v: Known) -> tuple[Priority, float]:
    loss, cash = -v["net_income"], v["cash_balance"]
    severity = ramp(loss / v["net_burn"], BURN_ACCELERATION, 2.5)
    # At last month's loss rate, under four months of cash is a high-priority problem.
    if cash <= loss * 4:
        return scored(Priority.HIGH, severity)
    return scored(Priority.MEDIUM, severity)


def _acceleration_render(v: Known, ctx: TemplateContext) -> tuple[str, str]:
    loss, burn, cash = -v["net_income"], v["net_burn"], v["cash_balance"]
    body = (
        f"Last month you lost {money(loss, ctx.currency)}, {percent(loss / burn - 1)} more than "
        f"your average cash burn of {money(burn, ctx.currency)}/month over the past three months. "
    )
    if cash > 0:
        body += (
            f"If losses stay at last month's level, your {money(cash, ctx.currency)} of cash lasts "
            f"about {days(cash / loss * DAYS_PER_MONTH)}."
        )
    else:
        body += "You have no cash left to absorb it, so every extra cost now needs financing."
    return "Your burn is speeding up", body


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


def _declining_priority(v: Known) -> tuple[Priority, float]:
    drop = cash_drop(v)
    if drop >= CASH_DROP_HIGH:
        return scored(Priority.HIGH, ramp(drop, CASH_DROP_HIGH, 0.6))
    return scored(Priority.MEDIUM, ramp(drop, CASH_DROP_WARN, CASH_DROP_HIGH))


def _declining_render(v: Known, ctx: TemplateContext) -> tuple[str, str]:
    drop = cash_drop(v)
    body = (
        f"Your cash balance dropped by {money(-v['cash_change_3m'], ctx.currency)} over the last "
        f"three months, to {money(v['cash_balance'], ctx.currency)}. Runway is still "
        f"{days(v['runway_days'])}, which is the time to act calmly: find what is draining cash "
        "before it becomes urgent."
    )
    return f"Cash has fallen {percent(drop)} in three months", body


cash_declining = Template(
    key="cash_declining",
    category=Category.CASH_FLOW,
    title="Cash is declining",
    description="Your cash balance has fallen noticeably over three months, while runway is "
    "still comfortable.",
    requires=("cash_change_3m", "cash_balance", "runway_days"),
    # Below 90 days of runway, cash_runway_low speaks instead.
    applies=lambda v: cash_drop(v) >= CASH_DROP_WARN and v["runway_days"] >= RUNWAY_WARN_DAYS,
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


def _slow_priority(v: Known) -> tuple[Priority, float]:
    dso = v["dso"]
    if dso > DSO_VERY_SLOW_DAYS:
        return scored(Priority.HIGH, ramp(dso, DSO_VERY_SLOW_DAYS, 120))
    return scored(Priority.MEDIUM, ramp(dso, DSO_SLOW_DAYS, DSO_VERY_SLOW_DAYS))


def _slow_render(v: Known, ctx: TemplateContext) -> tuple[str, str]:
    dso, receivable = v["dso"], v["accounts_receivable"]
    freed = receivable * (dso - DSO_TARGET_DAYS) / dso
    body = (
        f"You have {money(receivable, ctx.currency)} in unpaid invoices and customers pay on "
        f"average after {days(dso)}. Getting that down to {days(DSO_TARGET_DAYS)} would free "
        f"about {money(freed, ctx.currency)} in cash."
    )
    return f"Customers take {days(dso)} to pay you", body


receivables_slow = Template(
    key="receivables_slow",
    category=Category.CASH_FLOW,
    title="Customers pay slowly",
    description="Customers take more than 45 days on average to pay, holding back your cash.",
    requires=("dso", "accounts_receivable"),
    applies=lambda v: v["dso"] > DSO_SLOW_DAYS and v["accounts_receivable"] > 0,
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


def _slowing_render(v: Known, ctx: TemplateContext) -> tuple[str, str]:
    change, dso, receivable = v["dso_change_3m"], v["dso"], v["accounts_receivable"]
    body = (
        f"Your average collection time rose by {days(change)} over three months, to {days(dso)}. "
        f"It is still manageable, but each extra day holds back about "
        f"{money(receivable / dso, ctx.currency)} of your {money(receivable, ctx.currency)} in "
        "receivables; catching it now keeps invoices from going stale."
    )
    return f"Customers are paying {days(change)} slower", body


receivables_slowing = Template(
    key="receivables_slowing",
    category=Category.CASH_FLOW,
    title="Collections are slowing down",
    description="Customers are taking noticeably longer to pay than three months ago.",
    requires=("dso_change_3m", "dso", "accounts_receivable"),
    # Above 45 days receivables_slow speaks; this is the early warning below it.
    applies=lambda v: v["dso_change_3m"] >= DSO_RISE_DAYS and 0 < v["dso"] <= DSO_SLOW_DAYS,
    priority=lambda v: scored(
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


def _early_render(v: Known, ctx: TemplateContext) -> tuple[str, str]:
    dpo = v["dpo"]
    kept = v["cogs"] / DAYS_PER_MONTH * (SUPPLIER_TERMS_DAYS - dpo)
    body = (
        f"You settle supplier bills after {days(dpo)} on average, faster than the usual "
        f"{number(SUPPLIER_TERMS_DAYS)}-day terms. Paying on the due date instead would keep about "
        f"{money(kept, ctx.currency)} more cash in the business, unless a supplier gives you a "
        "discount for paying early."
    )
    return f"You pay suppliers in {days(dpo)}", body


payables_paid_early = Template(
    key="payables_paid_early",
    category=Category.CASH_FLOW,
    title="Suppliers are paid early",
    description="You pay suppliers well before usual terms, giving away cash you could keep.",
    requires=("dpo", "cogs", "accounts_payable"),
    applies=lambda v: v["dpo"] < DPO_EARLY_DAYS and v["cogs"] > 0,
    priority=lambda v: scored(
        Priority.MEDIUM if v["dpo"] < 10 else Priority.LOW, ramp(v["dpo"], DPO_EARLY_DAYS, 0)
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


def _buffer_render(v: Known, ctx: TemplateContext) -> tuple[str, str]:
    cover, cash = v["cash_months_of_expenses"], v["cash_balance"]
    costs = v["cogs"] + v["operating_expenses"]
    target = money(BUFFER_TARGET_MONTHS * costs, ctx.currency)
    advice = (
        f"A buffer of two months ({target}) would let you absorb a slow month or a late-paying "
        "customer without stress."
    )
    if cash <= 0:
        body = (
            f"You have no cash buffer ({money(cash, ctx.currency)}) against monthly costs of "
            f"{money(costs, ctx.currency)}. {advice}"
        )
        return "You have no cash buffer", body
    body = (
        f"Your {money(cash, ctx.currency)} of cash covers {months(cover)} of your monthly costs "
        f"of {money(costs, ctx.currency)}. {advice}"
    )
    return f"Your cash covers only {days(cover * DAYS_PER_MONTH)} of costs", body


cash_buffer_thin = Template(
    key="cash_buffer_thin",
    category=Category.CASH_FLOW,
    title="Cash buffer is thin",
    description="Your cash covers less than one month of costs.",
    requires=("cash_months_of_expenses", "cash_balance", "cogs", "operating_expenses"),
    applies=lambda v: (
        v["cash_months_of_expenses"] < BUFFER_MIN_MONTHS and v["cogs"] + v["operating_expenses"] > 0
    ),
    priority=lambda v: scored(
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


def _surplus_render(v: Known, ctx: TemplateContext) -> tuple[str, str]:
    reserve = RESERVE_MONTHS * (v["cogs"] + v["operating_expenses"])
    body = (
        f"Your {money(v['cash_balance'], ctx.currency)} covers "
        f"{months(v['cash_months_of_expenses'])} of costs and your cash is not falling. Keeping "
        f"three months ({money(reserve, ctx.currency)}) as a reserve leaves about "
        f"{money(_surplus(v), ctx.currency)} that could earn interest, pay down expensive debt or "
        "fund growth."
    )
    return "You have surplus cash to put to work", body


idle_cash_surplus = Template(
    key="idle_cash_surplus",
    category=Category.CASH_FLOW,
    title="Surplus cash is sitting idle",
    description="You hold far more cash than you need as a reserve, and it is not earning.",
    requires=("cash_months_of_expenses", "cash_balance", "cogs", "operating_expenses", "net_burn"),
    applies=lambda v: (
        v["cash_months_of_expenses"] >= SURPLUS_MONTHS and v["net_burn"] <= 0 and _surplus(v) > 0
    ),
    priority=lambda v: scored(Priority.LOW, ramp(v["cash_months_of_expenses"], SURPLUS_MONTHS, 12)),
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

TEMPLATES: tuple[Template, ...] = (
    cash_runway_low,
    burn_accelerating,
    cash_declining,
    receivables_slow,
    receivables_slowing,
    payables_paid_early,
    cash_buffer_thin,
    idle_cash_surplus,
)
