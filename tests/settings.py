"""Settings for the test suite: the real Postgres and Redis, kept apart from a running dev system.

Redis database 1 (not the dev system's 0) holds the test broker, cache and channel layer, and a
per-run key prefix keeps two runs from reading each other's throttling counters.
"""

import os
import uuid

os.environ.setdefault("COACH_ENV", "test")
os.environ.setdefault("REDIS_URL", os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/1"))
# Subprocesses (workers, daphne) started by a test inherit the run's prefixes through the env.
os.environ.setdefault("COACH_TEST_RUN", uuid.uuid4().hex[:8])
os.environ.setdefault("CACHE_KEY_PREFIX", f"coach-test-{os.environ['COACH_TEST_RUN']}")
os.environ.setdefault("CHANNEL_LAYER_PREFIX", f"coach-test-{os.environ['COACH_TEST_RUN']}:asgi")
# Nothing in the test suite may call a real LLM: no key unless a test starts its own fake server.
os.environ.pop("OPENAI_API_KEY", None)

from config.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed, tests only

# Two test runs at once on one machine (two developers, or CI beside a developer) need two
# databases: pytest-django drops the test database when it finishes.
DATABASES["default"]["TEST"] = {"NAME": os.environ.get("COACH_TEST_DB", "test_coach")}  # noqa: F405

# The broker's keys carry the run's prefix too, so two test runs on one machine never take each
# other's tasks (their workers would otherwise share the queues of Redis database 1).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    **CELERY_BROKER_TRANSPORT_OPTIONS,  # noqa: F405
    "global_keyprefix": f"coach-test-{os.environ['COACH_TEST_RUN']}:",
}
