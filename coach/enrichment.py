"""Rewriting recommendations in natural language with the model, after the insight commits.

The template's words stay the record; the rewrite is stored beside them only when every number
in it is one the template used (and none of the template's numbers went missing), so the model
can change the tone but never the facts. Identical inputs are answered from a cache.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import time
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from coach import llm, prompts
from coach.models import EnrichmentStatus, Recommendation, TemplateFlag
from gateway.logs import tenant_context

logger = logging.getLogger(__name__)

ENRICHMENT_PURPOSE = "enrichment"
# Recommendations per task: one task stays well under the time limit even when every call
# waits out its timeout, and a redelivered task redoes little.
BATCH_SIZE = 10

_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")


def enrichment_lease(now: datetime | None = None) -> datetime | None:
    """When enrichment owed from now on is published again if not done by then; None (nothing
    owed) when no model is configured. Stored with the recommendation, in its transaction."""
    if not llm.is_configured():
        return None
    return (now or timezone.now()) + timedelta(seconds=settings.COACH_ENRICHMENT_LEASE_SECONDS)


def schedule_enrichment(recommendation_ids: Sequence[int]) -> bool:
    """Publish enrichment on the ``llm`` queue; nothing when no model is configured.

    Call it from ``transaction.on_commit``: the worker must find the rows. The work is owed
    already (``enrichment_due_at``, written with the rows): if the broker refuses a message,
    its recommendations' lease is run out so that the next sweep publishes them. Returns whether
    every message was published.
    """
    if not llm.is_configured():
        return True
    ids = [int(i) for i in recommendation_ids]
    from coach.llm_tasks import enrich_recommendations  # the task module imports this one

    for start in range(0, len(ids), BATCH_SIZE):
        try:
            enrich_recommendations.delay(ids[start : start + BATCH_SIZE])
        except Exception as exc:
            logger.warning("enrichment not published (%r); the sweep publishes it", exc)
            Recommendation.objects.filter(
                pk__in=ids[start:], enrichment_due_at__isnull=False
            ).update(enrichment_due_at=timezone.now())
            return False
    return True


def numbers_in(text: str) -> set[Decimal]:
    """The numbers a reader sees in ``text`` (grouping commas removed, signs ignored)."""
    found: set[Decimal] = set()
    for match in _NUMBER.findall(text or ""):
        try:
            found.add(Decimal(match.replace(",", "").rstrip(".")).normalize())
        except InvalidOperation:
            continue
    return found


def check_numbers(original: dict[str, Any], title: str, body: str) -> str | None:
    """Why a rewrite changes a number, or None when it keeps them all and adds none."""
    allowed_text = " ".join([original["title"], original["body"], *original["figures"].values()])
    allowed = numbers_in(allowed_text)
    kept = numbers_in(original["title"] + " " + original["body"])
    written = numbers_in(f"{title} {body}")
    invented = sorted(written - allowed)
    if invented:
        return "new or changed numbers: " + ", ".join(str(n) for n in invented[:5])
    dropped = sorted(kept - written)
    if dropped:
        return "numbers left out: " + ", ".join(str(n) for n in dropped[:5])
    return None


def cache_key(payload: dict[str, Any]) -> str:
    """By template and data (and model and prompt): the same inputs give the same rewrite."""
    raw = json.dumps(
        {"payload": payload, "model": llm.model_name(), "prompt": prompts.PROMPT_VERSION},
        sort_keys=True,
        ensure_ascii=False,
    )
    return "coach:enrich:" + hashlib.sha256(raw.encode()).hexdigest()


def _parse(text: str) -> tuple[str, str] | None:
    """{"title", "body"} from the model's reply, tolerating a fenced code block around it."""
    start, end = text.find("{"), text.rfind("}")
    if start < 0 or end <= start:
        return None
    try:
        data = json.loads(text[start : end + 1])
    except ValueError:
        return None
    title, body = data.get("title"), data.get("body")
    if not isinstance(title, str) or not isinstance(body, str):
        return None
    title, body = title.strip(), body.strip()
    if not title or not body or len(title) > 300:
        return None
    return title, body


def _wanted(recommendations: Iterable[Recommendation]) -> list[Recommendation]:
    """All of them, or (COACH_ENRICH_ALL off) those whose template users found unclear."""
    recommendations = list(recommendations)
    if settings.COACH_ENRICH_ALL:
        return recommendations
    flagged = set(
        TemplateFlag.objects.filter(
            needs_rewrite=True, template_key__in={r.template_key for r in recommendations}
        ).values_list("template_key", flat=True)
    )
    return [r for r in recommendations if r.template_key in flagged]


def enrich(recommendation_ids: Sequence[int]) -> dict[str, int]:
    """Enrich the recommendations not enriched yet; safe to run twice. Returns counts by status.

    Each model call first moves the lease of the recommendations still to do ahead, so the sweep
    leaves them to this run; a run that dies leaves leases that run out, and the sweep publishes
    them again. After ``COACH_ENRICHMENT_TASK_SECONDS`` no new call starts: the rest is handed
    to a new task (or, if that cannot be published, to the sweep), which bounds the task's
    length (the visibility timeout is sized to it).
    """
    ids = [int(i) for i in recommendation_ids]
    pending = (
        Recommendation.objects.filter(pk__in=ids, enriched_at__isnull=True)
        .exclude(enrichment_status=EnrichmentStatus.DISCARDED)
        .select_related("tenant", "evidence")
        .order_by("id")
    )
    todo = _wanted(pending)
    wanted = {r.pk for r in todo}
    # Nothing is owed any more for what is done, discarded or not wanted.
    Recommendation.objects.filter(pk__in=[i for i in ids if i not in wanted]).update(
        enrichment_due_at=None
    )
    counts: dict[str, int] = {}
    stop_at = time.monotonic() + settings.COACH_ENRICHMENT_TASK_SECONDS
    for index, recommendation in enumerate(todo):
        rest = [r.pk for r in todo[index:]]
        if time.monotonic() > stop_at:
            logger.info("enrichment hands %d recommendation(s) to a new task", len(rest))
            schedule_enrichment(rest)
            counts["handed_on"] = len(rest)
            break
        Recommendation.objects.filter(pk__in=rest, enrichment_due_at__isnull=False).update(
            enrichment_due_at=enrichment_lease() or timezone.now()
        )
        with tenant_context(recommendation.tenant_id):  # its log lines name the tenant
            status = enrich_one(recommendation)
        counts[status] = counts.get(status, 0) + 1
    return counts


def enrich_one(recommendation: Recommendation) -> str:
    """Rewrite one recommendation; stores the outcome on it and returns its status."""
    payload = prompts.enrichment_input(recommendation)
    key = cache_key(payload)
    cached = cache.get(key)
    if cached is not None:
        title, body, model = cached
        return _store(recommendation, EnrichmentStatus.ENRICHED, "from cache", title, body, model)
    try:
        completion = llm.complete(
            recommendation.tenant,
            prompts.enrichment_messages(payload),
            purpose=ENRICHMENT_PURPOSE,
        )
    except llm.LLMUnavailable as exc:
        status = (
            EnrichmentStatus.SKIPPED
            if exc.reason in {llm.NOT_CONFIGURED, llm.BUDGET_EXCEEDED}
            else EnrichmentStatus.FAILED
        )
        return _store(recommendation, status, exc.reason)
    parsed = _parse(completion.text)
    if parsed is None:
        return _store(recommendation, EnrichmentStatus.DISCARDED, "reply was not a title and body")
    title, body = parsed
    problem = check_numbers(payload, title, body)
    if problem:
        logger.info("enrichment of %s discarded: %s", recommendation.pk, problem)
        return _store(recommendation, EnrichmentStatus.DISCARDED, problem)
    cache.set(key, (title, body, completion.model), settings.COACH_ENRICHMENT_CACHE_SECONDS)
    return _store(recommendation, EnrichmentStatus.ENRICHED, "", title, body, completion.model)


def _store(
    recommendation: Recommendation,
    status: str,
    note: str,
    title: str | None = None,
    body: str | None = None,
    model: str = "",
) -> str:
    recommendation.enrichment_status = status
    recommendation.enrichment_note = note[:300]
    recommendation.enrichment_due_at = None  # done, whatever the outcome
    fields = ["enrichment_status", "enrichment_note", "enrichment_due_at"]
    if status == EnrichmentStatus.ENRICHED:
        recommendation.enriched_title = title
        recommendation.enriched_body = body
        recommendation.enrichment_model = model
        recommendation.enriched_at = timezone.now()
        fields += ["enriched_title", "enriched_body", "enrichment_model", "enriched_at"]
    recommendation.save(update_fields=fields)
    return status
