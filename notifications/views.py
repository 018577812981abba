"""Thin views over the inbox services; every one acts on the caller's own notifications only."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.http.response import HttpResponseBase
from django.utils.http import parse_etags
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from gateway.models import Role
from gateway.tenancy import TenantScopedMixin
from notifications import services
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


def _matches(request: HttpRequest, etag: str) -> bool:
    """If-None-Match names this ETag (weak comparison, as RFC 9110 says for GET) or is ``*``."""
    wanted = parse_etags(request.headers.get("If-None-Match", ""))
    return "*" in wanted or any(tag.removeprefix("W/") == etag for tag in wanted)


def _inbox_query(request: HttpRequest) -> dict[str, Any] | None:
    """The validated inbox query, or None: the serializer the ordinary path validates with."""
    params = InboxQuerySerializer(data=request.GET)
    return params.validated_data if params.is_valid() else None


def _not_modified_fast(request: HttpRequest, tenant_id: UUID) -> HttpResponse | None:
    """A 304 for a caller whose copy is current, in one query, before DRF runs.

    Who may read is decided by ``services.inbox_version_for_caller``, i.e. by
    ``gateway.tenancy.tenant_members``, the same rule the ordinary path applies. The caller is
    named as DRF would: a well-formed ``Authorization: Token`` header first, else the session's
    user. Anything else (another scheme, a bad query, a changed inbox, a refusal) returns None
    and takes the ordinary path, which answers in full: 200, or its 400/401/404.
    """
    auth = request.headers.get("Authorization")
    if auth is not None:
        scheme, _, key = auth.partition(" ")
        if scheme.lower() != "token" or not key.isascii() or not key.isprintable() or " " in key:
            return None
        caller: dict[str, Any] = {"token_key": key}
    elif request.user.is_authenticated:
        caller = {"user_id": request.user.pk}
    else:
        return None
    query = _inbox_query(request)
    if query is None:
        return None
    found = services.inbox_version_for_caller(tenant_id, **caller)
    if found is None:
        return None
    etag = _etag(found[0], found[1], query)
    if not _matches(request, etag):
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
        # in one query (a session costs its own lookups first). Not throttled: it costs less
        # than the throttle's own bookkeeping.
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
        version = services.inbox_version(self.tenant.pk, self.user.pk)
        etag = _etag(self.user.pk, version, query)
        headers = {"ETag": etag, "Cache-Control": "private, no-cache"}
        if _matches(request, etag):
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers=headers)
        body = services.inbox_page_json(
            self.tenant.pk,
            self.user.pk,
            unread_only=query["unread"],
            limit=query["limit"],
            before=query["before"],
        )
        # Postgres rendered the JSON already; DRF's renderer would only parse and re-render it.
        return HttpResponse(body, content_type="application/json", headers=headers)

    @extend_schema(responses={200: CountSerializer})
    def delete(self, request: Request, tenant_id: str) -> Response:
        return Response({"deleted": services.clear_all(self.tenant, self.user)})


class ReadView(TenantScopedMixin, APIView):
    write_roles = ALL_ROLES

    @extend_schema(request=None, responses={200: NotificationSerializer})
    def post(self, request: Request, tenant_id: str, pk: int) -> Response:
        return Response(services.mark_read(self.tenant, self.user, pk))


class UnreadView(TenantScopedMixin, APIView):
    write_roles = ALL_ROLES

    @extend_schema(request=None, responses={200: NotificationSerializer})
    def post(self, request: Request, tenant_id: str, pk: int) -> Response:
        return Response(services.mark_unread(self.tenant, self.user, pk))


class ReadAllView(TenantScopedMixin, APIView):
    write_roles = ALL_ROLES

    @extend_schema(request=None, responses={200: CountSerializer})
    def post(self, request: Request, tenant_id: str) -> Response:
        return Response({"updated": services.mark_all_read(self.tenant, self.user)})


class PreferencesView(TenantScopedMixin, APIView):
    """Which kinds are pushed live, and quiet hours in the tenant's timezone."""

    write_roles = ALL_ROLES

    @extend_schema(responses={200: PreferencesSerializer})
    def get(self, request: Request, tenant_id: str) -> Response:
        inbox = services.preferences(self.tenant, self.user)
        return Response(PreferencesSerializer(inbox).data)

    @extend_schema(request=PreferencesSerializer, responses={200: PreferencesSerializer})
    def patch(self, request: Request, tenant_id: str) -> Response:
        inbox = services.preferences(self.tenant, self.user)
        data = PreferencesSerializer(inbox, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        inbox = services.update_preferences(self.tenant, self.user, **data.validated_data)
        return Response(PreferencesSerializer(inbox).data)
