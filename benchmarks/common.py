"""What the benchmarks share: their own database and Redis, servers started as subprocesses.

Benchmarks never touch the dev system: they use the ``coach_bench`` database and Redis
database 2 with their own key prefix, on loopback only.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

BENCH_ENV = {
    "DJANGO_SETTINGS_MODULE": "benchmarks.settings",
    "DATABASE_URL": os.environ.get(
        "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/coach_bench"
    ),
    "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/2"),
    "CACHE_KEY_PREFIX": "coach-bench",
    "CHANNEL_LAYER_PREFIX": "coach-bench:asgi",
    "DEBUG": "false",  # DEBUG keeps every query in memory: not what production runs
    "THROTTLE_USER": "100000000/min",  # the throttle still runs, it just never refuses
    "LOG_LEVEL": "WARNING",
    "DB_POOL_MAX_SIZE": "8",
}


def stop_process(proc: subprocess.Popen, timeout: float) -> None:
    """SIGTERM (a clean shutdown), then SIGKILL if it has not ended within ``timeout``."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def setup_django() -> None:
    """This process on the benchmark settings, database created and migrated."""
    os.environ.update(BENCH_ENV)
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    _ensure_database(BENCH_ENV["DATABASE_URL"])
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env={**os.environ},
        check=True,
    )
    import django

    django.setup()


def _ensure_database(url: str) -> None:
    from urllib.parse import urlsplit

    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def server_command(kind: str, port: int) -> list[str]:
    app = "config.asgi:application"
    if kind == "daphne":
        return [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), app]
    if kind == "uvicorn":
        flags = ["--no-access-log", "--lifespan", "off", "--ws", "websockets"]
        return [sys.executable, "-m", "uvicorn", app, "--port", str(port), *flags]
    raise ValueError(f"unknown server {kind!r}")


@contextmanager
def server(kind: str, **env: str) -> Iterator[tuple[subprocess.Popen, int]]:
    """One web process (daphne or uvicorn) on loopback; yields (process, port)."""
    port = free_port()
    log = open(ROOT / f".bench-{kind}-{port}.log", "w+b")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(  # noqa: S603 - our own command line
        server_command(kind, port),
        cwd=ROOT,
        env={**os.environ, **BENCH_ENV, **env},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            if proc.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                raise RuntimeError(f"{kind} did not start:\n{log.read().decode()[-3000:]}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                    break
            except OSError:
                time.sleep(0.1)
        yield proc, port
    finally:
        stop_process(proc, timeout=15)
        log.seek(0)
        errors = [
            line for line in log.read().decode(errors="replace").splitlines() if "Error" in line
        ]
        if errors:
            print(f"  ({kind} logged {len(errors)} error lines; first: {errors[0][:160]})")
        log.close()
        Path(log.name).unlink(missing_ok=True)


def rss_kb(pid: int) -> int:
    """Resident memory of a process, in KB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def percentile(values: Sequence[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[index]
