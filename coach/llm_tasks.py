"""Tasks that talk to the model; routed to the ``llm`` queue by this module's name."""

from __future__ import annotations

from collections.abc import Sequence

from celery import Task

from coach.chat import produce_answer
from coach.enrichment import enrich
from config.celery import RETRYING, app


@app.task(**RETRYING)
def enrich_recommendations(recommendation_ids: Sequence[int]) -> dict[str, int]:
    """Rewrite a batch of recommendations; idempotent (enriched ones are skipped)."""
    return enrich(list(recommendation_ids))


# A run that finds another run at the same answer looks again this much later: the other may be
# a live duplicate (then the answer is stored by then) or a run that just died, whose database
# session Postgres has not yet closed.
BUSY_RETRY_SECONDS = 5
BUSY_RETRIES = 60


@app.task(bind=True, **RETRYING)
def answer_question(self: Task, answer_id: int, question_id: int) -> str:
    """Produce a pending "tell me more" answer, streamed to the asker; safe to run twice (a
    stored answer is never redone, a run already at it is not doubled)."""
    outcome = produce_answer(answer_id, question_id)
    if outcome == "busy":
        raise self.retry(countdown=BUSY_RETRY_SECONDS, max_retries=BUSY_RETRIES)
    return outcome
