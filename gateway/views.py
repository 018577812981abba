"""Thin views over gateway services: who am I, my tokens, my tenants, their members."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.auth import authenticate
from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.utils.cache import add_never_cache_headers
from drf_spectacular.utils import extend_schema
from rest_framework import generics, mixins, permissions, status
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer
from rest_framework.throttling import BaseThrottle
from rest_framework.views import APIView

from gateway import services
from gateway.models import MANAGER_ROLES, ApiToken, Membership, Role, Tenant
from gateway.serializers import (
    ApiTokenSerializer,
    LoginSerializer,
    MemberSerializer,
    MeSerializer,
    NewApiTokenSerializer,
    TenantSerializer,
)
from gateway.tenancy import TenantScopedMixin, authenticated_user
from gateway.throttling import login_throttles


def secret(response: Response) -> Response:
    """A response carrying a credential: no cache or proxy may keep it (``no-store``)."""
    add_never_cache_headers(response)
    return response


class MeView(APIView):
    @extend_schema(responses=MeSerializer)
    def get(self, request: Request) -> Response:
        return Response(MeSerializer(request.user).data)


class LoginView(APIView):
    """Exchange a username and password for a new API token. Login tokens expire after
    ``COACH_LOGIN_TOKEN_DAYS`` (30), and only the newest few of a ``token_name`` stay live."""

    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []

    def get_throttles(self) -> list[BaseThrottle]:
        return login_throttles()

    def get_authenticate_header(self, request: Request) -> str:
        return "Token"  # a wrong password is a 401, which must say how to authenticate

    @extend_schema(request=LoginSerializer, responses={201: NewApiTokenSerializer})
    def post(self, request: Request) -> Response:
        data = LoginSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = authenticate(
            request._request,  # the HttpRequest: django-axes marks a lockout on it
            username=data.validated_data["username"],
            password=data.validated_data["password"],
        )
        if not isinstance(user, User):
            raise AuthenticationFailed("Wrong username or password.")
        token, key = services.issue_login_token(user, data.validated_data["token_name"])
        body = NewApiTokenSerializer(token, context={"key": key}).data
        return secret(Response(body, status=status.HTTP_201_CREATED))


class TokenListCreateView(generics.ListCreateAPIView):
    serializer_class = ApiTokenSerializer

    def get_queryset(self) -> QuerySet[ApiToken]:
        return ApiToken.objects.filter(user=authenticated_user(self.request))

    @extend_schema(responses={201: NewApiTokenSerializer})
    def post(self, request: Request, *args: object, **kwargs: object) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        days = serializer.validated_data.get("expires_in_days")
        token, key = services.issue_token(
            authenticated_user(request),
            serializer.validated_data["name"],
            expires_in=timedelta(days=days) if days else None,
        )
        body = NewApiTokenSerializer(token, context={"key": key}).data
        return secret(Response(body, status=status.HTTP_201_CREATED))


class TokenDetailView(mixins.RetrieveModelMixin, generics.GenericAPIView):
    """A token of the caller's; DELETE revokes it (the row stays, for the audit trail)."""

    serializer_class = ApiTokenSerializer

    def get_queryset(self) -> QuerySet[ApiToken]:
        return ApiToken.objects.filter(user=authenticated_user(self.request))

    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        return self.retrieve(request, *args, **kwargs)

    def delete(self, request: Request, *args: object, **kwargs: object) -> Response:
        services.revoke_token(self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


class TenantListCreateView(generics.ListCreateAPIView):
    serializer_class = TenantSerializer

    def get_queryset(self) -> QuerySet[Tenant]:
        user = authenticated_user(self.request)
        return Tenant.objects.filter(memberships__user=user, is_active=True).order_by("name")

    def get_serializer_context(self) -> dict[str, Any]:
        roles = Membership.objects.filter(user=authenticated_user(self.request))
        return {
            **super().get_serializer_context(),
            "roles": dict(roles.values_list("tenant_id", "role")),
        }

    def perform_create(self, serializer: BaseSerializer[Tenant]) -> None:
        tenant = services.create_tenant(
            authenticated_user(self.request), **serializer.validated_data
        )
        serializer.instance = tenant
        serializer.context["roles"][tenant.pk] = Role.OWNER


class TenantDetailView(TenantScopedMixin, generics.GenericAPIView):
    serializer_class = TenantSerializer
    write_roles = MANAGER_ROLES

    def _serializer(self, **kwargs: Any) -> TenantSerializer:
        context = {**self.get_serializer_context(), "roles": {self.tenant.pk: self.membership.role}}
        return TenantSerializer(self.tenant, context=context, **kwargs)

    def get(self, request: Request, tenant_id: str) -> Response:
        return Response(self._serializer().data)

    def patch(self, request: Request, tenant_id: str) -> Response:
        serializer = self._serializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        serializer.save()
        return Response(serializer.data)


class MemberListView(TenantScopedMixin, generics.ListAPIView):
    serializer_class = MemberSerializer

    def get_queryset(self) -> QuerySet[Membership]:
        return (
            Membership.objects.filter(tenant=self.tenant)
            .select_related("user")
            .order_by("user__username")
        )
