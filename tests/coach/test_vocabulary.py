"""One vocabulary per concept: each test fails when a second definition appears or drifts.

Priorities, categories, score bands, the length of a month and the way numbers are written are
defined once (coach/vocabulary.py, coach/catalog/formatting.py); the models, the catalog, the
engine, the health score, the serializers, the admin and the console must read those.
"""

from __future__ import annotations

import itertools
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import coach.catalog.base
import coach.catalog.cash_flow
import coach.catalog.inventory
import coach.models
import coach.vocabulary
import insights.demo_data
import insights.metrics
from coach.catalog import CATALOG, CATEGORIES, evaluate, formatting
from coach.catalog.base import scored
from coach.engine import IssuedBefore
from coach.vocabulary import (
    BAND_FLOORS,
    DAYS_PER_MONTH,
    Band,
    Category,
    Priority,
    band_for,
    band_range,
    vocabulary_listing,
)
from insights.metrics import Period, compute_metrics
from insights.scoring import COMPONENT_LABELS, COMPONENT_WEIGHTS, score_health

ROOT = Path(__file__).resolve().parents[2]
CONSOLE = ROOT / "gateway" / "static" / "console"

# --- priority -------------------------------------------------------------------------------


def test_the_models_the_catalog_and_the_engine_share_one_priority_enum() -> None:
    assert coach.models.Priority is Priority
    assert coach.catalog.base.Priority is Priority
    assert IssuedBefore("k", "high", None).priority is Priority.HIGH  # type: ignore[arg-type]


def test_every_field_that_stores_a_priority_offers_exactly_the_vocabulary() -> None:
    for model in (coach.models.Recommendation, coach.models.ActionPlan):
        assert model._meta.get_field("priority").choices == Priority.choices, model


def test_priorities_rank_in_declaration_order_and_own_ordered_score_slices() -> None:
    ranks = [p.rank for p in Priority]
    assert ranks == sorted(ranks, reverse=True) == list(range(len(Priority) - 1, -1, -1))
    # a candidate's score never contradicts its priority: each slice sits above the next one down
    slices = [(scored(p, 0.0)[1], scored(p, 1.0)[1]) for p in Priority]
    for (low, _), (_, next_high) in itertools.pairwise(slices):
        assert low >= next_high


def test_the_insight_lists_cards_in_the_vocabularys_order() -> None:
    from insights.serializers import PRIORITY_ORDER

    assert tuple(Priority) == PRIORITY_ORDER


# --- category -------------------------------------------------------------------------------


def test_the_models_and_the_catalog_share_one_category_enum() -> None:
    assert coach.models.Category is Category
    assert tuple(Category) == CATEGORIES
    assert coach.models.Recommendation._meta.get_field("category").choices == Category.choices
    assert {template.category for template in CATALOG} == set(Category)


def test_a_template_with_an_unknown_category_is_refused() -> None:
    template = CATALOG[0]
    with pytest.raises(ValueError, match="cashflow"):
        type(template)(**{**template.__dict__, "category": "cashflow"})


def test_the_health_score_components_are_categories_with_their_labels() -> None:
    for key in COMPONENT_WEIGHTS:
        assert Category(key).label.lower() == COMPONENT_LABELS[key]


# --- score band -----------------------------------------------------------------------------


@given(st.floats(min_value=0, max_value=100))
def test_every_band_the_scorer_gives_is_one_the_vocabulary_knows(score: float) -> None:
    band = band_for(score)
    assert band in Band
    low, high = band_range(band)  # type: ignore[arg-type]
    assert low <= score
    assert high is None or score < high


def test_the_health_score_writes_the_vocabularys_band() -> None:
    health = score_health({"net_margin": 0.05})  # profitability alone: 60, the floor of fair

    assert health.band is Band.FAIR
    assert health.overall == BAND_FLOORS[Band.FAIR]


def test_the_admin_filters_by_every_band() -> None:
    from django.contrib import admin
    from django.test import RequestFactory

    from insights.admin import ScoreBandFilter
    from insights.models import Insight

    request, model_admin = RequestFactory().get("/admin/"), admin.site._registry[Insight]
    band_filter = ScoreBandFilter(request, {}, Insight, model_admin)
    lookups = dict(band_filter.lookups(request, model_admin))

    assert list(lookups) == [*Band.values, "none"]
    assert lookups["weak"] == "weak (40-60)"
    assert lookups["strong"] == "strong (75+)"


def test_the_console_styles_every_band() -> None:
    css = (CONSOLE / "styles.css").read_text()
    for band in Band:
        assert f".band-{band.value}" in css, band
        assert f".bar .fill.band-{band.value}" in css or f".fill.band-{band.value}" in css, band


# --- the console reads the vocabulary, it does not spell it --------------------------------

# A quoted vocabulary value in the console's code is a second definition (an HTML tag name
# such as h("strong", ...) is not one).
_VALUES = sorted({*Priority.values, *Category.values, *Band.values})
_ALTERNATIVES = "|".join(_VALUES)
_QUOTED = re.compile(rf"""(?<!h\()["'`]({_ALTERNATIVES})["'`]|\b({_ALTERNATIVES})\s*:""")


@pytest.mark.parametrize("script", sorted(p.name for p in CONSOLE.glob("*.js")))
def test_the_console_spells_no_priority_category_or_band(script: str) -> None:
    source = (CONSOLE / script).read_text()
    assert not _QUOTED.findall(source), script


def test_the_vocabulary_listing_is_what_the_enums_say() -> None:
    listing = vocabulary_listing()

    assert [(p["value"], p["label"], p["rank"]) for p in listing["priorities"]] == [
        (p.value, p.label, p.rank) for p in Priority
    ]
    assert [(c["value"], c["label"]) for c in listing["categories"]] == Category.choices
    assert [(b["value"], b["min"], b["below"]) for b in listing["bands"]] == [
        (b.value, *band_range(b)) for b in Band
    ]
    assert listing["days_per_month"] == DAYS_PER_MONTH


@pytest.mark.django_db
def test_the_vocabulary_endpoint_serves_the_listing(api, anon) -> None:
    response = api.get("/v1/coach/vocabulary/")

    assert response.status_code == 200
    assert response.json() == vocabulary_listing()
    assert anon.get("/v1/coach/vocabulary/").status_code in {401, 403}


# --- days per month -------------------------------------------------------------------------


def test_metrics_the_catalog_and_the_demo_use_the_same_month() -> None:
    for module in (
        insights.metrics,
        coach.catalog.cash_flow,
        coach.catalog.inventory,
        insights.demo_data,
    ):
        assert module.DAYS_PER_MONTH is coach.vocabulary.DAYS_PER_MONTH, module.__name__


_MONTH_LENGTH = re.compile(r"30\.4\d*|365(\.2\d*)?\s*/\s*12|DAYS_PER_MONTH\s*=")


def test_no_module_defines_its_own_month_length() -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for app in ("coach", "insights", "feedback", "notifications", "gateway")
        for path in (ROOT / app).rglob("*.py")
        if path != Path(coach.vocabulary.__file__) and _MONTH_LENGTH.search(path.read_text())
    ]
    assert offenders == []


def test_the_catalogs_days_of_cash_agree_with_the_runway_metric() -> None:
    # given books burning 15,000 a month for three months, with 45,000 left
    periods = [
        Period(month, cash_balance=Decimal(cash))
        for month, cash in zip(
            [date(2024, m, 1) for m in range(1, 5)],
            [90_000, 75_000, 60_000, 45_000],
            strict=True,
        )
    ]
    runway = compute_metrics(periods).values["runway_days"]
    # when the burn-acceleration advice says how long the cash lasts at a 15,000 loss a month
    values = {"net_burn": 10_000, "net_income": -15_000, "cash_balance": 45_000}
    (candidate,) = [c for c in evaluate(values) if c.template_key == "burn_accelerating"]

    # then it counts the same days the runway metric does
    assert runway is not None
    assert f"about {formatting.duration(runway)}" in candidate.body


# --- number formatting ----------------------------------------------------------------------

# A format spec such as {x:,.0f} or {x:.1f}% in a module that writes numbers for people is a
# second definition of how numbers read; they go through coach.catalog.formatting.
_FORMAT_SPEC = re.compile(r"\{[^{}]*:[^{}]*[.,]\d*[fdeg%]\}")
_WRITERS = [
    *sorted(p for p in (ROOT / "coach" / "catalog").glob("*.py") if p.name != "formatting.py"),
    ROOT / "coach" / "chat.py",
    ROOT / "coach" / "prompts.py",
    ROOT / "coach" / "serializers.py",
    ROOT / "insights" / "scoring.py",
]


@pytest.mark.parametrize("path", _WRITERS, ids=lambda p: str(p.relative_to(ROOT)))
def test_numbers_for_people_are_written_by_the_formatting_module(path: Path) -> None:
    assert not _FORMAT_SPEC.findall(path.read_text())


def test_the_health_score_writes_numbers_as_the_cards_do() -> None:
    health = score_health(
        {"net_margin": 0.145, "dso": 44.5, "cash_months_of_expenses": 1.0, "net_burn": -1_234.5},
        currency="EUR",
    )
    text = " ".join(c.explanation for c in health.components).lower()

    assert f"net margin of {formatting.format_metric('net_margin', 0.145)}" in text  # 14.5%
    assert f"taking {formatting.format_metric('dso', 44.5)} to pay" in text  # 45 days, half-up
    assert f"covering {formatting.span_of_months(1.0)} of costs" in text  # 30 days
    assert f"growing by {formatting.money(1_234.5, 'EUR')}/month" in text  # €1,235
    assert "14.499" not in text  # the float noise of 0.145 x 100


def test_without_a_currency_the_health_score_writes_money_as_a_plain_number() -> None:
    health = score_health({"net_burn": 12_000.0, "runway_days": 45.0})

    cash_flow = health.component("cash_flow")

    assert cash_flow is not None
    assert "net burn of 12,000/month" in cash_flow.explanation
