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

from coach.vocabulary import Category, Priority

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
    """What rendering needs to know about the tenant."""

    currency: str = "USD"
    tenant_name: str = ""


@dataclass(frozen=True)
class Template:
    """One piece of advice: when it applies, how urgent it is, and what it says.

    The registry only calls applies/priority/render when every metric in `requires` is known, and
    passes the known metrics only, so a template never speaks about numbers it does not have.
    """

    key: str
    category: Category
    title: str
    description: str
    requires: tuple[str, ...]
    applies: Callable[[Known], bool]
    priority: Callable[[Known], tuple[Priority, float]]
    render: Callable[[Known, TemplateContext], tuple[str, str]]
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
