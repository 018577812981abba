"""The stage of a business, derived from its books: pre-revenue, early, growing, established or
declining. Plain data in (the metric values), so the catalog and the tests need no database.

The stage frames the advice: a funded business growing fast and burning hears its runway and when
to raise or cut before it hears that it loses money; a pre-revenue one hears its runway first.
"""

from __future__ import annotations

from collections.abc import Mapping

from coach.vocabulary import Stage

# Fitted revenue growth of 2% a month is about 27% a year: growth that sets the agenda.
GROWING_MONTHLY = 0.02
# A year's revenue 25% above the year before is growing, whatever the fitted curve says.
GROWING_YEARLY = 0.25
# A year's revenue a tenth below the year before, or a fitted fall of 1% a month, is decline.
DECLINING_YEARLY = -0.10
DECLINING_MONTHLY = -0.01
# Under a year of selling, a business is still finding its level.
EARLY_MONTHS = 12


def derive_stage(values: Mapping[str, float | None]) -> Stage | None:
    """The stage the books show; None when there are no books."""
    if not values.get("months_of_data"):
        return None
    revenue_3m = values.get("revenue_3m")
    revenue = values.get("revenue")
    if (revenue_3m is not None and revenue_3m <= 0) or (
        revenue_3m is None and revenue is not None and revenue <= 0
    ):
        return Stage.PRE_REVENUE
    trend = values.get("revenue_trend")
    yearly = values.get("revenue_growth_12m")
    # A year against the year before has no season in it; the fitted trend speaks only for books
    # too short for that comparison.
    # In its first year of selling a business is early, however fast it grows.
    if (values.get("months_with_revenue") or 0) < EARLY_MONTHS:
        return Stage.EARLY
    if (yearly is not None and yearly >= GROWING_YEARLY) or (
        yearly is None and trend is not None and trend >= GROWING_MONTHLY
    ):
        return Stage.GROWING
    if yearly is not None:
        return Stage.DECLINING if yearly <= DECLINING_YEARLY else Stage.ESTABLISHED
    if trend is not None and trend <= DECLINING_MONTHLY:
        return Stage.DECLINING
    return Stage.ESTABLISHED
