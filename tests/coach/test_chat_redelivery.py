"""A worker killed while the model is answering: the task is redelivered (late acks), redone by
a new pool process, and the question still gets exactly one answer."""

from __future__ import annotations

import os
import signal
import time

import pytest

from coach.models import Message
from tests.fake_llm import Reply
from tests.insights.test_insight_workers import _pool_children
from tests.processes import ROOT, celery_worker

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_an_answer_whose_worker_dies_mid_stream_is_redone_once(
    api, recommendation, fake_llm, tmp_path, monkeypatch
):
    # given a slow model and a real worker (prefork, one child) on the llm queue that uses it
    fake_llm.default = Reply.answer("An answer that survived the crash of its worker.", delay=4)
    key_file = tmp_path / "key"
    key_file.write_text("sk-test")
    monkeypatch.setenv("OPENAI_API_KEY_FILE", str(key_file))
    monkeypatch.setenv("OPENAI_BASE_URL", fake_llm.url)
    monkeypatch.setenv("COACH_LLM_MODEL", "fake-model")
    monkeypatch.setenv("COACH_LLM_TIMEOUT", "30")
    with celery_worker("llm", pool="prefork", concurrency=1) as (worker, node):
        # when Alice asks, and the pool process dies with SIGKILL while the model streams
        url = f"/v1/tenants/{recommendation.tenant_id}/coach/recommendations/"
        response = api.post(f"{url}{recommendation.pk}/conversation/", {"content": "Crash?"})
        assert response.status_code == 202, response.json()
        answer_id = response.json()["answer"]["id"]
        deadline = time.monotonic() + 30
        while not fake_llm.requests:
            assert time.monotonic() < deadline, "the model was never asked"
            time.sleep(0.05)
        time.sleep(1.0)  # mid-stream
        for child in _pool_children(worker.pid):
            os.kill(child, signal.SIGKILL)
        assert Message.objects.get(pk=answer_id).status == "pending"

        # then the task is redelivered to a new pool process, which answers
        deadline = time.monotonic() + 60
        log_path = ROOT / f".worker-{node.split('@')[0]}.log"
        while Message.objects.get(pk=answer_id).status == "pending":
            assert time.monotonic() < deadline, f"not redone:\n{log_path.read_text()[-4000:]}"
            time.sleep(0.2)
        time.sleep(1)  # give a wrongly doubled run the chance to show itself
        log = log_path.read_text()

    assert "WorkerLostError('Worker exited prematurely: signal 9 (SIGKILL)" in log
    answers = Message.objects.filter(role="assistant")
    assert [(a.pk, a.source, a.content) for a in answers] == [
        (answer_id, "llm", "An answer that survived the crash of its worker.")
    ]
    assert len(fake_llm.requests) == 2  # the killed attempt and the one that finished
