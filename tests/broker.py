"""Broker faults for the tests: the broker down while a request commits, and a private Redis
that can be killed and restarted without touching the Redis other test runs share."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import redis

from config.celery import app
from tests.processes import ROOT, free_port, process_env, stop_process


def _reset_producer_pools() -> None:
    """Forget the app's pooled broker connections, so the next publish connects anew."""
    celery_app: Any = app  # private attributes, not in the type stubs
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@contextmanager
def broker_down() -> Iterator[None]:
    """Publishing from this process fails as it does when the broker is down: the app points
    at a port nothing listens on (connection refused) until the block ends."""
    conf: Any = app.conf  # a mapping at run time; the stubs make broker_url read-only
    before = conf.broker_url
    conf.broker_url = f"redis://127.0.0.1:{free_port()}/0"
    _reset_producer_pools()
    try:
        yield
    finally:
        conf.broker_url = before
        _reset_producer_pools()


class PrivateRedis:
    """A non-persistent ``redis-server`` of this test alone (no RDB, no AOF), on a free port."""

    def __init__(self) -> None:
        self.port = free_port()
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> PrivateRedis:
        server = shutil.which("redis-server")
        if server is None:
            raise RuntimeError("redis-server is not installed")
        args = [server, "--port", str(self.port), "--save", "", "--appendonly", "no"]
        self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while True:
            try:
                if redis.Redis(port=self.port, socket_connect_timeout=0.2).ping():
                    return self
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def kill(self) -> None:
        """SIGKILL: what a crash or an OOM kill does; a non-persistent Redis loses everything."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()

    def restart(self, down_for: float = 1.0) -> None:
        self.kill()
        time.sleep(down_for)
        self.start()


@contextmanager
def private_redis() -> Iterator[PrivateRedis]:
    server = PrivateRedis().start()
    try:
        yield server
    finally:
        server.kill()


@contextmanager
def worker_on_broker(
    broker_url: str,
    queues: str = "default",
    *,
    include: str = "",
    pool: str = "prefork",
    concurrency: int = 2,
) -> Iterator[tuple[subprocess.Popen, Path]]:
    """A real ``celery worker`` whose broker is ``broker_url`` (the result backend stays the test
    Redis); yields (process, log path). Ready when its log says so."""
    node = f"test-{uuid.uuid4().hex[:8]}@localhost"
    args = [sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", queues, "-P", pool]
    args += ["-c", str(concurrency), "-n", node, "--without-gossip", "--without-mingle"]
    args += ["--without-heartbeat", "--loglevel", "INFO"]
    if include:
        args += ["--include", include]
    path = ROOT / f".worker-{node.split('@')[0]}.log"
    log = open(path, "w+b")  # noqa: SIM115 - closed below
    env = process_env(CELERY_BROKER_URL=broker_url, LOG_FORMAT="plain")
    proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while b" ready." not in path.read_bytes():
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"worker did not start:\n{path.read_text()[-3000:]}")
            time.sleep(0.1)
        yield proc, path
    finally:
        stop_process(proc, timeout=15)
        log.close()
        path.unlink(missing_ok=True)
