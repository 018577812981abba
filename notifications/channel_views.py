"""Thin views of the channels out: preferences per channel, destinations, their delivery log,
"send test event", and the one-click unsubscribe page (no login: the link is signed)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.core import signing
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response

from gateway.models import MANAGER_ROLES, Membership, Tenant
from gateway.tenancy import TenantScopedMixin
from notifications import channels, delivery, emails, webhooks
from notifications.channel_serializers import (
    ChannelPreferencesSerializer,
    CreatedDestinationSerializer,
    DeliverySerializer,
    DestinationSerializer,
    PreferencesViewSerializer,
)
from notifications.models import WEBHOOK_EVENTS, Channel, Delivery, Destination
from notifications.views import ALL_ROLES


def _view(own: dict[str, Any], defaults: dict[str, Any]) -> dict[str, Any]:
    return {"effective": channels.resolve(own, defaults), "own": own, "defaults": defaults}


class ChannelPreferencesView(TenantScopedMixin, generics.GenericAPIView):
    """The caller's preferences per channel; null inherits the tenant's default."""

    write_roles = ALL_ROLES
    serializer_class = ChannelPreferencesSerializer

    @extend_schema(responses={200: PreferencesViewSerializer})
    def get(self, request: Request, tenant_id: UUID) -> Response:
        own = channels.stored(self.tenant, self.user.pk)
        defaults = channels.resolve(channels.stored(self.tenant, None), None)
        return Response(_view(own, defaults))

    @extend_schema(request=ChannelPreferencesSerializer, responses={200: PreferencesViewSerializer})
    def patch(self, request: Request, tenant_id: UUID) -> Response:
        data = ChannelPreferencesSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        own = channels.update(self.tenant, self.user.pk, **data.validated_data)
        defaults = channels.resolve(channels.stored(self.tenant, None), None)
        return Response(_view(own, defaults))


class TenantChannelPreferencesView(TenantScopedMixin, generics.GenericAPIView):
    """The tenant's defaults, which every member inherits until they choose; owners and admins
    change them."""

    write_roles = MANAGER_ROLES
    serializer_class = ChannelPreferencesSerializer

    @extend_schema(responses={200: PreferencesViewSerializer})
    def get(self, request: Request, tenant_id: UUID) -> Response:
        own = channels.stored(self.tenant, None)
        return Response(_view(own, channels.BUILTIN_PREFERENCES))

    @extend_schema(request=ChannelPreferencesSerializer, responses={200: PreferencesViewSerializer})
    def patch(self, request: Request, tenant_id: UUID) -> Response:
        data = ChannelPreferencesSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        own = channels.update(self.tenant, None, **data.validated_data)
        return Response(_view(own, channels.BUILTIN_PREFERENCES))


class ManagersOnly(TenantScopedMixin):
    """Destinations hold URLs that are secrets themselves (Slack's): owners and admins only.
    Anyone else gets 404, as for another tenant's."""

    write_roles = MANAGER_ROLES

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        if self.membership.role not in MANAGER_ROLES:
            from django.http import Http404

            raise Http404("No such destination.")

    def destination(self) -> Destination:
        return get_object_or_404(Destination, tenant=self.tenant, pk=self.kwargs["pk"])


class DestinationListView(ManagersOnly, generics.ListCreateAPIView):
    serializer_class = DestinationSerializer
    queryset = Destination.objects.none()  # the model, for the schema; get_queryset() scopes it
    pagination_class = None

    def get_queryset(self) -> QuerySet[Destination]:
        return Destination.objects.filter(tenant=self.tenant)

    @extend_schema(responses={201: CreatedDestinationSerializer})
    def post(self, request: Request, tenant_id: UUID) -> Response:
        data = DestinationSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        values.setdefault("events", list(WEBHOOK_EVENTS))
        secret = webhooks.new_secret() if values["kind"] == Channel.WEBHOOK else ""
        dest = Destination.objects.create(
            tenant=self.tenant, created_by=self.user, secret=secret, **values
        )
        answer = CreatedDestinationSerializer(dest).data
        answer["secret"] = secret or None
        return Response(
            answer, status=status.HTTP_201_CREATED, headers={"Cache-Control": "no-store"}
        )


class DestinationDetailView(ManagersOnly, generics.GenericAPIView):
    serializer_class = DestinationSerializer

    def get(self, request: Request, tenant_id: UUID, pk: UUID) -> Response:
        return Response(DestinationSerializer(self.destination()).data)

    def patch(self, request: Request, tenant_id: UUID, pk: UUID) -> Response:
        dest = self.destination()
        data = DestinationSerializer(dest, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        with transaction.atomic():
            if data.validated_data.get("enabled") and not dest.enabled:
                dest.consecutive_failures = 0  # enabled again: a fresh start
                dest.disabled_reason = ""
            data.save()
        return Response(DestinationSerializer(dest).data)

    def delete(self, request: Request, tenant_id: UUID, pk: UUID) -> Response:
        self.destination().delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


class DestinationTestView(ManagersOnly, generics.GenericAPIView):
    """Send a ``test`` event now (from the notifications queue); its outcome is in the log."""

    serializer_class = DeliverySerializer

    @extend_schema(request=None, responses={202: DeliverySerializer})
    def post(self, request: Request, tenant_id: UUID, pk: UUID) -> Response:
        with transaction.atomic():
            row = delivery.queue_test_event(self.destination())
        return Response(DeliverySerializer(row).data, status=status.HTTP_202_ACCEPTED)


class DestinationDeliveriesView(ManagersOnly, generics.ListAPIView):
    """A destination's delivery log, newest first: status, response code, attempts."""

    serializer_class = DeliverySerializer
    queryset = Delivery.objects.none()  # the model, for the schema; get_queryset() scopes it

    def get_queryset(self) -> QuerySet[Delivery]:
        return Delivery.objects.filter(destination=self.destination()).order_by("-id")


# --- one-click unsubscribe (no login) -------------------------------------------------------


@method_decorator(csrf_exempt, name="dispatch")  # mail clients POST without a CSRF token
class UnsubscribeView(View):
    """GET shows a page with one button (link scanners fetch links: GET changes nothing);
    POST turns the email kind off: the button, or a mail client's RFC 8058 one-click POST."""

    def _read(self, token: str) -> tuple[Tenant, int, str] | None:
        """(tenant, user id, email kind) of a good link to a current member, else None."""
        try:
            tenant_id, user_id, kind = emails.read_unsubscribe_token(token)
            UUID(tenant_id)
        except (signing.BadSignature, KeyError, ValueError, TypeError):
            return None
        if kind not in channels.EMAIL_KINDS:
            return None
        member = Membership.objects.filter(tenant_id=tenant_id, user_id=user_id)
        found = member.select_related("tenant").first()
        return (found.tenant, user_id, kind) if found else None

    def _what(self, kind: str) -> str:
        return (
            "the morning email" if kind == channels.DIGEST else f"{kind.replace('_', ' ')} emails"
        )

    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        found = self._read(token)
        if found is None:
            return render(request, "notifications/unsubscribe.html", {"bad": True}, status=404)
        tenant, _, kind = found
        context = {"tenant": tenant, "what": self._what(kind), "done": False}
        return render(request, "notifications/unsubscribe.html", context)

    def post(self, request: HttpRequest, token: str) -> HttpResponse:
        found = self._read(token)
        if found is None:
            return render(request, "notifications/unsubscribe.html", {"bad": True}, status=404)
        tenant, user_id, kind = found
        channels.unsubscribe(tenant, user_id, kind)
        context = {"tenant": tenant, "what": self._what(kind), "done": True}
        return render(request, "notifications/unsubscribe.html", context)
