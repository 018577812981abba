"""Work owed to the llm queue survives losing its message: the broker down at commit, a killed
thread-pool worker (whose message Redis would hand back only after the visibility timeout).
The lease stored with the work runs out and the sweep publishes it again."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from coach import recovery
from coach.enrichment import enrich
from coach.models import AnswerStatus, Conversation, Message, Recommendation
from tests.broker import broker_down
from tests.coach.conftest import generate
from tests.fake_llm import Reply
from tests.processes import celery_worker

pytestmark = pytest.mark.django_db(transaction=True)

_migration = __import__(
    "coach.migrations.0004_answer_status_and_leases", fromlist=["marker_to_status"]
)


def _faithful(delay: float = 0.0) -> Callable[[dict], Reply]:
    def reply(request: dict) -> Reply:
        data = json.loads(request["messages"][-1]["content"])
        text = json.dumps({"title": f"Heads up: {data['title']}", "body": data["body"]})
        return Reply.answer(text, delay=delay)

    return reply


@pytest.fixture
def llm_env(fake_llm, tmp_path, monkeypatch):
    """A worker started from here uses the fake model (it inherits this environment)."""
    key_file = tmp_path / "key"
    key_file.write_text("sk-test")
    monkeypatch.setenv("OPENAI_API_KEY_FILE", str(key_file))
    monkeypatch.setenv("OPENAI_BASE_URL", fake_llm.url)
    monkeypatch.setenv("COACH_LLM_MODEL", "fake-model")
    monkeypatch.setenv("COACH_LLM_TIMEOUT", "10")
    # its own cache namespace: a rewrite cached by an earlier test's worker is not an answer here
    monkeypatch.setenv("CACHE_KEY_PREFIX", f"coach-test-{uuid.uuid4().hex[:8]}")
    return fake_llm


def _wait(done: Callable[[], bool], what: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not done():
        assert time.monotonic() < deadline, what
        time.sleep(0.2)


def _all_enriched(ids: list[int]) -> bool:
    rows = Recommendation.objects.filter(pk__in=ids)
    return all(r.enrichment_status == "enriched" and r.enrichment_due_at is None for r in rows)


@pytest.mark.services
def test_enrichment_scheduled_while_the_broker_is_down_is_published_by_the_sweep(
    api, tenant, llm_env
):
    llm_env.default = _faithful()
    # given today's insight committed while the broker was down
    with broker_down():
        recs = generate(api, tenant)
    ids = [r.pk for r in recs]

    # then the enrichment is owed, due at once, and nothing was lost with the message
    owed = Recommendation.objects.filter(pk__in=ids, enrichment_due_at__lte=timezone.now())
    assert owed.count() == len(ids)

    # when the broker is back and the sweep runs, with a worker on the llm queue
    with celery_worker("llm", pool="threads", concurrency=2):
        assert recovery.sweep().enrichment == len(ids)
        _wait(lambda: _all_enriched(ids), "the swept enrichment was never done")
    assert len(llm_env.requests) == len(ids)
    assert recovery.sweep().enrichment == 0  # nothing owed any more


@pytest.mark.services
def test_enrichment_of_a_killed_thread_worker_is_redone_when_its_lease_runs_out(
    api, tenant, llm_env
):
    # given a slow model, and enrichment queued for today's recommendations
    llm_env.default = _faithful(delay=3)
    ids = [r.pk for r in generate(api, tenant)]

    # when the thread-pool llm worker taking it is killed mid-call (SIGKILL: no cleanup)
    with celery_worker("llm", pool="threads", concurrency=1) as (worker, _):
        _wait(lambda: bool(llm_env.requests), "the model was never asked")
        worker.kill()
        worker.wait()
    assert not _all_enriched(ids)
    # (Redis would hand its message to another worker only after the visibility timeout)
    assert settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] >= 600

    # then once the lease runs out the sweep publishes it again and a new worker does it all
    llm_env.default = _faithful()
    lease_over = timezone.now() + timedelta(seconds=settings.COACH_ENRICHMENT_LEASE_SECONDS + 1)
    with celery_worker("llm", pool="threads", concurrency=2):
        assert recovery.sweep(lease_over).enrichment == len(ids)
        _wait(lambda: _all_enriched(ids), "the enrichment of the killed worker was lost")


def test_enrichment_stops_starting_calls_after_its_time_budget(api, tenant, llm_env, settings):
    llm_env.default = _faithful()
    ids = [r.pk for r in generate(api, tenant)]
    settings.COACH_ENRICHMENT_TASK_SECONDS = 0  # the budget is spent before the first call

    with broker_down():  # the hand-on cannot be published either: the sweep has it
        counts = enrich(ids)

    assert counts == {"handed_on": len(ids)}
    assert not llm_env.requests
    owed = Recommendation.objects.filter(pk__in=ids, enrichment_due_at__lte=timezone.now())
    assert owed.count() == len(ids)


def test_without_a_model_no_enrichment_is_owed(api, tenant):
    recs = generate(api, tenant)
    assert not Recommendation.objects.filter(
        pk__in=[r.pk for r in recs], enrichment_due_at__isnull=False
    ).exists()


def _ask(api, rec: Recommendation, question: str = "Why?") -> dict:
    url = f"/v1/tenants/{rec.tenant_id}/coach/recommendations/{rec.pk}/conversation/"
    response = api.post(url, {"content": question})
    assert response.status_code == 202, response.content
    return response.json()


@pytest.mark.services
def test_a_question_asked_while_the_broker_is_down_is_answered_by_the_model_later(
    api, tenant, llm_env
):
    rec = generate(api, tenant)[0]
    llm_env.default = Reply.answer("Because your cash runs out in spring.")

    # when Alice asks while the broker is down
    with broker_down():
        body = _ask(api, rec)

    # then her answer stays pending (not a fallback), due for the sweep at once
    answer = Message.objects.get(pk=body["answer"]["id"])
    assert (answer.status, answer.source, answer.content) == ("pending", "fallback", "")
    assert answer.lease_until is not None
    assert answer.lease_until <= timezone.now()

    # and once the broker is back the sweep publishes it and the model answers it
    with celery_worker("llm", pool="threads", concurrency=1):
        assert recovery.sweep().answers == 1
        _wait(
            lambda: Message.objects.get(pk=answer.pk).status == AnswerStatus.DONE,
            "the pending answer was never produced",
        )
    answer.refresh_from_db()
    assert (answer.source, answer.content) == ("llm", "Because your cash runs out in spring.")
    assert answer.lease_until is None


def test_an_answer_pending_too_long_gets_the_honest_fallback(api, tenant, llm_env):
    rec = generate(api, tenant)[0]
    with broker_down():
        body = _ask(api, rec)
    give_up = timedelta(seconds=settings.COACH_CHAT_ANSWER_GIVE_UP_SECONDS + 1)

    result = recovery.sweep(timezone.now() + give_up)

    assert (result.given_up, result.answers) == (1, 0)
    answer = Message.objects.get(pk=body["answer"]["id"])
    assert (answer.status, answer.source, answer.fallback_reason) == ("done", "fallback", "timeout")
    assert answer.content.startswith("This answer is not from the AI: the AI model did not answer")
    shown = api.get(
        f"/v1/tenants/{rec.tenant_id}/coach/recommendations/{rec.pk}/conversation/"
    ).json()["messages"][-1]
    assert (shown["status"], shown["source"], shown["fallback_reason"]) == (
        "done",
        "fallback",
        "timeout",
    )


class _Apps:
    @staticmethod
    def get_model(app_label: str, name: str) -> type[Message]:
        assert (app_label, name) == ("coach", "Message")
        return Message


def test_the_old_pending_marker_becomes_the_status_column(api, tenant, alice):
    # given answers stored before the migration: pending was fallback_reason="pending"
    rec = generate(api, tenant)[0]
    conversation = Conversation.objects.create(tenant=tenant, recommendation=rec, user=alice)
    old = Message.objects.create(
        conversation=conversation, role="assistant", source="fallback", fallback_reason="pending"
    )
    stored = Message.objects.create(
        conversation=conversation,
        role="assistant",
        source="fallback",
        fallback_reason="timeout",
        content="x",
    )

    # when the data migration runs (today's model stands in for the historical one)
    _migration.marker_to_status(_Apps(), None)

    # then the pending one is pending by its status (owed now), the API shape unchanged
    old.refresh_from_db()
    stored.refresh_from_db()
    assert (old.status, old.fallback_reason) == ("pending", "")
    assert old.lease_until is not None
    assert old.lease_until <= timezone.now()
    assert (stored.status, stored.fallback_reason) == ("done", "timeout")
    url = f"/v1/tenants/{rec.tenant_id}/coach/recommendations/{rec.pk}/conversation/"
    shown = api.get(url).json()["messages"][0]
    assert (shown["status"], shown["source"], shown["fallback_reason"]) == (
        "pending",
        "pending",
        "",
    )
