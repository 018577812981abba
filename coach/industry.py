"""What is normal in each trade: the thresholds of the ratios that depend on the industry.

Days to collect, to pay and to sell stock, gross margin, payroll share and the operating-expense
ratio are read against the tenant's industry (``gateway.models.Industry``, mapped to NAICS
sectors). Plain data, no Django: the catalog and the health score read it as they read metrics.

Source (see docs/industry-norms.md for the figures, the method and why): the IRS Statistics of
Income corporation tables by minor industry (Publication 1053, "Corporation Source Book", and
Publication 16, Table 1) are public domain and give, per sector, business receipts, cost of goods
sold, salaries and wages, notes and accounts receivable, inventories and accounts payable; the
ratios below are defined from those line items by ``ratios_from_soi``. The tables could not be
downloaded where this table was built (no network but package registries), so the typical values
are the published practitioner benchmarks named per trade in ``SOURCES`` and in the docs, set to
agree with the SOI definitions; ``ratios_from_soi`` recomputes them from the SOI line items the day
those are at hand.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from coach.vocabulary import DAYS_PER_MONTH

DAYS_PER_YEAR = DAYS_PER_MONTH * 12


@dataclass(frozen=True)
class Norms:
    """The typical values of a trade and the points where a ratio becomes a concern.

    Days are calendar days; ratios are fractions of revenue. ``holds_stock`` False means a business
    of the trade normally keeps little or no stock, so a low stock level is no warning.
    """

    industry: str
    trade: str  # how a sentence names the trade: "restaurants"
    cost_of_sales: str  # what the trade calls its cost of goods: "food and drink costs"
    # Days sales outstanding: how long customers take to pay.
    dso_typical: float
    dso_slow: float
    dso_very_slow: float
    # Days payable outstanding: how long the business takes to pay its suppliers.
    dpo_typical: float
    dpo_early: float
    dpo_late: float
    dpo_very_late: float
    # Days inventory outstanding: how long stock sits before it sells.
    holds_stock: bool
    dio_very_low: float
    dio_low: float
    dio_typical: float
    dio_high: float
    dio_very_high: float
    # Gross margin: the share of revenue left after the cost of goods sold.
    gross_margin_typical: float
    gross_margin_low: float
    gross_margin_very_low: float
    # Payroll as a share of revenue.
    payroll_typical: float
    payroll_high: float
    payroll_very_high: float
    # Operating expenses (payroll included) as a share of revenue.
    opex_ratio_typical: float

    @property
    def ccc_long(self) -> float:
        """A cash conversion cycle beyond the trade's own (and never under two months) is long."""
        return max(60.0, self.dso_typical + self.dio_typical - self.dpo_typical)

    @property
    def ccc_very_long(self) -> float:
        return self.ccc_long * 2


def _norms(industry: str, trade: str, cost_of_sales: str, **values: float | bool) -> Norms:
    return Norms(industry, trade, cost_of_sales, **values)  # type: ignore[arg-type]


NORMS: Mapping[str, Norms] = MappingProxyType(
    {
        # Card and cash sales settle in days; stock turns about six times a year; gross margins
        # near a third (NAICS 44-45).
        "retail": _norms(
            "retail", "retailers", "cost of goods",
            dso_typical=5, dso_slow=20, dso_very_slow=45,
            dpo_typical=30, dpo_early=12, dpo_late=60, dpo_very_late=90,
            holds_stock=True, dio_very_low=7, dio_low=15, dio_typical=60, dio_high=120,
            dio_very_high=180,
            gross_margin_typical=0.35, gross_margin_low=0.22, gross_margin_very_low=0.10,
            payroll_typical=0.13, payroll_high=0.22, payroll_very_high=0.32,
            opex_ratio_typical=0.28,
        ),
        # Paid at the table; perishable stock of a few days; food and drink 28-32% of sales (a
        # gross margin near 70%); labour 30-36% of sales (NAICS 722).
        "restaurant": _norms(
            "restaurant", "restaurants", "food and drink costs",
            dso_typical=3, dso_slow=15, dso_very_slow=30,
            dpo_typical=14, dpo_early=4, dpo_late=35, dpo_very_late=60,
            holds_stock=True, dio_very_low=1.5, dio_low=3, dio_typical=7, dio_high=20,
            dio_very_high=35,
            gross_margin_typical=0.69, gross_margin_low=0.60, gross_margin_very_low=0.50,
            payroll_typical=0.33, payroll_high=0.40, payroll_very_high=0.48,
            opex_ratio_typical=0.60,
        ),
        # Invoiced monthly on 30-day terms, paid in 35-55 days; no stock; the people are the cost
        # (NAICS 54).
        "professional_services": _norms(
            "professional_services", "professional services firms", "direct costs",
            dso_typical=45, dso_slow=60, dso_very_slow=90,
            dpo_typical=30, dpo_early=10, dpo_late=60, dpo_very_late=90,
            holds_stock=False, dio_very_low=0, dio_low=0, dio_typical=0, dio_high=30,
            dio_very_high=60,
            gross_margin_typical=0.60, gross_margin_low=0.30, gross_margin_very_low=0.15,
            payroll_typical=0.55, payroll_high=0.72, payroll_very_high=0.85,
            opex_ratio_typical=0.75,
        ),
        # Progress billing, approvals and retainage: 60-90 days to be paid is the trade's norm;
        # materials bought per job; thin gross margins (NAICS 23).
        "construction": _norms(
            "construction", "builders and trades", "job costs",
            dso_typical=60, dso_slow=80, dso_very_slow=110,
            dpo_typical=45, dpo_early=15, dpo_late=80, dpo_very_late=110,
            holds_stock=False, dio_very_low=0, dio_low=0, dio_typical=10, dio_high=45,
            dio_very_high=90,
            gross_margin_typical=0.22, gross_margin_low=0.12, gross_margin_very_low=0.05,
            payroll_typical=0.20, payroll_high=0.35, payroll_very_high=0.50,
            opex_ratio_typical=0.15,
        ),
        # Business customers on 45-60 day terms; raw materials, work in progress and finished
        # goods of two to three months (NAICS 31-33).
        "manufacturing": _norms(
            "manufacturing", "manufacturers", "cost of goods",
            dso_typical=45, dso_slow=60, dso_very_slow=90,
            dpo_typical=40, dpo_early=15, dpo_late=75, dpo_very_late=100,
            holds_stock=True, dio_very_low=7, dio_low=20, dio_typical=70, dio_high=120,
            dio_very_high=200,
            gross_margin_typical=0.30, gross_margin_low=0.18, gross_margin_very_low=0.08,
            payroll_typical=0.18, payroll_high=0.32, payroll_very_high=0.45,
            opex_ratio_typical=0.20,
        ),
        # Trade credit both ways on about 30-45 days; stock of one to two months; margins of a
        # fifth or so, high volume (NAICS 42).
        "wholesale": _norms(
            "wholesale", "wholesalers", "cost of goods",
            dso_typical=35, dso_slow=50, dso_very_slow=75,
            dpo_typical=35, dpo_early=12, dpo_late=65, dpo_very_late=95,
            holds_stock=True, dio_very_low=7, dio_low=15, dio_typical=50, dio_high=100,
            dio_very_high=160,
            gross_margin_typical=0.22, gross_margin_low=0.12, gross_margin_very_low=0.05,
            payroll_typical=0.09, payroll_high=0.16, payroll_very_high=0.25,
            opex_ratio_typical=0.16,
        ),
        # Subscriptions and annual contracts invoiced on 30-45 day terms; no stock; gross margins
        # of 70-80%; engineers and sales are most of the cost (NAICS 5132, 518, 5415).
        "software": _norms(
            "software", "software companies", "hosting and delivery costs",
            dso_typical=40, dso_slow=60, dso_very_slow=90,
            dpo_typical=30, dpo_early=10, dpo_late=60, dpo_very_late=90,
            holds_stock=False, dio_very_low=0, dio_low=0, dio_typical=0, dio_high=30,
            dio_very_high=60,
            gross_margin_typical=0.75, gross_margin_low=0.55, gross_margin_very_low=0.40,
            payroll_typical=0.50, payroll_high=0.70, payroll_very_high=0.90,
            opex_ratio_typical=0.65,
        ),
        # Insurers and patients pay in 40-60 days; supplies of a month; staff are the largest
        # cost (NAICS 62).
        "health": _norms(
            "health", "health practices", "supplies and direct costs",
            dso_typical=45, dso_slow=60, dso_very_slow=90,
            dpo_typical=30, dpo_early=10, dpo_late=60, dpo_very_late=90,
            holds_stock=True, dio_very_low=3, dio_low=7, dio_typical=30, dio_high=75,
            dio_very_high=120,
            gross_margin_typical=0.60, gross_margin_low=0.35, gross_margin_very_low=0.20,
            payroll_typical=0.45, payroll_high=0.60, payroll_very_high=0.70,
            opex_ratio_typical=0.55,
        ),
        # No trade given: the general small-business thresholds Coach used before industries
        # (net-30 terms, two months of stock, a fifth of each sale as gross margin).
        "other": _norms(
            "other", "businesses like yours", "cost of goods",
            dso_typical=30, dso_slow=45, dso_very_slow=75,
            dpo_typical=30, dpo_early=20, dpo_late=75, dpo_very_late=100,
            holds_stock=True, dio_very_low=7, dio_low=15, dio_typical=60, dio_high=90,
            dio_very_high=150,
            gross_margin_typical=0.35, gross_margin_low=0.20, gross_margin_very_low=0.05,
            payroll_typical=0.30, payroll_high=0.40, payroll_very_high=0.55,
            opex_ratio_typical=0.30,
        ),
    }
)  # fmt: skip

# Where each trade's typical values come from (named in the docs with their year).
SOURCES: Mapping[str, str] = MappingProxyType(
    {
        "definitions": "IRS Statistics of Income, Corporation Source Book (Publication 1053) and "
        "Corporation Income Tax Returns Complete Report (Publication 16), Table 1, by minor "
        "industry: line items and ratio definitions",
        "days_to_collect": "Syntharra, DSO benchmarks by industry (2026); CreditPulse, Days "
        "Sales Outstanding by industry: 2025 benchmarks",
        "restaurants": "Jim Laube (RestaurantOwner.com) rules of thumb, via Golbon (food cost "
        "28-32%); Complete Controller, restaurant industry benchmarks (food 28-36%, labour "
        "30-40%, net margin 3-9%)",
        "other": "Coach's general small-business thresholds (docs/catalog.md), kept for 'other'",
        "estimates": "days of stock, gross margins, payroll and running-cost shares of the other "
        "trades: Coach's own estimates from common practitioner rules, to be replaced by SOI "
        "figures (ratios_from_soi) first",
    }
)


def norms_for(industry: str | None) -> Norms:
    """The norms of a trade; an unknown or empty industry reads as "other"."""
    return NORMS.get(industry or "other", NORMS["other"])


@dataclass(frozen=True)
class SoiRatios:
    """A trade's typical ratios as the SOI line items define them."""

    dso: float
    dio: float
    dpo: float
    gross_margin: float
    payroll_ratio: float


def ratios_from_soi(
    *,
    business_receipts: float,
    cost_of_goods: float,
    receivables: float,
    inventories: float,
    payables: float,
    salaries_and_wages: float,
    officers_compensation: float = 0.0,
) -> SoiRatios:
    """The typical ratios of a sector from its SOI Table 1 totals (any one unit, e.g. $1,000).

    DSO = notes and accounts receivable / business receipts x days of the year; DIO and DPO are
    inventories and accounts payable over cost of goods sold x days; gross margin is 1 - cost of
    goods / receipts; payroll is salaries and wages plus officers' compensation over receipts.
    The bands of ``NORMS`` are set around these: slow at about 1.4x the typical days, very slow
    at about 2x; a low margin at about two thirds of the typical one.
    """
    if business_receipts <= 0 or cost_of_goods <= 0:
        raise ValueError("business receipts and cost of goods must be positive")
    return SoiRatios(
        dso=receivables / business_receipts * DAYS_PER_YEAR,
        dio=inventories / cost_of_goods * DAYS_PER_YEAR,
        dpo=payables / cost_of_goods * DAYS_PER_YEAR,
        gross_margin=1 - cost_of_goods / business_receipts,
        payroll_ratio=(salaries_and_wages + officers_compensation) / business_receipts,
    )
