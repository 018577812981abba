"""Financial health score: four weighted components, each 0-100 from documented threshold tables.

Pure functions over the metric values of ``insights.metrics`` (no Django). A component is made of
factors; each factor scores one input through a piecewise-linear table. Missing inputs are never
taken as zero: a factor without data is left out and the others of its component carry its
weight; a component without any scorable factor is "insufficient_data" and the other components'
weights are renormalized. See docs/health-score.md.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from coach.catalog import formatting
from coach.catalog.base import COVER_MEANS, METRICS, RUNWAY_MEANS
from coach.industry import Norms, norms_for
from coach.vocabulary import BAND_FLOORS, Band, Category, band_for

Table = tuple[tuple[float, float], ...]  # (input, score) points, inputs ascending

# --- weights ------------------------------------------------------------------------------------

# Cash is what kills small businesses first, so it weighs most; profitability weighs least
# because a young business may rightly run at a loss while cash and revenue are healthy.
# The components are the recommendation categories of the same name (coach.vocabulary).
COMPONENT_WEIGHTS: dict[str, float] = {
    Category.CASH_FLOW: 0.35,
    Category.OPERATIONS: 0.25,
    Category.REVENUE: 0.25,
    Category.PROFITABILITY: 0.15,
}
# As they read inside a sentence: the category's label, lower-cased ("cash flow").
COMPONENT_LABELS: dict[str, str] = {key: Category(key).label.lower() for key in COMPONENT_WEIGHTS}

# Within cash flow: how long the cash lasts matters more than the size of the buffer.
RUNWAY_WEIGHT = 0.7
CASH_BUFFER_WEIGHT = 0.3
# Within operations: collecting cash and spending lean count the same.
DSO_WEIGHT = 0.5
OPEX_RATIO_WEIGHT = 0.5
# Within revenue: the recent trend counts more than the year-ago comparison.
REVENUE_TREND_WEIGHT = 0.6
REVENUE_YOY_WEIGHT = 0.4
NET_MARGIN_WEIGHT = 1.0

# --- threshold tables (piecewise-linear between points, flat beyond the ends) -------------------

# Runway in days: a year or more is safe (and not burning counts as 100); under a month is an
# emergency; each step down roughly halves the time left to raise money or cut costs.
RUNWAY_TABLE: Table = ((0, 0), (30, 20), (60, 40), (90, 60), (180, 80), (365, 100))
# Cash as months of total expenses (COGS + opex): 3-6 months is the usual reserve advice.
CASH_BUFFER_TABLE: Table = ((0, 0), (1, 40), (2, 60), (3, 80), (6, 100))
# DSO in days: net-30 terms paid on time is best; at 90 days customers finance the business.
DSO_TABLE: Table = ((30, 100), (45, 80), (60, 55), (75, 30), (90, 0))
# Operating expenses / revenue: under 30% is lean; at 100% opex alone eats all revenue.
OPEX_RATIO_TABLE: Table = ((0.30, 100), (0.45, 75), (0.60, 50), (0.80, 20), (1.00, 0))
# Revenue of the last 3 months vs the 3 before: flat is fair (55), +20% a quarter is excellent,
# -20% a quarter is a collapse.
REVENUE_GROWTH_3M_TABLE: Table = (
    (-0.20, 0),
    (-0.10, 25),
    (0.0, 55),
    (0.05, 75),
    (0.10, 90),
    (0.20, 100),
)
# Month-over-month growth, only a fallback when 3 months of comparison are missing; one month
# moves less than a quarter, so the scale is tighter.
REVENUE_GROWTH_MOM_TABLE: Table = ((-0.15, 0), (-0.05, 30), (0.0, 55), (0.03, 75), (0.08, 100))
# Year-over-year growth (seasonality removed): +25% is strong growth, -25% a shrinking business.
REVENUE_GROWTH_YOY_TABLE: Table = ((-0.25, 0), (-0.10, 30), (0.0, 55), (0.10, 80), (0.25, 100))
# Net margin: 15%+ is a healthy small business, break-even is 40, losing 20% of revenue is 0.
NET_MARGIN_TABLE: Table = ((-0.20, 0), (0.0, 40), (0.05, 60), (0.10, 80), (0.15, 100))

# The DSO and operating-expense tables above are those of a business whose customers pay in 30
# days and whose running costs are 30% of revenue ("other"); for another trade they move by the
# difference of its typical value (coach.industry), so a builder paid in 60 days, the norm of its
# trade, scores as a shop paid in 30 did.
DSO_TABLE_TYPICAL = 30.0
OPEX_TABLE_TYPICAL = 0.30

# Whatever the burn, cash that covers only days of costs is not a strong position: the cash
# component is capped by the cover (cash / monthly costs) on this table, and under a month of
# cover the overall score stays below "strong".
COVER_CAP_TABLE: Table = ((0, 15), (0.25, 35), (0.5, 55), (1.0, 74.9), (1.5, 100))
STRONG_MIN_COVER_MONTHS = 1.0

# Overall score bands (critical < 40 <= weak < 60 <= fair < 75 <= strong) and ``band_for`` are
# coach.vocabulary's, so the admin, the API and the console read the same ones.

# The inputs each component reads, in the order they are reported.
COMPONENT_INPUTS: dict[str, tuple[str, ...]] = {
    "cash_flow": ("runway_days", "net_burn", "cash_months_of_expenses"),
    "operations": ("dso", "operating_expense_ratio"),
    "revenue": ("revenue_growth_3m", "revenue_growth_mom", "revenue_growth_yoy"),
    "profitability": ("net_margin",),
}

# How each input reads in a sentence: label and value format.
INPUT_LABELS: dict[str, str] = {
    "runway_days": "runway",
    "net_burn": "net burn",
    "cash_months_of_expenses": "cash cover",
    "dso": "days to collect",
    "operating_expense_ratio": "the share of revenue spent on running costs",
    "revenue_growth_3m": "three-month revenue growth",
    "revenue_growth_mom": "month-over-month revenue growth",
    "revenue_growth_yoy": "year-over-year revenue growth",
    "net_margin": "net margin",
}

# What a person is told when an input is missing: what it needs, never the input's key.
MISSING_PHRASES: dict[str, str] = {
    "runway_days": "runway (needs four months of cash balances in a row)",
    "net_burn": "runway (needs four months of cash balances in a row)",
    "cash_months_of_expenses": "cash cover (needs this month's cash, cost of goods and expenses)",
    "dso": "days to collect (needs this month's receivables and revenue)",
    "operating_expense_ratio": "running costs (needs this month's expenses and revenue)",
    "revenue_growth_3m": "the three-month trend (needs six months of revenue in a row)",
    "revenue_growth_mom": "the change on last month (needs last month's revenue)",
    "revenue_growth_yoy": "the change on last year (not enough months of books to compare with "
    "last year)",
    "net_margin": "net margin (needs this month's net income and revenue)",
}


def missing_phrase(keys: Sequence[str]) -> str:
    """The missing inputs in words, each reason once: "runway (needs ...) and net margin (...)"."""
    return _join(list(dict.fromkeys(MISSING_PHRASES.get(key, key) for key in keys)))


def _shifted(table: Table, by: float) -> Table:
    return tuple((x + by, y) for x, y in table)


def dso_table(norms: Norms) -> Table:
    """The DSO table of a trade: the 30-day table moved to the trade's typical days."""
    return _shifted(DSO_TABLE, norms.dso_typical - DSO_TABLE_TYPICAL)


def opex_ratio_table(norms: Norms) -> Table:
    """The operating-expense table of a trade, moved to its typical share of revenue."""
    return _shifted(OPEX_RATIO_TABLE, norms.opex_ratio_typical - OPEX_TABLE_TYPICAL)


def interpolate(x: float, table: Table) -> float:
    """Piecewise-linear score of ``x`` on ``table``, flat beyond its ends, clamped to 0-100."""
    if x <= table[0][0]:
        score = table[0][1]
    elif x >= table[-1][0]:
        score = table[-1][1]
    else:
        score = table[-1][1]
        for (x0, y0), (x1, y1) in itertools.pairwise(table):
            if x <= x1:
                score = y0 + (y1 - y0) * (x - x0) / (x1 - x0)
                break
    return min(100.0, max(0.0, float(score)))


# --- formatting ---------------------------------------------------------------------------------
# Every number in a sentence is written by coach.catalog.formatting, as the recommendation cards
# write it (half-up rounding, "5%" not "5.0%", "1 day").


def _money(value: float, currency: str | None) -> str:
    """With the tenant's currency when the caller gave it; a grouped number otherwise."""
    return formatting.number(value) if currency is None else formatting.money(value, currency)


def _pct(value: float) -> str:
    return formatting.percent(value)


def _days(value: float) -> str:
    return formatting.days(value)


def _months(value: float) -> str:
    return formatting.months(value)


def _points(value: float) -> str:
    """A score without a trailing .0 (80, 72.5)."""
    return formatting.score(value)


def _fmt(key: str, value: float, currency: str | None = None) -> str:
    """A metric as its card writes it: money in the tenant's currency, long spans in months."""
    kind = METRICS.get(key, "money")
    if kind == "money":
        return _money(value, currency)
    if kind == "days":
        return formatting.duration(value)
    return formatting.format_metric(key, value)


# --- result types -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ComponentScore:
    """One component of the health score, with the inputs and the reason for its number."""

    key: str  # "cash_flow" | "operations" | "revenue" | "profitability"
    weight: float  # nominal weight (0.35 ...)
    effective_weight: float  # after renormalization (0 when insufficient)
    score: float | None
    status: str  # "ok" | "partial" | "insufficient_data"
    inputs: dict[str, float | None]
    missing: list[str]
    explanation: str  # one sentence why, with the numbers
    # Factor sub-scores and their weights inside the component (keyed by the input scored), kept
    # so that explain_change can attribute a change to the input that moved.
    subscores: dict[str, float] = field(default_factory=dict)
    subweights: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly form."""
        return {
            "key": self.key,
            "weight": self.weight,
            "effective_weight": self.effective_weight,
            "score": self.score,
            "status": self.status,
            "inputs": dict(self.inputs),
            "missing": list(self.missing),
            "explanation": self.explanation,
            "subscores": dict(self.subscores),
            "subweights": dict(self.subweights),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ComponentScore:
        """Inverse of ``to_dict``."""
        return cls(
            key=data["key"],
            weight=data["weight"],
            effective_weight=data["effective_weight"],
            score=data["score"],
            status=data["status"],
            inputs=dict(data.get("inputs", {})),
            missing=list(data.get("missing", [])),
            explanation=data.get("explanation", ""),
            subscores=dict(data.get("subscores", {})),
            subweights=dict(data.get("subweights", {})),
        )


@dataclass(frozen=True)
class HealthScore:
    """The overall health score, its band and its components."""

    overall: float | None  # weighted sum, rounded to 1 decimal
    band: Band | None  # coach.vocabulary.Band: critical (<40) | weak (<60) | fair (<75) | strong
    components: list[ComponentScore]
    insufficient: list[str]  # component keys without data
    summary: str  # one sentence; says what data is missing and which weights were renormalized

    def component(self, key: str) -> ComponentScore | None:
        """The component with ``key``, if present."""
        return next((c for c in self.components if c.key == key), None)

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly form, for a JSONField."""
        return {
            "overall": self.overall,
            "band": self.band,
            "components": [c.to_dict() for c in self.components],
            "insufficient": list(self.insufficient),
            "summary": self.summary,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> HealthScore:
        """Inverse of ``to_dict``: yesterday's stored score, to compare with today's."""
        return cls(
            overall=data["overall"],
            band=Band(data["band"]) if data["band"] else None,
            components=[ComponentScore.from_dict(c) for c in data.get("components", [])],
            insufficient=list(data.get("insufficient", [])),
            summary=data.get("summary", ""),
        )


# --- factors ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Factor:
    """One input scored on a table: ``key`` is the input actually used, ``phrase`` says it."""

    key: str
    weight: float
    score: float | None
    missing: tuple[str, ...] = ()
    phrase: str = ""


def _table_factor(
    values: Mapping[str, float | None],
    key: str,
    weight: float,
    table: Table,
    phrase: Callable[[float], str],
) -> _Factor:
    """Score ``values[key]`` on ``table``; a missing value is a missing factor, not a zero."""
    value = values.get(key)
    if value is None:
        return _Factor(key, weight, None, missing=(key,))
    return _Factor(key, weight, interpolate(value, table), phrase=phrase(value))


def _runway_factor(values: Mapping[str, float | None], currency: str | None) -> _Factor:
    """Runway when burning; a business that is not burning cash gets the best runway score."""
    burn = values.get("net_burn")
    runway = values.get("runway_days")
    if burn is not None and burn <= 0:
        if burn < 0:
            phrase = f"cash growing by {_money(-burn, currency)}/month on average"
        else:
            phrase = "cash holding steady"
        return _Factor("runway_days", RUNWAY_WEIGHT, 100.0, phrase=phrase)
    if runway is None:
        missing = ("runway_days",) if burn is not None else ("runway_days", "net_burn")
        return _Factor("runway_days", RUNWAY_WEIGHT, None, missing=missing)
    phrase = f"a runway of {formatting.duration(runway)} ({RUNWAY_MEANS})"
    if burn is not None:
        phrase += f" at a net burn of {_money(burn, currency)}/month"
    return _Factor("runway_days", RUNWAY_WEIGHT, interpolate(runway, RUNWAY_TABLE), phrase=phrase)


def _revenue_trend_factor(values: Mapping[str, float | None]) -> _Factor:
    """3-month growth, falling back to month-over-month growth for a short history."""
    growth_3m = values.get("revenue_growth_3m")
    if growth_3m is not None:
        return _Factor(
            "revenue_growth_3m",
            REVENUE_TREND_WEIGHT,
            interpolate(growth_3m, REVENUE_GROWTH_3M_TABLE),
            phrase=f"revenue {_signed_pct(growth_3m)} over the last three months",
        )
    growth_mom = values.get("revenue_growth_mom")
    if growth_mom is None:
        return _Factor(
            "revenue_growth_3m",
            REVENUE_TREND_WEIGHT,
            None,
            missing=("revenue_growth_3m", "revenue_growth_mom"),
        )
    return _Factor(
        "revenue_growth_mom",
        REVENUE_TREND_WEIGHT,
        interpolate(growth_mom, REVENUE_GROWTH_MOM_TABLE),
        missing=("revenue_growth_3m",),
        phrase=f"revenue {_signed_pct(growth_mom)} month over month",
    )


def _signed_pct(value: float) -> str:
    return f"{'up' if value >= 0 else 'down'} {_pct(abs(value))}"


def _cover(value: float) -> str:
    """Cash cover as a span: "5 days", "1.5 months"."""
    return formatting.span_of_months(value)


def _factors(
    key: str,
    values: Mapping[str, float | None],
    currency: str | None = None,
    norms: Norms | None = None,
) -> list[_Factor]:
    """The factors of one component."""
    norms = norms or norms_for(None)
    if key == "cash_flow":
        return [
            _runway_factor(values, currency),
            _table_factor(
                values,
                "cash_months_of_expenses",
                CASH_BUFFER_WEIGHT,
                CASH_BUFFER_TABLE,
                lambda v: f"cash covering {_cover(v)} of costs (cash cover: {COVER_MEANS})",
            ),
        ]
    if key == "operations":
        return [
            _table_factor(
                values,
                "dso",
                DSO_WEIGHT,
                dso_table(norms),
                lambda v: f"customers taking {_days(v)} to pay ({formatting.acronym('DSO')})",
            ),
            _table_factor(
                values,
                "operating_expense_ratio",
                OPEX_RATIO_WEIGHT,
                opex_ratio_table(norms),
                lambda v: f"operating expenses at {_pct(v)} of revenue",
            ),
        ]
    if key == "revenue":
        return [
            _revenue_trend_factor(values),
            _table_factor(
                values,
                "revenue_growth_yoy",
                REVENUE_YOY_WEIGHT,
                REVENUE_GROWTH_YOY_TABLE,
                lambda v: f"revenue {_signed_pct(v)} year over year",
            ),
        ]
    if key == "profitability":
        return [
            _table_factor(
                values,
                "net_margin",
                NET_MARGIN_WEIGHT,
                NET_MARGIN_TABLE,
                lambda v: f"net margin of {_pct(v)}",
            )
        ]
    raise ValueError(f"Unknown component {key!r}")


# --- scoring ------------------------------------------------------------------------------------


def _clean(key: str, value: Any) -> float | None:
    """A finite float or None: NaN and infinities are treated as missing (and stay JSON-safe)."""
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise TypeError(f"Metric {key!r} must be a number or None, got {value!r}") from None
    return number if math.isfinite(number) else None


def _join(phrases: Sequence[str]) -> str:
    return phrases[0] if len(phrases) == 1 else ", ".join(phrases[:-1]) + " and " + phrases[-1]


def _score_component(
    key: str,
    values: Mapping[str, float | None],
    currency: str | None = None,
    norms: Norms | None = None,
) -> ComponentScore:
    """Score one component from its factors; effective_weight is filled in by score_health."""
    inputs = {name: _clean(name, values.get(name)) for name in COMPONENT_INPUTS[key]}
    factors = _factors(key, inputs, currency, norms)
    scored = [f for f in factors if f.score is not None]
    missing = [name for f in factors for name in f.missing]
    label = COMPONENT_LABELS[key]
    if not scored:
        return ComponentScore(
            key=key,
            weight=COMPONENT_WEIGHTS[key],
            effective_weight=0.0,
            score=None,
            status="insufficient_data",
            inputs=inputs,
            missing=missing,
            explanation=f"Not enough data to score {label}: {missing_phrase(missing)}.",
        )
    total_weight = sum(f.weight for f in scored)
    subweights = {f.key: (f.weight / total_weight if f.score is not None else 0.0) for f in factors}
    raw = sum(subweights[f.key] * f.score for f in scored if f.score is not None)
    score = round(min(100.0, max(0.0, raw)), 1)
    verb = "scores" if len(scored) == 1 else "score"
    explanation = f"{_join([f.phrase for f in scored])} {verb} {_points(score)}"
    cover = inputs.get("cash_months_of_expenses")
    if key == "cash_flow" and cover is not None:
        cap = round(interpolate(cover, COVER_CAP_TABLE), 1)
        if score > cap:
            score = cap
            explanation += (
                f", held to {_points(cap)} because cash covers only {_cover(cover)} of costs"
            )
    explanation = explanation[0].upper() + explanation[1:]
    if missing:
        explanation += f"; not scored for lack of data: {missing_phrase(missing)}"
    return ComponentScore(
        key=key,
        weight=COMPONENT_WEIGHTS[key],
        effective_weight=0.0,
        score=score,
        status="partial" if missing else "ok",
        inputs=inputs,
        missing=missing,
        explanation=explanation + ".",
        subscores={f.key: round(f.score, 4) for f in scored if f.score is not None},
        subweights=subweights,
    )


def _summary(overall: float | None, band: str | None, components: Sequence[ComponentScore]) -> str:
    """One sentence: the score, what lacks data and how the weights were renormalized."""
    insufficient = [c for c in components if c.status == "insufficient_data"]
    partial = [c for c in components if c.status == "partial"]
    if overall is None:
        labels = _join([COMPONENT_LABELS[c.key] for c in components])
        return f"Not enough data to score financial health: {labels} all lack data."
    sentence = f"Financial health is {band} at {_points(overall)} out of 100"
    if insufficient:
        lacking = _join([COMPONENT_LABELS[c.key] for c in insufficient])
        verb = "has" if len(insufficient) == 1 else "have"
        spread = _join(
            [
                f"{COMPONENT_LABELS[c.key]} {formatting.percent(c.effective_weight, decimals=0)}"
                for c in components
                if c.score is not None
            ]
        )
        sentence += f"; {lacking} {verb} no data, so the score weighs {spread}"
    if partial:
        gaps = missing_phrase([name for c in partial for name in c.missing])
        sentence += f"; scored without {gaps}"
    return sentence + "."


def score_health(
    values: Mapping[str, float | None],
    *,
    currency: str | None = None,
    industry: str | None = None,
) -> HealthScore:
    """Score financial health from the latest metric values (``FinancialMetrics.values``).

    ``currency`` (the tenant's ISO code) writes money in the explanations as the recommendation
    cards do ("$12,000"); without it money is a grouped number ("12,000"). ``industry`` moves the
    days-to-collect and running-cost tables to the trade's norms (coach.industry).
    """
    norms = norms_for(industry)
    components = [_score_component(key, values, currency, norms) for key in COMPONENT_WEIGHTS]
    available = sum(c.weight for c in components if c.score is not None)
    if available > 0:
        components = [
            replace(c, effective_weight=c.weight / available if c.score is not None else 0.0)
            for c in components
        ]
    insufficient = [c.key for c in components if c.score is None]
    overall: float | None = None
    held = ""
    if available > 0:
        raw = sum(c.effective_weight * c.score for c in components if c.score is not None)
        overall = round(min(100.0, max(0.0, raw)), 1)
        cover = _clean("cash_months_of_expenses", values.get("cash_months_of_expenses"))
        below_strong = BAND_FLOORS[Band.STRONG] - 0.1
        if cover is not None and cover < STRONG_MIN_COVER_MONTHS and overall > below_strong:
            overall = below_strong
            held = f"; held below strong because cash covers only {_cover(cover)} of costs"
    band = band_for(overall)
    summary = _summary(overall, band, components)
    if held:
        summary = summary[:-1] + held + "."
    return HealthScore(
        overall=overall,
        band=band,
        components=components,
        insufficient=insufficient,
        summary=summary,
    )


# --- change between two days -------------------------------------------------------------------


@dataclass(frozen=True)
class ComponentChange:
    """How one component moved, and how many overall points that moved."""

    key: str
    before: float | None
    after: float | None
    delta: float | None  # after - before; None when either day lacks the component's data
    # Points of the overall change due to this component: effective weight x score after minus
    # before (= effective weight x delta when the weights did not change).
    contribution: float

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly form."""
        return {
            "key": self.key,
            "before": self.before,
            "after": self.after,
            "delta": self.delta,
            "contribution": self.contribution,
        }


@dataclass(frozen=True)
class Driver:
    """An input that moved between the two days and the overall points it moved."""

    input: str
    component: str
    before: float | None
    after: float | None
    contribution: float  # signed points of the overall change attributed to this input
    description: str  # "runway dropped from 120 to 75 days"

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly form."""
        return {
            "input": self.input,
            "component": self.component,
            "before": self.before,
            "after": self.after,
            "contribution": self.contribution,
            "description": self.description,
        }


@dataclass(frozen=True)
class ScoreChange:
    """Today's score against yesterday's, with the inputs that drove the change."""

    before: float | None
    after: float | None
    delta: float | None  # None when either day has no overall score
    components: list[ComponentChange]
    drivers: list[Driver]  # the inputs that moved, the ones behind the change first
    sentence: str  # "Score fell 6.2 points, mostly because runway dropped from 120 to 75 days."

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly form, for a JSONField."""
        return {
            "before": self.before,
            "after": self.after,
            "delta": self.delta,
            "components": [c.to_dict() for c in self.components],
            "drivers": [d.to_dict() for d in self.drivers],
            "sentence": self.sentence,
        }


def _weighted(score: HealthScore | None, key: str) -> float:
    """Overall points a component contributes (0 without data)."""
    component = score.component(key) if score is not None else None
    if component is None or component.score is None:
        return 0.0
    return component.effective_weight * component.score


def _factor_points(component: ComponentScore | None, factor: str) -> float:
    """Overall points a factor contributes (0 without data)."""
    if component is None or factor not in component.subscores:
        return 0.0
    return (
        component.effective_weight
        * component.subweights.get(factor, 0.0)
        * component.subscores[factor]
    )


def _not_burning(inputs: Mapping[str, float | None]) -> bool:
    burn = inputs.get("net_burn")
    return inputs.get("runway_days") is None and burn is not None and burn <= 0


def _describe(
    key: str,
    before: float | None,
    after: float | None,
    before_inputs: Mapping[str, float | None],
    after_inputs: Mapping[str, float | None],
    currency: str | None = None,
) -> str:
    """Say how an input moved, e.g. "runway dropped from 120 to 75 days"."""
    label = INPUT_LABELS.get(key, key)
    if key == "runway_days":
        if after is not None and _not_burning(before_inputs):
            return f"cash started burning, leaving a runway of {formatting.duration(after)}"
        if before is not None and _not_burning(after_inputs):
            return f"cash stopped burning (runway was {formatting.duration(before)})"
    if before is None and after is not None:
        return f"{label} became available ({_fmt(key, after, currency)})"
    if after is None and before is not None:
        return f"{label} is no longer available (was {_fmt(key, before, currency)})"
    if before is None or after is None:
        return f"{label} is not available"
    verb = "rose" if after > before else "dropped"
    if METRICS.get(key) == "days" and max(before, after) <= formatting.DAYS_UP_TO:
        return f"{label} {verb} from {formatting.number(before)} to {_days(after)}"
    return f"{label} {verb} from {_fmt(key, before, currency)} to {_fmt(key, after, currency)}"


def explain_change(
    today: HealthScore, yesterday: HealthScore | None, *, currency: str | None = None
) -> ScoreChange:
    """Compare two days' scores and name the inputs that moved the overall score most.

    A driver's contribution is its factor's overall points today minus yesterday (effective
    weight x weight within the component x sub-score), so contributions add up to the change.
    ``currency`` writes money in the tenant's currency.
    """
    before = yesterday.overall if yesterday is not None else None
    after = today.overall
    delta = round(after - before, 1) if after is not None and before is not None else None
    keys = list(COMPONENT_WEIGHTS)
    components: list[ComponentChange] = []
    drivers: list[Driver] = []
    for key in keys:
        now = today.component(key)
        then = yesterday.component(key) if yesterday is not None else None
        score_now = now.score if now is not None else None
        score_then = then.score if then is not None else None
        components.append(
            ComponentChange(
                key=key,
                before=score_then,
                after=score_now,
                delta=(
                    round(score_now - score_then, 1)
                    if score_now is not None and score_then is not None
                    else None
                ),
                contribution=round(_weighted(today, key) - _weighted(yesterday, key), 2),
            )
        )
        if then is None or now is None:
            continue
        factors = dict.fromkeys([*then.subweights, *now.subweights])
        for factor in factors:
            value_then = then.inputs.get(factor)
            value_now = now.inputs.get(factor)
            if value_then == value_now:
                continue
            drivers.append(
                Driver(
                    input=factor,
                    component=key,
                    before=value_then,
                    after=value_now,
                    contribution=round(
                        _factor_points(now, factor) - _factor_points(then, factor), 2
                    ),
                    description=_describe(
                        factor, value_then, value_now, then.inputs, now.inputs, currency
                    ),
                )
            )
    direction = 1.0 if delta is None or delta >= 0 else -1.0
    # Inputs pushing the score the way it went come first, biggest first.
    drivers.sort(key=lambda d: (-d.contribution * direction, d.input))
    return ScoreChange(
        before=before,
        after=after,
        delta=delta,
        components=components,
        drivers=drivers,
        sentence=_change_sentence(before, after, delta, components, drivers),
    )


def _change_sentence(
    before: float | None,
    after: float | None,
    delta: float | None,
    components: Sequence[ComponentChange],
    drivers: Sequence[Driver],
) -> str:
    """One sentence on the change and its main driver."""
    if after is None and before is None:
        return "No score today or before: not enough data."
    if after is None:
        return f"No score today for lack of data (it was {_points(before or 0.0)})."
    if before is None or delta is None:
        return f"No earlier score to compare with; today's score is {_points(after)}."
    if delta == 0:
        return f"Score held at {_points(after)}."
    verb = "rose" if delta > 0 else "fell"
    head = f"Score {verb} {formatting.number(abs(delta), decimals=1)} points"
    main = next((d for d in drivers if d.contribution * delta > 0), None)
    if main is not None:
        return f"{head}, mostly because {main.description}."
    component = max(components, key=lambda c: c.contribution * delta)
    if component.contribution * delta > 0:
        return f"{head}, mostly in {COMPONENT_LABELS[component.key]}."
    return f"{head}."
