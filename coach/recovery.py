"""The sweep: work owed to the ``llm`` queue whose lease ran out is published again.

Enrichment and a pending chat answer are recorded in Postgres, with a lease, in the transaction
that makes them, and their message is published after commit. Whatever loses the message (the
broker down at that instant, a non-persistent Redis restarting, a killed thread-pool worker
whose message would only come back after the visibility timeout), the lease runs out and the
next sweep publishes the work again. Every task is safe to run twice, so a sweep that publishes
work still in flight costs a duplicate message, never a duplicate answer or rewrite.

Rows are claimed with ``FOR UPDATE SKIP LOCKED`` and their lease moved ahead in the same
transaction, so two sweeps at once (two Beats) split the work; the messages go after commit.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from coach import chat, llm
from coach.enrichment import schedule_enrichment
from coach.models import AnswerStatus, Message, MessageRole, Recommendation

log = logging.getLogger(__name__)

# Rows claimed per sweep and kind: a sweep after a long outage catches up over a few passes.
SWEEP_LIMIT = 2000


@dataclass(frozen=True)
class SweepResult:
    enrichment: int  # recommendations whose enrichment was published again
    answers: int  # pending answers published again
    given_up: int  # pending answers answered with the fallback (pending too long)
    dropped: int  # enrichment owed for too long, dropped (the template's words stand)

    def summary(self) -> dict[str, int]:
        return {
            "enrichment": self.enrichment,
            "answers": self.answers,
            "given_up": self.given_up,
            "dropped": self.dropped,
        }


def sweep(now: datetime | None = None) -> SweepResult:
    """One pass over enrichment and answers whose lease ran out at ``now`` (default: now)."""
    now = now or timezone.now()
    dropped, enrichment = republish_enrichment(now)
    given_up, answers = republish_answers(now)
    if enrichment or answers or given_up or dropped:
        log.info(
            "sweep enrichment=%d answers=%d given_up=%d dropped=%d",
            enrichment,
            answers,
            given_up,
            dropped,
        )
    return SweepResult(enrichment, answers, given_up, dropped)


def republish_enrichment(now: datetime) -> tuple[int, int]:
    """(dropped, published): enrichment owed whose lease ran out is published again; owed for
    longer than ``COACH_ENRICHMENT_MAX_AGE_SECONDS`` it is dropped."""
    too_old = now - timedelta(seconds=settings.COACH_ENRICHMENT_MAX_AGE_SECONDS)
    dropped = Recommendation.objects.filter(
        enrichment_due_at__isnull=False, created_at__lt=too_old
    ).update(enrichment_due_at=None)
    if not llm.is_configured():
        return dropped, 0  # owed, kept: published once a model is configured again
    lease = now + timedelta(seconds=settings.COACH_ENRICHMENT_LEASE_SECONDS)
    with transaction.atomic():
        ids = list(
            Recommendation.objects.select_for_update(skip_locked=True)
            .filter(enrichment_due_at__lte=now)
            .order_by("enrichment_due_at")
            .values_list("id", flat=True)[:SWEEP_LIMIT]
        )
        if ids:
            Recommendation.objects.filter(pk__in=ids).update(enrichment_due_at=lease)
            transaction.on_commit(lambda: schedule_enrichment(sorted(ids)))
    return dropped, len(ids)


def republish_answers(now: datetime) -> tuple[int, int]:
    """(given up, published): pending answers whose lease ran out are published again; pending
    for longer than ``COACH_CHAT_ANSWER_GIVE_UP_SECONDS`` they get the honest fallback."""
    too_old = now - timedelta(seconds=settings.COACH_CHAT_ANSWER_GIVE_UP_SECONDS)
    stale = Message.objects.filter(
        status=AnswerStatus.PENDING, lease_until__lte=now, created_at__lt=too_old
    ).values_list("id", flat=True)[:SWEEP_LIMIT]
    given_up = sum(chat.give_up(answer_id) for answer_id in stale)
    question = Message.objects.filter(
        conversation=OuterRef("conversation"), role=MessageRole.USER, id__lt=OuterRef("id")
    ).order_by("-id")
    lease = now + timedelta(seconds=settings.COACH_CHAT_ANSWER_LEASE_SECONDS)
    with transaction.atomic():
        rows = list(
            Message.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(status=AnswerStatus.PENDING, lease_until__lte=now)
            .annotate(question_id=Subquery(question.values("id")[:1]))
            .order_by("lease_until")
            .values_list("id", "question_id")[:SWEEP_LIMIT]
        )
        if rows:
            Message.objects.filter(pk__in=[answer_id for answer_id, _ in rows]).update(
                lease_until=lease
            )
            transaction.on_commit(lambda: _publish_answers(rows))
    return given_up, len(rows)


def _publish_answers(rows: list[tuple[int, int | None]]) -> None:
    for index, (answer_id, question_id) in enumerate(rows):
        # A question deleted meanwhile: the task stores the fallback for its answer.
        if not chat.publish_answer(answer_id, question_id or 0):
            # The broker is down: the rest waits for the next sweep, not for a lease.
            rest = [pk for pk, _ in rows[index:]]
            Message.objects.filter(pk__in=rest, status=AnswerStatus.PENDING).update(
                lease_until=timezone.now()
            )
            return
