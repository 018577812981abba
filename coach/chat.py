"""The "tell me more" conversation: per user and recommendation, answered by the
model or, honestly labelled, by the template's own explanation and the tenant's numbers."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from coach import llm, prompts
from coach.catalog.formatting import format_metric
from coach.catalog.registry import get_template
from coach.models import AnswerSource, Conversation, Message, MessageRole, Recommendation
from coach.serializers import message_data
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


def conversation_for(recommendation: Recommendation, user: AbstractBaseUser) -> Conversation | None:
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


def ask(recommendation: Recommendation, user: AbstractBaseUser, question: str) -> Exchange:
    """Store the question, answer it (streaming to the user's sockets) and store the answer.

    The answer row is written first with the fallback text, so that a crash mid-stream leaves
    an honest answer behind, never an empty or half one; it is replaced by the model's text when
    the model finishes.
    """
    question = (question or "").strip()
    if not question:
        raise ChatError("content", "must not be empty")
    limit = settings.COACH_CHAT_MAX_QUESTION_CHARS
    if len(question) > limit:
        raise ChatError("content", f"must be at most {limit} characters")

    conversation, _ = Conversation.objects.get_or_create(
        tenant=recommendation.tenant, recommendation=recommendation, user=user
    )
    keep = settings.COACH_CHAT_HISTORY_MESSAGES
    history = (
        list(reversed(conversation.messages.order_by("-created_at", "-id")[:keep])) if keep else []
    )
    asked = Message.objects.create(
        conversation=conversation, role=MessageRole.USER, source=AnswerSource.USER, content=question
    )
    reason = llm.NOT_CONFIGURED if not llm.is_configured() else ""
    answer = Message.objects.create(
        conversation=conversation,
        role=MessageRole.ASSISTANT,
        source=AnswerSource.FALLBACK,
        fallback_reason=reason or llm.ERROR,
        content=fallback_answer(recommendation, reason or llm.ERROR),
    )
    if not reason:
        _answer_with_model(recommendation, user, conversation, history, question, answer)
    Conversation.objects.filter(pk=conversation.pk).update(updated_at=timezone.now())
    _push(
        recommendation,
        user,
        {
            "type": "chat.done",
            "conversation_id": conversation.pk,
            "message_id": answer.pk,
            "message": message_data(answer),
        },
    )
    return Exchange(conversation=conversation, question=asked, answer=answer)


def _answer_with_model(
    recommendation: Recommendation,
    user: AbstractBaseUser,
    conversation: Conversation,
    history: list[Message],
    question: str,
    answer: Message,
) -> None:
    def on_delta(piece: str) -> None:
        _push(
            recommendation,
            user,
            {
                "type": "chat.delta",
                "conversation_id": conversation.pk,
                "message_id": answer.pk,
                "delta": piece,
            },
        )

    messages = prompts.chat_messages(recommendation, history, question)
    try:
        completion = llm.complete(
            recommendation.tenant, messages, purpose=CHAT_PURPOSE, on_delta=on_delta
        )
    except llm.LLMUnavailable as exc:
        answer.fallback_reason = exc.reason
        answer.content = fallback_answer(recommendation, exc.reason)
        answer.save(update_fields=["fallback_reason", "content"])
        return
    answer.source = AnswerSource.LLM
    answer.fallback_reason = ""
    answer.content = completion.text
    answer.model = completion.model
    answer.prompt_tokens = completion.prompt_tokens
    answer.completion_tokens = completion.completion_tokens
    answer.save(
        update_fields=[
            "source",
            "fallback_reason",
            "content",
            "model",
            "prompt_tokens",
            "completion_tokens",
        ]
    )


def _push(recommendation: Recommendation, user: AbstractBaseUser, payload: dict[str, Any]) -> None:
    """Best effort: the stored message is the record, the socket only shows it sooner."""
    try:
        send_to_user(recommendation.tenant_id, user.pk, payload)
    except Exception:
        logger.warning("chat push to user %s failed", user.pk, exc_info=True)
