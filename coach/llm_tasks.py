"""Tasks that talk to the model; routed to the ``llm`` queue by this module's name."""

from __future__ import annotations

from collections.abc import Sequence

from coach.chat import produce_answer
from coach.enrichment import enrich
from config.celery import RETRYING, app


@app.task(**RETRYING)
def enrich_recommendations(recommendation_ids: Sequence[int]) -> dict[str, int]:
    """Rewrite a batch of recommendations; idempotent (enriched ones are skipped)."""
    return enrich(list(recommendation_ids))


@app.task(**RETRYING)
def answer_question(answer_id: int, question_id: int) -> str:
    """Produce a pending "tell me more" answer, streamed to the asker; safe to run twice (a
    stored answer is never redone, a run already at it is not doubled)."""
    return produce_answer(answer_id, question_id)
