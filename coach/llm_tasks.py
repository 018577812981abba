"""Tasks that talk to the model; routed to the ``llm`` queue by this module's name."""

from __future__ import annotations

from collections.abc import Sequence

from coach.enrichment import enrich
from config.celery import RETRYING, app


@app.task(**RETRYING)
def enrich_recommendations(recommendation_ids: Sequence[int]) -> dict[str, int]:
    """Rewrite a batch of recommendations; idempotent (enriched ones are skipped)."""
    return enrich(list(recommendation_ids))
