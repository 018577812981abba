from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from gateway.models import ApiToken, Membership, Tenant
from gateway.validation import ISO_4217, canonical_timezone

# A user's email as Django stores it: an address, or "" for a user without one. Answered as a
# plain string: ``format: email`` in the schema would promise an address the API may not have.
EMAIL_HELP = "An email address; empty when the user has none."


class TenantSerializer(serializers.ModelSerializer):
    role = serializers.SerializerMethodField()
    insight_hour = serializers.IntegerField(min_value=0, max_value=23, required=False)
    # Declared here so that our validators (which canonicalize) run instead of the model's.
    timezone = serializers.CharField(required=False, max_length=64)
    currency = serializers.CharField(required=False, max_length=8)

    class Meta:
        model = Tenant
        fields = [
            "id",
            "name",
            "timezone",
            "insight_hour",
            "currency",
            "industry",
            "cash_buffer",
            "forecast_warning_weeks",
            "is_active",
            "role",
            "created_at",
        ]
        read_only_fields = ["id", "is_active", "role", "created_at"]

    def get_role(self, tenant: Tenant) -> str | None:
        roles = self.context.get("roles", {})
        return roles.get(tenant.pk)

    def validate_name(self, value: str) -> str:
        if not value.strip():
            raise serializers.ValidationError("Name must not be blank.")
        return value.strip()

    def validate_timezone(self, value: str) -> str:
        try:
            return canonical_timezone(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from None

    def validate_currency(self, value: str) -> str:
        code = value.strip().upper()
        if code not in ISO_4217:
            raise serializers.ValidationError(
                f"'{value}' is not an ISO 4217 currency code (three letters, for example USD, EUR)."
            )
        return code


class MemberSerializer(serializers.ModelSerializer):
    user_id = serializers.IntegerField(source="user.id", read_only=True)
    username = serializers.CharField(source="user.username", read_only=True)
    email = serializers.CharField(source="user.email", read_only=True, help_text=EMAIL_HELP)

    class Meta:
        model = Membership
        fields = ["user_id", "username", "email", "role", "created_at"]


class MembershipBriefSerializer(serializers.ModelSerializer):
    tenant_id = serializers.UUIDField(source="tenant.id")
    tenant_name = serializers.CharField(source="tenant.name")

    class Meta:
        model = Membership
        fields = ["tenant_id", "tenant_name", "role"]


class MeSerializer(serializers.ModelSerializer):
    email = serializers.CharField(read_only=True, help_text=EMAIL_HELP)
    memberships = serializers.SerializerMethodField()

    class Meta:
        model = get_user_model()
        fields = ["id", "username", "email", "first_name", "last_name", "is_staff", "memberships"]

    def get_memberships(self, user: User) -> list[dict[str, Any]]:
        rows = Membership.objects.filter(user=user, tenant__is_active=True).select_related("tenant")
        # many_init is what many=True calls; unlike that spelling, it types as a list.
        return MembershipBriefSerializer.many_init(rows).data


class ApiTokenSerializer(serializers.ModelSerializer):
    expires_in_days = serializers.IntegerField(
        min_value=1, max_value=3650, required=False, write_only=True, allow_null=True
    )
    is_active = serializers.BooleanField(read_only=True)

    class Meta:
        model = ApiToken
        fields = [
            "id",
            "name",
            "key_prefix",
            "created_at",
            "last_used_at",
            "expires_at",
            "revoked_at",
            "is_active",
            "expires_in_days",
        ]
        read_only_fields = [
            "id",
            "key_prefix",
            "created_at",
            "last_used_at",
            "expires_at",
            "revoked_at",
        ]

    def validate_name(self, value: str) -> str:
        if not value.strip():
            raise serializers.ValidationError("Name must not be blank.")
        return value.strip()


class NewApiTokenSerializer(ApiTokenSerializer):
    """A token just created: the only time its key is shown (given as ``context["key"]``)."""

    key = serializers.SerializerMethodField()

    class Meta(ApiTokenSerializer.Meta):
        fields = [*ApiTokenSerializer.Meta.fields, "key"]

    def get_key(self, token: ApiToken) -> str:
        return self.context["key"]


class LoginSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)  # Django's limit for a username
    password = serializers.CharField(
        style={"input_type": "password"}, trim_whitespace=False, max_length=4096
    )
    token_name = serializers.CharField(required=False, default="login", max_length=100)
