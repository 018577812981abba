"""Settings come from the environment and fail loudly, naming the variable."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.processes import ROOT


def _check(**env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE"}}
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_defaults_work_on_a_developer_machine():
    result = _check()

    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DEBUG": "maybe"}, "DEBUG='maybe' is not a boolean"),
        (
            {"DATABASE_URL": "mysql://x@localhost/db"},
            "DATABASE_URL must start with one of postgres://",
        ),
        ({"REDIS_URL": "redis://127.0.0.1:notaport/0"}, "REDIS_URL is not a valid URL"),
        ({"DB_POOL_MAX_SIZE": "lots"}, "DB_POOL_MAX_SIZE='lots' is not an integer"),
        ({"INSIGHT_BATCH_SIZE": "0"}, "INSIGHT_BATCH_SIZE=0 is below the minimum 1"),
        ({"COACH_ENV": "staging"}, "COACH_ENV='staging' must be development, test or production"),
        ({"COACH_ENV": "production"}, "SECRET_KEY must be set"),
        (
            {"SECRET_KEY_FILE": "/nonexistent/secret"},
            "SECRET_KEY_FILE='/nonexistent/secret' cannot be read",
        ),
    ],
)
def test_a_malformed_value_stops_start_up_naming_the_variable(env, message):
    result = _check(**env)

    assert result.returncode != 0
    assert message in result.stderr


def test_production_is_secure_by_default(tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("x" * 50 + "\n")
    script = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.ALLOWED_HOSTS, "
        "len(s.SECRET_KEY))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "COACH_ENV": "production",
            "SECRET_KEY_FILE": str(secret),
            "ALLOWED_HOSTS": "coach.example",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.stdout.split("\n")[0] == "False True True ['coach.example'] 50", result.stderr
