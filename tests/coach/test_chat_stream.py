"""The answer streams to the asker's open WebSocket while it is produced: a real daphne, the
Redis channel layer, a real WebSocket client, the real openai client and the fake provider."""

from __future__ import annotations

import json

import pytest

from tests.coach.conftest import generate
from tests.fake_llm import Reply
from tests.notifications.conftest import daphne_port, key_for, recv, ws_connect  # noqa: F401

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def _read_chat(ws) -> list[dict]:  # type: ignore[no-untyped-def]
    """Messages of the chat stream, up to and including ``chat.done``."""
    seen = []
    while True:
        message = recv(ws)
        if not message["type"].startswith("chat."):
            continue
        seen.append(message)
        if message["type"] == "chat.done":
            return seen


def test_the_answer_streams_to_the_askers_websocket(
    daphne_port,  # noqa: F811
    api,
    tenant,
    alice,
    key_for,  # noqa: F811
    fake_llm,
):
    # given Alice's recommendation and her open socket
    rec = generate(api, tenant)[0]
    fake_llm.then(Reply.answer("Cash lasts a few weeks. Delay the new hire."))
    with ws_connect(daphne_port, tenant.pk, key_for(alice)) as ws:
        ws.send(json.dumps({"type": "ping", "ts": 1}))
        assert recv(ws) == {"type": "pong", "ts": 1}  # connected and in her group

        # when she asks over HTTP
        url = f"/v1/tenants/{tenant.id}/coach/recommendations/{rec.pk}/conversation/"
        response = api.post(url, {"content": "How long does my cash last?"})

        # then the socket got the answer piece by piece, then the stored message
        messages = _read_chat(ws)
    answer = response.json()["answer"]
    deltas = [m for m in messages if m["type"] == "chat.delta"]
    assert len(deltas) > 1
    assert "".join(d["delta"] for d in deltas) == "Cash lasts a few weeks. Delay the new hire."
    assert {d["message_id"] for d in deltas} == {answer["id"]}
    assert {d["conversation_id"] for d in deltas} == {response.json()["conversation_id"]}
    done = messages[-1]
    assert done["message_id"] == answer["id"]
    assert done["message"]["content"] == answer["content"]
    assert done["message"]["source"] == "llm"


def test_a_failed_stream_sends_the_honest_fallback_as_done(
    daphne_port,  # noqa: F811
    api,
    tenant,
    alice,
    key_for,  # noqa: F811
    fake_llm,
):
    rec = generate(api, tenant)[0]
    fake_llm.then(Reply.error(500), Reply.error(500))
    with ws_connect(daphne_port, tenant.pk, key_for(alice)) as ws:
        ws.send(json.dumps({"type": "ping", "ts": 1}))
        recv(ws)

        url = f"/v1/tenants/{tenant.id}/coach/recommendations/{rec.pk}/conversation/"
        api.post(url, {"content": "Why?"})
        messages = _read_chat(ws)

    assert [m["type"] for m in messages] == ["chat.done"]
    assert messages[0]["message"]["source"] == "fallback"
    assert messages[0]["message"]["content"].startswith("This answer is not from the AI")
