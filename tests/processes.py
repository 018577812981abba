"""Real worker and server processes for the tests that need them, started and stopped cleanly."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
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
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        log.close()
        Path(log.name).unlink(missing_ok=True)
