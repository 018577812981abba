"""The answer is produced on the ``llm`` queue and streams to the asker's open WebSocket: a real
daphne, a real Celery worker, the Redis broker and channel layer, a real WebSocket client, the
real openai client and the fake provider. The web request never waits for the model."""

from __future__ import annotations

import json
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from coach import llm
from coach.llm_tasks import answer_question
from coach.models import Message
from tests.coach.conftest import generate
from tests.fake_llm import FakeLLM, Reply
from tests.notifications.conftest import key_for, recv, ws_connect  # noqa: F401
from tests.processes import celery_worker, daphne_server

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

# The worker's threads each hold a database connection while their model call runs.
LLM_CONCURRENCY = 10


@dataclass
class Stack:
    fake: FakeLLM
    port: int  # a daphne configured with the fake model (HTTP and WebSocket)


@pytest.fixture(scope="module")
def stack(django_db_setup, django_db_blocker) -> Iterator[Stack]:
    """The fake model, a worker on the ``llm`` queue and a daphne, both configured for it."""
    fake = FakeLLM().start()
    with (
        tempfile.TemporaryDirectory() as tmp,
        pytest.MonkeyPatch.context() as env,
        django_db_blocker.unblock(),
    ):
        key_file = Path(tmp) / "openai-key"
        key_file.write_text("sk-test")
        # (the processes inherit this environment; the key comes from a file, as secrets may)
        for name, value in {
            "OPENAI_API_KEY_FILE": str(key_file),
            "OPENAI_BASE_URL": fake.url,
            "COACH_LLM_MODEL": "fake-model",
            "COACH_LLM_TIMEOUT": "30",
            "COACH_LLM_MAX_RETRIES": "1",
            "COACH_LLM_BACKOFF": "0",
            "DB_POOL_MAX_SIZE": str(LLM_CONCURRENCY + 2),
            "NOTIFICATIONS_LAYER_CHECK_SECONDS": "0.5",
        }.items():
            env.setenv(name, value)
        try:
            with (
                celery_worker("llm", pool="threads", concurrency=LLM_CONCURRENCY),
                daphne_server() as (_, port),
            ):
                yield Stack(fake, port)
        finally:
            fake.stop()


@pytest.fixture
def model(stack: Stack) -> FakeLLM:
    """The stack's fake model, reset to its default answer."""
    stack.fake.script.clear()
    stack.fake.requests.clear()
    stack.fake.default = Reply.answer("A fine answer.")
    return stack.fake


def _post(port: int, path: str, key: str, body: dict[str, Any]) -> tuple[int, dict, float]:
    """POST over real HTTP; (status, JSON body, seconds it took)."""
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}",
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Token {key}", "Content-Type": "application/json"},
        method="POST",
    )
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - http://127.0.0.1
            status, data = response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        status, data = error.code, json.loads(error.read())
    return status, data, time.monotonic() - started


def _get(port: int, path: str, key: str) -> dict:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", headers={"Authorization": f"Token {key}"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - http://127.0.0.1
        return json.loads(response.read())


def _conversation(rec) -> str:
    return f"/v1/tenants/{rec.tenant_id}/coach/recommendations/{rec.pk}/conversation/"


def _connected(ws) -> None:
    ws.send(json.dumps({"type": "ping", "ts": 1}))
    assert recv(ws) == {"type": "pong", "ts": 1}  # connected and in the user's group


def _read_chat(ws, until_done: set[int], timeout: float = 30.0) -> list[dict]:
    """Chat messages until ``chat.done`` arrived for every message id in ``until_done``."""
    seen = []
    waiting = set(until_done)
    deadline = time.monotonic() + timeout
    while waiting:
        left = deadline - time.monotonic()
        assert left > 0, f"no chat.done for {sorted(waiting)}"
        message = recv(ws, timeout=left)
        if not message["type"].startswith("chat."):
            continue
        seen.append(message)
        if message["type"] == "chat.done":
            waiting.discard(message["message_id"])
    return seen


def test_the_answer_streams_to_the_askers_websocket(stack, model, api, tenant, alice, key_for):  # noqa: F811
    # given Alice's recommendation and her open socket
    rec = generate(api, tenant)[0]
    key = key_for(alice)
    model.then(Reply.answer("Cash lasts a few weeks. Delay the new hire.", delay=1))
    with ws_connect(stack.port, tenant.pk, key) as ws:
        _connected(ws)

        # when she asks over HTTP
        status, body, took = _post(
            stack.port, _conversation(rec), key, {"content": "How long does my cash last?"}
        )

        # then the request answered before the model did, with the question and a pending answer
        assert status == 202, body
        assert took < 1
        assert body["status"] == body["answer"]["status"] == "pending"
        assert body["question"]["content"] == "How long does my cash last?"
        # and the socket got the answer piece by piece, then the stored message
        messages = _read_chat(ws, {body["answer"]["id"]})
    deltas = [m for m in messages if m["type"] == "chat.delta"]
    assert len(deltas) > 1
    assert "".join(d["delta"] for d in deltas) == "Cash lasts a few weeks. Delay the new hire."
    assert {d["message_id"] for d in deltas} == {body["answer"]["id"]}
    assert {d["conversation_id"] for d in deltas} == {body["conversation_id"]}
    done = messages[-1]
    assert done["conversation_id"] == body["conversation_id"]
    assert done["message"]["status"] == "done"
    assert done["message"]["source"] == "llm"
    assert done["message"]["content"] == "Cash lasts a few weeks. Delay the new hire."
    stored = Message.objects.get(pk=body["answer"]["id"])
    assert (stored.source, stored.content) == ("llm", done["message"]["content"])


def test_twenty_slow_questions_answer_at_once_and_their_answers_arrive_later(
    stack,
    model,
    api,
    tenant,
    alice,
    key_for,  # noqa: F811
):
    # given a model that takes 10 s an answer, and Alice's socket open
    model.default = Reply.answer("Slowly: hold more cash back each month.", delay=10)
    recs = generate(api, tenant)
    key = key_for(alice)
    with ws_connect(stack.port, tenant.pk, key) as ws:
        _connected(ws)

        # when she asks twenty questions about her recommendations, five at a time (from five
        # tabs, say), so that the later ones are asked while the earlier ones are in flight
        def ask(i: int) -> tuple[int, dict, float]:
            rec = recs[i % len(recs)]
            return _post(stack.port, _conversation(rec), key, {"content": f"Question {i}?"})

        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=5) as pool:
            asked = list(pool.map(ask, range(20)))
        all_asked = time.monotonic() - started

        # then every POST answered in well under a second, with its answer pending, and all
        # twenty were asked before the first answer could be ready
        durations = sorted(took for _, _, took in asked)
        assert all(status == 202 for status, _, _ in asked), asked
        assert durations[-1] < 1, durations
        assert all_asked < 5  # the model takes 10 s: all twenty are in flight together
        answer_ids = {body["answer"]["id"] for _, body, _ in asked}
        assert len(answer_ids) == 20
        # and while the model works, a GET shows the answers pending
        shown = [_get(stack.port, _conversation(rec), key) for rec in recs]
        pending = [m for c in shown for m in c["messages"] if m["status"] == "pending"]
        assert {m["id"] for m in pending} == answer_ids
        assert {(m["source"], m["content"]) for m in pending} == {("pending", "")}

        # and the answers arrive later on the socket (ten at a time, as the worker's threads)
        messages = _read_chat(ws, answer_ids, timeout=90)
    done = [m for m in messages if m["type"] == "chat.done"]
    assert {m["message_id"] for m in done} == answer_ids
    assert {m["message"]["source"] for m in done} == {"llm"}
    assert time.monotonic() - started >= 10  # they did take the model's time
    stored = Message.objects.filter(pk__in=answer_ids)
    assert {(m.source, m.content) for m in stored} == {
        ("llm", "Slowly: hold more cash back each month.")
    }
    assert Message.objects.filter(role="assistant").count() == 20
    assert len(model.requests) == 20


def test_a_failed_model_call_stores_and_pushes_the_honest_fallback(
    stack,
    model,
    api,
    tenant,
    alice,
    key_for,  # noqa: F811
):
    rec = generate(api, tenant)[0]
    key = key_for(alice)
    model.then(Reply.error(500), Reply.error(500))
    with ws_connect(stack.port, tenant.pk, key) as ws:
        _connected(ws)

        status, body, _ = _post(stack.port, _conversation(rec), key, {"content": "Why?"})
        assert status == 202, body
        messages = _read_chat(ws, {body["answer"]["id"]})

    assert [m["type"] for m in messages] == ["chat.done"]
    message = messages[0]["message"]
    assert (message["source"], message["fallback_reason"]) == ("fallback", "error")
    assert message["content"].startswith("This answer is not from the AI")
    stored = Message.objects.get(pk=body["answer"]["id"])
    assert (stored.source, stored.fallback_reason) == ("fallback", "error")
    assert stored.content == message["content"]
    assert len(model.requests) == 2  # one try and one retry


def test_a_task_run_twice_answers_once(stack, model, api, tenant, alice, key_for):  # noqa: F811
    # given a question being answered slowly
    rec = generate(api, tenant)[0]
    key = key_for(alice)
    model.default = Reply.answer("Only once.", delay=3)
    with ws_connect(stack.port, tenant.pk, key) as ws:
        _connected(ws)
        status, body, _ = _post(stack.port, _conversation(rec), key, {"content": "Twice?"})
        assert status == 202, body
        ids = (body["answer"]["id"], body["question"]["id"])

        # when its task is delivered again while the first runs (a redelivery, a duplicate)
        duplicate = answer_question.delay(*ids)
        outcome = duplicate.get(timeout=30)
        _read_chat(ws, {ids[0]})
        # and once more after the answer is stored
        late = answer_question.delay(*ids).get(timeout=30)

    # then the model was asked once and the question has one answer
    # whichever run came second stood aside, then found the answer stored
    assert outcome in {"already_answered", "llm"}
    assert late == "already_answered"
    assert len(model.requests) == 1
    answers = Message.objects.filter(role="assistant")
    assert [(a.pk, a.source, a.content) for a in answers] == [(ids[0], "llm", "Only once.")]


def test_over_the_budget_the_fallback_is_immediate(stack, model, api, tenant, alice, key_for):  # noqa: F811
    # given a tenant that spent its month's tokens (the default budget)
    rec = generate(api, tenant)[0]
    llm.record_usage(tenant, "chat", prompt_tokens=10_000_000, ok=True)
    key = key_for(alice)
    with ws_connect(stack.port, tenant.pk, key) as ws:
        _connected(ws)

        status, body, took = _post(stack.port, _conversation(rec), key, {"content": "More?"})

        # then the fallback is the answer, at once, and the socket hears it too
        assert status == 201, body
        assert took < 1
        messages = _read_chat(ws, {body["answer"]["id"]})
    assert body["status"] == body["answer"]["status"] == "done"
    assert (body["answer"]["source"], body["answer"]["fallback_reason"]) == (
        "fallback",
        "budget_exceeded",
    )
    assert messages[-1]["message"] == body["answer"]
    assert model.requests == []


def test_without_a_model_the_fallback_is_immediate(api, tenant, alice, key_for):  # noqa: F811
    # given a web process with no model configured
    rec = generate(api, tenant)[0]
    key = key_for(alice)
    with daphne_server(OPENAI_API_KEY_FILE="") as (_, port), ws_connect(port, tenant.pk, key) as ws:
        _connected(ws)

        status, body, took = _post(port, _conversation(rec), key, {"content": "Why?"})

        assert status == 201, body
        assert took < 1
        messages = _read_chat(ws, {body["answer"]["id"]})
    assert [m["type"] for m in messages] == ["chat.done"]
    assert body["answer"]["fallback_reason"] == "not_configured"
    assert body["answer"]["content"].startswith("This answer is not from the AI")
    assert messages[0]["message"] == body["answer"]
