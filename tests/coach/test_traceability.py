"""Every number a person reads is traceable: each number in a card or in the score's explanations
is one of the figures computed from the books (stored with the card, or the score's inputs and
points), one of the tenant's industry norms, or a named constant of the catalog.

The numbers are parsed out of the text and matched against every way Coach writes a figure
(money in the currency, percent, points, days, months, years), so a number written from anywhere
else, a stale constant, a figure computed in the text and not recorded, fails here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import fields

import pytest

from coach.catalog import cash_flow, formatting, growth, inventory, operations, profitability
from coach.catalog import revenue as revenue_module
from coach.catalog.base import Candidate
from coach.industry import Norms, norms_for
from insights.evaluation import load_stories, run_story
from insights.scoring import HealthScore

NUMBER = re.compile(r"\d+(?:,\d+)*(?:\.\d+)?")
STORIES = load_stories()


def _tokens(text: str) -> set[str]:
    return set(NUMBER.findall(text))


def _renderings(value: float, currency: str) -> Iterable[str]:
    """Every way Coach writes a figure of unknown kind."""
    for v in (value, -value):
        yield formatting.money(v, currency)
        yield formatting.money(v, currency, decimals=2)
        yield formatting.percent(v)
        yield formatting.percent(v, decimals=0)
        yield formatting.points(v)
        yield formatting.days(v)
        yield formatting.duration(v)
        yield formatting.span_of_months(v)
        yield formatting.months(v)
        yield formatting.months(v, decimals=0)
        yield formatting.years(v)
        yield formatting.number(v)
        yield formatting.number(v, decimals=1)
        yield formatting.score(v)
        if abs(v) < 1e9:
            yield formatting.number(v * 100, decimals=1)  # a weight as a percentage


def _allowed(values: Iterable[float], currency: str) -> set[str]:
    allowed: set[str] = set()
    for value in values:
        for text in _renderings(value, currency):
            allowed |= _tokens(text)
    return allowed


def _norm_values(norms: Norms) -> list[float]:
    values = [getattr(norms, f.name) for f in fields(norms)]
    numbers = [float(v) for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
    return [*numbers, *(1 - v for v in numbers if 0 < v < 1), norms.ccc_long, norms.ccc_very_long]


def _constants() -> list[float]:
    """The catalog's named constants (thresholds, targets), which a card may state."""
    modules = (cash_flow, growth, inventory, operations, profitability, revenue_module)
    return [
        float(value)
        for module in modules
        for name, value in vars(module).items()
        if name.isupper() and isinstance(value, int | float) and not isinstance(value, bool)
    ]


def untraced_in_card(candidate: Candidate, currency: str, industry: str) -> set[str]:
    figures = [v for v in candidate.figures.values() if v is not None]
    allowed = _allowed([*figures, *_norm_values(norms_for(industry)), *_constants()], currency)
    return _tokens(f"{candidate.title} {candidate.body}") - allowed


def untraced_in_score(health: HealthScore, currency: str) -> set[str]:
    values: list[float] = [health.overall or 0.0]
    for component in health.components:
        values += [v for v in component.inputs.values() if v is not None]
        values += [component.score or 0.0, component.effective_weight, component.weight]
        values += list(component.subscores.values())
    raw_cash = [c for c in health.components if c.key == "cash_flow"]
    text = " ".join([health.summary, *(c.explanation for c in health.components)])
    allowed = _allowed(values, currency)
    # a capped component states its score before the cap: the weighted mean of its sub-scores
    for component in raw_cash:
        raw = sum(
            component.subweights.get(key, 0.0) * score for key, score in component.subscores.items()
        )
        allowed |= _allowed([round(raw, 1)], currency)
    return _tokens(text) - allowed


@pytest.mark.parametrize("story", STORIES, ids=lambda story: story.name)
def test_every_number_in_the_cards_and_the_score_is_a_computed_figure(story) -> None:
    assessment = run_story(story)

    for candidate in assessment.candidates:
        untraced = untraced_in_card(candidate, story.currency, story.industry)
        assert not untraced, f"{candidate.template_key}: {untraced} in {candidate.body!r}"
    untraced = untraced_in_score(assessment.health, story.currency)
    assert not untraced, f"score: {untraced} in {assessment.health.summary!r}"


def test_the_check_finds_a_number_that_was_not_computed() -> None:
    (story,) = [s for s in STORIES if s.name == "print-shop-cash-crunch"]
    card = run_story(story).candidates[0]
    forged = Candidate(**{**card.to_dict(), "body": card.body + " You could save £12,345."})

    assert untraced_in_card(forged, story.currency, story.industry) == {"12,345"}
