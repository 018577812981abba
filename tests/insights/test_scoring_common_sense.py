"""The health score agrees with common sense: more cash, faster collections and a better margin
never lower it, and a business with a tiny buffer is never "strong", whatever its burn."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from coach.vocabulary import DAYS_PER_MONTH, Band
from gateway.models import Industry
from insights.scoring import score_health

_base = st.fixed_dictionaries(
    {
        "costs": st.floats(min_value=1_000, max_value=1e7),  # cogs + opex a month
        "burn": st.floats(min_value=-5e5, max_value=5e5),  # average monthly fall in cash
        "dso": st.floats(min_value=0, max_value=200),
        "operating_expense_ratio": st.floats(min_value=0, max_value=2),
        "revenue_growth_3m": st.floats(min_value=-0.5, max_value=0.5),
        "revenue_growth_yoy": st.floats(min_value=-0.5, max_value=0.5),
        "net_margin": st.floats(min_value=-1, max_value=0.5),
    }
)
_industry = st.sampled_from(Industry.values)


def _values(base: dict[str, float], cash: float) -> dict[str, float | None]:
    """Metric values as compute_metrics derives them from one cash balance."""
    burn = base["burn"]
    runway = max(cash, 0.0) / burn * DAYS_PER_MONTH if burn > 0 else None
    return {
        "net_burn": burn,
        "runway_days": runway,
        "cash_months_of_expenses": cash / base["costs"],
        **{k: v for k, v in base.items() if k not in {"costs", "burn"}},
    }


def _overall(values: dict[str, float | None], industry: str) -> float:
    score = score_health(values, currency="USD", industry=industry).overall
    assert score is not None
    return score


@settings(max_examples=300, derandomize=True)
@given(
    _base,
    st.floats(min_value=-1e6, max_value=1e8),
    st.floats(min_value=0, max_value=1e7),
    _industry,
)
def test_more_cash_never_lowers_the_score(base, cash, more, industry) -> None:
    lower = score_health(_values(base, cash), industry=industry)
    higher = score_health(_values(base, cash + more), industry=industry)

    assert higher.overall >= lower.overall  # type: ignore[operator]
    assert higher.component("cash_flow").score >= lower.component("cash_flow").score  # type: ignore[operator]


@settings(max_examples=300, derandomize=True)
@given(
    _base, st.floats(min_value=0, max_value=1e7), st.floats(min_value=0, max_value=100), _industry
)
def test_faster_collections_never_lower_the_score(base, cash, faster, industry) -> None:
    slow = _values(base, cash)
    fast = {**slow, "dso": max(0.0, base["dso"] - faster)}

    assert _overall(fast, industry) >= _overall(slow, industry)


@settings(max_examples=300, derandomize=True)
@given(
    _base, st.floats(min_value=0, max_value=1e7), st.floats(min_value=0, max_value=0.5), _industry
)
def test_a_better_margin_never_lowers_the_score(base, cash, better, industry) -> None:
    thin = _values(base, cash)
    fat = {**thin, "net_margin": base["net_margin"] + better}

    assert _overall(fat, industry) >= _overall(thin, industry)


@settings(max_examples=300, derandomize=True)
@given(_base, st.floats(min_value=0, max_value=0.99), _industry)
def test_under_a_month_of_cash_is_never_strong_whatever_the_burn(base, cover, industry) -> None:
    values = _values(base, cover * base["costs"])
    values["net_margin"] = 0.3  # everything else at its best
    values["dso"], values["operating_expense_ratio"] = 0.0, 0.0
    values["revenue_growth_3m"] = values["revenue_growth_yoy"] = 0.3

    health = score_health(values, currency="USD", industry=industry)

    assert health.band != Band.STRONG
    assert health.component("cash_flow").score < 75  # type: ignore[operator]


def test_five_days_of_cash_and_no_burn_was_strong_and_is_not_any_more() -> None:
    # the case: a business not burning got full marks for runway whatever its buffer
    values = {
        "net_burn": -2_000.0,
        "runway_days": None,
        "cash_months_of_expenses": 5 / DAYS_PER_MONTH,
        "dso": 10.0,
        "operating_expense_ratio": 0.25,
        "revenue_growth_3m": 0.08,
        "revenue_growth_yoy": 0.12,
        "net_margin": 0.14,
    }

    health = score_health(values, currency="USD")

    assert health.band != Band.STRONG
    cash_flow = health.component("cash_flow")
    assert cash_flow is not None
    assert "held to 28.1 because cash covers only 5 days of costs" in cash_flow.explanation
