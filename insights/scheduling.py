"""When a tenant's insight is due: wall-clock reasoning in the tenant's zone, instants in UTC.

Plain functions, no database. Local dates and hours are turned into UTC instants through
zoneinfo, never by adding hours to a local time, so DST days, 30-minute shifts (Lord Howe),
odd offsets (+05:45, Kathmandu) and +14 (Kiritimati) all come out right.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

# One unit of daily work: a tenant and the local date its insight is for.
Item = tuple[UUID, date]


def local_date_at(instant: datetime, zone: str) -> date:
    """The tenant's calendar date at ``instant``."""
    return instant.astimezone(ZoneInfo(zone)).date()


def insight_instant(day: date, hour: int, zone: str) -> datetime:
    """The UTC instant of ``hour``:00 on ``day`` in ``zone``.

    A wall-clock time that does not exist (the hour skipped when clocks go forward) resolves to
    the same distance past the offset before the jump, i.e. later that morning; a time that occurs
    twice (clocks go back) resolves to its first occurrence. Either way it stays on ``day``.
    """
    local = datetime.combine(day, time(hour), tzinfo=ZoneInfo(zone))
    instant = local.astimezone(UTC)
    # Round trip: a skipped time maps forward; if that ever lands on another day, use midnight+.
    if instant.astimezone(ZoneInfo(zone)).date() != day:
        instant = datetime.combine(day, time(0), tzinfo=ZoneInfo(zone)).astimezone(UTC)
    return instant


def next_insight_date(now: datetime, zone: str, last_local_date: date | None) -> date:
    """The local date the next insight is for: today, unless today's is done (or a later one was
    written under another timezone), so changing zone or hour never makes a gap or a double."""
    today = local_date_at(now, zone)
    if last_local_date is None:
        return today
    return max(today, last_local_date + timedelta(days=1))


def next_run_at(now: datetime, zone: str, hour: int, last_local_date: date | None) -> datetime:
    """When the next insight is due (possibly already, if today's hour has passed)."""
    return insight_instant(next_insight_date(now, zone, last_local_date), hour, zone)
