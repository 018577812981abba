"""The "tell me more" conversation: per user and recommendation, answered by the
model or, honestly labelled, by the template's own explanation and the tenant's numbers.

Asking stores the question and returns at once; the model's answer is produced on the ``llm``
queue (``produce_answer``), so a slow model never holds a web request or its database
connection.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import DatabaseError, InterfaceError, OperationalError, connection, transaction
from django.utils import timezone

from coach import llm, prompts
from coach.catalog.formatting import format_metric
from coach.catalog.registry import get_template
from coach.models import (
    AnswerSource,
    AnswerStatus,
    Conversation,
    Message,
    MessageRole,
    Recommendation,
)
from coach.serializers import is_pending, message_data
from gateway.errors import FieldError
from notifications.live import send_to_user

logger = logging.getLogger(__name__)

CHAT_PURPOSE = "chat"

_WHY = {
    llm.NOT_CONFIGURED: "no AI model is configured for Coach",
    llm.BUDGET_EXCEEDED: "your business has used this month's AI budget",
    llm.TIMEOUT: "the AI model did not answer in time",
    llm.RATE_LIMITED: "the AI model is busy right now (rate limited)",
    llm.ERROR: "the AI model returned an error",
}


class ChatError(FieldError):
    """A question Coach cannot take; the message names the field."""


@dataclass(frozen=True)
class Exchange:
    conversation: Conversation
    question: Message
    answer: Message

    @property
    def pending(self) -> bool:
        """The answer is being produced on the ``llm`` queue (it arrives as ``chat.done``)."""
        return is_pending(self.answer)


def conversation_for(recommendation: Recommendation, user: User) -> Conversation | None:
    return Conversation.objects.filter(recommendation=recommendation, user=user).first()


def fallback_answer(recommendation: Recommendation, reason: str) -> str:
    """The template's explanation with the tenant's own numbers, saying it is not from the AI."""
    why = _WHY.get(reason, _WHY[llm.ERROR])
    lines = [
        f"This answer is not from the AI: {why}. It is Coach's own explanation of this "
        "recommendation, with your numbers.",
        "",
        recommendation.title,
        recommendation.body,
    ]
    try:
        description = get_template(recommendation.template_key).description
    except KeyError:
        description = ""
    if description:
        lines += ["", f"Why Coach gives this advice: {description}"]
    figures = recommendation.figures or {}
    keys = [k for k in recommendation.key_metrics or [] if k in figures] or sorted(figures)
    if keys:
        lines += ["", "The numbers behind it:"]
        lines += [
            f"- {k.replace('_', ' ')}: {format_metric(k, figures.get(k), recommendation.currency)}"
            for k in keys
        ]
    actions = [a.get("title") for a in recommendation.actions or [] if a.get("title")]
    if actions:
        lines += ["", "Suggested next steps:"] + [f"- {title}" for title in actions]
    return "\n".join(lines)


def ask(recommendation: Recommendation, user: User, question: str) -> Exchange:
    """Store the question and its answer row, and return at once: nothing slow holds a request.

    Without a model, or over the tenant's budget, the answer is the fallback, stored now. Else
    the answer row is stored pending, with a lease, and ``coach.llm_tasks.answer_question``
    (``llm`` queue) produces it after commit, streaming it to the asker's sockets; if that task
    is never published or is lost, the lease runs out and the sweep publishes it again.
    """
    question = (question or "").strip()
    if not question:
        raise ChatError("content", "must not be empty")
    limit = settings.COACH_CHAT_MAX_QUESTION_CHARS
    if len(question) > limit:
        raise ChatError("content", f"must be at most {limit} characters")

    tenant = recommendation.tenant
    reason = ""
    if not llm.is_configured():
        reason = llm.NOT_CONFIGURED
    elif not llm.within_budget(tenant):
        reason = llm.BUDGET_EXCEEDED
    with transaction.atomic():
        conversation, _ = Conversation.objects.get_or_create(
            tenant=tenant, recommendation=recommendation, user=user
        )
        asked = Message.objects.create(
            conversation=conversation,
            role=MessageRole.USER,
            source=AnswerSource.USER,
            content=question,
        )
        answer = Message.objects.create(
            conversation=conversation,
            role=MessageRole.ASSISTANT,
            source=AnswerSource.FALLBACK,
            fallback_reason=reason,
            content=fallback_answer(recommendation, reason) if reason else "",
            status=AnswerStatus.DONE if reason else AnswerStatus.PENDING,
            lease_until=None if reason else answer_lease(),
        )
        _touch(conversation)
        if reason:
            transaction.on_commit(lambda: _push_done(conversation, answer))
        else:
            transaction.on_commit(lambda: publish_answer(answer.pk, asked.pk))
    return Exchange(conversation=conversation, question=asked, answer=answer)


def answer_lease() -> datetime:
    """Until when a pending answer belongs to the run producing it (or to the message on its way
    there); after that the sweep publishes it again."""
    return timezone.now() + timedelta(seconds=settings.COACH_CHAT_ANSWER_LEASE_SECONDS)


def publish_answer(answer_id: int, question_id: int) -> bool:
    """Hand a pending answer to the ``llm`` queue. If the broker refuses it, the answer stays
    pending with its lease run out, so the next sweep publishes it: the question was stored and
    is answered once the broker is back."""
    from coach.llm_tasks import answer_question  # the task module imports this one

    try:
        answer_question.delay(answer_id, question_id)
    except Exception as exc:
        logger.warning("chat answer %s not published (%r); the sweep publishes it", answer_id, exc)
        Message.objects.filter(pk=answer_id, status=AnswerStatus.PENDING).update(
            lease_until=timezone.now()
        )
        return False
    return True


def produce_answer(answer_id: int, question_id: int) -> str:
    """Fill a pending answer with the model's words (streamed) or the honest fallback.

    Safe to run twice: a second run while the first is still at it stops at once (an advisory
    lock held by the first run's database session, so it dies with a dead worker); a run after
    the answer was stored only pushes ``chat.done`` again; and the answer is written only while
    the row is still pending, so one question never gets two answers. Returns what happened.
    """
    with _answering(answer_id) as mine:
        if not mine:
            return "busy"
        answer = (
            Message.objects.select_related("conversation__recommendation__tenant")
            .filter(pk=answer_id, role=MessageRole.ASSISTANT)
            .first()
        )
        if answer is None:
            return "missing"  # the conversation was deleted meanwhile
        conversation = answer.conversation
        if not is_pending(answer):
            _push_done(conversation, answer)  # the push may have died with the earlier worker
            return "already_answered"
        # This run has the answer now: the sweep leaves it alone while the lease lasts.
        Message.objects.filter(pk=answer.pk, status=AnswerStatus.PENDING).update(
            lease_until=answer_lease()
        )
        recommendation = conversation.recommendation
        question = Message.objects.filter(
            pk=question_id, conversation=conversation, role=MessageRole.USER
        ).first()
        if question is None:
            stored = _store(answer, **_fallback_fields(recommendation, llm.ERROR))
        else:
            stored = _answer_with_model(recommendation, conversation, question, answer)
        if not stored:
            return "already_answered"
        _touch(conversation)
        _push_done(conversation, answer)
        return answer.source


def give_up(answer_id: int) -> bool:
    """Answer with the honest fallback ("did not answer in time") a question whose answer stayed
    pending too long (its task was lost or killed again and again); False if it was answered."""
    answer = (
        Message.objects.select_related("conversation__recommendation")
        .filter(pk=answer_id, role=MessageRole.ASSISTANT)
        .first()
    )
    if answer is None:
        return False
    conversation = answer.conversation
    if not _store(answer, **_fallback_fields(conversation.recommendation, llm.TIMEOUT)):
        return False
    _touch(conversation)
    _push_done(conversation, answer)
    return True


def _history(conversation: Conversation, question: Message) -> list[Message]:
    """The messages before the question, oldest first, without answers still being produced."""
    keep = settings.COACH_CHAT_HISTORY_MESSAGES
    if not keep:
        return []
    earlier = (
        conversation.messages.filter(id__lt=question.pk)
        .exclude(status=AnswerStatus.PENDING)
        .order_by("-created_at", "-id")[:keep]
    )
    return list(reversed(earlier))


def _answer_with_model(
    recommendation: Recommendation,
    conversation: Conversation,
    question: Message,
    answer: Message,
) -> bool:
    def on_delta(piece: str) -> None:
        _push(
            conversation,
            {
                "type": "chat.delta",
                "conversation_id": conversation.pk,
                "message_id": answer.pk,
                "delta": piece,
            },
        )

    messages = prompts.chat_messages(
        recommendation, _history(conversation, question), question.content
    )
    try:
        completion = llm.complete(
            recommendation.tenant, messages, purpose=CHAT_PURPOSE, on_delta=on_delta
        )
    except llm.LLMUnavailable as exc:
        return _store(answer, **_fallback_fields(recommendation, exc.reason))
    except (OperationalError, InterfaceError):
        raise  # transient: the task retries, the answer is still pending
    except Exception:
        logger.exception("chat answer %s failed; the fallback answers", answer.pk)
        return _store(answer, **_fallback_fields(recommendation, llm.ERROR))
    return _store(
        answer,
        source=AnswerSource.LLM,
        fallback_reason="",
        content=completion.text,
        model=completion.model,
        prompt_tokens=completion.prompt_tokens,
        completion_tokens=completion.completion_tokens,
    )


def _fallback_fields(recommendation: Recommendation, reason: str) -> dict[str, Any]:
    return {
        "source": AnswerSource.FALLBACK,
        "fallback_reason": reason,
        "content": fallback_answer(recommendation, reason),
    }


def _store(answer: Message, **fields: Any) -> bool:
    """Write the answer if it is still pending; False when another run already answered it."""
    fields = {**fields, "status": AnswerStatus.DONE, "lease_until": None}
    written = Message.objects.filter(
        pk=answer.pk, role=MessageRole.ASSISTANT, status=AnswerStatus.PENDING
    ).update(**fields)
    if written:
        for name, value in fields.items():
            setattr(answer, name, value)
    return bool(written)


@contextmanager
def _answering(answer_id: int) -> Iterator[bool]:
    """Whether this run may produce the answer: a session-level Postgres advisory lock, free
    again when the run ends or its connection dies with its worker."""
    key = f"coach.chat.answer:{answer_id}"
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(hashtextextended(%s, 0))", [key])
        mine = bool(cursor.fetchone()[0])
    try:
        yield mine
    finally:
        if mine:
            try:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(hashtextextended(%s, 0))", [key])
            except DatabaseError:
                logger.warning("advisory unlock of chat answer %s failed", answer_id)
                connection.close()  # a broken session takes its lock with it


def _touch(conversation: Conversation) -> None:
    Conversation.objects.filter(pk=conversation.pk).update(updated_at=timezone.now())


def _push_done(conversation: Conversation, answer: Message) -> None:
    _push(
        conversation,
        {
            "type": "chat.done",
            "conversation_id": conversation.pk,
            "message_id": answer.pk,
            "message": message_data(answer),
        },
    )


def _push(conversation: Conversation, payload: dict[str, Any]) -> None:
    """Best effort: the stored message is the record, the socket only shows it sooner."""
    try:
        send_to_user(conversation.tenant_id, conversation.user_id, payload)
    except Exception:
        logger.warning("chat push to user %s failed", conversation.user_id, exc_info=True)
