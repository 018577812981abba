"""Real receivers for the channel tests: an SMTP server (aiosmtpd) and an HTTP server, each on a
free loopback port in a thread of the test process."""

from __future__ import annotations

import email
import email.policy
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from tests.processes import free_port


@dataclass
class Inbox:
    """What the SMTP server accepted, in order."""

    messages: list[EmailMessage] = field(default_factory=list)
    # Called with a recipient at RCPT TO; may block (to hold a sender mid-exchange).
    on_rcpt: Callable[[str], None] | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def to(self, address: str, kind: str | None = None) -> list[EmailMessage]:
        """The emails to ``address`` (of one ``X-Coach-Email`` kind: digest, coach_alert...)."""
        with self.lock:
            return [
                m
                for m in self.messages
                if address in str(m["To"]) and kind in (None, m["X-Coach-Email"])
            ]

    def of_kind(self, kind: str) -> list[EmailMessage]:
        with self.lock:
            return [m for m in self.messages if m["X-Coach-Email"] == kind]

    def wait_for(
        self, count: int, kind: str | None = None, timeout: float = 30.0
    ) -> list[EmailMessage]:
        """Wait until at least ``count`` messages (of ``kind``) arrived; all of them."""
        deadline = time.monotonic() + timeout
        while True:
            with self.lock:
                found = [m for m in self.messages if kind in (None, m["X-Coach-Email"])]
            if len(found) >= count:
                return found
            if time.monotonic() > deadline:
                raise AssertionError(f"{len(found)} emails arrived, expected {count}")
            time.sleep(0.05)


class _Handler:
    def __init__(self, inbox: Inbox) -> None:
        self.inbox = inbox

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list
    ) -> str:
        if self.inbox.on_rcpt is not None:
            import asyncio

            await asyncio.get_running_loop().run_in_executor(None, self.inbox.on_rcpt, address)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or envelope.content
        assert isinstance(raw, bytes)
        message = email.message_from_bytes(raw, policy=email.policy.default)
        with self.inbox.lock:
            self.inbox.messages.append(message)
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server() -> Iterator[tuple[int, Inbox]]:
    """A real SMTP server; yields (port, what it received)."""
    inbox = Inbox()
    port = free_port()
    controller = Controller(_Handler(inbox), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, inbox
    finally:
        inbox.on_rcpt = None
        controller.stop()


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    status: int


@dataclass
class Receiver:
    """An HTTP endpoint answering the statuses given in turn (the last one from then on)."""

    port: int
    statuses: list[int] = field(default_factory=lambda: [200])
    requests: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def wait_for(self, count: int, timeout: float = 30.0) -> list[Received]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.requests) >= count:
                    return list(self.requests)
            time.sleep(0.05)
        with self.lock:
            raise AssertionError(f"{len(self.requests)} requests arrived, expected {count}")


@pytest.fixture
def http_receiver() -> Iterator[Receiver]:
    receiver = Receiver(free_port())

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            with receiver.lock:
                index = len(receiver.requests)
                status = receiver.statuses[min(index, len(receiver.statuses) - 1)]
                receiver.requests.append(
                    Received(self.path, {k: v for k, v in self.headers.items()}, body, status)
                )
            self.send_response(status)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", receiver.port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
