"""The emails: the morning email and alert emails, from templates, with one-click unsubscribe.

Every email carries a signed link that turns its kind off without logging in, and the
``List-Unsubscribe`` / ``List-Unsubscribe-Post`` headers (RFC 8058) that let a mail client do
the same with one click. The ``Message-ID`` is fixed per delivery, so a resend after a worker
died in the middle of the SMTP exchange is recognised as the same email by the receiving side.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from notifications.channels import DIGEST, console_link

_SALT = "coach.notifications.unsubscribe"


def unsubscribe_token(tenant_id: UUID | str, user_id: int, kind: str) -> str:
    return signing.dumps({"t": str(tenant_id), "u": user_id, "k": kind}, salt=_SALT, compress=True)


def read_unsubscribe_token(token: str) -> tuple[str, int, str]:
    """(tenant id, user id, kind); ``signing.BadSignature`` when forged or damaged."""
    data = signing.loads(token, salt=_SALT)
    return str(data["t"]), int(data["u"]), str(data["k"])


def unsubscribe_url(tenant_id: UUID | str, user_id: int, kind: str) -> str:
    token = unsubscribe_token(tenant_id, user_id, kind)
    base = settings.COACH_PUBLIC_URL.rstrip("/")
    return f"{base}/email/unsubscribe/{token}/"


def _signed(value: float | None) -> str:
    if value is None:
        return ""
    return f"+{value:g}" if value > 0 else f"{value:g}"


def render(
    payload: dict[str, Any], *, delivery_id: int, user_id: int, to: str
) -> EmailMultiAlternatives:
    """The email of a delivery, from its plain data (what was queued), text and HTML."""
    tenant = payload["tenant"]
    kind = payload["kind"]
    link = console_link(tenant["id"])
    unsubscribe = unsubscribe_url(tenant["id"], user_id, kind)
    context = {
        **payload,
        "link": link,
        "unsubscribe": unsubscribe,
        "change_text": _signed(payload.get("change")),
        "what": "the morning email" if kind == DIGEST else f"{kind.replace('_', ' ')} emails",
    }
    if kind == DIGEST:
        name = "digest"
        score = payload.get("score")
        score_text = "no score" if score is None else f"health {score:g}"
        change = context["change_text"]
        subject = f"{tenant['name']}: {score_text}" + (f" ({change})" if change else "")
        subject += f", {payload['local_date']}"
    else:
        name = "alert"
        subject = f"{tenant['name']}: {payload['title']}"
    text = render_to_string(f"notifications/email/{name}.txt", context)
    html = render_to_string(f"notifications/email/{name}.html", context)
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2].strip(">") or "coach.local"
    message = EmailMultiAlternatives(
        subject=subject[:200],
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers={
            "Message-ID": f"<coach-delivery-{delivery_id}@{domain}>",
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
            "X-Coach-Email": kind,  # digest, or the alert's kind: for mail filters
        },
    )
    message.attach_alternative(html, "text/html")
    return message
