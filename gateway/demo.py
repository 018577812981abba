"""Demo tenants and users for a developer machine and for demos. Idempotent by design."""

from __future__ import annotations

import hashlib
import hmac
import uuid
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models, transaction

from gateway.models import ApiToken, Industry, Membership, Role, Tenant, hash_token

DEMO_NAMESPACE = uuid.UUID("6f1f2b1e-6c0a-4c39-9a51-3f0f6f3a9c11")
DEMO_USERNAME = "demo"
DEMO_PASSWORD = "demo-coach"  # noqa: S105 - demo data for a developer machine, printed on purpose
ADMIN_USERNAME = "admin"
ADMIN_PASSWORD = "admin-coach"  # noqa: S105
DEMO_TOKEN_NAME = "seed_demo"  # noqa: S105 - a label, not a secret


@dataclass(frozen=True)
class DemoTenant:
    slug: str
    name: str
    timezone: str
    currency: str
    story: str
    industry: str  # its trade: the norms its ratios are read against


# Clearly different zones (and one DST-free half-hour offset), each with its own story.
DEMO_TENANTS = (
    DemoTenant(
        "harbor", "Harbor Coffee Roasters", "America/Los_Angeles", "USD", "healthy",
        Industry.MANUFACTURING,
    ),
    DemoTenant(
        "thames", "Thames Print Studio", "Europe/London", "GBP", "cash_crunch",
        Industry.MANUFACTURING,
    ),
    DemoTenant(
        "lotus", "Lotus Textiles", "Asia/Kolkata", "INR", "slow_collections",
        Industry.MANUFACTURING,
    ),
    DemoTenant(
        "bondi", "Bondi Surf Supply", "Australia/Sydney", "AUD", "inventory_overstock",
        Industry.RETAIL,
    ),
    DemoTenant(
        "prairie", "Prairie Hardware", "America/Chicago", "USD", "shrinking_revenue",
        Industry.RETAIL,
    ),
    DemoTenant(
        "alster", "Alster Catering", "Europe/Berlin", "EUR", "thin_margins", Industry.RESTAURANT
    ),
    DemoTenant(
        "kiwi", "Kiwi Robotics", "Pacific/Auckland", "NZD", "fast_growth", Industry.MANUFACTURING
    ),
)  # fmt: skip


def demo_tenant_id(slug: str) -> uuid.UUID:
    return uuid.uuid5(DEMO_NAMESPACE, slug)


_M = TypeVar("_M", bound=models.Model)


def demo_token_key() -> str:
    """The demo user's key, derived from SECRET_KEY so every run can print the same working key."""
    mac = hmac.new(settings.SECRET_KEY.encode(), b"coach-demo-token", hashlib.sha256).hexdigest()
    return f"coach_demo_{mac[:40]}"


def _ensure(model: type[_M], lookup: dict[str, Any], values: dict[str, Any]) -> _M:
    """Create the row, or bring it back to ``values``, writing only when something differs."""
    row, created = model._default_manager.get_or_create(**lookup, defaults=values)
    changed = [name for name, value in values.items() if getattr(row, name) != value]
    if not created and changed:
        for name in changed:
            setattr(row, name, values[name])
        row.save(update_fields=changed)
    return row


def _create_missing(model: type[_M], lookup: dict[str, Any], values: dict[str, Any]) -> _M:
    """Create the row with ``values`` only when it is missing; one that exists is left as it is.

    A demo business's settings (insight hour, timezone, currency, name) and a member's role are
    the user's to change: restarting with seed_demo must not revert them."""
    row, _created = model._default_manager.get_or_create(**lookup, defaults=values)
    return row


def _ensure_user(username: str, password: str, **values: Any) -> Any:
    user = _ensure(get_user_model(), {"username": username}, {"is_active": True, **values})
    if not user.check_password(password):
        user.set_password(password)
        user.save(update_fields=["password"])
    return user


class DemoRefused(RuntimeError):
    """The demo data was asked for where real people log in."""


def refuse_in_production() -> None:
    """The demo's users have published passwords (one a superuser): never in production."""
    if settings.COACH_ENV == "production":
        raise DemoRefused(
            "seed_demo refuses to run with COACH_ENV=production: it creates users whose "
            f"passwords are published ({DEMO_USERNAME}/{DEMO_PASSWORD}, and the superuser "
            f"{ADMIN_USERNAME}/{ADMIN_PASSWORD}). Create real users with `manage.py "
            "createsuperuser`; run the demo on a development or test setup."
        )


@transaction.atomic
def seed_demo() -> dict[str, Any]:
    """Create what is missing of the demo tenants and their owner's memberships (one that exists
    keeps its settings), and bring the demo users' passwords and the demo token back to work."""
    refuse_in_production()
    demo = _ensure_user(DEMO_USERNAME, DEMO_PASSWORD, email="demo@example.com")
    admin = _ensure_user(
        ADMIN_USERNAME, ADMIN_PASSWORD, email="admin@example.com", is_staff=True, is_superuser=True
    )
    tenants = []
    for spec in DEMO_TENANTS:
        tenant = _create_missing(
            Tenant,
            {"id": demo_tenant_id(spec.slug)},
            {
                "name": spec.name,
                "timezone": spec.timezone,
                "currency": spec.currency,
                "industry": spec.industry,
                "insight_hour": 6,
                "is_active": True,
            },
        )
        _create_missing(Membership, {"user": demo, "tenant": tenant}, {"role": Role.OWNER})
        tenants.append(tenant)

    key = demo_token_key()
    _ensure(
        ApiToken,
        {"user": demo, "name": DEMO_TOKEN_NAME},
        {"digest": hash_token(key), "key_prefix": key[:12], "revoked_at": None, "expires_at": None},
    )
    return {"token": key, "tenants": tenants, "demo": demo, "admin": admin}
