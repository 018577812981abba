"""Resolving the tenant in the URL against the caller's membership.

Every tenant-scoped lookup starts here. A tenant the caller does not belong to answers 404, the
same as one that does not exist, so ids of other businesses cannot be probed.
"""

from __future__ import annotations

from functools import cached_property
from uuid import UUID

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from rest_framework import permissions
from rest_framework.exceptions import NotAuthenticated
from rest_framework.request import Request
from rest_framework.views import APIView

from gateway.logs import set_tenant
from gateway.models import ACTOR_ROLES, ApiToken, Membership, Tenant
from gateway.services import usable_tokens


def authenticated_user(request: Request | HttpRequest) -> User:
    """The request's user, who must be logged in (401 otherwise).

    Views behind ``IsAuthenticated`` never see an ``AnonymousUser``; this says so to the type
    checker, and refuses one should a view forget the permission.
    """
    user = request.user
    if isinstance(user, AnonymousUser) or not user.is_authenticated:
        raise NotAuthenticated()
    return user


def tenant_members(
    tenant_id: UUID | str, *, user_id: int | None = None, token_digest: str | None = None
) -> QuerySet[Membership]:
    """Who may act in a tenant: the one definition, for every path that decides it.

    An active user's membership of an active tenant; a caller who came with a token also needs
    that token usable (``usable_tokens``: not revoked, not expired). ``membership_for`` (every
    tenant-scoped view, after DRF authenticated the caller) and the inbox's 304 fast path
    (before DRF) both ask this, so neither can let in someone the other refuses.
    """
    members = Membership.objects.filter(
        tenant_id=tenant_id, tenant__is_active=True, user__is_active=True
    )
    if user_id is not None:
        members = members.filter(user_id=user_id)
    if token_digest is not None:
        members = members.filter(user_id__in=usable_tokens(token_digest).values("user_id"))
    return members


def membership_for(
    user: User | AnonymousUser, tenant_id: UUID | str, token: ApiToken | None = None
) -> Membership:
    """The caller's membership of an active tenant (``tenant_members``), or 404.

    ``token``: the token the caller authenticated with, if any; it must still be usable.
    """
    if isinstance(user, AnonymousUser) or not user.is_authenticated:
        raise Http404
    digest = token.digest if token is not None else None
    membership = (
        tenant_members(tenant_id, user_id=user.pk, token_digest=digest)
        .select_related("tenant")
        .first()
    )
    if membership is None:
        raise Http404("No such tenant.")
    return membership


class TenantRolePermission(permissions.BasePermission):
    """Reads for every member; writes for the roles the view names in ``write_roles``."""

    message = "Your role in this tenant does not allow this action."

    def has_permission(self, request: Request, view: APIView) -> bool:
        if not isinstance(view, TenantScopedMixin):
            raise TypeError(f"{type(view).__name__} must be a TenantScopedMixin view")
        membership = view.membership
        if request.method in permissions.SAFE_METHODS:
            return True
        return membership.role in view.write_roles


class TenantScopedMixin(APIView):
    """For views under ``/v1/tenants/{tenant_id}/``: ``self.tenant``, ``self.membership`` and
    ``self.user`` (the caller, logged in).

    An ``APIView`` itself, so that it types as one; it goes first among a view's bases.
    """

    permission_classes = [permissions.IsAuthenticated, TenantRolePermission]
    write_roles: frozenset[str] = ACTOR_ROLES

    @cached_property
    def membership(self) -> Membership:
        auth = self.request.auth
        token = auth if isinstance(auth, ApiToken) else None
        membership = membership_for(self.request.user, self.kwargs["tenant_id"], token)
        set_tenant(membership.tenant_id)  # the request's log lines name the tenant from here on
        return membership

    @property
    def user(self) -> User:
        return authenticated_user(self.request)

    @property
    def tenant(self) -> Tenant:
        return self.membership.tenant
