"""One voice per day: the day's candidates, made consistent with each other before ranking.

Each template judges its own situation; this is where the day is read as a whole, as an adviser
reads it before speaking:

* no "invest", "put surplus cash to work" or "borrow while you are strong" beside a high or
  critical warning;
* one card speaks of runway and cash cover together (the runway card says both and how they
  differ), so the thin-buffer card stays silent when a runway card speaks;
* a runway card for a business investing in growth also speaks for "growth is draining cash";
* a slow drift fitted over a year or two says more than the three-month change of the same
  margin, which then stays silent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from coach.catalog.base import Candidate
from coach.vocabulary import Priority

# Advice that presumes the business is doing well.
STRONG_ADVICE = frozenset(
    {
        "growth_investment_ready",
        "credit_line_while_healthy",
        "idle_cash_surplus",
        "capacity_planning",
    }
)
RUNWAY_CARDS = frozenset({"cash_runway_low", "growth_runway"})
# template -> the templates whose presence makes it redundant
SPOKEN_FOR: dict[str, frozenset[str]] = {
    "cash_buffer_thin": RUNWAY_CARDS,
    "growth_straining_cash": frozenset({"growth_runway"}),
    "gross_margin_eroding": frozenset({"gross_margin_drifting"}),
    # a level the drift card states beside the trade's norm
    "gross_margin_low": frozenset({"gross_margin_drifting"}),
    # a fall against last year says more than the fall on the quarter or the month before
    "revenue_declining_3m": frozenset({"revenue_decline_yoy"}),
    "revenue_drop_mom": frozenset({"revenue_decline_yoy", "revenue_declining_3m"}),
    # the cycle is long because of the stock or the collections those cards already name
    "cash_conversion_cycle_long": frozenset({"inventory_overstock", "receivables_slow"}),
}
# The cash consequence of a loss is told before the loss itself: when both speak, the cash card
# is at least as urgent as the loss and ranks just before it.
CASH_BEFORE_LOSS = ("burn_accelerating", "net_loss")
_ALARMS = (Priority.HIGH, Priority.CRITICAL)


def harmonise(candidates: Sequence[Candidate]) -> list[Candidate]:
    """The candidates one adviser would say together, in their given order."""
    keys = {candidate.template_key for candidate in candidates}
    alarm = any(candidate.priority in _ALARMS for candidate in candidates)
    kept = [
        candidate
        for candidate in candidates
        if not (alarm and candidate.template_key in STRONG_ADVICE)
        and not (SPOKEN_FOR.get(candidate.template_key, frozenset()) & keys)
    ]
    by_key = {candidate.template_key: candidate for candidate in kept}
    cash, loss = (by_key.get(key) for key in CASH_BEFORE_LOSS)
    if cash is not None and loss is not None and _order(cash) > _order(loss):
        promoted = replace(cash, priority=loss.priority, score=min(100.0, loss.score + 0.1))
        kept = [promoted if candidate is cash else candidate for candidate in kept]
    return kept


def _order(candidate: Candidate) -> tuple[int, float]:
    return (-candidate.priority.rank, -candidate.score)
