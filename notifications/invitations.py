"""The invitation email: someone asked a person to join a business on Coach.

The gateway owns invitations and sends ``gateway.team.invitation_created`` after one is
committed; this module (connected in ``NotificationsConfig.ready``) queues the email on the
``notifications`` queue, so the request never waits for SMTP. The invitee has no account yet, so
this email has no ``Delivery`` row (those are per member or destination): it is a plain send,
retried on a connection failure, and sending the invitation again replaces it.
"""

from __future__ import annotations

import smtplib
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from config.celery import app


def invitation_email(
    *, to: str, tenant_name: str, inviter: str, role: str, accept_url: str, expires: str
) -> EmailMultiAlternatives:
    context = {
        "tenant_name": tenant_name,
        "inviter": inviter,
        "role": role,
        "link": accept_url,
        "expires": expires,
    }
    message = EmailMultiAlternatives(
        subject=f"{inviter} invited you to {tenant_name} on Coach"[:200],
        body=render_to_string("notifications/email/invitation.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers={"Auto-Submitted": "auto-generated", "X-Coach-Email": "invitation"},
    )
    message.attach_alternative(
        render_to_string("notifications/email/invitation.html", context), "text/html"
    )
    return message


@app.task(
    name="notifications.tasks.send_invitation_email",
    autoretry_for=(OSError, smtplib.SMTPException),
    retry_backoff=5,
    retry_jitter=True,
    max_retries=6,
    acks_late=True,
)
def send_invitation_email(**fields: str) -> None:
    invitation_email(**fields).send()


def on_invitation_created(
    sender: Any, *, invitation: Any, accept_url: str, inviter: Any, **kwargs: Any
) -> None:
    """Queue the email (the invitation is committed: this runs from ``on_commit``)."""
    name = (inviter.get_full_name() or inviter.username) if inviter is not None else "Someone"
    send_invitation_email.delay(
        to=invitation.email,
        tenant_name=invitation.tenant.name,
        inviter=name,
        role=invitation.get_role_display(),
        accept_url=accept_url,
        expires=invitation.expires_at.date().isoformat(),
    )
