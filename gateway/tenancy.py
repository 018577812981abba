"""Resolving the tenant in the URL against the caller's membership.

Every tenant-scoped lookup starts here. A tenant the caller does not belong to answers 404, the
same as one that does not exist, so ids of other businesses cannot be probed.
"""

from __future__ import annotations

from functools import cached_property
from uuid import UUID

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.http import Http404
from rest_framework import permissions
from rest_framework.request import Request
from rest_framework.views import APIView

from gateway.models import ACTOR_ROLES, Membership, Tenant


def membership_for(user: AbstractBaseUser | AnonymousUser, tenant_id: UUID | str) -> Membership:
    """The caller's membership of an active tenant, or 404."""
    if not user.is_authenticated:
        raise Http404
    membership = (
        Membership.objects.select_related("tenant")
        .filter(user=user, tenant_id=tenant_id, tenant__is_active=True)
        .first()
    )
    if membership is None:
        raise Http404("No such tenant.")
    return membership


class TenantRolePermission(permissions.BasePermission):
    """Reads for every member; writes for the roles the view names in ``write_roles``."""

    message = "Your role in this tenant does not allow this action."

    def has_permission(self, request: Request, view: APIView) -> bool:
        membership = view.membership  # type: ignore[attr-defined]
        if request.method in permissions.SAFE_METHODS:
            return True
        return membership.role in getattr(view, "write_roles", ACTOR_ROLES)


class TenantScopedMixin:
    """For views under ``/v1/tenants/{tenant_id}/``: ``self.tenant`` and ``self.membership``."""

    permission_classes = [permissions.IsAuthenticated, TenantRolePermission]
    write_roles = ACTOR_ROLES
    request: Request
    kwargs: dict

    @cached_property
    def membership(self) -> Membership:
        return membership_for(self.request.user, self.kwargs["tenant_id"])

    @property
    def tenant(self) -> Tenant:
        return self.membership.tenant
