"""The broker's visibility timeout is sized to the longest task: a running task is never handed
to a second worker, and a setting too short for the tasks refuses to start."""

from __future__ import annotations

import subprocess
import sys

from django.conf import settings

from config.celery import app
from tests.processes import ROOT


def test_the_visibility_timeout_outlasts_every_task():
    timeout = app.conf.broker_transport_options["visibility_timeout"]
    assert timeout == settings.CELERY_VISIBILITY_TIMEOUT == 600
    assert timeout > settings.LONGEST_TASK_SECONDS
    app.loader.import_default_modules()
    limits = [
        task.time_limit or app.conf.task_time_limit
        for name, task in app.tasks.items()
        if not name.startswith("celery.")
    ]
    assert limits
    assert max(limits) < timeout
    # the llm queue's threads enforce no limit: its tasks bound themselves (settings)
    assert settings.LONGEST_TASK_SECONDS >= (
        settings.COACH_ENRICHMENT_TASK_SECONDS + settings.LLM_CALL_MAX_SECONDS
    )


def test_a_visibility_timeout_shorter_than_the_longest_task_refuses_to_start():
    env = {"DJANGO_SETTINGS_MODULE": "config.settings", "CELERY_VISIBILITY_TIMEOUT": "300"}
    done = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env={**_base_env(), **env},
        capture_output=True,
        text=True,
    )
    assert done.returncode != 0
    assert "CELERY_VISIBILITY_TIMEOUT=300 must be longer than the longest task (320 s" in (
        done.stderr
    )


def _base_env() -> dict[str, str]:
    import os

    return {k: v for k, v in os.environ.items() if not k.startswith("CELERY_")}
