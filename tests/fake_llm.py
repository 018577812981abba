"""A local OpenAI-compatible server for the tests: the only stand-in in the suite.

The real ``openai`` client talks to it over loopback HTTP. Each request takes the next scripted
reply (or the default): an answer (streamed as SSE when the client asks for a stream), optionally
slow (``delay`` seconds in all, spread over the stream's pieces), a server error, a 429 with
Retry-After, or a hang past the client's timeout. Requests are served concurrently. Every request
body is kept, so tests can read the prompts that were sent.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Reply:
    kind: str  # answer, error, rate_limited, hang
    text: str = ""
    status: int = 200
    retry_after: str | None = None
    seconds: float = 0.0
    prompt_tokens: int = 50
    completion_tokens: int = 20
    delay: float = 0.0  # an answer's total time to produce, like a slow model

    @staticmethod
    def answer(
        text: str, prompt_tokens: int = 50, completion_tokens: int = 20, *, delay: float = 0.0
    ) -> Reply:
        return Reply(
            "answer",
            text,
            prompt_tokens=prompt_tokens,
            completion_tokens=completion_tokens,
            delay=delay,
        )

    @staticmethod
    def error(status: int = 500) -> Reply:
        return Reply("error", status=status)

    @staticmethod
    def rate_limited(retry_after: str) -> Reply:
        return Reply("rate_limited", status=429, retry_after=retry_after)

    @staticmethod
    def hang(seconds: float) -> Reply:
        return Reply("hang", seconds=seconds)


Responder = Callable[[dict[str, Any]], Reply]


class FakeLLM:
    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.script: deque[Reply | Responder] = deque()
        self.default: Reply | Responder = Reply.answer("A fine answer.")
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}/v1"  # bound to loopback in start()

    def start(self) -> FakeLLM:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def then(self, *replies: Reply | Responder) -> None:
        """Script the next replies, in order; after them the default answers."""
        self.script.extend(replies)

    def _next(self, body: dict[str, Any]) -> Reply:
        with self._lock:
            self.requests.append(body)
            reply = self.script.popleft() if self.script else self.default
        return reply(body) if callable(reply) else reply

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:  # quiet
                return

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                body["_path"] = self.path
                body["_auth"] = self.headers.get("Authorization")
                reply = fake._next(body)
                if reply.kind == "hang":
                    time.sleep(reply.seconds)
                    return
                if reply.kind in {"error", "rate_limited"}:
                    payload = json.dumps({"error": {"message": reply.kind, "type": reply.kind}})
                    self.send_response(reply.status)
                    if reply.retry_after is not None:
                        self.send_header("Retry-After", reply.retry_after)
                    self._send_json_body(payload)
                    return
                if body.get("stream"):
                    self._stream(body, reply)
                else:
                    time.sleep(reply.delay)
                    self.send_response(200)
                    self._send_json_body(json.dumps(_completion(body, reply)))

            def _send_json_body(self, payload: str) -> None:
                data = payload.encode()
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _stream(self, body: dict[str, Any], reply: Reply) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Cache-Control", "no-cache")
                self.send_header("Connection", "close")
                self.end_headers()
                words = reply.text.split(" ")
                pieces = [w + (" " if i < len(words) - 1 else "") for i, w in enumerate(words)]
                for piece in pieces:
                    time.sleep(reply.delay / len(pieces))
                    self._event(_chunk(body, {"content": piece}, None))
                self._event(_chunk(body, {}, "stop"))
                usage = _usage(reply)
                self._event({**_chunk(body, {}, None), "choices": [], "usage": usage})
                self.wfile.write(b"data: [DONE]\n\n")
                self.wfile.flush()
                self.close_connection = True

            def _event(self, data: dict[str, Any]) -> None:
                self.wfile.write(f"data: {json.dumps(data)}\n\n".encode())
                self.wfile.flush()

        return Handler


def _usage(reply: Reply) -> dict[str, int]:
    return {
        "prompt_tokens": reply.prompt_tokens,
        "completion_tokens": reply.completion_tokens,
        "total_tokens": reply.prompt_tokens + reply.completion_tokens,
    }


def _completion(body: dict[str, Any], reply: Reply) -> dict[str, Any]:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": body.get("model", "fake"),
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": reply.text},
                "finish_reason": "stop",
            }
        ],
        "usage": _usage(reply),
    }


def _chunk(body: dict[str, Any], delta: dict[str, Any], finish: str | None) -> dict[str, Any]:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": body.get("model", "fake"),
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
