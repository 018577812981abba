"""seed_demo makes users with published passwords (admin/admin-coach): never in production."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import override_settings

from gateway.demo import DemoRefused, seed_demo
from gateway.models import Tenant

pytestmark = pytest.mark.django_db

PRODUCTION = {"COACH_ENV": "production", "IS_PRODUCTION": True}


@override_settings(**PRODUCTION)
def test_seed_demo_refuses_to_run_in_production():
    with pytest.raises(CommandError) as refused:
        call_command("seed_demo")
    message = str(refused.value)
    assert "COACH_ENV=production" in message
    assert "admin/admin-coach" in message
    # nothing was written
    assert not get_user_model().objects.exists()
    assert not Tenant.objects.exists()


@override_settings(**PRODUCTION)
def test_the_demo_service_refuses_too():
    with pytest.raises(DemoRefused):
        seed_demo()
    assert not get_user_model().objects.filter(username="admin").exists()
