"""Financial metrics from a tenant's monthly books: pure functions over plain data, no Django.

Rules every metric follows, so that no number is ever invented:

* A money field that is ``None`` is *unknown*, never zero: a metric that needs it is ``None``.
* "Previous month" is the previous *calendar* month; if that period is absent the metric is
  ``None`` (no interpolation across gaps).
* Every ratio needs a positive denominator: a zero denominator (division by zero) and a negative
  one (a margin of negative revenue, growth from a negative base) both give ``None``.
* A result that is not a finite float gives ``None``, so every value is JSON-safe.
"""

from __future__ import annotations

import calendar
import itertools
import math
import statistics
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

# The average month turns a monthly burn into days of runway; the catalog's month is the same one.
from coach.vocabulary import DAYS_PER_MONTH

# Beyond any real ledger in any currency; keeps Decimal arithmetic far from overflow.
MAX_ABS_MONEY = Decimal(10) ** 18

MONEY_FIELDS: tuple[str, ...] = (
    "revenue",
    "cogs",
    "operating_expenses",
    "payroll",
    "net_income",
    "cash_balance",
    "accounts_receivable",
    "accounts_payable",
    "inventory_value",
)

# Every metric computed per month; ``values`` also carries ``months_of_data``.
METRIC_KEYS: tuple[str, ...] = (
    # money of the month
    "revenue",
    "cogs",
    "gross_profit",
    "operating_expenses",
    "payroll",
    "net_income",
    "cash_balance",
    "accounts_receivable",
    "accounts_payable",
    "inventory_value",
    # ratios (fractions of revenue)
    "gross_margin",
    "net_margin",
    "operating_expense_ratio",
    "payroll_ratio",
    # growth and trends (fractions)
    "revenue_growth_mom",
    "revenue_growth_yoy",
    "revenue_growth_3m",
    "opex_growth_3m",
    "inventory_growth_3m",
    "gross_margin_change_3m",
    "revenue_volatility",
    # working capital, in days
    "dso",
    "dpo",
    "dio",
    "cash_conversion_cycle",
    "dso_change_3m",
    # cash
    "net_burn",
    "runway_days",
    "cash_months_of_expenses",
    "cash_change_3m",
    # season and trend: trailing bases and fitted trends over 6 to 24 months
    "revenue_3m",
    "revenue_3m_yoy",
    "revenue_growth_12m",
    "revenue_mom_last_year",
    "revenue_trend",
    "gross_margin_drift",
    "trend_months",
    "dso_change_12m",
    "profitable_streak",
    "loss_months_24m",
    "months_with_revenue",
    "net_income_12m",
    "net_income_year_ago",
    "payroll_ratio_12m",
    "inventory_growth_yoy",
)
VALUE_KEYS: tuple[str, ...] = (*METRIC_KEYS, "months_of_data")

Number = Decimal | int | float | str


def _to_decimal(name: str, value: Number | None) -> Decimal | None:
    """Coerce a money field to Decimal so the arithmetic is exact; reject what is not a number."""
    if value is None:
        return None
    if type(value) is Decimal:  # what the database gives: no conversion to make, only checks
        if not value.is_finite():
            raise ValueError(f"Period.{name} must be finite, got {value!r}")
        if abs(value) >= MAX_ABS_MONEY:
            raise ValueError(f"Period.{name} is out of range, got {value!r}")
        return value
    if isinstance(value, bool):
        raise ValueError(f"Period.{name} must be a number, not a boolean")
    try:
        result = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise ValueError(f"Period.{name} must be a number, got {value!r}") from None
    if not result.is_finite():
        raise ValueError(f"Period.{name} must be finite, got {value!r}")
    if abs(result) >= MAX_ABS_MONEY:
        raise ValueError(f"Period.{name} is out of range, got {value!r}")
    return result


@dataclass(frozen=True)
class Period:
    """One calendar month of a tenant's books; every money field may be None (unknown, NOT zero)."""

    month: date  # first day of the month
    revenue: Decimal | None = None
    cogs: Decimal | None = None  # cost of goods sold
    operating_expenses: Decimal | None = None  # total opex, payroll INCLUDED
    payroll: Decimal | None = None  # part of opex, shown apart where given
    net_income: Decimal | None = None
    cash_balance: Decimal | None = None  # at period end
    accounts_receivable: Decimal | None = None  # at period end
    accounts_payable: Decimal | None = None  # at period end
    inventory_value: Decimal | None = None  # at period end

    def __post_init__(self) -> None:
        # A datetime is a date subclass but would never equal the month's date key.
        if isinstance(self.month, datetime) or not isinstance(self.month, date):
            raise ValueError(f"Period.month must be a date, got {self.month!r}")
        if self.month.day != 1:
            raise ValueError(f"Period.month must be the first day of a month, got {self.month}")
        for name in MONEY_FIELDS:
            object.__setattr__(self, name, _to_decimal(name, getattr(self, name)))


@dataclass(frozen=True)
class CashFlowRow:
    """One month of the cash-flow table the recommendations show as evidence."""

    month: date
    inflow: float | None  # revenue
    outflow: float | None  # cogs + operating_expenses
    net: float | None  # inflow - outflow
    cash_balance: float | None  # at month end
    cash_change: float | None  # vs the previous calendar month's balance

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly form (month as an ISO date)."""
        return {
            "month": self.month.isoformat(),
            "inflow": self.inflow,
            "outflow": self.outflow,
            "net": self.net,
            "cash_balance": self.cash_balance,
            "cash_change": self.cash_change,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CashFlowRow:
        """Inverse of ``to_dict``."""
        return cls(
            month=date.fromisoformat(data["month"]),
            **{f.name: data.get(f.name) for f in fields(cls) if f.name != "month"},
        )


@dataclass(frozen=True)
class FinancialMetrics:
    """The metrics of the latest month, their monthly series and the cash-flow table."""

    as_of: date | None  # month of the latest period (None when no periods)
    values: dict[str, float | None]  # latest month's metrics; None = not computable from the data
    series: Mapping[str, list[tuple[date, float | None]]]  # each metric per month, ascending
    cash_flow: list[CashFlowRow]  # one row per month, ascending

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly form (dates as ISO strings), for a JSONField."""
        return {
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "values": dict(self.values),
            "series": {
                key: [[month.isoformat(), value] for month, value in points]
                for key, points in self.series.items()
            },
            "cash_flow": [row.to_dict() for row in self.cash_flow],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FinancialMetrics:
        """Inverse of ``to_dict``, to read back stored evidence."""
        as_of = data.get("as_of")
        return cls(
            as_of=date.fromisoformat(as_of) if as_of else None,
            values=dict(data.get("values", {})),
            series={
                key: [(date.fromisoformat(month), value) for month, value in points]
                for key, points in data.get("series", {}).items()
            },
            cash_flow=[CashFlowRow.from_dict(row) for row in data.get("cash_flow", [])],
        )


# --- arithmetic helpers: None in, None out ----------------------------------------------------


def _float(value: Decimal | float | None) -> float | None:
    """A finite float, or None (overflow and NaN are 'cannot be computed')."""
    if value is None:
        return None
    result = float(value)
    return result if math.isfinite(result) else None


def _sub(a: Decimal | None, b: Decimal | None) -> Decimal | None:
    """a - b, unknown when either is unknown."""
    return None if a is None or b is None else a - b


def _add(a: Decimal | None, b: Decimal | None) -> Decimal | None:
    """a + b, unknown when either is unknown."""
    return None if a is None or b is None else a + b


def _ratio(numerator: Decimal | None, denominator: Decimal | None) -> float | None:
    """numerator / denominator, None when unknown or when the denominator is not positive."""
    if numerator is None or denominator is None or denominator <= 0:
        return None
    return _float(numerator / denominator)


def _growth(now: Decimal | None, before: Decimal | None) -> float | None:
    """now / before - 1: growth is undefined from an unknown, zero or negative base."""
    ratio = _ratio(now, before)
    return None if ratio is None else ratio - 1.0


def _fdiff(a: float | None, b: float | None) -> float | None:
    """a - b for derived float metrics (point changes), unknown when either is unknown."""
    return None if a is None or b is None else _float(a - b)


def shift_month(month: date, months: int) -> date | None:
    """First day of the month ``months`` away (negative = earlier); None outside date's range."""
    index = month.year * 12 + (month.month - 1) + months
    year, month_index = divmod(index, 12)
    if not 1 <= year <= 9999:
        return None
    return date(year, month_index + 1, 1)


def days_in_month(month: date) -> int:
    """Actual number of days of the month, for the days metrics (DSO, DPO, DIO)."""
    return calendar.monthrange(month.year, month.month)[1]


# --- the computation --------------------------------------------------------------------------


class _Books:
    """The periods of one tenant by month, with look-ups that answer None across gaps."""

    def __init__(self, periods: Sequence[Period]) -> None:
        self.by_month: dict[date, Period] = {}
        for period in periods:
            if period.month in self.by_month:
                raise ValueError(f"Duplicate period for month {period.month.isoformat()}")
            self.by_month[period.month] = period
        self.months: list[date] = sorted(self.by_month)
        # By month number (year x 12 + month - 1), so a window needs no date arithmetic.
        self.by_index: dict[int, Period] = {
            month.year * 12 + month.month - 1: period for month, period in self.by_month.items()
        }
        self._single: dict[date, dict[str, float | None]] = {}
        # Windows are read by several metrics (the 12-month sums, the trend fits): each once.
        self._windows: dict[tuple[date, str, int, int], list[Decimal] | None] = {}
        self.trends: dict[tuple[date, str], list[Decimal] | None] = {}

    def money(self, month: date | None, name: str) -> Decimal | None:
        """A money field of a month, None when the month is absent or the field unknown."""
        period = self.by_month.get(month) if month is not None else None
        return getattr(period, name) if period is not None else None

    def window(self, month: date, name: str, start: int, length: int) -> list[Decimal] | None:
        """The field over ``length`` consecutive months starting ``start`` months from ``month``.

        None unless every month of the window is present and known. Cached: callers only read it.
        """
        key = (month, name, start, length)
        if key in self._windows:
            return self._windows[key]
        base = month.year * 12 + month.month - 1 + start
        by_index = self.by_index
        values = [getattr(by_index.get(index), name, None) for index in range(base, base + length)]
        result = None if None in values else [v for v in values if v is not None]
        self._windows[key] = result
        return result

    def single(self, month: date | None) -> dict[str, float | None]:
        """The single-month metrics of any month ({} when absent), cached."""
        if month is None or month not in self.by_month:
            return {}
        if month not in self._single:
            self._single[month] = _single_month_metrics(self.by_month[month])
        return self._single[month]

    def single_value(self, month: date | None, key: str) -> float | None:
        """One single-month metric of any month (None when absent), without computing the rest."""
        period = self.by_month.get(month) if month is not None else None
        if period is None:
            return None
        cached = self._single.get(period.month)
        return cached[key] if cached is not None else _SINGLE[key](period)

    def metric(self, month: date, key: str) -> float | None:
        """Metric ``key`` of a month of the books, computed with that month's own history."""
        if key in _SINGLE:
            return self.single_value(month, key)
        return _MULTI[key](self, month)


def _days(amount: Decimal | None, per_month: Decimal | None, days: int) -> float | None:
    """amount / monthly flow x days in the month: how many days of that flow the amount holds."""
    return _ratio(None if amount is None else amount * days, per_month)


def _dso(p: Period) -> float | None:
    # DSO (days sales outstanding): AR / revenue x days; how long customers take to pay.
    return _days(p.accounts_receivable, p.revenue, days_in_month(p.month))


def _dpo(p: Period) -> float | None:
    # DPO (days payable outstanding): AP / COGS x days; how long the business takes to pay.
    return _days(p.accounts_payable, p.cogs, days_in_month(p.month))


def _dio(p: Period) -> float | None:
    # DIO (days inventory outstanding): inventory / COGS x days; how long stock sits unsold.
    return _days(p.inventory_value, p.cogs, days_in_month(p.month))


def _cash_conversion_cycle(p: Period) -> float | None:
    # Cash conversion cycle: DSO + DIO - DPO; days cash is tied up from paying to being paid.
    dso, dpo, dio = _dso(p), _dpo(p), _dio(p)
    return None if dso is None or dio is None or dpo is None else _float(dso + dio - dpo)


def _money_metric(name: str) -> Callable[[Period], float | None]:
    return lambda p: _float(getattr(p, name))


# The metrics that need only the month itself, one function each, so that a series reads one
# metric without computing the others.
_SINGLE: dict[str, Callable[[Period], float | None]] = {
    **{name: _money_metric(name) for name in MONEY_FIELDS},
    # Gross profit: revenue less the direct cost of what was sold.
    "gross_profit": lambda p: _float(_sub(p.revenue, p.cogs)),
    # Gross margin: the share of revenue left after the cost of goods sold.
    "gross_margin": lambda p: _ratio(_sub(p.revenue, p.cogs), p.revenue),
    # Net margin: the share of revenue kept as profit after every expense.
    "net_margin": lambda p: _ratio(p.net_income, p.revenue),
    # Operating expense ratio: opex (payroll included) per unit of revenue; lower is leaner.
    "operating_expense_ratio": lambda p: _ratio(p.operating_expenses, p.revenue),
    # Payroll ratio: payroll per unit of revenue.
    "payroll_ratio": lambda p: _ratio(p.payroll, p.revenue),
    "dso": _dso,
    "dpo": _dpo,
    "dio": _dio,
    "cash_conversion_cycle": _cash_conversion_cycle,
    # Cash months of expenses: cash / (COGS + opex); how many months of spending cash covers.
    "cash_months_of_expenses": lambda p: _ratio(p.cash_balance, _add(p.cogs, p.operating_expenses)),
}


def _single_month_metrics(p: Period) -> dict[str, float | None]:
    """The metrics that need only the month itself."""
    return {key: compute(p) for key, compute in _SINGLE.items()}


def _net_burn(books: _Books, month: date) -> float | None:
    """Average monthly cash decrease over the last 3 months; needs 4 consecutive balances."""
    balances = books.window(month, "cash_balance", -3, 4)
    if balances is None:
        return None
    decreases = [earlier - later for earlier, later in itertools.pairwise(balances)]
    return _float(sum(decreases, Decimal(0)) / 3)


def _runway_days(cash: Decimal | None, net_burn: float | None) -> float | None:
    """Days until cash runs out at the current net burn; only defined while burning.

    A cash balance already at or below zero leaves no runway: 0 days.
    """
    if cash is None or net_burn is None or net_burn <= 0:
        return None
    return _float(max(float(cash), 0.0) / net_burn * DAYS_PER_MONTH)


def _sum_growth_3m(books: _Books, month: date, name: str) -> float | None:
    """Sum of the last 3 months over the sum of the 3 before, minus 1; needs all 6 months."""
    six = books.window(month, name, -5, 6)
    if six is None:
        return None
    return _growth(sum(six[3:], Decimal(0)), sum(six[:3], Decimal(0)))


def _revenue_volatility(books: _Books, month: date) -> float | None:
    """Coefficient of variation (population stdev / mean) of the last 6 months' revenue."""
    six = books.window(month, "revenue", -5, 6)
    if six is None:
        return None
    mean = sum(six, Decimal(0)) / len(six)
    if mean <= 0:
        return None
    return _float(statistics.pstdev(six) / mean)


def _sum(books: _Books, month: date, name: str, start: int, length: int) -> Decimal | None:
    window = books.window(month, name, start, length)
    return None if window is None else sum(window, Decimal(0))


def _trailing_growth(books: _Books, month: date, length: int, back: int) -> float | None:
    """The last ``length`` months of revenue against the same months ``back`` months earlier."""
    now = _sum(books, month, "revenue", 1 - length, length)
    before = _sum(books, month, "revenue", 1 - length - back, length)
    return _growth(now, before)


# A trend is fitted over whole years when the books have them (24 or 12 months, so a season
# weighs the same at both ends), else over what there is from 6 months on.
TREND_WINDOWS = (24, 12, 6)


def _trend_window(books: _Books, month: date, name: str) -> list[Decimal] | None:
    """The longest trend window of consecutive known values of a field ending at ``month``."""
    key = (month, name)
    if key not in books.trends:
        books.trends[key] = _find_trend_window(books, month, name)
    return books.trends[key]


def _find_trend_window(books: _Books, month: date, name: str) -> list[Decimal] | None:
    for length in TREND_WINDOWS[:-1]:
        window = books.window(month, name, 1 - length, length)
        if window is not None:
            return window
    run: list[Decimal] = []  # fewer than 12 months: the consecutive run ending at ``month``
    for offset in range(TREND_WINDOWS[-2] - 1):
        value = books.money(shift_month(month, -offset), name)
        if value is None:
            break
        run.insert(0, value)
    return run if len(run) >= TREND_WINDOWS[-1] else None


def _slope(ys: Sequence[float]) -> float:
    """Least-squares slope of ys against 0, 1, 2, ...: the fitted change per month."""
    n = len(ys)
    mean_x = (n - 1) / 2
    mean_y = sum(ys) / n
    numerator = sum((x - mean_x) * (y - mean_y) for x, y in enumerate(ys))
    denominator = sum((x - mean_x) ** 2 for x in range(n))
    return numerator / denominator


def _revenue_trend(books: _Books, month: date) -> float | None:
    """Fitted monthly growth: exp(slope of log revenue) - 1 over the trend window."""
    window = _trend_window(books, month, "revenue")
    if window is None or min(window) <= 0:
        return None
    return _float(math.expm1(_slope([math.log(float(value)) for value in window])))


def _trend_months(books: _Books, month: date) -> float | None:
    window = _trend_window(books, month, "revenue")
    return None if window is None else float(len(window))


def _gross_margin_drift(books: _Books, month: date) -> float | None:
    """Fitted change of the gross margin across the trend window (fraction points)."""
    revenue = _trend_window(books, month, "revenue")
    cogs = _trend_window(books, month, "cogs")
    if revenue is None or cogs is None or len(cogs) != len(revenue) or min(revenue) <= 0:
        return None
    margins = [float((r - c) / r) for r, c in zip(revenue, cogs, strict=True)]
    return _float(_slope(margins) * (len(margins) - 1))


def _profitable_streak(books: _Books, month: date) -> float | None:
    """Consecutive months of profit ending at ``month`` (0 when it made a loss)."""
    if books.by_month[month].net_income is None:
        return None
    streak = 0
    current: date | None = month
    while current is not None:
        income = books.money(current, "net_income")
        if income is None or income <= 0:
            break
        streak += 1
        current = shift_month(current, -1)
    return float(streak)


def _loss_months_24m(books: _Books, month: date) -> float | None:
    incomes = [books.money(shift_month(month, -offset), "net_income") for offset in range(24)]
    known = [income for income in incomes if income is not None]
    return float(sum(1 for income in known if income < 0)) if known else None


def _months_with_revenue(books: _Books, month: date) -> float:
    return float(
        sum(
            1
            for when in books.months
            if when <= month and (books.by_month[when].revenue or Decimal(0)) > 0
        )
    )


def _revenue(books: _Books, month: date) -> Decimal | None:
    return books.by_month[month].revenue


def _earlier(months: int) -> Callable[[date], date | None]:
    return lambda month: shift_month(month, -months)


_previous, _three_before, _year_ago = _earlier(1), _earlier(3), _earlier(12)

# The metrics that need earlier months, one function each (books, month of the books).
_MULTI: dict[str, Callable[[_Books, date], float | None]] = {
    # Month-over-month revenue growth, vs the previous calendar month.
    "revenue_growth_mom": lambda b, m: _growth(_revenue(b, m), b.money(_previous(m), "revenue")),
    # Year-over-year revenue growth, vs the same month a year earlier (no seasonality).
    "revenue_growth_yoy": lambda b, m: _growth(_revenue(b, m), b.money(_year_ago(m), "revenue")),
    # Last 3 months of revenue vs the 3 before.
    "revenue_growth_3m": lambda b, m: _sum_growth_3m(b, m, "revenue"),
    # Last 3 months of operating expenses vs the 3 before.
    "opex_growth_3m": lambda b, m: _sum_growth_3m(b, m, "operating_expenses"),
    # Inventory value now vs 3 months earlier.
    "inventory_growth_3m": lambda b, m: _growth(
        b.by_month[m].inventory_value, b.money(_three_before(m), "inventory_value")
    ),
    # Gross margin now minus 3 months earlier, in fraction points.
    "gross_margin_change_3m": lambda b, m: _fdiff(
        b.single_value(m, "gross_margin"), b.single_value(_three_before(m), "gross_margin")
    ),
    "revenue_volatility": _revenue_volatility,
    # DSO now minus DSO 3 months earlier; positive means customers pay more slowly.
    "dso_change_3m": lambda b, m: _fdiff(
        b.single_value(m, "dso"), b.single_value(_three_before(m), "dso")
    ),
    # Net burn: positive = burning cash, negative = cash growing.
    "net_burn": _net_burn,
    # Runway: cash / net burn x DAYS_PER_MONTH (the average month), only while burning.
    "runway_days": lambda b, m: _runway_days(b.by_month[m].cash_balance, _net_burn(b, m)),
    # Cash now vs 3 months earlier.
    "cash_change_3m": lambda b, m: _float(
        _sub(b.by_month[m].cash_balance, b.money(_three_before(m), "cash_balance"))
    ),
    # Revenue of the last 3 months together (money).
    "revenue_3m": lambda b, m: _float(_sum(b, m, "revenue", -2, 3)),
    # The last 3 months against the same 3 months a year earlier: season taken out.
    "revenue_3m_yoy": lambda b, m: _trailing_growth(b, m, 3, 12),
    # The last 12 months against the 12 before (24 months needed).
    "revenue_growth_12m": lambda b, m: _trailing_growth(b, m, 12, 12),
    # Last year's month-over-month change into the same month: was last year's dip the same?
    "revenue_mom_last_year": lambda b, m: _growth(
        b.money(_year_ago(m), "revenue"), b.money(shift_month(m, -13), "revenue")
    ),
    # Fitted monthly revenue growth over the trend window (24, 12 or 6+ months).
    "revenue_trend": _revenue_trend,
    # Fitted change of gross margin over the same window (fraction points).
    "gross_margin_drift": _gross_margin_drift,
    # How many months the trends were fitted over.
    "trend_months": _trend_months,
    # DSO now minus DSO a year earlier.
    "dso_change_12m": lambda b, m: _fdiff(
        b.single_value(m, "dso"), b.single_value(_year_ago(m), "dso")
    ),
    "profitable_streak": _profitable_streak,
    # Months with a net loss among the last 24.
    "loss_months_24m": _loss_months_24m,
    # Months of the books with revenue above zero, up to this one.
    "months_with_revenue": _months_with_revenue,
    # Net income of the last 12 months together: was the year profitable, whatever this month?
    "net_income_12m": lambda b, m: _float(_sum(b, m, "net_income", -11, 12)),
    # Net income of the same month a year earlier: a loss this month that last year also had.
    "net_income_year_ago": lambda b, m: _float(b.money(_year_ago(m), "net_income")),
    # Payroll over revenue across the last 12 months: the share without the season.
    "payroll_ratio_12m": lambda b, m: _ratio(
        _sum(b, m, "payroll", -11, 12), _sum(b, m, "revenue", -11, 12)
    ),
    # Inventory now vs a year earlier.
    "inventory_growth_yoy": lambda b, m: _growth(
        b.by_month[m].inventory_value, b.money(_year_ago(m), "inventory_value")
    ),
}
if set(_SINGLE) | set(_MULTI) != set(METRIC_KEYS) or set(_SINGLE) & set(_MULTI):
    raise RuntimeError("every metric must have exactly one definition")


def _month_metrics(books: _Books, month: date) -> dict[str, float | None]:
    """Every metric of ``month``, in METRIC_KEYS order."""
    single = books.single(month)
    return {key: single[key] if key in single else _MULTI[key](books, month) for key in METRIC_KEYS}


class _Series(Mapping[str, list[tuple[date, float | None]]]):
    """Each metric per month, ascending, computed the first time it is read.

    A mapping of every metric key like a dict; computing on demand matters because the daily
    insight needs the latest month of every metric but the series of only a few (the evidence
    of the recommendations that apply): computing all 30 for every month was most of its cost.
    """

    __slots__ = ("_books", "_computed")

    def __init__(self, books: _Books) -> None:
        self._books = books
        self._computed: dict[str, list[tuple[date, float | None]]] = {}

    def __getitem__(self, key: str) -> list[tuple[date, float | None]]:
        points = self._computed.get(key)
        if points is None:
            if key not in _SINGLE and key not in _MULTI:
                raise KeyError(key)
            points = [(month, self._books.metric(month, key)) for month in self._books.months]
            self._computed[key] = points
        return points

    def __contains__(self, key: object) -> bool:
        return key in _SINGLE or key in _MULTI

    def __iter__(self) -> Iterator[str]:
        return iter(METRIC_KEYS)

    def __len__(self) -> int:
        return len(METRIC_KEYS)

    def __repr__(self) -> str:
        return repr(dict(self))


def _cash_flow_row(books: _Books, month: date) -> CashFlowRow:
    """Inflow, outflow and the balance change of one month; no row value is guessed."""
    period = books.by_month[month]
    inflow = period.revenue
    outflow = _add(period.cogs, period.operating_expenses)
    previous_balance = books.money(shift_month(month, -1), "cash_balance")
    return CashFlowRow(
        month=month,
        inflow=_float(inflow),
        outflow=_float(outflow),
        net=_float(_sub(inflow, outflow)),
        cash_balance=_float(period.cash_balance),
        cash_change=_float(_sub(period.cash_balance, previous_balance)),
    )


def compute_metrics(periods: Sequence[Period]) -> FinancialMetrics:
    """Compute every metric for every month; ``values`` are the latest month's.

    Input may be in any order; two periods for the same month raise ValueError. ``series`` is a
    mapping of every metric, each computed when first read (see ``_Series``).
    """
    books = _Books(periods)
    as_of = books.months[-1] if books.months else None
    values: dict[str, float | None] = (
        _month_metrics(books, as_of) if as_of is not None else dict.fromkeys(METRIC_KEYS)
    )
    values["months_of_data"] = float(len(books.months))
    cash_flow = [_cash_flow_row(books, month) for month in books.months]
    return FinancialMetrics(as_of=as_of, values=values, series=_Series(books), cash_flow=cash_flow)
