"""Talking to the model through the official ``openai`` client: budget, retries, usage.

Every call names the tenant it is made for, so the tenant's monthly token budget is checked
before and its usage recorded after. Failures never escape as provider exceptions: they become
``LLMUnavailable`` with a reason the caller turns into an honest fallback.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import httpx2
import openai
from django.conf import settings
from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone

from coach.models import LLMUsage
from gateway.models import Tenant

logger = logging.getLogger(__name__)

NOT_CONFIGURED = "not_configured"
BUDGET_EXCEEDED = "budget_exceeded"
TIMEOUT = "timeout"
RATE_LIMITED = "rate_limited"
ERROR = "error"

# Rough size of a token in characters, for servers that do not report usage on a stream.
_CHARS_PER_TOKEN = 4


class LLMUnavailable(Exception):
    """The model could not answer; ``reason`` is one of the constants above."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class Completion:
    text: str
    model: str
    prompt_tokens: int
    completion_tokens: int


Message = dict[str, str]
OnDelta = Callable[[str], None]


def is_configured() -> bool:
    """Without an API key the LLM parts are off: a supported mode, not an error."""
    return bool(settings.OPENAI_API_KEY)


def model_name() -> str:
    return settings.COACH_LLM_MODEL


def _client() -> openai.OpenAI:
    # The client's own retries are off: ours below know the caller's budget of patience and
    # record every attempt.
    return openai.OpenAI(
        api_key=settings.OPENAI_API_KEY,
        base_url=settings.OPENAI_BASE_URL or None,
        timeout=settings.COACH_LLM_TIMEOUT,
        max_retries=0,
    )


# --- budget and usage ------------------------------------------------------------------------


def budget_month(tenant: Tenant) -> date:
    """The first day of the tenant's current month, in its own timezone."""
    return tenant.local_today().replace(day=1)


def tokens_used(tenant: Tenant, month: date | None = None) -> int:
    totals = LLMUsage.objects.filter(tenant=tenant, month=month or budget_month(tenant)).aggregate(
        prompt=Sum("prompt_tokens"), completion=Sum("completion_tokens")
    )
    return (totals["prompt"] or 0) + (totals["completion"] or 0)


def within_budget(tenant: Tenant) -> bool:
    """Whether the tenant may spend more this month. Concurrent calls may overshoot the budget
    by at most one call each; the next call is refused."""
    budget = settings.COACH_LLM_MONTHLY_TOKEN_BUDGET
    return budget > 0 and tokens_used(tenant) < budget


def record_usage(
    tenant: Tenant, purpose: str, *, prompt_tokens: int = 0, completion_tokens: int = 0, ok: bool
) -> None:
    """Add one request to the tenant's monthly row (created on first use), atomically."""
    month = budget_month(tenant)
    with transaction.atomic():
        row, _ = LLMUsage.objects.get_or_create(tenant=tenant, month=month, purpose=purpose)
        LLMUsage.objects.filter(pk=row.pk).update(
            requests=F("requests") + 1,
            failures=F("failures") + (0 if ok else 1),
            prompt_tokens=F("prompt_tokens") + prompt_tokens,
            completion_tokens=F("completion_tokens") + completion_tokens,
            updated_at=timezone.now(),
        )


# --- calling the model -----------------------------------------------------------------------


def complete(
    tenant: Tenant,
    messages: Sequence[Message],
    *,
    purpose: str,
    on_delta: OnDelta | None = None,
) -> Completion:
    """The model's answer to ``messages``, streamed to ``on_delta`` when given.

    Retries rate limits (waiting what Retry-After asks, if not longer than the configured
    maximum), server errors and timeouts with exponential backoff; a stream that already
    delivered text is not retried, since the user has seen part of it.
    """
    if not is_configured():
        raise LLMUnavailable(NOT_CONFIGURED)
    if not within_budget(tenant):
        raise LLMUnavailable(BUDGET_EXCEEDED)
    client = _client()
    attempts = settings.COACH_LLM_MAX_RETRIES + 1
    for attempt in range(attempts):
        delivered: list[str] = []
        try:
            if on_delta is None:
                result = _once(client, messages)
            else:
                result = _stream(client, messages, on_delta, delivered)
        except _Retryable as exc:
            record_usage(tenant, purpose, ok=False)
            last = attempt == attempts - 1
            wait = exc.wait if exc.wait is not None else _backoff(attempt)
            if last or delivered or wait > settings.COACH_LLM_MAX_RETRY_WAIT:
                logger.warning("LLM %s for tenant %s gave up: %s", purpose, tenant.pk, exc.reason)
                raise LLMUnavailable(exc.reason, exc.detail) from None
            time.sleep(wait)
            continue
        except LLMUnavailable:
            record_usage(tenant, purpose, ok=False)
            raise
        record_usage(
            tenant,
            purpose,
            prompt_tokens=result.prompt_tokens,
            completion_tokens=result.completion_tokens,
            ok=True,
        )
        return result
    raise LLMUnavailable(ERROR, "no attempt made")  # only when COACH_LLM_MAX_RETRIES < 0


class _Retryable(Exception):
    def __init__(self, reason: str, detail: str, wait: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.detail = detail
        self.wait = wait


def _backoff(attempt: int) -> float:
    return settings.COACH_LLM_BACKOFF * (2**attempt)


def _retry_after(response: Any) -> float | None:
    """Seconds the server asked us to wait (Retry-After, or the -ms variant), if it said."""
    headers = getattr(response, "headers", None) or {}
    for header, divisor in (("retry-after-ms", 1000.0), ("retry-after", 1.0)):
        raw = headers.get(header)
        if raw is None:
            continue
        try:
            return max(0.0, float(raw) / divisor)
        except ValueError:
            continue
    return None


def _translate(exc: Exception) -> Exception:
    """Provider and transport errors as ours: retryable or not, with a reason."""
    if isinstance(exc, openai.RateLimitError):
        return _Retryable(RATE_LIMITED, str(exc), _retry_after(exc.response))
    if isinstance(exc, openai.APITimeoutError | httpx2.TimeoutException):
        return _Retryable(TIMEOUT, str(exc) or "timed out")
    if isinstance(exc, openai.APIStatusError):
        if exc.status_code >= 500 or exc.status_code in {408, 409}:
            return _Retryable(ERROR, f"HTTP {exc.status_code}")
        return LLMUnavailable(ERROR, f"HTTP {exc.status_code}")
    if isinstance(exc, openai.APIConnectionError | httpx2.TransportError):
        return _Retryable(ERROR, str(exc) or type(exc).__name__)
    if isinstance(exc, openai.OpenAIError):
        return LLMUnavailable(ERROR, str(exc))
    return exc


def _request(messages: Sequence[Message]) -> dict[str, Any]:
    return {
        "model": model_name(),
        "messages": list(messages),
        "max_tokens": settings.COACH_LLM_MAX_OUTPUT_TOKENS,
        "temperature": 0.3,
    }


def _once(client: openai.OpenAI, messages: Sequence[Message]) -> Completion:
    try:
        response = client.chat.completions.create(**_request(messages))
    except Exception as exc:  # translated: provider errors become ours
        raise _translate(exc) from None
    choice = response.choices[0] if response.choices else None
    text = (choice.message.content if choice and choice.message else None) or ""
    if not text.strip():
        raise _Retryable(ERROR, "empty answer")
    usage = response.usage
    return Completion(
        text=text,
        model=response.model or model_name(),
        prompt_tokens=usage.prompt_tokens if usage else _estimate(messages),
        completion_tokens=usage.completion_tokens if usage else len(text) // _CHARS_PER_TOKEN,
    )


def _stream(
    client: openai.OpenAI, messages: Sequence[Message], on_delta: OnDelta, delivered: list[str]
) -> Completion:
    """Stream chunks to ``on_delta`` as they come; ``delivered`` tells the caller what was sent."""
    model = model_name()
    usage = None
    try:
        stream = client.chat.completions.create(
            **_request(messages), stream=True, stream_options={"include_usage": True}
        )
        with stream:
            for chunk in stream:
                model = chunk.model or model
                if chunk.usage is not None:
                    usage = chunk.usage
                for choice in chunk.choices or ():
                    piece = choice.delta.content if choice.delta else None
                    if piece:
                        delivered.append(piece)
                        on_delta(piece)
    except Exception as exc:  # translated: provider and transport errors become ours
        raise _translate(exc) from None
    text = "".join(delivered)
    if not text.strip():
        raise _Retryable(ERROR, "empty answer")
    return Completion(
        text=text,
        model=model,
        prompt_tokens=usage.prompt_tokens if usage else _estimate(messages),
        completion_tokens=usage.completion_tokens if usage else len(text) // _CHARS_PER_TOKEN,
    )


def _estimate(messages: Sequence[Message]) -> int:
    return sum(len(m.get("content", "")) for m in messages) // _CHARS_PER_TOKEN
