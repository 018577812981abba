"""State changes of the gateway: tenants and their owners, API tokens."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from gateway.models import ApiToken, Membership, Role, Tenant, hash_token

# last_used_at is written at most this often per token: a write per request would double the
# cost of every authenticated call for a figure nobody needs to the second.
TOKEN_TOUCH_INTERVAL = timedelta(minutes=5)


@transaction.atomic
def create_tenant(owner: User, **fields: object) -> Tenant:
    """A new tenant with ``owner`` as its owner."""
    tenant = Tenant.objects.create(**fields)
    Membership.objects.create(user=owner, tenant=tenant, role=Role.OWNER)
    return tenant


def issue_token(
    user: User, name: str, *, expires_in: timedelta | None = None, from_login: bool = False
) -> tuple[ApiToken, str]:
    """A new token for ``user`` and its key, which is never available again."""
    key = ApiToken.generate_key()
    token = ApiToken.objects.create(
        user=user,
        name=name,
        digest=hash_token(key),
        key_prefix=key[:12],
        expires_at=timezone.now() + expires_in if expires_in else None,
        from_login=from_login,
    )
    return token, key


# Live login tokens a user keeps per token name: a script that logs in on every run revokes its
# own oldest tokens instead of piling up new ones.
LOGIN_TOKENS_KEPT = 5


@transaction.atomic
def issue_login_token(user: User, name: str) -> tuple[ApiToken, str]:
    """A token for a login: it expires after ``COACH_LOGIN_TOKEN_DAYS``, and beyond the newest
    ``LOGIN_TOKENS_KEPT`` live login tokens of this name the older ones are revoked. Tokens made
    by hand (``POST /v1/tokens/``) are never touched."""
    days = settings.COACH_LOGIN_TOKEN_DAYS
    token, key = issue_token(user, name, expires_in=timedelta(days=days), from_login=True)
    live = ApiToken.objects.active().filter(user=user, name=name, from_login=True)
    stale = live.order_by("-created_at", "-id").values_list("pk", flat=True)[LOGIN_TOKENS_KEPT:]
    ApiToken.objects.filter(pk__in=list(stale)).update(revoked_at=timezone.now())
    return token, key


def revoke_token(token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])


def usable_tokens(digest: str) -> QuerySet[ApiToken]:
    """The token with this digest if it may authenticate: not revoked, not expired, user active.

    The one rule for tokens: authentication (``user_for_key``) applies it, and so does the
    tenant access check (``gateway.tenancy.tenant_members``) that the inbox's 304 fast path asks.
    """
    return _usable().filter(digest=digest)


def _usable() -> QuerySet[ApiToken]:
    return ApiToken.objects.active().filter(user__is_active=True)


def user_for_key(key: str) -> tuple[User, ApiToken] | None:
    """The active user a token key belongs to, or None; records when the token was last used."""
    if not key:
        return None
    token = usable_tokens(hash_token(key)).select_related("user").first()
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > TOKEN_TOUCH_INTERVAL:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user, token


def users_for_digests(digests: Sequence[str]) -> list[User | None]:
    """``user_for_key`` for many token digests in two statements (a WebSocket connect batch).

    The same rule (``usable_tokens``: not revoked, not expired, user active); one result per
    digest, in order, None where it authenticates no one.
    """
    tokens = {t.digest: t for t in _usable().filter(digest__in=set(digests)).select_related("user")}
    now = timezone.now()
    stale = [
        t.pk
        for t in tokens.values()
        if t.last_used_at is None or now - t.last_used_at > TOKEN_TOUCH_INTERVAL
    ]
    if stale:
        ApiToken.objects.filter(pk__in=stale).update(last_used_at=now)
    return [tokens[d].user if d in tokens else None for d in digests]
