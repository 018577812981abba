"""Two years of books for each demo tenant, deterministic, each telling its own story.

The books are internally consistent: cash moves by net income less the growth of receivables and
inventory plus the growth of payables (the indirect cash-flow method), so the metrics computed
from them agree with each other the way real books do.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from coach.vocabulary import DAYS_PER_MONTH
from insights.metrics import shift_month

MONTHS = 24


@dataclass(frozen=True)
class Story:
    revenue: Callable[[int], float]  # month index 0..23 → revenue
    cogs_ratio: Callable[[int], float]
    opex: Callable[[int], float]  # payroll included
    payroll_share: float  # of opex
    dso: Callable[[int], float]  # days of revenue owed by customers
    dpo: Callable[[int], float]  # days of cogs owed to suppliers
    dio: Callable[[int], float]  # days of cogs held as stock
    opening_cash: float


def _season(i: int, amplitude: float) -> float:
    return 1 + amplitude * math.sin(2 * math.pi * (i % 12) / 12)


STORIES: dict[str, Story] = {
    # Growing slowly, good margins, collects on time, plenty of cash.
    "healthy": Story(
        revenue=lambda i: 80_000 * 1.012**i * _season(i, 0.05),
        cogs_ratio=lambda i: 0.36,
        opex=lambda i: 28_000 + 150 * i,
        payroll_share=0.6,
        dso=lambda i: 24,
        dpo=lambda i: 30,
        dio=lambda i: 25,
        opening_cash=140_000,
    ),
    # Sales slipping while costs rise: losing money every month, cash nearly gone.
    "cash_crunch": Story(
        revenue=lambda i: 64_000 * 0.992**i,
        cogs_ratio=lambda i: 0.46,
        opex=lambda i: 36_000 + 450 * i,
        payroll_share=0.65,
        dso=lambda i: 38,
        dpo=lambda i: 25 + 0.5 * i,
        dio=lambda i: 20,
        opening_cash=227_000,
    ),
    # Profitable on paper, but customers pay later and later.
    "slow_collections": Story(
        revenue=lambda i: 4_600_000 * 1.008**i * _season(i, 0.04),
        cogs_ratio=lambda i: 0.52,
        opex=lambda i: 1_450_000 + 6_000 * i,
        payroll_share=0.55,
        dso=lambda i: 32 + 3.0 * i,
        dpo=lambda i: 28,
        dio=lambda i: 35,
        opening_cash=9_000_000,
    ),
    # Seasonal retailer buying far more stock than it sells.
    "inventory_overstock": Story(
        revenue=lambda i: 120_000 * _season(i, 0.25),
        cogs_ratio=lambda i: 0.55,
        opex=lambda i: 34_000,
        payroll_share=0.5,
        dso=lambda i: 8,
        dpo=lambda i: 35,
        dio=lambda i: 45 + 5.5 * i,
        opening_cash=420_000,
    ),
    # Losing customers steadily for a year.
    "shrinking_revenue": Story(
        revenue=lambda i: 150_000 if i < 10 else 150_000 * 0.965 ** (i - 9),
        cogs_ratio=lambda i: 0.58,
        opex=lambda i: 42_000,
        payroll_share=0.6,
        dso=lambda i: 30,
        dpo=lambda i: 30,
        dio=lambda i: 60,
        opening_cash=300_000,
    ),
    # Busy kitchen, but food and drink costs creep from 29% to 40% of sales over two years and eat
    # the margin; paid at the table, a week of fresh stock, suppliers paid fortnightly.
    "thin_margins": Story(
        revenue=lambda i: 95_000 * _season(i, 0.08),
        cogs_ratio=lambda i: 0.29 + 0.0045 * i + (0.01 if i >= 21 else 0),
        opex=lambda i: 60_000,
        payroll_share=0.6,
        dso=lambda i: 3,
        dpo=lambda i: 14,
        dio=lambda i: 7,
        opening_cash=90_000,
    ),
    # Venture-funded: sales up 8% a month, the team growing 6% a month ahead of them; losing money
    # by design, with about nine months of the round left.
    "fast_growth": Story(
        revenue=lambda i: 40_000 * 1.08**i,
        cogs_ratio=lambda i: 0.42,
        opex=lambda i: 70_000 * 1.06**i,
        payroll_share=0.7,
        dso=lambda i: 45,
        dpo=lambda i: 30,
        dio=lambda i: 40,
        opening_cash=3_600_000,
    ),
}


def _money(value: float) -> Decimal:
    return Decimal(round(value, 2)).quantize(Decimal("0.01"))


def story_periods(story_name: str, last_month: date, *, seed: int = 0) -> list[dict[str, object]]:
    """24 monthly periods ending at ``last_month``, as dicts ready for ``upsert_periods``."""
    story = STORIES[story_name]
    # Deterministic noise so the series look like books, not formulas (not for security).
    rng = random.Random(f"{story_name}-{seed}")  # noqa: S311
    first = shift_month(last_month, -(MONTHS - 1))
    if first is None:
        raise ValueError(f"{last_month} is too early for {MONTHS} months of books")
    cash: float = story.opening_cash
    previous: tuple[float, float, float] | None = None  # receivables, payables, inventory
    periods: list[dict[str, object]] = []
    for i in range(MONTHS):
        month = shift_month(first, i)
        days = DAYS_PER_MONTH
        revenue = story.revenue(i) * (1 + rng.uniform(-0.02, 0.02))
        cogs = revenue * story.cogs_ratio(i)
        opex = story.opex(i) * (1 + rng.uniform(-0.01, 0.01))
        payroll = opex * story.payroll_share
        net_income = revenue - cogs - opex
        ar = revenue * story.dso(i) / days
        ap = cogs * story.dpo(i) / days
        inventory = cogs * story.dio(i) / days
        if previous is not None:
            previous_ar, previous_ap, previous_inventory = previous
            cash += (
                net_income
                - (ar - previous_ar)
                + (ap - previous_ap)
                - (inventory - previous_inventory)
            )
        previous = (ar, ap, inventory)
        periods.append(
            {
                "month": month,
                "revenue": _money(revenue),
                "cogs": _money(cogs),
                "operating_expenses": _money(opex),
                "payroll": _money(payroll),
                "net_income": _money(net_income),
                "cash_balance": _money(cash),
                "accounts_receivable": _money(ar),
                "accounts_payable": _money(ap),
                "inventory_value": _money(inventory),
            }
        )
    return periods
