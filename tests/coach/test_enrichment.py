"""Enrichment: the model rewrites a recommendation, the numbers are checked against the data
the template used, identical inputs are not sent twice, and the llm queue's worker does it."""

from __future__ import annotations

import json
import re
import time
from datetime import timedelta

import pytest

from coach.enrichment import check_numbers, enrich, numbers_in, schedule_enrichment
from coach.models import Recommendation, TemplateFlag
from coach.prompts import ENRICH_SYSTEM
from tests.coach.conftest import generate
from tests.fake_llm import Reply
from tests.processes import celery_worker

pytestmark = pytest.mark.django_db


def _payload(request: dict) -> dict:
    return json.loads(request["messages"][-1]["content"])


def faithful(request: dict) -> Reply:
    """A rewrite that keeps every number."""
    data = _payload(request)
    return Reply.answer(
        json.dumps({"title": f"Heads up: {data['title']}", "body": f"Plainly: {data['body']}"})
    )


def altering(request: dict) -> Reply:
    """A rewrite that quietly changes the first number of the body."""
    data = _payload(request)
    body = re.sub(r"\d", lambda m: str((int(m.group()) + 1) % 10), data["body"], count=1)
    return Reply.answer(json.dumps({"title": data["title"], "body": body}))


def _api_view(api, rec) -> dict:
    url = f"/v1/tenants/{rec.tenant_id}/coach/recommendations/{rec.pk}/"
    return api.get(url).json()


def test_a_faithful_rewrite_is_stored_and_served(api, recommendation, fake_llm):
    fake_llm.default = faithful

    counts = enrich([recommendation.pk])

    # then the rewrite is stored beside the template's words and the API serves it
    assert counts == {"enriched": 1}
    recommendation.refresh_from_db()
    assert recommendation.enriched_title == f"Heads up: {recommendation.title}"
    assert recommendation.enrichment_model == "fake-model"
    shown = _api_view(api, recommendation)
    assert shown["enriched"] is True
    assert shown["title"] == recommendation.enriched_title
    assert shown["body"] == recommendation.enriched_body
    assert shown["template_title"] == recommendation.title
    # the prompt was the enrichment instructions and this recommendation's own data
    request = fake_llm.requests[0]
    assert request["messages"][0] == {"role": "system", "content": ENRICH_SYSTEM}
    assert _payload(request)["body"] == recommendation.body


def test_a_rewrite_that_changes_a_number_is_discarded(api, recommendation, fake_llm):
    fake_llm.default = altering

    counts = enrich([recommendation.pk])

    assert counts == {"discarded": 1}
    recommendation.refresh_from_db()
    assert recommendation.enriched_body is None
    assert recommendation.enrichment_note.startswith("new or changed numbers")
    shown = _api_view(api, recommendation)
    assert shown["enriched"] is False
    assert shown["body"] == recommendation.body


def test_identical_inputs_are_not_sent_twice(recommendation, fake_llm):
    # given one recommendation enriched, and the same advice on the same data the next day
    fake_llm.default = faithful
    enrich([recommendation.pk])
    again = Recommendation.objects.get(pk=recommendation.pk)
    again.pk = None
    again.issued_on += timedelta(days=1)
    again.enriched_title = again.enriched_body = again.enriched_at = None
    again.enrichment_status = ""
    again.save()

    counts = enrich([again.pk])

    # then the cached rewrite is used, with no second call to the model
    assert counts == {"enriched": 1}
    assert len(fake_llm.requests) == 1
    again.refresh_from_db()
    assert again.enriched_title == f"Heads up: {recommendation.title}"
    assert again.enrichment_note == "from cache"


def test_enriching_twice_sends_nothing_twice(recommendation, fake_llm):
    fake_llm.default = faithful

    enrich([recommendation.pk])
    second = enrich([recommendation.pk])

    assert second == {}
    assert len(fake_llm.requests) == 1


def test_a_failing_model_leaves_the_template_text(recommendation, fake_llm):
    fake_llm.default = Reply.error(500)

    counts = enrich([recommendation.pk])

    assert counts == {"failed": 1}
    recommendation.refresh_from_db()
    assert recommendation.display_body == recommendation.body


def test_limited_enrichment_rewrites_only_templates_found_unclear(api, tenant, fake_llm, settings):
    settings.COACH_ENRICH_ALL = False
    recs = generate(api, tenant)
    TemplateFlag.objects.create(template_key=recs[1].template_key, needs_rewrite=True)
    fake_llm.default = faithful

    counts = enrich([r.pk for r in recs])

    assert counts == {"enriched": 1}
    assert [r.pk for r in Recommendation.objects.filter(enrichment_status="enriched")] == [
        recs[1].pk
    ]


def test_without_a_model_scheduling_is_a_no_op(recommendation):
    schedule_enrichment([recommendation.pk])  # would raise if it tried the broker badly

    recommendation.refresh_from_db()
    assert recommendation.enrichment_status == ""


def test_numbers_are_read_as_people_read_them():
    assert numbers_in("$12,500 over 45 days, 23.5% and ₹12,50,000") == {
        n for n in numbers_in("12500 45 23.5 1250000")
    }
    original = {"title": "Runway is 45 days", "body": "Cash $12,500.", "figures": {"x": "3.2%"}}
    assert check_numbers(original, "Only 45 days of runway", "You hold $12,500; 3.2%.") is None
    assert check_numbers(original, "Only 45 days", "You hold $12,000.").startswith("new or")
    assert check_numbers(original, "Soon out of cash", "You hold $12,500.").startswith(
        "numbers left"
    )


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_worker_on_the_llm_queue_enriches_after_scheduling(
    api, tenant, fake_llm, tmp_path, monkeypatch
):
    # given today's insight committed: its pipeline scheduled their enrichment after commit
    recs = generate(api, tenant)
    fake_llm.default = faithful
    key_file = tmp_path / "key"
    key_file.write_text("sk-test")
    # (the worker inherits this environment; the key comes from a file, as secrets may)
    monkeypatch.setenv("OPENAI_API_KEY_FILE", str(key_file))
    monkeypatch.setenv("OPENAI_BASE_URL", fake_llm.url)
    monkeypatch.setenv("COACH_LLM_MODEL", "fake-model")
    monkeypatch.setenv("COACH_LLM_TIMEOUT", "2")
    # when a real worker on the llm queue, using the fake model, takes the queued work
    with celery_worker(queues="llm", pool="threads", concurrency=2):
        # then every one is rewritten by the worker, once
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            done = Recommendation.objects.filter(pk__in=[r.pk for r in recs]).exclude(
                enrichment_status=""
            )
            if done.count() == len(recs):
                break
            time.sleep(0.2)
    statuses = set(
        Recommendation.objects.filter(pk__in=[r.pk for r in recs]).values_list(
            "enrichment_status", flat=True
        )
    )
    assert statuses == {"enriched"}
    assert len(fake_llm.requests) == len(recs)
