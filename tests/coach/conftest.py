"""Fixtures of the coach tests: recommendations from real books, the fake LLM server."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

from coach.models import Recommendation
from gateway.models import Tenant
from insights.demo_data import story_periods
from insights.financials import upsert_periods
from tests.fake_llm import FakeLLM

LAST_MONTH = date(2026, 10, 1)


def generate(api, tenant: Tenant, story: str = "cash_crunch") -> list[Recommendation]:
    """Real books of a demo story, then Coach's recommendations for them, through the API."""
    upsert_periods(tenant, story_periods(story, LAST_MONTH))
    response = api.post(f"/v1/tenants/{tenant.id}/coach/recommendations/generate/")
    assert response.status_code == 201, response.json()
    ids = [rec["id"] for rec in response.json()["recommendations"]]
    assert ids, "the story should produce recommendations"
    return list(Recommendation.objects.filter(pk__in=ids).order_by("-score"))


@pytest.fixture
def recommendation(api, tenant) -> Recommendation:
    """Alice's top recommendation: the cash crunch's critical runway warning."""
    return generate(api, tenant)[0]


@pytest.fixture
def fake_llm(settings) -> Iterator[FakeLLM]:
    """A running fake provider, and Coach configured to use it with short timeouts."""
    server = FakeLLM().start()
    settings.OPENAI_API_KEY = "sk-test"
    settings.OPENAI_BASE_URL = server.url
    settings.COACH_LLM_MODEL = "fake-model"
    settings.COACH_LLM_TIMEOUT = 0.5
    settings.COACH_LLM_MAX_RETRIES = 1
    settings.COACH_LLM_BACKOFF = 0.0
    settings.COACH_LLM_MAX_RETRY_WAIT = 2.0
    try:
        yield server
    finally:
        server.stop()
