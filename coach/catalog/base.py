"""The building blocks of the recommendation catalog: plain data in, plain data out.

Nothing here knows about Django or the database, so the catalog is tested without either and the
daily insight, the details view and the chat can all reuse it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import Decimal
from types import MappingProxyType
from typing import Any, Literal

from coach.industry import Norms, norms_for
from coach.vocabulary import Category, Priority, Stage

CATEGORIES: tuple[Category, ...] = tuple(Category)

MetricKind = Literal["money", "fraction", "points", "days", "months", "count"]

# Every metric the catalog may read, with how a person reads it (see formatting.format_metric).
# Fractions: 0.25 = 25%; "points" are fraction points (a margin change of -0.03 = 3 points down).
METRICS: Mapping[str, MetricKind] = MappingProxyType(
    {
        "revenue": "money",
        "cogs": "money",
        "gross_profit": "money",
        "operating_expenses": "money",
        "payroll": "money",
        "net_income": "money",
        "cash_balance": "money",
        "accounts_receivable": "money",
        "accounts_payable": "money",
        "inventory_value": "money",
        "gross_margin": "fraction",
        "net_margin": "fraction",
        "operating_expense_ratio": "fraction",
        "payroll_ratio": "fraction",
        "revenue_growth_mom": "fraction",
        "revenue_growth_yoy": "fraction",
        "revenue_growth_3m": "fraction",
        "opex_growth_3m": "fraction",
        "inventory_growth_3m": "fraction",
        "gross_margin_change_3m": "points",
        "revenue_volatility": "fraction",
        "dso": "days",
        "dpo": "days",
        "dio": "days",
        "cash_conversion_cycle": "days",
        "dso_change_3m": "days",
        "net_burn": "money",
        "runway_days": "days",
        "cash_months_of_expenses": "months",
        "cash_change_3m": "money",
        "revenue_3m": "money",
        "revenue_3m_yoy": "fraction",
        "revenue_growth_12m": "fraction",
        "revenue_mom_last_year": "fraction",
        "revenue_trend": "fraction",
        "gross_margin_drift": "points",
        "trend_months": "count",
        "dso_change_12m": "days",
        "profitable_streak": "count",
        "loss_months_24m": "count",
        "months_with_revenue": "count",
        "net_income_12m": "money",
        "net_income_year_ago": "money",
        "payroll_ratio_12m": "fraction",
        "inventory_growth_yoy": "fraction",
        "months_of_data": "count",
    }
)

# What callers hand in: None means unknown, never zero.
Values = Mapping[str, float | None]
# What templates see: only the metrics that are known, as finite floats.
Known = Mapping[str, float]
Series = Mapping[str, Sequence[tuple[date, float | None]]]
CashFlowRows = Sequence[Mapping[str, Any]]

# Each priority owns a 20-point slice of the 0-100 score (low 20-40 ... critical 80-100);
# severity places a candidate inside it.
PRIORITY_SLICE = 20.0


def ramp(value: float, start: float, end: float) -> float:
    """How far value has gone from start towards end, clamped to 0..1 (either direction)."""
    if start == end:
        return 1.0
    return min(1.0, max(0.0, (value - start) / (end - start)))


def scored(priority: Priority, severity: float) -> tuple[Priority, float]:
    """A priority and a score inside its band, so a score never contradicts its priority."""
    floor = PRIORITY_SLICE * (priority.rank + 1)
    return priority, round(floor + PRIORITY_SLICE * min(1.0, max(0.0, severity)), 1)


def known_values(values: Values) -> dict[str, float]:
    """Keep the finite numbers only: None, NaN and infinities all mean "we don't know"."""
    known: dict[str, float] = {}
    for key, value in values.items():
        number = as_number(value)
        if number is not None:
            known[key] = number
    return known


_NUMBER_TYPES = (int, float, Decimal)


def as_number(value: object) -> float | None:
    """A finite float, or None for anything that is not a usable number (bools included)."""
    if type(value) is float:  # the common case, first: called for every point of the evidence
        return value if math.isfinite(value) else None
    if isinstance(value, bool) or not isinstance(value, _NUMBER_TYPES):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


@dataclass(frozen=True)
class SuggestedAction:
    """A task a recommendation proposes; it becomes a task of the action plan."""

    title: str
    days_from_start: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class TemplateContext:
    """What the templates need to know about the tenant besides its metrics: its currency, its
    trade (whose norms set the thresholds), its stage (which frames the advice) and the cash it
    wants to keep (``cash_buffer``; None means one month of costs)."""

    currency: str = "USD"
    tenant_name: str = ""
    industry: str = "other"
    stage: Stage | None = None
    cash_buffer: float | None = None

    @property
    def norms(self) -> Norms:
        return norms_for(self.industry)


# One definition of runway and one of cash cover, said in the words a card uses wherever either
# appears, and how they differ when both do.
RUNWAY_MEANS = "how long your cash lasts at the average fall in cash of the last three months"
COVER_MEANS = "how long your cash would pay all your costs if no money came in"
RUNWAY_VS_COVER = "Runway counts the money still coming in from sales; cash cover leaves it out."


def seasonal_loss(v: Known) -> bool:
    """This month's loss is the season: the last twelve months made a profit and the same month
    last year also made a loss (an ice-cream parlour in winter, a ski shop in summer)."""
    year = v.get("net_income_12m")
    year_ago = v.get("net_income_year_ago")
    return year is not None and year > 0 and year_ago is not None and year_ago < 0


# What a template's render gives: a title, a body and, when the text states a figure it computed
# (cash a shorter collection time would free, a break-even revenue), those figures by name, so
# every number in the text is traceable (they are stored with the candidate's figures).
Rendered = tuple[str, str] | tuple[str, str, Mapping[str, float]]


@dataclass(frozen=True)
class Template:
    """One piece of advice: when it applies, how urgent it is, and what it says.

    The registry only calls applies/priority/render when every metric in `requires` is known, and
    passes the known metrics only, so a template never speaks about numbers it does not have. Each
    also gets the tenant's context, whose norms set the thresholds that depend on the trade.
    """

    key: str
    category: Category
    title: str
    description: str
    requires: tuple[str, ...]
    applies: Callable[[Known, TemplateContext], bool]
    priority: Callable[[Known, TemplateContext], tuple[Priority, float]]
    render: Callable[[Known, TemplateContext], Rendered]
    actions: tuple[SuggestedAction, ...]
    questions: tuple[str, ...]
    evidence_metrics: tuple[str, ...]
    key_metrics: tuple[str, str, str, str]

    def __post_init__(self) -> None:
        # A misspelt category fails at import, not in the database or the console.
        object.__setattr__(self, "category", Category(self.category))

    def missing(self, known: Known) -> tuple[str, ...]:
        """The required metrics that are unknown; the template is silent while any is."""
        return tuple(key for key in self.requires if key not in known)


@dataclass(frozen=True)
class Candidate:
    """A template that applied, with its words and the evidence it was computed from."""

    template_key: str
    category: str
    priority: Priority
    score: float
    title: str
    body: str
    figures: dict[str, float | None] = field(default_factory=dict)
    series: dict[str, list[list[Any]]] = field(default_factory=dict)
    cash_flow: list[dict[str, Any]] = field(default_factory=list)
    actions: list[dict[str, Any]] = field(default_factory=list)
    questions: list[str] = field(default_factory=list)
    key_metrics: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        # Accept the stored string form too ("critical"), so candidates can be rebuilt from JSON.
        object.__setattr__(self, "priority", Priority(self.priority))

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly form, as stored on the recommendation."""
        data = asdict(self)
        data["priority"] = self.priority.value
        return data
