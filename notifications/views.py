"""Thin views over the inbox services; every one acts on the caller's own notifications only."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.http.response import HttpResponseBase
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from gateway.models import Role
from gateway.tenancy import TenantScopedMixin
from notifications import services
from notifications.conf import INBOX_CAP
from notifications.serializers import (
    CountSerializer,
    InboxPageSerializer,
    InboxQuerySerializer,
    NotificationSerializer,
    PreferencesSerializer,
)

# Everyone, viewers included, manages their own inbox.
ALL_ROLES = frozenset(Role.values)


def _etag(user_id: int, version: int, query: dict) -> str:
    """Changes with the inbox (its version) and with what was asked (the query)."""
    before = query["before"] or 0
    return f'"{user_id}.{version}.{int(query["unread"])}.{query["limit"]}.{before}"'


_BOOLS = {"true": True, "1": True, "false": False, "0": False}


def _simple_query(params: Any) -> dict[str, Any] | None:
    """The inbox query when it is spelled plainly (what clients send); None for anything else.

    Same values as ``InboxQuerySerializer`` without its per-request cost; anything unusual goes
    to the serializer on the ordinary path, which also explains what is wrong with it.
    """
    if not set(params) <= {"unread", "limit", "before"}:
        return None
    unread = _BOOLS.get(params.get("unread", "false"))
    limit, before = params.get("limit", "50"), params.get("before")
    if unread is None or not limit.isdigit() or not 1 <= int(limit) <= INBOX_CAP:
        return None
    if before is not None and (not before.isdigit() or int(before) < 1):
        return None
    return {"unread": unread, "limit": int(limit), "before": int(before) if before else None}


def _not_modified_fast(request: HttpRequest, tenant_id: UUID) -> HttpResponse | None:
    """A 304 for a token client whose copy is current, in one query, before DRF runs.

    Anything else (no token, a session, a changed inbox, a bad query, a refusal) returns None
    and takes the ordinary path, which authenticates, throttles and answers in full.
    """
    auth = request.headers.get("Authorization", "").split()
    if len(auth) != 2 or auth[0] != "Token":
        return None
    query = _simple_query(request.GET)
    if query is None:
        return None
    found = services.inbox_version_for_token(auth[1], tenant_id)
    if found is None:
        return None
    etag = _etag(found[0], found[1], query)
    if etag not in request.headers.get("If-None-Match", ""):
        return None
    response = HttpResponseNotModified()
    response["ETag"] = etag
    response["Cache-Control"] = "private, no-cache"
    return response


class InboxView(TenantScopedMixin, APIView):
    """The caller's newest notifications, newest first; DELETE clears them all."""

    write_roles = ALL_ROLES

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        # Every page load and reconnect revalidates the inbox: answer the common "unchanged"
        # in one query. Not throttled: it costs less than the throttle's own bookkeeping.
        if request.method == "GET" and "If-None-Match" in request.headers:
            not_modified = _not_modified_fast(request, kwargs["tenant_id"])
            if not_modified is not None:
                return not_modified
        return super().dispatch(request, *args, **kwargs)

    @extend_schema(parameters=[InboxQuerySerializer], responses={200: InboxPageSerializer})
    def get(self, request: Request, tenant_id: str) -> HttpResponseBase:
        params = InboxQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        query = params.validated_data
        # The version is read before the page: a change in between makes the ETag older than
        # the body, which costs one extra full response, never a stale 304.
        version = services.inbox_version(self.tenant.pk, request.user.pk)
        etag = _etag(request.user.pk, version, query)
        headers = {"ETag": etag, "Cache-Control": "private, no-cache"}
        if etag in request.headers.get("If-None-Match", ""):
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers=headers)
        body = services.inbox_page_json(
            self.tenant.pk,
            request.user.pk,
            unread_only=query["unread"],
            limit=query["limit"],
            before=query["before"],
        )
        # Postgres rendered the JSON already; DRF's renderer would only parse and re-render it.
        return HttpResponse(body, content_type="application/json", headers=headers)

    @extend_schema(responses={200: CountSerializer})
    def delete(self, request: Request, tenant_id: str) -> Response:
        return Response({"deleted": services.clear_all(self.tenant, request.user)})


class ReadView(TenantScopedMixin, APIView):
    write_roles = ALL_ROLES

    @extend_schema(request=None, responses={200: NotificationSerializer})
    def post(self, request: Request, tenant_id: str, pk: int) -> Response:
        return Response(services.mark_read(self.tenant, request.user, pk))


class UnreadView(TenantScopedMixin, APIView):
    write_roles = ALL_ROLES

    @extend_schema(request=None, responses={200: NotificationSerializer})
    def post(self, request: Request, tenant_id: str, pk: int) -> Response:
        return Response(services.mark_unread(self.tenant, request.user, pk))


class ReadAllView(TenantScopedMixin, APIView):
    write_roles = ALL_ROLES

    @extend_schema(request=None, responses={200: CountSerializer})
    def post(self, request: Request, tenant_id: str) -> Response:
        return Response({"updated": services.mark_all_read(self.tenant, request.user)})


class PreferencesView(TenantScopedMixin, APIView):
    """Which kinds are pushed live, and quiet hours in the tenant's timezone."""

    write_roles = ALL_ROLES

    @extend_schema(responses={200: PreferencesSerializer})
    def get(self, request: Request, tenant_id: str) -> Response:
        inbox = services.preferences(self.tenant, request.user)
        return Response(PreferencesSerializer(inbox).data)

    @extend_schema(request=PreferencesSerializer, responses={200: PreferencesSerializer})
    def patch(self, request: Request, tenant_id: str) -> Response:
        inbox = services.preferences(self.tenant, request.user)
        data = PreferencesSerializer(inbox, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        inbox = services.update_preferences(self.tenant, request.user, **data.validated_data)
        return Response(PreferencesSerializer(inbox).data)
