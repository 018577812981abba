"""Coach settings, read from the environment with defaults for a developer machine.

Outside development (``COACH_ENV`` other than ``development``/``test``) DEBUG is off, a real
SECRET_KEY is required and cookies are secure.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_float, env_int, env_list, env_str, env_url

BASE_DIR = Path(__file__).resolve().parent.parent

COACH_ENV = env_str("COACH_ENV", "development") or "development"
if COACH_ENV not in {"development", "test", "production"}:
    raise ImproperlyConfigured(f"COACH_ENV={COACH_ENV!r} must be development, test or production")
IS_PRODUCTION = COACH_ENV == "production"

DEBUG = env_bool("DEBUG", not IS_PRODUCTION)

_DEV_SECRET = "dev-only-insecure-secret-key-change-me"  # noqa: S105 - refused in production below
SECRET_KEY = env_str("SECRET_KEY") or ("" if IS_PRODUCTION else _DEV_SECRET)
if IS_PRODUCTION and (len(SECRET_KEY) < 32 or SECRET_KEY == _DEV_SECRET):
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a random string of 32+ characters in production"
    )

ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", [] if IS_PRODUCTION else ["localhost", "127.0.0.1", "[::1]", "testserver"]
)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", IS_PRODUCTION)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", IS_PRODUCTION)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)  # usually done by the load balancer
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if IS_PRODUCTION else None
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0, minimum=0)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",  # failed logins and lockouts, on every login form (gateway/lockout.py)
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI's files, served by the web process (no CDN)
    "django_filters",
    "channels",
    "django_celery_beat",
    "gateway",
    "notifications",
    "coach",
    "feedback",
    "insights",
]

MIDDLEWARE = [
    # First, so every log line of a request, and every response, carries its X-Request-ID.
    "gateway.logs.RequestIdMiddleware",
    # A body over DATA_UPLOAD_MAX_MEMORY_SIZE: a JSON 413 naming the limit, before it is read.
    "gateway.body_limit.BodySizeLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # The web console's static files, served by the web process itself (no CDN, no extra server).
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: turns a locked-out login into its 429 (gateway/lockout.py).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Postgres -----------------------------------------------------------------------------------
# Connections come from psycopg's pool, one pool per process. Not CONN_MAX_AGE: under ASGI every
# request runs in its own thread, and persistent connections pile up one per thread until
# Postgres' max_connections is exhausted. Size the pool per process kind (web vs worker).
DATABASE_URL = env_url(
    "DATABASE_URL", "postgres://postgres@127.0.0.1:5432/coach", ("postgres", "postgresql")
)
# CONN_HEALTH_CHECKS: with a pool, Django passes ``check=ConnectionPool.check_connection`` to it
# (it refuses a "check" in the pool options), so each connection is checked (an empty query,
# ~0.2 ms on loopback) before the pool hands it out, and replaced if it died: after a Postgres
# restart no request gets a dead connection.
_db = dj_database_url.parse(DATABASE_URL, conn_max_age=0, conn_health_checks=True)
_db["OPTIONS"] = {
    "pool": {
        "min_size": env_int("DB_POOL_MIN_SIZE", 1, minimum=0),
        # web: ~ASGI worker threads; a Celery prefork child needs 1-2. 8 x (web + workers) stays
        # far below Postgres' default max_connections of 100.
        "max_size": env_int("DB_POOL_MAX_SIZE", 8, minimum=1),
        "timeout": env_float("DB_POOL_TIMEOUT", 10.0, minimum=0.1),
    },
    "connect_timeout": env_int("DB_CONNECT_TIMEOUT", 5, minimum=1),
}
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: cache, channel layer, Celery --------------------------------------------------------
REDIS_URL = env_url("REDIS_URL", "redis://127.0.0.1:6379/0", ("redis", "rediss", "unix"))
CACHE_KEY_PREFIX = env_str("CACHE_KEY_PREFIX", "coach") or "coach"
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": env_url("CACHE_URL", REDIS_URL, ("redis", "rediss", "unix")),
        "KEY_PREFIX": CACHE_KEY_PREFIX,
        "TIMEOUT": 300,
        # Short timeouts: a dead Redis makes /readyz and throttling fail fast, not hang a thread.
        "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
    }
}

CHANNEL_LAYERS: dict[str, dict[str, Any]] = {
    "default": {
        # Pub/sub: measured faster than the core layer and with no per-channel capacity to overflow
        # (docs/notifications.md); what it may drop in a partition, the inbox and resume replay.
        "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
        "CONFIG": {
            "hosts": [env_url("CHANNEL_LAYER_URL", REDIS_URL, ("redis", "rediss", "unix"))],
            "prefix": env_str("CHANNEL_LAYER_PREFIX", "coach:asgi") or "coach:asgi",
        },
    }
}

CELERY_BROKER_URL = env_url(
    "CELERY_BROKER_URL", REDIS_URL, ("redis", "rediss", "amqp", "amqps", "pyamqp")
)
CELERY_RESULT_BACKEND = env_url("CELERY_RESULT_BACKEND", REDIS_URL, ("redis", "rediss", "rpc"))

# --- Auth, API ----------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/admin/login/"

# --- Login defences (README "Faults and security") ----------------------------------------------
# Proxies in front of the web process that append the client's address to X-Forwarded-For: the
# client is that many entries from the right; 0 (the default) ignores the header altogether.
NUM_PROXIES = env_int("NUM_PROXIES", 0, minimum=0, maximum=10)
# django-axes checks every authenticate() call first, and locks out a username from an address
# after AXES_FAILURE_LIMIT failures for AXES_COOLOFF_MINUTES (counted in Postgres).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "gateway.proxies.client_ip"
AXES_USERNAME_CALLABLE = "gateway.lockout.axes_username"
AXES_LOCKOUT_CALLABLE = "gateway.lockout.lockout_response"
AXES_HTTP_RESPONSE_CODE = 429

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "gateway.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # DRF's own throttles, reading the client address by the NUM_PROXIES rule and letting
    # requests through when the cache is down (gateway/throttling.py)
    "DEFAULT_THROTTLE_CLASSES": [
        "gateway.throttling.AnonRateThrottle",
        "gateway.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_str("THROTTLE_ANON", "60/min"),
        "user": env_str("THROTTLE_USER", "1200/min"),
        # password logins (token and session), per client address and per username
        "login": env_str("THROTTLE_LOGIN", "10/min"),
        "login_username": env_str("THROTTLE_LOGIN_USERNAME", "30/hour"),
    },
    "NUM_PROXIES": NUM_PROXIES,
    # limit/offset validated (a 400 naming them, never a database error), pages capped at 1000
    "DEFAULT_PAGINATION_CLASS": "gateway.pagination.Pagination",
    # JSON with a lone surrogate or a NUL anywhere is a 400 naming the field (gateway/parsers.py)
    "DEFAULT_PARSER_CLASSES": [
        "gateway.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "gateway.errors.exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS: dict[str, Any] = {
    "TITLE": "Coach API",
    "DESCRIPTION": "Proactive financial coach for small and medium businesses.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/v1/",
    # /v1/docs/ works offline and behind a firewall: Swagger UI (and ReDoc) come from the
    # drf-spectacular-sidecar app's static files, and nothing is sent to the online validator.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
}

# --- Locale, time -------------------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# With DEBUG on, WhiteNoise serves straight from the apps' static folders; without it, from
# STATIC_ROOT, filled by `collectstatic` (run by .ci/start and at release), compressed. Not the
# manifest storage: the console's ES modules import each other by plain relative names.
# Fixed here, not read from DEBUG per request: the test runner turns DEBUG off after start-up.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
if not DEBUG:
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
    }

# --- /metrics -----------------------------------------------------------------------------------
# The scraper's bearer token. When set, /metrics answers only `Authorization: Bearer <key>` (401
# otherwise); unset, it is open in development and test and refused (403) in production.
METRICS_KEY = env_str("METRICS_KEY", "") or ""

# --- Logging: one line per event, with request_id, task_id and tenant_id when known -------------
# LOG_FORMAT: ``json`` (production default) is one JSON object per line for a log pipeline;
# ``plain`` (development and test default) is readable text. See gateway/logs.py.
LOG_LEVEL = env_str("LOG_LEVEL", "INFO") or "INFO"
LOG_FORMAT = env_str("LOG_FORMAT", "json" if IS_PRODUCTION else "plain") or "plain"
if LOG_FORMAT not in {"json", "plain"}:
    raise ImproperlyConfigured(f"LOG_FORMAT={LOG_FORMAT!r} must be json or plain")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "gateway.logs.ContextFilter"}},
    "formatters": {
        "plain": {
            "()": "gateway.logs.PlainFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
        },
        "json": {"()": "gateway.logs.json_formatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["context"],
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # django-axes: its warnings (repeated failures, lockouts) without a line per login
        "axes": {"level": "WARNING"},
    },
}

# --- Celery -------------------------------------------------------------------------------------
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 240, minimum=1)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 300, minimum=1)
# CELERY_BROKER_TRANSPORT_OPTIONS (the visibility timeout) is set below the LLM settings: it is
# sized to the longest task, which the llm queue's settings bound.

# --- Coach engine --------------------------------------------------------------------------------
COACH_COOLDOWN_DAYS = env_int("COACH_COOLDOWN_DAYS", 7, minimum=0)
COACH_MAX_RECOMMENDATIONS_PER_DAY = env_int("COACH_MAX_RECOMMENDATIONS_PER_DAY", 5, minimum=1)

# --- Daily insight -------------------------------------------------------------------------------
# Tenants per worker task: large enough that per-task overhead (~5 ms through the broker) is
# small against the work, small enough that a killed worker redoes little. Measured with
# benchmarks/daily_run.py (docs/benchmarks.md): 200 is about half a second of work; 50 costs
# Postgres more CPU per tenant (4x the transactions) for lower throughput; 1000 is no faster
# and a worker process then holds 256 MB instead of 150 MB.
INSIGHT_BATCH_SIZE = env_int("INSIGHT_BATCH_SIZE", 200, minimum=1, maximum=5000)
# At most this many tenants claimed by one dispatcher pass; the next pass takes the rest.
INSIGHT_DISPATCH_MAX = env_int("INSIGHT_DISPATCH_MAX", 200_000, minimum=1)
# A dispatched tenant whose insight is not written by then is dispatched again.
INSIGHT_LEASE_SECONDS = env_int("INSIGHT_LEASE_SECONDS", 900, minimum=10)
INSIGHT_BATCH_SOFT_TIME_LIMIT = env_int("INSIGHT_BATCH_SOFT_TIME_LIMIT", 240, minimum=5)
# How often Beat runs the dispatcher (seconds): config.celery.beat_schedule() reads it.
INSIGHT_DISPATCH_EVERY = env_int("INSIGHT_DISPATCH_EVERY", 300, minimum=10)

# --- Email, Slack and webhooks (notifications/channels) ------------------------------------------
# Django's own EMAIL_* variables: SMTP whenever EMAIL_HOST is set, the console backend otherwise
# (emails are printed by the worker). `.ci/start` runs a local mail catcher and points these at it.
EMAIL_HOST = env_str("EMAIL_HOST", "") or ""
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1, maximum=65535)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "") or ""
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "") or ""
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30, minimum=1)
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Coach <coach@localhost>") or "coach@localhost"
# Where links in emails and Slack messages point (the console, one-click unsubscribe).
COACH_PUBLIC_URL = env_url("COACH_PUBLIC_URL", "http://127.0.0.1:8000", ("http", "https"))
# Days a token from POST /v1/auth/token/ (a login) stays valid; tokens made by hand choose.
COACH_LOGIN_TOKEN_DAYS = env_int("COACH_LOGIN_TOKEN_DAYS", 30, minimum=1, maximum=3650)
# Webhook and Slack URLs may name loopback or private addresses only when this is on (tests,
# self-hosting); plain http is refused in production whatever this says.
COACH_WEBHOOK_ALLOW_PRIVATE = env_bool("COACH_WEBHOOK_ALLOW_PRIVATE", False)

# --- LLM (optional) -----------------------------------------------------------------------------
OPENAI_API_KEY = env_str("OPENAI_API_KEY", "") or ""
OPENAI_BASE_URL = env_str("OPENAI_BASE_URL", "") or None
if OPENAI_BASE_URL:
    env_url("OPENAI_BASE_URL", OPENAI_BASE_URL, ("http", "https"))
COACH_LLM_MODEL = env_str("COACH_LLM_MODEL", "gpt-4o-mini") or "gpt-4o-mini"

# --- LLM budget / feedback ----------------------------------------------------------------------
# One model call may wait this long for a response (or for the next streamed chunk); a user is
# waiting on the chat, so long enough for a full answer, short enough to fall back in time.
COACH_LLM_TIMEOUT = env_float("COACH_LLM_TIMEOUT", 20.0, minimum=0.1)
# Retries after a 429/5xx/timeout; a Retry-After longer than COACH_LLM_MAX_RETRY_WAIT is not
# waited for (the fallback answers instead: a user should not stare at a spinner for minutes).
COACH_LLM_MAX_RETRIES = env_int("COACH_LLM_MAX_RETRIES", 2, minimum=0)
COACH_LLM_MAX_RETRY_WAIT = env_float("COACH_LLM_MAX_RETRY_WAIT", 10.0, minimum=0.0)
COACH_LLM_BACKOFF = env_float("COACH_LLM_BACKOFF", 0.5, minimum=0.0)  # first backoff, doubles
# Tokens (prompt + completion) a tenant may spend per calendar month of its timezone; ~100 chats
# and a month of daily enrichment on a small model. 0 turns the LLM off for every tenant.
COACH_LLM_MONTHLY_TOKEN_BUDGET = env_int("COACH_LLM_MONTHLY_TOKEN_BUDGET", 300_000, minimum=0)
COACH_LLM_MAX_OUTPUT_TOKENS = env_int("COACH_LLM_MAX_OUTPUT_TOKENS", 600, minimum=16)
COACH_CHAT_HISTORY_MESSAGES = env_int("COACH_CHAT_HISTORY_MESSAGES", 10, minimum=0)
COACH_CHAT_MAX_QUESTION_CHARS = env_int("COACH_CHAT_MAX_QUESTION_CHARS", 2000, minimum=1)
COACH_ENRICHMENT_CACHE_SECONDS = env_int("COACH_ENRICHMENT_CACHE_SECONDS", 30 * 86400, minimum=0)
# Enrich every recommendation, or (false) only those of templates feedback marked "unclear".
COACH_ENRICH_ALL = env_bool("COACH_ENRICH_ALL", True)

# --- Work owed after a commit: leases and the sweep (README, "Faults and security") ------------
# Enrichment and pending chat answers are recorded in Postgres with a lease in the transaction
# that makes them; the message to the llm queue is published after commit. A lease that runs out
# (message never published, lost with a Redis restart, or its worker killed) is published again
# by the sweep (coach/recovery.py, insights.tasks.publish_pending), which Beat runs this often.
COACH_SWEEP_EVERY = env_int("COACH_SWEEP_EVERY", 60, minimum=5)
# A pending chat answer: longer than an answer takes (a model call with its retries, ~80 s at the
# defaults above), short enough that a lost one is redone while the asker still waits.
COACH_CHAT_ANSWER_LEASE_SECONDS = env_int("COACH_CHAT_ANSWER_LEASE_SECONDS", 120, minimum=10)
# A question still unanswered after this long gets the honest fallback ("did not answer in time").
COACH_CHAT_ANSWER_GIVE_UP_SECONDS = env_int("COACH_CHAT_ANSWER_GIVE_UP_SECONDS", 900, minimum=60)
# Enrichment owed: renewed before each model call, so longer than one call with its retries.
COACH_ENRICHMENT_LEASE_SECONDS = env_int("COACH_ENRICHMENT_LEASE_SECONDS", 300, minimum=10)
# One enrichment task starts no model call after this many seconds; it hands the rest on.
COACH_ENRICHMENT_TASK_SECONDS = env_int("COACH_ENRICHMENT_TASK_SECONDS", 240, minimum=10)
# Enrichment still owed after this long is dropped (the template's words stand).
COACH_ENRICHMENT_MAX_AGE_SECONDS = env_int("COACH_ENRICHMENT_MAX_AGE_SECONDS", 86400, minimum=60)

# The longest a task can run. Prefork tasks stop at their hard time limit (CELERY_TASK_TIME_LIMIT;
# an insight batch at INSIGHT_BATCH_SOFT_TIME_LIMIT + 30). The llm queue runs on threads, where
# Celery enforces no time limit, so its tasks bound themselves: one model call is at most
# (retries + 1) timeouts plus the retry waits (80 s at the defaults), a chat answer is one call,
# and an enrichment task starts no call after COACH_ENRICHMENT_TASK_SECONDS (240 + 80 = 320 s).
LLM_CALL_MAX_SECONDS = (COACH_LLM_MAX_RETRIES + 1) * COACH_LLM_TIMEOUT + (
    COACH_LLM_MAX_RETRIES * COACH_LLM_MAX_RETRY_WAIT
)
LONGEST_TASK_SECONDS = int(
    max(
        CELERY_TASK_TIME_LIMIT,
        INSIGHT_BATCH_SOFT_TIME_LIMIT + 30,
        COACH_ENRICHMENT_TASK_SECONDS + LLM_CALL_MAX_SECONDS,
    )
)
# Redis hands a message that is not acknowledged within this many seconds to another worker: the
# way a killed worker's (or a lost host's) messages come back. Longer than the longest task, so a
# task still running is never handed out twice; 600 s at the defaults (about twice the longest,
# 320 s). Work that must happen does not wait for it: its lease in Postgres runs out sooner and
# the sweep publishes it again (README, "Faults and security").
CELERY_VISIBILITY_TIMEOUT = env_int("CELERY_VISIBILITY_TIMEOUT", 600, minimum=10)
if CELERY_VISIBILITY_TIMEOUT <= LONGEST_TASK_SECONDS:
    raise ImproperlyConfigured(
        f"CELERY_VISIBILITY_TIMEOUT={CELERY_VISIBILITY_TIMEOUT} must be longer than the longest "
        f"task ({LONGEST_TASK_SECONDS} s from the task time limits and the LLM timeouts), or a "
        "task still running is handed to a second worker"
    )
CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, Any] = {"visibility_timeout": CELERY_VISIBILITY_TIMEOUT}

FEEDBACK_COMMENT_MAX_LENGTH = env_int("FEEDBACK_COMMENT_MAX_LENGTH", 1000, minimum=1)
FEEDBACK_SILENCE_ALREADY_DONE_DAYS = env_int("FEEDBACK_SILENCE_ALREADY_DONE_DAYS", 30, minimum=0)
FEEDBACK_SILENCE_NOT_RELEVANT_DAYS = env_int("FEEDBACK_SILENCE_NOT_RELEVANT_DAYS", 90, minimum=0)
# "Not a priority" scales that template's score down for the tenant for this many days.
FEEDBACK_NOT_PRIORITY_FACTOR = env_float("FEEDBACK_NOT_PRIORITY_FACTOR", 0.7, minimum=0.0)
FEEDBACK_NOT_PRIORITY_DAYS = env_int("FEEDBACK_NOT_PRIORITY_DAYS", 60, minimum=0)
# Pseudo-votes of the wider rate in each estimate: with 5, a tenant's own votes outweigh the
# overall rate once it has given more than five on a template.
FEEDBACK_PRIOR_STRENGTH = env_float("FEEDBACK_PRIOR_STRENGTH", 5.0, minimum=0.0)
# How far helpfulness moves a score: factor = 1 + strength * (estimate - 0.5), 0.5..1.5 at 1.0.
FEEDBACK_HELPFULNESS_STRENGTH = env_float("FEEDBACK_HELPFULNESS_STRENGTH", 1.0, minimum=0.0)
FEEDBACK_LOOKBACK_DAYS = env_int("FEEDBACK_LOOKBACK_DAYS", 365, minimum=1)
# Several models have a "status" with different choices; the schema names each set apart.
SPECTACULAR_SETTINGS.setdefault("ENUM_NAME_OVERRIDES", {}).update(
    {
        "RecommendationStatusEnum": "coach.models.Status",
        "ActionPlanStatusEnum": "coach.models.PlanStatus",
        "FeedbackReasonEnum": "feedback.models.Reason",
        "ChatAnswerStatusEnum": "coach.serializers.AnswerStatus",
        # the kinds of a notification, and of a Slack or webhook destination
        "NotificationKindEnum": "notifications.models.Kind",
        "DestinationKindEnum": "notifications.models.DESTINATION_KINDS",
        # a member's role in a tenant, and the role of a chat message
        "MemberRoleEnum": "gateway.models.Role",
        "MessageRoleEnum": "coach.models.MessageRole",
        # what an import file holds, and what a what-if scenario changes
        "ImportKindEnum": "insights.imports.models.ImportKind",
        "ScenarioChangeKindEnum": "insights.forecast.engine.ChangeKind",
        # where a business is in its life (an insight's stage)
        "BusinessStageEnum": "coach.vocabulary.Stage.choices",
    }
)
