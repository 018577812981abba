"""The words the apps share, each defined once: priorities, categories, score bands, the month.

The catalog, the engine, the models, the serializers, the admin, the health score (``insights``
imports this; ``coach`` is below it) and the web console (through ``GET /v1/coach/vocabulary/``)
all read these, so no second spelling can drift. The enums are string enums with a label that
offer what Django's ``TextChoices`` offers on the class (``choices``, ``values``, ``labels``), so
model fields, filters and serializers take their choices from the very enum the catalog uses,
and the pure catalog and scoring still import nothing of Django's ORM.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import EnumType, StrEnum
from types import MappingProxyType
from typing import Any, cast


class _ChoicesType(EnumType):
    """Class-level ``choices``, ``values`` and ``labels``, as on Django's TextChoices."""

    def _members(cls) -> list[Choices]:
        return cast("list[Choices]", list(cls.__members__.values()))

    @property
    def choices(cls) -> list[tuple[str, str]]:
        return [(member.value, member.label) for member in cls._members()]

    @property
    def values(cls) -> list[str]:
        return [member.value for member in cls._members()]

    @property
    def labels(cls) -> list[str]:
        return [member.label for member in cls._members()]


class Choices(StrEnum, metaclass=_ChoicesType):
    """A string enum whose label is its value in words: ``cash_flow`` reads "Cash flow"."""

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


# The average month of the Gregorian calendar's four-year cycle (365.25 / 12 = 30.4375 days),
# for every conversion between a monthly amount and days when no particular month is meant:
# runway from a monthly burn, a daily cost from a monthly one, days of cover from months.
# DSO, DPO and DIO are computed per month with that month's actual days (insights.metrics).
DAYS_PER_MONTH = 365.25 / 12


class Priority(Choices):
    """How urgent a recommendation or a plan is; declared most urgent first."""

    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"

    @property
    def rank(self) -> int:
        """Higher is more urgent (critical 3 ... low 0), so priorities compare without strings."""
        return _PRIORITY_RANKS[self]


_PRIORITY_RANKS: Mapping[Priority, int] = MappingProxyType(
    {priority: len(Priority) - 1 - index for index, priority in enumerate(Priority)}
)


class Category(Choices):
    """What a recommendation is about; the health score's components are four of these."""

    CASH_FLOW = "cash_flow"
    INVENTORY = "inventory"
    REVENUE = "revenue"
    PROFITABILITY = "profitability"
    OPERATIONS = "operations"
    GROWTH = "growth"


class Stage(Choices):
    """Where a business is in its life, read from its books (coach.stage): it frames the advice.
    What each stage means, in words, is the glossary's (``stage_<value>``, coach.glossary)."""

    PRE_REVENUE = "pre_revenue"
    EARLY = "early"
    GROWING = "growing"
    ESTABLISHED = "established"
    DECLINING = "declining"

    @property
    def label(self) -> str:
        return "Pre-revenue" if self is Stage.PRE_REVENUE else super().label


class Band(Choices):
    """How healthy an overall health score is; declared from the lowest scores up."""

    CRITICAL = "critical"
    WEAK = "weak"
    FAIR = "fair"
    STRONG = "strong"


# The lowest score of each band: a score belongs to the highest band whose floor it reaches.
BAND_FLOORS: Mapping[Band, int] = MappingProxyType(
    {Band.CRITICAL: 0, Band.WEAK: 40, Band.FAIR: 60, Band.STRONG: 75}
)
if list(BAND_FLOORS) != list(Band) or sorted(BAND_FLOORS.values()) != list(BAND_FLOORS.values()):
    raise RuntimeError("every band needs one floor, in ascending order")


def band_for(score: float | None) -> Band | None:
    """The band an overall score (0-100) falls in; None when there is no score."""
    if score is None:
        return None
    found = Band.CRITICAL
    for band, floor in BAND_FLOORS.items():
        if score >= floor:
            found = band
    return found


def band_range(band: Band) -> tuple[int, int | None]:
    """The scores of a band: from its floor (included) to the next band's floor (excluded)."""
    bands = list(Band)
    index = bands.index(band)
    upper = BAND_FLOORS[bands[index + 1]] if index + 1 < len(bands) else None
    return BAND_FLOORS[band], upper


def band_description(band: Band) -> str:
    """'weak (40-60)', 'strong (75+)': a band with its scores, for filters and legends."""
    low, high = band_range(band)
    if high is None:
        return f"{band.value} ({low}+)"
    if low <= 0:
        return f"{band.value} (< {high})"
    return f"{band.value} ({low}-{high})"


def vocabulary_listing() -> dict[str, Any]:
    """What ``GET /v1/coach/vocabulary/`` answers, so the console re-spells none of it."""
    return {
        "priorities": [{"value": p.value, "label": p.label, "rank": p.rank} for p in Priority],
        "categories": [{"value": c.value, "label": c.label} for c in Category],
        "bands": [
            {"value": b.value, "label": b.label, "min": low, "below": high}
            for b in Band
            for low, high in [band_range(b)]
        ],
        "days_per_month": DAYS_PER_MONTH,
    }
