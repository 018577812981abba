"""A tenant's team: invitations by email, accepting them, changing roles, removing members.

Every rule lives here, the views only call it. The one rule that protects a tenant from being
left without anyone in charge: its last owner can be neither demoted nor removed (the owners are
locked while it is checked, so two owners removing each other at once cannot both succeed).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

import django.dispatch
from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from gateway.errors import FieldError
from gateway.models import Invitation, Membership, Role, Tenant, hash_token

INVITATION_DAYS = 7

# Sent after an invitation is committed, with the plain data its email needs. The notifications
# app (which owns every email) listens; the gateway imports nothing of it.
invitation_created = django.dispatch.Signal()  # invitation, key, accept_url, inviter


class TeamError(FieldError):
    """A team change that is not allowed; ``field`` names what is wrong."""


def accept_url(key: str) -> str:
    """The link in the email: the console, which shows the invitation and accepts it."""
    return f"{settings.COACH_PUBLIC_URL.rstrip('/')}/#invite={key}"


def _assignable(actor_role: str, role: str) -> None:
    """Admins manage everyone but owners; only an owner makes or unmakes owners."""
    if role == Role.OWNER and actor_role != Role.OWNER:
        raise TeamError("role", "only an owner can make someone an owner")


@dataclass(frozen=True)
class NewInvitation:
    invitation: Invitation
    key: str  # shown once: in the email, and to the inviter who may copy the link
    url: str


def invite(tenant: Tenant, inviter: User, actor_role: str, email: str, role: str) -> NewInvitation:
    """Invite ``email`` with ``role``; the email goes out after commit (``invitation_created``).

    A pending invitation to the same address is replaced (its link stops working), so sending
    again is how an invitation is resent.
    """
    email = email.strip().lower()
    _assignable(actor_role, role)
    if Membership.objects.filter(tenant=tenant, user__email__iexact=email).exists():
        raise TeamError("email", f"{email} is already a member of {tenant.name}")
    key = secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        Invitation.objects.filter(
            tenant=tenant, email__iexact=email, accepted_at__isnull=True, revoked_at__isnull=True
        ).update(revoked_at=now)
        invitation = Invitation.objects.create(
            tenant=tenant,
            email=email,
            role=role,
            digest=hash_token(key),
            invited_by=inviter,
            expires_at=now + timedelta(days=INVITATION_DAYS),
        )
        url = accept_url(key)
        transaction.on_commit(
            lambda: invitation_created.send(
                sender=Invitation, invitation=invitation, key=key, accept_url=url, inviter=inviter
            ),
            robust=True,
        )
    return NewInvitation(invitation, key, url)


def revoke(invitation: Invitation) -> None:
    if invitation.accepted_at is None and invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])


def find(key: str) -> Invitation | None:
    """The invitation with this key, whatever its state (the page says why it cannot be used)."""
    if not key or len(key) > 200:
        return None
    return (
        Invitation.objects.select_related("tenant", "invited_by")
        .filter(digest=hash_token(key))
        .first()
    )


def _usable(key: str) -> Invitation:
    found = find(key)
    if found is None:
        raise TeamError("key", "this invitation link is not valid")
    invitation = Invitation.objects.select_for_update().select_related("tenant").get(pk=found.pk)
    state = invitation.state
    if state != "pending":
        raise TeamError(
            "key",
            f"this invitation was {state}"
            if state != "expired"
            else "this invitation has expired: ask for a new one",
        )
    if not invitation.tenant.is_active:
        raise TeamError("key", "this business no longer uses Coach")
    return invitation


def _join(invitation: Invitation, user: User) -> Membership:
    membership, created = Membership.objects.get_or_create(
        tenant=invitation.tenant, user=user, defaults={"role": invitation.role}
    )
    if not created:
        raise TeamError("key", f"you are already a member of {invitation.tenant.name}")
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return membership


@transaction.atomic
def accept(key: str, user: User) -> Membership:
    """Join the invitation's tenant with the caller's existing account."""
    return _join(_usable(key), user)


@transaction.atomic
def accept_new(key: str, username: str, password: str) -> tuple[User, Membership]:
    """Create an account (with the invitation's email address) and join the tenant with it."""
    invitation = _usable(key)
    username = username.strip()
    if not username:
        raise TeamError("username", "must not be blank")
    if User.objects.filter(username__iexact=username).exists():
        raise TeamError("username", f"'{username}' is taken: choose another, or sign in")
    candidate = User(username=username, email=invitation.email)
    try:
        validate_password(password, candidate)
    except DjangoValidationError as exc:
        raise TeamError("password", " ".join(exc.messages)) from None
    try:
        with transaction.atomic():
            user = User.objects.create_user(username, invitation.email, password)
    except IntegrityError:
        raise TeamError("username", f"'{username}' is taken: choose another") from None
    return user, _join(invitation, user)


def _owners(tenant: Tenant) -> list[int]:
    """The tenant's owners' user ids, locked until the end of the transaction."""
    rows = Membership.objects.select_for_update().filter(tenant=tenant, role=Role.OWNER)
    return [m.user_id for m in rows.order_by("id")]


@transaction.atomic
def change_role(tenant: Tenant, actor_role: str, user_id: int, role: str) -> Membership:
    owners = _owners(tenant)
    membership = Membership.objects.select_for_update().filter(tenant=tenant, user_id=user_id)
    target = membership.select_related("user").first()
    if target is None:
        raise TeamError("user_id", "is not a member of this business")
    if role == target.role:
        return target
    if target.role == Role.OWNER or role == Role.OWNER:
        _assignable(actor_role, Role.OWNER)
    if target.role == Role.OWNER and owners == [target.user_id]:
        raise TeamError(
            "role", "the last owner cannot stop being an owner: make someone else an owner first"
        )
    target.role = role
    target.save(update_fields=["role"])
    return target


@transaction.atomic
def remove(tenant: Tenant, actor_role: str, actor_id: int, user_id: int) -> None:
    """Remove a member; anyone may leave by removing themselves (not the last owner)."""
    owners = _owners(tenant)
    target = Membership.objects.select_for_update().filter(tenant=tenant, user_id=user_id).first()
    if target is None:
        raise TeamError("user_id", "is not a member of this business")
    if user_id != actor_id:
        if actor_role not in (Role.OWNER, Role.ADMIN):
            raise TeamError("user_id", "only owners and admins remove other members")
        if target.role == Role.OWNER:
            _assignable(actor_role, Role.OWNER)
    if target.role == Role.OWNER and owners == [target.user_id]:
        raise TeamError(
            "user_id", "the last owner cannot be removed: make someone else an owner first"
        )
    target.delete()
