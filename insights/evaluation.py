"""The coaching evaluation set: stories of businesses, as an adviser tells them, and the answer an
adviser would agree on; this module makes each story's books and judges Coach's answer.

A story is one YAML file in ``docs/coaching-stories/`` (see its README): the business in words,
its trade and currency, how its books run month by month (revenue, season, cost of goods,
expenses, payroll, days to collect, to pay and of stock, cash), and what is expected: the top
recommendation's category and priority, what must not be said, the stage, and the key figures by
their textbook definitions. ``judge`` runs the same ``assess`` the daily insight runs and lists
every way the answer differs; ``benchmarks/coaching_eval.py`` prints "right in N of M".
"""

from __future__ import annotations

import calendar
import math
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from coach.vocabulary import DAYS_PER_MONTH, Priority
from insights.metrics import MONEY_FIELDS, Period, shift_month
from insights.services import Assessment, assess

STORIES_DIR = Path(__file__).resolve().parent.parent / "docs" / "coaching-stories"

# Named seasons: a multiplier of revenue per calendar month, January first.
SEASONS: Mapping[str, tuple[float, ...]] = {
    "none": (1.0,) * 12,
    "toys": (0.55, 0.6, 0.7, 0.75, 0.8, 0.8, 0.8, 0.85, 0.9, 1.0, 1.6, 2.65),
    "summer": (0.6, 0.6, 0.75, 0.9, 1.1, 1.4, 1.6, 1.5, 1.15, 0.9, 0.75, 0.75),
    "winter": (1.7, 1.5, 1.1, 0.7, 0.5, 0.45, 0.45, 0.5, 0.6, 0.9, 1.3, 2.3),
    "quarter_end": (0.8, 0.9, 1.3, 0.8, 0.9, 1.3, 0.8, 0.9, 1.3, 0.8, 0.9, 1.3),
}


# --- reading a story ----------------------------------------------------------------------------


def _number(value: Any) -> float:
    """25000, "25,000", "28%" (0.28) or "0.5%" as a float."""
    if isinstance(value, bool):
        raise ValueError(f"not a number: {value!r}")
    if isinstance(value, int | float):
        return float(value)
    text = str(value).strip().replace(",", "").replace("_", "")
    if text.endswith("%"):
        return float(text[:-1]) / 100
    return float(text)


@dataclass(frozen=True)
class Course:
    """How one quantity runs over the months: a level, a move from one level to another
    (between two months, 1-based, inclusive), or one value per month."""

    start: float
    end: float
    first: int = 1
    last: int | None = None
    values: tuple[float, ...] | None = None

    @classmethod
    def read(cls, spec: Any) -> Course:
        if isinstance(spec, list):
            values = tuple(_number(v) for v in spec)
            return cls(values[0], values[-1], values=values)
        if isinstance(spec, dict):
            start, end = _number(spec["from"]), _number(spec["to"])
            first, last = spec.get("between", [1, None])
            return cls(start, end, int(first), None if last is None else int(last))
        level = _number(spec)
        return cls(level, level)

    def at(self, month: int, months: int) -> float:
        """The value in month ``month`` (1-based) of ``months``."""
        if self.values is not None:
            return self.values[min(month, len(self.values)) - 1]
        last = self.last or months
        if month <= self.first or last <= self.first:
            return self.start if month <= self.first else self.end
        if month >= last:
            return self.end
        return self.start + (self.end - self.start) * (month - self.first) / (last - self.first)


@dataclass(frozen=True)
class Expectation:
    top_category: str | None  # None: the top card is not judged (see no_card_above_low)
    top_priorities: tuple[str, ...]
    highest: str | None  # nothing above this priority
    must_include: tuple[str, ...]
    must_not_include: tuple[str, ...]
    must_say: tuple[str, ...]
    must_not_say: tuple[str, ...]
    stage: str | None
    band_not: tuple[str, ...]
    figures: Mapping[str, float]
    no_card_above_low: bool = False  # "top: none": nothing worth more than a low card


@dataclass(frozen=True)
class Story:
    name: str
    title: str
    adviser: str
    industry: str
    currency: str
    months: int
    last_month: date
    books: Mapping[str, Any]
    expect: Expectation
    cash_buffer: float | None = None


def _tuple(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    return tuple(str(v) for v in (value if isinstance(value, list) else [value]))


def read_story(path: Path) -> Story:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    expect = data.get("expect", {})
    top = expect.get("top", {"category": None})
    year, month = (int(part) for part in str(data["last_month"]).split("-")[:2])
    return Story(
        name=path.stem,
        title=data["title"],
        adviser=" ".join(str(data["adviser"]).split()),
        industry=data.get("industry", "other"),
        currency=data.get("currency", "USD"),
        months=int(data.get("months", 24)),
        last_month=date(year, month, 1),
        books=data["books"],
        cash_buffer=_number(data["cash_buffer"]) if "cash_buffer" in data else None,
        expect=Expectation(
            top_category=None if top in (None, "none") else top.get("category"),
            top_priorities=_tuple(None if top in (None, "none") else top.get("priority")),
            no_card_above_low=top in (None, "none"),
            highest=expect.get("nothing_above"),
            must_include=_tuple(expect.get("cards")),
            must_not_include=_tuple(expect.get("no_cards")),
            must_say=_tuple(expect.get("says")),
            must_not_say=_tuple(expect.get("never_says")),
            stage=expect.get("stage"),
            band_not=_tuple(expect.get("health_not")),
            figures={key: _number(value) for key, value in (expect.get("figures") or {}).items()},
        ),
    )


def load_stories(directory: Path = STORIES_DIR) -> list[Story]:
    return [read_story(path) for path in sorted(directory.glob("*.yaml"))]


# --- making the books -----------------------------------------------------------------------------


def _share(spec: Any, *, of: str) -> tuple[Course, str]:
    """ "62% of revenue" -> (0.62, "revenue"); a bare share is of ``of``."""
    if isinstance(spec, str) and " of " in spec:
        share, base = spec.split(" of ", 1)
        return Course.read(share.strip()), base.strip()
    return Course.read(spec), of


def story_books(story: Story) -> list[dict[str, Any]]:
    """The story's monthly books, consistent the way real books are: cash moves by net income,
    less the growth of receivables and stock, plus the growth of payables, plus funding."""
    books = story.books
    n = story.months
    first = shift_month(story.last_month, -(n - 1))
    if first is None:
        raise ValueError(f"{story.name}: {n} months before {story.last_month} is out of range")
    rng = random.Random(story.name)  # noqa: S311 - deterministic texture, not security
    noise = _number(books.get("noise", "1%"))
    revenue = Course.read(books.get("revenue", 0))
    growth = _number(books.get("growth_per_month", 0))
    if "growth_per_year" in books:
        growth = (1 + _number(books["growth_per_year"])) ** (1 / 12) - 1
    season_spec = books.get("season", "none")
    season = SEASONS[season_spec] if isinstance(season_spec, str) else tuple(season_spec)
    selling_from = int(books.get("selling_from_month", 1))
    cogs_share = Course.read(books.get("cost_of_goods", 0))
    expenses = Course.read(books.get("expenses", 0))
    expense_growth = _number(books.get("expenses_growth_per_month", 0))
    payroll, payroll_base = _share(books.get("payroll", "50%"), of="expenses")
    collect = Course.read(books.get("days_to_collect", 0))
    pay = Course.read(books.get("days_to_pay", 0))
    stock = Course.read(books.get("days_of_stock", 0))
    cash = _number(books.get("opening_cash", 0))
    injections = {int(k): _number(v) for k, v in (books.get("cash_injections") or {}).items()}
    missing = set(_tuple(books.get("missing")))
    previous: tuple[float, float, float] | None = None
    periods: list[dict[str, Any]] = []
    for i in range(1, n + 1):
        month = shift_month(first, i - 1) or first
        days = calendar.monthrange(month.year, month.month)[1]
        sales = 0.0
        if i >= selling_from:
            sales = revenue.at(i, n) * (1 + growth) ** (i - 1) * season[month.month - 1]
            sales *= 1 + rng.uniform(-noise, noise)
        cogs = sales * cogs_share.at(i, n)
        opex = expenses.at(i, n) * (1 + expense_growth) ** (i - 1)
        staff = payroll.at(i, n) * (sales if payroll_base == "revenue" else opex)
        opex = max(opex, staff)
        income = sales - cogs - opex
        receivable = sales * collect.at(i, n) / days
        payable = cogs * pay.at(i, n) / days
        inventory = cogs * stock.at(i, n) / days
        if previous is not None:
            cash += income - (receivable - previous[0]) + (payable - previous[1])
            cash -= inventory - previous[2]
        cash += injections.get(i, 0.0)
        previous = (receivable, payable, inventory)
        row: dict[str, float] = {
            "revenue": sales,
            "cogs": cogs,
            "operating_expenses": opex,
            "payroll": staff,
            "net_income": income,
            "cash_balance": cash,
            "accounts_receivable": receivable,
            "accounts_payable": payable,
            "inventory_value": inventory,
        }
        periods.append(
            {"month": month}
            | {key: None if key in missing else _money(value) for key, value in row.items()}
        )
    return periods


def _money(value: float) -> Decimal:
    return Decimal(round(value, 2)).quantize(Decimal("0.01"))


# --- textbook figures -----------------------------------------------------------------------------


def textbook_figures(books: Sequence[Mapping[str, Any]]) -> dict[str, float]:
    """The key figures of the latest month by their textbook definitions, computed here from the
    books alone (not by insights.metrics), so the two can be checked against each other."""
    last = books[-1]
    days = calendar.monthrange(last["month"].year, last["month"].month)[1]

    def f(key: str, row: Mapping[str, Any] = last) -> float | None:
        value = row.get(key)
        return None if value is None else float(value)

    figures: dict[str, float] = {}
    revenue, cogs, opex = f("revenue"), f("cogs"), f("operating_expenses")
    if revenue and cogs is not None:
        figures["gross_margin"] = (revenue - cogs) / revenue
    if revenue and f("net_income") is not None:
        figures["net_margin"] = (f("net_income") or 0.0) / revenue
    if revenue and f("accounts_receivable") is not None:
        figures["dso"] = (f("accounts_receivable") or 0.0) / revenue * days
    if cogs and f("accounts_payable") is not None:
        figures["dpo"] = (f("accounts_payable") or 0.0) / cogs * days
    if cogs and f("inventory_value") is not None:
        figures["dio"] = (f("inventory_value") or 0.0) / cogs * days
    cash = f("cash_balance")
    if cash is not None and cogs is not None and opex is not None and cogs + opex > 0:
        figures["cash_months_of_expenses"] = cash / (cogs + opex)
    balances = [f("cash_balance", row) for row in books[-4:]]
    if len(balances) == 4 and all(b is not None for b in balances):
        burn = ((balances[0] or 0.0) - (balances[-1] or 0.0)) / 3
        if burn > 0 and cash is not None:
            figures["runway_days"] = max(cash, 0.0) / burn * DAYS_PER_MONTH
    if len(books) >= 15:
        now = [f("revenue", row) for row in books[-3:]]
        before = [f("revenue", row) for row in books[-15:-12]]
        if all(v is not None for v in now + before) and sum(before) > 0:  # type: ignore[arg-type]
            figures["revenue_3m_yoy"] = sum(now) / sum(before) - 1  # type: ignore[arg-type]
    return figures


# --- judging --------------------------------------------------------------------------------------

# How close a computed figure must be to the expected one: fractions within a point, days within
# a day and a half, months of cover within a tenth, money within 1%.
_TOLERANCE = {"fraction": 0.01, "days": 1.5, "months": 0.1}


def _close(key: str, got: float, want: float) -> bool:
    from coach.catalog.base import METRICS

    kind = METRICS.get(key, "money")
    if kind in ("fraction", "points"):
        return abs(got - want) <= _TOLERANCE["fraction"]
    if kind == "days":
        return abs(got - want) <= max(_TOLERANCE["days"], abs(want) * 0.02)
    if kind == "months":
        return abs(got - want) <= _TOLERANCE["months"]
    if kind == "count":
        return abs(got - want) < 0.5
    return abs(got - want) <= max(1.0, abs(want) * 0.01)


@dataclass
class Verdict:
    story: Story
    assessment: Assessment
    misses: list[str] = field(default_factory=list)

    @property
    def right(self) -> bool:
        return not self.misses

    def cards(self) -> list[str]:
        return [
            f"{c.priority.value:<8} {c.category:<13} {c.template_key}: {c.title}"
            for c in self.assessment.candidates
        ]


def run_story(story: Story, *, books: Sequence[Mapping[str, Any]] | None = None) -> Assessment:
    books = books if books is not None else story_books(story)
    periods = [Period(row["month"], *(row.get(k) for k in MONEY_FIELDS)) for row in books]
    today = shift_month(story.last_month, 1) or story.last_month
    return assess(
        periods,
        currency=story.currency,
        tenant_name=story.title,
        today=today,
        industry=story.industry,
        cash_buffer=story.cash_buffer,
    )


def texts(assessment: Assessment) -> list[str]:
    """Every sentence a person reads: the cards and the score's explanations."""
    health = assessment.health
    return [
        *(f"{c.title}. {c.body}" for c in assessment.candidates),
        health.summary,
        *(component.explanation for component in health.components),
    ]


def judge(story: Story) -> Verdict:
    books = story_books(story)
    assessment = run_story(story, books=books)
    verdict = Verdict(story, assessment)
    miss = verdict.misses.append
    expect, cards = story.expect, assessment.candidates
    top = cards[0] if cards else None
    if expect.no_card_above_low and top is not None and top.priority.rank > Priority.LOW.rank:
        miss(f"expected no card above low, got {top.priority.value} {top.template_key}")
    if expect.top_category is not None:
        if top is None:
            miss(f"expected a {expect.top_category} card first, got none")
        else:
            if top.category != expect.top_category:
                miss(f"top card is {top.category} ({top.template_key}), not {expect.top_category}")
            if expect.top_priorities and top.priority.value not in expect.top_priorities:
                wanted = " or ".join(expect.top_priorities)
                miss(f"top card is {top.priority.value} ({top.template_key}), not {wanted}")
    if expect.highest is not None:
        ceiling = Priority(expect.highest).rank
        for card in cards:
            if card.priority.rank > ceiling:
                miss(f"{card.template_key} is {card.priority.value}, above {expect.highest}")
    keys = {card.template_key for card in cards}
    for key in expect.must_include:
        if key not in keys:
            miss(f"missing card {key}")
    for key in expect.must_not_include:
        if key in keys:
            miss(f"card {key} should not be there")
    words = "\n".join(texts(assessment))
    for phrase in expect.must_say:
        if phrase.lower() not in words.lower():
            miss(f"never says {phrase!r}")
    for phrase in expect.must_not_say:
        if phrase.lower() in words.lower():
            miss(f"says {phrase!r}")
    if expect.stage is not None and (assessment.stage or "none") != expect.stage:
        miss(f"stage is {assessment.stage}, not {expect.stage}")
    band = assessment.health.band
    if band is not None and band.value in expect.band_not:
        miss(f"health reads {band.value} ({assessment.health.overall})")
    values = assessment.metrics.values
    for key, want in expect.figures.items():
        got = values.get(key)
        if got is None or not _close(key, got, want):
            miss(f"{key} is {got}, expected about {want}")
    for key, want in textbook_figures(books).items():
        got = values.get(key)
        if got is None or not math.isclose(got, want, rel_tol=1e-6, abs_tol=1e-6):
            miss(f"{key} is {got}, the textbook definition gives {want}")
    return verdict


def judge_all(stories: Iterable[Story] | None = None) -> list[Verdict]:
    return [judge(story) for story in (stories if stories is not None else load_stories())]
