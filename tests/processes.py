"""Real worker and server processes for the tests that need them, started and stopped cleanly."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.db import connection

from config.celery import app

ROOT = Path(__file__).resolve().parent.parent


def process_env(**extra: str) -> dict[str, str]:
    """The environment of a child process: the test settings, pointed at the test database."""
    env = dict(os.environ)
    env["DJANGO_SETTINGS_MODULE"] = "tests.settings"
    db = connection.settings_dict
    env["DATABASE_URL"] = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    env.update(extra)
    return env


@contextmanager
def celery_worker(
    queues: str = "default,insights,notifications,llm",
    *,
    include: str = "",
    pool: str = "solo",
    concurrency: int = 1,
    ready_timeout: float = 30.0,
) -> Iterator[tuple[subprocess.Popen, str]]:
    """A real ``celery worker`` subprocess on the real broker; yields (process, node name)."""
    node = f"test-{uuid.uuid4().hex[:8]}@localhost"
    args = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "config",
        "worker",
        "-Q",
        queues,
        "-P",
        pool,
        "-c",
        str(concurrency),
        "-n",
        node,
        "--without-gossip",
        "--without-mingle",
        "--loglevel",
        "INFO",
    ]
    if include:
        args += ["--include", include]
    log = open(ROOT / f".worker-{node.split('@')[0]}.log", "w+b")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(args, cwd=ROOT, env=process_env(), stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + ready_timeout
        while not app.control.ping(destination=[node], timeout=0.5):
            if proc.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                raise RuntimeError(f"worker {node} did not start:\n{log.read().decode()[-3000:]}")
        yield proc, node
    finally:
        stop_process(proc, timeout=15)
        log.close()
        Path(log.name).unlink(missing_ok=True)


def stop_process(proc: subprocess.Popen, timeout: float) -> None:
    """SIGTERM (a clean shutdown), then SIGKILL if it has not ended within ``timeout``."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def daphne_server(
    port: int | None = None,
    *,
    ready_timeout: float = 30.0,
    options: tuple[str, ...] = (),
    **env: str,
) -> Iterator[tuple[subprocess.Popen, int]]:
    """A real ``daphne`` serving ``config.asgi`` on loopback; yields (process, port).

    It runs the test settings against the test database (``process_env``); ``env`` adds or
    overrides variables, e.g. ``CHANNEL_LAYER_URL`` or ``NOTIFICATIONS_HEARTBEAT_TIMEOUT``;
    ``options`` adds daphne command-line options (those of the Procfile, say).
    Ready when ``/healthz`` answers.
    """
    port = port or free_port()
    args = [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port)]
    args += [*options, "config.asgi:application"]
    log = open(ROOT / f".daphne-{port}.log", "w+b")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        args, cwd=ROOT, env=process_env(**env), stdout=log, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + ready_timeout
        while True:
            if proc.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                raise RuntimeError(
                    f"daphne on {port} did not start:\n{log.read().decode()[-3000:]}"
                )
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as r:
                    if r.status == 200:
                        break
            except OSError:
                time.sleep(0.1)
        yield proc, port
    finally:
        stop_process(proc, timeout=10)
        log.close()
        Path(log.name).unlink(missing_ok=True)
