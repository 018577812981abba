"""Numbers as the tenant reads them: money in their currency, percentages, days and months.

Rounding is half-up on the decimal value a person sees (2.5 -> 3), not Python's banker's rounding,
so "$12,500" in a recommendation matches what the owner gets with a calculator.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal, localcontext

from coach.catalog.base import METRICS
from coach.vocabulary import DAYS_PER_MONTH

# Currencies written with a symbol in front; any other ISO code is written after the amount.
_SYMBOLS = {
    "USD": "$",
    "EUR": "€",
    "GBP": "£",
    "INR": "₹",
    "JPY": "¥",
    "CNY": "CN¥",
    "KRW": "₩",
    "AUD": "A$",
    "CAD": "CA$",
    "NZD": "NZ$",
    "HKD": "HK$",
    "SGD": "S$",
    "MXN": "MX$",
    "BRL": "R$",
    "ILS": "₪",
    "NGN": "₦",
    "PHP": "₱",
}
_DEFAULT_CURRENCY = "USD"
NOT_AVAILABLE = "not available"


def _rounded(value: float, decimals: int, *, percent: bool = False) -> Decimal:
    """Half-up rounding of the shortest decimal that prints as value (repr avoids float noise).

    ``percent`` moves the point two places in decimal, not by a float x 100, which can overflow
    and adds noise (0.145 x 100 is 14.499999999999998 as a float, 14.5 as a person reads it).
    """
    number = Decimal(repr(float(value)))
    if not number.is_finite():
        raise ValueError(f"cannot format {value!r}: not a finite number")
    if percent:  # exact: only the exponent moves (a float has at most 17 significant digits)
        number = number.scaleb(2)
    with localcontext() as exact:  # enough digits for any finite float, so quantize never fails
        exact.prec = max(28, number.adjusted() + decimals + 2)
        result = number.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return result.copy_abs() if result.is_zero() else result  # never "-0"


def _indian_grouping(whole: str) -> str:
    """12,50,000: the last three digits, then groups of two, as amounts are read in India."""
    if len(whole) <= 3:
        return whole
    head, tail = whole[:-3], whole[-3:]
    groups: list[str] = []
    while len(head) > 2:
        groups.insert(0, head[-2:])
        head = head[:-2]
    return ",".join([head, *groups, tail])


def _grouped(amount: Decimal, decimals: int, *, indian: bool = False) -> str:
    text = f"{amount:,.{decimals}f}"
    if indian:
        whole, _, fraction = f"{amount:.{decimals}f}".partition(".")
        text = _indian_grouping(whole) + (f".{fraction}" if fraction else "")
    return text


def _trimmed(value: Decimal, decimals: int) -> str:
    """One decimal when it says something: 23.5 stays, 40.0 becomes 40."""
    text = f"{value:.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def money(amount: float, currency: str = _DEFAULT_CURRENCY, *, decimals: int = 0) -> str:
    """$12,500 / -€1,200 / ₹12,50,000 / 12,500 CHF: whole units unless decimals are asked for."""
    code = (currency or _DEFAULT_CURRENCY).strip().upper()
    value = _rounded(amount, decimals)
    sign = "-" if value < 0 else ""
    digits = _grouped(abs(value), decimals, indian=code == "INR")
    symbol = _SYMBOLS.get(code)
    return f"{sign}{symbol}{digits}" if symbol else f"{sign}{digits} {code}"


def percent(fraction: float, *, decimals: int = 1, signed: bool = False) -> str:
    """0.235 -> "23.5%"; signed=True adds "+" to rises, for "revenue changed +4%"."""
    value = _rounded(fraction, decimals, percent=True)
    text = _trimmed(value, decimals)
    return f"+{text}%" if signed and value > 0 else f"{text}%"


def points(fraction_points: float, *, decimals: int = 1) -> str:
    """A change between two fractions: 0.042 -> "4.2 percentage points"."""
    value = _rounded(fraction_points, decimals, percent=True)
    unit = "percentage point" if abs(value) == 1 else "percentage points"
    return f"{_trimmed(value, decimals)} {unit}"


def days(value: float) -> str:
    """Whole days: 44.6 -> "45 days", 1 -> "1 day"."""
    whole = _rounded(value, 0)
    return f"{whole:,} day" if abs(whole) == 1 else f"{whole:,} days"


def months(value: float, *, decimals: int = 1) -> str:
    """0.64 -> "0.6 months", 1.0 -> "1 month"."""
    text = _trimmed(_rounded(value, decimals), decimals)
    return f"{text} month" if text in {"1", "-1"} else f"{text} months"


def years(value: float, *, decimals: int = 1) -> str:
    """1.5 -> "1.5 years", 1.0 -> "1 year"."""
    text = _trimmed(_rounded(value, decimals), decimals)
    return f"{text} year" if text in {"1", "-1"} else f"{text} years"


# Spans up to about two months read in days ("61 days"); beyond, in months ("9.2 months"), and
# from two years on, in years ("28.3 years"): nobody plans in thousands of days.
DAYS_UP_TO = 62
MONTHS_UP_TO = 24


def duration(days_count: float) -> str:
    """A span of time given in days, as a person says it: "61 days", "9.2 months", "28.3 years"."""
    return span_of_months(days_count / DAYS_PER_MONTH)


def span_of_months(months_count: float) -> str:
    """A span of time given in months (the average month), as ``duration`` says it."""
    if abs(months_count) * DAYS_PER_MONTH <= DAYS_UP_TO:
        return days(months_count * DAYS_PER_MONTH)
    if abs(months_count) < MONTHS_UP_TO:
        return months(months_count)
    return years(months_count / 12)


def month_count(value: float) -> str:
    """A whole number of months: "1 month", "24 months"."""
    whole = _rounded(value, 0)
    return f"{whole:,} month" if abs(whole) == 1 else f"{whole:,} months"


# The acronyms a card or an explanation may use, each with its words, given on first use beside
# a sentence that already says what it measures ("customers take 39 days to pay (DSO, days sales
# outstanding)").
ACRONYMS = {
    "DSO": "days sales outstanding",
    "DPO": "days payable outstanding",
    "DIO": "days inventory outstanding",
    "COGS": "cost of goods sold",
}


def acronym(short: str) -> str:
    """ "DSO, days sales outstanding": an acronym with its words, for its first use."""
    return f"{short}, {ACRONYMS[short]}"


def score(value: float) -> str:
    """A 0-100 score, one decimal only when it has one: 80, 72.5."""
    return _trimmed(_rounded(value, 1), 1)


def number(value: float, *, decimals: int = 0) -> str:
    """A plain grouped number, for counts."""
    return _grouped(_rounded(value, decimals), decimals)


def format_metric(key: str, value: float | None, currency: str = _DEFAULT_CURRENCY) -> str:
    """Any catalog metric as its card shows it; unknown values say so instead of showing 0."""
    if value is None:
        return NOT_AVAILABLE
    kind = METRICS.get(key, "count")
    if kind == "money":
        return money(value, currency)
    if kind == "fraction":
        return percent(value)
    if kind == "points":
        return points(value)
    if kind == "days":
        return days(value)
    if kind == "months":
        return months(value)
    return number(value)


def calendar_date(day: date) -> str:
    """A date as a sentence says it: "3 March 2027" (no leading zero, the month in words)."""
    return f"{day.day} {day:%B %Y}"
