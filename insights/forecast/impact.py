"""What each recommendation is worth: the forecast and the score re-run on the changed drivers.

A recommendation's card states the change it advises in its own figures (collect in the trade's
usual days, which "would free" so much; pay suppliers on terms; cut the burn by so much a month).
``lever`` reads that change back from the figures, and ``impact`` re-runs the tenant's forecast
with it, on the same simulated paths (so the difference is the change's alone), and the health
score on the books three months ahead. Computed when the books change, beside the forecast, for
every template that applies that day; the daily insight attaches the stored impact to a card
whose figures are the ones it was computed from.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from coach.catalog.formatting import calendar_date, days, money, score
from coach.vocabulary import DAYS_PER_MONTH
from gateway.models import Tenant
from insights.forecast.engine import Change, ChangeKind, Result, Simulation, money_text, run
from insights.metrics import Period, compute_metrics
from insights.scoring import score_health


@dataclass(frozen=True)
class Lever:
    changes: tuple[Change, ...]
    phrase: str  # what doing it means, as the explanation starts: "Collecting in 45 days..."
    basis: str  # the card figures it was read from, to match a card to its stored impact
    name: str = ""  # which of LEVER_KEYS


# Each lever and the card figures it is read from (the daily insight matches a card to its
# stored impact by them, without re-reading the lever).
LEVER_KEYS: dict[str, tuple[str, ...]] = {
    "collect": ("dso", "freed", "accounts_receivable"),
    "collect_back": ("dso", "dso_change_3m"),
    "pay": ("dpo", "kept", "cogs"),
    "cut": ("burn_cut",),
}


def _known(figures: Mapping[str, Any], *keys: str) -> bool:
    return all(isinstance(figures.get(k), int | float) for k in keys)


def _basis(figures: Mapping[str, Any], keys: Sequence[str]) -> str:
    return repr(tuple(round(float(figures[k]), 2) for k in keys))


def lever(figures: Mapping[str, Any], currency: str) -> Lever | None:
    """The driver change a card's figures advise, or None when its advice moves no driver the
    forecast models (a margin, a price, stock...): such a card gets no impact."""
    f = figures
    if _known(f, "dso", "freed", "accounts_receivable") and f["freed"] > 0 < f["dso"]:
        # receivables_slow: freed = receivables x (dso - target) / dso
        target = f["dso"] - f["freed"] * f["dso"] / f["accounts_receivable"]
        if 0 < target < f["dso"]:
            return Lever(
                (Change(ChangeKind.COLLECT_DAYS, target),),
                f"Collecting in {days(target)} instead of {days(f['dso'])}",
                _basis(f, LEVER_KEYS["collect"]),
                "collect",
            )
    if _known(f, "dso", "dso_change_3m") and f["dso_change_3m"] > 0:
        target = f["dso"] - f["dso_change_3m"]  # receivables_slowing: back to three months ago
        if target > 0:
            return Lever(
                (Change(ChangeKind.COLLECT_DAYS, target),),
                f"Getting collections back to {days(target)} from {days(f['dso'])}",
                _basis(f, LEVER_KEYS["collect_back"]),
                "collect_back",
            )
    if _known(f, "dpo", "kept", "cogs") and f["kept"] > 0 and f["cogs"] > 0:
        terms = f["dpo"] + f["kept"] * DAYS_PER_MONTH / f["cogs"]  # kept = cogs/month x (terms-dpo)
        return Lever(
            (Change(ChangeKind.PAY_DAYS, terms),),
            f"Paying suppliers in {days(terms)} instead of {days(f['dpo'])}",
            _basis(f, LEVER_KEYS["pay"]),
            "pay",
        )
    if _known(f, "burn_cut") and f["burn_cut"] > 0:
        return Lever(
            (Change(ChangeKind.HIRE, -f["burn_cut"]),),  # a monthly cost taken away
            f"Cutting costs by {money(f['burn_cut'], currency)} a month",
            _basis(f, LEVER_KEYS["cut"]),
            "cut",
        )
    return None


def score_ahead(periods: Sequence[Period], result: Result, currency: str) -> float | None:
    """The health score of the books three months ahead, as ``result``'s median path has them."""
    projected = [Period(**month) for month in result.projected]
    ahead = [p for p in periods if p.month < projected[0].month] + projected
    return score_health(compute_metrics(ahead).values, currency=currency).overall


def impact(
    sim: Simulation,
    base: Result,
    periods: Sequence[Period],
    chosen: Lever,
    *,
    currency: str,
    buffer: float | None,
) -> dict[str, Any]:
    """The impact of ``chosen``: deltas of runway, cash at 13 weeks and score, with the figures
    they come from and a sentence that states them."""
    after = run(sim, chosen.changes, buffer=buffer)
    horizon_end = sim.start + timedelta(days=sim.days - 1)
    before_zero, after_zero = base.runway_days(), after.runway_days()
    if before_zero is None:
        runway_delta = None  # cash does not run out within the horizon anyway
    elif after_zero is None:
        runway_delta = (horizon_end - sim.start).days - before_zero  # at least this much
    else:
        runway_delta = after_zero - before_zero
    cash_delta = after.cash_13w - base.cash_13w
    score_before = score_ahead(periods, base, currency)
    score_after = score_ahead(periods, after, currency)
    score_delta = (
        None
        if score_before is None or score_after is None
        else round(score_after - score_before, 1)
    )
    week_13 = sim.start + timedelta(days=7 * 13 - 1)
    words = [chosen.phrase]
    if cash_delta >= 0:
        words.append(f"would add about {money(cash_delta, currency)} to your cash by")
    else:
        words.append(f"would take about {money(-cash_delta, currency)} from your cash by")
    words.append(calendar_date(week_13))
    zero_before = base.cash_zero.p50 if base.cash_zero else None
    zero_after = after.cash_zero.p50 if after.cash_zero else None
    if isinstance(zero_before, date) and isinstance(zero_after, date):
        if zero_after != zero_before:
            words.append(
                f"and move the date cash runs out from {calendar_date(zero_before)} to "
                f"{calendar_date(zero_after)}"
            )
    elif isinstance(zero_before, date):
        words.append(
            f"and keep cash above zero past {calendar_date(horizon_end)}, instead of running "
            f"out on {calendar_date(zero_before)}"
        )
    sentence = " ".join(words)
    if score_delta is not None and abs(score_delta) >= 0.5:
        assert score_before is not None  # noqa: S101 - a delta has both scores
        assert score_after is not None  # noqa: S101
        sentence += (
            f"; the health score three months from now would be {score(score_after)} "
            f"instead of {score(score_before)}"
        )
    return {
        "runway_days_delta": runway_delta,
        "cash_13w_delta": money_text(cash_delta),
        "score_delta": score_delta,
        "explanation": sentence + ".",
        "changes": [c.to_dict() for c in chosen.changes],
        "figures": {
            "cash_13w_before": money_text(base.cash_13w),
            "cash_13w_after": money_text(after.cash_13w),
            "cash_zero_before": zero_before.isoformat() if zero_before else None,
            "cash_zero_after": zero_after.isoformat() if zero_after else None,
            "horizon_end": horizon_end.isoformat(),
            "score_before": score_before,
            "score_after": score_after,
        },
        "basis": chosen.basis,
        "lever": chosen.name,
    }


def impacts_for(
    tenant: Tenant, sim: Simulation, base: Result, periods: Sequence[Period]
) -> dict[str, dict[str, Any]]:
    """The impact of every template that applies to the tenant's books today, by template key.

    The candidates come from the insight pipeline itself (load and plan, no cooldown, no cap,
    nothing written), so they carry exactly the figures the day's cards will carry."""
    from coach.engine import EngineConfig
    from insights.pipeline import load, plan

    inputs = load([(tenant.pk, tenant.local_today())], at=_now())
    if not inputs:
        return {}
    one = inputs[0]
    one.history, one.learned = [], None
    one.config = EngineConfig(cooldown_days=0, max_per_day=1000)
    one.forecast = None  # the impacts being computed are not an input of their own candidates
    planned = plan([one])[0]
    if planned.failed:
        return {}
    buffer = None if tenant.cash_buffer is None else float(tenant.cash_buffer)
    found: dict[str, dict[str, Any]] = {}
    for candidate in planned.candidates:
        chosen = lever(candidate.figures, tenant.currency)
        if chosen is not None:
            found[candidate.template_key] = impact(
                sim, base, periods, chosen, currency=tenant.currency, buffer=buffer
            )
    return found


def _now() -> Any:
    from django.utils import timezone

    return timezone.now()


def stored_impact(
    impacts: Mapping[str, Any], template_key: str, figures: Mapping[str, Any], currency: str
) -> dict[str, Any] | None:
    """A card's impact from the stored ones, if computed from the same figures."""
    stored = impacts.get(template_key)
    if not stored:
        return None
    keys = LEVER_KEYS.get(stored.get("lever", ""))
    if keys is None or not _known(figures, *keys) or _basis(figures, keys) != stored.get("basis"):
        return None
    return {key: value for key, value in stored.items() if key not in ("basis", "lever")}
