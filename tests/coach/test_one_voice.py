"""The day's advice speaks with one voice: a seasonal dip raises nothing above medium, a critical
cash card always ranks first, and no "strong position" advice appears beside a high or critical
warning, whatever the books."""

from __future__ import annotations

from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coach.catalog import CATALOG, METRICS, TemplateContext, evaluate
from coach.catalog.voice import STRONG_ADVICE
from coach.engine import rank
from coach.vocabulary import Category, Priority, Stage
from gateway.models import Industry
from insights.evaluation import SEASONS, Expectation, Story, run_story

_ALARM = (Priority.HIGH, Priority.CRITICAL)
_metric = st.one_of(
    st.none(),
    st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False),
    st.sampled_from([0.0, -0.3, 0.05, 0.5, 20.0, 45.0, 90.0, 400.0]),
)
_context = st.builds(
    TemplateContext,
    currency=st.sampled_from(["USD", "EUR", "INR"]),
    industry=st.sampled_from(Industry.values),
    stage=st.one_of(st.none(), st.sampled_from(list(Stage))),
)


@settings(max_examples=300, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(st.fixed_dictionaries(dict.fromkeys(METRICS, _metric)), _context)
def test_no_strong_advice_beside_a_warning_and_a_critical_cash_card_first(values, ctx) -> None:
    day = rank(evaluate(values, ctx=ctx), today=date(2025, 6, 1))

    if any(card.priority in _ALARM for card in day):
        assert not {card.template_key for card in day} & STRONG_ADVICE
    if any(card.priority == Priority.CRITICAL for card in day):
        assert day[0].priority == Priority.CRITICAL
        assert day[0].category == Category.CASH_FLOW


def test_only_cash_can_be_critical() -> None:
    # the survival rule: a critical card is always about cash, so it is the one that ranks first
    values = {"runway_days": 30.0, "net_burn": 20_000.0, "cash_balance": 19_700.0}
    values |= {"net_income": -60_000.0, "net_margin": -0.6, "revenue": 100_000.0}
    values |= {"gross_margin": 0.3, "operating_expenses": 90_000.0}
    day = rank(evaluate(values), today=date(2025, 6, 1))

    assert [card.template_key for card in day][:2] == ["cash_runway_low", "burn_accelerating"]
    assert {t.key for t in CATALOG if t.category != Category.CASH_FLOW} & {
        c.template_key for c in day if c.priority == Priority.CRITICAL
    } == set()


def _seasonal_story(season: str, growth: float, month: int, level: float) -> Story:
    """A healthy shop whose only news is its season: profitable over the year, cash in hand."""
    return Story(
        name=f"season-{season}-{month}",
        title="A seasonal shop",
        adviser="",
        industry="retail",
        currency="USD",
        months=24,
        last_month=date(2025, month, 1),
        books={
            "revenue": level,
            "growth_per_year": growth,
            "season": season,
            "cost_of_goods": "50%",
            "expenses": level * 0.3,
            "payroll": "50%",
            "days_to_collect": 3,
            "days_to_pay": 30,
            "days_of_stock": 55,
            "opening_cash": level * 3,
        },
        expect=Expectation(None, (), None, (), (), (), (), None, (), {}),
    )


@settings(max_examples=60, derandomize=True, deadline=None)
@given(
    season=st.sampled_from([name for name in SEASONS if name != "none"]),
    growth=st.floats(min_value=0.0, max_value=0.15),
    month=st.integers(min_value=1, max_value=12),
    level=st.sampled_from([20_000.0, 80_000.0, 400_000.0]),
)
def test_a_seasonal_dip_raises_nothing_above_medium(season, growth, month, level) -> None:
    assessment = run_story(_seasonal_story(season, growth, month, level))

    raised = {c.template_key: c.priority for c in assessment.candidates}
    assert all(p.rank <= Priority.MEDIUM.rank for p in raised.values()), raised
