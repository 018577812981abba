"""Thin views over gateway.team: members (change role, remove), invitations (send, list, revoke),
and the invitation link (read it, accept it with an existing or a new account)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import login
from django.contrib.auth.models import User
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import generics, permissions, serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle
from rest_framework.views import APIView

from gateway import team
from gateway.console import enforce_csrf
from gateway.models import MANAGER_ROLES, Invitation, Membership, Role
from gateway.serializers import MemberSerializer, MeSerializer
from gateway.tenancy import TenantScopedMixin
from gateway.throttling import login_throttles


class InvitationSerializer(serializers.ModelSerializer):
    state = serializers.CharField(read_only=True, help_text="pending, accepted, revoked, expired")
    invited_by = serializers.CharField(
        source="invited_by.username", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = Invitation
        fields = ["id", "email", "role", "state", "invited_by", "created_at", "expires_at"]
        read_only_fields = ["id", "state", "invited_by", "created_at", "expires_at"]


class NewInvitationSerializer(InvitationSerializer):
    """An invitation just sent: its link is shown here once (and in the email)."""

    accept_url = serializers.CharField(read_only=True)

    class Meta(InvitationSerializer.Meta):
        fields = [*InvitationSerializer.Meta.fields, "accept_url"]


class RoleSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=Role.choices)


class InvitationPreviewSerializer(serializers.Serializer):
    tenant_name = serializers.CharField()
    email = serializers.CharField()
    role = serializers.ChoiceField(choices=Role.choices)
    invited_by = serializers.CharField(allow_null=True)
    state = serializers.CharField(help_text="pending, accepted, revoked, expired")
    expires_at = serializers.DateTimeField()


class AcceptSerializer(serializers.Serializer):
    """Empty for a signed-in caller; ``username`` and ``password`` to create an account."""

    username = serializers.CharField(max_length=150, required=False)
    password = serializers.CharField(
        max_length=4096, required=False, trim_whitespace=False, style={"input_type": "password"}
    )


class AcceptedSerializer(serializers.Serializer):
    tenant_id = serializers.UUIDField()
    role = serializers.ChoiceField(choices=Role.choices)
    me = MeSerializer()


class MemberDetailView(TenantScopedMixin, generics.GenericAPIView):
    """``PATCH`` a member's role, ``DELETE`` removes them (owners and admins; anyone leaves)."""

    serializer_class = MemberSerializer
    write_roles = frozenset(Role.values)  # team.remove lets anyone leave; the rest is checked

    def _member(self, user_id: int) -> Membership:
        found = Membership.objects.select_related("user").filter(
            tenant=self.tenant, user_id=user_id
        )
        membership = found.first()
        if membership is None:
            raise NotFound("No such member.")
        return membership

    def get(self, request: Request, tenant_id: str, user_id: int) -> Response:
        return Response(MemberSerializer(self._member(user_id)).data)

    @extend_schema(request=RoleSerializer, responses={200: MemberSerializer})
    def patch(self, request: Request, tenant_id: str, user_id: int) -> Response:
        if self.membership.role not in MANAGER_ROLES:
            self.permission_denied(request, "Only owners and admins change roles.")
        given = RoleSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        self._member(user_id)
        changed = team.change_role(
            self.tenant, self.membership.role, user_id, given.validated_data["role"]
        )
        return Response(MemberSerializer(changed).data)

    def delete(self, request: Request, tenant_id: str, user_id: int) -> Response:
        self._member(user_id)
        if user_id != self.user.pk and self.membership.role not in MANAGER_ROLES:
            self.permission_denied(request, "Only owners and admins remove other members.")
        team.remove(self.tenant, self.membership.role, self.user.pk, user_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class InvitationListView(TenantScopedMixin, generics.ListAPIView):
    """The tenant's invitations, newest first; ``POST`` invites an email address with a role
    (owners and admins; the email goes out through the email channel)."""

    serializer_class = InvitationSerializer
    write_roles = MANAGER_ROLES

    def get_queryset(self) -> QuerySet[Invitation]:
        if self.membership.role not in MANAGER_ROLES:
            return Invitation.objects.none()
        return Invitation.objects.filter(tenant=self.tenant).select_related("invited_by")

    @extend_schema(request=InvitationSerializer, responses={201: NewInvitationSerializer})
    def post(self, request: Request, tenant_id: str) -> Response:
        given = InvitationSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        made = team.invite(
            self.tenant,
            self.user,
            self.membership.role,
            given.validated_data["email"],
            given.validated_data.get("role", Role.MEMBER),
        )
        invitation: Any = made.invitation
        invitation.accept_url = made.url
        return Response(NewInvitationSerializer(invitation).data, status=status.HTTP_201_CREATED)


class InvitationDetailView(TenantScopedMixin, generics.GenericAPIView):
    serializer_class = InvitationSerializer
    write_roles = MANAGER_ROLES

    def delete(self, request: Request, tenant_id: str, pk: int) -> Response:
        invitation = generics.get_object_or_404(
            Invitation.objects.filter(tenant=self.tenant), pk=pk
        )
        team.revoke(invitation)
        return Response(status=status.HTTP_204_NO_CONTENT)


class InvitationLinkView(APIView):
    """The link from the email: ``GET`` says who invites whom to what; ``POST`` accepts it,
    joining with the signed-in account, or creating one from ``username`` and ``password``
    (then signed in, as the console is)."""

    permission_classes = [permissions.AllowAny]

    def get_throttles(self) -> list[BaseThrottle]:
        return login_throttles() if self.request.method == "POST" else super().get_throttles()

    @extend_schema(responses={200: InvitationPreviewSerializer})
    def get(self, request: Request, key: str) -> Response:
        invitation = team.find(key)
        if invitation is None:
            raise NotFound("This invitation link is not valid.")
        inviter = invitation.invited_by
        body = {
            "tenant_name": invitation.tenant.name,
            "email": invitation.email,
            "role": invitation.role,
            "invited_by": inviter.get_full_name() or inviter.username if inviter else None,
            "state": invitation.state,
            "expires_at": invitation.expires_at,
        }
        return Response(InvitationPreviewSerializer(body).data)

    @extend_schema(request=AcceptSerializer, responses={201: AcceptedSerializer})
    def post(self, request: Request, key: str) -> Response:
        given = AcceptSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        user = request.user
        if isinstance(user, User) and user.is_authenticated:
            membership = team.accept(key, user)  # a session caller passed DRF's CSRF check
        else:
            enforce_csrf(request)
            username = given.validated_data.get("username") or ""
            password = given.validated_data.get("password") or ""
            if not username:
                raise serializers.ValidationError(
                    {"username": ["is required to create an account"]}
                )
            if not password:
                raise serializers.ValidationError(
                    {"password": ["is required to create an account"]}
                )
            user, membership = team.accept_new(key, username, password)
            login(request._request, user, backend="django.contrib.auth.backends.ModelBackend")
        body = {
            "tenant_id": str(membership.tenant_id),
            "role": membership.role,
            "me": MeSerializer(user).data,
        }
        return Response(body, status=status.HTTP_201_CREATED)
