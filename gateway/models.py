"""Tenants, who belongs to them, and the API tokens people authenticate with."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import date
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Now
from django.utils import timezone

from gateway.validation import validate_currency, validate_timezone


class Industry(models.TextChoices):
    """The trades a person picks from, each mapped to its NAICS 2022 sector(s) (``NAICS``), so
    that industry norms computed from public statistics by sector apply to it."""

    RETAIL = "retail", "Retail"
    RESTAURANT = "restaurant", "Restaurant and food service"
    PROFESSIONAL_SERVICES = "professional_services", "Professional services"
    CONSTRUCTION = "construction", "Construction and trades"
    MANUFACTURING = "manufacturing", "Manufacturing"
    WHOLESALE = "wholesale", "Wholesale"
    SOFTWARE = "software", "Software and SaaS"
    HEALTH = "health", "Health"
    OTHER = "other", "Other"


# NAICS 2022 codes of each industry (sectors, or the subsectors where a sector is too broad).
NAICS: dict[str, tuple[str, ...]] = {
    Industry.RETAIL: ("44", "45"),
    Industry.RESTAURANT: ("722",),
    Industry.PROFESSIONAL_SERVICES: ("54",),
    Industry.CONSTRUCTION: ("23",),
    Industry.MANUFACTURING: ("31", "32", "33"),
    Industry.WHOLESALE: ("42",),
    Industry.SOFTWARE: ("5132", "518", "5415"),
    Industry.HEALTH: ("62",),
    Industry.OTHER: (),
}


class Tenant(models.Model):
    """A business Coach works for. Its timezone decides when its day (and its insight) begins."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=200)
    timezone = models.CharField(max_length=64, default="UTC", validators=[validate_timezone])
    insight_hour = models.PositiveSmallIntegerField(
        default=6,
        validators=[MinValueValidator(0), MaxValueValidator(23)],
        help_text="Local hour (0-23) at which the daily insight is produced.",
    )
    currency = models.CharField(max_length=3, default="USD", validators=[validate_currency])
    industry = models.CharField(max_length=32, choices=Industry.choices, default=Industry.OTHER)
    cash_buffer = models.DecimalField(
        max_digits=18,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text="Cash the business wants to keep at least; empty means one month of costs.",
    )
    forecast_warning_weeks = models.PositiveSmallIntegerField(
        default=8,
        validators=[MinValueValidator(1), MaxValueValidator(52)],
        help_text="Warn when cash is forecast to run out within this many weeks.",
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(insight_hour__gte=0, insight_hour__lte=23),
                name="tenant_insight_hour_0_23",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def local_today(self) -> date:
        """The tenant's calendar date now, in its own zone: what "today" means for it."""
        return timezone.localdate(timezone=ZoneInfo(self.timezone))


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    ADMIN = "admin", "Admin"
    MEMBER = "member", "Member"
    VIEWER = "viewer", "Viewer"
    # Someone from outside the business (its bookkeeper, an adviser): reads everything and
    # works on action plans, but changes no settings and speaks for no one (feedback, chat).
    ACCOUNTANT = "accountant", "External accountant"


# Roles allowed to change a tenant's settings and other tenant-wide configuration.
MANAGER_ROLES = frozenset({Role.OWNER, Role.ADMIN})
# Roles allowed to act (plans, feedback, chat); viewers only read.
ACTOR_ROLES = frozenset({Role.OWNER, Role.ADMIN, Role.MEMBER})
# Roles allowed to work on action plans and their tasks: the actors and the external accountant.
PLAN_ROLES = ACTOR_ROLES | {Role.ACCOUNTANT}


class Membership(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "tenant"], name="membership_unique")]
        ordering = ["tenant__name", "user__username"]

    def __str__(self) -> str:
        return f"{self.user} in {self.tenant} ({self.role})"


TOKEN_PREFIX = "coach_"  # noqa: S105 - a label, not a secret


def hash_token(key: str) -> str:
    """SHA-256 of the key: tokens are 256 random bits, so a fast hash is enough to store them."""
    return hashlib.sha256(key.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def active(self) -> ApiTokenQuerySet:
        """Not revoked, not expired. ``Now()`` is the database's clock, so the compiled query
        has no time in it and the inbox's fast path can compile it once (notifications)."""
        return self.filter(revoked_at__isnull=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=Now())
        )


class ApiToken(models.Model):
    """An API token. Only its hash is stored; the key is shown once, when it is created."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    # The first characters of the key, so a user can tell their tokens apart.
    key_prefix = models.CharField(max_length=16, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # Issued by ``POST /v1/auth/token/`` (a login), not made by hand: these expire, and only a
    # few live ones per name are kept (gateway.services.issue_login_token).
    from_login = models.BooleanField(default=False, editable=False)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.name} ({self.key_prefix}…)"

    @property
    def is_active(self) -> bool:
        if self.revoked_at is not None:
            return False
        return self.expires_at is None or self.expires_at > timezone.now()

    @staticmethod
    def generate_key() -> str:
        return TOKEN_PREFIX + secrets.token_urlsafe(32)


class Invitation(models.Model):
    """An invitation to join a tenant with a role, sent by email as a link with a secret key.

    Only the key's hash is stored (like API tokens). Accepting it creates the account or joins
    an existing one; it is used once, and runs out after ``INVITATION_DAYS``.
    """

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.MEMBER)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["tenant", "-created_at"], name="invitation_tenant")]

    def __str__(self) -> str:
        return f"{self.email} to {self.tenant} ({self.role})"

    @property
    def state(self) -> str:
        """pending, accepted, revoked or expired."""
        if self.accepted_at is not None:
            return "accepted"
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "pending"
