"""The glossary: every figure Coach shows, in words, with a short definition.

One source for the API's labels (the details view's metric cards), the console's tabs and its
definitions on hover or tap (``GET /v1/coach/glossary/``). A test holds it to the catalog's
metrics (``coach.catalog.base.METRICS``): a new metric without words fails it.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Any, NamedTuple

from coach import stage as stages
from coach.vocabulary import Stage


class Term(NamedTuple):
    label: str
    definition: str


_TERMS: dict[str, Term] = {
    # --- the score ---
    "health_score": Term(
        "Health score",
        "0 to 100: how sound the business's finances are, from four parts (cash flow, "
        "profitability, revenue, operations) weighted by how much data each has.",
    ),
    "band": Term("Band", "Where the score falls: critical, weak, fair or strong."),
    "cash_flow": Term(
        "Cash flow", "How much cash there is, how fast it goes out, and how long it lasts."
    ),
    "profitability": Term(
        "Profitability", "How much of each sale is left after costs: the margins."
    ),
    "revenue": Term("Revenue", "Sales in the month, before any costs."),
    "operations": Term(
        "Operations", "How quickly customers pay, suppliers are paid and stock turns over."
    ),
    "inventory": Term("Inventory", "Stock held for sale, and how long it sits."),
    "growth": Term("Growth", "How revenue moves over months and years."),
    "buffer": Term(
        "Cash buffer",
        "The cash the business wants to keep at least; without one set, a month of costs.",
    ),
    "forecast_band": Term(
        "Forecast range",
        "8 outcomes in 10 fall between the lower (P10) and upper (P90) edges; the line is the "
        "middle outcome (median).",
    ),
    # --- the books ---
    "cogs": Term("Cost of sales", "What the goods or services sold cost to make or buy."),
    "gross_profit": Term("Gross profit", "Revenue minus the cost of sales."),
    "operating_expenses": Term(
        "Operating expenses", "Rent, salaries, software and every other cost of running."
    ),
    "payroll": Term("Payroll", "Wages, salaries and their taxes in the month."),
    "net_income": Term("Net income", "What is left of revenue after every cost: the profit."),
    "cash_balance": Term("Cash balance", "Money in the bank at the end of the month."),
    "accounts_receivable": Term("Receivables", "What customers owe for sales already made."),
    "accounts_payable": Term("Payables", "What the business owes its suppliers."),
    "inventory_value": Term("Inventory value", "What the stock on hand cost."),
    # --- ratios ---
    "gross_margin": Term("Gross margin", "Gross profit as a share of revenue."),
    "net_margin": Term("Net margin", "Net income as a share of revenue."),
    "operating_expense_ratio": Term(
        "Operating costs to revenue", "Operating expenses as a share of revenue."
    ),
    "payroll_ratio": Term("Payroll to revenue", "Payroll as a share of revenue."),
    "payroll_ratio_12m": Term(
        "Payroll to revenue, 12 months", "Payroll as a share of revenue over the last year."
    ),
    "revenue_growth_mom": Term(
        "Revenue, month on month", "Change in revenue from the month before."
    ),
    "revenue_growth_yoy": Term(
        "Revenue, year on year", "Change in revenue from the same month a year earlier."
    ),
    "revenue_growth_3m": Term(
        "Revenue, last 3 months", "Change in revenue over the last three months."
    ),
    "revenue_growth_12m": Term(
        "Revenue, last 12 months", "Change in the last year's revenue from the year before."
    ),
    "revenue_3m": Term("Revenue, 3 months", "Revenue of the last three months together."),
    "revenue_3m_yoy": Term(
        "Revenue, 3 months on last year",
        "The last three months' revenue against the same months a year earlier.",
    ),
    "revenue_mom_last_year": Term(
        "Same month last year",
        "How revenue moved between the same two months a year earlier (the season).",
    ),
    "revenue_trend": Term("Revenue trend", "The average monthly change of revenue lately."),
    "revenue_volatility": Term("Revenue swings", "How much revenue varies from month to month."),
    "opex_growth_3m": Term(
        "Operating costs, last 3 months", "Change in operating expenses over three months."
    ),
    "inventory_growth_3m": Term(
        "Inventory, last 3 months", "Change in the value of stock over three months."
    ),
    "inventory_growth_yoy": Term(
        "Inventory, year on year", "Change in the value of stock from a year earlier."
    ),
    "gross_margin_change_3m": Term(
        "Gross margin change", "Points the gross margin moved over three months."
    ),
    "gross_margin_drift": Term(
        "Gross margin drift", "Points the gross margin moved over the longer run."
    ),
    # --- days ---
    "dso": Term(
        "Days to collect",
        "How many days customers take to pay, on average (days sales outstanding).",
    ),
    "dpo": Term(
        "Days to pay suppliers",
        "How many days the business takes to pay its suppliers (days payables outstanding).",
    ),
    "dio": Term(
        "Days of stock",
        "How many days stock sits before it is sold (days inventory outstanding).",
    ),
    "cash_conversion_cycle": Term(
        "Cash conversion cycle",
        "Days from paying for stock to being paid by customers: days of stock plus days to "
        "collect minus days to pay suppliers.",
    ),
    "dso_change_3m": Term(
        "Days to collect, change", "How the days to collect moved over three months."
    ),
    "dso_change_12m": Term(
        "Days to collect, change over a year", "How the days to collect moved over a year."
    ),
    # --- cash ---
    "net_burn": Term(
        "Net burn", "Cash the business loses in a month, on average (zero when it gains)."
    ),
    "runway_days": Term("Cash runway", "How many days the cash lasts at the current net burn."),
    "cash_months_of_expenses": Term(
        "Months of costs in cash", "How many months of costs the cash in the bank would pay."
    ),
    "cash_change_3m": Term("Cash change, 3 months", "How much cash moved over three months."),
    # --- counts and history ---
    "trend_months": Term("Months in the trend", "Months of data the trend is computed from."),
    "profitable_streak": Term(
        "Profitable months in a row", "Consecutive months with a profit, up to the latest."
    ),
    "loss_months_24m": Term("Months with a loss", "Months with a loss in the last two years."),
    "months_with_revenue": Term("Months with sales", "Months with any revenue recorded."),
    "net_income_12m": Term("Net income, 12 months", "Profit of the last twelve months."),
    "net_income_year_ago": Term(
        "Net income a year ago", "Profit of the twelve months before the last twelve."
    ),
    "months_of_data": Term("Months of data", "Months of books Coach has for the business."),
    # --- the business's stage (coach.stage reads it from the books; the thresholds are its) ---
    "stage": Term(
        "Stage",
        "Where the business is in its life, read from its books: pre-revenue, early, growing, "
        "established or declining. It sets what Coach says first: a business that is not yet "
        "selling, or grows fast and burns cash, hears its runway before its margins.",
    ),
    f"stage_{Stage.PRE_REVENUE}": Term(
        Stage.PRE_REVENUE.label, "No sales in the last three months: runway comes first."
    ),
    f"stage_{Stage.EARLY}": Term(
        Stage.EARLY.label,
        f"Selling for less than {stages.EARLY_MONTHS} months: still finding its level.",
    ),
    f"stage_{Stage.GROWING}": Term(
        Stage.GROWING.label,
        f"The last year's revenue is {stages.GROWING_YEARLY:.0%} or more above the year "
        f"before (with less than two years of books, revenue rising about "
        f"{stages.GROWING_MONTHLY:.0%} a month or more).",
    ),
    f"stage_{Stage.ESTABLISHED}": Term(
        Stage.ESTABLISHED.label,
        "Selling for a year or more, with revenue neither growing fast nor falling.",
    ),
    f"stage_{Stage.DECLINING}": Term(
        Stage.DECLINING.label,
        f"The last year's revenue is {-stages.DECLINING_YEARLY:.0%} or more below the year "
        f"before (with less than two years of books, revenue falling about "
        f"{-stages.DECLINING_MONTHLY:.0%} a month or more).",
    ),
}

GLOSSARY: MappingProxyType[str, Term] = MappingProxyType(_TERMS)


def label(key: str) -> str:
    """The words for a figure; an unknown key is spelled out rather than shown raw."""
    term = GLOSSARY.get(key)
    return term.label if term else key.replace("_", " ").capitalize()


def glossary_listing() -> dict[str, Any]:
    """What ``GET /v1/coach/glossary/`` answers."""
    return {
        "terms": [
            {"key": key, "label": term.label, "definition": term.definition}
            for key, term in GLOSSARY.items()
        ]
    }
