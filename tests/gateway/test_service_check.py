"""The two commands stop at once, naming the service that is down and how to start it."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.processes import ROOT


def _check(**env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, ".ci/services.py"],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=30,
    )


def test_it_passes_when_postgres_and_redis_answer():
    result = _check(
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/x", REDIS_URL="redis://127.0.0.1:6379/0"
    )

    assert result.returncode == 0
    assert "PostgreSQL and Redis are reachable" in result.stdout


def test_it_names_redis_and_how_to_start_it_when_redis_is_down():
    result = _check(REDIS_URL="redis://127.0.0.1:1/0")

    assert result.returncode == 1
    assert "Redis is not reachable at redis://127.0.0.1:1/0" in result.stderr
    assert "redis-server --daemonize yes" in result.stderr
    assert "PostgreSQL" not in result.stderr


def test_it_names_postgres_when_postgres_is_down():
    result = _check(DATABASE_URL="postgres://postgres@127.0.0.1:1/coach")

    assert result.returncode == 1
    assert "PostgreSQL is not reachable" in result.stderr
    assert "pg_ctlcluster" in result.stderr
