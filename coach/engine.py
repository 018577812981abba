"""Choose and order the day's recommendations from the catalog's candidates.

Pure: what was issued before, what feedback taught (score factors) and what the tenant silenced all
come in as arguments, so the engine is tested without a database and `coach` never has to import
`feedback` or `insights`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date

from coach.catalog.base import Candidate
from coach.vocabulary import Priority

__all__ = ["EngineConfig", "IssuedBefore", "rank"]


@dataclass(frozen=True)
class IssuedBefore:
    """A recommendation this tenant already received: which template, how urgent, when."""

    template_key: str
    priority: Priority
    issued_on: date

    def __post_init__(self) -> None:
        # Rows read back from the database carry the priority as its string value.
        object.__setattr__(self, "priority", Priority(self.priority))


@dataclass(frozen=True)
class EngineConfig:
    """How often advice may repeat and how much of it a day may carry."""

    # A week keeps a persisting problem visible without repeating it every morning.
    cooldown_days: int = 7
    # More than five recommendations a day stop being read.
    max_per_day: int = 5

    def __post_init__(self) -> None:
        if self.cooldown_days < 0:
            raise ValueError("cooldown_days must be zero or more")
        if self.max_per_day < 0:
            raise ValueError("max_per_day must be zero or more")


def rank(
    candidates: Iterable[Candidate],
    *,
    today: date,
    history: Sequence[IssuedBefore] = (),
    adjustments: Mapping[str, float] | None = None,
    silenced: Mapping[str, date] | None = None,
    config: EngineConfig = EngineConfig(),
) -> list[Candidate]:
    """The candidates to issue today, most urgent first, with their adjusted scores.

    Drops silenced templates (through their date, inclusive) and those in cooldown, multiplies each
    score by its feedback factor, orders by priority, then adjusted score, then key, and caps the
    list at max_per_day without ever dropping a critical one.
    """
    last_issued = _last_issued(history)
    silenced = silenced or {}
    adjustments = adjustments or {}
    chosen: dict[str, Candidate] = {}
    for candidate in candidates:
        key = candidate.template_key
        until = silenced.get(key)
        if until is not None and today <= until:
            continue
        if _cooling_down(candidate, last_issued.get(key), today, config.cooldown_days):
            continue
        adjusted = replace(candidate, score=_adjusted(candidate.score, adjustments.get(key, 1.0)))
        best = chosen.get(key)
        if best is None or _order(adjusted) < _order(best):  # one recommendation per template
            chosen[key] = adjusted
    ordered = sorted(chosen.values(), key=_order)
    return _capped(ordered, config.max_per_day)


def _order(candidate: Candidate) -> tuple[int, float, str]:
    """Critical first, then the higher adjusted score, then the key so ties are deterministic."""
    return (-candidate.priority.rank, -candidate.score, candidate.template_key)


def _adjusted(score: float, factor: float) -> float:
    if not math.isfinite(factor) or factor < 0:
        raise ValueError(
            f"score adjustment must be a finite factor of zero or more, got {factor!r}"
        )
    return round(score * factor, 2)


def _last_issued(history: Sequence[IssuedBefore]) -> dict[str, IssuedBefore]:
    """The latest issue of each template; on the same day, the most urgent one counts."""
    latest: dict[str, IssuedBefore] = {}
    for issued in sorted(history, key=lambda i: (i.issued_on, i.priority.rank)):
        latest[issued.template_key] = issued
    return latest


def _cooling_down(
    candidate: Candidate, last: IssuedBefore | None, today: date, cooldown_days: int
) -> bool:
    """Issued fewer than cooldown_days ago, and not more urgent now than it was then."""
    if last is None or (today - last.issued_on).days >= cooldown_days:
        return False
    return candidate.priority.rank <= last.priority.rank


def _capped(ordered: list[Candidate], limit: int) -> list[Candidate]:
    """The first `limit`, except that every critical one stays even beyond the limit."""
    critical = [c for c in ordered if c.priority == Priority.CRITICAL]
    others = [c for c in ordered if c.priority != Priority.CRITICAL]
    return critical + others[: max(0, limit - len(critical))]
